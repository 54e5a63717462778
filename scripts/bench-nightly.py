#!/usr/bin/env python3
"""Benchmark ``release-actions nightly-version`` against git describe, setuptools-scm, dunamai.

This is a benchmark, not a test: it prints numbers and never fails on them. It
times four commands on the same repositories, each run as a subprocess the way
CI runs it:

* ours:           ``python -m release_actions nightly-version --repo R --date 20261125 --no-fetch``
* git describe:   ``git describe --tags --match 'v*'``
* setuptools-scm: ``python -m setuptools_scm`` (in the repository root, reads its pyproject.toml)
* dunamai:        ``dunamai from git --pattern default`` (the preset for ``v``-prefixed tags)

and prints Markdown tables of medians, spreads and the ratios ours / git describe,
ours / setuptools-scm and ours / dunamai. Runs are interleaved: every round runs
each tool once (the starting tool rotates from round to round), so machine noise
hits all tools alike. A separate table shows the Python start-up floor
(``python -c pass`` against importing our modules), and an ``-X importtime``
profile lists our heaviest imports.

Repositories:

* the example monorepo ``tests/fixtures/monorepo`` (or ``--example DIR``). When the
  directory is not a git repository its files are committed into a small
  Llama-Stack-shaped history (200 commits, 12 tags) in the cache;
* generated repositories, ``--sizes COMMITS/TAGS[/OTHER],...`` (default
  ``1k/10,4k/200/26,10k/500,100k/5000,100k/10``). Their history is
  Llama-Stack-shaped: a linear ``main`` carrying a ``vX.Y.0-dev`` tag per minor
  line, a ``release-X.Y.x`` branch cut from ``main`` for each line but the
  newest, carrying lightweight ``vX.Y.ZrcN`` and ``vX.Y.Z`` tags, HEAD on
  ``main`` and a ``pyproject.toml`` with ``[tool.setuptools_scm]
  fallback_version``. ``OTHER`` of the ``TAGS`` tags are not version tags
  (``4k/200/26``: Llama Stack's size, 3,946 commits and 187 tags of which 26 are
  not version tags): spread over ``main``, half of them ``v``-prefixed
  (``vX.Y.Z.post1``, ``vX.Y``, ``vX.Y.Z-docs``), so ``git describe --match 'v*'``
  meets them, half not (``docs-N``, ``client-sync-N``). They are
  written with ``git fast-import`` (100k commits take seconds), refs are packed
  as in a fresh clone, and they are cached under ``--cache`` (default
  ``.cache/bench``, git-ignored) keyed by their parameters.

Usage::

    .venv/bin/python scripts/bench-nightly.py                     # full run, a few minutes
    .venv/bin/python scripts/bench-nightly.py --quick             # smoke test, seconds
    .venv/bin/python scripts/bench-nightly.py --sizes 10k/500 --runs 31 --output /tmp/b.md
    .venv/bin/python scripts/bench-nightly.py --baseline /tmp/old/action-lib  # before/after

``--baseline DIR`` times our nightly-version a second time in the same rounds, with
the library from ``DIR`` (for example ``git archive OLD action-lib | tar -x -C
/tmp/old``), and adds a before-and-after table.

Only the standard library is needed to run the script; the tools it times come
from the virtual environment (``--python``, default ``.venv/bin/python``).
"""

from __future__ import annotations

import argparse
import datetime as _dt
import hashlib
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "monorepo"
DATE = "20261125"
GENERATOR_VERSION = 1  # bump when the shape of generated repositories changes

DEFAULT_SIZES = "1k/10,4k/200/26,10k/500,100k/5000,100k/10"
QUICK_SIZES = "300/10"
EXAMPLE_COMMITS, EXAMPLE_TAGS = 200, 12

TARGET_RATIO = 2.0  # issue 13: nightly-version within 2x of git describe
OURS = "release-actions nightly-version"
DESCRIBE = "git describe"
SCM = "setuptools-scm"
DUNAMAI = "dunamai"
TOOLS = (OURS, DESCRIBE, SCM, DUNAMAI)
# --baseline DIR: our nightly-version again, with the library from DIR (an older
# checkout's action-lib), in the same rounds: before and after, side by side.
BEFORE = "release-actions nightly-version, --baseline library"

# Environment variables that would change what a tool computes or where it writes.
_DROP_ENV = (
    *("GITHUB_", "RA_", "SETUPTOOLS_SCM_", "VCS_VERSIONING_", "GIT_DIR", "GIT_WORK_TREE"),
    *("PYTHONPATH", "PYTHONPROFILEIMPORTTIME", "PYTHONDEVMODE", "PYTHONTRACEMALLOC"),
    *("PYTHONMALLOC", "PYTHONWARNINGS", "PYTHONSTARTUP"),
)


# --------------------------------------------------------------------------- repositories


@dataclass(frozen=True)
class Repo:
    label: str
    path: Path
    commits: int
    tags: int  # all tags, non-version ones included
    other: int = 0  # tags that are not version tags


def parse_count(text: str) -> int:
    text = text.strip().lower().replace("_", "")
    scale = 1
    if text.endswith("k"):
        scale, text = 1_000, text[:-1]
    elif text.endswith("m"):
        scale, text = 1_000_000, text[:-1]
    value = float(text) * scale
    if value < 1 or value != int(value):
        raise argparse.ArgumentTypeError(f"not a positive whole count: {text!r}")
    return int(value)


def parse_sizes(text: str) -> list[tuple[int, int, int]]:
    """``COMMITS/TAGS[/OTHER],...`` -> (commits, tags, other); OTHER of TAGS are not versions."""
    sizes = []
    for item in text.split(","):
        if not item.strip():
            continue
        parts = item.split("/")
        if len(parts) not in (2, 3):
            raise argparse.ArgumentTypeError(
                f"size {item!r} is not COMMITS/TAGS[/OTHER], e.g. 10k/500 or 4k/200/26"
            )
        commits, tags = parse_count(parts[0]), parse_count(parts[1])
        other = parse_count(parts[2]) if len(parts) == 3 and parts[2].strip() != "0" else 0
        if other >= tags:
            raise argparse.ArgumentTypeError(
                f"size {item!r}: OTHER must be a whole number below TAGS (some version tags)"
            )
        sizes.append((commits, tags, other))
    if not sizes:
        raise argparse.ArgumentTypeError("no sizes given")
    return sizes


def human(n: int) -> str:
    if n >= 1_000 and n % 1_000 == 0:
        return f"{n // 1_000}k"
    return str(n)


def pyproject_text(fallback: str) -> str:
    return f"""[build-system]
requires = ["setuptools>=61.0", "setuptools-scm>=8"]
build-backend = "setuptools.build_meta"

[project]
name = "llama-stack"
dynamic = ["version"]
description = "Generated by scripts/bench-nightly.py"
requires-python = ">=3.10"

[tool.setuptools.packages.find]
where = ["src"]

[tool.setuptools_scm]
fallback_version = "{fallback}"
"""


@dataclass
class _Line:
    """One minor line X.Y: a dev tag on main, maybe a release branch with its tags."""

    major: int
    minor: int
    dev_at: int = 0  # index of the main commit carrying vX.Y.0-dev
    branch_at: int = -1  # index of the main commit release-X.Y.x forks from (-1: none)
    releases: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return f"{self.major}.{self.minor}"


def release_tag_names(line: _Line, count: int) -> list[str]:
    """v0rc1, v0rc2, v0, then vNrc1, vN for patches N = 1, 2, ..."""
    names = [f"v{line.name}.0rc1", f"v{line.name}.0rc2", f"v{line.name}.0"]
    patch = 1
    while len(names) < count:
        names += [f"v{line.name}.{patch}rc1", f"v{line.name}.{patch}"]
        patch += 1
    return names[:count]


def plan_history(commits: int, tags: int, newest: int = -1) -> tuple[int, list[_Line]]:
    """Lay out ``tags`` tags over ``commits`` commits; return (main commits, lines).

    About five tags per minor line: one dev tag on main and about four release
    tags (rc1, rc2, final, patch rc...) on the line's release branch, each release
    tag on its own commit after one untagged cherry-pick (two commits per tag).
    The newest line has only its dev tag: it is what main is working on. Lines
    are numbered 0.0, 0.1, ... 0.19, 1.0, ...; ``newest`` (a line number) makes the
    newest line that one instead of the last in that sequence.
    """
    n_lines = max(1, -(-tags // 5))
    release_total = tags - n_lines
    if n_lines == 1 and release_total:
        n_lines, release_total = 2, tags - 2  # a release needs an older line than main's
    main = commits - 2 * release_total
    if main < 2 * n_lines:
        raise SystemExit(f"{commits} commits are too few for {tags} tags; use fewer tags")
    offset = max(0, newest - (n_lines - 1))
    lines = [_Line((offset + i) // 20, (offset + i) % 20) for i in range(n_lines)]
    for i, line in enumerate(lines):
        line.dev_at = i * main // n_lines
    for i, line in enumerate(lines[:-1]):
        line.branch_at = lines[i + 1].dev_at - 1  # cut release-X.Y.x, then tag main dev
    counts = [0] * n_lines
    for k in range(release_total):
        counts[k % max(1, n_lines - 1)] += 1
    for line, count in zip(lines, counts, strict=True):
        line.releases = release_tag_names(line, count)
    return main, lines


def other_tag_names(count: int, lines: list[_Line]) -> list[str]:
    """``count`` tags that are not version tags, half ``v``-prefixed, named after the lines."""
    names = []
    forms = ("v{x}.{y}.0.post1", "docs-{i}", "v{x}.{y}", "client-sync-{i}", "v{x}.{y}.0-docs")
    for i in range(count):
        line = lines[i * len(lines) // count]
        names.append(forms[i % len(forms)].format(x=line.major, y=line.minor, i=i))
    return names


def fast_import_stream(
    commits: int, tags: int, files: dict[str, bytes], fallback: str | None, other: int = 0
) -> Iterator[bytes]:
    """Yield a ``git fast-import`` stream for a Llama-Stack-shaped history.

    ``other`` of the ``tags`` are not version tags; they sit on ``main`` commits
    spread evenly over its history (never on a dev tag's commit).
    """
    files = dict(files)
    declared = re.search(rb'fallback_version\s*=\s*"(\d+)\.(\d+)', files.get("pyproject.toml", b""))
    line_no = int(declared[1]) * 20 + int(declared[2]) if declared else -1
    main, lines = plan_history(commits, tags - other, line_no)
    newest = lines[-1]
    if fallback is not None or "pyproject.toml" not in files:
        fallback = fallback or f"{newest.name}.0.dev0"
        files["pyproject.toml"] = pyproject_text(fallback).encode()
    start = int(_dt.datetime(2023, 1, 2, tzinfo=_dt.timezone.utc).timestamp())
    step = 300  # five minutes between main commits

    def commit(ref: str, mark: int, parent: int, when: int, msg: str, changes: bytes) -> bytes:
        who = f"Bench Bot <bench@example.com> {when} +0000\n".encode()
        text = msg.encode()
        out = b"commit %s\nmark :%d\nauthor %s" % (ref.encode(), mark, who)
        out += b"committer %s" % who + b"data %d\n%s\n" % (len(text), text)
        if parent:
            out += b"from :%d\n" % parent
        return out + changes + b"\n"

    def inline(path: str, data: bytes) -> bytes:
        return b"M 100644 inline %s\ndata %d\n%s\n" % (path.encode(), len(data), data)

    dev_tags = {line.dev_at: f"v{line.name}.0-dev" for line in lines}
    other_at: dict[int, str] = {}
    for i, name in enumerate(other_tag_names(other, lines)):
        at = (i + 1) * main // (other + 1)
        while at in dev_tags or at in other_at:
            at = at + 1 if at + 1 < main else 1
        other_at[at] = name
    buf: list[bytes] = []
    for k in range(main):
        mark = k + 1
        if k == 0:
            changes = b"".join(inline(p, d) for p, d in sorted(files.items()))
        else:
            path = f"src/llama_stack/changes/part{k % 64:02d}.txt"
            changes = inline(path, b"change %d\n" % k)
        buf.append(commit("refs/heads/main", mark, k, start + k * step, f"main {k}", changes))
        for tag_name in (dev_tags.get(k), other_at.get(k)):
            if tag_name:
                buf.append(b"reset refs/tags/%s\nfrom :%d\n\n" % (tag_name.encode(), mark))
        if len(buf) >= 2000:
            yield b"".join(buf)
            buf.clear()
    mark = main
    for line in lines:
        if line.branch_at < 0:
            continue
        ref = f"refs/heads/release-{line.name}.x"
        parent = line.branch_at + 1
        when = start + line.branch_at * step
        path = f"src/llama_stack/release-{line.name}.txt"
        if not line.releases:
            buf.append(b"reset %s\nfrom :%d\n\n" % (ref.encode(), parent))
        for j, tag in enumerate(line.releases):
            for what in ("cherry-pick", f"release {tag}"):
                mark += 1
                when += 7
                change = inline(path, f"{what}\n".encode())
                buf.append(commit(ref, mark, parent, when, f"{what} ({line.name} #{j})", change))
                parent = mark
            buf.append(b"reset refs/tags/%s\nfrom :%d\n\n" % (tag.encode(), mark))
        if len(buf) >= 2000:
            yield b"".join(buf)
            buf.clear()
    yield b"".join(buf)


def git(repo: Path, *args: str, stdin: bytes | None = None) -> str:
    proc = subprocess.run(
        ["git", "-C", str(repo), *args], input=stdin, capture_output=True, check=False
    )
    if proc.returncode != 0:
        raise SystemExit(f"git {' '.join(args)} failed in {repo}:\n{proc.stderr.decode()}")
    return proc.stdout.decode()


def build_repo(
    dest: Path,
    commits: int,
    tags: int,
    files: dict[str, bytes],
    fallback: str | None,
    other: int = 0,
) -> None:
    """Write the repository to a temporary sibling of ``dest``, then rename it in place."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=dest.name + ".tmp-", dir=dest.parent))
    try:
        git(tmp, "init", "--quiet", "--initial-branch=main")
        git(tmp, "config", "gc.auto", "0")
        proc = subprocess.Popen(
            ["git", "-C", str(tmp), "fast-import", "--quiet", "--done"],
            stdin=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        assert proc.stdin is not None
        try:
            for chunk in fast_import_stream(commits, tags, files, fallback, other):
                proc.stdin.write(chunk)
            proc.stdin.write(b"done\n")
            proc.stdin.close()
        except BrokenPipeError:
            pass
        err = proc.stderr.read().decode() if proc.stderr else ""
        if proc.wait() != 0:
            raise SystemExit(f"git fast-import failed:\n{err}")
        git(tmp, "reset", "--quiet", "--hard", "main")
        git(tmp, "pack-refs", "--all")  # as in a fresh clone
        got = len(git(tmp, "tag", "--list").split())
        if got != tags:
            raise SystemExit(f"generated {got} tags, wanted {tags}")
        if dest.exists():
            shutil.rmtree(dest)
        tmp.rename(dest)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)


def synthetic_repo(cache: Path, commits: int, tags: int, other: int = 0) -> Repo:
    key = f"synthetic-c{commits}-t{tags}" + (f"-o{other}" if other else "")
    key += f"-g{GENERATOR_VERSION}"
    path = cache / key
    if not (path / ".git").is_dir():
        t0 = time.perf_counter()
        files = {"README.md": b"# llama-stack (generated for benchmarks)\n"}
        files["src/llama_stack/__init__.py"] = b""
        build_repo(path, commits, tags, files, None, other)
        print(f"generated {key} in {time.perf_counter() - t0:.1f}s", file=sys.stderr, flush=True)
    label = f"generated {human(commits)}/{human(tags)}" + (f"/{other}" if other else "")
    return Repo(label, path, commits, tags, other)


def _read_tree(directory: Path) -> dict[str, bytes]:
    """The directory's files, minus what the enclosing checkout's .gitignore files ignore."""
    listed = subprocess.run(
        ["git", "-C", str(directory), "ls-files", "-z", "-co", "--exclude-standard", "--", "."],
        capture_output=True,
        check=False,
    )
    if listed.returncode == 0:
        names = sorted({n.decode() for n in listed.stdout.split(b"\0") if n})
        paths = [directory / name for name in names]
    else:
        paths = sorted(directory.rglob("*"))
    files = {}
    for path in paths:
        rel = path.relative_to(directory)
        if path.is_file() and not any(p in {".git", "__pycache__"} for p in rel.parts):
            files[rel.as_posix()] = path.read_bytes()
    return files


def example_repo(cache: Path, directory: Path) -> Repo:
    """The example monorepo: as is if it is a git repository, else committed into one."""
    directory = directory.resolve()
    top = subprocess.run(
        ["git", "-C", str(directory), "rev-parse", "--show-toplevel"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    if top and Path(top).resolve() == directory:
        commits = int(git(directory, "rev-list", "--count", "HEAD").strip())
        tags = len(git(directory, "tag", "--list", "v*").split())
        return Repo(f"example {directory.name}", directory, commits, tags)
    files = _read_tree(directory)
    if "pyproject.toml" not in files:
        raise SystemExit(f"{directory} has no pyproject.toml")
    digest = hashlib.sha256()
    for name, data in files.items():
        digest.update(name.encode() + b"\0" + data + b"\0")
    key = f"example-{directory.name}-{digest.hexdigest()[:12]}-g{GENERATOR_VERSION}"
    path = cache / key
    if not (path / ".git").is_dir():
        for stale in cache.glob(f"example-{directory.name}-*-g{GENERATOR_VERSION}"):
            shutil.rmtree(stale)  # built from an older state of the same directory
        build_repo(path, EXAMPLE_COMMITS, EXAMPLE_TAGS, files, None)
        print(f"generated {key}", file=sys.stderr, flush=True)
    label = f"example {directory.name}"
    return Repo(label, path, EXAMPLE_COMMITS, EXAMPLE_TAGS)


# --------------------------------------------------------------------------- running tools


def clean_env(cache: Path) -> dict[str, str]:
    """The environment for every tool: no CI inputs, and a warm bytecode cache.

    ``PYTHONDONTWRITEBYTECODE`` is dropped and ``.pyc`` files go to a prefix under
    the cache, so after the warm-up every tool imports compiled modules (without
    writing ``__pycache__`` into the checkout). The first-run cost of compiling
    our modules is shown separately in the start-up table.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith(_DROP_ENV)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(cache / "pycache")
    env["PYTHONPATH"] = str(ROOT / "action-lib")  # this checkout's library, as run-action does
    env["LC_ALL"] = "C"
    return env


def cold_env(env: dict[str, str]) -> dict[str, str]:
    """Like the first run in CI: stdlib and site-packages compiled, our modules not."""
    cold = {k: v for k, v in env.items() if k != "PYTHONPYCACHEPREFIX"}
    cold["PYTHONDONTWRITEBYTECODE"] = "1"
    return cold


def find_dunamai(python: Path) -> list[str]:
    script = python.parent / "dunamai"
    if script.is_file():
        return [str(script)]
    return [str(python), "-m", "dunamai"]


def tool_commands(python: Path, repo: Path) -> dict[str, list[str]]:
    ours = [str(python), "-m", "release_actions", "nightly-version"]
    ours += ["--repo", str(repo), "--date", DATE, "--no-fetch"]
    return {
        OURS: ours,
        DESCRIBE: ["git", "describe", "--tags", "--match", "v*"],
        SCM: [str(python), "-m", "setuptools_scm"],
        DUNAMAI: [*find_dunamai(python), "from", "git", "--pattern", "default"],
    }


CLI_IMPORT = "import every module nightly-version imports"
CLI_IMPORT_COLD = "the same, our modules not byte-compiled (first run in CI)"
BARE = "python -c pass"


def startup_commands(python: Path) -> dict[str, list[str]]:
    py = str(python)
    # The command imports the steps, the TOML reader and packaging inside run(), while
    # git works: import them here too, so this is all the start-up a run pays for.
    cli = (
        "import release_actions.interface.cli, release_actions.interface.commands.nightly_version, "
        "release_actions.steps.nightly, release_actions.adapters.manifests"
    )
    return {
        BARE: [py, "-c", "pass"],
        "import release_actions.steps.nightly": [py, "-c", "import release_actions.steps.nightly"],
        CLI_IMPORT: [py, "-c", cli],
        CLI_IMPORT_COLD: [py, "-c", cli],
        "import setuptools_scm": [py, "-c", "import setuptools_scm"],
        "import dunamai": [py, "-c", "import dunamai"],
    }


@dataclass
class Result:
    code: int
    seconds: float
    stdout: str
    stderr: str


def run_once(cmd: Sequence[str], cwd: Path, env: dict[str, str]) -> Result:
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - t0
    return Result(proc.returncode, elapsed, proc.stdout, proc.stderr)


def reported_version(tool: str, stdout: str) -> str:
    if tool in (OURS, BEFORE):
        for line in stdout.splitlines():
            if line.startswith("version="):
                return line.partition("=")[2]
    lines = [line for line in stdout.splitlines() if line.strip()]
    return lines[-1].strip() if lines else ""


def measure(
    commands: dict[str, list[str]],
    cwd: Path,
    env: dict[str, str],
    runs: int,
    warmup: int,
    envs: dict[str, dict[str, str]] | None = None,
) -> tuple[dict[str, list[float]], dict[str, Result]]:
    """Round-robin: each round runs every command once, starting one further along."""
    envs = envs or {}
    names = list(commands)
    times: dict[str, list[float]] = {name: [] for name in names}
    first: dict[str, Result] = {}
    for round_no in range(warmup + runs):
        shift = round_no % len(names)
        for name in names[shift:] + names[:shift]:
            result = run_once(commands[name], cwd, envs.get(name, env))
            if result.code != 0:
                shown = " ".join(commands[name])
                raise SystemExit(
                    f"{name} failed (exit {result.code}) in {cwd}: {shown}\n"
                    f"{result.stderr.strip() or result.stdout.strip()}"
                )
            first.setdefault(name, result)
            if round_no >= warmup:
                times[name].append(result.seconds)
    return times, first


@dataclass(frozen=True)
class Stats:
    median: float
    q1: float
    q3: float
    minimum: float
    n: int

    @property
    def iqr(self) -> float:
        return self.q3 - self.q1

    @classmethod
    def of(cls, seconds: list[float]) -> Stats:
        ms = sorted(s * 1000 for s in seconds)
        if len(ms) >= 2:
            q1, _, q3 = statistics.quantiles(ms, n=4, method="inclusive")
        else:
            q1 = q3 = ms[0]
        return cls(statistics.median(ms), q1, q3, ms[0], len(ms))


# --------------------------------------------------------------------------- importtime


_IMPORTTIME = re.compile(r"^import time:\s+(\d+)\s+\|\s+(\d+)\s+\|(\s*)(\S+)\s*$")


def import_profile(
    python: Path, repo: Path, env: dict[str, str], runs: int
) -> tuple[list[tuple[str, float, float]], float]:
    """Median self and cumulative import times (ms) per module under ``-X importtime``."""
    cmd = [str(python), "-X", "importtime", *tool_commands(python, repo)[OURS][1:]]
    selves: dict[str, list[float]] = {}
    cumuls: dict[str, list[float]] = {}
    totals = []
    for _ in range(runs):
        result = run_once(cmd, repo, env)
        if result.code != 0:
            raise SystemExit(f"importtime run failed: {result.stderr[-2000:]}")
        total = 0.0
        for line in result.stderr.splitlines():
            match = _IMPORTTIME.match(line)
            if not match:
                continue
            self_us, cumul_us, indent, name = match.groups()
            selves.setdefault(name, []).append(int(self_us) / 1000)
            cumuls.setdefault(name, []).append(int(cumul_us) / 1000)
            if len(indent) == 1:  # top-level import: cumulative times add up
                total += int(cumul_us) / 1000
        totals.append(total)
    rows = [
        (name, statistics.median(selves[name]), statistics.median(cumuls[name])) for name in selves
    ]
    rows.sort(key=lambda row: row[1], reverse=True)
    return rows, statistics.median(totals)


# --------------------------------------------------------------------------- report


def fmt(ms: float) -> str:
    return f"{ms:.1f}" if ms < 100 else f"{ms:.0f}"


def ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}x" if b > 0 else "n/a"


def md_table(header: Sequence[str], rows: Sequence[Sequence[str]], right: int = 1) -> str:
    align = ["---"] * min(right, len(header)) + ["---:"] * max(0, len(header) - right)
    out = ["| " + " | ".join(header) + " |", "|" + "|".join(align) + "|"]
    out += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(out) + "\n"


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.partition(":")[2].strip()
                break
    except OSError:
        pass
    gitv = subprocess.run(["git", "--version"], capture_output=True, text=True, check=False)
    return (
        f"{os.cpu_count()} cores ({cpu}), {platform.system()} {platform.release()}, "
        f"{gitv.stdout.strip()}"
    )


def library_state() -> str:
    """The commit benchmarked, and whether the library had uncommitted changes."""
    head = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "-C", str(ROOT), "status", "--porcelain", "--", "action-lib"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    if not head:
        return "(not a git checkout)"
    return f"{head}" + (" with uncommitted changes in action-lib/" if dirty else "")


def tool_versions(python: Path, env: dict[str, str]) -> str:
    code = (
        "import importlib.metadata as m, sys; "
        "print(sys.version.split()[0], *(m.version(p) for p in "
        "('release-actions', 'setuptools-scm', 'vcs-versioning', 'dunamai')))"
    )
    proc = subprocess.run(
        [str(python), "-c", code], capture_output=True, text=True, env=env, check=False
    )
    parts = proc.stdout.split()
    if proc.returncode != 0 or len(parts) != 5:
        return "(could not read tool versions)"
    return (
        f"Python {parts[0]}, release-actions {parts[1]}, setuptools-scm {parts[2]} "
        f"(vcs-versioning {parts[3]}), dunamai {parts[4]}"
    )


@dataclass
class RepoResult:
    repo: Repo
    stats: dict[str, Stats]
    versions: dict[str, str]


def load_average() -> str:
    try:
        return f"{os.getloadavg()[0]:.2f}"
    except OSError:
        return "n/a"


def report(
    load_before: str,
    command: str,
    runs: int,
    warmup: int,
    results: list[RepoResult],
    startup: dict[str, Stats],
    profile: tuple[list[tuple[str, float, float]], float] | None,
    python: Path,
    env: dict[str, str],
) -> str:
    now = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    load = f"{load_before} at the start, {load_average()} at the end (1 minute)"
    out = [
        "## nightly-version benchmark\n",
        f"- Command: `{command}`",
        f"- Date: {now}",
        f"- Machine: {machine()}; load average {load}",
        f"- Tools: {tool_versions(python, env)}",
        f"- release-actions checkout: {library_state()}",
        f"- Method: each tool runs as a subprocess, {runs} timed rounds after {warmup} "
        "warm-up round(s); every round runs each tool once, the first tool rotating, so "
        "noise hits all alike. Times are wall-clock milliseconds: median, interquartile "
        "range (IQR) and minimum.",
        "",
        "Commands, run in the repository root:",
        "",
    ]
    shown = tool_commands(python, Path("R"))
    shown_py = {OURS: "python", SCM: "python"}
    for name, cmd in shown.items():
        text = " ".join(cmd)
        if name in shown_py:
            text = text.replace(str(python), shown_py[name], 1)
        if name == DUNAMAI:
            text = "dunamai" + text.split("dunamai", 1)[1] if "dunamai" in text else text
        text = text.replace("--match v*", "--match 'v*'")
        out.append(f"- {name}: `{text}`")
    out.append("")

    out.append("### Medians per tool\n")
    rows = []
    for res in results:
        for name in TOOLS:
            s = res.stats[name]
            repo = f"{res.repo.label} ({res.repo.commits} commits, {res.repo.tags} tags"
            repo += f", {res.repo.other} not versions)" if res.repo.other else ")"
            rows.append([repo, name, fmt(s.median), fmt(s.iqr), fmt(s.minimum)])
    out.append(md_table(["repository", "tool", "median ms", "IQR ms", "min ms"], rows, 2))

    floor = startup.get(CLI_IMPORT)
    bare = startup.get(BARE)
    cold = startup.get(CLI_IMPORT_COLD)
    out.append("### Ratios (medians)\n")
    rows = []
    for res in results:
        st = res.stats
        ours = st[OURS].median
        row = [res.repo.label]
        row += [fmt(st[name].median) for name in TOOLS]
        row += [ratio(ours, st[DESCRIBE].median), ratio(ours, st[SCM].median)]
        row += [ratio(ours, st[DUNAMAI].median)]
        row.append(f"{100 * floor.median / ours:.0f}%" if floor else "n/a")
        rows.append(row)
    header = ["repository", "ours ms", "git describe ms", "setuptools-scm ms", "dunamai ms"]
    header += ["ours / git describe", "ours / setuptools-scm", "ours / dunamai"]
    header += ["start-up + imports share of ours"]
    out.append(md_table(header, rows))
    rows = []
    for res in results:
        st = res.stats
        ours = st[OURS].minimum
        row = [res.repo.label, *(ratio(ours, st[name].minimum) for name in TOOLS[1:])]
        rows.append(row)
    out.append(
        "The same ratios from the minimum times, less sensitive to other load on the machine:\n"
    )
    header = ["repository", "ours / git describe", "ours / setuptools-scm", "ours / dunamai"]
    out.append(md_table(header, rows))

    out.append("### Python start-up floor\n")
    rows = [[name, fmt(s.median), fmt(s.iqr), fmt(s.minimum)] for name, s in startup.items()]
    out.append(md_table(["command (`python -c ...`)", "median ms", "IQR ms", "min ms"], rows))
    if floor and bare:
        out.append(
            f"Python itself starts in {fmt(bare.median)} ms; importing everything "
            f"nightly-version imports adds {fmt(floor.median - bare.median)} ms, so about "
            f"{fmt(floor.median)} ms of every run is Python start-up (git's reads start "
            "before the TOML reader and the version modules are imported, and overlap them)."
        )
        if cold:
            out.append(
                f"Without our `.pyc` files (the first run from a fresh checkout, or "
                f"`PYTHONDONTWRITEBYTECODE=1`) the imports take {fmt(cold.median - bare.median)} "
                f"ms, {fmt(cold.median - floor.median)} ms more."
            )
        out.append("")

    out.append("### Versions reported (first run of each tool)\n")
    rows = [[res.repo.label, *(f"`{res.versions[name]}`" for name in TOOLS)] for res in results]
    out.append(md_table(["repository", *TOOLS], rows, len(TOOLS) + 1))
    note = (
        "git describe prints the nearest tag and the distance to it; setuptools-scm and "
        "dunamai derive a dev or post-release version from that tag and distance; "
        f"nightly-version prints `{{base}}.dev{DATE}`, its base being the nearest tag "
        "floored by the highest tag anywhere and the `fallback_version`."
    )
    disagree = [res.repo.label for res in results if not same_nearest_tag(res.versions)]
    if disagree:
        note += " WARNING: the reference tools disagree on the nearest tag in: "
        note += ", ".join(disagree) + "."
    else:
        note += " git describe, setuptools-scm and dunamai agree on the nearest tag everywhere."
    out.append(note + "\n")

    out.append(before_and_after(results))
    out.append(targets(results))

    if profile is not None:
        rows_p, total = profile
        out.append("### Heaviest imports of nightly-version (`-X importtime`, medians)\n")
        top = [[f"`{name}`", f"{s:.2f}", f"{c:.2f}"] for name, s, c in rows_p[:10]]
        out.append(md_table(["module", "self ms", "cumulative ms"], top))
        out.append(f"All imports after interpreter start-up: {total:.1f} ms.\n")
        out.append("Largest import subtrees (cumulative, nested ones included):\n")
        by_cumul = sorted(rows_p, key=lambda row: row[2], reverse=True)
        top = [[f"`{name}`", f"{c:.2f}", f"{s:.2f}"] for name, s, c in by_cumul[:10]]
        out.append(md_table(["module", "cumulative ms", "self ms"], top))
        out.append(
            "`-X importtime` adds its own overhead; compare with the start-up table for "
            "wall-clock cost.\n"
        )
    return "\n".join(out)


def before_and_after(results: list[RepoResult]) -> str:
    """With ``--baseline``: the older library against this one, medians of the same rounds."""
    if not all(BEFORE in res.stats for res in results):
        return ""
    out = ["### Before and after (`--baseline`, the same rounds)\n"]
    rows = []
    for res in results:
        st = res.stats
        before, ours, desc = st[BEFORE].median, st[OURS].median, st[DESCRIBE].median
        same = res.versions[BEFORE] == res.versions[OURS]
        rows.append(
            [
                res.repo.label,
                fmt(before),
                fmt(ours),
                f"{100 * (ours - before) / before:+.0f}%",
                ratio(before, desc),
                ratio(ours, desc),
                "yes" if same else f"NO: {res.versions[BEFORE]}",
            ]
        )
    header = ["repository", "before ms", "after ms", "change", "before / git describe"]
    header += ["after / git describe", "same version"]
    out.append(md_table(header, rows))
    return "\n".join(out)


def same_nearest_tag(versions: dict[str, str]) -> bool:
    """Do setuptools-scm and dunamai start from the tag git describe found?"""
    match = re.match(r"^v(.+?)(-\d+-g[0-9a-f]+)?$", versions[DESCRIBE])
    if not match:
        return False
    base = re.sub(r"[-.]?dev$", "", match[1])
    return versions[SCM].startswith(base) and versions[DUNAMAI].startswith(base)


def targets(results: list[RepoResult]) -> str:
    """Check the targets; the verdicts are computed, not asserted."""
    out = ["### Targets\n"]
    rows = []
    for res in results:
        st = res.stats
        ours = st[OURS].median
        r_desc = ours / st[DESCRIBE].median
        rows.append(
            [
                res.repo.label,
                f"{r_desc:.2f}x: {'met' if r_desc <= TARGET_RATIO else 'NOT met'}",
                "met" if ours < st[SCM].median else "NOT met",
                "met" if ours < st[DUNAMAI].median else "NOT met",
            ]
        )
    header = ["repository", f"ours <= {TARGET_RATIO:g}x git describe", "faster than setuptools-scm"]
    header.append("faster than dunamai")
    out.append(md_table(header, rows, 4))

    generated = [r for r in results if r.repo.label.startswith("generated")]
    if len(generated) >= 2:
        base = min(generated, key=lambda r: (r.repo.commits, r.repo.tags))
        rows = []
        for res in generated:
            if res is base:
                continue
            d_ours = res.stats[OURS].median - base.stats[OURS].median
            d_desc = res.stats[DESCRIBE].median - base.stats[DESCRIBE].median
            g_ours = res.stats[OURS].median / base.stats[OURS].median
            g_desc = res.stats[DESCRIBE].median / base.stats[DESCRIBE].median
            noise = max(res.stats[OURS].iqr, res.stats[DESCRIBE].iqr, 1.0)
            verdict = "met" if d_ours <= d_desc + noise else "NOT met"
            rows.append(
                [
                    f"{base.repo.label.removeprefix('generated ')} -> "
                    f"{res.repo.label.removeprefix('generated ')}",
                    f"+{fmt(d_ours)}" if d_ours >= 0 else fmt(d_ours),
                    f"+{fmt(d_desc)}" if d_desc >= 0 else fmt(d_desc),
                    f"{g_ours:.2f}x",
                    f"{g_desc:.2f}x",
                    verdict,
                ]
            )
        out.append(
            "Growth with history: added milliseconds (absolute) and growth factor, "
            "from the smallest generated repository. The verdict compares added "
            "milliseconds, allowing one IQR of noise.\n"
        )
        header = ["commits/tags", "ours +ms", "git describe +ms", "ours growth"]
        header += ["git describe growth", "ours grows no faster"]
        out.append(md_table(header, rows))
    return "\n".join(out)


# --------------------------------------------------------------------------- main


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help=f"small repos ({QUICK_SIZES}), 3 runs")
    parser.add_argument(
        "--sizes", type=parse_sizes, help=f"COMMITS/TAGS,... (default {DEFAULT_SIZES})"
    )
    parser.add_argument("--runs", type=int, help="timed rounds per repository (default 15)")
    parser.add_argument("--warmup", type=int, help="untimed rounds first (default 2)")
    parser.add_argument("--cache", type=Path, default=ROOT / ".cache" / "bench")
    parser.add_argument("--example", type=Path, help=f"example monorepo (default {FIXTURE})")
    parser.add_argument("--no-example", action="store_true", help="skip the example monorepo")
    parser.add_argument("--python", type=Path, help="interpreter with the tools installed")
    parser.add_argument("--importtime-runs", type=int, help="-X importtime runs (0: skip)")
    parser.add_argument("--output", type=Path, help="also write the Markdown report here")
    parser.add_argument(
        "--baseline",
        type=Path,
        help="an older action-lib directory: time its nightly-version in the same rounds",
    )
    args = parser.parse_args(argv)

    sizes = args.sizes or parse_sizes(QUICK_SIZES if args.quick else DEFAULT_SIZES)
    runs = args.runs if args.runs is not None else (3 if args.quick else 15)
    warmup = args.warmup if args.warmup is not None else (1 if args.quick else 2)
    imp_runs = args.importtime_runs
    if imp_runs is None:
        imp_runs = 3 if args.quick else 15
    if runs < 1 or warmup < 0:
        parser.error("--runs must be >= 1 and --warmup >= 0")
    venv_python = ROOT / ".venv" / "bin" / "python"
    python = args.python or (venv_python if venv_python.exists() else Path(sys.executable))
    if not python.is_absolute():
        python = Path.cwd() / python  # keep any venv symlink: resolving it would leave the venv
    cache = args.cache.resolve()
    env = clean_env(cache)

    load_before = load_average()
    repos: list[Repo] = []
    example = args.example or (FIXTURE if FIXTURE.is_dir() else None)
    if args.no_example or example is None:
        print("no example monorepo: skipped", file=sys.stderr)
    elif not example.is_dir():
        parser.error(f"--example {example}: not a directory")
    else:
        repos.append(example_repo(cache, example))
    repos += [synthetic_repo(cache, c, t, o) for c, t, o in sizes]

    results = []
    for repo in repos:
        print(f"timing {repo.label} ...", file=sys.stderr, flush=True)
        commands, envs = tool_commands(python, repo.path), {}
        if args.baseline:
            commands[BEFORE] = commands[OURS]
            envs[BEFORE] = {**env, "PYTHONPATH": str(args.baseline.resolve())}
        times, first = measure(commands, repo.path, env, runs, warmup, envs)
        stats = {name: Stats.of(values) for name, values in times.items()}
        versions = {name: reported_version(name, first[name].stdout) for name in commands}
        results.append(RepoResult(repo, stats, versions))

    print("timing start-up floor ...", file=sys.stderr, flush=True)
    cold = {CLI_IMPORT_COLD: cold_env(env)}
    times, _ = measure(startup_commands(python), ROOT, env, runs, warmup, cold)
    startup = {name: Stats.of(values) for name, values in times.items()}

    profile = None
    if imp_runs > 0:
        print("profiling imports ...", file=sys.stderr, flush=True)
        profile = import_profile(python, repos[0].path, env, imp_runs)

    shown_argv = list(sys.argv[1:] if argv is None else argv)
    command = " ".join(["python scripts/bench-nightly.py", *shown_argv])
    text = report(load_before, command, runs, warmup, results, startup, profile, python, env)
    print(text)
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
