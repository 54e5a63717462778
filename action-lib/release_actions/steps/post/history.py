"""The history post-release reads: a branch's tip (on origin, or in the clone) and
whether a commit is in it (a shallow checkout is unshallowed first)."""

from __future__ import annotations

from pathlib import Path

from release_actions.adapters import git
from release_actions.adapters.delivery import (
    base_for,
)
from release_actions.core.errors import ReleaseActionsError


def remote_head(repo: Path, branch: str, use_remote: bool) -> str:
    """The tip of ``branch`` on origin (fetched), or the local branch without pushing."""
    try:
        return base_for(repo, branch, use_remote=use_remote)[0]
    except ReleaseActionsError as err:
        raise ReleaseActionsError(
            f"{branch} not found: {err.message}",
            fix="set default-branch in [tool.release-actions]",
        ) from err


def unshallow(repo: Path, branch: str) -> None:
    """A shallow checkout (actions/checkout's default ``fetch-depth: 1``) lacks history:
    ``branch`` is unshallowed from origin. (Not treeless: that would make the checkout a
    partial clone whose later lazy fetches carry no token.)"""
    shallow = git.try_run(repo, "rev-parse", "--is-shallow-repository")[1] == "true"
    if shallow and git.has_remote(repo):
        git.remote(
            repo,
            "fetch",
            "--quiet",
            "--no-tags",
            "--unshallow",
            "origin",
            f"refs/heads/{branch}",
            what=f"fetch the history of {branch}",
        )


def is_ancestor(repo: Path, ancestor: str, descendant: str, branch: str) -> bool:
    """Whether ``ancestor`` is in the history of ``descendant`` (the tip of ``branch``)."""
    unshallow(repo, branch)
    return git.try_run(repo, "merge-base", "--is-ancestor", ancestor, descendant)[0] == 0
