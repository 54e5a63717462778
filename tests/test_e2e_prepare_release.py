"""prepare-release end to end: the consumer's "Prepare release" workflow under act.

Every test dispatches ``tests/fixtures/consumer-workflows/prepare-release.yml``
as a consumer has it: it calls
``llama-stack/release-actions/.github/workflows/prepare-release.yml@v1``, which
uses ``llama-stack/release-actions/actions/prepare-release@v1`` (both resolve to
an export of this working tree, see tests/testbed/act.py). The workflow file
is on ``main`` of the monorepo's bare ``origin`` (tests/testbed/origin.py), put
there as a merged pull request would, and act runs in a working clone of it, so
the job's pushes land in the bare repository. The steps see:

* ``GITHUB_API_URL``: a local GitHub API over the same bare repository
  (tests/testbed/github_api) that accepts only the caller's ``RELEASE_TOKEN``
  secret (not act's ``GITHUB_TOKEN``), so the token's way through
  ``secrets: token:`` is checked on every API call;
* ``UV_*``: the session's pypiserver as the only index, with the fake client
  published at 0.7.2, 0.8.0rc1 and 0.8.0 (builds without isolation, as in
  tests/test_prepare_release.py);
* ``RELEASE_ACTIONS_MAX_RETRY_WAIT=0``: the GitHub client's retries do not wait.

Each test checks the refs and files in the bare repository and how many
GitHub API calls were made.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.testbed.act import ActResult, ActRunner
from tests.testbed.github_api.server import GitHubAPIServer
from tests.testbed.monorepo import BOT, uv_env, uv_vars
from tests.testbed.origin import Origin
from tests.testbed.registries import PypiIndex

pytestmark = pytest.mark.e2e

CONSUMER_WORKFLOW = (
    Path(__file__).parent / "fixtures" / "consumer-workflows" / "prepare-release.yml"
)
WORKFLOW = ".github/workflows/prepare-release.yml"
RELEASE_TOKEN = "dummy-release-token"
GITHUB_TOKEN = "dummy-github-token"
ROOT_PY = "pyproject.toml"
API_PY = "src/llama_stack_api/pyproject.toml"
LOCK = "uv.lock"
CHANGED = f"{ROOT_PY} {API_PY} {LOCK}"
JOB = "prepare"  # the reusable workflow's job (the caller's `uses:` job has no entry)
STEP = "prepare"  # the action step in it


def pr_branch(version: str) -> str:
    return f"automation/release-actions/prepare-v{version}"


# --------------------------------------------------------------------------- the bed


@dataclass
class Bed:
    """An origin with the consumer workflow on main, a GitHub API over it, and act."""

    origin: Origin
    server: GitHubAPIServer
    runner: ActRunner
    env: dict[str, str]

    def run(
        self, version: str, *, mode: str = "push", release_branch: str = "", dry_run: bool = False
    ) -> ActResult:
        """Dispatch "Prepare release" with these inputs (as strings, as GitHub sends them)."""
        inputs = {
            "version": version,
            "release_branch": release_branch,
            "mode": mode,
            "dry_run": "true" if dry_run else "false",
        }
        return self.runner.run(
            self.origin.work,
            "workflow_dispatch",
            workflow=WORKFLOW,
            inputs=inputs,
            env=self.env,
            secrets={"RELEASE_TOKEN": RELEASE_TOKEN, "GITHUB_TOKEN": GITHUB_TOKEN},
        )

    def refs(self) -> str:
        """Every ref of the bare repository with its target."""
        return self.origin.bare_git("for-each-ref", "--format=%(refname) %(objectname)")

    def pulls(self) -> list[tuple[int, str, str, str, str]]:
        """(number, state, head, base, title) of every pull request."""
        return [
            (p.number, p.state, p.head, p.base, p.title)
            for p in sorted(self.server.state.pulls.values(), key=lambda p: p.number)
        ]


@pytest.fixture(scope="module")
def index(client_index: Callable[..., PypiIndex]) -> PypiIndex:
    return client_index("0.7.2", "0.8.0rc1", "0.8.0")


def add_consumer_workflow(origin: Origin) -> None:
    """Commit the example workflow on main, as a merged pull request would."""
    origin.merge_file_on_main(
        CONSUMER_WORKFLOW, WORKFLOW, "ci: add the Prepare release workflow (#60)"
    )
    assert origin.ref("main") == origin.git("rev-parse", "HEAD")


@pytest.fixture
def make_bed(
    act_runner: ActRunner, index: PypiIndex, github_api_factory: Callable[..., GitHubAPIServer]
) -> Callable[[Origin], Bed]:
    def make(origin: Origin) -> Bed:
        add_consumer_workflow(origin)
        server = github_api_factory(origin.bare, tokens={RELEASE_TOKEN})
        env = uv_vars(index.simple_url)
        env.update(GITHUB_API_URL=server.url, RELEASE_ACTIONS_MAX_RETRY_WAIT="0")
        return Bed(origin, server, act_runner, env)

    return make


@pytest.fixture
def bed(make_bed: Callable[[Origin], Bed], origin: Origin) -> Bed:
    return make_bed(origin)


# --------------------------------------------------------------------------- checks


def succeeded(result: ActResult) -> dict[str, str]:
    """The action's declared outputs of a run that succeeded without an error annotation."""
    assert result.returncode == 0, result.describe()
    assert result.job_results == {JOB: "success"}, result.describe()
    assert result.errors == [], result.describe()
    return result.step_outputs(JOB, STEP)


def failed_with(result: ActResult) -> str:
    """The one ``::error`` of a run whose prepare step failed."""
    assert result.returncode == 1, result.describe()
    assert result.job_results == {JOB: "failure"}, result.describe()
    assert result.step_result(JOB, STEP) == "failure", result.describe()
    assert len(result.errors) == 1, result.describe()
    return result.errors[0]


def summaries(result: ActResult) -> list[str]:
    """What the action step wrote to ``$GITHUB_STEP_SUMMARY`` (act logs it per step)."""
    return [
        str(e.get("content", ""))
        for e in result.events
        if e.get("command") == "summary" and e.get("jobID") == JOB
        and tuple(e.get("stepID") or ()) == (STEP, STEP)
    ]  # fmt: skip


def replaced(text: str, *changes: tuple[str, str, int]) -> str:
    """``text`` with each (old, new, count): ``old`` must occur exactly ``count`` times."""
    for old, new, count in changes:
        assert text.count(old) == count, (old, text)
        text = text.replace(old, new)
    return text


def assert_prepared(
    origin: Origin, tip: str, base: str, version: str, *, old_fallback: str, old_pin: str
) -> None:
    """``tip`` is ONE prepare commit on ``base`` that changed exactly the version bytes."""
    head = origin.log(tip, max_count=1)[0]
    assert head.subject == f"chore: prepare release v{version}"
    assert head.author == BOT
    assert origin.bare_git("rev-parse", f"{tip}^") == origin.bare_git("rev-parse", base)
    changed = origin.bare_git("diff", "--name-only", base, tip).split()
    assert sorted(changed) == sorted(CHANGED.split())
    fallback = (f'fallback_version = "{old_fallback}"', f'fallback_version = "{version}"', 1)
    pin = (f'"llama-stack-client{old_pin}"', f'"llama-stack-client=={version}"', 2)
    assert origin.show(tip, ROOT_PY) == replaced(origin.show(base, ROOT_PY), fallback, pin)
    assert origin.show(tip, API_PY) == replaced(origin.show(base, API_PY), fallback)
    lock = origin.show(tip, LOCK)
    assert f'name = "llama-stack-client"\nversion = "{version}"\n' in lock
    assert lock.count(f'specifier = "=={version}"') == 2
    assert lock.count('name = "llama-stack-client"\nversion = ') == 1


def assert_lock_agrees(origin: Origin, ref: str, index: PypiIndex, tmp_path: Path) -> None:
    """``uv lock --locked`` on ``ref``'s tree: the committed lock matches its pins."""
    tree = tmp_path / "tree"
    tree.mkdir()
    archive = subprocess.run(
        ["git", "-C", str(origin.bare), "archive", ref], check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
    uv = Path(sys.executable).parent / "uv"
    proc = subprocess.run(
        [str(uv if uv.exists() else "uv"), "lock", "--locked"],
        cwd=tree,
        env=uv_env(index.simple_url),
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr


# --------------------------------------------------------------------------- push mode


def test_patch_release_push_mode_then_rerun_is_unchanged(
    bed: Bed, index: PypiIndex, tmp_path: Path
) -> None:
    origin = bed.origin
    base = origin.ref("release-0.7.x")
    before = origin.branches(), origin.tags()

    out = succeeded(bed.run("0.7.2"))

    tip = origin.ref("release-0.7.x")
    assert out == {
        "status": "pushed",
        "changed": "true",
        "commit-sha": tip,
        "pull-request-url": "",
        "changed-files": CHANGED,
        "release-branch": "release-0.7.x",
        "tag": "v0.7.2",
        "release-url": "",  # draft-release is off
    }
    assert_prepared(origin, tip, base, "0.7.2", old_fallback="0.7.1", old_pin="==0.7.1")
    assert_lock_agrees(origin, tip, index, tmp_path)
    assert (origin.branches(), origin.tags()) == ({**before[0], "release-0.7.x": tip}, before[1])
    assert bed.server.count() == 0  # push mode never calls the API

    # A re-run after success finds nothing to do.
    refs = bed.refs()
    again = succeeded(bed.run("0.7.2"))
    assert again["status"] == "unchanged"
    assert again["changed"] == "false"
    assert again["commit-sha"] == tip
    assert bed.refs() == refs
    assert bed.server.count() == 0


def test_minor_release_creates_its_branch_from_main(bed: Bed) -> None:
    origin = bed.origin
    assert origin.ref("release-0.8.x") is None
    before = origin.branches(), origin.tags()
    main = origin.ref("main")

    out = succeeded(bed.run("0.8.0"))

    tip = origin.ref("release-0.8.x")
    assert out["status"] == "pushed"
    assert out["commit-sha"] == tip
    assert out["release-branch"] == "release-0.8.x"
    assert out["tag"] == "v0.8.0"
    assert_prepared(origin, tip, main, "0.8.0", old_fallback="0.7.2.dev0", old_pin=">=0.7.1")
    assert (origin.branches(), origin.tags()) == ({**before[0], "release-0.8.x": tip}, before[1])
    assert bed.server.count() == 0


def test_release_candidate(bed: Bed) -> None:
    origin = bed.origin
    main = origin.ref("main")

    out = succeeded(bed.run("0.8.0rc1"))

    tip = origin.ref("release-0.8.x")
    assert (out["status"], out["commit-sha"], out["tag"]) == ("pushed", tip, "v0.8.0rc1")
    assert_prepared(origin, tip, main, "0.8.0rc1", old_fallback="0.7.2.dev0", old_pin=">=0.7.1")
    assert origin.ref("main") == main
    assert bed.server.count() == 0


# --------------------------------------------------------------------------- pull requests


@dataclass
class TwoRuns:
    base: str  # release-0.7.x before (and after) both runs
    pr_tip: str  # the pull request branch after the first run
    refs: str  # every ref on origin between the runs
    first: dict[str, str]
    again: dict[str, str]


def pull_request_mode_twice(bed: Bed) -> TwoRuns:
    """Prepare 0.7.2 in pull-request mode, check the first run, and run it again."""
    origin = bed.origin
    base = origin.ref("release-0.7.x")
    head = pr_branch("0.7.2")

    first = succeeded(bed.run("0.7.2", mode="pull-request"))

    assert origin.ref("release-0.7.x") == base  # the release branch itself is untouched
    pr_tip = origin.ref(head)
    assert pr_tip is not None
    assert_prepared(origin, head, base, "0.7.2", old_fallback="0.7.1", old_pin="==0.7.1")
    assert bed.pulls() == [(1, "open", head, "release-0.7.x", "chore: prepare release v0.7.2")]
    assert bed.server.state.pulls[1].head_sha == pr_tip
    assert bed.server.state.pulls[1].body and "release-0.7.x" in bed.server.state.pulls[1].body
    assert first == {
        "status": "pull-request",
        "changed": "true",
        "commit-sha": pr_tip,
        "pull-request-url": "https://github.com/llama-stack/llama-stack/pull/1",
        "changed-files": CHANGED,
        "release-branch": "release-0.7.x",
        "tag": "v0.7.2",
        "release-url": "",  # draft-release is off
    }
    assert bed.server.count("POST", r"/pulls$") == 1
    assert bed.server.count() == 3  # the repository, the open pull requests, the new one

    bed.server.reset_counts()
    refs = bed.refs()
    again = succeeded(bed.run("0.7.2", mode="pull-request"))
    return TwoRuns(base, pr_tip, refs, first, again)


def test_pull_request_mode_then_rerun_opens_no_second_one(bed: Bed) -> None:
    runs = pull_request_mode_twice(bed)

    head = pr_branch("0.7.2")
    assert bed.pulls() == [(1, "open", head, "release-0.7.x", "chore: prepare release v0.7.2")]
    assert runs.again["pull-request-url"] == runs.first["pull-request-url"]
    assert bed.server.count() == 2  # found the open pull request; nothing written
    assert bed.server.count("GET") == 2
    assert bed.origin.ref("release-0.7.x") == runs.base
    assert_prepared(bed.origin, head, runs.base, "0.7.2", old_fallback="0.7.1", old_pin="==0.7.1")


def test_pull_request_mode_rerun_after_success_is_unchanged(bed: Bed) -> None:
    runs = pull_request_mode_twice(bed)

    assert bed.refs() == runs.refs  # the pull request's branch keeps its commit
    assert runs.again["status"] == "unchanged"
    assert runs.again["changed"] == "false"
    assert runs.again["commit-sha"] == runs.pr_tip


def test_auto_mode_on_a_protected_branch_opens_a_pull_request(
    make_bed: Callable[[Origin], Bed], protected_origin: Origin
) -> None:
    bed = make_bed(protected_origin)
    bed.server.protect("release-0.7.x")
    origin = bed.origin
    base = origin.ref("release-0.7.x")
    head = pr_branch("0.7.2")

    result = bed.run("0.7.2", mode="auto")
    out = succeeded(result)

    assert origin.ref("release-0.7.x") == base
    assert_prepared(origin, head, base, "0.7.2", old_fallback="0.7.1", old_pin="==0.7.1")
    assert bed.pulls() == [(1, "open", head, "release-0.7.x", "chore: prepare release v0.7.2")]
    assert (out["status"], out["commit-sha"]) == ("pull-request", origin.ref(head))
    assert out["pull-request-url"].endswith("/pull/1")
    notices = result.annotations("notice")
    protected = "release-0.7.x is protected (branch protection or a ruleset)"
    assert f"{protected}; opening a pull request instead" in notices
    assert bed.server.count("POST", r"/pulls$") == 1
    assert bed.server.count() == 3


@pytest.mark.parametrize(
    ("status", "times", "fragment"),
    [
        pytest.param(403, 1, "Allow GitHub Actions to create and approve pull requests", id="403"),
        pytest.param(502, None, "GitHub answered 502", id="502-every-time"),
    ],
)
def test_rerun_after_the_pull_request_could_not_be_opened(
    bed: Bed, status: int, times: int | None, fragment: str
) -> None:
    origin = bed.origin
    base = origin.ref("release-0.7.x")
    head = pr_branch("0.7.2")
    fault = bed.server.inject("POST", r"/pulls$", status, times)

    error = failed_with(bed.run("0.7.2", mode="pull-request"))

    assert fragment in error
    assert bed.pulls() == []
    first_tip = origin.ref(head)  # half-finished: the change branch was pushed
    assert first_tip is not None
    assert origin.ref("release-0.7.x") == base

    fault.times = fault.hits  # the setting was fixed, or GitHub is back
    bed.server.reset_counts()
    out = succeeded(bed.run("0.7.2", mode="pull-request"))

    assert bed.server.count("POST", r"/pulls$") == 1
    assert bed.pulls() == [(1, "open", head, "release-0.7.x", "chore: prepare release v0.7.2")]
    assert out["status"] == "pull-request"
    assert out["commit-sha"] == origin.ref(head)
    assert origin.ref("release-0.7.x") == base
    assert_prepared(origin, head, base, "0.7.2", old_fallback="0.7.1", old_pin="==0.7.1")


def test_pull_request_created_but_answered_502_is_not_duplicated(bed: Bed) -> None:
    head = pr_branch("0.7.2")
    bed.server.inject("POST", r"/pulls$", 502, 1, after=True)  # GitHub acted, then said 502

    out = succeeded(bed.run("0.7.2", mode="pull-request"))

    assert bed.pulls() == [(1, "open", head, "release-0.7.x", "chore: prepare release v0.7.2")]
    assert out["pull-request-url"].endswith("/pull/1")
    assert bed.server.count("POST", r"/pulls$") == 1


def test_rerun_after_a_closed_unmerged_pull_request(bed: Bed) -> None:
    origin = bed.origin
    base = origin.ref("release-0.7.x")
    head = pr_branch("0.7.2")
    succeeded(bed.run("0.7.2", mode="pull-request"))
    bed.server.state.pulls[1].state = "closed"  # closed without merging
    bed.server.reset_counts()

    out = succeeded(bed.run("0.7.2", mode="pull-request"))

    assert bed.pulls() == [
        (1, "closed", head, "release-0.7.x", "chore: prepare release v0.7.2"),
        (2, "open", head, "release-0.7.x", "chore: prepare release v0.7.2"),
    ]
    assert bed.server.count("POST", r"/pulls$") == 1
    assert out["pull-request-url"].endswith("/pull/2")
    assert out["commit-sha"] == origin.ref(head)
    assert origin.ref("release-0.7.x") == base
    assert_prepared(origin, head, base, "0.7.2", old_fallback="0.7.1", old_pin="==0.7.1")


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("version", "release_branch", "fragments"),
    [
        pytest.param("0.8", "", ["invalid version '0.8'"], id="two-parts"),
        pytest.param("v0.8.0", "", ["invalid version 'v0.8.0'"], id="v-prefix"),
        pytest.param("0.8.0; id", "", ["invalid version '0.8.0; id'"], id="shell"),
        pytest.param(
            "0.8.0", "release-0.7.x", ["release-branch 'release-0.7.x'"], id="branch-mismatch"
        ),
        pytest.param("0.7.1", "", ["tag v0.7.1 already exists"], id="released"),
        pytest.param("0.7.1rc1", "", ["0.7.1rc1 is not above 0.7.1"], id="not-above"),
        pytest.param("0.9.1", "", ["release-0.9.x does not exist"], id="no-branch"),
    ],
)
def test_bad_input_fails_without_changing_origin(
    bed: Bed, version: str, release_branch: str, fragments: list[str]
) -> None:
    refs = bed.refs()

    result = bed.run(version, release_branch=release_branch)

    error = failed_with(result)
    for fragment in fragments:
        assert fragment in error, result.describe()
    assert bed.refs() == refs
    assert bed.server.count() == 0
    assert "uid=" not in result.output()  # the version never reaches a shell


# --------------------------------------------------------------------------- races, dry run

#: On the FIRST push to release-0.7.x only, another writer's commit lands on the
#: branch while the push is being received (after git advertised the old tip):
#: git's own compare-and-swap then refuses the push, as GitHub does for two
#: concurrent pushes ("cannot lock ref ...: is at X but expected Y").
RACE_HOOK = r"""#!/bin/sh
set -eu
while read -r old new ref; do
    [ "$ref" = refs/heads/release-0.7.x ] || continue
    [ -e "$GIT_DIR/raced" ] && continue
    touch "$GIT_DIR/raced"
    (
        unset GIT_QUARANTINE_PATH GIT_OBJECT_DIRECTORY GIT_ALTERNATE_OBJECT_DIRECTORIES
        export GIT_INDEX_FILE="$GIT_DIR/race-index"
        export GIT_AUTHOR_NAME="Llama Dev" GIT_AUTHOR_EMAIL=dev@llama-stack.test
        export GIT_COMMITTER_NAME="Llama Dev" GIT_COMMITTER_EMAIL=dev@llama-stack.test
        git read-tree "$old"
        blob=$(printf 'fix: a concurrent backport\n' | git hash-object -w --stdin)
        git update-index --add --cacheinfo "100644,$blob,docs/changelog.d/99.md"
        tree=$(git write-tree)
        commit=$(echo "fix: a concurrent backport (#99)" | git commit-tree "$tree" -p "$old")
        rm -f "$GIT_INDEX_FILE"
        git update-ref "$ref" "$commit" "$old"
    )
done
exit 0
"""


def test_lost_push_race_is_redone_on_the_new_head(bed: Bed) -> None:
    origin = bed.origin
    base = origin.ref("release-0.7.x")
    hook = origin.bare / "hooks" / "pre-receive"
    hook.write_text(RACE_HOOK)
    hook.chmod(0o755)

    result = bed.run("0.7.2")
    out = succeeded(result)

    tip = origin.ref("release-0.7.x")
    log = origin.log("release-0.7.x", max_count=3)
    assert [e.subject for e in log] == [
        "chore: prepare release v0.7.2",
        "fix: a concurrent backport (#99)",
        origin.log(base, max_count=1)[0].subject,
    ]
    concurrent = log[1].sha
    assert log[2].sha == base
    assert origin.show(tip, "docs/changelog.d/99.md") == "fix: a concurrent backport\n"
    assert_prepared(origin, tip, concurrent, "0.7.2", old_fallback="0.7.1", old_pin="==0.7.1")
    assert (out["status"], out["commit-sha"]) == ("pushed", tip)
    assert result.annotations("notice") == [
        "push to release-0.7.x lost a race (attempt 1); re-applying on the new head"
    ], result.describe()
    assert bed.server.count() == 0


def test_dry_run_changes_nothing_and_shows_the_diff(bed: Bed) -> None:
    refs = bed.refs()

    result = bed.run("0.7.2", mode="pull-request", dry_run=True)
    out = succeeded(result)

    assert out["status"] == "dry-run"
    assert out["changed-files"] == CHANGED
    assert bed.refs() == refs
    assert bed.server.count() == 0  # not even in pull-request mode
    (summary,) = summaries(result)
    assert summary.startswith("### Prepare release (dry run) v0.7.2")
    for line in (
        '-fallback_version = "0.7.1"',
        '+fallback_version = "0.7.2"',
        '+    "llama-stack-client==0.7.2", # Optional for library-only usage',
        '+    "llama-stack-client==0.7.2", # Typed client for the integration tests',
        '+version = "0.7.2"',
    ):
        assert f"\n{line}\n" in summary, summary
