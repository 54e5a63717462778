"""The README's first command runs a whole release cycle of the bundled example and reports it."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

# scripts/example starts two pypiservers and a verdaccio and runs a whole release cycle.
pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parent.parent
NIGHTLY = "0.8.1.dev20261125"


def section(out: str, title: str) -> str:
    """The lines of one ``== title`` section of the output."""
    start = out.index(f"\n== {title}")
    end = out.find("\n== ", start + 1)
    return out[start : end if end != -1 else None]


def test_example_script() -> None:
    proc = subprocess.run(
        [sys.executable, str(ROOT / "scripts/example.py")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout

    # 0. compute-version per trigger, on the example's history.
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

    # 2. prepare-release cut release-0.8.x from main with ==0.8.0 pins and a matching lock.
    prepare = section(out, "2. prepare-release")
    assert "pushed: release-0.8.x created from main" in prepare
    assert "on release-0.8.x: fallback_version 0.8.0; 2 pins llama-stack-client==0.8.0" in prepare
    assert "uv.lock relocked: llama-stack-client 0.8.0" in prepare

    # 3. The release: built at the tag, install-tested, on PyPI next to the client.
    release = section(out, "3. The release v0.8.0")
    assert "compute-version --event release --tag v0.8.0: 0.8.0, target pypi" in release
    assert "llama-stack==0.8.0 llama-stack-api==0.8.0 llama-stack-client==0.8.0" in release

    # 4. post-release: dev tag on main, fallback bumped, npm lockfile on the branch.
    post = section(out, "4. post-release")
    assert "dev tag v0.8.1-dev on main: created" in post
    assert "main: pushed, fallback_version 0.8.1.dev0" in post
    assert "llama-stack-client 0.8.0" in post.splitlines()[-1]

    # 5. The nightly goes to TestPyPI once; the same-day re-run uploads nothing, fails nothing.
    nightly = section(out, "5. The nightly")
    assert f"nightly-version on main: {NIGHTLY} (base 0.8.1 from dev-tag v0.8.1-dev)" in nightly
    assert "(run 1): TestPyPI: 4 uploaded" in nightly
    assert re.search(r"\(run 2, same day\): TestPyPI: 0 uploaded, 4 skipped", nightly)

    # The report: origin's refs and what each registry holds.
    report = section(out, "Report")
    steps = {line.split("  ")[0]: line for line in report.splitlines() if "  " in line}
    assert "release-0.8.x created; 2 pins llama-stack-client==0.8.0" in steps["prepare-release"]
    assert "v0.8.1-dev on main; main fallback 0.8.1.dev0" in steps["post-release"]
    assert steps["nightly (run 1)"].split()[-4:] == [NIGHTLY, "TestPyPI:", "4", "uploaded"]
    assert f"{NIGHTLY}  TestPyPI: 0 uploaded, 4 skipped" in steps["nightly (run 2, same day)"]
    refs = {  # ref -> (short sha, subject)
        words[0]: (words[1], " ".join(words[2:]))
        for words in map(str.split, report.splitlines())
        if len(words) > 2 and re.fullmatch(r"[0-9a-f]{7}", words[1])
    }
    assert set(refs) == {"main", "release-0.8.x", "v0.8.0", "v0.8.1-dev"}
    assert refs["main"][1] == "chore: bump fallback_version to 0.8.1.dev0 after v0.8.0"
    assert refs["release-0.8.x"][1].startswith("chore: update llama-stack-client to 0.8.0")
    assert refs["v0.8.0"][1] == "chore: prepare release v0.8.0"
    assert "v0.8.0 in release-0.8.x's history: yes; v0.8.1-dev in main's: yes" in report
    held = dict(line.split(None, 1) for line in report.split("Registries:\n")[1].splitlines())
    assert held == {
        "PyPI": "llama-stack 0.8.0; llama-stack-api 0.8.0; llama-stack-client 0.7.1, 0.8.0",
        "TestPyPI": f"llama-stack {NIGHTLY}; llama-stack-api {NIGHTLY}",
        "npm": "llama-stack-client 0.7.1, 0.8.0 (dist-tags: latest=0.8.0)",
    }
