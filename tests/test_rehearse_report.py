"""The world a rehearsal assembles and the report of what changed in it, with real servers
(pypiserver, verdaccio, the local GitHub API) and no act."""

from __future__ import annotations

import json
import os
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from release_actions.rehearsal.report import (
    build_report,
    read_summaries,
    redact_document,
    render,
    snapshot,
)
from release_actions.rehearsal.run_settings import seed_release
from release_actions.rehearsal.world.assemble import running_world
from release_actions.rehearsal.world.world import World
from tests.testbed.rehearse_repo import git, make_repo

KEYS = {
    "ok", "event", "ref", "repository", "workflows", "jobs", "refs", "pull_requests",
    "releases", "uploads", "npm", "summaries", "timings", "world",
}  # fmt: skip


@pytest.fixture
def source(tmp_path: Path) -> Path:
    upstream = make_repo(
        tmp_path / "upstream", {"a.txt": "a\n"}, tags=["v1.0.0"], branches=["release-1.0.x"]
    )
    clone = tmp_path / "source"
    git(tmp_path, "clone", "--quiet", str(upstream), str(clone))
    git(clone, "branch", "local-only")
    return clone  # main and local-only local; release-1.0.x only as origin/release-1.0.x


def api(world: World, method: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
    request = urllib.request.Request(
        f"{world.github.url}/repos/{world.repository}{path}",
        data=json.dumps(body).encode(),
        method=method,
        headers={"Authorization": "token t", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as resp:
        data: dict[str, Any] = json.load(resp)
        return data


def npm_package(tmp: Path, version: str) -> Path:
    folder = tmp / f"pkg-{version}"
    folder.mkdir()
    manifest = {"name": "@acme/widget", "version": version, "license": "MIT"}
    (folder / "package.json").write_text(json.dumps(manifest))
    return folder


@pytest.mark.e2e
def test_the_world_and_the_report(source: Path, tmp_path: Path) -> None:
    root = tmp_path / "world"
    with running_world(
        root, source, repository="acme/widget", default_branch="main", protected=("main",),
        rulesets=("refs/tags/*-dev",),
    ) as world:  # fmt: skip
        servers = [world.pypi.server, world.testpypi.server, world.npm.server]
        heads = world.origin.branches()
        assert set(heads) == {"main", "local-only", "release-1.0.x"}  # never origin/HEAD
        assert world.origin.tags() == {"v1.0.0": heads["main"]}
        assert world.origin.bare_git("symbolic-ref", "HEAD") == "refs/heads/main"
        work = world.origin.work
        world.npm.publish(npm_package(tmp_path, "1.0.0"))
        seed_release(world, {"tag_name": "v1.0.0", "prerelease": False})  # the event's release
        [seeded] = world.github.state.releases
        before = snapshot(world)

        # A push to protected main is refused (GH006), a dev tag by the ruleset (GH013).
        (work / "b.txt").write_text("b\n")
        world.origin.git("add", "b.txt")
        world.origin.git("commit", "--quiet", "-m", "b")
        refused = git_push(work, "HEAD:refs/heads/main")
        assert "GH006" in refused
        world.origin.git("tag", "v1.0.1-dev")
        assert "GH013" in git_push(work, "refs/tags/v1.0.1-dev")
        assert git_push(work, "HEAD:refs/heads/release-1.0.x") == ""  # a fast-forward
        assert git_push(work, "HEAD:refs/heads/feature") == ""
        assert git_push(work, ":refs/heads/local-only") == ""
        # The GitHub API, the indexes and npm.
        api(world, "POST", "/pulls", {"title": "t", "head": "feature", "base": "main"})
        api(world, "PATCH", f"/releases/{seeded}", {"prerelease": True})
        (world.pypi.packages_dir / "widget-1.0.1-py3-none-any.whl").write_bytes(b"x")
        (world.testpypi.packages_dir / "widget-1.0.1.tar.gz").write_bytes(b"x")
        world.npm.publish(npm_package(tmp_path, "1.1.0rc1".replace("rc", "-rc.")), tag="next")
        after = snapshot(world)
        summaries = root / "summaries"
        summaries.mkdir()
        (summaries / "build.md").write_text("### Built\n")
        (summaries / "empty.md").write_text("")
        report = build_report(
            before, after, event="push", ref="refs/heads/main", repository="acme/widget",
            workflows=[".github/workflows/ci.yml"], jobs={"build": "success"},
            summaries=read_summaries(summaries, ["build"]), timings={"setup": 1.23456},
            world=None,
        )  # fmt: skip
    assert all(server.popen.poll() is not None for server in servers), "servers stopped"

    assert set(report) == KEYS
    assert report["ok"] is True
    changes = {r["ref"]: r for r in report["refs"]}
    assert set(changes) == {
        "refs/heads/release-1.0.x",
        "refs/heads/feature",
        "refs/heads/local-only",
    }
    assert changes["refs/heads/release-1.0.x"]["change"] == "moved"
    assert changes["refs/heads/release-1.0.x"]["before"] == before.refs["refs/heads/release-1.0.x"]
    assert changes["refs/heads/feature"]["change"] == "created"
    assert changes["refs/heads/feature"]["before"] is None
    assert changes["refs/heads/local-only"] == {
        "ref": "refs/heads/local-only",
        "before": before.refs["refs/heads/local-only"],
        "after": None,
        "change": "deleted",
    }
    assert report["pull_requests"] == [
        {"number": 1, "title": "t", "head": "feature", "base": "main", "state": "open",
         "change": "opened"}
    ]  # fmt: skip
    assert report["releases"] == [
        {"tag": "v1.0.0", "name": "v1.0.0", "prerelease": True, "draft": False, "change": "edited"}
    ]
    assert report["uploads"] == {
        "pypi": ["widget-1.0.1-py3-none-any.whl"],
        "testpypi": ["widget-1.0.1.tar.gz"],
    }
    assert report["npm"] == [
        {"name": "@acme/widget", "published": ["1.1.0-rc.1"],
         "dist_tags": {"latest": "1.0.0", "next": "1.1.0-rc.1"}}
    ]  # fmt: skip
    assert report["summaries"] == [{"job": "build", "markdown": "### Built\n"}]
    assert report["timings"] == {"setup": 1.235}
    text = render(report)
    for expected in ("build: success", "refs/heads/feature: (none) ->", "#1 't' feature -> main",
                     "v1.0.0 'v1.0.0' prerelease (edited)", "pypi: widget-1.0.1-py3-none-any.whl",
                     "@acme/widget: published 1.1.0-rc.1", "--- build"):  # fmt: skip
        assert expected in text


def git_push(work: Path, spec: str) -> str:
    """``git push origin SPEC``: "" when it went through, else git's error output."""
    import subprocess

    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    proc = subprocess.run(
        ["git", "-C", str(work), "push", "--quiet", "origin", spec],
        capture_output=True, text=True, env=env, check=False,
    )  # fmt: skip
    return "" if proc.returncode == 0 else proc.stderr


def test_a_failed_job_or_no_job_is_not_ok() -> None:
    from release_actions.rehearsal.report import Snapshot

    empty = Snapshot()
    common: dict[str, Any] = {
        "event": "push", "ref": "refs/heads/main", "repository": "a/b", "workflows": [],
        "summaries": [], "timings": {}, "world": None,
    }  # fmt: skip
    failed = {"a": "success", "b": "failure"}
    assert build_report(empty, empty, jobs=failed, **common)["ok"] is False
    assert build_report(empty, empty, jobs={}, **common)["ok"] is False
    assert build_report(empty, empty, jobs={"a": "success"}, **common)["ok"] is True


def test_secrets_are_masked_everywhere() -> None:
    document = {"summaries": [{"job": "x", "markdown": "token s3cr3t-value here"}], "n": 1}
    masked = redact_document(document, {"T": "s3cr3t-value"})
    assert masked == {"summaries": [{"job": "x", "markdown": "token *** here"}], "n": 1}


def test_a_server_that_will_not_start_is_one_error_and_stops_the_others(
    source: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """verdaccio's first install failing (no npm registry reachable, say): an error line
    with its fix, not a crash, and the servers that did start are stopped."""
    from release_actions.core.errors import ReleaseActionsError
    from release_actions.rehearsal.world import assemble, processes

    def no_verdaccio(workdir: Path) -> None:
        raise RuntimeError("could not install verdaccio 6.0.0 with `npm ci`:\nnpm ERR! ...")

    monkeypatch.setattr(assemble, "start_npm_registry", no_verdaccio)
    running_before = set(processes._RUNNING)
    with (
        pytest.raises(ReleaseActionsError) as caught,
        running_world(tmp_path / "world", source, repository="acme/widget", default_branch="main"),
    ):
        pass
    assert caught.value.message == (
        "the rehearsal's world could not start: could not install verdaccio 6.0.0 with `npm ci`:"
    )
    assert "RA_VERDACCIO_DIR" in caught.value.fix
    assert set(processes._RUNNING) == running_before  # both pypiservers stopped
