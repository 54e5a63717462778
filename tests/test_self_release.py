"""This repository's own release workflow (.github/workflows/self-release.yml) under act.

Each test builds a copy of this repository (the working tree as exported for the
act harness, tests/testbed/act.py) with a release history and a bare ``origin``::

    main:  v1.0.0 (v1) -- work -- v1.2.0 ...

and runs the workflow as GitHub would: ``workflow_dispatch`` with a ``tag``, or
``release: published``. act copies the clone (with ``origin`` pointing at the bare
repository), so the push of the major tag lands there. A local GitHub API is given
as ``GITHUB_API_URL`` to show that no GitHub Release is made: the major tag is a
plain git tag.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.testbed.act import ActResult, ActRunner
from tests.testbed.github_api.server import GitHubAPIServer
from tests.testbed.monorepo import git
from tests.testbed.origin import make_bare

pytestmark = pytest.mark.e2e

WORKFLOW = ".github/workflows/self-release.yml"
REPOSITORY = "llama-stack/release-actions"


@dataclass
class Repo:
    work: Path
    bare: Path
    server: GitHubAPIServer
    runner: ActRunner

    def git(self, *args: str) -> str:
        return git(self.work, *args).stdout.strip()

    def commit(self, message: str, files: dict[str, str] | None = None) -> str:
        for name, text in (files or {}).items():
            (self.work / name).write_text(text, encoding="utf-8")
        self.git("add", "-A")
        self.git("commit", "--quiet", "--allow-empty", "-m", message)
        return self.git("rev-parse", "HEAD")

    def tag(self, name: str, ref: str = "HEAD") -> None:
        self.git("tag", name, ref)
        self.git("push", "--quiet", "origin", f"refs/tags/{name}")

    def push(self, branch: str = "main") -> None:
        self.git("push", "--quiet", "origin", f"HEAD:refs/heads/{branch}")

    def origin_tags(self) -> dict[str, str]:
        out = git(self.bare, "for-each-ref", "--format=%(refname:strip=2) %(objectname)",
                  "refs/tags").stdout  # fmt: skip
        return dict(line.split() for line in out.splitlines())

    def tag_type(self, name: str) -> str:
        return git(self.bare, "cat-file", "-t", f"refs/tags/{name}").stdout.strip()

    def run(self, event: str, **kwargs: object) -> ActResult:
        return self.runner.run(
            self.work,
            event,
            workflow=WORKFLOW,
            repository=REPOSITORY,
            env={"GITHUB_API_URL": self.server.url},
            **kwargs,  # type: ignore[arg-type]
        )


@pytest.fixture
def repo(
    tmp_path: Path,
    release_actions_export: Path,
    act_runner: ActRunner,
    github_api_factory: Callable[..., GitHubAPIServer],
) -> Repo:
    """This repository at v1.0.0 (v1 on it), one more commit on main, pushed to a bare origin."""
    work = tmp_path / "release-actions"
    shutil.copytree(release_actions_export, work, symlinks=True)
    bare = make_bare(tmp_path / "origin.git")
    git(work, "init", "--quiet", "--initial-branch=main")
    for key, value in (
        ("user.name", "Maintainer"),
        ("user.email", "maintainer@example.com"),
        ("commit.gpgsign", "false"),
        ("tag.gpgsign", "false"),
    ):
        git(work, "config", key, value)
    git(work, "remote", "add", "origin", bare.as_uri())
    server = github_api_factory(bare, full_name=REPOSITORY)
    repo = Repo(work, bare, server, act_runner)
    repo.commit("release-actions 1.0.0")
    repo.push()
    repo.tag("v1.0.0")
    repo.tag("v1")
    repo.commit("more work", {"NEWS": "more\n"})
    repo.push()
    return repo


def assert_moved(repo: Repo, result: ActResult, major: str, tag: str) -> None:
    assert result.returncode == 0, result.describe()
    assert result.job_results == {"check": "success", "move-major-tag": "success"}, (
        result.describe()
    )
    tags = repo.origin_tags()
    assert tags[major] == tags[tag]
    assert repo.tag_type(major) == "commit"  # a plain (lightweight) git tag
    assert repo.server.count() == 0  # no GitHub Release, no API call at all
    assert repo.server.state.releases == {}


def test_dispatch_moves_the_major_tag(repo: Repo) -> None:
    release = repo.commit("release 1.2.0", {"NEWS": "1.2.0\n"})
    repo.push()
    repo.tag("v1.2.0")
    before = repo.origin_tags()
    assert before["v1"] == before["v1.0.0"] != release

    result = repo.run("workflow_dispatch", inputs={"tag": "v1.2.0"})

    assert_moved(repo, result, "v1", "v1.2.0")
    after = repo.origin_tags()
    assert after == {**before, "v1": release}  # nothing else moved
    assert result.step_outputs("check", "check") == {
        "tag": "v1.2.0", "major": "v1", "sha": release, "move": "true",
    }  # fmt: skip
    assert result.annotations("notice") == [f"v1: {before['v1']} -> {release} (v1.2.0)"]

    # Re-running changes nothing.
    again = repo.run("workflow_dispatch", inputs={"tag": "v1.2.0"})
    assert_moved(repo, again, "v1", "v1.2.0")
    assert repo.origin_tags() == after


def test_release_published_moves_the_major_tag(repo: Repo) -> None:
    release = repo.commit("release 1.3.0")
    repo.push()
    repo.tag("v1.3.0")
    # act copies the work tree for the release event's checkout: it is at the tag.
    result = repo.run(
        "release", payload={"action": "published",
                            "release": {"tag_name": "v1.3.0", "prerelease": False}},
    )  # fmt: skip
    assert_moved(repo, result, "v1", "v1.3.0")
    assert repo.origin_tags()["v1"] == release


def test_a_wrong_major_in_a_uses_fails_the_check(repo: Repo) -> None:
    path = repo.work / ".github" / "workflows" / "compute-version.yml"
    text = path.read_text(encoding="utf-8")
    needle = "uses: llama-stack/release-actions/actions/compute-version@v1"
    assert needle in text
    line = text[: text.index(needle)].count("\n") + 1
    path.write_text(text.replace(needle, needle[:-1] + "2"), encoding="utf-8")
    repo.commit("call compute-version at v2 by mistake")
    repo.push()
    repo.tag("v1.3.0")
    before = repo.origin_tags()

    result = repo.run("workflow_dispatch", inputs={"tag": "v1.3.0"})

    assert result.returncode == 1, result.describe()
    assert result.job_results == {"check": "failure"}, result.describe()  # no move job
    assert result.errors == [
        "llama-stack/release-actions/actions/compute-version@v2 names @v2, but this release "
        "is v1: use @v1"
    ], result.describe()
    error = next(e for e in result.events if e.get("command") == "error")
    assert error["kvPairs"]["file"] == ".github/workflows/compute-version.yml", error
    assert error["kvPairs"]["line"] == str(line), error
    assert repo.origin_tags() == before  # v1 did not move


def test_an_older_patch_leaves_the_major_tag_alone(repo: Repo) -> None:
    repo.commit("release 1.2.0")
    repo.push()
    repo.tag("v1.2.0")
    repo.git("checkout", "--quiet", "-b", "release-1.1", "v1.0.0")
    repo.commit("backport")
    repo.push("release-1.1")
    repo.tag("v1.1.1")
    before = repo.origin_tags()

    result = repo.run("workflow_dispatch", inputs={"tag": "v1.1.1"})

    assert result.returncode == 0, result.describe()
    assert result.job_results == {"check": "success", "move-major-tag": "success"}
    assert repo.origin_tags() == before
    assert any("v1.2.0 is newer than v1.1.1: v1 stays" in n for n in result.annotations("notice"))


def test_a_prerelease_does_not_move_the_major_tag(repo: Repo) -> None:
    repo.commit("release 2.0.0rc1")
    repo.push()
    repo.tag("v1.3.0rc1")
    before = repo.origin_tags()
    result = repo.run("workflow_dispatch", inputs={"tag": "v1.3.0rc1"})
    assert result.returncode == 0, result.describe()
    assert result.job_results == {"check": "success"}, result.describe()  # move job skipped
    assert result.step_outputs("check", "check")["move"] == "false"
    assert repo.origin_tags() == before


def test_not_a_release_tag(repo: Repo) -> None:
    repo.tag("nightly")
    result = repo.run("workflow_dispatch", inputs={"tag": "nightly"})
    assert result.returncode == 1
    assert result.errors == [
        "'nightly' is not a release tag vN.x.y (e.g. v1.4.0): there is no major tag to move"
    ]
