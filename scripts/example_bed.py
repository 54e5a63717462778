"""The test bed of scripts/example.py: local registries, the CLI, the clients, the report.

Kept apart so that example.py reads as the release cycle itself. Everything runs
against servers on 127.0.0.1 started here (two pypiservers standing in for PyPI
and TestPyPI, a verdaccio for npmjs) and stopped on the way out, error or not.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from packaging.utils import parse_wheel_filename
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from release_actions.rehearsal.world.npm_registry import (  # noqa: E402
    NpmRegistry,
    running_npm_registry,
)
from release_actions.rehearsal.world.origin import Origin  # noqa: E402
from release_actions.rehearsal.world.pypi_index import PypiIndex, running_pypi_index  # noqa: E402
from tests.testbed.monorepo import uv_env  # noqa: E402
from tests.testbed.registries import write_npm_client, write_python_client  # noqa: E402

CLIENT = "llama-stack-client"
DATE = "20261125"  # "today" for every dev version, so that the output is the same on every run
NOON = "2026-11-25T12:00:00+00:00"  # and the date of the commits the release jobs make

Result = dict[str, Any]


@dataclass
class Bed:
    """The temporary directory, the three registries, and what each step reported."""

    root: Path
    pypi: PypiIndex
    testpypi: PypiIndex
    npm: NpmRegistry
    steps: list[list[str]] = field(default_factory=list)
    _counter: Iterator[int] = field(default_factory=itertools.count, repr=False)

    def env(self) -> dict[str, str]:
        """The CLI's environment: the local registries only, nothing from a CI or the shell.

        uv resolves from "PyPI" only and builds without isolation in this venv (the local
        index has no setuptools); npm reads the verdaccio's own npmrc (token included), and
        compute-version reads the npm client's latest from it (RA_NPM_REGISTRY). The
        venv's bin (uv) comes first on PATH, as setup-uv puts uv on a runner's.
        """
        env = self.npm.env(uv_env(self.pypi.simple_url))
        env = {k: v for k, v in env.items() if not k.startswith(("GITHUB_", "RA_"))}
        env.update(
            PATH=os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")]),
            PYTHONPATH=str(ROOT / "action-lib"),
            GIT_AUTHOR_DATE=NOON,
            GIT_COMMITTER_DATE=NOON,
            RA_NPM_REGISTRY=self.npm.url,
        )
        return env

    def cli(self, *args: str, repo: Path | None = None, check: bool = True) -> Result:
        """``python -m release_actions ARGS --json`` as the actions run it; its JSON result.

        stdout holds exactly one JSON document: the result, or with ``check=False`` the
        refusal ``{"error": ..., "fix": ..., "title": ...}``.
        """
        argv = [sys.executable, "-m", "release_actions", *args, "--json"]
        if repo is not None:
            argv += ["--repo", str(repo)]
        proc = subprocess.run(argv, capture_output=True, text=True, env=self.env(), check=False)
        if proc.returncode != 0 and check:
            raise SystemExit(f"release-actions {' '.join(args)} failed:\n{proc.stderr}")
        result: Result = json.loads(proc.stdout)
        return result

    def path(self, name: str) -> Path:
        return self.root / name

    def fresh(self, name: str) -> Path:
        """A new, not yet existing folder (``build`` and the upload plan want empty ones)."""
        return self.root / f"{name}-{next(self._counter)}"

    def record(self, step: str, version: str, outcome: str) -> None:
        """A row of the report's "versions per step" table."""
        self.steps.append([step, version, outcome])


@contextlib.contextmanager
def running_bed(root: Path) -> Iterator[Bed]:
    """ "PyPI", "TestPyPI" and npm on loopback for the duration of the block."""
    with (
        running_pypi_index(root / "pypi") as pypi,
        running_pypi_index(root / "testpypi") as testpypi,
        running_npm_registry(root / "npm") as npm,
    ):
        yield Bed(root, pypi, testpypi, npm)


# --------------------------------------------------------------------------- publishing


def build(bed: Bed, checkout: Path, version: str, *args: str) -> tuple[Path, Result]:
    """``build`` (version forced, every file checked) into a new folder."""
    out = bed.fresh("dist")
    return out, bed.cli("build", "--version", version, "--out", str(out), *args, repo=checkout)


def upload(bed: Bed, index: PypiIndex, dists: Path, version: str, *, dev: bool = False) -> Result:
    """The publish job's PyPI part: ``publish-pypi-plan`` (with ``--skip-existing`` for a dev
    version), then the upload of what it selected (``uv publish``, standing in for
    pypa/gh-action-pypi-publish)."""
    out = bed.fresh("upload")
    args = ["--index-url", index.simple_url, "--version", version, "--out", str(out)]
    plan = bed.cli("publish-pypi-plan", *args, *(["--skip-existing"] if dev else []), str(dists))
    if plan["upload"]:
        index.upload(sorted(out.iterdir()))
    return plan


def release_clients(bed: Bed, version: str, npm_version: str, dist_tag: str) -> None:
    """What the clients' own release does for ``version``: stamp the checkouts (still at
    0.7.1) with ``set-version``, build and upload the Python client to "PyPI", publish the
    npm client with ``dist_tag``."""
    python = write_python_client(bed.path(f"client-python-{version}"), "0.7.1")
    bed.cli("set-version", "--version", version, repo=python)
    dists, _ = build(bed, python, version, "--package", ".")
    upload(bed, bed.pypi, dists, version)
    typescript = write_npm_client(bed.path(f"client-typescript-{version}"), "0.7.1")
    bed.cli("set-version", "--version", version, repo=typescript)
    bed.cli(
        "publish-npm", str(typescript), "--dist-tag", dist_tag, "--npm-version", npm_version,
        "--registry", bed.npm.url, "--wait-attempts", "10", "--wait-seconds", "0.2",
        repo=typescript,
    )  # fmt: skip


# --------------------------------------------------------------------------- report


def table(rows: Sequence[Sequence[str]], header: Sequence[str]) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]

    def line(row: Sequence[str]) -> str:
        return "  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()

    return "\n".join([line(header), line(["-" * w for w in widths]), *map(line, rows)])


def pypi_holdings(index: PypiIndex) -> str:
    """``name version, version; name ...``: what the index holds (read from its wheels)."""
    found: dict[str, set[str]] = {}
    for filename in index.packages():
        if filename.endswith(".whl"):
            name, version, _, _ = parse_wheel_filename(filename)
            found.setdefault(str(name), set()).add(str(version))
    if not found:
        return "(empty)"
    return "; ".join(
        f"{name} {', '.join(sorted(versions, key=Version))}"
        for name, versions in sorted(found.items())
    )


def npm_holdings(registry: NpmRegistry, name: str = CLIENT) -> str:
    tags = ", ".join(f"{k}={v}" for k, v in sorted(registry.dist_tags(name).items()))
    return f"{name} {', '.join(registry.versions(name))} (dist-tags: {tags})"


def origin_refs(origin: Origin, names: Sequence[str]) -> list[list[str]]:
    """``[ref, short sha, subject]`` of each ref on origin."""
    rows = []
    for name in names:
        sha = origin.ref(name)
        subject = origin.log(sha, max_count=1)[0].subject if sha else ""
        rows.append([name, sha[:7] if sha else "(missing)", subject])
    return rows


def client_pins(pyproject: str) -> str:
    """The client requirements of a pyproject.toml: ``2 pins llama-stack-client==0.8.0``."""
    pins = re.findall(rf'"({CLIENT}[<>=!~][^"]*)"', pyproject)
    return f"{len(pins)} pins {', '.join(sorted(set(pins)))}"


def fallback_version(pyproject: str) -> str:
    match = re.search(r'^fallback_version = "([^"]*)"', pyproject, re.M)
    return match[1] if match else "(none)"


def uv_lock_version(text: str, name: str = CLIENT) -> str:
    """The version ``uv.lock`` resolves for ``name``."""
    match = re.search(rf'\[\[package\]\]\nname = "{name}"\nversion = "([^"]*)"', text)
    return match[1] if match else "(not locked)"


def npm_lock_version(text: str, name: str = CLIENT) -> str:
    """The version a ``package-lock.json`` installs for ``name``."""
    return str(json.loads(text)["packages"][f"node_modules/{name}"]["version"])
