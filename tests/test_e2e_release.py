"""The release workflow end to end: the example caller under act, publishing to local registries.

Each test runs ``tests/fixtures/consumer-workflows/release.yml`` as GitHub would. It
calls ``llama-stack/release-actions/.github/workflows/release.yml@v1`` (an export of
this working tree): compute-version, build (the monorepo's ``llama-stack`` and
``llama-stack-api`` with setuptools-scm's pretend version; the two clients checked
out from their own repositories at ``release-X.Y.x``, stamped with set-version,
built with uv and packed with npm), the install test, and the publish job through
the act stubs of ``pypa/gh-action-pypi-publish`` (``uv publish``) and
``actions/setup-node`` to:

* a pypiserver standing in for PyPI (holding the client 0.7.1 the monorepo locks),
* another standing in for TestPyPI (empty),
* a verdaccio standing in for npmjs (``llama-stack-client`` 0.6.1 and 0.7.1, latest
  0.7.1),

all set through the example's repository variables. The consumer repository is a
clone of the monorepo's origin (``tests/testbed/origin.py``; tags v0.6.0rc1 ...
v0.7.1, main at v0.7.2-dev with the client pin ``>=0.7.1``) with the example
workflow copied in; tests add release commits and tags as prepare-release would.

After each run the registries are read (versions, files, the Version inside each
file, dist-tags), and what was published is installed from the index into a fresh
venv, as a user would: each package must report the version and the client pin
must resolve.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.testbed.act import ActResult, ActRunner
from tests.testbed.dist_metadata import metadata_version
from tests.testbed.monorepo import git, git_env
from tests.testbed.origin import Origin
from tests.testbed.registries import (
    NPM_CLIENT,
    PYTHON_CLIENT,
    NpmRegistry,
    PypiIndex,
    closed_url,
    publish_npm_client,
    publish_python_client,
    running_npm_registry,
    running_pypi_index,
    tool,
)

pytestmark = pytest.mark.e2e

EXAMPLE = Path(__file__).parent / "fixtures" / "consumer-workflows" / "release.yml"
WORKFLOW = ".github/workflows/release.yml"
CLIENT = "llama-stack-client"
STACK = ("llama-stack", "llama-stack-api")
ALL = (*STACK, CLIENT)
# 2026-11-25T12:00:00Z: the nightly date comes from SOURCE_DATE_EPOCH.
EPOCH, DAY = "1795608000", "20261125"
NIGHTLY = f"0.7.2.dev{DAY}"
JOBS = {"version": "success", "build": "success", "smoke": "success", "publish": "success"}


# --------------------------------------------------------------------------- test bed


def client_repository(dest: Path, source: Path) -> Path:
    """A client repository (main and release-0.6.x/0.7.x/0.8.x) with a stale static version."""
    shutil.copytree(source, dest)
    env = git_env(1767603600)
    git(dest, "init", "--quiet", "--initial-branch=main", env=env)
    git(dest, "add", "--all", env=env)
    git(dest, "commit", "--quiet", "-m", "client", env=env)
    for branch in ("release-0.6.x", "release-0.7.x", "release-0.8.x"):
        git(dest, "branch", branch, env=env)
    return dest


@pytest.fixture(scope="module")
def clients(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("clients")
    return {
        "llamastack/llama-stack-client-python": client_repository(root / "python", PYTHON_CLIENT),
        "llamastack/llama-stack-client-typescript": client_repository(root / "ts", NPM_CLIENT),
    }


def release_commit(work: Path, branch: str, version: str, *, start: str = "") -> None:
    """What prepare-release commits on ``branch`` for ``version`` (pin ==V, fallback V),
    tagged vV; ``main`` is checked out again."""
    if start:
        git(work, "checkout", "--quiet", "-b", branch, start)
    else:
        git(work, "checkout", "--quiet", branch)
    for rel in ("pyproject.toml", "src/llama_stack_api/pyproject.toml"):
        path = work / rel
        text = re.sub(r'^fallback_version = "[^"]*"', f'fallback_version = "{version}"',
                      path.read_text(), flags=re.M)  # fmt: skip
        text = re.sub(rf'"{CLIENT}[<>=!~][^"]*"', f'"{CLIENT}=={version}"', text)
        path.write_text(text)
    git(work, "commit", "--quiet", "-am", f"chore: prepare release v{version}")
    git(work, "tag", f"v{version}")
    git(work, "checkout", "--quiet", "main")


@dataclass
class Bed:
    origin: Origin
    pypi: PypiIndex
    testpypi: PypiIndex
    npm: NpmRegistry
    runner: ActRunner
    tmp: Path

    @property
    def repo(self) -> Path:
        return self.origin.work

    def release_commit(self, branch: str, version: str, *, start: str = "") -> None:
        """:func:`release_commit`, pushed."""
        release_commit(self.repo, branch, version, start=start)
        git(self.repo, "push", "--quiet", "origin", branch, f"v{version}")

    def run(
        self,
        event: str,
        *,
        payload: dict[str, object] | None = None,
        inputs: dict[str, str] | None = None,
        npm_registry: str | None = None,
        github_api: str = "",
        check_inputs: bool = True,
    ) -> ActResult:
        variables = {
            "PYPI_INDEX_URL": self.pypi.simple_url,
            "PYPI_REPOSITORY_URL": self.pypi.url,
            "TESTPYPI_INDEX_URL": self.testpypi.simple_url,
            "TESTPYPI_REPOSITORY_URL": self.testpypi.url,
            "NPM_REGISTRY": npm_registry or self.npm.url,
            "RELEASE_WAIT_ATTEMPTS": "10",
            "RELEASE_WAIT_SECONDS": "0.5",
        }
        secrets = {"NPM_TOKEN": self.npm.token}
        env = {
            "SOURCE_DATE_EPOCH": EPOCH,
            # The local indexes have no setuptools: build without isolation in this venv,
            # which has setuptools and setuptools-scm (as tests/testbed/monorepo.py does).
            "UV_NO_BUILD_ISOLATION": "1",
            "UV_PYTHON": sys.executable,
            "UV_PYTHON_DOWNLOADS": "never",
            "npm_config_fetch_retries": "0",
            "npm_config_update_notifier": "false",
        }
        if github_api:  # post-release: pushes to origin, the GitHub API for pull requests
            variables["RELEASE_POST_RELEASE"] = "true"
            env |= {"GITHUB_API_URL": github_api, "RELEASE_ACTIONS_MAX_RETRY_WAIT": "0"}
            secrets["RELEASE_TOKEN"] = "e2e-dummy-token"
        return self.runner.run(
            self.repo, event, workflow=WORKFLOW, payload=payload, inputs=inputs, env=env,
            secrets=secrets, variables=variables, timeout=600, check_inputs=check_inputs,
        )  # fmt: skip


@pytest.fixture
def bed(
    origin: Origin, act_runner: ActRunner, clients: dict[str, Path], tmp_path: Path
) -> Iterator[Bed]:
    workflows = origin.work / ".github" / "workflows"
    workflows.mkdir(parents=True)
    shutil.copyfile(EXAMPLE, workflows / "release.yml")
    for repository, path in clients.items():
        act_runner.add_checkout_source(repository, path)
    with (
        running_pypi_index(tmp_path / "pypi") as pypi,
        running_pypi_index(tmp_path / "testpypi") as testpypi,
        running_npm_registry(tmp_path / "npm") as npm,
    ):
        publish_python_client(pypi, "0.7.1")
        for version in ("0.6.1", "0.7.1"):  # ascending: 0.7.1 is latest
            publish_npm_client(npm, version)
        yield Bed(origin, pypi, testpypi, npm, act_runner, tmp_path)


# --------------------------------------------------------------------------- checks


def file_version(path: Path) -> str:
    """The Version inside a wheel or sdist (not its file name)."""
    return metadata_version(path)


def files_of(index: PypiIndex, version: str) -> dict[str, str]:
    """``{file name: Version inside}`` of every file of ``version`` on the index."""
    return {
        name: file_version(index.packages_dir / name)
        for name in index.packages()
        if f"-{version}-" in name or name.endswith(f"-{version}.tar.gz")
    }


def expected_files(version: str, names: tuple[str, ...] = ALL) -> dict[str, str]:
    out = {}
    for name in names:
        stem = name.replace("-", "_")
        out[f"{stem}-{version}-py3-none-any.whl"] = version
        out[f"{stem}-{version}.tar.gz"] = version
    return out


def install_from(index: PypiIndex, version: str, tmp: Path) -> dict[str, str]:
    """Install ``llama-stack[client]==version`` from ``index`` only, in a fresh venv, as a
    user would; returns what the venv reports (distributions and the client's __version__)."""
    venv = tmp / f"venv-{version}"
    uv = tool("uv")
    env = {"PATH": "/usr/bin:/bin", "UV_NO_CONFIG": "1", "UV_PYTHON_DOWNLOADS": "never"}
    subprocess.run([uv, "venv", "--quiet", "--python", sys.executable, str(venv)],
                   check=True, env=env, capture_output=True)  # fmt: skip
    python = str(venv / "bin" / "python")
    proc = subprocess.run(
        [uv, "pip", "install", "--python", python, "--index-url", index.simple_url,
         f"llama-stack[client]=={version}"],
        env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    probe = (
        "import importlib.metadata as md, json, llama_stack_client as c\n"
        f"found = {{n: md.version(n) for n in {list(ALL)!r}}}\n"
        "print(json.dumps({**found, '__version__': c.__version__}))"
    )
    out = subprocess.run([python, "-c", probe], capture_output=True, text=True, check=True)
    report: dict[str, str] = json.loads(out.stdout)
    return report


def assert_success(result: ActResult) -> None:
    assert result.returncode == 0, result.describe()
    assert {k: v for k, v in result.job_results.items() if k in JOBS} == JOBS, result.describe()


def release_event(tag: str, prerelease: bool = False) -> dict[str, object]:
    return {"action": "published", "release": {"tag_name": tag, "prerelease": prerelease}}


# --------------------------------------------------------------------------- scenarios


def test_final_release_publishes_client_first_then_the_stack(bed: Bed) -> None:
    bed.release_commit("release-0.7.x", "0.7.2")
    result = bed.run("release", payload=release_event("v0.7.2"))
    assert_success(result)
    assert files_of(bed.pypi, "0.7.2") == expected_files("0.7.2")
    assert bed.testpypi.packages() == []
    assert bed.npm.versions(CLIENT) == ["0.6.1", "0.7.1", "0.7.2"]
    assert bed.npm.dist_tags(CLIENT) == {"latest": "0.7.2"}
    # The stamped npm client reports its version in package.json and src/version.ts.
    doc = bed.npm.packument(CLIENT)
    assert doc is not None and doc["versions"]["0.7.2"]["version"] == "0.7.2"
    # Publish order: client, wait until the index serves it, npm, stack.
    log = result.output("publish")
    order = [
        "act stub: uploading llama_stack_client-0.7.2",
        "llama-stack-client==0.7.2 is served by",
        "Publishing to http://127.0.0.1",  # npm publish --tag latest
        "act stub: uploading llama_stack-0.7.2",
        "llama-stack==0.7.2 is served by",
    ]
    positions = [log.index(marker) for marker in order]
    assert positions == sorted(positions), log
    assert f"Publishing to {bed.npm.url} with tag latest" in log
    assert result.step_outputs("publish", "client-python")["upload-count"] == "2"
    assert result.step_outputs("publish", "npm")["status"] == "published"
    assert install_from(bed.pypi, "0.7.2", bed.tmp) == {
        "llama-stack": "0.7.2", "llama-stack-api": "0.7.2", CLIENT: "0.7.2", "__version__": "0.7.2",
    }  # fmt: skip


def test_release_candidate_goes_to_testpypi_and_not_to_npm(bed: Bed) -> None:
    bed.release_commit("release-0.8.x", "0.8.0rc1", start="main")
    result = bed.run("release", payload=release_event("v0.8.0rc1", prerelease=True))
    assert_success(result)
    assert files_of(bed.testpypi, "0.8.0rc1") == expected_files("0.8.0rc1")
    assert bed.pypi.versions("llama-stack") == [] and bed.pypi.versions(CLIENT) == ["0.7.1"]
    # npm: packed and verified in the build, never published (no rc, latest untouched).
    assert bed.npm.versions(CLIENT) == ["0.6.1", "0.7.1"]
    assert bed.npm.dist_tags(CLIENT) == {"latest": "0.7.1"}
    # act logs no result for a skipped step
    assert result.step_result("publish", "npm") in (None, "skipped")
    packed = result.artifacts_dir / "release-dists" / "client-typescript"
    assert [p.name for p in packed.iterdir()] == ["llama-stack-client-0.8.0-rc.1.tgz"]
    assert install_from(bed.testpypi, "0.8.0rc1", bed.tmp)["__version__"] == "0.8.0rc1"


def test_nightly_and_its_same_day_rerun(bed: Bed) -> None:
    first = bed.run("schedule", payload={"schedule": "0 3 * * *"})
    assert_success(first)
    published = files_of(bed.testpypi, NIGHTLY)
    assert published == expected_files(NIGHTLY)
    assert bed.pypi.versions("llama-stack") == []  # nightlies never reach production
    assert bed.npm.versions(CLIENT) == ["0.6.1", "0.7.1"]  # npm packed only
    hashes = {n: (bed.testpypi.packages_dir / n).read_bytes() for n in published}

    again = bed.run("schedule", payload={"schedule": "0 3 * * *"})
    assert_success(again)
    # Nothing uploaded twice, nothing replaced: the index holds the first run's files.
    now = files_of(bed.testpypi, NIGHTLY)
    assert {n: (bed.testpypi.packages_dir / n).read_bytes() for n in now} == hashes
    for step in ("client-python", "local"):
        outputs = again.step_outputs("publish", step)
        assert outputs["upload"] == "false", outputs
    local = again.step_outputs("publish", "local")
    # Wheels are reproducible (SOURCE_DATE_EPOCH); setuptools sdists are not: skipped with a
    # warning under skip-existing, never uploaded.
    assert (local["skip-count"], local["skip-different-count"]) == ("2", "2")
    assert sum("is not uploaded" in w for w in again.annotations("warning")) == 2
    assert install_from(bed.testpypi, NIGHTLY, bed.tmp)[CLIENT] == NIGHTLY


def test_build_only_publishes_nothing(bed: Bed) -> None:
    before = (bed.pypi.packages(), bed.testpypi.packages(), bed.npm.versions(CLIENT))
    result = bed.run("workflow_dispatch", inputs={"dry_run": "build-only"})
    assert result.returncode == 0, result.describe()
    jobs = result.job_results
    assert (jobs["build"], jobs["smoke"]) == ("success", "success"), result.describe()
    assert jobs.get("publish") in (None, "skipped"), result.describe()
    assert (bed.pypi.packages(), bed.testpypi.packages(), bed.npm.versions(CLIENT)) == before
    built = result.artifacts_dir / "release-dists"
    versions = {p.name: file_version(p) for p in (built / "local").iterdir()}
    versions |= {p.name: file_version(p) for p in (built / "client-python").iterdir()}
    assert versions == expected_files(NIGHTLY)
    assert [p.name for p in (built / "client-typescript").iterdir()] == [
        f"llama-stack-client-0.7.2-dev.{DAY}.tgz"
    ]


def test_older_line_patch_keeps_latest(bed: Bed) -> None:
    bed.release_commit("release-0.6.x", "0.6.2")
    result = bed.run("release", payload=release_event("v0.6.2"))
    assert_success(result)
    assert files_of(bed.pypi, "0.6.2") == expected_files("0.6.2")
    assert bed.npm.dist_tags(CLIENT) == {"latest": "0.7.1", "latest-0.6": "0.6.2"}
    assert install_from(bed.pypi, "0.6.2", bed.tmp)[CLIENT] == "0.6.2"


def test_rerun_after_a_failure_between_the_client_and_the_stack(bed: Bed) -> None:
    bed.release_commit("release-0.7.x", "0.7.2")
    dead = closed_url()
    failed = bed.run("release", payload=release_event("v0.7.2"), npm_registry=dead)
    assert failed.returncode != 0
    assert failed.job_results["publish"] == "failure", failed.describe()
    assert failed.step_result("publish", "client-python") == "success"
    assert failed.step_result("publish", "npm") == "failure"
    # The client went out; the stack, which pins it, did not.
    assert files_of(bed.pypi, "0.7.2") == expected_files("0.7.2", (CLIENT,))
    client_files = {
        n: (bed.pypi.packages_dir / n).read_bytes() for n in files_of(bed.pypi, "0.7.2")
    }

    rerun = bed.run("release", payload=release_event("v0.7.2"))
    assert_success(rerun)
    client = rerun.step_outputs("publish", "client-python")
    assert (client["upload"], client["skip-count"]) == ("false", "2"), client
    assert rerun.step_outputs("publish", "local")["upload-count"] == "4"
    assert files_of(bed.pypi, "0.7.2") == expected_files("0.7.2")
    assert all((bed.pypi.packages_dir / n).read_bytes() == b for n, b in client_files.items())
    assert bed.npm.dist_tags(CLIENT) == {"latest": "0.7.2"}
    assert install_from(bed.pypi, "0.7.2", bed.tmp)["llama-stack"] == "0.7.2"


def test_post_release_follows_a_published_final_release(bed: Bed, github_api_factory: Any) -> None:
    """post-release: true chains the post-release workflow after publish (needs: publish only)."""
    server = github_api_factory(bed.origin.bare, full_name="llama-stack/llama-stack")
    bed.release_commit("release-0.7.x", "0.7.2")
    result = bed.run("release", payload=release_event("v0.7.2"), github_api=server.url)
    assert_success(result)
    assert result.job_results.get("post-release") == "success", result.describe()
    assert files_of(bed.pypi, "0.7.2") == expected_files("0.7.2")
    # What post-release does on origin: the next dev tag on main, fallback bumped there.
    dev_tag = bed.origin.ref("v0.7.3-dev")
    assert dev_tag is not None and bed.origin.is_ancestor(dev_tag, "main")
    assert 'fallback_version = "0.7.3.dev0"' in bed.origin.show("main", "pyproject.toml")


def test_an_invalid_packages_input_stops_before_any_build(bed: Bed) -> None:
    # A workflow_call caller can pass anything (GitHub checks no choices there): the
    # reusable workflow must stop it. The dispatch input is sent unchecked, as such a
    # caller would (a rehearsal, like GitHub's dispatch, refuses "every" up front).
    result = bed.run(
        "workflow_dispatch",
        inputs={"dry_run": "test-pypi", "packages": "every"},
        check_inputs=False,
    )
    assert result.returncode != 0
    assert result.job_results == {"version": "failure"}, result.describe()
    assert result.errors == ["the packages input must be all, local or clients."]
    with pytest.raises(ValueError, match="invalid input packages"):
        bed.run("workflow_dispatch", inputs={"dry_run": "test-pypi", "packages": "every"})


def test_hotfix_goes_to_pypi_only_without_the_clients(bed: Bed) -> None:
    """A hotfix X.Y.Z.N (Llama Stack's 0.2.10.1): the stack to PyPI, no npm form, so the
    clients are neither built nor published, and the stack keeps its pin on the client X.Y.Z."""
    work = bed.repo
    git(work, "checkout", "--quiet", "release-0.7.x")
    for rel in ("pyproject.toml", "src/llama_stack_api/pyproject.toml"):
        path = work / rel
        path.write_text(path.read_text().replace('fallback_version = "0.7.1"',
                                                 'fallback_version = "0.7.1.1"'))  # fmt: skip
    git(work, "commit", "--quiet", "-am", "chore: prepare release v0.7.1.1")
    git(work, "tag", "v0.7.1.1")
    git(work, "push", "--quiet", "origin", "release-0.7.x", "v0.7.1.1")
    git(work, "checkout", "--quiet", "main")
    payload = release_event("v0.7.1.1")
    payload["release"] = {**payload["release"], "target_commitish": "release-0.7.x"}  # type: ignore[dict-item]
    result = bed.run("release", payload=payload)
    assert_success(result)
    assert files_of(bed.pypi, "0.7.1.1") == expected_files("0.7.1.1", STACK)
    assert bed.pypi.versions(CLIENT) == ["0.7.1"] and bed.testpypi.packages() == []
    assert bed.npm.versions(CLIENT) == ["0.6.1", "0.7.1"]
    assert bed.npm.dist_tags(CLIENT) == {"latest": "0.7.1"}
    assert result.step_result("publish", "npm") in (None, "skipped")
    assert install_from(bed.pypi, "0.7.1.1", bed.tmp) == {
        "llama-stack": "0.7.1.1", "llama-stack-api": "0.7.1.1",
        CLIENT: "0.7.1", "__version__": "0.7.1",
    }  # fmt: skip
