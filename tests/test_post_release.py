"""post-release: next dev versions, main never backwards, npm lock on the release branch,
re-runs, crashes, concurrency and protected main, on the monorepo's bare origin."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from release_actions.adapters.delivery import Identity
from release_actions.adapters.github_client import connect
from release_actions.adapters.github_repo import Repo
from release_actions.core.config import LLAMA_STACK, Config
from release_actions.core.errors import GitError, InvalidValueError, ReleaseActionsError
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
    nxt = plan_next(version, PostRequest(tag, next_dev=policy, rc_policy=rc), LLAMA_STACK)
    assert (f"v{nxt}-dev" if nxt else None) == dev_tag
    assert (f"{nxt}.dev0" if nxt else None) == fallback
    assert ReleaseBranch.for_version(version).name == branch


@pytest.mark.parametrize("tag", ["v1.2", "v0.2.10.0", "v0.5.0.post1", "v0.6.1-dev", "0.6.1"])
def test_bad_tags_rejected(tag: str) -> None:
    """Llama Stack's post-release.yml: v1.2 and v0.5.0.post1 broke the bash (v0.2.10.1, a hotfix,
    is a release now: tests/test_hotfix.py)."""
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
    options: dict[str, object] = {
        "npm_registry": npm.url,
        "npm_wait_attempts": 2,
        "npm_wait_seconds": 0,
        **kw,
    }
    request = PostRequest(tag=tag, **options)  # type: ignore[arg-type]
    return post_release(
        repo or origin.work,
        request,
        config or LLAMA_STACK,
        identity=BOT,
        pulls=pulls,  # type: ignore[arg-type]
    )


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
    """Checked before the first write: neither the dev tag nor the bump is pushed."""
    release(origin, "v0.7.2", "release-0.7.x")
    refs = origin.bare_git("for-each-ref")
    config = Config(npm_package="@llama-stack/client", package_jsons=("src/llama_stack_ui",))
    with pytest.raises(ReleaseActionsError) as info:
        run(origin, npm, "v0.7.2", config=config)
    assert "src/llama_stack_ui/package.json" in str(info.value)
    assert "@llama-stack/client" in str(info.value)
    assert origin.bare_git("for-each-ref") == refs


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


# --- issue 11: validate, then act; races, re-runs, crashes, rulesets ---------------------------


def commit_on(origin: Origin, branch: str, path: str, edit: Callable[[str], str], msg: str) -> str:
    """Commit an edit of ``path`` on ``branch`` through the clone and push it to origin."""
    origin.git("checkout", "--quiet", "-B", branch, f"origin/{branch}")
    file = origin.work / path
    file.write_text(edit(file.read_text(encoding="utf-8")), encoding="utf-8")
    origin.git("commit", "--quiet", "-am", msg)
    origin.git("push", "--quiet", "origin", f"HEAD:refs/heads/{branch}")
    origin.git("checkout", "--quiet", "--detach")
    return origin.git("rev-parse", "HEAD")


@pytest.mark.parametrize(
    ("option", "value", "named"),
    [
        ("npm_registry", "ftp://registry.example/", "npm registry URL"),
        ("npm_registry", "not a url", "npm registry URL"),
        ("npm_wait_attempts", 0, "npm-wait-attempts"),
        ("npm_wait_attempts", 10**6, "npm-wait-attempts"),
        ("npm_wait_seconds", float("inf"), "npm-wait-seconds"),
        ("npm_wait_seconds", float("nan"), "npm-wait-seconds"),
        ("npm_wait_seconds", -1.0, "npm-wait-seconds"),
        ("mode", "yolo", "mode"),
    ],
)
def test_npm_inputs_checked_before_the_first_write(
    origin: Origin, npm: NpmRegistry, option: str, value: object, named: str
) -> None:
    release(origin, "v0.7.2", "release-0.7.x")
    refs = origin.bare_git("for-each-ref")
    with pytest.raises(InvalidValueError) as info:
        run(origin, npm, "v0.7.2", **{option: value})
    assert named in str(info.value) and "Fix:" in str(info.value)
    assert origin.bare_git("for-each-ref") == refs


def test_unsupported_package_json_range_checked_before_the_first_write(
    origin: Origin, npm: NpmRegistry
) -> None:
    commit_on(
        origin,
        "release-0.7.x",
        UI,
        lambda t: t.replace('"^0.7.1"', '"^0.6 || ^0.7"'),
        "chore: an or-range",
    )
    release(origin, "v0.7.2", "release-0.7.x")
    refs = origin.bare_git("for-each-ref")
    with pytest.raises(ReleaseActionsError) as info:
        run(origin, npm, "v0.7.2")
    assert UI in str(info.value)
    assert origin.bare_git("for-each-ref") == refs  # no dev tag, no bump


def test_unpublished_release_tag_is_refused(origin: Origin, npm: NpmRegistry) -> None:
    """A tag only in the local clone is an unpublished release: nothing is pushed."""
    origin.git("tag", "v0.7.2", "origin/release-0.7.x")
    refs = origin.bare_git("for-each-ref")
    with pytest.raises(ReleaseActionsError) as info:
        run(origin, npm, "v0.7.2")
    assert "only in the local clone" in str(info.value)
    with pytest.raises(ReleaseActionsError):
        run(origin, npm, "v0.7.2", mode="pull-request")
    assert origin.bare_git("for-each-ref") == refs
    # Without pushing, the local tag is enough, and the result says so.
    local = run(origin, npm, "v0.7.2", push=False)
    assert not local.failed
    assert any("local clone only" in note for note in local.notes)
    assert origin.bare_git("for-each-ref") == refs


def test_release_tag_must_be_on_its_release_branch(origin: Origin, npm: NpmRegistry) -> None:
    origin.bare_git("tag", "v0.7.2", "main")
    refs = origin.bare_git("for-each-ref")
    with pytest.raises(ReleaseActionsError) as info:
        run(origin, npm, "v0.7.2")
    assert "not on its release branch release-0.7.x" in str(info.value)
    assert origin.bare_git("for-each-ref") == refs


def test_ruleset_in_auto_mode_opens_pull_requests(
    origin: Origin, npm: NpmRegistry, github_api_factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GH013 (a repository ruleset) is protection: auto mode falls back to a PR."""
    release(origin, "v0.7.2", "release-0.7.x")
    origin.ruleset(["refs/heads/main", "refs/heads/release-*"])
    server = github_api_factory(origin.bare)
    monkeypatch.setenv("RELEASE_ACTIONS_MAX_RETRY_WAIT", "0")
    repo = Repo.open(connect(token="test-token", api_url=server.url), "llama-stack/llama-stack")
    main_before = origin.ref("main")
    pushed = run(origin, npm, "v0.7.2", pulls=repo, mode="push")
    assert pushed.steps["main"].status == "failed"
    assert "GH013" in pushed.steps["main"].detail and "ruleset" in pushed.steps["main"].detail
    fix = pushed.steps["main"].detail.split("Fix:", 1)[1]
    assert "permission" not in fix and "contents: write" not in fix
    result = run(origin, npm, "v0.7.2", pulls=repo, mode="auto")
    assert result.steps["main"].status == "pull-request", result.steps["main"].detail
    assert result.steps["branch"].status == "pull-request", result.steps["branch"].detail
    assert origin.ref("main") == main_before
    assert origin.tags()["v0.7.3-dev"] == main_before


def test_old_line_patch_leaves_main_alone_when_its_fallback_is_newer(
    origin: Origin, npm: NpmRegistry
) -> None:
    """Main develops 0.8.0 by its fallback_version only (no v0.8.0-dev tag): a 0.7.2 patch
    must not tag main v0.7.3-dev, which would move setuptools-scm's version back."""
    commit_on(
        origin,
        "main",
        ROOT,
        lambda t: t.replace('fallback_version = "0.7.2.dev0"', 'fallback_version = "0.8.0.dev0"'),
        "chore: develop 0.8.0",
    )
    release(origin, "v0.7.2", "release-0.7.x")
    main_before, tags_before = origin.ref("main"), set(origin.tags()) | {"v0.7.2"}
    result = run(origin, npm, "v0.7.2")
    assert result.steps["dev-tag"].status == "skipped", result.steps["dev-tag"].detail
    assert "0.8.0" in result.steps["dev-tag"].detail
    assert result.steps["main"].status == "skipped"
    assert set(origin.tags()) == tags_before and origin.ref("main") == main_before
    assert result.as_dict()["next_dev_version"] == ""


def test_next_dev_version_is_empty_when_main_is_left_alone(
    origin: Origin, npm: NpmRegistry
) -> None:
    release(origin, "v0.6.2", "release-0.6.x")
    result = run(origin, npm, "v0.6.2")
    assert result.steps["main"].status == "skipped"
    assert result.as_dict()["next_dev_version"] == "" and result.as_dict()["dev_tag"] == ""


def test_dry_run_shows_the_diff(origin: Origin, npm: NpmRegistry) -> None:
    release(origin, "v0.7.2", "release-0.7.x")
    result = run(origin, npm, "v0.7.2", dry_run=True)
    assert '+fallback_version = "0.7.3.dev0"' in result.steps["main"].diff
    assert '"llama-stack-client": "^0.7.2"' in result.steps["branch"].diff


def test_cli_dry_run_prints_the_diff(
    origin: Origin, npm: NpmRegistry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    from release_actions.interface.cli import main

    release(origin, "v0.7.2", "release-0.7.x")
    summary = tmp_path / "summary.md"
    for name in [n for n in os.environ if n.startswith(("RA_", "GITHUB_"))]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    argv = ["post-release", "--repo", str(origin.work), "--tag", "v0.7.2", "--dry-run"]
    argv += ["--npm-registry", npm.url, "--npm-wait-attempts", "1"]
    capsys.readouterr()
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert '+fallback_version = "0.7.3.dev0"' in out
    text = summary.read_text()
    assert "```diff" in text and '+fallback_version = "0.7.3.dev0"' in text


LOSE_RACE_HOOK = r"""#!/bin/sh
# Another run creates the tag while origin receives ours.
while read -r old new ref; do
    case "$ref" in
        refs/tags/*-dev)
            env -u GIT_QUARANTINE_PATH git update-ref "$ref" "$(git rev-parse %s)" ;;
    esac
done
exit 0
"""


def test_lost_race_to_an_identical_dev_tag_is_exists(origin: Origin, npm: NpmRegistry) -> None:
    release(origin, "v0.7.2", "release-0.7.x")
    main_before = origin.ref("main")
    hook = origin.bare / "hooks" / "pre-receive"
    hook.write_text(LOSE_RACE_HOOK % "refs/heads/main")
    hook.chmod(0o755)
    result = run(origin, npm, "v0.7.2")
    assert result.steps["dev-tag"].status == "exists", result.steps["dev-tag"].detail
    assert not result.failed
    assert origin.tags()["v0.7.3-dev"] == main_before


def test_lost_race_to_a_dev_tag_elsewhere_is_an_error(origin: Origin, npm: NpmRegistry) -> None:
    release(origin, "v0.7.2", "release-0.7.x")
    hook = origin.bare / "hooks" / "pre-receive"
    hook.write_text(LOSE_RACE_HOOK % "refs/heads/release-0.7.x")
    hook.chmod(0o755)
    result = run(origin, npm, "v0.7.2")
    assert result.steps["dev-tag"].status == "failed"
    assert "not on main" in result.steps["dev-tag"].detail
    assert "Fix: delete the stray tag" in result.steps["dev-tag"].detail


def test_rerun_after_rejected_dev_tag_keeps_it_on_main_before_the_bump(
    origin: Origin, npm: NpmRegistry
) -> None:
    release(origin, "v0.7.2", "release-0.7.x")
    main_before = origin.ref("main")
    origin.ruleset(["refs/tags/*-dev"])
    first = run(origin, npm, "v0.7.2")
    assert first.steps["dev-tag"].status == "failed"
    assert "GH013" in first.steps["dev-tag"].detail
    assert first.steps["main"].status == "pushed"
    assert origin.ref("main") != main_before
    origin.ruleset([])
    again = run(origin, npm, "v0.7.2")
    assert again.steps["dev-tag"].status == "created", again.steps["dev-tag"].detail
    assert origin.tags()["v0.7.3-dev"] == main_before  # not the bump commit
    assert again.steps["main"].status == "unchanged"


def test_unreachable_origin_says_so(origin: Origin, npm: NpmRegistry, tmp_path: Path) -> None:
    release(origin, "v0.7.2", "release-0.7.x")
    origin.git("remote", "set-url", "origin", (tmp_path / "gone.git").as_uri())
    with pytest.raises(GitError) as info:
        run(origin, npm, "v0.7.2")
    assert "cannot reach origin" in str(info.value)
    assert "does not exist" not in str(info.value).replace("gone.git", "")
    with pytest.raises(GitError):
        find_release_tag(origin.work, "0" * 40)


def test_every_remote_call_is_authenticated(
    origin: Origin, npm: NpmRegistry, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every ls-remote, fetch and push carries remote_env (the action's token)."""
    from release_actions.adapters import git

    release(origin, "v0.7.2", "release-0.7.x")
    monkeypatch.setattr(git, "remote_env", lambda repo: {"RA_TEST_AUTHENTICATED": "1"})
    real = git.try_run
    bare: list[tuple[str, ...]] = []

    def spy(repo, *args, extra_env=None):  # type: ignore[no-untyped-def]
        remote = args and args[0] in ("ls-remote", "fetch", "push")
        if remote and "RA_TEST_AUTHENTICATED" not in (extra_env or {}):
            bare.append(args)
        return real(repo, *args, extra_env=extra_env)

    monkeypatch.setattr(git, "try_run", spy)
    find_release_tag(origin.work, origin.ref("v0.7.2") or "")
    result = run(origin, npm, "v0.7.2")
    assert not result.failed
    assert bare == []


def test_two_identical_concurrent_post_releases(
    origin: Origin, npm: NpmRegistry, tmp_path: Path
) -> None:
    """The same post-release twice at once: one does the work, the other finds it done."""
    release(origin, "v0.7.2", "release-0.7.x")
    main_before = origin.ref("main")
    second = tmp_path / "second"
    origin.clone(second)
    results: dict[int, PostResult] = {}

    def go(i: int, repo: Path) -> None:
        results[i] = run(origin, npm, "v0.7.2", repo=repo)

    threads = [
        threading.Thread(target=go, args=(i, r)) for i, r in enumerate((origin.work, second))
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for result in results.values():
        assert not result.failed, {k: s.as_text() for k, s in result.steps.items()}
    assert sorted(r.steps["dev-tag"].status for r in results.values()) in (
        ["created", "exists"],
        ["exists", "exists"],
    )
    assert origin.tags()["v0.7.3-dev"] == main_before
    subjects = [e.subject for e in origin.log("main", max_count=5)]
    assert sum("bump fallback_version to 0.7.3.dev0" in s for s in subjects) == 1
    npm_commits = [e.subject for e in origin.log("release-0.7.x", max_count=5)]
    assert sum("update llama-stack-client to 0.7.2" in s for s in npm_commits) == 1


CRASH_SCRIPT = """
import os, signal, sys
from pathlib import Path
from release_actions.adapters import delivery
from release_actions.adapters.delivery import Identity
from release_actions.core.config import LLAMA_STACK, Config
from release_actions.steps.post.release import PostRequest, post_release

def crash(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)

delivery._commit = crash  # killed inside the worktree, before the bump is committed
request = PostRequest(tag="v0.7.2", npm_registry=sys.argv[2], npm_wait_attempts=2,
                      npm_wait_seconds=0)
post_release(Path(sys.argv[1]), request, LLAMA_STACK, identity=Identity("bot", "bot@example.com"))
"""


def test_sigkill_debris_is_cleaned_up_by_the_next_run(
    origin: Origin, npm: NpmRegistry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import subprocess
    import sys
    import tempfile

    release(origin, "v0.7.2", "release-0.7.x")
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    env = {**os.environ, "TMPDIR": str(tmp)}
    proc = subprocess.run(
        [sys.executable, "-c", CRASH_SCRIPT, str(origin.work), npm.url],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == -9, proc.stderr
    debris = [p.name for p in tmp.iterdir()]
    assert debris and all(n.startswith("release-actions-wt-") for n in debris)
    worktrees = origin.git("worktree", "list", "--porcelain").count("worktree ")
    assert worktrees == 2  # the clone and the killed run's worktree
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    result = run(origin, npm, "v0.7.2")
    assert not result.failed
    assert result.steps["dev-tag"].status == "exists"  # the killed run tagged main first
    assert result.steps["main"].status == "pushed"
    assert list(tmp.iterdir()) == []
    assert origin.git("worktree", "list", "--porcelain").count("worktree ") == 1
    assert not list((origin.work / ".git" / "worktrees").glob("*"))
