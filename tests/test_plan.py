"""``release-actions plan``: the release owner's checklist for the example monorepo
(tests/testbed/origin.py), with dry runs of prepare-release, compute-version and
post-release that change nothing, neither in the clone nor on origin."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from release_actions.adapters.github_client import connect
from release_actions.adapters.github_repo import Repo
from release_actions.core.versions import Version
from release_actions.interface.cli import main
from release_actions.steps.plan.release_plan import release_kind
from tests.testbed.github_api.server import GitHubAPIServer
from tests.testbed.monorepo import git
from tests.testbed.origin import Origin
from tests.testbed.registries import PypiIndex

REPOSITORY = "llama-stack/llama-stack"


@pytest.fixture(scope="module")
def index(client_index: Callable[..., PypiIndex]) -> PypiIndex:
    return client_index("0.7.2", "0.8.0rc1", "0.8.0")


@pytest.fixture(autouse=True)
def environment(
    index: PypiIndex, clean_env: None, uv_on_index: Callable[[PypiIndex], None]
) -> None:
    uv_on_index(index)


def state(origin: Origin) -> tuple[str, ...]:
    """Everything a plan must leave alone: refs on origin and in the clone, worktrees,
    the clone's files and config."""
    return (
        origin.bare_git("for-each-ref"),
        origin.git("for-each-ref"),
        origin.git("worktree", "list", "--porcelain"),
        origin.git("status", "--porcelain", "--ignored"),
        origin.git("config", "--list", "--local"),
    )


def plan(
    origin: Origin, index: PypiIndex, capsys: pytest.CaptureFixture[str], version: str, *args: str
) -> tuple[int, str]:
    before = state(origin)
    argv = ["plan", version, "--repo", str(origin.work), "--index-url", index.simple_url]
    code = main([*argv, *args])
    assert state(origin) == before
    return code, capsys.readouterr().out


def plan_json(
    origin: Origin, index: PypiIndex, capsys: pytest.CaptureFixture[str], version: str, *args: str
) -> tuple[int, dict[str, Any]]:
    code, out = plan(origin, index, capsys, version, "--json", *args)
    data: dict[str, Any] = json.loads(out)
    return code, data


def items(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {item["title"]: item for item in data["checklist"]}


@pytest.mark.parametrize(
    ("version", "kind"),
    [("0.7.2", "patch"), ("0.8.0", "minor"), ("0.8.0rc1", "minor"), ("1.0.0", "major"),
     ("1.0.0rc2", "major"), ("0.0.3", "patch"), ("2.1.0", "minor")],
)  # fmt: skip
def test_release_kind(version: str, kind: str) -> None:
    assert release_kind(Version(version)) == kind


def test_patch_release(
    origin: Origin, index: PypiIndex, capsys: pytest.CaptureFixture[str]
) -> None:
    code, data = plan_json(origin, index, capsys, "0.7.2")
    assert code == 0, data["blockers"]
    assert {k: data[k] for k in ("version", "tag", "kind", "release_candidate")} == {
        "version": "0.7.2", "tag": "v0.7.2", "kind": "patch", "release_candidate": False,
    }  # fmt: skip
    assert (data["release_branch"], data["branch_exists"], data["creates_branch"]) == (
        "release-0.7.x", True, False,
    )  # fmt: skip
    assert (data["previous_tag"], data["commits_since_previous"]) == ("v0.7.1", 0)
    assert data["snapshot"] == {
        "refs/heads/main": origin.ref("main"),
        "refs/heads/release-0.7.x": origin.ref("release-0.7.x"),
    }
    assert data["testing_window"] == ""
    prepare = data["prepare"]
    assert (prepare["status"], prepare["created_branch"], prepare["error"]) == (
        "dry-run", False, "",
    )  # fmt: skip
    assert prepare["changed_files"] == [
        "pyproject.toml", "src/llama_stack_api/pyproject.toml", "uv.lock",
    ]  # fmt: skip
    assert prepare["diff_summary"] == [
        "pyproject.toml: +3 -3",
        "src/llama_stack_api/pyproject.toml: +1 -1",
        "uv.lock: +6 -6",
        'pyproject.toml: fallback_version = "0.7.2"',
        'src/llama_stack_api/pyproject.toml: fallback_version = "0.7.2"',
    ]
    assert prepare["lock"] == "relocked"
    assert data["publish"] == {
        "version": "0.7.2",
        "npm_version": "0.7.2",
        "tag": "v0.7.2",
        "target": "pypi",
        "publish_pypi": True,
        "publish_npm": True,
        "npm_dist_tag": "latest",
        "is_prerelease": False,
        "is_dev": False,
        "release_branch": "release-0.7.x",
        "base_source": "tag",
        "npm_skip_reason": "",
    }
    post = data["post_release"]
    assert (post["next_dev_version"], post["dev_tag"], post["error"]) == ("0.7.3", "v0.7.3-dev", "")
    assert {name: step["status"] for name, step in post["steps"].items()} == {
        "dev-tag": "dry-run", "main": "dry-run", "branch": "dry-run",
    }  # fmt: skip
    assert post["steps"]["main"]["detail"] == "fallback_version 0.7.3.dev0"
    assert post["steps"]["branch"]["detail"] == "llama-stack-client 0.7.2"
    checklist = items(data)
    assert "Create release-0.7.x off main" not in checklist
    assert "Release candidates before the final release" not in checklist
    assert checklist[f"release-0.7.x exists at {origin.ref('release-0.7.x')[:12]}"]["detail"] == [
        "0 commits since v0.7.1",
        "nothing new on release-0.7.x since v0.7.1: backport the fixes first",
    ]
    assert data["blockers"] == []

    code, text = plan(origin, index, capsys, "0.7.2")
    assert code == 0
    assert text.startswith("# Release plan: v0.7.2 (patch release)\n")
    for line in (
        "- release branch: `release-0.7.x` (exists)",
        "## Before the release",
        "  - Backports reach release-0.7.x through Mergify: the release ships what is on it",
        "- [ ] Run the Prepare release workflow: version 0.7.2, release_branch release-0.7.x "
        "*(automated)*",
        '  - dry run: one commit "chore: prepare release v0.7.2" on release-0.7.x',
        "  - pin pyproject.toml: llama-stack-client==0.7.1 -> llama-stack-client==0.7.2",
        "  - version 0.7.2 to pypi; npm 0.7.2 with dist-tag latest",
        "  - main: dry-run: fallback_version 0.7.3.dev0",
        "  - `release-actions release-notes --tag v0.7.2 --previous-tag v0.7.1 "
        "--target release-0.7.x`",
        "- [ ] Check the release artifacts",
        "  - Python packages 0.7.2 on PyPI (and the pinned llama-stack-client 0.7.2)",
        "  - npm: llama-stack-client 0.7.2",
        "  - Docker Hub: distribution images",
        "  - GitHub Release v0.7.2 with release notes",
        "  - Documentation: https://llamastack.github.io",
        "- [ ] Announce v0.7.2",
        "  - #releases Discord channel: a thread for the release",
        "  - #announcements Discord channel",
        '+fallback_version = "0.7.2"',
    ):
        assert line in text.splitlines(), line


def test_minor_release(
    origin: Origin, index: PypiIndex, capsys: pytest.CaptureFixture[str]
) -> None:
    code, data = plan_json(origin, index, capsys, "0.8.0")
    assert code == 0, data["blockers"]
    assert (data["kind"], data["release_candidate"], data["testing_window"]) == (
        "minor", False, "1 week",
    )  # fmt: skip
    assert (data["branch_exists"], data["creates_branch"]) == (False, True)
    assert data["snapshot"] == {"refs/heads/main": origin.ref("main")}
    assert data["prepare"]["base_sha"] == origin.ref("main")
    assert "Community testing window: 1 week" in data["testing"]
    assert (data["publish"]["target"], data["publish"]["npm_dist_tag"]) == ("pypi", "latest")
    assert data["post_release"]["dev_tag"] == "v0.8.1-dev"
    assert data["post_release"]["steps"]["branch"]["status"] == "dry-run"  # on the new branch
    checklist = items(data)
    assert checklist["Create release-0.8.x off main"]["detail"] == [
        f"prepare-release creates it at main ({origin.ref('main')[:12]})"
    ]
    assert checklist["Release candidates before the final release"]["detail"] == [
        "none yet: publish 0.8.0rc1 first (release-actions plan 0.8.0rc1); RCs go to TestPyPI",
        "community testing window: 1 week",
    ]
    scm = next(t for t in checklist if t.startswith("Ensure release-0.8.x has the setuptools-scm"))
    assert checklist[scm]["automated"] is True

    code, text = plan(origin, index, capsys, "0.8.0")
    assert code == 0
    assert text.startswith("# Release plan: v0.8.0 (minor release)\n")
    assert "- release branch: `release-0.8.x` (prepare-release creates it)" in text
    assert "- [ ] Create release-0.8.x off main *(automated)*" in text
    assert "  - pin pyproject.toml: llama-stack-client>=0.7.1 -> llama-stack-client==0.8.0" in text


def test_release_candidate(
    origin: Origin, index: PypiIndex, capsys: pytest.CaptureFixture[str]
) -> None:
    code, data = plan_json(origin, index, capsys, "0.8.0rc1")
    assert code == 0, data["blockers"]
    assert (data["kind"], data["release_candidate"], data["creates_branch"]) == (
        "minor", True, True,
    )  # fmt: skip
    publish = data["publish"]
    assert (publish["target"], publish["publish_npm"], publish["npm_dist_tag"]) == (
        "testpypi", False, "rc",
    )  # fmt: skip
    post = data["post_release"]
    assert post["next_dev_version"] == "" and post["dev_tag"] == ""
    assert post["steps"]["dev-tag"]["status"] == "skipped"
    assert post["steps"]["main"]["status"] == "skipped"
    checklist = items(data)
    assert "Release candidates before the final release" not in checklist
    assert checklist["Release candidate for community testing"]["detail"] == [
        "Python packages go to testpypi, npm is not published",
        "more RCs may follow until the release is stable",
        "community testing window: 1 week",
    ]
    release = next(t for t in checklist if t.startswith("Create the GitHub Release"))
    assert release == "Create the GitHub Release v0.8.0rc1 on release-0.8.x as a pre-release, " + (
        "then publish it"
    )
    assert checklist["Check the release artifacts"]["detail"] == [
        "Python packages 0.8.0rc1 on TestPyPI (and the pinned llama-stack-client 0.8.0rc1)"
    ]
    _code, text = plan(origin, index, capsys, "0.8.0rc1")
    assert text.startswith("# Release plan: v0.8.0rc1 (release candidate of a minor release)\n")
    assert "  - branch: skipped in the real run while npm does not have the version" in text


def test_major_release_asks_for_rcs_and_a_test_plan(
    origin: Origin, index: PypiIndex, capsys: pytest.CaptureFixture[str]
) -> None:
    _code, data = plan_json(origin, index, capsys, "1.0.0", "--lock-policy", "skip")
    assert data["kind"] == "major" and data["testing_window"] == "2-3 weeks"
    assert "Scheduled testing period with predefined test plans" in data["testing"]
    assert any("uv.lock NOT updated" in n for n in data["prepare"]["notes"])


@pytest.mark.parametrize(
    ("version", "blocker"),
    [
        ("0.7.1", "prepare-release would fail: tag v0.7.1 already exists"),
        ("0.9.1", "release-0.9.x does not exist: a patch release is made from its branch"),
    ],
)
def test_blockers_exit_1(
    origin: Origin,
    index: PypiIndex,
    capsys: pytest.CaptureFixture[str],
    version: str,
    blocker: str,
) -> None:
    code, text = plan(origin, index, capsys, version)
    assert code == 1
    assert "**Blockers:**" in text
    assert blocker in text


def test_invalid_version(origin: Origin, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "v0.8.0", "--repo", str(origin.work)]) == 1
    assert "fix: drop the leading 'v': use 0.8.0" in capsys.readouterr().err
    assert main(["plan", "0.8.0", "--repo", str(origin.work), "--lock-policy", "later"]) == 1
    assert "invalid --lock-policy 'later'" in capsys.readouterr().err


def test_milestone_is_looked_up_on_request(
    origin: Origin,
    index: PypiIndex,
    capsys: pytest.CaptureFixture[str],
    github_api_factory: Callable[..., GitHubAPIServer],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    server = github_api_factory(origin.bare, full_name=REPOSITORY)
    api = Repo.open(connect("t", server.url), REPOSITORY)
    milestone = api.raw.create_milestone("v0.7.2")
    issue = api.raw.create_issue("Crash on start", milestone=milestone)
    server.reset_counts()
    for name, value in {
        "GITHUB_TOKEN": "t", "GITHUB_API_URL": server.url, "GITHUB_REPOSITORY": REPOSITORY,
    }.items():  # fmt: skip
        monkeypatch.setenv(name, value)
    code, text = plan(origin, index, capsys, "0.7.2", "--milestone")
    assert code == 1
    url = f"https://github.com/{REPOSITORY}/issues/{issue.number}"
    assert f"  - [#{issue.number}]({url}) Crash on start" in text
    assert "- :x: Milestone 'v0.7.2' / '0.7.2': every issue done" in text
    assert server.count("POST") == 0
    server.state.issues[issue.number].state = "closed"
    code, data = plan_json(origin, index, capsys, "0.7.2", "--milestone")
    assert code == 0
    assert data["milestone"] == {
        "titles": ["v0.7.2", "0.7.2"],
        "found": "v0.7.2",
        "open_issues": [],
    }


def test_without_origin_the_clone_is_its_own_source(
    origin: Origin, index: PypiIndex, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    local = origin.clone(tmp_path / "local")
    git(local, "branch", "release-0.7.x", "origin/release-0.7.x")
    git(local, "remote", "remove", "origin")
    refs = git(local, "for-each-ref").stdout
    code = main(["plan", "0.7.2", "--repo", str(local), "--index-url", index.simple_url, "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0, data["blockers"]
    assert data["snapshot"]["refs/heads/release-0.7.x"] == origin.ref("release-0.7.x")
    assert data["prepare"]["status"] == "dry-run"
    assert git(local, "for-each-ref").stdout == refs
