"""The doctor action end to end: the example scheduled workflow under act.

The repository is the test-bed monorepo (tests/testbed/monorepo.py) with the
example consumer workflows committed on main, including
``tests/fixtures/consumer-workflows/doctor.yml``, which uses
``llama-stack/release-actions/actions/doctor@v1`` (an export of this working tree).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from release_actions.steps.doctor import CHECKS
from tests.testbed.act import ActRunner
from tests.testbed.monorepo import DEFAULT_HISTORY, Commit, build_monorepo, git

pytestmark = pytest.mark.e2e

WORKFLOWS = Path(__file__).parent / "fixtures" / "consumer-workflows"
DOCTOR = ".github/workflows/doctor.yml"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    files = {f".github/workflows/{p.name}": p.read_text() for p in sorted(WORKFLOWS.glob("*.yml"))}
    history = (*DEFAULT_HISTORY, Commit("ci: release workflows (#60)", files=files))
    return build_monorepo(tmp_path_factory.mktemp("doctor") / "repo", history=history).path


@pytest.fixture
def repo(template: Path, tmp_path: Path) -> Path:
    dest = tmp_path / "repo"
    shutil.copytree(template, dest, symlinks=True)
    return dest


def test_healthy_repository(act_runner: ActRunner, repo: Path) -> None:
    result = act_runner.run(repo, "schedule", workflow=DOCTOR)
    assert result.returncode == 0, result.describe()
    assert result.job_results == {"doctor": "success"}, result.describe()
    outputs = result.step_outputs("doctor", "doctor")
    assert outputs["status"] == "ok"
    assert outputs["failed-checks"] == "" and outputs["warned-checks"] == ""
    report = json.loads(outputs["report"])
    assert report["branch"] == "main"
    assert {c["name"]: c["status"] for c in report["checks"]}["workflows"] == "ok"
    inference = {c["name"]: c["detail"] for c in report["checks"]}["scm-inference"]
    assert "nightly-version's base is 0.7.2 (dev-tag); they agree" in inference, inference
    assert f"Release doctor on main: all {len(CHECKS)} ok" in result.output("doctor")
    assert result.errors == []


def test_drift_fails_the_step_with_the_fix(act_runner: ActRunner, repo: Path) -> None:
    """v0.8.0 was released, but post-release never ran: main is still v0.7.2-dev/0.7.2.dev0."""
    git(repo, "branch", "release-0.8.x", "main")
    git(repo, "tag", "v0.8.0", "release-0.8.x")
    result = act_runner.run(repo, "schedule", workflow=DOCTOR)
    assert result.returncode != 0
    assert result.job_results == {"doctor": "failure"}, result.describe()
    assert result.step_result("doctor", "doctor") == "failure"
    outputs = result.step_outputs("doctor", "doctor")
    assert outputs["status"] == "fail"
    assert outputs["failed-checks"] == "fallback-version,dev-tag"
    assert any(
        "v0.7.2-dev is not above the newest release v0.8.0" in e
        and "Fix: run post-release for v0.8.0" in e
        for e in result.errors
    ), result.errors
