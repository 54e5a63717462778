"""Smoke test for scripts/bench-test-loop.py: each variant runs and gets a row.

Not a timed assertion: only that the rows hold numeric times and pytest's summary,
and that a run which fails is reported instead of timed. The numbers live in
tests/benchmarks/test-loop.md. End-to-end (e2e): it runs scripts/test itself.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "bench-test-loop.py"

pytestmark = pytest.mark.e2e


def bench(*args: str) -> str:
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), "--runs", "1", "--warmup", "0", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def row(report: str, variant: str) -> list[str]:
    line = next(line for line in report.splitlines() if line.startswith(f"| {variant} |"))
    return [cell.strip() for cell in line.strip("|").split("|")]


def test_each_variant_is_timed_and_reports_its_tests(tmp_path: Path) -> None:
    out = tmp_path / "loop.md"
    report = bench("--pytest-args", "-k npm_range", "--output", str(out))
    assert out.read_text().rstrip() == report.rstrip()
    for variant in ("fast (scripts/test --fast)", "fast, one process (TEST_WORKERS=0)"):
        _name, command, median, _iqr, low, runs, summary = row(report, variant)
        assert "scripts/test --fast" in command and "-k npm_range" in command
        assert float(median) > 0 and float(low) > 0 and runs == "1"
        assert re.match(r"\d+ passed", summary), summary
    assert re.search(r"\| fast, one process \(TEST_WORKERS=0\) \| \d+\.\d\dx \|", report)
    assert "Target (issue 13)" not in report  # a subset says nothing of the target
    assert "Failed runs" not in report


def test_a_failing_run_is_reported_not_timed() -> None:
    report = bench("--pytest-args", "-k no_test_has_this_name")
    assert row(report, "fast (scripts/test --fast)")[5] == "0"
    assert "Failed runs (left out of the times):" in report
    assert "- fast (scripts/test --fast): exit 5" in report  # pytest: no tests ran
