"""The README's first command runs on the bundled example and shows the right versions."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_example_script() -> None:
    proc = subprocess.run(
        [sys.executable, str(ROOT / "scripts/example.py")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout
    lines = {line.split("  ")[0]: line.split() for line in out.splitlines() if "  " in line}
    assert lines["release: published v0.7.1"][-5:] == ["0.7.1", "0.7.1", "pypi", "latest", "tag"]
    assert lines["release: published v0.6.2 (older line)"][-3:] == ["pypi", "latest-0.6", "tag"]
    assert lines["release: pre-release v0.8.0rc1"][-5:] == [
        "0.8.0rc1",
        "0.8.0-rc.1",
        "testpypi",
        "-",
        "tag",
    ]
    assert lines["schedule (nightly)"][-5:] == [
        "0.7.2.dev20261125",
        "0.7.2-dev.20261125",
        "testpypi",
        "-",
        "dev-tag",
    ]
    assert "rejected: invalid version ''" in out
    assert "nightly-version on main: 0.7.2.dev20261125" in out
    assert "prepare-release 0.8.0 (dry run): dry-run, branch release-0.8.x (new: True)" in out
    assert "post-release v0.7.1 (dry run): next dev 0.7.2, dev tag exists" in out
