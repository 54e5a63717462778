#!/usr/bin/env python3
"""Benchmark ``release-actions rehearse``: a warm rehearsal of the example's nightly, and
what the clean export of our actions saves against mapping a checkout.

This is a benchmark, not a test: it prints numbers and never fails on them.

1. **Warm nightly.** The example monorepo (``tests/testbed/monorepo.py``, as
   ``scripts/example`` builds it) with the example caller ``release.yml`` and the
   clients' repositories, rehearsed as a user runs it::

       release-actions rehearse --event schedule --workflow .github/workflows/release.yml \\
           --checkout-source ... --json

   once to warm the caches (the export of our actions and the action venv under
   ``~/.cache/release-actions``), then ``--rounds`` times. The report's timings give
   the shares: set-up (the world: origin copy, three registries, GitHub's API),
   act (of which our commands: every step running ``scripts/run-action``), report.
2. **Export against checkout.** The same act run of the example's
   ``release-version.yml`` (compute-version through our reusable workflow) with
   ``llama-stack/release-actions@v1`` mapped to the clean export, and to this
   checkout as it is on disk (act copies the mapped folder, ``.venv`` included, for
   every ``uses:``), interleaved, ``--rounds`` each.

Medians (and min-max) are printed as a Markdown report::

    .venv/bin/python scripts/bench-rehearse.py --rounds 5 --output tests/benchmarks/rehearse.md
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "action-lib"), str(ROOT)]

from release_actions.rehearsal.act.runner import ActRunner  # noqa: E402
from release_actions.rehearsal.export import cache_dir, export_release_actions  # noqa: E402
from tests.test_e2e_release import client_repository  # noqa: E402
from tests.testbed.monorepo import git  # noqa: E402
from tests.testbed.origin import make_origin  # noqa: E402
from tests.testbed.registries import NPM_CLIENT, PYTHON_CLIENT  # noqa: E402

CONSUMER = ROOT / "tests" / "fixtures" / "consumer-workflows"
EPOCH = "1795608000"


def du(path: Path) -> int:
    total = 0
    for dirpath, _dirs, files in os.walk(path):
        for name in files:
            p = Path(dirpath) / name
            if not p.is_symlink():
                total += p.stat().st_size
    return total


def example(root: Path) -> tuple[Path, list[str]]:
    """The example monorepo's clone with the callers committed on main; checkout sources."""
    origin = make_origin(root / "example")
    work = origin.work
    for name in ("release.yml", "release-version.yml"):
        (work / ".github/workflows").mkdir(parents=True, exist_ok=True)
        shutil.copyfile(CONSUMER / name, work / ".github/workflows" / name)
    git(work, "add", "--all")
    git(work, "commit", "--quiet", "-m", "ci: the example callers")
    sources = []
    for repository, source in (
        ("llamastack/llama-stack-client-python", PYTHON_CLIENT),
        ("llamastack/llama-stack-client-typescript", NPM_CLIENT),
    ):
        path = client_repository(root / repository.replace("/", "_"), source)
        sources += ["--checkout-source", f"{repository}={path}"]
    return work, sources


def rehearse_nightly(work: Path, sources: list[str], tmp: Path) -> dict[str, float]:
    argv = [
        sys.executable, "-m", "release_actions", "rehearse", "--repo", str(work),
        "--event", "schedule", "--workflow", ".github/workflows/release.yml",
        "--env", f"SOURCE_DATE_EPOCH={EPOCH}", "--repository", "llamastack/llama-stack",
        *sources, "--json",
    ]  # fmt: skip
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "RA_"))}
    env.update(PYTHONPATH=str(ROOT / "action-lib"), TMPDIR=str(tmp))
    start = time.monotonic()
    proc = subprocess.run(argv, capture_output=True, text=True, env=env, check=False)
    wall = time.monotonic() - start
    report = json.loads(proc.stdout)
    if not report.get("ok"):
        raise SystemExit(f"the rehearsal failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-3000:]}")
    timings: dict[str, float] = dict(report["timings"])
    timings["wall"] = wall
    return timings


def act_run(work: Path, mapped: Path, tmp: Path, venvs: Path) -> float:
    runner = ActRunner(release_actions_dir=mapped, venv_cache=venvs, tmp_dir=tmp)
    payload = {"action": "published", "release": {"tag_name": "v0.7.1", "prerelease": False}}
    result = runner.run(
        work, "release", workflow=".github/workflows/release-version.yml", payload=payload,
        env={"RA_NPM_REGISTRY": "none"}, repository="llamastack/llama-stack",
    )  # fmt: skip
    if result.returncode != 0:
        raise SystemExit(result.describe())
    return result.duration


def fmt(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} s ({min(values):.2f}-{max(values):.2f})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--output", type=Path)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-rehearse-"))
    try:
        work, sources = example(tmp)
        (tmp / "t").mkdir()
        rehearse_nightly(work, sources, tmp / "t")  # warm the export and the venv
        runs = [rehearse_nightly(work, sources, tmp / "t") for _ in range(args.rounds)]

        export, _fresh = export_release_actions(ROOT, cache_dir())
        venvs = tmp / "venvs"
        act_run(work, export, tmp / "warm", venvs)  # the action venv, once
        exported: list[float] = []
        checkout: list[float] = []
        for i in range(args.rounds):
            order = [(export, exported), (ROOT, checkout)]
            for mapped, into in order if i % 2 == 0 else order[::-1]:
                into.append(act_run(work, mapped, tmp / f"act-{i}-{len(into)}", venvs))
        sizes = (du(export), du(ROOT))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    lines = [
        "# Benchmark: release-actions rehearse",
        "",
        f"Measured {_dt.datetime.now(_dt.timezone.utc):%Y-%m-%d %H:%M} UTC on {platform.node()}"
        f" ({os.cpu_count()} cores), Python {platform.python_version()}, {args.rounds} rounds.",
        "Command: `.venv/bin/python scripts/bench-rehearse.py"
        f" --rounds {args.rounds} --output tests/benchmarks/rehearse.md`",
        "",
        "## A warm rehearsal of the example's nightly",
        "",
        "`release-actions rehearse --event schedule` of the example monorepo (version, build,"
        " smoke, publish to the world's TestPyPI), caches warm. Medians:",
        "",
        "| part | seconds | share of the total |",
        "|---|---|---|",
        f"| set-up (world: origin copy, PyPI, TestPyPI, npm, GitHub API) | {med['setup']:.2f}"
        f" | {med['setup'] / med['total']:.0%} |",
        f"| act | {med['act']:.2f} | {med['act'] / med['total']:.0%} |",
        f"| of which our commands (`scripts/run-action` steps) | {med['commands']:.2f}"
        f" | {med['commands'] / med['total']:.0%} |",
        f"| report | {med['report']:.2f} | {med['report'] / med['total']:.0%} |",
        f"| total (the command's own count) | {med['total']:.2f} | 100% |",
        f"| wall clock of the process | {med['wall']:.2f} | |",
        "",
        "## The clean export against mapping the checkout",
        "",
        "One act run of `release-version.yml` (compute-version through the reusable"
        " workflow), `llama-stack/release-actions@v1` mapped to:",
        "",
        "| mapped folder | size | act run, median (min-max) |",
        "|---|---|---|",
        f"| the clean export | {sizes[0] / 1e6:.1f} MB | {fmt(exported)} |",
        f"| this checkout, `.venv` included | {sizes[1] / 1e6:.0f} MB | {fmt(checkout)} |",
        "",
        f"The export takes {statistics.median(exported) / statistics.median(checkout):.2f}x"
        " the checkout's time.",
        "",
    ]
    text = "\n".join(lines)
    print(text)
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
