"""Smoke test for scripts/bench-nightly.py: it runs and prints a sane table.

Not a timed assertion: only that every tool ran, got a row with numeric times and
reported a version. The benchmark's numbers live in tests/benchmarks/.

End-to-end (e2e), like tests/test_example.py: the script runs whole, four tools many
times over (about 15 s of CPU for the two tests).
"""

from __future__ import annotations

import argparse
import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "bench-nightly.py"
TOOLS = ("release-actions nightly-version", "git describe", "setuptools-scm", "dunamai")

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        any(importlib.util.find_spec(m) is None for m in ("setuptools_scm", "dunamai")),
        reason="the benchmark compares against setuptools-scm and dunamai (dev extras)",
    ),
]


def run_bench(tmp_path: Path, *extra: str) -> str:
    output = tmp_path / "report.md"
    args = ["--quick", "--sizes", "120/6", "--runs", "2", "--warmup", "0"]
    args += ["--importtime-runs", "1", "--cache", str(tmp_path / "cache")]
    args += ["--python", sys.executable, "--output", str(output), *extra]
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr
    text = output.read_text()
    assert text.strip() == proc.stdout.strip()
    return text


def section(text: str, title: str) -> list[list[str]]:
    """The body rows of the first Markdown table after the heading ``title``."""
    body = text.split(f"### {title}", 1)[1].split("\n### ", 1)[0]
    rows = []
    for line in body.strip().splitlines():
        if not line.startswith("|"):
            break
        rows.append(line)
    return [[cell.strip() for cell in row.strip("|").split("|")] for row in rows[2:]]


def check_repo_rows(text: str, repo: str) -> None:
    rows = [r for r in section(text, "Medians per tool") if r[0].startswith(repo)]
    assert sorted(r[1] for r in rows) == sorted(TOOLS)
    for row in rows:
        median, iqr, minimum = (float(cell) for cell in row[2:5])
        assert 0 < minimum <= median
        assert iqr >= 0
    ratios = [r for r in section(text, "Ratios (medians)") if r[0] == repo]
    assert len(ratios) == 1
    assert all(re.fullmatch(r"\d+\.\d\dx", cell) for cell in ratios[0][5:8])
    versions = [r for r in section(text, "Versions reported (first run of each tool)")]
    (row,) = (r for r in versions if r[0] == repo)
    ours, describe, scm, dunamai = (cell.strip("`") for cell in row[1:5])
    assert ours.endswith(".dev20261125")
    assert describe.startswith("v")
    assert scm
    assert dunamai


def test_quick_run_on_a_generated_repo(tmp_path: Path) -> None:
    text = run_bench(tmp_path, "--no-example")
    check_repo_rows(text, "generated 120/6")
    startup = section(text, "Python start-up floor")
    assert any(r[0] == "python -c pass" and float(r[1]) > 0 for r in startup)
    assert section(text, "Heaviest imports of nightly-version (`-X importtime`, medians)")
    # cached: the second run reuses the generated repository
    again = run_bench(tmp_path, "--no-example")
    check_repo_rows(again, "generated 120/6")
    assert len(list((tmp_path / "cache").glob("synthetic-*"))) == 1


def test_example_directory_is_committed_into_a_repo(tmp_path: Path) -> None:
    example = tmp_path / "mini"
    (example / "src" / "mini").mkdir(parents=True)
    (example / "src" / "mini" / "__init__.py").write_text("")
    (example / "pyproject.toml").write_text(
        '[project]\nname = "mini"\ndynamic = ["version"]\n\n'
        '[tool.setuptools_scm]\nfallback_version = "0.3.1.dev0"\n'
    )
    text = run_bench(tmp_path, "--example", str(example), "--importtime-runs", "0")
    check_repo_rows(text, "example mini")
    check_repo_rows(text, "generated 120/6")
    (row,) = (
        r for r in section(text, "Versions reported (first run of each tool)") if "mini" in r[0]
    )
    assert row[1] == "`0.3.1.dev20261125`"  # the fallback_version floors the tags


def load_script() -> object:
    spec = importlib.util.spec_from_file_location("bench_nightly", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look the module up while the class is built
    spec.loader.exec_module(module)
    return module


def test_sizes_with_non_version_tags(tmp_path: Path) -> None:
    bench = load_script()
    parse = bench.parse_sizes  # type: ignore[attr-defined]
    assert parse("1k/10,4k/200/26") == [(1000, 10, 0), (4000, 200, 26)]
    for bad in ("4k", "4k/200/200", "4k/200/26/1"):
        with pytest.raises(argparse.ArgumentTypeError, match="size"):
            parse(bad)
    repo = bench.synthetic_repo(tmp_path / "cache", 300, 12, 4)  # type: ignore[attr-defined]
    tags = subprocess.run(
        ["git", "-C", str(repo.path), "tag", "--list"], capture_output=True, text=True, check=True
    ).stdout.split()
    assert len(tags) == 12
    others = [t for t in tags if not re.fullmatch(r"v\d+\.\d+\.\d+((a|b|rc)\d+|-dev)?", t)]
    assert len(others) == 4
    assert any(t.startswith("v") for t in others)  # git describe --match 'v*' meets them
    assert any(not t.startswith("v") for t in others)


def test_baseline_runs_in_the_same_rounds(tmp_path: Path) -> None:
    text = run_bench(tmp_path, "--no-example", "--baseline", str(ROOT / "action-lib"))
    check_repo_rows(text, "generated 120/6")
    (row,) = section(text, "Before and after (`--baseline`, the same rounds)")
    assert row[0] == "generated 120/6"
    assert float(row[1]) > 0 and float(row[2]) > 0
    assert row[6] == "yes"  # the same library reports the same version
