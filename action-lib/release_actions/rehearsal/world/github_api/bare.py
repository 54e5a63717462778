"""Build bare repositories and commits in them without a work tree (git plumbing only)."""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path

IDENTITY = {
    "GIT_AUTHOR_NAME": "Release Bot",
    "GIT_AUTHOR_EMAIL": "release-bot@example.com",
    "GIT_COMMITTER_NAME": "Release Bot",
    "GIT_COMMITTER_EMAIL": "release-bot@example.com",
}


def _git(bare: Path, *args: str, input: str | None = None, **env: str) -> str:
    full_env = {**os.environ, **IDENTITY, "GIT_DIR": str(bare), **env}
    full_env.pop("GIT_WORK_TREE", None)
    proc = subprocess.run(
        ["git", *args], capture_output=True, text=True, input=input, env=full_env, check=False
    )
    if proc.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)} failed: {proc.stderr.strip()}")
    return proc.stdout.strip()


def init_bare_repo(path: Path, branch: str = "main") -> Path:
    path.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["git", "init", "--quiet", "--bare", f"--initial-branch={branch}", str(path)], check=True
    )
    return path


def commit_files(
    bare: Path,
    branch: str,
    files: Mapping[str, str | None],
    message: str,
    *,
    start: str | None = None,
) -> str:
    """Commit ``files`` (path -> content, None deletes) on ``branch``; returns the new sha.

    The branch is created from ``start`` (a rev) when it does not exist yet; a
    branch that exists moves forward from its tip.
    """
    ref = f"refs/heads/{branch}"
    try:
        existing: str | None = _git(bare, "rev-parse", "--verify", "--quiet", ref)
    except RuntimeError:
        existing = None
    parent = existing
    if parent is None and start:
        parent = _git(bare, "rev-parse", "--verify", f"{start}^{{commit}}")
    with tempfile.TemporaryDirectory() as tmp:
        index = {"GIT_INDEX_FILE": str(Path(tmp) / "index")}
        if parent:
            _git(bare, "read-tree", parent, **index)
        for name, content in files.items():
            if content is None:
                _git(bare, "update-index", "--force-remove", name, **index)
                continue
            blob = _git(bare, "hash-object", "-w", "--stdin", input=content)
            _git(bare, "update-index", "--add", "--cacheinfo", f"100644,{blob},{name}", **index)
        tree = _git(bare, "write-tree", **index)
    parents = ["-p", parent] if parent else []
    sha = _git(bare, "commit-tree", tree, *parents, input=message + "\n")
    _git(bare, "update-ref", ref, sha, existing or "0" * 40)
    return sha


def git_in(bare: Path, *args: str) -> str:
    """Run a read-only git command in the bare repository (for assertions)."""
    return _git(bare, *args)
