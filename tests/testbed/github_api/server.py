"""The package's local GitHub API with the test suite's OpenAPI validation by default."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from release_actions.rehearsal.world.github_api import server as _server
from release_actions.rehearsal.world.github_api.server import Fault

from .validation import SpecValidator

__all__ = ["Fault", "GitHubAPIServer"]


@functools.lru_cache(maxsize=1)
def shared_validator() -> SpecValidator:
    """One validator for the session (loading the OpenAPI subset takes a while)."""
    return SpecValidator()


class GitHubAPIServer(_server.GitHubAPIServer):
    """Every request and response checked against GitHub's OpenAPI description."""

    def __init__(self, bare_repo: Path, *args: Any, **options: Any) -> None:
        options.setdefault("validator", shared_validator())
        super().__init__(bare_repo, *args, **options)
