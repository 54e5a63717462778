"""The repository's real default branch, found in one place for every command.

In order: ``default-branch`` of ``[tool.release-actions]``; in GitHub Actions the
event's ``repository.default_branch`` (the ``GITHUB_EVENT_PATH`` payload);
origin's HEAD as this clone recorded it (``refs/remotes/origin/HEAD``), else as
origin says it (``git ls-remote --symref origin HEAD``); else the branch HEAD is
on. Only when none of these answers (a detached HEAD without an origin) is it
``main``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

from release_actions.adapters import git
from release_actions.core.config import Config
from release_actions.core.text_inputs import check_branch_name
from release_actions.steps.event import event_object, event_text, read_event_payload

__all__ = ["DefaultBranch", "detect_default_branch", "with_default_branch"]

LAST_RESORT = "main"


class DefaultBranch(NamedTuple):
    name: str
    source: str  # configuration | event | origin/HEAD | origin | HEAD | fallback


def detect_default_branch(
    repo: Path | str, config: Config | None = None, env: Mapping[str, str] | None = None
) -> DefaultBranch:
    """The default branch of ``repo`` and where it came from (see the module docstring)."""
    if config is not None and config.default_branch:
        return DefaultBranch(config.default_branch, "configuration")
    env = os.environ if env is None else env
    from_event = _event_default_branch(env)
    if from_event:
        return DefaultBranch(from_event, "event")
    for source, read in (
        ("origin/HEAD", git.origin_head_branch),
        ("origin", git.remote_head_branch),
        ("HEAD", git.head_branch),
    ):
        name = read(repo)
        if name:
            return DefaultBranch(check_branch_name(name, f"default branch ({source})"), source)
    return DefaultBranch(LAST_RESORT, "fallback")


def with_default_branch(
    repo: Path | str, config: Config, env: Mapping[str, str] | None = None
) -> Config:
    """``config`` with ``default_branch`` filled in (unchanged when it was configured)."""
    if config.default_branch:
        return config
    return config._replace(default_branch=detect_default_branch(repo, config, env).name)


def _event_default_branch(env: Mapping[str, str]) -> str:
    payload = read_event_payload(env)
    name = event_text(event_object(payload, "repository"), "default_branch", "repository")
    return check_branch_name(name, "event field repository.default_branch") if name else ""
