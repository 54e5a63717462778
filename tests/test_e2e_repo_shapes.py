"""Shape (b) of issue 15 under act: tinylib (one package, ``master``, no npm, no
configuration) calls the compute-version reusable workflow for a release event.

The repository is :func:`tests.testbed.shapes.build_tinylib`'s, with the example
``release-version.yml`` of ``tests/fixtures/consumer-workflows`` committed on
``master``. One run is shared by the tests: what already works, and what issue 15
(C) still has to make npm-free.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.testbed.act import ActRunner
from tests.testbed.monorepo import git
from tests.testbed.shapes import build_tinylib

pytestmark = pytest.mark.e2e

WORKFLOW = Path(__file__).parent / "fixtures" / "consumer-workflows" / "release-version.yml"
RELEASE_VERSION = ".github/workflows/release-version.yml"


@pytest.fixture(scope="module")
def tinylib_release_plan(
    release_actions_export: Path, act_venv_cache: Path, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, str]:
    root = tmp_path_factory.mktemp("tinylib-act")
    work = build_tinylib(root / "repo").work
    (work / ".github" / "workflows").mkdir(parents=True)
    shutil.copyfile(WORKFLOW, work / RELEASE_VERSION)
    git(work, "add", "--all")
    git(work, "commit", "--quiet", "-m", "ci: release-version workflow")
    runner = ActRunner(
        release_actions_dir=release_actions_export, venv_cache=act_venv_cache, tmp_dir=root / "act"
    )
    plan_file = root / "plan.json"
    result = runner.run(
        work,
        "release",
        workflow=RELEASE_VERSION,
        payload={"action": "published", "release": {"tag_name": "v1.1.1", "prerelease": False}},
        env={"RELEASE_PLAN_FILE": str(plan_file)},
        repository="example/tinylib",
        default_branch="master",
    )
    assert result.returncode == 0, result.describe()
    assert result.job_results == {"compute": "success", "plan": "success"}, result.describe()
    plan: dict[str, str] = json.loads(plan_file.read_text(encoding="utf-8"))
    return plan


def test_tinylib_release_under_act(tinylib_release_plan: dict[str, str]) -> None:
    plan = tinylib_release_plan
    assert (plan["version"], plan["tag"], plan["target"]) == ("1.1.1", "v1.1.1", "pypi")
    assert (plan["publish-pypi"], plan["release-branch"]) == ("true", "release-1.1.x")


def test_tinylib_release_is_npm_free_under_act(tinylib_release_plan: dict[str, str]) -> None:
    plan = tinylib_release_plan
    assert (plan["publish-npm"], plan["npm-dist-tag"]) == ("false", "")
