"""post-release: next dev versions, main never backwards, npm lock on the release branch,
re-runs, crashes, concurrency and protected main, on the monorepo's bare origin."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from release_actions.adapters.delivery import Identity
from release_actions.adapters.github_client import connect
from release_actions.adapters.github_repo import Repo
from release_actions.core.config import Config
from release_actions.core.errors import InvalidValueError
from release_actions.core.versions import ReleaseBranch, parse_release_tag
from release_actions.steps.post.release import (
    PostRequest,
    PostResult,
    find_release_tag,
    plan_next,
    post_release,
)
from tests.testbed.origin import Origin, copy_origin
from tests.testbed.registries import NpmRegistry, publish_npm_client

BOT = Identity("release-bot", "bot@example.com")
ROOT = "pyproject.toml"
UI = "src/llama_stack_ui/package.json"
LOCK = "src/llama_stack_ui/package-lock.json"
API_PYPROJECT = "src/llama_stack_api/pyproject.toml"


# --- tag -> next dev tag, next fallback, release branch --------------------------------------

TABLE = [
    # (tag, next-dev policy, rc policy, dev tag, fallback, release branch)
    ("v0.4.5", "patch", "ignore", "v0.4.6-dev", "0.4.6.dev0", "release-0.4.x"),
    ("v0.6.0", "patch", "ignore", "v0.6.1-dev", "0.6.1.dev0", "release-0.6.x"),  # real sequence
    ("v0.6.1", "patch", "ignore", "v0.6.2-dev", "0.6.2.dev0", "release-0.6.x"),  # real sequence
    ("v0.7.0", "patch", "ignore", "v0.7.1-dev", "0.7.1.dev0", "release-0.7.x"),  # real sequence
    ("v0.7.0", "minor", "ignore", "v0.8.0-dev", "0.8.0.dev0", "release-0.7.x"),
    ("v0.10.9", "patch", "ignore", "v0.10.10-dev", "0.10.10.dev0", "release-0.10.x"),
    ("v1.0.0", "minor", "ignore", "v1.1.0-dev", "1.1.0.dev0", "release-1.0.x"),
    ("v0.6.0rc1", "patch", "ignore", None, None, "release-0.6.x"),  # post-release.yml: v0.6.1-dev
    ("v0.6.0rc1", "patch", "track", "v0.6.1-dev", "0.6.1.dev0", "release-0.6.x"),
    ("v0.6.0rc2", "minor", "track", "v0.7.0-dev", "0.7.0.dev0", "release-0.6.x"),
]


@pytest.mark.parametrize(("tag", "policy", "rc", "dev_tag", "fallback", "branch"), TABLE)
def test_next_versions(
    tag: str, policy: str, rc: str, dev_tag: str | None, fallback: str | None, branch: str
) -> None:
    version = parse_release_tag(tag).version
    nxt = plan_next(version, PostRequest(tag, next_dev=policy, rc_policy=rc), Config())
    assert (f"v{nxt}-dev" if nxt else None) == dev_tag
    assert (f"{nxt}.dev0" if nxt else None) == fallback
    assert ReleaseBranch.for_version(version).name == branch


@pytest.mark.parametrize("tag", ["v1.2", "v0.2.10.1", "v0.5.0.post1", "v0.6.1-dev", "0.6.1"])
def test_bad_tags_rejected(tag: str) -> None:
    """Llama Stack's post-release.yml: v1.2, v0.2.10.1 and v0.5.0.post1 broke the bash
    arithmetic."""
    with pytest.raises(InvalidValueError) as info:
        parse_release_tag(tag)
    assert tag in str(info.value)


def test_release_tag_on_commit_prefers_final_over_rc_and_never_dev(origin: Origin) -> None:
    sha = origin.ref("release-0.7.x")
    for name in ("v0.7.9rc1", "v0.7.9", "v0.7.10-dev", "v0.7.9rc2"):
        origin.bare_git("tag", name, sha)
    assert find_release_tag(origin.work, sha).name == "v0.7.9"


# --- end to end on the monorepo origin --------------------------------------------------------


@pytest.fixture(scope="module")
def npm(npm_registry: NpmRegistry) -> NpmRegistry:
    for version in ("0.7.1", "0.7.2", "0.6.2", "0.8.0", "0.8.1", "0.9.0"):
        if version not in npm_registry.versions("llama-stack-client"):
            publish_npm_client(npm_registry, version, tag="latest" if version == "0.9.0" else "old")
    return npm_registry


def release(origin: Origin, tag: str, branch: str, *, base: str = "") -> None:
    """Tag ``branch`` (created from ``base`` first, if given) on origin, as publishing did."""
    if base:
        origin.bare_git("branch", branch, base)
    origin.bare_git("tag", tag, branch)


def run(
    origin: Origin,
    npm: NpmRegistry,
    tag: str,
    repo: Path | None = None,
    config: Config | None = None,
    pulls: object = None,
    **kw: object,
) -> PostResult:
    request = PostRequest(
        tag=tag, npm_registry=npm.url, npm_wait_attempts=2, npm_wait_seconds=0, **kw
    )  # type: ignore[arg-type]
    return post_release(repo or origin.work, request, config or Config(), identity=BOT, pulls=pulls)  # type: ignore[arg-type]


def fallback(origin: Origin, ref: str, path: str = ROOT) -> str:
    line = next(x for x in origin.show(ref, path).splitlines() if x.startswith("fallback_version"))
    return line.split('"')[1]


def test_patch_release(origin: Origin, npm: NpmRegistry) -> None:
    release(origin, "v0.7.2", "release-0.7.x")
    main_before = origin.ref("main")
    result = run(origin, npm, "v0.7.2")
    assert {k: s.status for k, s in result.steps.items()} == {
        "dev-tag": "created",
        "main": "pushed",
        "branch": "pushed",
    }
    assert origin.tags()["v0.7.3-dev"] == main_before
    assert origin.tag_type("v0.7.3-dev") == "commit"  # lightweight, as post-release.yml tags
    assert fallback(origin, "main") == fallback(origin, "main", API_PYPROJECT) == "0.7.3.dev0"
    assert origin.log("main", max_count=1)[0].subject == (
        "chore: bump fallback_version to 0.7.3.dev0 after v0.7.2"
    )
    ui = json.loads(origin.show("release-0.7.x", UI))
    assert ui["dependencies"] == {"llama-stack-client": "^0.7.2"}
    lock = json.loads(origin.show("release-0.7.x", LOCK))
    assert lock["packages"]["node_modules/llama-stack-client"]["version"] == "0.7.2"
    assert lock["packages"][""]["dependencies"] == {"llama-stack-client": "^0.7.2"}
    # The release branch got exactly the npm change; main got exactly the bump.
    assert origin.log("release-0.7.x", max_count=1)[0].subject.startswith(
        "chore: update llama-stack-client to 0.7.2"
    )
    # Re-run after success: nothing to do, nothing duplicated.
    refs = origin.bare_git("for-each-ref")
    again = run(origin, npm, "v0.7.2")
    assert {k: s.status for k, s in again.steps.items()} == {
        "dev-tag": "exists",
        "main": "unchanged",
        "branch": "unchanged",
    }
    assert origin.bare_git("for-each-ref") == refs


def test_minor_release_under_each_policy(origin: Origin, npm: NpmRegistry, tmp_path: Path) -> None:
    release(origin, "v0.8.0", "release-0.8.x", base="main")
    result = run(origin, npm, "v0.8.0")  # patch policy (RELEASE_PROCESS.md, "Post-release")
    assert result.next_dev == "0.8.1" and "v0.8.1-dev" in origin.tags()
    assert fallback(origin, "main") == "0.8.1.dev0"
    other = copy_origin(origin, tmp_path / "minor")
    other.bare_git("tag", "-d", "v0.8.1-dev")
    other.bare_git("update-ref", "refs/heads/main", origin.ref("main") + "~1")
    minor = run(other, npm, "v0.8.0", repo=other.work, next_dev="minor")
    assert minor.next_dev == "0.9.0" and "v0.9.0-dev" in other.tags()
    assert fallback(other, "main") == "0.9.0.dev0"


def test_old_line_patch_leaves_main_alone(origin: Origin, npm: NpmRegistry) -> None:
    """Llama Stack's post-release.yml: 1.2.5 after 1.3.0 tagged main v1.2.6-dev and moved
    fallback backwards."""
    release(origin, "v0.6.2", "release-0.6.x")
    main_before, tags_before = origin.ref("main"), set(origin.tags())
    result = run(origin, npm, "v0.6.2")
    assert result.steps["dev-tag"].status == "skipped"
    assert "v0.7.2-dev" in result.steps["dev-tag"].detail
    assert result.steps["main"].status == "skipped"
    assert origin.ref("main") == main_before
    assert set(origin.tags()) == tags_before
    assert result.steps["branch"].status == "pushed"
    assert (
        json.loads(origin.show("release-0.6.x", UI))["dependencies"]["llama-stack-client"]
        == "^0.6.2"
    )


def test_rc_leaves_main_alone_and_skips_unpublished_npm(origin: Origin, npm: NpmRegistry) -> None:
    release(origin, "v0.8.0rc1", "release-0.8.x", base="main")
    main_before = origin.ref("main")
    result = run(origin, npm, "v0.8.0rc1")
    assert result.steps["main"].status == result.steps["dev-tag"].status == "skipped"
    assert origin.ref("main") == main_before
    assert result.steps["branch"].status == "skipped"
    assert "0.8.0-rc.1" in result.steps["branch"].detail  # the npm form, not 0.8.0rc1


def test_rc_on_npm_gets_npm_form(origin: Origin, npm: NpmRegistry) -> None:
    if "0.8.0-rc.2" not in npm.versions("llama-stack-client"):
        publish_npm_client(npm, "0.8.0-rc.2", tag="rc")
    release(origin, "v0.8.0rc2", "release-0.8.x", base="main")
    result = run(origin, npm, "v0.8.0rc2")
    assert result.steps["branch"].status == "pushed"
    ui = json.loads(origin.show("release-0.8.x", UI))
    assert ui["dependencies"]["llama-stack-client"] == "^0.8.0-rc.2"


def test_rerun_after_crash_between_tag_and_bump(origin: Origin, npm: NpmRegistry) -> None:
    release(origin, "v0.7.2", "release-0.7.x")
    origin.bare_git("tag", "v0.7.3-dev", "main")  # the crash happened after step A
    result = run(origin, npm, "v0.7.2")
    assert result.steps["dev-tag"].status == "exists"
    assert result.steps["main"].status == "pushed"
    assert fallback(origin, "main") == "0.7.3.dev0"


def test_dev_tag_on_another_commit_is_reported(origin: Origin, npm: NpmRegistry) -> None:
    release(origin, "v0.7.2", "release-0.7.x")
    origin.bare_git("tag", "v0.7.3-dev", "release-0.7.x")
    result = run(origin, npm, "v0.7.2")
    assert result.steps["dev-tag"].status == "failed"
    assert "not on main" in result.steps["dev-tag"].detail
    assert result.steps["main"].status == "pushed"  # one failure does not hide the others
    assert result.failed


def test_renamed_client_package_fails_clearly(origin: Origin, npm: NpmRegistry) -> None:
    release(origin, "v0.7.2", "release-0.7.x")
    config = Config(npm_package="@llama-stack/client", package_jsons=("src/llama_stack_ui",))
    result = run(origin, npm, "v0.7.2", config=config)
    step = result.steps["branch"]
    assert step.status == "failed"
    assert "src/llama_stack_ui/package.json" in step.detail and "@llama-stack/client" in step.detail


def test_no_package_json_depends_on_client(origin: Origin, npm: NpmRegistry) -> None:
    release(origin, "v0.7.2", "release-0.7.x")
    result = run(origin, npm, "v0.7.2", config=Config(npm_package="some-other-client"))
    assert result.steps["branch"].status == "skipped"
    assert "no package.json depends on some-other-client" in result.steps["branch"].detail


def test_dry_run_changes_nothing(origin: Origin, npm: NpmRegistry) -> None:
    release(origin, "v0.7.2", "release-0.7.x")
    refs = origin.bare_git("for-each-ref")
    result = run(origin, npm, "v0.7.2", dry_run=True)
    assert {s.status for s in result.steps.values()} == {"dry-run"}
    assert origin.bare_git("for-each-ref") == refs


def test_two_concurrent_post_releases(origin: Origin, npm: NpmRegistry, tmp_path: Path) -> None:
    """0.6.2 and 0.7.2 published the same day: main ends at 0.7.3.dev0, each change once."""
    release(origin, "v0.7.2", "release-0.7.x")
    release(origin, "v0.6.2", "release-0.6.x")
    second = tmp_path / "second"
    origin.clone(second)
    results: dict[str, PostResult] = {}

    def go(tag: str, repo: Path) -> None:
        results[tag] = run(origin, npm, tag, repo=repo)

    threads = [
        threading.Thread(target=go, args=("v0.7.2", origin.work)),
        threading.Thread(target=go, args=("v0.6.2", second)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not results["v0.7.2"].failed and not results["v0.6.2"].failed
    assert fallback(origin, "main") == "0.7.3.dev0"
    subjects = [e.subject for e in origin.log("main", max_count=5)]
    assert sum("bump fallback_version" in s and "v0.7.2" in s for s in subjects) == 1
    assert not any("after v0.6.2" in s for s in subjects)
    assert "v0.6.3-dev" not in origin.tags()
    assert (
        json.loads(origin.show("release-0.6.x", UI))["dependencies"]["llama-stack-client"]
        == "^0.6.2"
    )
    assert (
        json.loads(origin.show("release-0.7.x", UI))["dependencies"]["llama-stack-client"]
        == "^0.7.2"
    )


def test_protected_main_auto_mode_opens_pull_request(
    protected_origin: Origin, npm: NpmRegistry, github_api_factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    origin = protected_origin
    release(origin, "v0.7.2", "release-0.7.x")
    server = github_api_factory(origin.bare)
    server.protect("main")
    monkeypatch.setenv("RELEASE_ACTIONS_MAX_RETRY_WAIT", "0")
    repo = Repo.open(connect(token="test-token", api_url=server.url), "llama-stack/llama-stack")
    main_before = origin.ref("main")
    result = run(origin, npm, "v0.7.2", pulls=repo, mode="auto")
    assert result.steps["main"].status == "pull-request"
    assert result.steps["main"].url.endswith("/pull/1")
    assert result.steps["branch"].status == "pull-request"
    assert origin.ref("main") == main_before
    assert '"0.7.3.dev0"' in origin.show("automation/release-actions/post-release-v0.7.2", ROOT)
    calls = server.count("POST", r"/pulls$")
    # Re-run: the same PRs are reused, no new ones.
    again = run(origin, npm, "v0.7.2", pulls=repo, mode="auto")
    assert again.steps["main"].url == result.steps["main"].url, again.steps["main"].detail[:300]
    assert server.count("POST", r"/pulls$") == calls
    pulls = server.count("GET", r"/pulls$")
    assert pulls >= 2
