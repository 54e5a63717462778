"""compute-version: the Workflow Modes table of Llama Stack's RELEASE_PROCESS.md, event by event."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from release_actions.core.config import LLAMA_STACK, Config
from release_actions.interface.cli import main
from release_actions.steps.compute import Request, compute, request_from_event
from tests.testbed.scenario import NPM_CLIENT, Scenario

DATE = "20261125"
KEYS = [
    "version",
    "npm_version",
    "tag",
    "target",
    "publish_pypi",
    "publish_npm",
    "npm_dist_tag",
    "is_prerelease",
    "is_dev",
    "release_branch",
    "base_source",
    "npm_skip_reason",
]


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """main: dev tag v0.7.2-dev; release-0.7.x: v0.7.0, v0.7.1; release-0.6.x: v0.6.1."""
    path = tmp_path_factory.mktemp("compute") / "repo"
    r = Scenario(path, fallback="0.7.2.dev0", config=NPM_CLIENT).commit()
    r.branch("release-0.6.x").commit().tag("v0.6.0").commit().tag("v0.6.1").checkout("main")
    r.commit().branch("release-0.7.x").commit().tag("v0.7.0").commit().tag("v0.7.1")
    r.checkout("main").commit().tag("v0.7.2-dev").commit()
    return r.path


def run(repo: Path, *args: str) -> dict[str, object]:
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["compute-version", "--repo", str(repo), "--json", "--date", DATE, *args])
    assert code == 0, out.getvalue()
    data = json.loads(out.getvalue())
    assert list(data) == KEYS
    return data


ROWS = [
    # (args, expected subset)
    (
        ["--event", "release", "--tag", "v0.7.1"],
        dict(
            version="0.7.1",
            npm_version="0.7.1",
            tag="v0.7.1",
            target="pypi",
            publish_pypi=True,
            publish_npm=True,
            npm_dist_tag="latest",
            is_prerelease=False,
            is_dev=False,
            release_branch="release-0.7.x",
            base_source="tag",
        ),
    ),
    (
        ["--event", "release", "--tag", "v0.6.2"],
        dict(version="0.6.2", target="pypi", npm_dist_tag="latest-0.6", publish_npm=True),
    ),
    (
        ["--event", "release", "--tag", "v0.8.0rc1"],
        dict(
            version="0.8.0rc1",
            npm_version="0.8.0-rc.1",
            target="testpypi",
            publish_pypi=True,
            publish_npm=False,
            npm_dist_tag="rc",
            is_prerelease=True,
            release_branch="release-0.8.x",
        ),
    ),
    (
        ["--event", "release", "--tag", "v0.8.0rc1", "--rc-target", "pypi"],
        dict(target="pypi", publish_npm=True, npm_dist_tag="rc"),
    ),
    (
        ["--event", "release", "--tag", "v0.8.0", "--prerelease"],
        dict(
            version="0.8.0",
            target="testpypi",
            is_prerelease=True,
            npm_dist_tag="next",
            publish_npm=False,
        ),
    ),
    (
        ["--event", "schedule"],
        dict(
            version=f"0.7.2.dev{DATE}",
            npm_version=f"0.7.2-dev.{DATE}",
            tag="",
            target="testpypi",
            publish_pypi=True,
            publish_npm=False,
            is_dev=True,
            base_source="dev-tag",
        ),
    ),
    (
        ["--event", "workflow_dispatch"],
        dict(version=f"0.7.2.dev{DATE}", target="testpypi", publish_pypi=True, publish_npm=False),
    ),
    (
        ["--event", "workflow_dispatch", "--dry-run", "test-pypi", "--version", "0.7.2rc1"],
        dict(version="0.7.2rc1", target="testpypi", publish_npm=False, is_prerelease=True),
    ),
    (
        ["--event", "workflow_dispatch", "--dry-run", "test-pypi", "--version", "0.7.2.dev3"],
        dict(version="0.7.2.dev3", target="testpypi", is_dev=True, base_source="input"),
    ),
    (
        ["--event", "workflow_dispatch", "--dry-run", "build-only"],
        dict(version=f"0.7.2.dev{DATE}", target="none", publish_pypi=False, publish_npm=False),
    ),
    (
        ["--event", "workflow_dispatch", "--dry-run", "off", "--version", "0.7.2"],
        dict(
            version="0.7.2",
            tag="v0.7.2",
            target="pypi",
            publish_pypi=True,
            publish_npm=True,
            npm_dist_tag="latest",
            base_source="input",
        ),
    ),
    (
        ["--event", "workflow_dispatch", "--dry-run", "off", "--version", "0.8.0rc2"],
        dict(version="0.8.0rc2", target="testpypi", npm_dist_tag="rc", publish_npm=False),
    ),
    (["--event", "push"], dict(version=f"0.7.2.dev{DATE}", target="none", publish_pypi=False)),
    (["--event", "pull_request"], dict(target="none", publish_pypi=False, is_dev=True)),
    (
        ["--event", "push", "--branch", "release-0.6.x"],
        dict(version=f"0.6.2.dev{DATE}", release_branch="release-0.6.x", target="none"),
    ),
]


@pytest.mark.parametrize(("args", "expected"), ROWS, ids=[" ".join(a) for a, _ in ROWS])
def test_workflow_modes(repo: Path, args: list[str], expected: dict[str, object]) -> None:
    data = run(repo, *args)
    assert {k: data[k] for k in expected} == expected


def test_event_payload_is_read_when_no_inputs(repo: Path, tmp_path: Path) -> None:
    payload = tmp_path / "event.json"
    payload.write_text(json.dumps({"release": {"tag_name": "v0.8.0rc2", "prerelease": True}}))
    env = {"GITHUB_EVENT_NAME": "release", "GITHUB_EVENT_PATH": str(payload)}
    assert request_from_event(env=env) == Request("release", "v0.8.0rc2", prerelease=True)
    payload.write_text(json.dumps({"inputs": {"dry_run": "off", "version": "0.7.3"}}))
    env["GITHUB_EVENT_NAME"] = "workflow_dispatch"
    req = request_from_event(env=env)
    assert (req.event, req.dry_run, req.version) == ("workflow_dispatch", "off", "0.7.3")
    plan = compute(req, repo=repo, config=LLAMA_STACK, env={})
    assert (plan.version, plan.target, plan.npm_dist_tag) == ("0.7.3", "pypi", "latest")


def test_github_prerelease_flag_from_payload(repo: Path, tmp_path: Path) -> None:
    """Llama Stack's pypi.yml sent a GitHub pre-release to pypi.org and npm latest."""
    payload = tmp_path / "event.json"
    payload.write_text(json.dumps({"release": {"tag_name": "v0.8.0", "prerelease": True}}))
    env = {"GITHUB_EVENT_NAME": "release", "GITHUB_EVENT_PATH": str(payload)}
    plan = compute(request_from_event(env=env), repo=repo, config=LLAMA_STACK, env={})
    assert (plan.target, plan.publish_npm, plan.npm_dist_tag) == ("testpypi", False, "next")


def test_tag_from_github_ref(repo: Path) -> None:
    env = {"GITHUB_EVENT_NAME": "release", "GITHUB_REF": "refs/tags/v0.7.1"}
    assert request_from_event(env=env).tag == "v0.7.1"


def test_rc_target_from_config(repo: Path) -> None:
    plan = compute(
        Request("release", "v0.8.0rc1"),
        repo=repo,
        config=Config(rc_target="pypi", npm_package="c"),
        env={},
    )
    assert (plan.target, plan.publish_npm, plan.npm_dist_tag) == ("pypi", True, "rc")


def test_outputs_written_in_kebab_case(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out, summary = tmp_path / "out", tmp_path / "summary"
    monkeypatch.setenv("GITHUB_OUTPUT", str(out))
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    run(repo, "--event", "release", "--tag", "v0.7.1")
    lines = out.read_text().splitlines()
    assert "npm-dist-tag=latest" in lines
    assert "publish-pypi=true" in lines
    assert "release-branch=release-0.7.x" in lines
    assert len(lines) == len(KEYS)
    assert "| version | `0.7.1` |" in summary.read_text()
