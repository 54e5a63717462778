"""The real npm on PATH: re-resolving a ``package-lock.json`` without installing anything."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from release_actions.core import diagnostics
from release_actions.core.errors import ReleaseActionsError

__all__ = ["NPM_INSTALL_ARGS", "update_lockfile"]

NPM_INSTALL_ARGS = ("install", "--package-lock-only", "--ignore-scripts", "--no-audit", "--no-fund")


def update_lockfile(
    directory: Path,
    *,
    registry: str | None = None,
    dry_run: bool = False,
    timeout: float = 600,
) -> None:
    """Re-resolve ``directory/package-lock.json`` with the real npm.

    Runs ``npm install --package-lock-only --ignore-scripts --no-audit --no-fund
    [--registry R]`` in ``directory``: nothing is installed and no scripts run.
    ``dry_run`` prints the command instead. Failure raises a
    :class:`ReleaseActionsError` with npm's last error lines.
    """
    argv = ["npm", *NPM_INSTALL_ARGS]
    if registry:
        argv += ["--registry", registry]
    if dry_run:
        diagnostics.notice(f"dry run: would run in {directory}: {' '.join(argv)}")
        return
    npm = shutil.which("npm")
    if npm is None:
        raise ReleaseActionsError(
            "npm is not on PATH, so the package-lock.json cannot be updated.",
            fix="install Node.js before this step (actions/setup-node)",
            title="npm not found",
        )
    if not (directory / "package.json").is_file():
        raise ReleaseActionsError(
            f"{directory} has no package.json to lock.",
            fix="point the lockfile update at the folder holding package.json",
            title="Missing package.json",
        )
    try:
        proc = subprocess.run(
            [npm, *argv[1:]],
            cwd=directory,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise ReleaseActionsError(
            f"npm install --package-lock-only in {directory} did not finish in {timeout:.0f}s.",
            fix="check that the npm registry is reachable, then re-run",
            title="npm timed out",
        ) from None
    if proc.returncode != 0:
        lines = [line for line in (proc.stderr or proc.stdout).splitlines() if line.strip()]
        errors = [line for line in lines if "ERR" in line] or lines
        tail = "\n".join(errors[-12:])
        raise ReleaseActionsError(
            f"npm install --package-lock-only failed in {directory}"
            f" (exit {proc.returncode}):\n{tail}",
            fix="if npm cannot find the version, it may not be published yet (or the registry"
            " has not caught up): publish the client first or wait, then re-run",
            title="npm install failed",
        )
