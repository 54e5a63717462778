"""Shape (b) of issue 15: one package at the root, default branch ``master``, no npm, no
``[tool.release-actions]`` at all -- through the CLI, against a local bare origin.

master       : 1.1.0.dev0 ... v1.2.0-dev, fallback_version 1.2.0.dev0
release-1.1.x: v1.1.0, v1.1.1

Nothing may speak of ``main``, of npm or of Llama Stack; the default branch comes from
origin's HEAD (``refs/remotes/origin/HEAD`` in a clone, ``ls-remote --symref`` without it),
the event payload, the configuration, or HEAD's branch.
"""

from __future__ import annotations

import io
import json
import subprocess
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any

import pytest

from release_actions.core.config import Config
from release_actions.interface.cli import main
from release_actions.steps.default_branch import detect_default_branch
from tests.testbed.scenario import Scenario, git

DATE = "20261203"
CHECKLIST = """
[tool.release-actions]
announce = ["#releases on Zulip"]
docs-url = "https://tinylib.example.org/"
container-images = ["ghcr.io/tiny/tinylib"]
extra-artifacts = ["conda-forge feedstock"]
checklist = ["Close the 1.2.0 milestone"]
"""


def build(root: Path, config: str = "") -> tuple[Path, Path]:
    """The tinylib history pushed to ``root/origin.git``; returns (bare, clone)."""
    r = Scenario(root / "seed", fallback="1.1.0.dev0", branch="master", config=config).commit()
    r.branch("release-1.1.x").commit("prepare 1.1.0", fallback="1.1.0").tag("v1.1.0")
    r.commit("prepare 1.1.1", fallback="1.1.1").tag("v1.1.1").checkout("master")
    r.commit("develop", fallback="1.2.0.dev0").tag("v1.2.0-dev")
    bare = r.add_bare_origin(root / "origin.git")
    git(root, "clone", "-q", str(bare), "work")
    work = root / "work"
    git(work, "config", "user.name", "Release Tester")
    git(work, "config", "user.email", "tester@tinylib.test")
    git(work, "fetch", "-q", "origin", "release-1.1.x:release-1.1.x")
    return bare, work


@pytest.fixture
def tinylib(tmp_path: Path, clean_env: None) -> tuple[Path, Path]:
    return build(tmp_path)


def cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def cli_json(*argv: str) -> dict[str, Any]:
    code, out, err = cli(*argv, "--json")
    assert code == 0, out + err
    data: dict[str, Any] = json.loads(out)
    return data


def bare_ref(bare: Path, ref: str) -> str:
    proc = subprocess.run(
        ["git", "-C", str(bare), "rev-parse", "--verify", "--quiet", ref],
        capture_output=True,
        text=True,
        check=False,
    )
    return proc.stdout.strip()


# --------------------------------------------------------------------------- default branch


def test_default_branch_from_origin_head_then_ls_remote_then_head(
    tinylib: tuple[Path, Path], clean_env: None
) -> None:
    _bare, work = tinylib
    assert detect_default_branch(work, env={}) == ("master", "origin/HEAD")
    git(work, "remote", "set-head", "origin", "--delete")
    assert detect_default_branch(work, env={}) == ("master", "origin")
    git(work, "remote", "remove", "origin")
    git(work, "checkout", "-q", "release-1.1.x")
    assert detect_default_branch(work, env={}) == ("release-1.1.x", "HEAD")
    git(work, "checkout", "-q", "--detach")
    assert detect_default_branch(work, env={}) == ("main", "fallback")


def test_default_branch_from_event_and_configuration(
    tinylib: tuple[Path, Path], tmp_path: Path
) -> None:
    _bare, work = tinylib
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"repository": {"default_branch": "trunk"}}))
    env = {"GITHUB_EVENT_PATH": str(event)}
    assert detect_default_branch(work, env=env) == ("trunk", "event")
    configured = Config(default_branch="develop")
    assert detect_default_branch(work, configured, env=env) == ("develop", "configuration")
    event.write_text(json.dumps({"repository": {"default_branch": "a..b"}}))
    with pytest.raises(ValueError, match=r"a\.\.b"):
        detect_default_branch(work, env=env)


# --------------------------------------------------------------------------- compute-version


def test_compute_version_release_and_dispatch_without_npm(tinylib: tuple[Path, Path]) -> None:
    _bare, work = tinylib
    repo = ("--repo", str(work), "--date", DATE, "--no-fetch")
    release = cli_json("compute-version", *repo, "--event", "release", "--tag", "v1.1.1")
    assert (release["version"], release["target"], release["publish_pypi"]) == (
        "1.1.1",
        "pypi",
        True,
    )
    assert (release["publish_npm"], release["npm_dist_tag"]) == (False, "")
    final = cli_json(
        "compute-version", *repo, "--event", "workflow_dispatch", "--dry-run", "off",
        "--version", "1.2.0",
    )  # fmt: skip
    assert (final["version"], final["tag"], final["publish_npm"], final["npm_dist_tag"]) == (
        "1.2.0",
        "v1.2.0",
        False,
        "",
    )
    nightly = cli_json("compute-version", *repo, "--event", "workflow_dispatch")
    assert nightly["version"] == f"1.2.0.dev{DATE}"
    assert (nightly["target"], nightly["publish_npm"], nightly["npm_dist_tag"]) == (
        "testpypi",
        False,
        "",
    )


def test_nightly_version_on_master_and_detached(tinylib: tuple[Path, Path]) -> None:
    _bare, work = tinylib
    data = cli_json("nightly-version", "--repo", str(work), "--date", DATE, "--no-fetch")
    assert data["version"] == f"1.2.0.dev{DATE}"
    git(work, "checkout", "-q", "--detach", "master")
    code, out, err = cli("nightly-version", "--repo", str(work), "--date", DATE, "--no-fetch")
    assert code == 0, err
    assert f"1.2.0.dev{DATE}" in out
    assert "main" not in out + err


# --------------------------------------------------------------------------- prepare-release


def test_prepare_minor_cuts_the_branch_off_master(tinylib: tuple[Path, Path]) -> None:
    bare, work = tinylib
    args = ("prepare-release", "--repo", str(work), "--version", "1.2.0")
    code, out, err = cli(*args, "--dry-run")
    assert code == 0, out + err
    assert "release-1.2.x" in out + err and "'main'" not in out + err
    assert bare_ref(bare, "refs/heads/release-1.2.x") == ""
    code, out, err = cli(*args)
    assert code == 0, out + err
    master = bare_ref(bare, "refs/heads/master")
    branch = bare_ref(bare, "refs/heads/release-1.2.x")
    assert branch and master
    assert bare_ref(bare, "release-1.2.x~1") == master  # one commit on top of master's tip
    text = git(bare, "show", "release-1.2.x:pyproject.toml")
    assert 'fallback_version = "1.2.0"' in text


def test_prepare_patch_on_its_release_branch(tinylib: tuple[Path, Path]) -> None:
    bare, work = tinylib
    before = bare_ref(bare, "refs/heads/release-1.1.x")
    args = ("prepare-release", "--repo", str(work), "--version", "1.1.2")
    code, out, err = cli(*args, "--dry-run")
    assert code == 0, out + err
    assert bare_ref(bare, "refs/heads/release-1.1.x") == before
    code, out, err = cli(*args)
    assert code == 0, out + err
    assert bare_ref(bare, "release-1.1.x~1") == before
    text = git(bare, "show", "release-1.1.x:pyproject.toml")
    assert 'fallback_version = "1.1.2"' in text


# --------------------------------------------------------------------------- post-release


def test_post_release_skips_npm_in_one_line_and_bumps_master(tinylib: tuple[Path, Path]) -> None:
    bare, work = tinylib
    assert cli("prepare-release", "--repo", str(work), "--version", "1.2.0")[0] == 0
    git(work, "fetch", "-q", "origin")
    git(work, "tag", "v1.2.0", "origin/release-1.2.x")
    git(work, "push", "-q", "origin", "v1.2.0")
    code, out, err = cli("post-release", "--repo", str(work), "--tag", "v1.2.0", "--json")
    assert code == 0, out + err
    data = json.loads(out)
    assert (data["branch_status"], data["skipped"]) == (
        "skipped",
        "branch: no npm package configured (npm-package)",
    )
    npm_lines = [line for line in err.splitlines() if "npm" in line]
    assert npm_lines == ["note: branch: skipped: no npm package configured (npm-package)"]
    assert "depends on" not in out + err
    assert (data["dev_tag"], data["dev_tag_status"], data["main_status"]) == (
        "v1.2.1-dev",
        "created",
        "pushed",
    )
    assert "v1.2.1-dev on master" in err and "'main'" not in out + err
    assert bare_ref(bare, "refs/tags/v1.2.1-dev") == bare_ref(bare, "refs/heads/master~1")
    assert 'fallback_version = "1.2.1.dev0"' in git(bare, "show", "master:pyproject.toml")


# --------------------------------------------------------------------------- plan


def test_plan_checklist_is_generic(tinylib: tuple[Path, Path]) -> None:
    _bare, work = tinylib
    code, out, err = cli("plan", "1.2.0", "--repo", str(work))
    assert code == 0, out + err
    for word in ("Discord", "llama", "Llama", "Docker", "#releases", "on main", "off main"):
        assert word not in out, word
    # npm is named once: post-release's npm step, skipped.
    npm_lines = [line for line in out.splitlines() if "npm" in line]
    assert npm_lines == ["  - branch: skipped: no npm package configured (npm-package)"]
    assert "- [ ] Create release-1.2.x off master *(automated)*" in out
    assert "  - Python packages 1.2.0 on PyPI" in out
    assert "Announce" not in out


def test_plan_shows_configured_items(tmp_path: Path, clean_env: None) -> None:
    _bare, work = build(tmp_path, CHECKLIST)
    data = cli_json("plan", "1.2.0", "--repo", str(work))
    items = {item["title"]: item["detail"] for item in data["checklist"]}
    assert items["Check the release artifacts"] == [
        "Python packages 1.2.0 on PyPI",
        "ghcr.io/tiny/tinylib",
        "GitHub Release v1.2.0 with release notes",
        "Documentation: https://tinylib.example.org/",
        "conda-forge feedstock",
    ]
    assert items["Announce v1.2.0"] == ["#releases on Zulip"]
    assert "Close the 1.2.0 milestone" in items
