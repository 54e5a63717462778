"""Re-locking ``uv.lock`` after pins change, so a release commit's lock agrees with its pins.

Llama Stack issue #6460: every release tag from v0.6.0 to v0.8.0 carried a
``uv.lock`` that disagreed with its pins, because pins were written without
re-locking. Here the lock is refreshed in the same commit, or the summary says
plainly why it was not.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from release_actions.core.errors import ReleaseActionsError

LOCK_POLICIES = ("fail", "skip", "wait")
_UNREACHABLE = (
    "failed to fetch",
    "error sending request",
    "connection refused",
    "tcp connect error",
    "dns error",
    "operation timed out",
    "invalid certificate",
    "401 unauthorized",
    "403 forbidden",
)
_UNSATISFIABLE = (
    "no solution found",
    "no version of",
    "not found in the package registry",
    "because there is no version",
    "was not found in the provided package locations",
)


@dataclass(frozen=True)
class LockResult:
    status: str  # relocked | unchanged | skipped | absent
    detail: str = ""


def uv_binary() -> str:
    """uv from PATH, else the one installed next to this interpreter (the action venv)."""
    found = shutil.which("uv") or shutil.which("uv", path=str(Path(sys.executable).parent))
    if not found:
        raise ReleaseActionsError(
            "uv is needed to re-lock uv.lock but was not found",
            fix="install uv (astral-sh/setup-uv) or set lock-policy: skip",
            title="uv not found",
        )
    return found


def relock(
    directory: Path,
    packages: Sequence[str],
    *,
    index_url: str = "",
    timeout: float = 600,
) -> LockResult:
    """Run ``uv lock --upgrade-package NAME...`` in ``directory`` if it has a uv.lock."""
    lock = directory / "uv.lock"
    if not lock.is_file():
        return LockResult("absent", "no uv.lock")
    before = lock.read_bytes()
    args = [uv_binary(), "lock", "--no-progress"]
    for name in packages:
        args += ["--upgrade-package", name]
    if index_url:
        args += ["--default-index", index_url]
    env = {**os.environ, "UV_NO_SYNC": "1"}
    proc = subprocess.run(
        args, cwd=directory, capture_output=True, text=True, env=env, timeout=timeout, check=False
    )
    if proc.returncode != 0:
        text = proc.stderr.strip() or proc.stdout.strip()
        lowered = text.lower()
        if any(marker in lowered for marker in _UNREACHABLE):
            # uv says "No solution found" here too: an index it cannot reach is not
            # an unpublished pin.
            cause = next((line.strip() for line in reversed(text.splitlines()) if line.strip()), "")
            raise ReleaseActionsError(
                f"uv lock could not reach the package index: {cause}",
                fix="check the index URL (index-url input or the project's uv configuration),"
                " the network and the index credentials",
                title="Package index unreachable",
            )
        if any(marker in lowered for marker in _UNSATISFIABLE):
            raise UnpublishedError(text)
        raise ReleaseActionsError(f"uv lock failed: {text}", fix="run `uv lock` locally to see why")
    return LockResult("relocked" if lock.read_bytes() != before else "unchanged")


class UnpublishedError(ReleaseActionsError):
    """The pinned version cannot be resolved yet (typically: not published)."""

    def __init__(self, detail: str) -> None:
        super().__init__(
            f"uv lock cannot resolve the new pins: {detail.splitlines()[-1] if detail else ''}",
            fix="publish the pinned packages first, or use lock-policy skip or wait",
            title="Pinned version not published",
        )
        self.detail = detail
