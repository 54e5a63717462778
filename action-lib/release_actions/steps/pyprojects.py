"""The one discovery of managed ``pyproject.toml`` files, used by every command.

A file is managed when it has a ``[tool.setuptools_scm]`` table (or is listed in
``[tool.release-actions] pyprojects``): the root project, and in a monorepo or a
uv workspace each member versioned from the repository root (``root = "../.."``).
Light on purpose: nightly-version and compute-version read the files with the
standard TOML reader (no tomlkit, no json); the edits parse them again with
tomlkit when they write.
"""

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from release_actions.adapters.manifests import read_pyproject
from release_actions.adapters.repo_files import (
    resolve_configured,
    root_first,
    tracked_files,
)

if TYPE_CHECKING:
    from pathlib import Path

__all__ = [
    "ROOT",
    "ManagedPyproject",
    "find_managed_pyprojects",
    "managed_data",
    "managed_pyprojects",
    "scm_table",
]


ROOT = "pyproject.toml"  # the root project's file, relative to the repository's top level


class ManagedPyproject(NamedTuple):
    path: "Path"
    rel: str  # relative to the repository's top level, with "/"
    data: dict[str, Any]  # parsed


def scm_table(data: dict[str, Any]) -> dict[str, Any] | None:
    """``[tool.setuptools_scm]`` of a parsed pyproject, or None."""
    tool = data.get("tool")
    scm = tool.get("setuptools_scm") if isinstance(tool, dict) else None
    return scm if isinstance(scm, dict) else None


def managed_pyprojects(repo: "Path", configured: Sequence[str] = ()) -> list[ManagedPyproject]:
    """The pyproject files whose versions the release manages, parsed.

    ``configured`` (paths relative to ``repo``; a directory means its
    ``pyproject.toml``) wins, in the given order, whether or not each has the
    table (the steps that need it say so). Otherwise: every tracked
    ``pyproject.toml`` with a ``[tool.setuptools_scm]`` table, the root one first.
    A file that is not valid TOML is an error naming it, before any write.
    """
    if configured:
        paths = resolve_configured(repo, configured, "pyproject.toml", "pyproject.toml")
        return [_read(repo, path, path.relative_to(repo).as_posix()) for path in paths]
    return _with_scm_table(repo, _tracked(repo))


def managed_data(
    repo: "Path | str", configured: Sequence[str] = (), root: dict[str, Any] | None = None
) -> list[tuple[str, dict[str, Any]]]:
    """``(rel, parsed)`` of each of :func:`managed_pyprojects`.

    ``root``: the root pyproject.toml, already parsed. When it is the only tracked
    one (a single project, the usual case) it is not read again, and ``pathlib`` is
    not imported (nightly-version).
    """
    rels = [] if configured else _tracked(repo)
    if rels == [ROOT] and root is not None:
        return [(ROOT, root)] if scm_table(root) is not None else []
    from pathlib import Path

    if configured:
        return [(m.rel, m.data) for m in managed_pyprojects(Path(repo), configured)]
    return [(m.rel, m.data) for m in _with_scm_table(Path(repo), rels)]


def _tracked(repo: "Path | str") -> list[str]:
    """The tracked pyproject.toml files, relative, the root one first."""
    return root_first(tracked_files(repo, "*pyproject.toml", ROOT), ROOT)


def _with_scm_table(repo: "Path", rels: Sequence[str]) -> list[ManagedPyproject]:
    found = []
    for rel in rels:
        managed = _read(repo, repo / rel, rel)
        if scm_table(managed.data) is not None:
            found.append(managed)
    return found


def find_managed_pyprojects(repo: "Path", configured: Sequence[str] = ()) -> "list[Path]":
    """The paths of :func:`managed_pyprojects`."""
    return [m.path for m in managed_pyprojects(repo, configured)]


def _read(repo: "Path", path: "Path", rel: str) -> ManagedPyproject:
    # outside the repository, unreadable, not UTF-8, not TOML: an error naming the file
    return ManagedPyproject(path, rel, read_pyproject(path, repo, rel))
