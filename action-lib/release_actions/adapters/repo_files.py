"""Finding the files a release manages: tracked by git, configured, root first."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from release_actions.adapters import git
from release_actions.core.errors import InvalidValueError, ReleaseActionsError

_SKIP_DIRS = frozenset({".git", "node_modules", ".venv"})


def tracked_files(repo: Path, pattern: str, name: str) -> list[str]:
    """Tracked files called ``name`` (``git ls-files``); a directory walk outside git."""
    code, out, _ = git.try_run(repo, "ls-files", "-z", "--", pattern)
    if code == 0:
        found = [p for p in out.split("\0") if p and p.rsplit("/", 1)[-1] == name]
        return [p for p in found if (repo / p).is_file()]
    found = []
    for dirpath, dirnames, filenames in os.walk(repo):
        dirnames[:] = sorted(d for d in dirnames if d not in _SKIP_DIRS)
        if name in filenames:
            found.append((Path(dirpath) / name).relative_to(repo).as_posix())
    return found


def root_first(paths: Sequence[str], name: str) -> list[str]:
    """Sort relative paths by path, the root file (``name`` itself) first."""
    return sorted(set(paths), key=lambda p: (p != name, p))


def resolve_configured(repo: Path, configured: Sequence[str], name: str, what: str) -> list[Path]:
    """Resolve configured relative paths (a directory means ``dir/name``); error if missing."""
    result: list[Path] = []
    root = repo.resolve()
    for rel in configured:
        path = repo / rel
        if path.is_dir():
            path = path / name
        if Path(rel).is_absolute() or not path.resolve().is_relative_to(root):
            raise InvalidValueError(
                f"configured {what} path",
                rel,
                "a path relative to the repository root",
                fix=f"list {what} files relative to the repository root",
            )
        if not path.is_file():
            raise ReleaseActionsError(
                f"the configured {what} {rel!r} does not exist in {repo}.",
                fix=f"fix the path in [tool.release-actions] ({what} list) or the action input;"
                " paths are relative to the repository root",
                title=f"Missing {what}",
            )
        if path not in result:
            result.append(path)
    return result
