"""The files a release manages: which ``pyproject.toml`` and ``package.json`` files it edits.

Finding them is git (tracked files) and reading; deciding whether a file counts
is a pure question about its text, answered by :mod:`release_actions.edits`. The
pyproject files are found by :mod:`release_actions.steps.pyprojects` (light enough
for nightly-version), re-exported here.
"""

from __future__ import annotations

import json
import posixpath
from collections.abc import Sequence
from pathlib import Path

from release_actions.adapters.repo_files import (
    blobs,
    read_repo_text,
    resolve_configured,
    root_first,
    tracked_files,
    tree_entries,
)
from release_actions.core.errors import ReleaseActionsError
from release_actions.edits.npm_manifest import depends_on
from release_actions.edits.pyproject import parse_toml
from release_actions.steps.pyprojects import find_managed_pyprojects

__all__ = ["check_branches", "check_files_at", "find_managed_pyprojects", "find_package_jsons"]


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


MANIFEST_NAMES = ("pyproject.toml", "uv.lock", "package.json", "package-lock.json")
_MAX_LINKS = 40


def check_files_at(repo: Path, ref: str, package: str = "") -> None:
    """Check a branch's manifests without checking it out, before a command's first write.

    Every ``pyproject.toml``, ``uv.lock``, ``package.json`` and ``package-lock.json`` of
    ``ref``'s tree (outside ``node_modules``) must be a file, or a symlink to one inside
    the tree (not leading out, not a loop, not dangling), UTF-8, and valid TOML/JSON
    (a package.json: an object whose dependency sections are objects). A ref that
    does not exist is not checked (the step that needs it reports that).
    """
    entries = tree_entries(repo, ref)
    if entries is None:
        return
    wanted = [
        p
        for p in entries
        if p.rsplit("/", 1)[-1] in MANIFEST_NAMES and "node_modules" not in p.split("/")
    ]
    links = blobs(repo, sorted({entries[p][1] for p in entries if entries[p][0] == "120000"}))
    targets = {path: _follow(entries, links, path, ref) for path in wanted}
    data = blobs(repo, sorted({entries[t][1] for t in targets.values()}))
    for path, target in targets.items():
        raw = data.get(entries[target][1], b"")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ReleaseActionsError(
                f"{path} on {ref} is not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset"
                f" {exc.start}).",
                fix=f"save {path} as UTF-8 and commit it",
                title="File not UTF-8",
            ) from None
        where = f"{path} (on {ref})"
        name = path.rsplit("/", 1)[-1]
        if name.endswith(".toml") or name == "uv.lock":
            parse_toml(text, where)
        elif name == "package.json":
            depends_on(text, package or "-", path_for_errors=where)
        else:
            try:
                json.loads(text)
            except ValueError as exc:
                raise ReleaseActionsError(
                    f"{where} is not valid JSON: {exc}",
                    fix=f"fix the JSON syntax of {path} (or regenerate it with npm install)",
                    title="Invalid JSON",
                ) from None


def _follow(
    entries: dict[str, tuple[str, str]], links: dict[str, bytes], path: str, ref: str
) -> str:
    """The file ``path`` leads to in the tree, following symlinks; out, loop, dangling: errors."""
    current = path
    for _ in range(_MAX_LINKS):
        entry = entries.get(current)
        if entry is None:
            raise ReleaseActionsError(
                f"{path} on {ref} is a symlink to {current}, which does not exist in the repository"
                " (a dangling symlink).",
                fix=f"replace the symlink {path} with the file itself and commit it",
                title="Missing file",
            )
        if entry[0] != "120000":
            return current
        target = links.get(entry[1], b"").decode("utf-8", "replace")
        joined = posixpath.normpath(posixpath.join(posixpath.dirname(current), target))
        if target.startswith("/") or joined == ".." or joined.startswith("../"):
            raise ReleaseActionsError(
                f"{path} on {ref} is a symlink that leads outside the repository (to"
                f" {target}); release-actions reads and writes only files inside the"
                " repository.",
                fix=f"replace the symlink {path} with the file itself (commit its content)",
                title="Path outside the repository",
            )
        current = joined
    raise ReleaseActionsError(
        f"{path} on {ref} cannot be resolved: symlink loop.",
        fix=f"replace the symlink loop at {path} with the file itself",
        title="Symlink loop",
    )


def check_branches(repo: Path, branches: Sequence[str], package: str = "") -> None:
    """:func:`check_files_at` on each branch as origin has it (else the local branch)."""
    for branch in dict.fromkeys(b for b in branches if b):
        for ref in (f"refs/remotes/origin/{branch}", f"refs/heads/{branch}"):
            if tree_entries(repo, ref) is not None:
                check_files_at(repo, ref.removeprefix("refs/remotes/"), package)
                break
