"""The compute-version decision takes data, and compute-version lists tags only when it must."""

from __future__ import annotations

from pathlib import Path

import pytest

from release_actions.core.config import LLAMA_STACK, Config
from release_actions.core.version_plan import (
    NightlyBuild,
    Plan,
    ReleaseBuild,
    Request,
    decide,
    npm_dist_tag,
)
from release_actions.core.versions import Version, parse_release_tag
from release_actions.steps import compute as compute_step
from release_actions.steps.compute import compute

TAGS = [parse_release_tag(t) for t in ("v0.6.1", "v0.7.0", "v0.7.1", "v0.8.0rc1")]


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        ("0.7.2", "latest"),
        ("0.7.1", "latest"),  # a re-run of the newest release
        ("0.6.2", "latest-0.6"),
        ("0.8.0rc2", "rc"),
        ("0.8.0b1", "beta"),
        ("0.8.0a1", "alpha"),
    ],
)
def test_npm_dist_tag_from_the_known_tags(version: str, expected: str) -> None:
    assert npm_dist_tag(Version(version), TAGS) == expected


def test_npm_dist_tag_ignores_pre_releases_when_finding_the_newest() -> None:
    assert npm_dist_tag(Version("0.7.2"), [parse_release_tag("v0.9.0rc1")]) == "latest"


@pytest.mark.parametrize(
    ("request_", "needs_tags"),
    [
        (Request("release", tag="v0.7.2"), True),
        (Request("release", tag="v0.8.0rc2"), False),
        (Request("release", tag="v0.8.0", prerelease=True), False),  # "next"
        (Request("workflow_dispatch", dry_run="off", version="0.6.2"), True),
        (Request("workflow_dispatch", dry_run="test-pypi", version="0.6.2"), True),
        (Request("workflow_dispatch", dry_run="off", version="0.8.0rc2"), False),
    ],
)
def test_release_builds_ask_for_tags_only_for_a_final_release(
    request_: Request, needs_tags: bool
) -> None:
    build = decide(request_, Config())
    assert isinstance(build, ReleaseBuild)
    assert build.needs_known_tags is needs_tags


def test_dev_builds_wait_for_the_nightly_version() -> None:
    assert decide(Request("schedule"), Config()) == NightlyBuild("testpypi")
    assert decide(Request("pull_request"), Config()) == NightlyBuild("none")
    assert decide(Request("workflow_dispatch", dry_run="build-only"), Config()) == NightlyBuild(
        "none"
    )
    plan = NightlyBuild("testpypi").plan(Version("0.7.2.dev20261125"), "dev-tag")
    assert (plan.version, plan.npm_dist_tag, plan.publish_pypi) == (
        "0.7.2.dev20261125",
        "dev",
        True,
    )


def test_a_manual_dev_version_is_decided_at_once() -> None:
    plan = decide(Request("workflow_dispatch", version="0.7.2.dev3"), Config())
    assert isinstance(plan, Plan)
    assert (plan.version, plan.target, plan.base_source) == ("0.7.2.dev3", "testpypi", "input")


def test_an_old_line_patch_plan() -> None:
    build = decide(Request("release", tag="v0.6.2"), Config())
    assert isinstance(build, ReleaseBuild)
    plan = build.plan(TAGS)
    assert (plan.target, plan.publish_npm, plan.npm_dist_tag, plan.release_branch) == (
        "pypi",
        True,
        "latest-0.6",
        "release-0.6.x",
    )


def test_compute_lists_no_tags_for_an_rc(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    def no_listing(repo: Path) -> list[object]:
        raise AssertionError("tags listed for an RC")

    monkeypatch.setattr(compute_step, "known_release_tags", no_listing)
    plan = compute(Request("release", tag="v0.8.0rc1"), repo=tmp_path, config=LLAMA_STACK)
    assert plan.npm_dist_tag == "rc"


def test_compute_lists_tags_for_a_final_release(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    seen: list[Path] = []

    def listing(repo: Path, conventions: object) -> list[object]:
        seen.append(repo)
        return list(TAGS)

    monkeypatch.setattr(compute_step, "known_release_tags", listing)
    plan = compute(Request("release", tag="v0.6.2"), repo=tmp_path, config=LLAMA_STACK)
    assert (plan.npm_dist_tag, seen) == ("latest-0.6", [tmp_path])
