"""The clean export of our actions that ``llama-stack/release-actions@v1`` maps to.

act copies a ``--local-repository`` folder as it is on disk for every ``uses:``;
mapping a development checkout copies its ``.venv`` each time (about 19 s a
step). So a rehearsal maps a folder holding only what a consumer's ``uses:``
reaches: ``actions/``, ``.github/workflows/``, the launcher
(``scripts/run-action``, ``scripts/_run_action.py``), the locks it installs from
(``requirements/``), the package it puts on ``PYTHONPATH``
(``action-lib/release_actions``) and ``pyproject.toml``.

The source is a checkout of release-actions (``--release-actions DIR``, or the
one this package runs from): its file list is ``git ls-files -co --exclude-standard``
(tracked and not-ignored untracked files, as they are on disk), restricted to
those parts. Or, for a pip-installed release-actions, the installed files: the
wheel carries the non-Python parts as data files (``share/release-actions``,
``[tool.setuptools.data-files]`` in pyproject.toml) and the package itself is
taken from where it is installed. The export lands in
``$XDG_CACHE_HOME/release-actions/exports/<hash>``
(default ``~/.cache``), the hash taken over every exported path, mode and
content, so a warm rehearsal finds it and copies nothing. It is written in a
temporary folder and published with one rename. Each use touches its marker;
exports unused for :data:`KEEP_UNUSED` seconds (and half-written folders an hour
old) are removed when a new one is written. An export is about 1.7 MB, where a
development checkout with its ``.venv`` is over 300 MB.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path

import release_actions
from release_actions.core.errors import ReleaseActionsError

__all__ = [
    "EXPORTED",
    "cache_dir",
    "copy_files",
    "export_map",
    "export_release_actions",
    "export_worktree",
    "exported_files",
    "find_source",
    "installed_share",
    "worktree_files",
]

#: What a consumer's ``uses:`` needs: folders (with everything under them) and files.
EXPORTED = (
    "actions/",
    ".github/workflows/",
    "scripts/run-action",
    "scripts/_run_action.py",
    "requirements/",
    "action-lib/release_actions/",
    "pyproject.toml",
)
MARKER = ".export-complete"
KEEP_UNUSED = 7 * 24 * 3600.0
STALE_TMP = 3600.0


def cache_dir(env: Mapping[str, str] | None = None) -> Path:
    """``$XDG_CACHE_HOME/release-actions`` (default ``~/.cache/release-actions``)."""
    env = os.environ if env is None else env
    base = env.get("XDG_CACHE_HOME", "").strip()
    return (Path(base) if base else Path.home() / ".cache") / "release-actions"


SHARE = Path("share") / "release-actions"
PACKAGE_IN_EXPORT = "action-lib/release_actions/"


def _is_source(path: Path) -> bool:
    return (path / "actions").is_dir() and (path / ".github" / "workflows").is_dir()


def installed_share() -> Path | None:
    """The data files a wheel install of release-actions put under ``share/``, if any."""
    schemes = {sysconfig.get_path("data"), sys.prefix}
    user = f"{os.name}_user" if os.name != "posix" else "posix_user"
    if user in sysconfig.get_scheme_names():
        schemes.add(sysconfig.get_path("data", user))
    for base in sorted(schemes):
        candidate = Path(base) / SHARE
        if _is_source(candidate) and (candidate / "scripts" / "run-action").is_file():
            return candidate
    return None


def find_source(option: str | None) -> Path:
    """The release-actions checkout to export: ``--release-actions DIR`` when given,
    else the one this package runs from; an error naming the option otherwise."""
    if option:
        path = Path(option).expanduser().resolve()
        if not _is_source(path):
            raise ReleaseActionsError(
                f"--release-actions {option}: {path} holds no actions/ and .github/workflows/.",
                fix="pass --release-actions DIR, a checkout of llama-stack/release-actions",
                title="Not a release-actions checkout",
            )
        return path
    here = Path(release_actions.__file__).resolve().parents[2]
    if _is_source(here):
        return here
    share = installed_share()
    if share is not None:
        return share
    raise ReleaseActionsError(
        f"the installed release_actions ({here}) is neither inside a release-actions"
        " checkout nor installed with its actions (share/release-actions), so there are"
        " no actions to map llama-stack/release-actions@v1 to.",
        fix="pip install 'release-actions[rehearse]' again, or pass --release-actions DIR,"
        " a checkout of llama-stack/release-actions",
        title="No release-actions checkout",
    )


def _wanted(rel: str) -> bool:
    if "/.venv/" in f"/{rel}" or "__pycache__" in rel or rel.endswith(".pyc"):
        return False
    return any(rel.startswith(p) if p.endswith("/") else rel == p for p in EXPORTED)


def export_map(source: Path) -> dict[str, Path]:
    """``{path in the export: the file it copies}`` (see the module docstring)."""
    if (source / ".git").exists():
        return {rel: source / rel for rel in exported_files(source)}
    found: dict[str, Path] = {}
    package = Path(release_actions.__file__).resolve().parent
    for base, prefix in ((source, ""), (package, PACKAGE_IN_EXPORT)):
        for path in sorted(base.rglob("*")):
            rel = prefix + path.relative_to(base).as_posix()
            if (path.is_file() or path.is_symlink()) and _wanted(rel):
                found[rel] = path
    return found


def worktree_files(source: Path) -> list[str]:
    """``git ls-files -co --exclude-standard`` of ``source`` (tracked files, and untracked
    ones not ignored), sorted, leaving out what is not on disk (deleted, a submodule)."""
    try:
        listing = subprocess.run(
            ["git", "-C", str(source), "ls-files", "-z", "-c", "-o", "--exclude-standard"],
            capture_output=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError) as exc:
        raise ReleaseActionsError(
            f"cannot list the files of {source}: {exc}",
            fix="pass --release-actions DIR, a git checkout of llama-stack/release-actions",
            title="No release-actions checkout",
        ) from None
    names = sorted({os.fsdecode(n) for n in listing.split(b"\0") if n})
    return [rel for rel in names if (source / rel).is_symlink() or (source / rel).is_file()]


def exported_files(source: Path) -> list[str]:
    """The paths (relative, sorted) a checkout's export holds: see the module docstring."""
    return [rel for rel in worktree_files(source) if _wanted(rel)]


def copy_files(files: Mapping[str, Path], dest: Path) -> None:
    """Copy ``{relative path: source file}`` under ``dest``, links as links, modes kept."""
    for rel, src in files.items():
        out = dest / rel
        out.parent.mkdir(parents=True, exist_ok=True)
        if src.is_symlink():
            out.symlink_to(os.readlink(src))
        else:
            shutil.copy2(src, out)


def export_worktree(repo: Path, dest: Path) -> Path:
    """Copy the working tree of ``repo`` as it is on disk, without ignored files, to ``dest``
    (the test suite's whole-tree export; a rehearsal maps :func:`export_release_actions`).

    The file list is :func:`worktree_files`: what ``git add -A`` would commit now, with
    the current contents and modes (so ``.venv``, ``node_modules`` and caches stay out,
    and a new, not yet added workflow is in). Neither ``git stash create`` (it leaves
    untracked files out) nor ``git archive`` of a temporary index (it writes objects
    into the shared ``.git``) does both, and this is read-only. ``export-ignore``
    attributes are not applied.
    """
    dest.mkdir(parents=True, exist_ok=True)
    copy_files({rel: repo / rel for rel in worktree_files(repo)}, dest)
    return dest


def _digest(files: dict[str, Path]) -> str:
    h = hashlib.sha256()
    for rel, path in sorted(files.items()):
        h.update(rel.encode() + b"\0")
        if path.is_symlink():
            h.update(b"link\0" + os.readlink(path).encode())
        else:
            h.update(oct(path.stat().st_mode & 0o777).encode() + b"\0")
            h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()[:20]


def _prune(root: Path) -> None:
    """Remove exports unused for KEEP_UNUSED seconds and stale half-written folders."""
    if not root.is_dir():
        return
    now = time.time()
    for entry in root.iterdir():
        marker = entry / MARKER
        try:
            if entry.name.startswith(".tmp-"):
                stale = now - entry.stat().st_mtime > STALE_TMP
            else:
                stale = marker.is_file() and now - marker.stat().st_mtime > KEEP_UNUSED
        except OSError:
            continue
        if stale:
            shutil.rmtree(entry, ignore_errors=True)


def export_release_actions(source: Path, cache: Path | None = None) -> tuple[Path, bool]:
    """The export of ``source`` in the cache, and whether it had to be written now."""
    files = export_map(source)
    root = (cache or cache_dir()) / "exports"
    dest = root / _digest(files)
    if (dest / MARKER).is_file():
        os.utime(dest / MARKER)
        return dest, False
    _prune(root)
    root.mkdir(parents=True, exist_ok=True)
    if dest.exists():  # a copy left without its marker: never trusted
        shutil.rmtree(dest, ignore_errors=True)
    tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=root))
    try:
        copy_files(files, tmp)
        launcher = tmp / "scripts" / "run-action"
        if launcher.is_file():  # the composite actions run it directly
            launcher.chmod(launcher.stat().st_mode | 0o111)
        (tmp / MARKER).write_text("")
        try:
            tmp.rename(dest)
        except OSError:  # another rehearsal published the same export first
            if not (dest / MARKER).is_file():
                raise
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return dest, True
