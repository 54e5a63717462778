"""compute-version and nightly-version import only what they need.

Both run on every CI job, so their start-up is part of every job's time. Each test
runs ``python -m release_actions COMMAND`` in a subprocess, exactly as the actions
do, and lists ``sys.modules`` at exit; every module the run added (on top of what
the interpreter starts with) must be on an explicit allow-list, so a heavy import
creeping in (PyGithub, tomlkit, ``inspect``, ``dataclasses``, ``json`` without
``--json``, ...) fails here rather than slowing every job. Counted with
``sys.modules``, not a clock: the numbers live in ``tests/benchmarks/``.

When a new module is really needed on these paths, add it to the allow-list below
with the reason.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.testbed.scenario import Scenario

ROOT = Path(__file__).resolve().parent.parent

# Standard-library modules the two paths may import (with their submodules).
STDLIB = {
    "__future__",  # `from __future__ import annotations`
    "gc",  # built in: __main__ turns the collector off for these short runs
    "warnings",
    "re",  # conventions, versions, output redaction
    "enum",  # re
    "sre_compile",  # re, Python 3.10
    "sre_constants",
    "sre_parse",
    "functools",
    "operator",
    "keyword",
    "reprlib",
    "collections",
    "copyreg",
    "types",
    "typing",  # NamedTuple (packaging.version needs it too)
    "importlib",  # the CLI's lazy command import; runpy (python -m)
    "runpy",
    "pkgutil",
    "contextlib",
    "math",  # datetime (tomllib)
    "errno",
    "subprocess",  # git (with signal, threading, selectors, locale, fcntl)
    "signal",
    "threading",
    "selectors",
    "select",
    "locale",
    "fcntl",
    "weakref",
    "tomllib",  # pyproject.toml (with datetime, string), Python 3.11+
    "datetime",
    "string",
    "time",
    "itertools",
    "abc",
    "io",
    "os",
    "stat",
    "posixpath",
    "genericpath",
}
# Our modules on these paths, and the one third-party module: packaging's Version.
OURS = {
    "release_actions",
    "release_actions.__main__",
    "release_actions.adapters",
    "release_actions.adapters.git",
    "release_actions.adapters.manifests",
    "release_actions.core",
    "release_actions.core.config",
    "release_actions.core.conventions",  # the repository's tag prefix and forms (re only)
    "release_actions.core.diagnostics",
    "release_actions.core.errors",
    "release_actions.core.nightly_base",
    "release_actions.core.text_inputs",  # dates and branch names are checked before use
    "release_actions.core.versions",
    "release_actions.interface",
    "release_actions.interface.cli",
    "release_actions.interface.commands",
    "release_actions.interface.commands.common",
    "release_actions.interface.early",
    "release_actions.interface.output",
    "release_actions.interface.spec",
    "release_actions.steps",
    "release_actions.steps.branches",  # an explicit --branch must exist
    "release_actions.steps.nightly",
    "release_actions.steps.pyprojects",  # the managed pyproject files (fallback_version)
    "release_actions.steps.tag_state",
    "release_actions.adapters.repo_files",  # pyproject.toml is read inside the repository only
    "packaging",
    "packaging._structures",
    "packaging.version",
}
# pathlib, for the repository boundary (a pyproject.toml symlinked outside the
# repository is refused): compute-version only. nightly-version reads a single
# project's pyproject.toml, a regular file at the top level, without it (a
# monorepo's members are read with it, a case these tests do not run).
PATHLIB = {
    "pathlib",
    "fnmatch",
    "ntpath",
    "urllib",  # urllib.parse only, for pathlib (checked below)
    "ipaddress",  # urllib.parse, Python 3.11+
}
NIGHTLY = {"release_actions.interface.commands.nightly_version"}
COMPUTE = {
    *PATHLIB,
    "release_actions.interface.commands.compute_version",
    "release_actions.steps.compute",
    "release_actions.steps.event",  # the event payload, split out of steps.compute
    "release_actions.core.version_plan",
    "release_actions.adapters.tags",
}
# Never on these paths (a clearer message than "not allowed" for the usual suspects).
HEAVY = {
    "github",  # PyGithub: only the commands that talk to the API
    "inspect",
    "dataclasses",
    "json",  # only with --json, or to read the event payload
    "shutil",
    "tempfile",
    "urllib.request",
    "http",
    "email",
    "ssl",
    "socket",
    "concurrent",
    "asyncio",
    "logging",
    "semver",
    "ast",
    "tokenize",
    "zipfile",
    "hashlib",
    "uuid",
}
if sys.version_info >= (3, 11):
    HEAVY.add("tomlkit")  # edits only; Python 3.10 reads TOML with it

WRAPPER = """
import atexit, runpy, sys
before, path = set(sys.modules), sys.argv[1]
def report():
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("\\n".join(sorted(set(sys.modules) - before)))
atexit.register(report)
sys.argv = ["release_actions", *sys.argv[2:]]
runpy.run_module("release_actions", run_name="__main__", alter_sys=True)
"""


def allowed(name: str, extra: set[str]) -> bool:
    if name in OURS or name in extra:
        return True
    if name.startswith("_"):  # C accelerators and private helpers of allowed modules
        return name.lstrip("_").split(".")[0] not in {m.split(".")[0] for m in HEAVY}
    top = name.split(".")[0]
    if top == "urllib":
        return "urllib" in extra and name in ("urllib", "urllib.parse")
    return (top in STDLIB or top in extra) and not is_heavy(name)


def is_heavy(name: str) -> bool:
    return any(name == heavy or name.startswith(heavy + ".") for heavy in HEAVY)


def imported_by(tmp_path: Path, *args: str) -> list[str]:
    """Modules ``python -m release_actions ARGS`` adds to those the interpreter starts with."""
    report = tmp_path / "modules.txt"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "RA_"))}
    env["PYTHONPATH"] = str(ROOT / "action-lib")
    proc = subprocess.run(
        [sys.executable, "-c", WRAPPER, str(report), *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    # What `python -c pass` already has (site, encodings, .pth hooks) is not ours to judge.
    return [name for name in report.read_text().split() if name not in BASELINE]


def _baseline() -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", "import sys; print(' '.join(sys.modules))"],
        capture_output=True,
        text=True,
        check=True,
    )
    return set(out.stdout.split())


BASELINE = _baseline()


def check(modules: list[str], extra: set[str]) -> None:
    heavy = sorted(name for name in modules if is_heavy(name))
    assert not heavy, f"heavy modules imported: {heavy}"
    unexpected = sorted(name for name in modules if not allowed(name, extra))
    assert not unexpected, f"modules not on the allow-list: {unexpected}"


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    scenario = Scenario(tmp_path_factory.mktemp("lazy") / "r", fallback="0.7.2.dev0")
    scenario.commit().tag("v0.7.1-dev").commit().tag("v0.7.1").tag("vnext").commit()
    return scenario.path


def test_nightly_version_imports_only_the_allow_list(tmp_path: Path, repo: Path) -> None:
    modules = imported_by(
        tmp_path, "nightly-version", "--repo", str(repo), "--date", "20261125", "--no-fetch"
    )
    assert "release_actions.steps.tag_state" in modules  # the run did happen
    check(modules, NIGHTLY)


def test_compute_version_imports_only_the_allow_list(tmp_path: Path, repo: Path) -> None:
    args = ["--repo", str(repo), "--date", "20261125", "--no-fetch"]
    for event in ("schedule", "push", "pull_request"):
        modules = imported_by(tmp_path, "compute-version", "--event", event, *args)
        assert "release_actions.steps.compute" in modules
        check(modules, COMPUTE)
    # A final release also reads the npm package's latest from its registry (npm view:
    # json, shutil), on release events only; this run asks no registry.
    release = ["compute-version", "--event", "release", "--tag", "v0.7.1", *args]
    check(imported_by(tmp_path, *release, "--npm-registry", "none"), COMPUTE)


def test_json_only_with_json(tmp_path: Path, repo: Path) -> None:
    args = ["nightly-version", "--repo", str(repo), "--date", "20261125", "--no-fetch"]
    assert "json" in imported_by(tmp_path, *args, "--json")


def test_a_heavy_import_fails_the_check() -> None:
    """The check itself: what it must refuse, it refuses."""
    for name in ("github", "github.Repository", "dataclasses", "inspect", "json", "tomlkit"):
        if name == "tomlkit" and sys.version_info < (3, 11):
            continue
        with pytest.raises(AssertionError, match="heavy"):
            check(["re", name], set())
    with pytest.raises(AssertionError, match="allow-list"):
        check(["re", "xml.dom"], set())
    with pytest.raises(AssertionError, match="allow-list"):
        check(["release_actions.adapters.github_client"], set())
    check(["re", "re._parser", "_posixsubprocess"], set())
    # A plain command line is read without argparse (spec.read_plain): it must not return.
    for name in ("argparse", "gettext"):
        for extra in (NIGHTLY, COMPUTE):
            with pytest.raises(AssertionError, match="allow-list"):
                check([name], extra)
    with pytest.raises(AssertionError, match="allow-list"):
        check(["xml.dom"], NIGHTLY)
    with pytest.raises(AssertionError, match="allow-list"):
        check(["pathlib"], set())
    for name in ("pathlib", "urllib.parse", "ipaddress"):
        with pytest.raises(AssertionError, match="allow-list"):
            check([name], NIGHTLY)
    check(["pathlib", "urllib.parse"], COMPUTE)


def test_namedtuple_modules_of_these_paths_evaluate_their_annotations() -> None:
    """Under ``from __future__ import annotations`` typing compiles a forward reference
    for every field of a NamedTuple when its module is imported: dozens of compiles
    (milliseconds) on every run. Our NamedTuple modules on these paths do without it."""
    import importlib.util

    deferring = []
    for name in sorted(OURS | NIGHTLY | COMPUTE):
        spec = importlib.util.find_spec(name) if name.startswith("release_actions") else None
        if spec is None or spec.origin is None:
            continue
        source = Path(spec.origin).read_text(encoding="utf-8")
        if "(NamedTuple)" in source and "from __future__ import annotations" in source:
            deferring.append(name)
    assert not deferring
