"""Each command in the repository's own conventions, through the CLI, on real git repositories.

Four shapes (tests/testbed/scenario.py):

* pytest: tags ``9.1.0``, ``9.1.1`` (no prefix) on ``9.1.x``, the dev tag ``9.2.0.dev0``
  on main, and a stray ``v7.4.3`` from long ago;
* astropy: ``v8.0.0``, ``v8.0.1`` on ``v8.0.x``, ``v7.2.0`` on ``v7.2.x``, the dev tag
  ``v8.1.0.dev`` on main;
* ``rel-``: ``tag-prefix = "rel-"`` configured, ``rel-0.6.0`` on ``release-0.6.x``, the dev
  tag ``rel-0.7.0-dev``, and a ``v9.9.9`` tag that detection alone would have taken;
* Llama Stack: ``v0.4.5`` on ``release-0.4.x``, ``v0.4.6-dev`` on main (unchanged).

Every command runs as ``python -m release_actions ... --json``, as the actions do.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.testbed.scenario import NPM_CLIENT, Scenario, git

ROOT = Path(__file__).resolve().parent.parent
DATE = "20261201"
IDENTITY = {
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.com",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.com",
    "GIT_CONFIG_GLOBAL": "/dev/null",
    "GIT_CONFIG_NOSYSTEM": "1",
}


def cli(repo: Path, *args: str, code: int = 0) -> tuple[dict[str, Any], str]:
    """``python -m release_actions ARGS --repo REPO --json``: (the JSON document, stderr)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "RA_"))}
    env.update(IDENTITY, PYTHONPATH=str(ROOT / "action-lib"))
    proc = subprocess.run(
        [sys.executable, "-m", "release_actions", *args, "--repo", str(repo)]
        + ([] if args[0] == "maintained" else ["--json"]),
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=120,
    )
    assert proc.returncode == code, proc.stderr + proc.stdout
    return json.loads(proc.stdout), proc.stderr


def nightly(repo: Path) -> tuple[dict[str, Any], str]:
    return cli(repo, "nightly-version", "--date", DATE, "--no-fetch")


def release(repo: Path, tag: str, code: int = 0) -> dict[str, Any]:
    # The dist-tag from the tags: no public registry is asked (tests/test_npm_dist_tag.py).
    args = ("--event", "release", "--tag", tag, "--npm-registry", "none")
    return cli(repo, "compute-version", *args, code=code)[0]


def dispatch(repo: Path) -> dict[str, Any]:
    args = ("--event", "workflow_dispatch", "--date", DATE, "--no-fetch")
    return cli(repo, "compute-version", *args)[0]


def prepare(repo: Path, version: str) -> dict[str, Any]:
    return cli(repo, "prepare-release", "--version", version, "--dry-run", "--no-push")[0]


def line(repo: Scenario, branch: str, tags: list[str], dev: str = "") -> None:
    """Cut ``branch`` from main, one prepare commit + tag per version; back to main, where
    ``dev`` (if any) tags the next commit."""
    repo.checkout("main").commit(f"work towards {branch}")
    repo.branch(branch)
    for tag in tags:
        repo.commit(f"chore: prepare release {tag}", fallback=tag.lstrip("vrel-")).tag(tag)
    repo.checkout("main")
    if dev:
        repo.commit(f"open {dev}").tag(dev)


@pytest.fixture
def pytest_shape(tmp_path: Path) -> Path:
    repo = Scenario(tmp_path / "pytest", fallback="7.4.0.dev0", config=NPM_CLIENT)
    repo.commit("init").tag("v7.4.3")  # a stray tag of another era
    line(repo, "9.1.x", ["9.1.0", "9.1.1"], dev="9.2.0.dev0")
    repo.commit().commit()
    return repo.path


@pytest.fixture
def astropy_shape(tmp_path: Path) -> Path:
    repo = Scenario(tmp_path / "astropy", fallback="7.2.0.dev0", config=NPM_CLIENT)
    repo.commit("init")
    line(repo, "v7.2.x", ["v7.2.0"], dev="v8.0.0.dev")
    line(repo, "v8.0.x", ["v8.0.0", "v8.0.1"], dev="v8.1.0.dev")
    repo.commit()
    return repo.path


@pytest.fixture
def rel_shape(tmp_path: Path) -> Path:
    repo = Scenario(tmp_path / "rel", fallback="0.6.0.dev0")
    with (repo.path / "pyproject.toml").open("a") as fh:
        fh.write('\n[tool.release-actions]\ntag-prefix = "rel-"\n')
    repo.commit("init").tag("v9.9.9")  # newer than ours: detection alone would pick "v"
    line(repo, "release-0.6.x", ["rel-0.6.0"], dev="rel-0.7.0-dev")
    repo.commit()
    return repo.path


@pytest.fixture
def llama_shape(tmp_path: Path) -> Path:
    repo = Scenario(tmp_path / "llama", fallback="0.4.0.dev0")
    repo.commit("init")
    line(repo, "release-0.4.x", ["v0.4.4", "v0.4.5"], dev="v0.4.6-dev")
    repo.commit()
    return repo.path


def test_pytest_shape(pytest_shape: Path) -> None:
    repo = pytest_shape
    night, notes = nightly(repo)
    # setuptools-scm infers 9.2.0.devN from the nearest tag 9.2.0.dev0: the same base
    assert (night["version"], night["base_source"], night["tag"]) == (
        f"9.2.0.dev{DATE}",
        "dev-tag",
        "9.2.0.dev0",
    )
    assert "tag-prefix '' (detected from 9.1.1)" in notes
    assert "v7.4.3" in notes  # reported as ignored, never the base
    plan, notes = cli(repo, "compute-version", "--event", "release", "--tag", "9.1.1")
    assert "conventions: tag-prefix '' (detected from 9.1.1)" in notes
    assert (plan["tag"], plan["version"], plan["release_branch"]) == (
        "9.1.1",
        "9.1.1",
        "9.1.x",
    )
    assert plan["npm_dist_tag"] == "latest"
    disp = dispatch(repo)
    assert (disp["version"], disp["base_source"]) == (f"9.2.0.dev{DATE}", "dev-tag")
    manual, _ = cli(
        repo, "compute-version", "--event", "workflow_dispatch", "--dry-run", "off",
        "--version", "9.1.2",
    )  # fmt: skip
    assert (manual["tag"], manual["release_branch"]) == ("9.1.2", "9.1.x")
    refused, err = cli(repo, "compute-version", "--event", "release", "--tag", "v9.1.1", code=1)
    assert "use 9.1.1" in refused["fix"] and "Traceback" not in err
    minor = prepare(repo, "9.2.0")
    assert (minor["release_branch"], minor["tag"], minor["created_branch"]) == (
        "9.2.x",
        "9.2.0",
        True,
    )
    patch = prepare(repo, "9.1.2")
    assert (patch["release_branch"], patch["created_branch"]) == ("9.1.x", False)
    maintained, _ = cli(repo, "maintained")
    assert maintained["include"] == [{"branch": "9.1.x", "line": "9.1", "latest": "9.1.1"}]


def test_pytest_shape_nightly_on_its_release_branch(pytest_shape: Path) -> None:
    git(pytest_shape, "checkout", "-q", "9.1.x")
    night, _ = nightly(pytest_shape)
    assert (night["base"], night["tag"]) == ("9.1.2", "9.1.1")


def test_pytest_shape_plan(pytest_shape: Path) -> None:
    plan, _ = cli(pytest_shape, "plan", "9.2.0")
    assert (plan["tag"], plan["release_branch"]) == ("9.2.0", "9.2.x")
    assert plan["previous_tag"] == "9.1.1"
    assert (plan["publish"]["tag"], plan["publish"]["release_branch"]) == ("9.2.0", "9.2.x")
    assert plan["post_release"]["dev_tag"] == "9.2.1.dev0"
    titles = [item["title"] for item in plan["checklist"]]
    assert "Create 9.2.x off main" in titles
    assert any(t.startswith("Milestone '9.2.0':") for t in titles), titles


def test_astropy_shape(astropy_shape: Path) -> None:
    repo = astropy_shape
    night, notes = nightly(repo)
    assert (night["version"], night["tag"]) == (f"8.1.0.dev{DATE}", "v8.1.0.dev")
    assert "dev-tag 'v{version}.dev' (detected from v8.1.0.dev)" in notes
    plan = release(repo, "v8.0.1")
    assert (plan["tag"], plan["release_branch"]) == ("v8.0.1", "v8.0.x")
    old = release(repo, "v7.2.0")
    assert (old["release_branch"], old["npm_dist_tag"]) == ("v7.2.x", "latest-7.2")
    disp = dispatch(repo)
    assert disp["version"] == f"8.1.0.dev{DATE}"
    minor = prepare(repo, "8.1.0")
    assert (minor["release_branch"], minor["tag"]) == ("v8.1.x", "v8.1.0")
    patch = prepare(repo, "8.0.2")
    assert (patch["release_branch"], patch["created_branch"]) == ("v8.0.x", False)
    args = ("--version", "8.0.2", "--release-branch", "release-8.0.x", "--dry-run", "--no-push")
    refused, _ = cli(repo, "prepare-release", *args, code=1)
    assert refused["fix"] == "prepare 8.0.2 on v8.0.x"
    maintained, _ = cli(repo, "maintained")
    assert [(i["branch"], i["latest"]) for i in maintained["include"]] == [
        ("v8.0.x", "v8.0.1"),
        ("v7.2.x", "v7.2.0"),
    ]


def test_astropy_shape_post_release_writes_its_dev_tag_form(astropy_shape: Path) -> None:
    repo = Scenario.__new__(Scenario)  # reuse the DSL on the fixture's repository
    repo.path, repo.count, repo.config = astropy_shape, 100, NPM_CLIENT
    line(repo, "v8.1.x", ["v8.1.0"])
    post, _ = cli(astropy_shape, "post-release", "--tag", "v8.1.0", "--no-push")
    assert (post["dev_tag"], post["release_branch"]) == ("v8.1.1.dev", "v8.1.x")
    assert git(astropy_shape, "tag", "--list", "v8.1.1.dev", "--merged", "main") == "v8.1.1.dev"
    doctor, _ = cli(astropy_shape, "doctor", code=1)  # fails on the demo's [build-system]
    checks = {c["name"]: c for c in doctor["checks"]}
    assert (
        "release-branch 'v{major}.{minor}.x' (detected from v8.1.x)"
        in (checks["conventions"]["detail"])
    )
    assert checks["release-branches"]["status"] == "ok", checks["release-branches"]
    assert checks["dev-tag"]["detail"] == "v8.1.1.dev is above the newest release v8.1.0"


def test_rel_prefix_shape(rel_shape: Path) -> None:
    repo = rel_shape
    plan = release(repo, "rel-0.6.0")
    assert (plan["tag"], plan["version"], plan["release_branch"]) == (
        "rel-0.6.0",
        "0.6.0",
        "release-0.6.x",
    )
    refused = release(repo, "0.6.0", code=1)
    assert refused["fix"] == "release tags start with 'rel-': use rel-0.6.0"
    night, notes = nightly(repo)
    assert (night["version"], night["tag"]) == (f"0.7.0.dev{DATE}", "rel-0.7.0-dev")
    assert "tag-prefix 'rel-' (configured)" in notes and "v9.9.9" in notes
    disp = dispatch(repo)
    assert disp["version"] == f"0.7.0.dev{DATE}"
    minor = prepare(repo, "0.7.0")
    assert (minor["release_branch"], minor["tag"]) == ("release-0.7.x", "rel-0.7.0")
    maintained, _ = cli(repo, "maintained")
    assert maintained["include"] == [
        {"branch": "release-0.6.x", "line": "0.6", "latest": "rel-0.6.0"}
    ]


def test_llama_stack_shape_unchanged(llama_shape: Path) -> None:
    repo = llama_shape
    night, notes = nightly(repo)
    assert (night["version"], night["tag"]) == (f"0.4.6.dev{DATE}", "v0.4.6-dev")
    assert "release-branch 'release-{major}.{minor}.x' (default)" in notes
    plan = release(repo, "v0.4.5")
    assert (plan["tag"], plan["release_branch"]) == ("v0.4.5", "release-0.4.x")
    refused = release(repo, "0.4.5", code=1)
    assert refused["fix"] == "release tags start with 'v': use v0.4.5"
    disp = dispatch(repo)
    assert disp["version"] == f"0.4.6.dev{DATE}"
    minor = prepare(repo, "0.5.0")
    assert (minor["release_branch"], minor["tag"]) == ("release-0.5.x", "v0.5.0")
    maintained, _ = cli(repo, "maintained")
    assert maintained["include"] == [{"branch": "release-0.4.x", "line": "0.4", "latest": "v0.4.5"}]
