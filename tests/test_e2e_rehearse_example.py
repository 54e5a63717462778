"""``release-actions rehearse`` end to end, run as a user runs it: the CLI, a repository,
an event, and the report. Issue 12's "Done when".

Each test builds a repository (the example monorepo of :mod:`tests.testbed.monorepo`,
or the single-package ``tinylib`` of :mod:`tests.testbed.shapes`) with the example
consumer workflows committed, and runs ``python -m release_actions rehearse ...
--json --keep``. The rehearsal copies the repository into a world of its own (origin,
PyPI, TestPyPI, npm, GitHub's API on 127.0.0.1), runs the workflows under act, and
reports. The tests then check the report against the kept world's real state: the
refs of ``origin.git``, the files of ``pypi/packages`` and ``testpypi/packages``, the
npm dist-tags in ``npm/storage``; and that the user's repository and its own origin
were not touched.

"The real registries" of ``--prefill-from-registries`` are local servers here: a
pypiserver holding the Python client 0.7.1 and a verdaccio holding the npm client
0.6.1 and 0.7.1 (``latest`` 0.7.1), as PyPI and npmjs hold Llama Stack's.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.test_e2e_release import (
    CLIENT,
    client_repository,
    expected_files,
    release_commit,
)
from tests.testbed.monorepo import git
from tests.testbed.origin import Origin
from tests.testbed.registries import (
    NPM_CLIENT,
    PYTHON_CLIENT,
    NpmRegistry,
    PypiIndex,
    publish_npm_client,
    publish_python_client,
    running_npm_registry,
    running_pypi_index,
)
from tests.testbed.shapes import build_tinylib

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parent.parent
CONSUMER = ROOT / "tests" / "fixtures" / "consumer-workflows"
RELEASE = ".github/workflows/release.yml"
PREPARE = ".github/workflows/prepare-release.yml"
EPOCH = "1795608000"  # 2026-11-25T12:00:00Z: the nightly's date
NIGHTLY_AFTER_072 = "0.7.3.dev20261125"
STACK_JOBS = {"version": "success", "build": "success", "smoke": "success", "publish": "success"}
CLIENT_REPOS = {
    "llamastack/llama-stack-client-python": PYTHON_CLIENT,
    "llamastack/llama-stack-client-typescript": NPM_CLIENT,
}


# --------------------------------------------------------------------------- running it


@dataclass
class Rehearsal:
    """One finished ``rehearse`` run: exit code, the JSON report, stderr, the kept world."""

    returncode: int
    report: dict[str, Any]
    stderr: str

    @property
    def world(self) -> Path:
        assert self.report.get("world"), self.describe()
        return Path(self.report["world"])

    def describe(self) -> str:
        report = json.dumps(self.report, indent=1)[:6000]
        return f"exit {self.returncode}\n{report}\n{self.stderr[-4000:]}"

    # The world's real state, read from its files (the servers have stopped).
    def origin_refs(self) -> dict[str, str]:
        out = git(self.world / "origin.git", "for-each-ref", "--format=%(refname) %(objectname)")
        return dict(line.split(" ") for line in out.stdout.splitlines())

    def origin_subject(self, ref: str) -> str:
        return git(self.world / "origin.git", "log", "-1", "--format=%s", ref).stdout.strip()

    def index_files(self, index: str) -> list[str]:
        return sorted(p.name for p in (self.world / index / "packages").iterdir() if p.is_file())

    def npm_document(self, name: str) -> dict[str, Any]:
        doc: dict[str, Any] = json.loads(
            (self.world / "npm/storage" / name / "package.json").read_text()
        )
        return doc


def rehearse_env(tmp: Path) -> dict[str, str]:
    """The user's shell: nothing from a CI runner, our package importable, temp files in ``tmp``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "RA_", "ACT_"))}
    env.update(
        PYTHONPATH=str(ROOT / "action-lib"),
        TMPDIR=str(tmp),
        GIT_AUTHOR_DATE="2026-11-25T12:00:00+00:00",
        GIT_COMMITTER_DATE="2026-11-25T12:00:00+00:00",
    )
    return env


def rehearse(repo: Path, *args: str, tmp: Path, timeout: float = 900) -> Rehearsal:
    argv = [sys.executable, "-m", "release_actions", "rehearse", "--repo", str(repo), *args]
    argv += ["--keep", "--json"]
    tmp.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(
        argv, capture_output=True, text=True, env=rehearse_env(tmp), timeout=timeout, check=False
    )
    try:
        report = json.loads(proc.stdout)  # exactly one JSON document, nothing else
    except ValueError:
        pytest.fail(
            f"stdout is not one JSON document:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
        )
    return Rehearsal(proc.returncode, report, proc.stderr)


def refs_of(path: Path) -> str:
    return git(path, "for-each-ref", "--format=%(refname) %(objectname)").stdout


def uploads(result: Rehearsal, index: str) -> list[str]:
    return sorted(result.report["uploads"][index])


def assert_reported_refs_are_real(result: Rehearsal) -> None:
    """Every ref the report names is on the world's origin where the report says."""
    real = result.origin_refs()
    for entry in result.report["refs"]:
        assert real.get(entry["ref"]) == entry["after"], (entry, result.describe())


# --------------------------------------------------------------------------- the monorepo


@pytest.fixture(scope="module")
def sources(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[PypiIndex, PypiIndex, NpmRegistry]]:
    """Stand-ins for the real PyPI, TestPyPI and npmjs a rehearsal pre-fills from."""
    root = tmp_path_factory.mktemp("real-registries")
    with (
        running_pypi_index(root / "pypi") as pypi,
        running_pypi_index(root / "testpypi") as testpypi,
        running_npm_registry(root / "npm") as npm,
    ):
        publish_python_client(pypi, "0.7.1")
        for version in ("0.6.1", "0.7.1"):
            publish_npm_client(npm, version)
        yield pypi, testpypi, npm


@pytest.fixture(scope="module")
def client_checkouts(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """``--checkout-source`` options for the two client repositories."""
    root = tmp_path_factory.mktemp("clients")
    args = []
    for repository, source in CLIENT_REPOS.items():
        path = client_repository(root / repository.replace("/", "_"), source)
        args += ["--checkout-source", f"{repository}={path}"]
    return args


def commit_workflows(work: Path, names: Mapping[str, str], *branches: str) -> None:
    """Commit consumer workflows (``{fixture file: path in the repo}``) on ``branches``."""
    start = git(work, "rev-parse", "--abbrev-ref", "HEAD").stdout.strip()
    for branch in branches:
        git(work, "checkout", "--quiet", branch)
        for fixture, path in names.items():
            (work / path).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(CONSUMER / fixture, work / path)
        git(work, "add", "--all")
        git(work, "commit", "--quiet", "-m", "ci: the release workflows")
    git(work, "checkout", "--quiet", start)


@pytest.fixture
def monorepo(origin: Origin) -> Origin:
    """The example monorepo, a user's clone of it, with the example workflows on main and
    release-0.7.x, and the v0.7.2 release commit and tag prepare-release would make."""
    work = origin.work
    git(work, "checkout", "--quiet", "-b", "release-0.7.x", "origin/release-0.7.x")
    commit_workflows(
        work, {"release.yml": RELEASE, "prepare-release.yml": PREPARE}, "main", "release-0.7.x"
    )
    git(work, "checkout", "--quiet", "main")
    release_commit(work, "release-0.7.x", "0.7.2")
    return origin


@pytest.fixture
def prefill(sources: tuple[PypiIndex, PypiIndex, NpmRegistry]) -> list[str]:
    pypi, testpypi, npm = sources
    return [
        "--prefill-from-registries",
        "--prefill-pypi", pypi.simple_url,
        "--prefill-testpypi", testpypi.simple_url,
        "--prefill-npm", npm.url,
    ]  # fmt: skip


def release_args(prefill: list[str], client_checkouts: list[str]) -> list[str]:
    return [
        "--workflow", RELEASE, "--env", f"SOURCE_DATE_EPOCH={EPOCH}",
        "--repository", "llamastack/llama-stack", *prefill, *client_checkouts,
    ]  # fmt: skip


def test_a_final_release_is_rehearsed_to_pypi_and_npm(
    monorepo: Origin, prefill: list[str], client_checkouts: list[str], tmp_path: Path
) -> None:
    user_refs = (refs_of(monorepo.work), refs_of(monorepo.bare))
    result = rehearse(
        monorepo.work, "--event", "release", "--tag", "v0.7.2",
        *release_args(prefill, client_checkouts), tmp=tmp_path / "r",
    )  # fmt: skip
    assert result.returncode == 0, result.describe()
    report = result.report
    assert report["ok"] is True and report["event"] == "release"
    assert report["ref"] == "refs/tags/v0.7.2"
    assert {k: v for k, v in report["jobs"].items() if k in STACK_JOBS} == STACK_JOBS
    # What was published, by the report and on the world's index and registry.
    assert uploads(result, "pypi") == sorted(expected_files("0.7.2"))
    assert uploads(result, "testpypi") == []
    assert set(uploads(result, "pypi")) <= set(result.index_files("pypi"))
    assert report["npm"] == [
        {"name": CLIENT, "published": ["0.7.2"], "dist_tags": {"latest": "0.7.2"}}
    ]
    doc = result.npm_document(CLIENT)
    assert doc["dist-tags"] == {"latest": "0.7.2"}
    assert sorted(doc["versions"]) == ["0.6.1", "0.7.1", "0.7.2"]  # pre-filled, then published
    # A release without post-release pushes nothing; the user's repositories are untouched.
    assert report["refs"] == [] and report["pull_requests"] == []
    assert (refs_of(monorepo.work), refs_of(monorepo.bare)) == user_refs


def test_a_release_candidate_is_rehearsed_to_testpypi_only(
    monorepo: Origin, prefill: list[str], client_checkouts: list[str], tmp_path: Path
) -> None:
    work = monorepo.work
    release_commit(work, "release-0.8.x", "0.8.0rc1", start="main")
    result = rehearse(
        work, "--event", "release", "--tag", "v0.8.0rc1", "--prerelease",
        *release_args(prefill, client_checkouts), tmp=tmp_path / "r",
    )  # fmt: skip
    assert result.returncode == 0, result.describe()
    assert uploads(result, "testpypi") == sorted(expected_files("0.8.0rc1"))
    assert set(uploads(result, "testpypi")) <= set(result.index_files("testpypi"))
    assert uploads(result, "pypi") == [] and result.report["npm"] == []
    assert result.npm_document(CLIENT)["dist-tags"] == {"latest": "0.7.1"}


def test_the_nightly_is_rehearsed_to_testpypi(
    monorepo: Origin, prefill: list[str], client_checkouts: list[str], tmp_path: Path
) -> None:
    result = rehearse(
        monorepo.work, "--event", "schedule", *release_args(prefill, client_checkouts),
        tmp=tmp_path / "r",
    )  # fmt: skip
    assert result.returncode == 0, result.describe()
    assert result.report["ref"] == "refs/heads/main"
    # v0.7.2 is released (the fixture's tag), so the nightly is of 0.7.3.
    assert uploads(result, "testpypi") == sorted(expected_files(NIGHTLY_AFTER_072))
    assert set(uploads(result, "testpypi")) <= set(result.index_files("testpypi"))
    assert uploads(result, "pypi") == [] and result.report["npm"] == []
    assert result.report["refs"] == []
    timings = result.report["timings"]  # our commands run inside act's time
    assert 0 < timings["commands"] < timings["act"] < timings["total"]


# --------------------------------------------------------------------------- prepare-release


def prepare_args(index: PypiIndex) -> list[str]:
    """uv resolves the client pin from ``index``, holding the client releases."""
    return [
        "--event", "workflow_dispatch", "--workflow", PREPARE,
        "--repository", "llamastack/llama-stack", "--env", f"UV_DEFAULT_INDEX={index.simple_url}",
    ]  # fmt: skip


@pytest.fixture
def prepare(client_index: Callable[..., PypiIndex]) -> list[str]:
    return prepare_args(client_index("0.7.2", "0.8.0rc1", "0.8.0"))


def test_prepare_release_push_mode_creates_the_release_branch(
    monorepo: Origin, prepare: list[str], tmp_path: Path
) -> None:
    result = rehearse(monorepo.work, *prepare, "--input", "version=0.8.0", tmp=tmp_path / "r")
    assert result.returncode == 0, result.describe()
    [created] = result.report["refs"]
    assert (created["ref"], created["before"], created["change"]) == (
        "refs/heads/release-0.8.x", None, "created",
    )  # fmt: skip
    assert_reported_refs_are_real(result)
    assert result.origin_subject("refs/heads/release-0.8.x") == "chore: prepare release v0.8.0"
    assert result.report["pull_requests"] == []


def test_prepare_release_on_a_protected_branch_opens_a_pull_request(
    monorepo: Origin, fresh_pypi_index: PypiIndex, tmp_path: Path
) -> None:
    publish_python_client(fresh_pypi_index, "0.7.3")  # the session index must not hold it
    before = git(monorepo.work, "rev-parse", "release-0.7.x").stdout.strip()
    result = rehearse(
        monorepo.work, *prepare_args(fresh_pypi_index), "--protect", "main",
        "--protect", "release-*", "--input", "version=0.7.3", "--input", "mode=pull-request",
        tmp=tmp_path / "r",
    )  # fmt: skip
    assert result.returncode == 0, result.describe()
    [pull] = result.report["pull_requests"]
    assert (pull["base"], pull["state"], pull["change"]) == ("release-0.7.x", "open", "opened")
    assert "0.7.3" in pull["title"]
    real = result.origin_refs()
    assert real["refs/heads/release-0.7.x"] == before  # the protected branch did not move
    assert real[f"refs/heads/{pull['head']}"]  # the pull request's branch is on origin
    assert [r["ref"] for r in result.report["refs"]] == [f"refs/heads/{pull['head']}"]
    assert_reported_refs_are_real(result)


def test_a_json_boolean_dry_run_rehearses_a_dry_run(
    monorepo: Origin, prepare: list[str], tmp_path: Path
) -> None:
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"inputs": {"version": "0.8.0", "dry_run": True}}))
    result = rehearse(monorepo.work, *prepare, "--event-file", str(event), tmp=tmp_path / "r")
    assert result.returncode == 0, result.describe()
    assert result.report["refs"] == [] and result.report["pull_requests"] == []
    assert "refs/heads/release-0.8.x" not in result.origin_refs()


def test_a_malformed_event_is_refused_before_anything_starts(
    monorepo: Origin, prepare: list[str], tmp_path: Path
) -> None:
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"inputs": {"version": "0.8.0", "dry_run": "yes"}}))
    tmp = tmp_path / "r"
    result = rehearse(monorepo.work, *prepare, "--event-file", str(event), tmp=tmp)
    assert result.returncode == 1, result.describe()  # refused, as every command refuses
    assert "dry_run" in result.report["error"] and "yes" in result.report["error"]
    assert result.report["fix"]
    assert "Traceback" not in result.stderr
    assert list(tmp.iterdir()) == []  # no world was made, act never started


# --------------------------------------------------------------------------- one package


def test_a_single_package_release_is_rehearsed(tmp_path: Path) -> None:
    tinylib = build_tinylib(tmp_path / "tinylib")
    work = tinylib.work
    # The workflow is only on the release branch: a release runs the tag's own files.
    git(work, "checkout", "--quiet", "-b", "release-1.1.x", "origin/release-1.1.x")
    commit_workflows(work, {"release-single-package.yml": RELEASE}, "release-1.1.x")
    git(work, "checkout", "--quiet", "release-1.1.x")
    git(work, "tag", "v1.1.2")
    git(work, "checkout", "--quiet", "master")
    git(work, "branch", "--quiet", "-D", "release-1.1.x")  # on origin only, as after a clone
    result = rehearse(work, "--event", "release", "--tag", "v1.1.2", tmp=tmp_path / "r")
    assert result.returncode == 0, result.describe()
    assert result.report["repository"] == "local/work"  # origin is no GitHub URL
    assert uploads(result, "pypi") == ["tinylib-1.1.2-py3-none-any.whl", "tinylib-1.1.2.tar.gz"]
    assert result.index_files("pypi") == uploads(result, "pypi")
    assert result.report["npm"] == [] and result.report["refs"] == []
    # The release branch that was only on the user's origin is on the world's origin too.
    assert "refs/heads/release-1.1.x" in result.origin_refs()
