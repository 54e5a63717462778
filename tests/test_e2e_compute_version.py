"""compute-version and nightly-version end to end: the real workflows under act.

A consumer repository (module fixture ``consumer``) is built once, with the
example workflows of ``tests/fixtures/consumer-workflows`` committed in it::

    main:           init -- work on 0.7.2 (v0.7.2-dev) -- more work   <- HEAD
                      \\
    release-0.7.x:     0.7.0 (v0.7.0) -- 0.7.1 (v0.7.1)

and a bare ``origin`` that serves partial clones (``uploadpack.allowFilter``).
Every test runs a workflow as GitHub would call it: ``release-version.yml``
calls ``llama-stack/release-actions/.github/workflows/compute-version.yml@v1``
(an export of this working tree) and its ``plan`` job writes the
``needs.version.outputs`` to ``$RELEASE_PLAN_FILE``; ``nightly-version.yml``
uses ``llama-stack/release-actions/actions/nightly-version@v1`` directly.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.testbed.act import ActResult, ActRunner
from tests.testbed.scenario import Scenario, git

pytestmark = pytest.mark.e2e

WORKFLOWS = Path(__file__).parent / "fixtures" / "consumer-workflows"
RELEASE_VERSION = ".github/workflows/release-version.yml"
NIGHTLY_VERSION = ".github/workflows/nightly-version.yml"
# 2026-11-25T12:00:00Z: the nightly date comes from SOURCE_DATE_EPOCH.
EPOCH, DAY = "1795608000", "20261125"


@pytest.fixture(scope="module")
def consumer(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The consumer repository (see the module docstring); act copies it, never changes it."""
    root = tmp_path_factory.mktemp("consumer")
    repo = Scenario(root / "repo", fallback="0.7.2.dev0")
    # The dist-tag is decided from the tags here: this registry is never reachable (the
    # registry's own say is tests/test_npm_dist_tag.py, against verdaccio).
    pyproject = repo.path / "pyproject.toml"
    # A Llama-Stack-shaped consumer: its client is published to npm.
    settings = 'npm-package = "llama-stack-client"\nnpm-registry = "http://127.0.0.1:9/"\n'
    pyproject.write_text(pyproject.read_text() + "\n[tool.release-actions]\n" + settings)
    shutil.copytree(WORKFLOWS, repo.path / ".github" / "workflows")
    repo.commit("init")
    repo.branch("release-0.7.x").commit("0.7.0").tag("v0.7.0").commit("0.7.1").tag("v0.7.1")
    repo.checkout("main").commit("work on 0.7.2").tag("v0.7.2-dev").commit("more work")
    repo.add_bare_origin(root / "origin.git")
    return repo.path


def plan_of(result: ActResult, plan_file: Path) -> dict[str, str]:
    """The plan the caller's ``plan`` job read from ``needs.version.outputs``.

    Also checks that the action step's declared outputs say the same: under act
    the job outputs would not show a broken ``outputs:`` mapping in
    actions/compute-version/action.yml (see ActResult.step_outputs).
    """
    assert result.returncode == 0, result.describe()
    assert result.job_results == {"compute": "success", "plan": "success"}, result.describe()
    plan = json.loads(plan_file.read_text(encoding="utf-8"))
    assert result.step_outputs("compute", "compute") == plan
    return plan


def run_release_version(
    act_runner: ActRunner, consumer: Path, tmp_path: Path, event: str, **kwargs: object
) -> tuple[ActResult, Path]:
    plan_file = tmp_path / "plan.json"
    env = {"RELEASE_PLAN_FILE": str(plan_file), "SOURCE_DATE_EPOCH": EPOCH}
    result = act_runner.run(consumer, event, workflow=RELEASE_VERSION, env=env, **kwargs)
    return result, plan_file


def release_plan(**changes: str) -> dict[str, str]:
    """The plan of the final release 0.7.1, with ``changes``."""
    plan = {
        "version": "0.7.1",
        "npm-version": "0.7.1",
        "tag": "v0.7.1",
        "target": "pypi",
        "publish-pypi": "true",
        "publish-npm": "true",
        "npm-dist-tag": "latest",
        "is-prerelease": "false",
        "is-dev": "false",
        "release-branch": "release-0.7.x",
        "base-source": "tag",
        "npm-skip-reason": "",
    }
    return {**plan, **changes}


@pytest.mark.parametrize(
    ("release", "expected"),
    [
        pytest.param({"tag_name": "v0.7.1", "prerelease": False}, release_plan(), id="final"),
        pytest.param(
            {"tag_name": "v0.6.4", "prerelease": False},
            release_plan(
                version="0.6.4",
                **{"npm-version": "0.6.4", "tag": "v0.6.4", "npm-dist-tag": "latest-0.6"},
                **{"release-branch": "release-0.6.x"},
            ),
            id="older-line-patch",
        ),
        pytest.param(
            {"tag_name": "v0.8.0rc1", "prerelease": True},
            release_plan(
                version="0.8.0rc1",
                target="testpypi",
                tag="v0.8.0rc1",
                **{"npm-version": "0.8.0-rc.1", "publish-npm": "false", "npm-dist-tag": "rc"},
                **{"is-prerelease": "true", "release-branch": "release-0.8.x"},
            ),
            id="release-candidate",
        ),
        pytest.param(
            {"tag_name": "v0.7.2", "prerelease": True},
            release_plan(
                version="0.7.2",
                target="testpypi",
                tag="v0.7.2",
                **{"npm-version": "0.7.2", "publish-npm": "false", "npm-dist-tag": "next"},
                **{"is-prerelease": "true"},
            ),
            id="final-tag-marked-prerelease",
        ),
    ],
)
def test_release_published(
    act_runner: ActRunner,
    consumer: Path,
    tmp_path: Path,
    release: dict[str, object],
    expected: dict[str, str],
) -> None:
    result, plan_file = run_release_version(
        act_runner, consumer, tmp_path, "release",
        payload={"action": "published", "release": release},
    )  # fmt: skip
    assert plan_of(result, plan_file) == expected


@pytest.fixture(scope="module")
def schedule_plan(
    release_actions_export: Path,
    act_venv_cache: Path,
    consumer: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, str]:
    """One scheduled run of release-version.yml, shared by the two tests below."""
    tmp = tmp_path_factory.mktemp("schedule")
    runner = ActRunner(
        release_actions_dir=release_actions_export, venv_cache=act_venv_cache, tmp_dir=tmp / "act"
    )
    result, plan_file = run_release_version(
        runner, consumer, tmp, "schedule", payload={"schedule": "0 3 * * *"}
    )
    return plan_of(result, plan_file)


def test_schedule_builds_a_nightly_from_the_dev_tag(schedule_plan: dict[str, str]) -> None:
    plan = dict(schedule_plan)
    plan.pop("is-prerelease")  # see test_schedule_nightly_is_not_a_prerelease
    assert plan == {
        "version": f"0.7.2.dev{DAY}",
        "npm-version": f"0.7.2-dev.{DAY}",
        "tag": "",
        "target": "testpypi",
        "publish-pypi": "true",
        "publish-npm": "false",
        "npm-dist-tag": "dev",
        "is-dev": "true",
        "release-branch": "release-0.7.x",
        "base-source": "dev-tag",
        "npm-skip-reason": "",
    }


def test_schedule_nightly_is_not_a_prerelease(schedule_plan: dict[str, str]) -> None:
    assert schedule_plan["is-prerelease"] == "false"


def test_dispatch_off_with_a_version_publishes_it(
    act_runner: ActRunner, consumer: Path, tmp_path: Path
) -> None:
    result, plan_file = run_release_version(
        act_runner, consumer, tmp_path, "workflow_dispatch",
        inputs={"dry_run": "off", "version": "0.7.2"},
    )  # fmt: skip
    assert plan_of(result, plan_file) == release_plan(
        version="0.7.2",
        tag="v0.7.2",
        **{"npm-version": "0.7.2", "base-source": "input"},
    )


def test_dispatch_off_without_a_version_fails_with_the_fix(
    act_runner: ActRunner, consumer: Path, tmp_path: Path
) -> None:
    result, plan_file = run_release_version(
        act_runner, consumer, tmp_path, "workflow_dispatch", inputs={"dry_run": "off"}
    )
    assert result.returncode == 1, result.describe()
    assert result.job_results == {"compute": "failure"}, result.describe()
    assert result.step_result("compute", "compute") == "failure"
    assert result.errors == [
        "invalid version '': expected X.Y.Z or X.Y.ZrcN. "
        "Fix: dry-run=off publishes to production: give the version (the workflow's "
        "version input, or --version), e.g. 0.4.5 or 0.5.0rc1"
    ], result.describe()
    assert not plan_file.exists()


def nightly_outputs(result: ActResult) -> dict[str, str]:
    assert result.returncode == 0, result.describe()
    assert result.job_results == {"nightly": "success"}, result.describe()
    return result.step_outputs("nightly", "nightly")


NIGHTLY = {
    "version": f"0.7.2.dev{DAY}",
    "npm-version": f"0.7.2-dev.{DAY}",
    "base": "0.7.2",
    "base-source": "dev-tag",
    "tag": "v0.7.2-dev",
}


def test_nightly_version_action(act_runner: ActRunner, consumer: Path) -> None:
    result = act_runner.run(
        consumer, "schedule", workflow=NIGHTLY_VERSION, env={"SOURCE_DATE_EPOCH": EPOCH}
    )
    assert nightly_outputs(result) == NIGHTLY
    assert f"Nightly version 0.7.2.dev{DAY} (base from dev-tag)" in result.output("nightly")
    assert result.annotations("notice") == []  # full clone with tags: nothing fetched
    # The harness's promise: the action venv lives in the one session-wide RA_VENV_CACHE.
    venvs = list((act_runner.venv_cache / "release-actions").glob("venv-*-core-*/.complete"))
    assert len(venvs) == 1, venvs  # compute/nightly share the core venv (other actions: github)


def test_nightly_version_action_in_a_shallow_tagless_clone(
    act_runner: ActRunner, consumer: Path, tmp_path: Path
) -> None:
    origin = consumer.parent / "origin.git"
    clone = tmp_path / "clone"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", "--no-tags", origin.as_uri(), str(clone)],
        check=True,
    )
    assert git(clone, "rev-parse", "--is-shallow-repository") == "true"
    assert git(clone, "tag", "--list") == ""
    result = act_runner.run(
        clone, "schedule", workflow=NIGHTLY_VERSION, env={"SOURCE_DATE_EPOCH": EPOCH}
    )
    assert nightly_outputs(result) == NIGHTLY
    assert result.annotations("notice") == [
        "fetched history (treeless) and tags from origin (the checkout was shallow or tagless)"
    ]
