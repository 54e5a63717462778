"""prepare-release's governance inputs end to end: the example workflow
``tests/fixtures/consumer-workflows/prepare-release-governed.yml`` under act.

It uses ``llama-stack/release-actions/actions/prepare-release@v1`` (an export of
this working tree) with ``milestone-gate`` and ``draft-release: true``. The
workflow is committed on main of the monorepo's bare origin, act runs in a clone
of it, and ``GITHUB_API_URL`` is a local GitHub API over the same bare repository
that accepts only the caller's ``RELEASE_TOKEN`` secret.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.testbed.act import ActResult, ActRunner
from tests.testbed.github_api.server import GitHubAPIServer
from tests.testbed.monorepo import uv_vars
from tests.testbed.origin import Origin
from tests.testbed.registries import PypiIndex

pytestmark = pytest.mark.e2e

EXAMPLE = Path(__file__).parent / "fixtures" / "consumer-workflows" / "prepare-release-governed.yml"
WORKFLOW = ".github/workflows/prepare-release-governed.yml"
REPOSITORY = "llama-stack/llama-stack"
WEB = f"https://github.com/{REPOSITORY}"
TOKEN = "dummy-release-token"


@pytest.fixture(scope="module")
def index(client_index: Callable[..., PypiIndex]) -> PypiIndex:
    return client_index("0.7.2")


@pytest.fixture
def server(origin: Origin, github_api_factory: Callable[..., GitHubAPIServer]) -> GitHubAPIServer:
    origin.merge_file_on_main(EXAMPLE, WORKFLOW, "ci: governed Prepare release workflow")
    return github_api_factory(origin.bare, full_name=REPOSITORY, tokens={TOKEN})


def run(
    act_runner: ActRunner, origin: Origin, index: PypiIndex, server: GitHubAPIServer, **inputs: str
) -> ActResult:
    env = uv_vars(index.simple_url)
    env.update(GITHUB_API_URL=server.url, RELEASE_ACTIONS_MAX_RETRY_WAIT="0")
    return act_runner.run(
        origin.work,
        "workflow_dispatch",
        workflow=WORKFLOW,
        inputs=inputs,
        env=env,
        secrets={"RELEASE_TOKEN": TOKEN},
        repository=REPOSITORY,
    )


def add_milestone(server: GitHubAPIServer, title: str, *issues: tuple[str, str]) -> list[int]:
    from release_actions.adapters.github_client import connect
    from release_actions.adapters.github_repo import Repo

    api = Repo.open(connect(TOKEN, server.url, retries=0), REPOSITORY)
    milestone = api.raw.create_milestone(title)
    numbers = []
    for name, state in issues:
        issue = api.raw.create_issue(name, milestone=milestone)
        server.state.issues[issue.number].state = state
        numbers.append(issue.number)
    server.reset_counts()
    return numbers


def test_open_issues_stop_the_run_before_any_write(
    act_runner: ActRunner, origin: Origin, index: PypiIndex, server: GitHubAPIServer
) -> None:
    number, _done = add_milestone(server, "v0.7.2", ("Crash on start", "open"), ("Done", "closed"))
    refs = origin.bare_git("for-each-ref")

    result = run(act_runner, origin, index, server, version="0.7.2", milestone_gate="fail")

    assert result.returncode == 1, result.describe()
    assert result.job_results == {"prepare": "failure"}, result.describe()
    assert result.errors == [
        f"milestone 'v0.7.2' has 1 open issue: #{number} Crash on start ({WEB}/issues/{number}). "
        "Nothing was changed. Fix: close them, or move them to a later milestone with a "
        "documented rationale (Release Criteria), then re-run; milestone-gate warn only "
        "reports them"
    ], result.describe()
    assert origin.bare_git("for-each-ref") == refs
    assert server.requests == [
        ("GET", f"/repos/{REPOSITORY}", 200),
        ("GET", f"/repos/{REPOSITORY}/milestones", 200),
        ("GET", f"/repos/{REPOSITORY}/issues", 200),
    ]
    assert server.state.releases == {}


def test_closed_milestone_then_a_draft_release(
    act_runner: ActRunner, origin: Origin, index: PypiIndex, server: GitHubAPIServer
) -> None:
    add_milestone(server, "0.7.2", ("Done", "closed"))

    result = run(act_runner, origin, index, server, version="0.7.2", milestone_gate="fail")

    assert result.returncode == 0, result.describe()
    assert result.errors == [], result.describe()
    outputs = result.step_outputs("prepare", "prepare")
    (release,) = server.state.releases.values()
    assert (release.tag_name, release.draft, release.target_commitish) == (
        "v0.7.2", True, "release-0.7.x",
    )  # fmt: skip
    assert outputs["release-url"] == f"{WEB}/releases/tag/{release.untagged_id}"
    assert outputs["status"] == "pushed"
    assert origin.log("release-0.7.x", max_count=1)[0].subject == "chore: prepare release v0.7.2"
    assert "v0.7.2" not in origin.tags()  # publishing the draft makes the tag, not this
    assert server.count("GET", "/milestones$") == 2  # "v0.7.2" first, then "0.7.2"
    assert server.count("POST", "/releases/generate-notes$") == 1
    assert server.count("POST", "/releases$") == 1
    assert server.count("POST") == 2
