"""Finding and reading the files a release manages: tracked by git, configured, root first.

Every read and write of a managed file goes through :func:`read_repo_text` and
:func:`write_repo_text`: a path that resolves outside the repository (a symlink
leading out, a ``..`` escape), a symlink loop, an unreadable file and non-UTF-8
bytes are errors naming the file, never a traceback. Text is read as bytes and
decoded without newline translation, so CRLF and a missing final newline survive
an edit.

``pathlib`` is imported where a path is built: nightly-version reads a single
project's pyproject.toml (a regular file at the top level, inside the repository
by construction) without it (:func:`read_top_level_bytes`).
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence
from typing import TYPE_CHECKING

from release_actions.adapters import git
from release_actions.core.errors import InvalidValueError, ReleaseActionsError

if TYPE_CHECKING:
    from pathlib import Path

_SKIP_DIRS = frozenset({".git", "node_modules", ".venv"})


def tracked_files(repo: Path | str, pattern: str, name: str) -> list[str]:
    """Tracked files called ``name`` (``git ls-files``); a directory walk outside git."""
    code, out, _ = git.try_run(repo, "ls-files", "-z", "--", pattern)
    if code == 0:
        found = [p for p in out.split("\0") if p and p.rsplit("/", 1)[-1] == name]
        paths = ((p, os.path.join(repo, p)) for p in found)
        return [p for p, path in paths if os.path.isfile(path) or os.path.islink(path)]
    from pathlib import Path

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
    from pathlib import Path

    result: list[Path] = []
    for rel in configured:
        path = repo / rel
        if Path(rel).is_absolute() or (_escapes(repo, path) and not _through_symlink(repo, path)):
            raise InvalidValueError(
                f"configured {what} path",
                rel,
                "a path relative to the repository root",
                fix=f"list {what} files relative to the repository root"
                " ([tool.release-actions] or the action input)",
            )
        check_inside(repo, path, rel)
        if path.is_dir():
            path = path / name
            check_inside(repo, path, f"{rel.rstrip('/')}/{name}")
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


def _describe(repo: Path, path: Path) -> str:
    try:
        return path.relative_to(repo).as_posix()
    except ValueError:
        return str(path)


def _escapes(repo: Path, path: Path) -> bool:
    try:
        return not path.resolve().is_relative_to(repo.resolve())
    except (RuntimeError, OSError):
        return False  # a loop: check_inside names it


def _through_symlink(repo: Path, path: Path) -> bool:
    try:
        parts = path.relative_to(repo).parts
    except ValueError:
        return path.is_symlink()
    here = repo
    for part in parts:
        here = here / part
        if here.is_symlink():
            return True
    return False


def check_inside(repo: Path, path: Path, rel: str = "") -> Path:
    """``path`` resolved, when it stays inside ``repo``; else an error naming ``rel``.

    Symlinks are followed: one leading outside the repository, or a loop, is
    refused, so that nothing is read or written through it.
    """
    rel = rel or _describe(repo, path)
    try:
        root = repo.resolve(strict=True)
        resolved = path.resolve()
    except (RuntimeError, OSError) as exc:  # RuntimeError: a symlink loop (Python < 3.13)
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else "symlink loop"
        raise ReleaseActionsError(
            f"{rel} cannot be resolved: {why} (a symlink loop).",
            fix=f"replace the symlink loop at {rel} with the file itself",
            title="Symlink loop",
        ) from None
    if not resolved.is_relative_to(root):
        if _through_symlink(repo, path):
            how, fix = (
                "leads through a symlink",
                f"replace the symlink with the file itself (commit its content), or remove {rel}"
                " from the managed files",
            )
        else:
            how, fix = "resolves", "use a path inside the repository, relative to its root"
        raise ReleaseActionsError(
            f"{rel} {how} outside the repository (to {resolved}); release-actions reads and"
            " writes only files inside the repository.",
            fix=fix,
            title="Path outside the repository",
        )
    return resolved


def read_repo_bytes(repo: Path, path: Path, rel: str = "") -> bytes:
    """The bytes of a file inside ``repo``; outside, missing or unreadable: an error."""
    rel = rel or _describe(repo, path)
    check_inside(repo, path, rel)
    return _read_bytes(path, rel)


def read_top_level_bytes(repo: Path | str, name: str) -> bytes | None:
    """The bytes of ``repo/name`` when it is a regular file (not a symlink), else None.

    Such a file is inside the repository by construction (:func:`check_inside` could
    only agree), so neither it nor ``pathlib`` is needed: the single pyproject.toml
    of most repositories is read this way. Anything else (a symlink, a directory, no
    file) is None: read it with :func:`read_repo_bytes`, which says what is wrong.
    """
    path = os.path.join(repo, name)
    if os.path.islink(path) or not os.path.isfile(path):
        return None
    return _read_bytes(path, name)


def _read_bytes(path: Path | str, rel: str) -> bytes:
    """The bytes of ``path``; missing or unreadable: an error naming ``rel``."""
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except FileNotFoundError:
        dangling = os.path.islink(path)
        raise ReleaseActionsError(
            f"{rel} does not exist" + (" (a dangling symlink)." if dangling else "."),
            fix=f"restore {rel} (git checkout -- {rel}) or remove it from the managed files",
            title="Missing file",
        ) from None
    except PermissionError:
        raise ReleaseActionsError(
            f"{rel} cannot be read: permission denied.",
            fix=f"make {rel} readable (chmod u+r {rel})",
            title="Unreadable file",
        ) from None
    except OSError as exc:
        raise ReleaseActionsError(
            f"{rel} cannot be read: {exc.strerror or exc}.",
            fix=f"make {rel} a readable regular file",
            title="Unreadable file",
        ) from None


def decode_text(data: bytes, rel: str) -> str:
    """``data`` as UTF-8 text (line endings kept); other bytes: an error naming ``rel``."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ReleaseActionsError(
            f"{rel} is not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}).",
            fix=f"save {rel} as UTF-8",
            title="File not UTF-8",
        ) from None


def read_repo_text(repo: Path, path: Path, rel: str = "") -> str:
    """The UTF-8 text of a file inside ``repo``, line endings and final newline as stored."""
    rel = rel or _describe(repo, path)
    return decode_text(read_repo_bytes(repo, path, rel), rel)


def write_repo_text(repo: Path, path: Path, text: str, rel: str = "") -> None:
    """Write ``text`` (UTF-8, no newline translation) to a file inside ``repo``."""
    rel = rel or _describe(repo, path)
    check_inside(repo, path, rel)
    try:
        path.write_bytes(text.encode("utf-8"))
    except OSError as exc:
        raise ReleaseActionsError(
            f"{rel} cannot be written: {exc.strerror or exc}.",
            fix=f"make {rel} a writable regular file",
            title="Unwritable file",
        ) from None


def tree_entries(repo: Path, ref: str) -> dict[str, tuple[str, str]] | None:
    """``{path: (mode, blob id)}`` of every file in ``ref``'s tree; None if no such ref."""
    code, out, _ = git.try_run(repo, "ls-tree", "-r", "-z", "--full-tree", ref, "--")
    if code != 0:
        return None
    entries: dict[str, tuple[str, str]] = {}
    for record in out.split("\0"):
        meta, tab, path = record.partition("\t")
        parts = meta.split()
        if tab and len(parts) == 3 and parts[1] == "blob":
            entries[path] = (parts[0], parts[2])
    return entries


def blobs(repo: Path, ids: Sequence[str]) -> dict[str, bytes]:
    """The bytes of each blob (``git cat-file --batch``: one process for all)."""
    if not ids:
        return {}
    proc = subprocess.run(
        ["git", "cat-file", "--batch"],
        cwd=repo,
        input="".join(f"{i}\n" for i in ids).encode(),
        capture_output=True,
        check=False,
        env=git.git_env(),
    )
    data, pos, found = proc.stdout, 0, {}
    while pos < len(data):
        end = data.index(b"\n", pos)
        header = data[pos:end].decode().split()
        pos = end + 1
        if len(header) != 3:  # "<id> missing"
            continue
        size = int(header[2])
        found[header[0]] = data[pos : pos + size]
        pos += size + 1
    return found
