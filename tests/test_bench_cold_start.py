"""Smoke test for scripts/bench-cold-start.py: it runs every variant and writes a sane report.

Not a timed assertion: only that each variant got a row with numeric times, the
ratios and the caching model are there. The numbers live in
tests/benchmarks/cold-start.md. End-to-end: it installs the real lock (network)
and runs the old ensurepip path once.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "bench-cold-start.py"

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        not (shutil.which("uv") or os.access(ROOT / ".venv" / "bin" / "uv", os.X_OK)),
        reason="the benchmark's uv rows need a uv binary",
    ),
]


def table(text: str, title: str) -> list[list[str]]:
    body = text.split(f"### {title}", 1)[1].split("\n### ", 1)[0]
    rows = [line for line in body.strip().splitlines() if line.startswith("|")]
    return [[cell.strip() for cell in row.strip("|").split("|")] for row in rows[2:]]


def test_quick_run_reports_every_variant(tmp_path: Path) -> None:
    output = tmp_path / "cold-start.md"
    args = ["--quick", "--extract-runs", "1", "--output", str(output)]
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=600
    )
    assert proc.returncode == 0, proc.stderr
    text = output.read_text()
    assert text.strip() == proc.stdout.strip()
    rows = {row[0]: row for row in table(text, "Medians")}
    assert set(rows) == {
        "old: python -m venv + pip (cold, download cache warm)",
        "ours, no uv (cold, download cache warm)",
        "ours, uv (cold, download cache warm)",
        "old, warm",
        "ours, warm",
        "ours, warm, RA_PYTHON unset",
        "the command alone (venv Python, no launcher)",
    }
    for row in rows.values():
        median, iqr, minimum = (float(cell) for cell in row[1:4])
        assert 0 < minimum <= median
        assert iqr >= 0
    ratios = table(text, "Ratios (medians, ours / old)")
    assert len(ratios) == 3
    assert all(re.fullmatch(r"\d+\.\d\dx", row[1]) for row in ratios)
    assert len(table(text, "Targets (issue 13)")) == 3  # no uv, uv, warm
    assert "### Caching the venv across jobs with actions/cache: the model" in text
    assert "**Decision" in text or "**Caching would pay off" in text
