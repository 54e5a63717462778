"""The files a release manages: which ``pyproject.toml`` and ``package.json`` files it edits.

Finding them is git (tracked files) and reading; deciding whether a file counts
is a pure question about its text, answered by :mod:`release_actions.edits`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from release_actions.adapters.repo_files import (
    read_repo_text,
    resolve_configured,
    root_first,
    tracked_files,
)
from release_actions.edits.npm_manifest import depends_on
from release_actions.edits.pyproject import has_scm_config

__all__ = ["find_managed_pyprojects", "find_package_jsons"]


def find_managed_pyprojects(repo: Path, configured: Sequence[str] = ()) -> list[Path]:
    """The pyproject files whose versions the release manages.

    ``configured`` (paths relative to ``repo``; a directory means its
    ``pyproject.toml``) wins, in the given order. Otherwise: every tracked
    ``pyproject.toml`` (a walk skipping ``.git``, ``node_modules`` and ``.venv``
    outside git) with a ``[tool.setuptools_scm]`` table, the root one first.
    """
    if configured:
        paths = resolve_configured(repo, configured, "pyproject.toml", "pyproject.toml")
        for path in paths:  # read now: a bad file is an error before any write
            rel = path.relative_to(repo).as_posix()
            has_scm_config(read_repo_text(repo, path, rel), path_for_errors=rel)
        return paths
    found = []
    for rel in root_first(
        tracked_files(repo, "*pyproject.toml", "pyproject.toml"), "pyproject.toml"
    ):
        text = read_repo_text(repo, repo / rel, rel)
        if has_scm_config(text, path_for_errors=rel):
            found.append(repo / rel)
    return found


def find_package_jsons(repo: Path, package: str, configured: Sequence[str] = ()) -> list[Path]:
    """The ``package.json`` files whose dependency on ``package`` the release updates.

    ``configured`` (paths relative to ``repo``; a directory means its
    ``package.json``) wins, in the given order. Otherwise: every tracked
    ``package.json`` outside ``node_modules`` that lists ``package`` in
    dependencies, devDependencies, peerDependencies or optionalDependencies,
    the root one first.
    """
    if configured:
        paths = resolve_configured(repo, configured, "package.json", "package.json")
        for path in paths:  # read now: a bad file is an error before any write
            rel = path.relative_to(repo).as_posix()
            depends_on(read_repo_text(repo, path, rel), package, path_for_errors=rel)
        return paths
    found = []
    candidates = tracked_files(repo, "*package.json", "package.json")
    for rel in root_first(candidates, "package.json"):
        if "node_modules" in rel.split("/"):
            continue
        text = read_repo_text(repo, repo / rel, rel)
        if depends_on(text, package, path_for_errors=rel):
            found.append(repo / rel)
    return found
