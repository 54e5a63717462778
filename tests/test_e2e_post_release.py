"""post-release end to end: the example consumer workflow under act, on the monorepo's origin.

Each test runs ``tests/fixtures/consumer-workflows/post-release.yml`` as GitHub
would: the caller (workflow_dispatch with ``tag``/``mode``, or workflow_run of a
successful publish run) calls
``llama-stack/release-actions/.github/workflows/post-release.yml@v1`` (an export
of this working tree), which runs ``actions/post-release@v1``, against a bare
``origin`` holding the monorepo (``tests/testbed/origin.py``)::

    main:          ... v0.6.2-dev ... v0.7.2-dev, fallback 0.7.2.dev0
    release-0.6.x: v0.6.0rc1, v0.6.0, v0.6.1
    release-0.7.x: v0.7.0, v0.7.1

Each run gets what the reusable workflow's ``actions/checkout`` (default
``fetch-depth: 1``) gives on GitHub: a fresh shallow, tagless clone of main's tip
(act copies that work tree instead of checking out), with the example workflow
in its ``.github/workflows``. Steps see ``GITHUB_API_URL`` = a local GitHub API
over the same bare repository, a dummy ``RELEASE_TOKEN``, and the repository
variables ``NPM_REGISTRY`` (a local verdaccio serving the released clients) and
``NPM_WAIT_ATTEMPTS``/``NPM_WAIT_SECONDS`` (small). Results are read from the
bare repository (refs, tags, file contents), from the GitHub API's request log
and records, and from the action step's outputs. Changes "by others" (a
release tag, a merge, a config commit) go straight into the bare repository.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.testbed.act import ActResult, ActRunner
from tests.testbed.github_api import GitHubAPIServer, commit_files
from tests.testbed.monorepo import EXPECTED_TAGS
from tests.testbed.origin import Origin
from tests.testbed.registries import NpmRegistry, publish_npm_client, running_npm_registry

pytestmark = pytest.mark.e2e

EXAMPLE = Path(__file__).parent / "fixtures" / "consumer-workflows" / "post-release.yml"
WORKFLOW = ".github/workflows/post-release.yml"
JOB, STEP = "post-release", "post"  # the reusable workflow's job and the action's step
REPOSITORY = "llama-stack/llama-stack"
TOKEN = "e2e-dummy-token"
CLIENT = "llama-stack-client"
ROOT_PY = "pyproject.toml"
API_PY = "src/llama_stack_api/pyproject.toml"
UI = "src/llama_stack_ui/package.json"
LOCK = "src/llama_stack_ui/package-lock.json"
PR_PREFIX = "automation/release-actions/post-release-"
REPO_API = f"/repos/{REPOSITORY}"
#: Every request the action makes when it opens no pull request (auto mode).
CONNECT_ONLY = [("GET", REPO_API, 200)]


# --------------------------------------------------------------------------- test bed


@pytest.fixture(scope="module")
def npm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NpmRegistry]:
    """A verdaccio of this module, serving the clients released in its tests.

    Not the session one: what npm locks for ``^0.8.0`` depends on which 0.8.x
    exist, so each registry here holds exactly the versions its tests release.
    """
    with running_npm_registry(tmp_path_factory.mktemp("npm")) as registry:
        for version in ("0.6.2", "0.7.2", "0.8.0"):  # ascending: each becomes latest
            publish_npm_client(registry, version)
        yield registry


@dataclass
class Bed:
    origin: Origin
    server: GitHubAPIServer
    npm: NpmRegistry
    runner: ActRunner
    tmp: Path

    def checkout(self) -> Path:
        """What the reusable workflow's actions/checkout gives the job: a fresh clone of
        main's tip, shallow and tagless (fetch-depth 1, the default), with the caller's
        workflow. act copies this work tree into the job's workspace."""
        dest = Path(tempfile.mkdtemp(prefix="checkout-", dir=self.tmp)) / "repo"
        subprocess.run(
            ["git", "clone", "--quiet", "--depth=1", "--no-tags", "--branch=main",
             self.origin.url, str(dest)],
            check=True, capture_output=True,
        )  # fmt: skip
        workflows = dest / ".github" / "workflows"
        workflows.mkdir(parents=True)
        shutil.copyfile(EXAMPLE, workflows / "post-release.yml")
        return dest

    def run(
        self,
        tag: str | None = None,
        *,
        mode: str | None = None,
        event: str = "workflow_dispatch",
        payload: Mapping[str, Any] | None = None,
    ) -> ActResult:
        """Run the example caller (``tag``/``mode``: its workflow_dispatch inputs)."""
        inputs = {k: v for k, v in (("tag", tag), ("mode", mode)) if v is not None}
        return self.runner.run(
            self.checkout(),
            event,
            workflow=WORKFLOW,
            inputs=inputs or None,
            payload=payload,
            env={"GITHUB_API_URL": self.server.url, "RELEASE_ACTIONS_MAX_RETRY_WAIT": "0"},
            secrets={"RELEASE_TOKEN": TOKEN},
            variables={
                "NPM_REGISTRY": self.npm.url,
                "NPM_WAIT_ATTEMPTS": "2",
                "NPM_WAIT_SECONDS": "0.2",
            },
            timeout=240,
        )

    # -- changes made by others, straight in the bare repository (no hooks) ---------------
    def commit_on(self, branch: str, files: Mapping[str, str], message: str) -> str:
        return commit_files(self.origin.bare, branch, files, message)

    def configure(self, table: str) -> str:
        """Merge ``table`` (TOML lines) into the ``[tool.release-actions]`` table of main's
        pyproject.toml (the example carries Llama Stack's), with tomlkit; commit it."""
        import tomlkit

        doc = tomlkit.parse(self.origin.show("main", ROOT_PY))
        tool = doc.setdefault("tool", tomlkit.table())
        settings = tool.setdefault("release-actions", tomlkit.table())
        for key, value in tomlkit.parse(table).items():
            settings[key] = value
        text = tomlkit.dumps(doc)
        return self.commit_on("main", {ROOT_PY: text}, "ci: configure release-actions")

    # -- what the bare repository holds -------------------------------------------------
    def fallbacks(self, ref: str) -> tuple[str, str]:
        """``fallback_version`` of the root and the API pyproject at ``ref``."""
        return fallback(self.origin.show(ref, ROOT_PY)), fallback(self.origin.show(ref, API_PY))

    def npm_pins(self, ref: str) -> tuple[str, str, str]:
        """(package.json range, lockfile root range, locked version) of the client at ``ref``."""
        ui = json.loads(self.origin.show(ref, UI))
        lock = json.loads(self.origin.show(ref, LOCK))
        return (
            ui["dependencies"][CLIENT],
            lock["packages"][""]["dependencies"][CLIENT],
            lock["packages"][f"node_modules/{CLIENT}"]["version"],
        )

    def commits(self, base: str, ref: str) -> list[tuple[str, list[str]]]:
        """(subject, changed files) of each commit in ``base..ref``, oldest first."""
        shas = self.origin.bare_git("rev-list", "--reverse", f"{base}..{ref}").split()
        return [
            (
                self.origin.bare_git("log", "-1", "--format=%s", sha),
                sorted(
                    self.origin.bare_git(
                        "diff-tree", "--no-commit-id", "--name-only", "-r", sha
                    ).split()
                ),
            )
            for sha in shas
        ]

    def new_tags(self) -> dict[str, str]:
        """Tags that the monorepo did not start with; each must be lightweight."""
        tags = {k: v for k, v in self.origin.tags().items() if k not in SEED_TAGS}
        for name in tags:
            assert self.origin.tag_type(name) == "commit", f"{name} is not a lightweight tag"
        return tags

    def pulls(self) -> list[tuple[str, str, str]]:
        """(state, head, base) of every pull request the GitHub API holds, by number."""
        return [(pr.state, pr.head, pr.base) for _, pr in sorted(self.server.state.pulls.items())]


SEED_TAGS = frozenset(EXPECTED_TAGS)


def fallback(pyproject: str) -> str:
    line = next(x for x in pyproject.splitlines() if x.startswith("fallback_version"))
    return line.split('"')[1]


def make_bed(
    origin: Origin, github_api_factory: Any, npm: NpmRegistry, act_runner: ActRunner, tmp: Path
) -> Bed:
    server = github_api_factory(origin.bare, full_name=REPOSITORY)
    return Bed(origin, server, npm, act_runner, tmp)


@pytest.fixture
def bed(
    origin: Origin,
    github_api_factory: Any,
    npm: NpmRegistry,
    act_runner: ActRunner,
    tmp_path: Path,
) -> Bed:
    """The unprotected origin, the local GitHub API over it, the module's npm registry."""
    return make_bed(origin, github_api_factory, npm, act_runner, tmp_path)


@pytest.fixture
def protected_bed(
    protected_origin: Origin,
    github_api_factory: Any,
    npm: NpmRegistry,
    act_runner: ActRunner,
    tmp_path: Path,
) -> Bed:
    """Like ``bed``, with main and release-* protected (git hook) and main on the API."""
    bed = make_bed(protected_origin, github_api_factory, npm, act_runner, tmp_path)
    bed.server.protect("main")
    return bed


def release(origin: Origin, tag: str, branch: str, *, base: str = "") -> str:
    """Tag the tip of ``branch`` (created from ``base`` first, if given), as publishing did."""
    if base:
        origin.bare_git("branch", branch, base)
    origin.bare_git("tag", tag, branch)
    sha = origin.ref(tag)
    assert sha is not None
    return sha


def head(origin: Origin, branch: str) -> str:
    sha = origin.ref(f"refs/heads/{branch}")
    assert sha is not None, f"no branch {branch} on origin"
    return sha


def outputs(result: ActResult) -> dict[str, str]:
    """The action's declared outputs (see ActResult.step_outputs)."""
    return result.step_outputs(JOB, STEP)


def statuses(out: Mapping[str, str]) -> tuple[str, str, str]:
    return out["dev-tag-status"], out["main-status"], out["branch-status"]


def succeeded(result: ActResult) -> dict[str, str]:
    assert result.returncode == 0, result.describe()
    assert result.job_results == {JOB: "success"}, result.describe()
    assert result.errors == [], result.describe()
    return outputs(result)


def failed(result: ActResult) -> dict[str, str]:
    assert result.returncode == 1, result.describe()
    assert result.job_results == {JOB: "failure"}, result.describe()
    assert result.step_result(JOB, STEP) == "failure", result.describe()
    return outputs(result)


def step_errors(result: ActResult) -> dict[str, str]:
    """``{step: message}`` of the ``::error`` annotations of the post-release steps."""
    found = {}
    for message in result.errors:
        step, sep, text = message.partition(": failed: ")
        assert sep, f"not a post-release step error: {message!r}"
        assert step not in found, f"two errors for {step}: {result.errors}"
        found[step] = text
    return found


BUMP_FILES = sorted([ROOT_PY, API_PY])
NPM_FILES = sorted([UI, LOCK])


def bump(next_dev: str, tag: str) -> tuple[str, list[str]]:
    """The main commit of post-release: (subject, files)."""
    return (f"chore: bump fallback_version to {next_dev}.dev0 after {tag}", BUMP_FILES)


def npm_commit(version: str) -> tuple[str, list[str]]:
    """The release-branch commit of post-release: (subject, files)."""
    return (f"chore: update {CLIENT} to {version} in the npm lockfile", NPM_FILES)


# --------------------------------------------------------------------------- patch release


def assert_v072_pushed(bed: Bed, out: Mapping[str, str], main_before: str, tag_sha: str) -> None:
    """v0.7.2 fully post-released by pushes: dev tag, main bump, npm lock on the branch."""
    origin = bed.origin
    assert out == {
        "tag": "v0.7.2",
        "next-dev-version": "0.7.3",
        "dev-tag": "v0.7.3-dev",
        "dev-tag-status": "created",
        "main-status": "pushed",
        "main-commit": head(origin, "main"),
        "main-pr": "",
        "branch-status": "pushed",
        "branch-commit": head(origin, "release-0.7.x"),
        "branch-pr": "",
        "skipped": "",
    }
    assert bed.new_tags()["v0.7.3-dev"] == main_before
    assert bed.commits(main_before, "main") == [bump("0.7.3", "v0.7.2")]
    assert bed.fallbacks("main") == ("0.7.3.dev0", "0.7.3.dev0")
    assert bed.commits(tag_sha, "release-0.7.x") == [npm_commit("0.7.2")]
    assert bed.npm_pins("release-0.7.x") == ("^0.7.2", "^0.7.2", "0.7.2")
    assert bed.fallbacks("release-0.7.x") == ("0.7.1", "0.7.1")  # the branch's own: untouched
    assert set(origin.branches()) == {"main", "release-0.6.x", "release-0.7.x"}
    # auto mode (the example's default) connects to the API, and opens nothing.
    assert bed.server.requests == CONNECT_ONLY
    assert bed.pulls() == []


def test_patch_release_by_dispatch_then_a_rerun_changes_nothing(bed: Bed) -> None:
    tag_sha = release(bed.origin, "v0.7.2", "release-0.7.x")
    main_before = head(bed.origin, "main")
    out = succeeded(bed.run("v0.7.2"))
    assert_v072_pushed(bed, out, main_before, tag_sha)
    assert set(bed.new_tags()) == {"v0.7.2", "v0.7.3-dev"}

    refs = bed.origin.bare_git("for-each-ref")
    bed.server.reset_counts()
    out = succeeded(bed.run("v0.7.2"))
    assert statuses(out) == ("exists", "unchanged", "unchanged")
    assert (out["main-commit"], out["branch-commit"]) == (
        head(bed.origin, "main"),
        head(bed.origin, "release-0.7.x"),
    )
    assert bed.origin.bare_git("for-each-ref") == refs
    assert bed.server.requests == CONNECT_ONLY


def test_patch_release_by_workflow_run_finds_the_final_tag(bed: Bed) -> None:
    """The tag comes from the publish run's head_sha; an RC on the same commit loses."""
    tag_sha = release(bed.origin, "v0.7.2rc1", "release-0.7.x")
    release(bed.origin, "v0.7.2", "release-0.7.x")
    main_before = head(bed.origin, "main")
    run = {"conclusion": "success", "event": "release", "head_sha": tag_sha}
    out = succeeded(bed.run(event="workflow_run", payload={"workflow_run": run}))
    assert_v072_pushed(bed, out, main_before, tag_sha)
    assert set(bed.new_tags()) == {"v0.7.2rc1", "v0.7.2", "v0.7.3-dev"}


def test_workflow_run_of_a_failed_publish_does_nothing(bed: Bed) -> None:
    tag_sha = release(bed.origin, "v0.7.2", "release-0.7.x")
    refs = bed.origin.bare_git("for-each-ref")
    run = {"conclusion": "failure", "event": "release", "head_sha": tag_sha}
    result = bed.run(event="workflow_run", payload={"workflow_run": run})
    assert result.returncode == 0, result.describe()
    assert JOB not in result.job_results, result.describe()
    assert bed.origin.bare_git("for-each-ref") == refs
    assert bed.server.requests == []


# --------------------------------------------------------------------------- minor release


@pytest.mark.parametrize(("policy", "next_dev"), [("patch", "0.8.1"), ("minor", "0.9.0")])
def test_minor_release_under_each_policy(bed: Bed, policy: str, next_dev: str) -> None:
    if policy != "patch":  # patch is the default; the repository sets another in its config
        bed.configure(f'next-dev = "{policy}"\n')
    main_before = head(bed.origin, "main")
    tag_sha = release(bed.origin, "v0.8.0", "release-0.8.x", base="main")
    out = succeeded(bed.run("v0.8.0"))
    assert out["next-dev-version"] == next_dev
    assert out["dev-tag"] == f"v{next_dev}-dev"
    assert statuses(out) == ("created", "pushed", "pushed")
    assert bed.new_tags() == {"v0.8.0": tag_sha, f"v{next_dev}-dev": main_before}
    assert bed.commits(main_before, "main") == [bump(next_dev, "v0.8.0")]
    assert bed.fallbacks("main") == (f"{next_dev}.dev0", f"{next_dev}.dev0")
    assert bed.commits(tag_sha, "release-0.8.x") == [npm_commit("0.8.0")]
    assert bed.npm_pins("release-0.8.x") == ("^0.8.0", "^0.8.0", "0.8.0")
    assert bed.server.requests == CONNECT_ONLY


# --------------------------------------------------------------------------- old line, RC


def test_old_line_patch_after_a_newer_minor_leaves_main_alone(bed: Bed) -> None:
    """Llama Stack's post-release.yml: 1.2.5 after 1.3.0 tagged main v1.2.6-dev and moved
    fallback_version back."""
    main_before = head(bed.origin, "main")
    tag_sha = release(bed.origin, "v0.6.2", "release-0.6.x")
    out = succeeded(bed.run("v0.6.2"))
    assert statuses(out) == ("skipped", "skipped", "pushed")
    assert out["dev-tag"] == out["main-commit"] == ""
    assert "main already develops 0.7.2 (v0.7.2-dev)" in out["skipped"]
    assert head(bed.origin, "main") == main_before
    assert bed.fallbacks("main") == ("0.7.2.dev0", "0.7.2.dev0")
    assert bed.new_tags() == {"v0.6.2": tag_sha}  # no v0.6.3-dev
    assert bed.commits(tag_sha, "release-0.6.x") == [npm_commit("0.6.2")]
    assert bed.npm_pins("release-0.6.x") == ("^0.6.2", "^0.6.2", "0.6.2")
    assert out["branch-commit"] == head(bed.origin, "release-0.6.x")
    assert bed.server.requests == CONNECT_ONLY


def test_release_candidate_leaves_main_alone_and_skips_npm(bed: Bed) -> None:
    assert "0.8.0-rc.1" not in bed.npm.versions(CLIENT)
    release(bed.origin, "v0.8.0rc1", "release-0.8.x", base="main")
    refs = bed.origin.bare_git("for-each-ref")
    out = succeeded(bed.run("v0.8.0rc1"))
    assert statuses(out) == ("skipped", "skipped", "skipped")
    assert out["dev-tag"] == out["next-dev-version"] == ""
    assert "release candidate: main is left alone" in out["skipped"]
    assert f"{CLIENT}@0.8.0-rc.1 is not on {bed.npm.url}" in out["skipped"]
    assert bed.origin.bare_git("for-each-ref") == refs  # no branch, tag or commit moved
    assert bed.server.requests == CONNECT_ONLY


# --------------------------------------------------------------------------- protected main


def test_push_mode_on_protected_branches_then_rerun_after_the_dev_tag(protected_bed: Bed) -> None:
    """push fails clearly (GH006) per branch, every step is reported; once the
    protection is lifted, a re-run does what is missing and keeps the dev tag."""
    bed, origin = protected_bed, protected_bed.origin
    tag_sha = release(origin, "v0.7.2", "release-0.7.x")
    main_before = head(origin, "main")
    first = bed.run("v0.7.2", mode="push")
    out = failed(first)
    assert statuses(out) == ("created", "failed", "failed")
    errors = step_errors(first)
    assert set(errors) == {"main", "branch"}
    for step, branch in (("main", "main"), ("branch", "release-0.7.x")):
        assert errors[step].startswith(f"push to protected branch {branch} was rejected: "), errors
        assert f"GH006: Protected branch update failed for refs/heads/{branch}." in errors[step]
        assert "Fix: use mode auto or pull-request" in errors[step]
    assert any(n.startswith("dev-tag: created") for n in first.annotations("notice"))
    assert bed.new_tags() == {"v0.7.2": tag_sha, "v0.7.3-dev": main_before}
    assert head(origin, "main") == main_before
    assert head(origin, "release-0.7.x") == tag_sha
    assert set(origin.branches()) == {"main", "release-0.6.x", "release-0.7.x"}
    assert bed.server.requests == []  # push mode never needs the API

    origin.protect([])  # an admin lifts the protection; crash point: after the dev tag
    out = succeeded(bed.run("v0.7.2", mode="push"))
    assert statuses(out) == ("exists", "pushed", "pushed")
    assert bed.new_tags() == {"v0.7.2": tag_sha, "v0.7.3-dev": main_before}
    assert bed.commits(main_before, "main") == [bump("0.7.3", "v0.7.2")]
    assert bed.fallbacks("main") == ("0.7.3.dev0", "0.7.3.dev0")
    assert bed.commits(tag_sha, "release-0.7.x") == [npm_commit("0.7.2")]
    assert bed.server.requests == []


PR_MAIN = f"{PR_PREFIX}v0.7.2"
PR_NPM = f"{PR_PREFIX}v0.7.2-npm"


def assert_v072_pull_requests(bed: Bed, main_base: str, tag_sha: str) -> None:
    """Main and the release branch unchanged; one commit on each bot branch."""
    origin = bed.origin
    assert head(origin, "release-0.7.x") == tag_sha
    assert head(origin, "main") == main_base
    assert bed.commits(main_base, PR_MAIN) == [bump("0.7.3", "v0.7.2")]
    assert bed.fallbacks(PR_MAIN) == ("0.7.3.dev0", "0.7.3.dev0")
    assert bed.commits(tag_sha, PR_NPM) == [npm_commit("0.7.2")]
    assert bed.npm_pins(PR_NPM) == ("^0.7.2", "^0.7.2", "0.7.2")


def pr_url(number: int) -> str:
    return f"https://github.com/{REPOSITORY}/pull/{number}"


def close_pull(server: GitHubAPIServer, number: int) -> None:
    """Close a pull request unmerged, through the API as a maintainer would."""
    request = urllib.request.Request(
        f"{server.url}{REPO_API}/pulls/{number}",
        data=json.dumps({"state": "closed"}).encode(),
        method="PATCH",
        headers={"Authorization": f"token {TOKEN}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert json.load(response)["state"] == "closed"


def test_pull_request_mode_opens_one_pr_each_reuses_it_and_replaces_a_closed_one(
    protected_bed: Bed,
) -> None:
    bed, origin, server = protected_bed, protected_bed.origin, protected_bed.server
    tag_sha = release(origin, "v0.7.2", "release-0.7.x")
    main_before = head(origin, "main")
    out = succeeded(bed.run("v0.7.2", mode="pull-request"))
    assert statuses(out) == ("created", "pull-request", "pull-request")
    assert (out["main-pr"], out["branch-pr"]) == (pr_url(1), pr_url(2))
    assert bed.pulls() == [("open", PR_MAIN, "main"), ("open", PR_NPM, "release-0.7.x")]
    assert server.count("POST", r"/pulls$") == 2
    assert_v072_pull_requests(bed, main_before, tag_sha)

    # Re-run while they are open: the same pull requests keep their commits, nothing new.
    server.reset_counts()
    out = succeeded(bed.run("v0.7.2", mode="pull-request"))
    assert statuses(out) == ("exists", "unchanged", "unchanged")
    assert (out["main-pr"], out["branch-pr"]) == (pr_url(1), pr_url(2))
    assert server.count("POST") == 0
    assert len(bed.pulls()) == 2
    assert_v072_pull_requests(bed, main_before, tag_sha)

    # A maintainer closes both unmerged; main moves on. In Llama Stack's post-release.yml
    # the re-run then failed on the non-fast-forward push of the same branch name.
    for number in (1, 2):
        close_pull(server, number)
    main_moved = bed.commit_on(
        "main", {"docs/changelog.d/60.md": "feat: more\n"}, "feat: more (#60)"
    )
    server.reset_counts()
    out = succeeded(bed.run("v0.7.2", mode="pull-request"))
    assert statuses(out) == ("exists", "pull-request", "pull-request")
    assert (out["main-pr"], out["branch-pr"]) == (pr_url(3), pr_url(4))
    assert bed.pulls() == [
        ("closed", PR_MAIN, "main"),
        ("closed", PR_NPM, "release-0.7.x"),
        ("open", PR_MAIN, "main"),
        ("open", PR_NPM, "release-0.7.x"),
    ]
    assert server.count("POST", r"/pulls$") == 2
    assert_v072_pull_requests(bed, main_moved, tag_sha)
    assert bed.new_tags() == {"v0.7.2": tag_sha, "v0.7.3-dev": main_before}


def test_auto_mode_opens_a_pull_request_only_where_the_push_is_refused(
    protected_bed: Bed,
) -> None:
    """Only main protected: main gets a pull request, the release branch a push."""
    bed, origin, server = protected_bed, protected_bed.origin, protected_bed.server
    origin.protect(["main"])
    tag_sha = release(origin, "v0.7.2", "release-0.7.x")
    main_before = head(origin, "main")
    out = succeeded(bed.run("v0.7.2"))  # the example's mode: auto
    assert statuses(out) == ("created", "pull-request", "pushed")
    assert (out["main-pr"], out["branch-pr"]) == (pr_url(1), "")
    assert out["branch-commit"] == head(origin, "release-0.7.x")
    assert bed.pulls() == [("open", PR_MAIN, "main")]
    assert server.count("POST", r"/pulls$") == 1
    assert head(origin, "main") == main_before
    assert bed.commits(main_before, PR_MAIN) == [bump("0.7.3", "v0.7.2")]
    assert bed.fallbacks(PR_MAIN) == ("0.7.3.dev0", "0.7.3.dev0")
    assert bed.commits(tag_sha, "release-0.7.x") == [npm_commit("0.7.2")]
    assert bed.npm_pins("release-0.7.x") == ("^0.7.2", "^0.7.2", "0.7.2")
    assert set(origin.branches()) == {"main", "release-0.6.x", "release-0.7.x", PR_MAIN}
    assert bed.new_tags() == {"v0.7.2": tag_sha, "v0.7.3-dev": main_before}


def test_auto_mode_rerun_after_the_pull_request_calls_failed(protected_bed: Bed) -> None:
    """Crash point: the bot branches were pushed, then GitHub answered 502 to every
    "create pull request". The re-run opens exactly one PR each, no duplicate commit."""
    bed, origin, server = protected_bed, protected_bed.origin, protected_bed.server
    tag_sha = release(origin, "v0.7.2", "release-0.7.x")
    main_before = head(origin, "main")
    outage = server.inject("POST", rf"^{REPO_API}/pulls$", 502, times=None)
    first = bed.run("v0.7.2")  # the example's mode: auto
    out = failed(first)
    assert statuses(out) == ("created", "failed", "failed")
    errors = step_errors(first)
    assert set(errors) == {"main", "branch"}
    for step, branch, pr in (("main", "main", PR_MAIN), ("branch", "release-0.7.x", PR_NPM)):
        expected = f"GitHub answered 502 while creating a pull request from {pr} into {branch}"
        assert errors[step].startswith(expected), errors
    assert bed.pulls() == []
    assert server.count("POST", r"/pulls$") >= 2
    assert all(status == 502 for method, _, status in server.requests if method == "POST")
    assert_v072_pull_requests(bed, main_before, tag_sha)  # the bot branches were pushed

    outage.times = outage.hits  # GitHub is back
    server.reset_counts()
    out = succeeded(bed.run("v0.7.2"))
    assert statuses(out) == ("exists", "pull-request", "pull-request")
    assert (out["main-pr"], out["branch-pr"]) == (pr_url(1), pr_url(2))
    assert bed.pulls() == [("open", PR_MAIN, "main"), ("open", PR_NPM, "release-0.7.x")]
    assert server.count("POST", r"/pulls$") == 2
    assert_v072_pull_requests(bed, main_before, tag_sha)
    assert bed.new_tags() == {"v0.7.2": tag_sha, "v0.7.3-dev": main_before}


# --------------------------------------------------------------------------- crash, npm late


def test_rerun_after_the_main_commit_once_npm_serves_the_client(
    origin: Origin,
    github_api_factory: Any,
    fresh_npm_registry: NpmRegistry,
    act_runner: ActRunner,
    tmp_path: Path,
) -> None:
    """Crash point: the client was not on npm yet, so only the branch step failed
    (after the bounded wait). The re-run completes it and changes nothing else."""
    bed = make_bed(origin, github_api_factory, fresh_npm_registry, act_runner, tmp_path)
    tag_sha = release(origin, "v0.7.2", "release-0.7.x")
    main_before = head(origin, "main")
    first = bed.run("v0.7.2")
    out = failed(first)
    assert statuses(out) == ("created", "pushed", "failed")
    assert set(step_errors(first)) == {"branch"}
    assert step_errors(first)["branch"].startswith(f"{CLIENT}@0.7.2 did not appear on ")
    main_after = head(origin, "main")
    assert bed.commits(main_before, "main") == [bump("0.7.3", "v0.7.2")]
    assert head(origin, "release-0.7.x") == tag_sha

    publish_npm_client(fresh_npm_registry, "0.7.2")
    bed.server.reset_counts()
    out = succeeded(bed.run("v0.7.2"))
    assert statuses(out) == ("exists", "unchanged", "pushed")
    assert out["main-commit"] == main_after
    assert head(origin, "main") == main_after
    assert bed.new_tags() == {"v0.7.2": tag_sha, "v0.7.3-dev": main_before}
    assert bed.commits(tag_sha, "release-0.7.x") == [npm_commit("0.7.2")]
    assert bed.npm_pins("release-0.7.x") == ("^0.7.2", "^0.7.2", "0.7.2")
    assert bed.server.requests == CONNECT_ONLY


# --------------------------------------------------------------------------- concurrency


def test_two_concurrent_post_releases(
    origin: Origin,
    github_api_factory: Any,
    fresh_npm_registry: NpmRegistry,
    act_runner: ActRunner,
    tmp_path: Path,
) -> None:
    """v0.7.2 and v0.8.1 published the same day, after the v0.8.0 minor (and its
    post-release): two act runs at once. main ends at 0.8.2.dev0; each change once."""
    for version in ("0.7.2", "0.8.1"):
        publish_npm_client(fresh_npm_registry, version)
    bed = make_bed(origin, github_api_factory, fresh_npm_registry, act_runner, tmp_path)
    release(origin, "v0.8.0", "release-0.8.x", base="main")
    origin.bare_git("tag", "v0.8.1-dev", "main")
    main_text = {p: origin.show("main", p).replace("0.7.2.dev0", "0.8.1.dev0") for p in BUMP_FILES}
    main_before = bed.commit_on("main", main_text, bump("0.8.1", "v0.8.0")[0])
    bed.commit_on("release-0.8.x", {"docs/changelog.d/61.md": "fix\n"}, "fix: a fix (#61)")
    v081 = release(origin, "v0.8.1", "release-0.8.x")
    v072 = release(origin, "v0.7.2", "release-0.7.x")
    tags_before = bed.new_tags()

    def timed(tag: str) -> tuple[ActResult, float, float]:
        start = time.monotonic()
        return bed.run(tag), start, time.monotonic()

    with ThreadPoolExecutor(max_workers=2) as pool:
        runs = {tag: pool.submit(timed, tag) for tag in ("v0.7.2", "v0.8.1")}
        (old_result, old_start, old_end), (new_result, new_start, new_end) = (
            runs[tag].result() for tag in ("v0.7.2", "v0.8.1")
        )
    assert old_start < new_end and new_start < old_end  # the two act processes overlapped
    old, new = succeeded(old_result), succeeded(new_result)
    assert statuses(old) == ("skipped", "skipped", "pushed")
    assert statuses(new) == ("created", "pushed", "pushed")
    assert bed.fallbacks("main") == ("0.8.2.dev0", "0.8.2.dev0")
    assert bed.commits(main_before, "main") == [bump("0.8.2", "v0.8.1")]
    assert bed.new_tags() == {**tags_before, "v0.8.2-dev": main_before}
    assert bed.commits(v072, "release-0.7.x") == [npm_commit("0.7.2")]
    assert bed.npm_pins("release-0.7.x") == ("^0.7.2", "^0.7.2", "0.7.2")
    assert bed.commits(v081, "release-0.8.x") == [npm_commit("0.8.1")]
    assert bed.npm_pins("release-0.8.x") == ("^0.8.1", "^0.8.1", "0.8.1")
    assert bed.server.requests == CONNECT_ONLY * 2


# --------------------------------------------------------------------------- renamed client


def test_renamed_client_package_fails_before_the_first_write(bed: Bed) -> None:
    """Validate, then act (issue 11): the npm step's files are checked before the dev tag
    and the bump are pushed, so nothing is written."""
    config = bed.configure(
        'npm-package = "@llama-stack/client"\npackage-jsons = ["src/llama_stack_ui"]\n'
    )
    tag_sha = release(bed.origin, "v0.7.2", "release-0.7.x")
    result = bed.run("v0.7.2")
    out = failed(result)
    assert statuses(out) == ("", "", "")
    assert len(result.errors) == 1, result.errors
    assert (
        "src/llama_stack_ui/package.json does not depend on '@llama-stack/client'"
        in (result.errors[0])
    )
    assert bed.new_tags() == {"v0.7.2": tag_sha}
    assert head(bed.origin, "main") == config
    assert head(bed.origin, "release-0.7.x") == tag_sha
    assert set(bed.origin.branches()) == {"main", "release-0.6.x", "release-0.7.x"}
    assert bed.server.requests == CONNECT_ONLY
