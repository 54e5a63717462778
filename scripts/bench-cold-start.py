#!/usr/bin/env python3
"""Benchmark the cold start of ``scripts/run-action``: the action's private venv on a fresh runner.

This is a benchmark, not a test: it prints numbers and never fails on them. Each
variant runs one real command the way a composite action step does,

    scripts/run-action compute-version --event workflow_dispatch --version 1.2.3 \\
        --dry-run build-only --repo <an empty git repository>

as a subprocess, and its wall-clock time is measured from the start of
``run-action`` to the end of the command:

* **old**: ``scripts/run-action`` as it was before this work (``python -m venv``
  with ensurepip, then the venv's pip), kept verbatim in this file (``OLD_RUN_ACTION``);
* **ours, no uv**: the current ``scripts/run-action`` with no ``uv`` on ``PATH``
  (the venv is created without pip; the caller's pip installs into it);
* **ours, uv**: the same with ``uv`` on ``PATH`` (``uv pip install`` into the venv);
* **warm**: the venv is already in the cache (every step after a job's first), for
  the old script and ours; and ours once more with ``RA_PYTHON`` unset, so that
  ``python3`` on ``PATH`` is started (on this machine that can be a pyenv shim).

Every cold run gets a fresh, empty ``RA_VENV_CACHE``. Download caches: each cold
variant runs twice per round, once with pip's and uv's own caches as they are on
this machine (**download cache warm**), once with empty ``PIP_CACHE_DIR`` and
``UV_CACHE_DIR`` (**download cache empty**, what a fresh hosted runner has,
unless setup-python/setup-uv restore one). Rounds are interleaved: every round
runs each variant once, the first variant rotating from round to round, so noise
on a shared machine hits all variants alike. Medians, IQRs and minimums are
reported, with the ratios ours / old. On a loaded machine the ratios are the
robust result; the report also scales them to the quiet machine of issue 13 (the
old path took 7.75 s cold and 0.39 s warm there), an estimate that assumes the
load slowed every variant alike.

The report ends with the caching model: whether restoring the venv with
``actions/cache`` (keyed on the lock hash and the Python version) would beat
building it. The venv is archived with ``tar`` and ``zstd`` as actions/cache
does; its size and a local extraction time are measured here, and the fixed cost
of a restore on a hosted runner (the cache service round trip and download) is
an input (``--restore-overhead``, default 1-3 s; source cited in the report). A
hosted runner is not shared, so on a loaded run the model uses the quiet estimate
of the build.

Usage::

    .venv/bin/python scripts/bench-cold-start.py --output tests/benchmarks/cold-start.md
    .venv/bin/python scripts/bench-cold-start.py --quick          # 1 round, no empty-cache rows

Standard library only. ``--python`` is the interpreter given to run-action as
``RA_PYTHON`` (default: the real interpreter behind this one, as
actions/setup-python puts on ``PATH``); ``--uv`` the uv binary (default: ``uv``
on ``PATH``, else ``.venv/bin/uv``).
"""

from __future__ import annotations

import argparse
import datetime as _dt
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUN_ACTION = ROOT / "scripts" / "run-action"
COMMAND = [
    *("compute-version", "--event", "workflow_dispatch", "--version", "1.2.3"),
    *("--dry-run", "build-only"),
]
EXPECTED = "version=1.2.3"

# scripts/run-action before this work (commit 957351f), verbatim: the baseline.
OLD_RUN_ACTION = r"""#!/usr/bin/env bash
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
lock_name=core
if [ "${1:-}" = "--lock" ]; then
  lock_name="$2"
  shift 2
fi
lock="$root/requirements/action-$lock_name.txt"
if [ ! -f "$lock" ]; then
  echo "::error title=release-actions::unknown lock '$lock_name' (no $lock)"
  exit 2
fi

python="${RA_PYTHON:-python3}"
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null; then
  echo "::error title=Python 3.10+ required::'$python' is missing or older than 3.10. Fix: run actions/setup-python first or set RA_PYTHON to a Python 3.10+ interpreter."
  exit 2
fi
pyver="$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
lock_hash="$(sha256sum "$lock" | cut -c1-16)"
cache_root="${RA_VENV_CACHE:-${RUNNER_TOOL_CACHE:-${RUNNER_TEMP:-${TMPDIR:-/tmp}}}}/release-actions"
venv="$cache_root/venv-py$pyver-$lock_name-$lock_hash"

if [ ! -f "$venv/.complete" ]; then
  mkdir -p "$cache_root"
  tmp="$(mktemp -d "$cache_root/.venv-XXXXXX")"
  "$python" -m venv "$tmp"
  "$tmp/bin/python" -m pip install --quiet --disable-pip-version-check --no-input \
    --require-hashes --only-binary=:all: --no-deps -r "$lock" >&2
  touch "$tmp/.complete"
  # Atomic publish; if another job won the race, keep theirs.
  mv -T "$tmp" "$venv" 2>/dev/null || rm -rf "$tmp"
fi

export PYTHONPATH="$root/action-lib"
exec "$venv/bin/python" -s -m release_actions "$@"
"""  # noqa: E501

OLD = "old: python -m venv + pip"
NO_UV = "ours, no uv"
UV = "ours, uv"
OLD_WARM = "old, warm"
WARM = "ours, warm"
WARM_PATH = "ours, warm, RA_PYTHON unset"
WARM_FLOOR = "the command alone (venv Python, no launcher)"

# Targets of issue 13 (seconds).
TARGETS = {NO_UV: 2.0, UV: 0.6, WARM: 0.3}
# Issue 13 measured the old run-action on this machine when it was quiet (seconds).
QUIET_OLD_COLD, QUIET_OLD_WARM = 7.75, 0.39
# A run whose old cold path is this much slower than QUIET_OLD_COLD was loaded.
LOADED = 1.25

# Environment variables that would change what run-action or the command does.
_DROP = ("GITHUB_", "RA_", "RUNNER_", "VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME")
_DROP += ("PYTHONSTARTUP", "PYTHONWARNINGS", "PYTHONDEVMODE", "PYTHONPROFILEIMPORTTIME")
_DROP += ("PIP_CACHE_DIR", "UV_CACHE_DIR", "PIP_NO_CACHE_DIR", "UV_NO_CACHE", "CONDA_")


@dataclass(frozen=True)
class Variant:
    name: str
    script: Path
    uv: bool = False
    cold: bool = True
    empty_download_cache: bool = False
    ra_python: bool = True
    floor: bool = False

    @property
    def label(self) -> str:
        if not self.cold:
            return self.name
        caches = "empty" if self.empty_download_cache else "warm"
        return f"{self.name} (cold, download cache {caches})"


@dataclass
class Stats:
    median: float
    iqr: float
    minimum: float
    n: int

    @classmethod
    def of(cls, values: Sequence[float]) -> Stats:
        ordered = sorted(values)
        if len(ordered) >= 4:
            q = statistics.quantiles(ordered, n=4)
            iqr = q[2] - q[0]
        else:
            iqr = ordered[-1] - ordered[0]
        return cls(statistics.median(ordered), iqr, ordered[0], len(ordered))


# --------------------------------------------------------------------------- setup


def real_interpreter() -> str:
    base = getattr(sys, "_base_executable", "") or sys.executable
    return os.path.realpath(base)


def find_uv(explicit: str | None) -> str:
    if explicit:
        return str(Path(explicit).resolve())
    found = shutil.which("uv") or str(ROOT / ".venv" / "bin" / "uv")
    if not os.access(found, os.X_OK):
        raise SystemExit("no uv: pass --uv PATH (the uv rows need it)")
    return str(Path(found).resolve())


def path_without_uv(path: str) -> str:
    """``PATH`` minus every directory holding a ``uv`` (and this checkout's .venv/bin)."""
    keep = []
    for entry in path.split(os.pathsep):
        if not entry or Path(entry, "uv").exists() or Path(entry) == ROOT / ".venv" / "bin":
            continue
        keep.append(entry)
    return os.pathsep.join(keep)


def base_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(_DROP)}
    env["PATH"] = path_without_uv(env.get("PATH", os.defpath))
    return env


def old_checkout(work: Path) -> Path:
    """A directory laid out like a checkout, with the old run-action in ``scripts/``."""
    checkout = work / "old-checkout"
    (checkout / "scripts").mkdir(parents=True)
    for name in ("requirements", "action-lib"):
        (checkout / name).symlink_to(ROOT / name)
    script = checkout / "scripts" / "run-action"
    script.write_text(OLD_RUN_ACTION)
    script.chmod(0o755)
    return script


def empty_repo(work: Path) -> Path:
    repo = work / "repo"
    repo.mkdir()
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    return repo


# --------------------------------------------------------------------------- running


@dataclass
class Runner:
    work: Path
    env: dict[str, str]
    python: str
    uv_dir: Path
    repo: Path
    warm_caches: dict[Path, Path]
    lock: str = "core"

    def command(self, variant: Variant) -> list[str]:
        lock = ["--lock", self.lock] if self.lock != "core" else []
        return [str(variant.script), *lock, *COMMAND, "--repo", str(self.repo)]

    def run(self, variant: Variant) -> float:
        env = dict(self.env)
        if variant.ra_python:
            env["RA_PYTHON"] = self.python
        if variant.uv:
            env["PATH"] = f"{self.uv_dir}{os.pathsep}{env['PATH']}"
        scratch = Path(tempfile.mkdtemp(prefix="run-", dir=self.work))
        if variant.cold:
            env["RA_VENV_CACHE"] = str(scratch / "venvs")
        else:
            env["RA_VENV_CACHE"] = str(self.warm_caches[variant.script])
        if variant.empty_download_cache:
            env["PIP_CACHE_DIR"] = str(scratch / "pip-cache")
            env["UV_CACHE_DIR"] = str(scratch / "uv-cache")
        argv = self.floor_command() if variant.floor else self.command(variant)
        if variant.floor:
            env["PYTHONPATH"] = str(ROOT / "action-lib")
        start = time.perf_counter()
        proc = subprocess.run(argv, env=env, cwd=self.repo, capture_output=True, text=True)
        elapsed = time.perf_counter() - start
        shutil.rmtree(scratch, ignore_errors=True)
        if proc.returncode != 0 or EXPECTED not in proc.stdout:
            raise SystemExit(
                f"{variant.label} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
            )
        return elapsed

    def floor_command(self) -> list[str]:
        venvs = self.warm_caches[RUN_ACTION] / "release-actions"
        venv = next(venvs.glob(f"venv-*-{self.lock}-*"))
        python = str(venv / "bin" / "python")
        return [python, "-s", "-m", "release_actions", *COMMAND, "--repo", str(self.repo)]


def measure(
    runner: Runner, variants: Sequence[Variant], rounds: int, warmup: int
) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {v.label: [] for v in variants}
    for r in range(warmup + rounds):
        shift = r % len(variants)
        order = list(variants[shift:]) + list(variants[:shift])
        tag = "warm-up" if r < warmup else f"round {r - warmup + 1}/{rounds}"
        print(f"{tag} ...", file=sys.stderr, flush=True)
        for variant in order:
            elapsed = runner.run(variant)
            if r >= warmup:
                times[variant.label].append(elapsed)
    return times


# --------------------------------------------------------------------------- caching model


@dataclass
class CacheModel:
    size_bytes: int
    files: int
    archive_bytes: int
    extract: Stats
    compressor: str
    lock: str


def model_cache(venv: Path, work: Path, runs: int, lock: str) -> CacheModel:
    """Archive ``venv`` as actions/cache does (tar, zstd when available) and time extracting it."""
    files = 0
    size = 0
    for path in venv.rglob("*"):
        if path.is_file() and not path.is_symlink():
            files += 1
            size += path.stat().st_size
    zstd = shutil.which("zstd")
    archive = work / ("venv.tar.zst" if zstd else "venv.tar.gz")
    compress = ["--use-compress-program", "zstd -T0"] if zstd else ["-z"]
    subprocess.run(
        ["tar", *compress, "-cf", str(archive), "-C", str(venv.parent), venv.name], check=True
    )
    decompress = ["--use-compress-program", "zstd -d"] if zstd else ["-z"]
    times = []
    for _ in range(runs):
        target = Path(tempfile.mkdtemp(prefix="extract-", dir=work))
        start = time.perf_counter()
        subprocess.run(["tar", *decompress, "-xf", str(archive), "-C", str(target)], check=True)
        times.append(time.perf_counter() - start)
        shutil.rmtree(target, ignore_errors=True)
    compressor = "zstd" if zstd else "gzip"
    return CacheModel(size, files, archive.stat().st_size, Stats.of(times), compressor, lock)


# --------------------------------------------------------------------------- report


def signed(seconds: float) -> str:
    text = f"{seconds:+.2f}"
    return "0.00" if text in ("+0.00", "-0.00") else text


def fmt(seconds: float) -> str:
    return f"{seconds:.2f}" if seconds >= 0.995 else f"{seconds:.3f}"


def md_table(header: Sequence[str], rows: Sequence[Sequence[str]], right: int = 1) -> str:
    align = ["---"] * right + ["---:"] * (len(header) - right)
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(align) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def machine() -> str:
    cpu = platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores ({cpu}), {platform.system()} {platform.release()}"


def load_average() -> str:
    try:
        return f"{os.getloadavg()[0]:.2f}"
    except OSError:
        return "n/a"


def tool_versions(python: str, uv: str, env: dict[str, str]) -> str:
    def out(argv: list[str]) -> str:
        proc = subprocess.run(argv, capture_output=True, text=True, env=env)
        return (proc.stdout or proc.stderr).strip().splitlines()[0] if proc.returncode == 0 else "?"

    pip = out([python, "-m", "pip", "--version"]).split(" from ")[0]
    return f"Python {platform.python_version()} ({python}), {pip}, {out([uv, '--version'])}"


def python3_on_path(env: dict[str, str]) -> str:
    found = shutil.which("python3", path=env["PATH"])
    if not found:
        return "no python3 on PATH"
    try:
        head = Path(found).read_bytes()[:64]
    except OSError:
        head = b""
    kind = "a script (a shim)" if head.startswith(b"#!") else "a binary"
    return f"`python3` on PATH is {found}, {kind}"


def checkout_state() -> str:
    proc = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    )
    head = proc.stdout.strip() or "?"
    dirty = subprocess.run(
        ["git", "-C", str(ROOT), "status", "--porcelain", "--", "scripts", "requirements"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    return head + (" (with uncommitted changes under scripts/ or requirements/)" if dirty else "")


def report(
    *,
    command: str,
    started: _dt.datetime,
    load_before: str,
    versions: str,
    python3: str,
    rounds: int,
    warmup: int,
    variants: Sequence[Variant],
    stats: dict[str, Stats],
    cache: CacheModel | None,
    overhead: tuple[float, float],
    shared: bool,
    lock: str = "core",
) -> str:
    lock_option = f"--lock {lock} " if lock != "core" else ""
    out: list[str] = ["## Cold start benchmark (scripts/run-action)\n"]
    load = f"{load_before} at the start, {load_average()} at the end (1 minute)"
    out += [
        f"- Command: `{command}`",
        f"- Date: {started:%Y-%m-%d %H:%M} UTC",
        f"- Machine: {machine()}; load average {load}"
        + ("; **shared**: other engineers ran test suites at the same time" if shared else ""),
        f"- Tools: {versions}; {python3}",
        f"- release-actions checkout: {checkout_state()}",
        f"- Timed command: `scripts/run-action {lock_option}{' '.join(COMMAND)}"
        " --repo <empty git repo>`",
        f"- Method: {rounds} interleaved rounds after {warmup} warm-up round(s); every round"
        " runs each variant once, the first variant rotating. Each cold run starts with an"
        " empty `RA_VENV_CACHE`. Wall-clock seconds from the start of `run-action` to the"
        " end of the command: median, interquartile range, minimum.",
        "",
        "### Medians\n",
    ]
    floor = stats.get(WARM_FLOOR)
    rows = []
    for v in variants:
        s = stats[v.label]
        extra = fmt(s.median - floor.median) if floor and not v.floor else ""
        rows.append([v.label, fmt(s.median), fmt(s.iqr), fmt(s.minimum), extra, str(s.n)])
    header = ["variant", "median s", "IQR s", "min s", "median - command alone s", "runs"]
    out.append(md_table(header, rows))
    out.append(
        "The last row is the floor: the command itself, run by the venv's Python directly;"
        " the column before the run count is what run-action adds to it.\n"
    )

    out.append("### Ratios (medians, ours / old)\n")
    ratio_rows = []
    for empty in (False, True):
        old = stats.get(Variant(OLD, RUN_ACTION, empty_download_cache=empty).label)
        if old is None:
            continue
        caches = "empty" if empty else "warm"
        for name, uv in ((NO_UV, False), (UV, True)):
            s = stats.get(Variant(name, RUN_ACTION, uv=uv, empty_download_cache=empty).label)
            if s:
                ratio_rows.append(
                    [
                        f"{name}, cold, download cache {caches}",
                        f"{s.median / old.median:.2f}x",
                        f"{old.median / s.median:.1f}x faster",
                    ]
                )
    if OLD_WARM in stats and WARM in stats:
        r = stats[WARM].median / stats[OLD_WARM].median
        ratio_rows.append([WARM, f"{r:.2f}x", f"{1 / r:.1f}x faster"])
    out.append(md_table(["ours", "ours / old", "speed-up"], ratio_rows))

    out.append("### Targets (issue 13)\n")
    target_rows = []
    for name, limit in TARGETS.items():
        for label, s in stats.items():
            if label.startswith(name + " (") or label == name:
                verdict = "met" if s.median <= limit else "**not met**"
                added = fmt(s.median - floor.median) if floor else ""
                row = [label, f"<= {limit:g}", fmt(s.median), added, verdict, fmt(s.minimum)]
                target_rows.append(row)
    header = ["variant", "target s", "median s", "median - command alone s", "median", "min s"]
    out.append(md_table(header, target_rows))
    out.append(
        "The minimum is the run least disturbed by other load on the machine; on a shared"
        " machine it is the closer estimate of an idle runner.\n"
    )

    scale = load_scale(stats)
    if scale is not None:
        out.append(quiet_section(stats, scale))
    if cache is not None:
        out.append(caching_section(stats, cache, overhead, scale))
    return "\n".join(out)


def cold(name: str, empty: bool) -> str:
    return Variant(name, RUN_ACTION, uv=name == UV, empty_download_cache=empty).label


def load_scale(stats: dict[str, Stats]) -> tuple[float, float] | None:
    """How much slower than on the quiet machine of issue 13 the old path ran (cold, warm)."""
    old_cold = stats.get(cold(OLD, False))
    old_warm = stats.get(OLD_WARM)
    if old_cold is None or old_warm is None:
        return None
    return old_cold.median / QUIET_OLD_COLD, old_warm.median / QUIET_OLD_WARM


def quiet_section(stats: dict[str, Stats], scale: tuple[float, float]) -> str:
    cold_scale, warm_scale = scale
    lines = [
        "### Scaled to the quiet machine (an estimate)\n",
        "Issue 13 measured the old run-action on this machine when it was quiet:"
        f" {QUIET_OLD_COLD:g} s cold, {QUIET_OLD_WARM:g} s warm. Here it took"
        f" {cold_scale:.2f}x and {warm_scale:.2f}x as long. Assuming the load slowed every"
        " variant alike (the rounds are interleaved), each variant's quiet time is its ratio"
        " to the old path times that quiet baseline:\n",
    ]
    rows = []
    for empty in (False, True):
        old = stats.get(cold(OLD, empty))
        for name in (NO_UV, UV):
            s = stats.get(cold(name, empty))
            if old is None or s is None:
                continue
            estimate = s.median / old.median * QUIET_OLD_COLD
            verdict = "met" if estimate <= TARGETS[name] else "**not met**"
            rows.append(
                [
                    cold(name, empty),
                    f"{s.median / old.median:.3f}",
                    fmt(estimate),
                    f"<= {TARGETS[name]:g}",
                    verdict,
                ]
            )
    if WARM in stats and OLD_WARM in stats:
        ratio = stats[WARM].median / stats[OLD_WARM].median
        estimate = ratio * QUIET_OLD_WARM
        verdict = "met" if estimate <= TARGETS[WARM] else "**not met**"
        rows.append([WARM, f"{ratio:.3f}", fmt(estimate), f"<= {TARGETS[WARM]:g}", verdict])
    header = ["variant", "ours / old", "quiet estimate s", "target s", "estimate"]
    lines.append(md_table(header, rows))
    return "\n".join(lines)


def caching_section(
    stats: dict[str, Stats],
    cache: CacheModel,
    overhead: tuple[float, float],
    scale: tuple[float, float] | None,
) -> str:
    lo, hi = overhead
    typical = 2.0
    extract = cache.extract.median
    # A hosted runner is not shared: on a loaded run, model it with the quiet estimate.
    divisor = scale[0] if scale and scale[0] >= LOADED else 1.0
    basis = (
        f"the quiet estimate (measured build / {divisor:.2f}, the load factor above)"
        if divisor != 1.0
        else "the measured build"
    )
    lines = [
        "### Caching the venv across jobs with actions/cache: the model\n",
        "A job on a hosted runner starts on a fresh machine: its first run-action step builds"
        " the venv, every later step of the job finds it (the warm row). actions/cache could"
        " instead restore the venv, keyed on the lock's hash and the Python version, at the"
        " cost of a restore step in every job:\n",
        "    restore = fixed overhead (cache service lookup, download) + extraction",
        "    build   = a cold row minus the command alone (the command runs either way)",
        "    saved per job = build - restore, with the build taken from " + basis + "\n",
        f"- The {cache.lock} venv: {cache.files} files, {cache.size_bytes / 1e6:.1f} MB; as a tar"
        f" archive with {cache.compressor} {cache.archive_bytes / 1e6:.2f} MB; extracting it"
        f" here takes {fmt(extract)} s (median of {cache.extract.n}).",
        f"- Fixed overhead of a restore on a hosted runner: {lo:g}-{hi:g} s, typically"
        f" {typical:g} s. GitHub's hosted cache took about 2 s to restore a 1 MB cache on a"
        " hosted runner in the comparison of cache back ends in"
        " <https://github.com/tespkg/actions-cache/issues/43> (51 MB: 3 s); the restore step"
        " also starts a Node action and asks the cache service for the key before any"
        " download. A miss pays the lookup, and an upload in the post-job step.",
        "",
    ]
    floor = stats.get(WARM_FLOOR)
    base = floor.median if floor else 0.0
    rows = []
    saved: dict[tuple[str, bool], tuple[float, float, float]] = {}
    for empty in (True, False):
        for name in (UV, NO_UV):
            s = stats.get(cold(name, empty))
            if not s:
                continue
            measured = s.median - base
            build = measured / divisor
            saved[(name, empty)] = tuple(build - o - extract for o in (lo, typical, hi))
            caches = "empty" if empty else "warm"
            rows.append(
                [
                    f"{name}, download cache {caches}",
                    fmt(measured),
                    fmt(build),
                    f"{fmt(lo + extract)} / {fmt(typical + extract)} / {fmt(hi + extract)}",
                    " / ".join(signed(v) for v in saved[(name, empty)]),
                ]
            )
    restore = "restore s (low / typical / high)"
    header = ["path (cold)", "build s, measured", "build s, model", restore, "saved per job s"]
    lines.append(md_table(header, rows))
    empty = any(k[1] for k in saved)  # an empty download cache is the hosted-runner case
    with_uv, without_uv = saved.get((UV, empty)), saved.get((NO_UV, empty))
    if with_uv is not None and with_uv[1] < 0 and (without_uv is None or without_uv[1] < 0):
        text = (
            "**Decision: no actions/cache.** A restore costs more than the build at the typical"
            f" overhead: {signed(with_uv[1])} s per job with uv on PATH (the release workflow's"
            " build and smoke jobs run astral-sh/setup-uv)"
        )
        if without_uv is not None:
            text += (
                f", {signed(without_uv[1])} s without uv (the version and publish jobs); at best"
                f" {signed(max(with_uv[0], without_uv[0]))} s"
            )
        text += (
            ". A cache step would also run in every action, need the Python version before"
            " run-action starts, and add an upload after each miss. The venv stays in the"
            " runner's tool cache: built by a job's first step, reused by its later steps and,"
            " on self-hosted runners, by later jobs."
        )
        lines.append(text)
    else:
        pays = [name for (name, e), v in saved.items() if e == empty and v[1] >= 0]
        lines.append(
            f"**Caching would pay off here for: {', '.join(pays)}** (a saving at the typical"
            " overhead). The README documents the decision taken; re-check it."
        )
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- main


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, help="timed rounds (default 9; --quick: 1)")
    parser.add_argument("--warmup", type=int, help="untimed rounds first (default 1; --quick: 0)")
    parser.add_argument("--quick", action="store_true", help="1 round, no empty-cache rows")
    parser.add_argument(
        "--no-empty-download-cache", action="store_true", help="skip the empty-cache rows"
    )
    parser.add_argument("--python", help="RA_PYTHON for the runs (default: the real interpreter)")
    parser.add_argument("--uv", help="uv binary (default: uv on PATH, else .venv/bin/uv)")
    parser.add_argument("--extract-runs", type=int, default=9, help="caching model: extractions")
    parser.add_argument(
        "--restore-overhead",
        default="1,3",
        help="caching model: fixed restore cost on a hosted runner, LOW,HIGH seconds",
    )
    parser.add_argument("--lock", default="core", help="run-action --lock (default core)")
    parser.add_argument("--shared", action="store_true", help="say the machine was shared")
    parser.add_argument("--output", type=Path, help="also write the Markdown report here")
    args = parser.parse_args(argv)

    rounds = args.rounds if args.rounds is not None else (1 if args.quick else 9)
    warmup = args.warmup if args.warmup is not None else (0 if args.quick else 1)
    if rounds < 1 or warmup < 0:
        parser.error("--rounds must be >= 1 and --warmup >= 0")
    low, _, high = args.restore_overhead.partition(",")
    overhead = (float(low), float(high or low))
    python = args.python or real_interpreter()
    uv = find_uv(args.uv)
    env = base_env()
    started = _dt.datetime.now(_dt.timezone.utc)
    load_before = load_average()

    with tempfile.TemporaryDirectory(prefix="bench-cold-start-") as tmp:
        work = Path(tmp)
        uv_dir = work / "uv-bin"
        uv_dir.mkdir()
        (uv_dir / "uv").symlink_to(uv)
        old = old_checkout(work)
        warm_caches = {RUN_ACTION: work / "warm-ours", old: work / "warm-old"}
        runner = Runner(work, env, python, uv_dir, empty_repo(work), warm_caches, args.lock)

        empties = (False,) if (args.quick or args.no_empty_download_cache) else (False, True)
        variants: list[Variant] = []
        for empty in empties:
            variants += [
                Variant(OLD, old, empty_download_cache=empty),
                Variant(NO_UV, RUN_ACTION, empty_download_cache=empty),
                Variant(UV, RUN_ACTION, uv=True, empty_download_cache=empty),
            ]
        variants += [
            Variant(OLD_WARM, old, cold=False),
            Variant(WARM, RUN_ACTION, cold=False),
            Variant(WARM_PATH, RUN_ACTION, cold=False, ra_python=False),
            Variant(WARM_FLOOR, RUN_ACTION, cold=False, floor=True),
        ]
        print("building the warm caches ...", file=sys.stderr, flush=True)
        for variant in (Variant(OLD_WARM, old, cold=False), Variant(WARM, RUN_ACTION, cold=False)):
            runner.run(variant)  # builds the venv in the warm cache (untimed)
        runner.run(Variant(WARM_PATH, RUN_ACTION, cold=False, ra_python=False))

        times = measure(runner, variants, rounds, warmup)
        stats = {label: Stats.of(values) for label, values in times.items()}

        venvs = warm_caches[RUN_ACTION] / "release-actions"
        venv = next(venvs.glob(f"venv-*-{args.lock}-*"))
        cache = model_cache(venv, work, args.extract_runs, args.lock)

        command = "python scripts/bench-cold-start.py " + " ".join(
            a for a in (argv if argv is not None else sys.argv[1:])
        )
        text = report(
            command=command.strip(),
            started=started,
            load_before=load_before,
            versions=tool_versions(python, uv, env),
            python3=python3_on_path(env),
            rounds=rounds,
            warmup=warmup,
            variants=variants,
            stats=stats,
            cache=cache,
            overhead=overhead,
            shared=args.shared,
            lock=args.lock,
        )
    print(text)
    if args.output:
        args.output.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
