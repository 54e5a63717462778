#!/usr/bin/env python3
"""Benchmark the inner test loop: ``scripts/test --fast`` on every core against one process.

This is a benchmark, not a test: it prints numbers and never fails on them. It times,
side by side in the same run, the whole inner loop as a developer types it:

* ``fast``: ``scripts/test --fast`` (ruff, mypy, import-linter, then pytest without
  the e2e tests on every core with pytest-xdist);
* ``fast, one process``: the same with ``TEST_WORKERS=0``;
* with ``--baseline REV``: the inner loop as it was at ``REV``, ``pytest -m "not e2e"``
  in one process in a temporary worktree of that revision, with this checkout's
  ``.venv``, without ``scripts/test``'s bytecode settings.

Runs are interleaved: every round runs each variant once, the first variant rotating,
so machine noise hits all alike. ``--warmup`` untimed runs of ``scripts/test --fast``
come first (default 1: mypy's cache and the byte-code are then warm, as in an inner
loop). ``--baseline-runs`` (default 1) limits the baseline,
which takes several minutes a run. Every run must pass; a failed run is reported, and
its time is left out.

Usage::

    .venv/bin/python scripts/bench-test-loop.py --runs 3 --baseline d8cb373 \\
        --output tests/benchmarks/test-loop.md
    .venv/bin/python scripts/bench-test-loop.py --runs 1 --pytest-args "-k npm_range"

Only the standard library is needed.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import os
import platform
import re
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FAST = "fast (scripts/test --fast)"
ONE = "fast, one process (TEST_WORKERS=0)"
TARGET_S = 90.0  # issue 13
SUMMARY = re.compile(r"^=*\s*(\d+ passed.*?) in [\d.]+s", re.MULTILINE)


@dataclass
class Variant:
    name: str
    argv: list[str]
    cwd: Path
    env: dict[str, str]
    runs: int
    times: list[float] = field(default_factory=list)
    summaries: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


def git(*args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout


def checkout(rev: str, dest: Path) -> Path:
    """A detached worktree of ``rev`` at ``dest`` (a git checkout, as the tests expect)."""
    git("worktree", "add", "--quiet", "--detach", str(dest), rev)
    (dest / ".venv").symlink_to(ROOT / ".venv")  # tests that look for .venv/bin/uv find it
    return dest


def run_once(variant: Variant) -> None:
    start = time.perf_counter()
    proc = subprocess.run(
        variant.argv, cwd=variant.cwd, env=variant.env, capture_output=True, text=True, check=False
    )
    elapsed = time.perf_counter() - start
    found = SUMMARY.findall(proc.stdout)
    if proc.returncode != 0:
        tail = (proc.stdout + proc.stderr).strip().splitlines()[-3:]
        variant.failures.append(f"exit {proc.returncode}: {' | '.join(tail)}")
        return
    variant.times.append(elapsed)
    variant.summaries.append(found[-1] if found else "")


def fmt(seconds: float) -> str:
    return f"{seconds:.1f}"


def iqr(values: Sequence[float]) -> float:
    if len(values) < 4:
        return max(values) - min(values) if values else 0.0
    q = statistics.quantiles(values, n=4)
    return q[2] - q[0]


def report(
    variants: list[Variant], command: str, started: str, loads: tuple[str, str], whole: bool
) -> str:
    rev = git("rev-parse", "--short", "HEAD").strip()
    dirty = " (with uncommitted changes)" if git("status", "--porcelain").strip() else ""
    lines = [
        "## Test loop benchmark (`scripts/test --fast`)",
        "",
        f"- Command: `{command}`",
        f"- Date: {started}",
        f"- Machine: {os.cpu_count()} cores, {platform.system()} {platform.release()};"
        f" load average {loads[0]} at the start, {loads[1]} at the end (1 minute)",
        f"- Python {platform.python_version()}; release-actions checkout {rev}{dirty};"
        f" PYTHONDONTWRITEBYTECODE in the caller's environment:"
        f" {os.environ.get('PYTHONDONTWRITEBYTECODE', 'unset') or 'empty'}",
        "- Method: every round runs each variant once, the first variant rotating."
        " Wall-clock seconds of the whole command: median, interquartile range (the range"
        " for fewer than 4 runs), minimum.",
        "",
        "| variant | command | median s | IQR s | min s | runs | pytest |",
        "|---|---|---:|---:|---:|---:|---|",
    ]
    for v in variants:
        shown = " ".join(shlex.quote(a) for a in v.argv).replace(str(ROOT) + "/", "")
        if v.times:
            row = f"{fmt(statistics.median(v.times))} | {fmt(iqr(v.times))} | {fmt(min(v.times))}"
        else:
            row = " | | "
        summary = v.summaries[-1] if v.summaries else ""
        lines.append(f"| {v.name} | `{shown}` | {row} | {len(v.times)} | {summary} |")
    base = next((v for v in variants if v.name == FAST and v.times), None)
    if base:
        lines += ["", "Ratios of medians, against `scripts/test --fast`:", ""]
        lines += ["| variant | median / fast |", "|---|---:|"]
        fast = statistics.median(base.times)
        for v in variants:
            if v is not base and v.times:
                lines.append(f"| {v.name} | {statistics.median(v.times) / fast:.2f}x |")
        if whole:
            verdict = "met" if fast <= TARGET_S else "NOT met"
            lines += ["", f"Target (issue 13): `scripts/test --fast` under {TARGET_S:.0f} s:"
                      f" median {fmt(fast)} s, {verdict}."]  # fmt: skip
    failed = [(v.name, f) for v in variants for f in v.failures]
    if failed:
        lines += ["", "Failed runs (left out of the times):", ""]
        lines += [f"- {name}: {text}" for name, text in failed]
    return "\n".join(lines) + "\n"


def load_average() -> str:
    try:
        return f"{os.getloadavg()[0]:.2f}"
    except OSError:
        return "unknown"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=3, help="rounds (default 3)")
    parser.add_argument("--baseline", metavar="REV", help="also time the inner loop at REV")
    parser.add_argument("--baseline-runs", type=int, default=1, help="baseline runs (default 1)")
    parser.add_argument("--warmup", type=int, default=1, help="untimed runs first (default 1)")
    parser.add_argument("--pytest-args", default="", help="extra pytest arguments, one string")
    parser.add_argument("--output", type=Path, help="also write the Markdown report here")
    options = parser.parse_args(argv)
    if options.runs < 1 or options.baseline_runs < 1:
        parser.error("--runs and --baseline-runs must be at least 1")
    extra = ["-q", "-p", "no:cacheprovider", *shlex.split(options.pytest_args)]
    env = dict(os.environ)
    one = dict(env, TEST_WORKERS="0")
    variants = [
        Variant(FAST, [str(ROOT / "scripts" / "test"), "--fast", *extra], ROOT, env, options.runs),
        Variant(ONE, [str(ROOT / "scripts" / "test"), "--fast", *extra], ROOT, one, options.runs),
    ]
    started = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    start_load = load_average()
    with tempfile.TemporaryDirectory(prefix="bench-test-loop-") as scratch:
        if options.baseline:
            rev = git("rev-parse", "--short", options.baseline).strip()
            tree = checkout(rev, Path(scratch) / rev)
            pytest = [str(ROOT / ".venv" / "bin" / "pytest"), "-m", "not e2e", *extra]
            name = f"before: `pytest -m 'not e2e'` at {rev}, one process"
            variants.append(Variant(name, pytest, tree, env, options.baseline_runs))
        for _ in range(options.warmup):
            print("warm-up: scripts/test --fast", file=sys.stderr, flush=True)
            subprocess.run(variants[0].argv, cwd=ROOT, env=env, capture_output=True, check=False)
        try:
            for round_ in range(max(v.runs for v in variants)):
                order = variants[round_ % len(variants) :] + variants[: round_ % len(variants)]
                for variant in order:
                    if len(variant.times) + len(variant.failures) < variant.runs:
                        print(f"round {round_ + 1}: {variant.name}", file=sys.stderr, flush=True)
                        run_once(variant)
        finally:
            if options.baseline:
                git("worktree", "remove", "--force", str(variants[-1].cwd))
    command = "python scripts/bench-test-loop.py " + " ".join(
        shlex.quote(a) for a in (argv if argv is not None else sys.argv[1:])
    )
    loads = (start_load, load_average())
    text = report(variants, command.strip(), started, loads, whole=not options.pytest_args)
    print(text)
    if options.output:
        options.output.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
