"""Pytest fixtures for the local GitHub API (register via ``pytest_plugins``).

``github_api_factory(bare_repo, full_name="llama-stack/llama-stack", **options)``
starts a :class:`GitHubAPIServer` on the bare repository and returns it; at
teardown the server is stopped and the test fails if ``server.errors`` is not
empty (an unknown route, or a request/response that does not match GitHub's
OpenAPI description). Options: ``require_auth``, ``tokens``, ``path_prefix``.

``github_api`` is a server over a fresh bare repository whose ``main`` has two
commits (``server.git.path`` is the bare repository).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from release_actions.rehearsal.world.github_api import commit_files, init_bare_repo

from .server import GitHubAPIServer, shared_validator

ServerFactory = Callable[..., GitHubAPIServer]


@pytest.fixture
def github_api_factory() -> Iterator[ServerFactory]:
    servers: list[GitHubAPIServer] = []

    def start(
        bare_repo: Path, full_name: str = "llama-stack/llama-stack", **options: Any
    ) -> GitHubAPIServer:
        options.setdefault("validator", shared_validator())
        server = GitHubAPIServer(Path(bare_repo), full_name, **options).start()
        servers.append(server)
        return server

    yield start
    problems = []
    for server in servers:
        server.stop()
        problems += server.errors
    if problems:
        pytest.fail(
            "the local GitHub API saw requests or produced responses that GitHub's "
            "OpenAPI description does not allow:\n" + "\n".join(problems),
            pytrace=False,
        )


@pytest.fixture
def github_api(tmp_path: Path, github_api_factory: ServerFactory) -> GitHubAPIServer:
    bare = init_bare_repo(tmp_path / "origin.git")
    commit_files(bare, "main", {"README.md": "# demo\n"}, "Initial commit")
    commit_files(bare, "main", {"pyproject.toml": "[project]\nname = 'demo'\n"}, "Add pyproject")
    return github_api_factory(bare)
