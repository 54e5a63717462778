"""Whether a branch named by an input exists: here, or (when allowed to ask) on origin."""

from __future__ import annotations

from typing import TYPE_CHECKING

from release_actions.adapters import git
from release_actions.core.errors import ReleaseActionsError

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["require_branch"]


def require_branch(repo: Path | str, branch: str, *, fetch: bool = True) -> None:
    """An error naming ``branch`` unless it exists here or (when allowed to ask) on origin.

    A nightly for a branch that does not exist would invent a version.
    """
    local = (
        git.try_run(
            repo,
            "show-ref",
            "--verify",
            "--quiet",
            f"refs/heads/{branch}",
        )[0]
        == 0
        or git.try_run(repo, "show-ref", "--verify", "--quiet", f"refs/remotes/origin/{branch}")[0]
        == 0
    )
    if local:
        return
    fix = f"pass the name of an existing branch (check the spelling of {branch!r})"
    if fetch and git.has_remote(repo):
        code, _out, err = git.try_run(
            repo,
            "ls-remote",
            "--exit-code",
            "--heads",
            "origin",
            f"refs/heads/{branch}",
            extra_env=git.remote_env(repo),
        )
        if code == 0:
            return
        if code != 2:
            raise ReleaseActionsError(
                f"could not ask origin whether branch {branch!r} exists: {err.strip()}",
                fix="check that origin is reachable and the token may read it",
                title="Origin unreachable",
            )
        raise ReleaseActionsError(
            f"branch {branch!r} exists neither in this clone nor on origin",
            fix=fix,
            title="No such branch",
        )
    raise ReleaseActionsError(
        f"branch {branch!r} does not exist in this clone", fix=fix, title="No such branch"
    )
