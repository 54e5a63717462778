"""The GitHub client (adapters.github_client) on the local API: retries, errors, idempotency."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from github import GithubException

from release_actions.adapters.github_client import PR_SETTING, GitHubError, connect, translate
from release_actions.adapters.github_repo import Repo, pull_requests_from_env
from release_actions.core.errors import InvalidValueError, ReleaseActionsError
from tests.testbed.github_api import GitHubAPIServer, commit_files, git_in, init_bare_repo

REPO = "llama-stack/llama-stack"
SECRET = "ghs_s3cr3tT0k3nValue"
FAST = {"max_wait": 0.01, "retries": 3}


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("GITHUB_TOKEN", "GH_TOKEN", "GITHUB_API_URL", "GITHUB_REPOSITORY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("RELEASE_ACTIONS_MAX_RETRY_WAIT", "0.01")


@pytest.fixture
def repo(github_api: GitHubAPIServer) -> Repo:
    return Repo.open(connect(SECRET, github_api.url, **FAST), REPO)


def branch(server: GitHubAPIServer, name: str = "release-0.5.x") -> str:
    return commit_files(server.git.path, name, {"VERSION": name}, f"Bump {name}", start="main")


def error_text(error: ReleaseActionsError) -> str:
    return f"{error} {error.title} {error.fix} {error!r}"


# -- connection -----------------------------------------------------------------------------------
def test_token_and_api_url_come_from_the_environment(
    tmp_path: Path, github_api_factory: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    bare = init_bare_repo(tmp_path / "r.git")
    commit_files(bare, "main", {"a": "1"}, "one")
    server = github_api_factory(bare, tokens={"from-gh-token"}, path_prefix="/api/v3")
    monkeypatch.setenv("GH_TOKEN", "from-gh-token")
    monkeypatch.setenv("GITHUB_API_URL", server.url + "/")  # GHES style, trailing slash
    monkeypatch.setenv("GITHUB_REPOSITORY", REPO)
    repo = pull_requests_from_env()
    assert repo.default_branch == "main"
    assert server.requests == [("GET", f"/api/v3/repos/{REPO}", 200)]


def test_github_token_wins_over_gh_token(
    github_api: GitHubAPIServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    github_api.tokens = {"primary"}
    monkeypatch.setenv("GITHUB_TOKEN", "primary")
    monkeypatch.setenv("GH_TOKEN", "secondary")
    assert Repo.open(connect(api_url=github_api.url, **FAST), REPO).full_name == REPO


def test_missing_token_says_how_to_pass_one(github_api: GitHubAPIServer) -> None:
    with pytest.raises(GitHubError) as exc:
        connect(api_url=github_api.url)
    assert "GITHUB_TOKEN" in exc.value.message
    assert "export GITHUB_TOKEN" in exc.value.fix  # at a terminal
    assert "secrets.GITHUB_TOKEN" in exc.value.actions_fix  # in a workflow
    assert "secrets" not in exc.value.fix
    assert github_api.requests == []


def test_invalid_max_wait_env_is_rejected(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RELEASE_ACTIONS_MAX_RETRY_WAIT", "soon")
    with pytest.raises(InvalidValueError, match="RELEASE_ACTIONS_MAX_RETRY_WAIT"):
        connect("t", "http://127.0.0.1:9")


def test_unreachable_api_is_a_clear_error() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again: nothing listens there
    with pytest.raises(GitHubError) as exc:
        Repo.open(connect(SECRET, f"http://127.0.0.1:{port}", timeout=2, **FAST), REPO)
    assert exc.value.status is None
    assert f"could not reach the GitHub API at http://127.0.0.1:{port}" in exc.value.message
    assert SECRET not in error_text(exc.value)


# -- retries --------------------------------------------------------------------------------------
def test_retries_through_502s(github_api: GitHubAPIServer) -> None:
    github_api.inject("GET", rf"^/repos/{REPO}$", 502, times=2)
    repo = Repo.open(connect(SECRET, github_api.url, **FAST), REPO)
    assert repo.default_branch == "main"
    assert [s for _, _, s in github_api.requests] == [502, 502, 200]


def test_gives_up_after_the_retry_bound(github_api: GitHubAPIServer) -> None:
    github_api.inject("GET", rf"^/repos/{REPO}$", 503, times=None)
    with pytest.raises(GitHubError) as exc:
        Repo.open(connect(SECRET, github_api.url, max_wait=0.01, retries=2), REPO)
    assert github_api.count("GET") == 3  # the request and 2 retries
    assert exc.value.status == 503
    assert exc.value.message == (
        f"GitHub answered 503 while reading repository {REPO}, still after 2 retries."
    )
    assert "githubstatus.com" in exc.value.fix


def test_secondary_rate_limit_honours_retry_after_up_to_the_cap(
    github_api: GitHubAPIServer,
) -> None:
    github_api.inject_secondary_rate_limit("GET", rf"^/repos/{REPO}$", retry_after=30)
    start = time.monotonic()
    repo = Repo.open(connect(SECRET, github_api.url, max_wait=0.2, retries=3), REPO)
    elapsed = time.monotonic() - start
    assert repo.full_name == REPO
    assert [s for _, _, s in github_api.requests] == [403, 200]
    assert 0.2 <= elapsed < 2  # waited, but the cap, not Retry-After's 30 s


def test_secondary_rate_limit_without_retry_after_is_retried(github_api: GitHubAPIServer) -> None:
    github_api.inject_secondary_rate_limit("GET", rf"^/repos/{REPO}$", retry_after=None, times=2)
    assert Repo.open(connect(SECRET, github_api.url, **FAST), REPO).full_name == REPO
    assert [s for _, _, s in github_api.requests] == [403, 403, 200]


def test_post_is_retried_after_a_rate_limit(github_api: GitHubAPIServer, repo: Repo) -> None:
    branch(github_api)
    github_api.inject_secondary_rate_limit("POST", r"/pulls$")
    pull = repo.create_pull("release-0.5.x", "main", "Release 0.5.0", "body")
    assert pull.number == 1
    assert [s for m, p, s in github_api.requests if m == "POST"] == [403, 201]


def test_rate_limit_that_persists_is_reported(github_api: GitHubAPIServer) -> None:
    github_api.inject_secondary_rate_limit("GET", rf"^/repos/{REPO}$", times=None)
    with pytest.raises(GitHubError) as exc:
        Repo.open(connect(SECRET, github_api.url, max_wait=0.01, retries=2), REPO)
    assert github_api.count("GET") == 3
    assert exc.value.title == "GitHub rate limit"
    assert "secondary rate limit" in exc.value.message
    assert "re-run" in exc.value.fix


def test_post_502_is_not_resent_when_github_acted(github_api: GitHubAPIServer, repo: Repo) -> None:
    branch(github_api)
    github_api.inject("POST", r"/pulls$", 502, after=True)  # created, but answered 502
    pull = repo.create_pull("release-0.5.x", "main", "Release 0.5.0", "body")
    assert len(github_api.state.pulls) == 1
    assert pull.number == next(iter(github_api.state.pulls))
    assert github_api.count("POST", r"/pulls$") == 1


def test_post_502_is_resent_when_github_did_not_act(
    github_api: GitHubAPIServer, repo: Repo
) -> None:
    branch(github_api)
    github_api.inject("POST", r"/releases$", 502)
    release = repo.create_draft_release("v0.5.0", "release-0.5.x", "v0.5.0", generate_notes=False)
    assert release.draft is True
    assert github_api.count("POST", r"/releases$") == 2
    assert len(github_api.state.releases) == 1


def test_draft_release_502_after_creation_leaves_one_draft(
    github_api: GitHubAPIServer, repo: Repo
) -> None:
    github_api.inject("POST", r"/releases$", 502, after=True)
    release = repo.create_draft_release("v0.5.0", "main", "v0.5.0")
    assert [r.id for r in github_api.state.releases.values()] == [release.id]


# -- error translation ----------------------------------------------------------------------------
def test_401_says_the_token_is_bad_and_never_shows_it(
    tmp_path: Path, github_api_factory: Any
) -> None:
    bare = init_bare_repo(tmp_path / "r.git")
    commit_files(bare, "main", {"a": "1"}, "one")
    server = github_api_factory(bare, tokens={"the-good-one"})
    with pytest.raises(GitHubError) as exc:
        Repo.open(connect(SECRET, server.url, **FAST), REPO)
    assert exc.value.status == 401
    assert exc.value.title == "GitHub token rejected"
    assert "missing, expired or revoked" in exc.value.message
    assert "Bad credentials" in exc.value.message
    assert SECRET not in error_text(exc.value)
    assert server.count() == 1  # a 401 is not retried


def test_403_names_the_missing_permission(github_api: GitHubAPIServer, repo: Repo) -> None:
    github_api.inject("POST", r"/git/refs$", 403)
    sha = git_in(github_api.git.path, "rev-parse", "main")
    with pytest.raises(GitHubError) as exc:
        repo.create_ref("refs/tags/v0.5.0", sha)
    assert exc.value.status == 403
    assert "Resource not accessible by integration" in exc.value.message
    assert "the token lacks contents: write" in exc.value.message
    assert "grant `permissions: {contents: write}` to the job" in exc.value.fix
    assert "GitHub App token" in exc.value.fix
    assert PR_SETTING not in exc.value.fix
    assert SECRET not in error_text(exc.value)
    assert github_api.count("POST") == 1  # a permission 403 is not retried


def test_403_on_pull_request_creation_points_at_the_actions_setting(
    github_api: GitHubAPIServer, repo: Repo
) -> None:
    branch(github_api)
    github_api.inject("POST", r"/pulls$", 403)
    with pytest.raises(GitHubError) as exc:
        repo.create_pull("release-0.5.x", "main", "Release", "")
    assert "the token lacks pull_requests: write" in exc.value.message
    assert "`permissions: {pull-requests: write}`" in exc.value.fix
    assert "Allow GitHub Actions to create and approve pull requests" in exc.value.fix


def test_404_names_what_was_not_found(github_api: GitHubAPIServer) -> None:
    with pytest.raises(GitHubError) as exc:
        Repo.open(connect(SECRET, github_api.url, **FAST), "llama-stack/missing")
    assert exc.value.status == 404
    assert "repository llama-stack/missing does not exist, or the token cannot see it" in (
        exc.value.message
    )
    assert github_api.url in exc.value.fix  # GHES hint shows which API URL was used


def test_404_for_a_branch(repo: Repo) -> None:
    with pytest.raises(GitHubError, match="branch 'nope' does not exist"):
        repo.branch_protected("nope")


def test_422_carries_githubs_message(github_api: GitHubAPIServer, repo: Repo) -> None:
    with pytest.raises(GitHubError) as exc:
        repo.create_pull("main", "main", "Nothing", "")
    assert exc.value.status == 422
    assert "No commits between main and main" in exc.value.message


def test_pull_request_opened_concurrently_is_reused(
    github_api: GitHubAPIServer, repo: Repo
) -> None:
    branch(github_api)
    first = repo.create_pull("release-0.5.x", "main", "Release 0.5.0", "body")
    # another job opens it between our lookup (which saw none) and our POST: GitHub says 422
    github_api.inject("GET", r"/pulls$", 200, body=[])
    again = repo.create_pull("release-0.5.x", "main", "Release 0.5.0", "body")
    assert again == first
    assert [s for m, p, s in github_api.requests if m == "POST"] == [201, 422]
    assert len(github_api.state.pulls) == 1


def test_actions_not_permitted_to_create_pull_requests() -> None:
    message = "GitHub Actions is not permitted to create or approve pull requests."
    error = translate(GithubException(403, {"message": message}, {}), "creating a pull request")
    assert message in error.message
    assert PR_SETTING in error.fix


@pytest.mark.parametrize(
    ("header", "lacks", "fix"),
    [
        ("contents=write", "contents: write", "`permissions: {contents: write}`"),
        (
            "pull_requests=write,issues=write; contents=admin",
            "pull_requests: write, issues: write or contents: admin",
            "`permissions: {pull-requests: write, issues: write}`",
        ),
        ("administration=read", "administration: read", "GITHUB_TOKEN cannot get it"),
    ],
)
def test_permission_header_parsing(header: str, lacks: str, fix: str) -> None:
    exc = GithubException(
        403,
        {"message": "Resource not accessible by integration"},
        {"X-Accepted-GitHub-Permissions": header},
    )
    error = translate(exc, "doing it")
    assert f"the token lacks {lacks}." in error.message
    assert fix in error.fix


# -- the facade -----------------------------------------------------------------------------------
def test_create_pull_is_idempotent_and_updates_the_text(
    github_api: GitHubAPIServer, repo: Repo
) -> None:
    branch(github_api)
    first = repo.create_pull("release-0.5.x", "main", "Release 0.5.0", "body")
    again = repo.create_pull("release-0.5.x", "main", "Release 0.5.0", "body")
    assert again == first
    retitled = repo.create_pull("release-0.5.x", "main", "Release 0.5.1", "new body")
    assert (retitled.number, retitled.title, retitled.body) == (
        first.number,
        "Release 0.5.1",
        "new body",
    )
    assert github_api.count("POST", r"/pulls$") == 1
    assert github_api.count("PATCH") == 1
    assert len(github_api.state.pulls) == 1


def test_ensure_pull_reports_whether_it_created(github_api: GitHubAPIServer, repo: Repo) -> None:
    branch(github_api)
    url, created = repo.ensure_pull(head="release-0.5.x", base="main", title="R", body="")
    assert (url, created) == (f"https://github.com/{REPO}/pull/1", True)
    assert repo.ensure_pull(head="release-0.5.x", base="main", title="R", body="") == (url, False)


def test_find_close_and_reopen(github_api: GitHubAPIServer, repo: Repo) -> None:
    branch(github_api)
    assert repo.find_pull("release-0.5.x", "main") is None
    pull = repo.create_pull("release-0.5.x", "main", "Release", "", draft=True)
    assert pull.draft is True
    assert repo.close(pull.number).state == "closed"
    assert repo.find_pull("release-0.5.x", "main") is None
    assert repo.find_pull("release-0.5.x", "main", state="all") == repo.close(pull.number)
    assert repo.reopen(pull.number).state == "open"
    assert repo.find_pull("release-0.5.x", "main") is not None


def test_draft_release_is_idempotent_and_found_by_tag(
    github_api: GitHubAPIServer, repo: Repo
) -> None:
    assert repo.get_release("v0.5.0") is None
    draft = repo.create_draft_release("v0.5.0", "main", "v0.5.0", body="Intro")
    assert (draft.tag, draft.draft, draft.target) == ("v0.5.0", True, "main")
    assert draft.body.startswith("Intro\n\n")
    assert repo.create_draft_release("v0.5.0", "main", "v0.5.0") == draft
    assert repo.get_release("v0.5.0") == draft  # drafts are found although GitHub hides them by tag
    assert github_api.count("POST", r"/releases$") == 1
    assert git_in(github_api.git.path, "tag", "--list") == ""  # a draft creates no tag


def test_published_release_is_found_by_tag(github_api: GitHubAPIServer, repo: Repo) -> None:
    repo.raw.create_git_release("v0.4.0", "v0.4.0", "")
    release = repo.get_release("v0.4.0")
    assert release is not None
    assert release.draft is False
    assert github_api.count("GET", r"/releases$") == 0  # no listing needed


def test_generate_notes(github_api: GitHubAPIServer, repo: Repo) -> None:
    repo.raw.create_git_release("v0.4.0", "v0.4.0", "")
    branch(github_api, "fix")
    pull = repo.create_pull("fix", "main", "Fix the thing", "")
    repo.raw.get_pull(pull.number).merge()
    notes = repo.generate_notes("v0.5.0", "main")
    assert "* Fix the thing by @github-actions[bot]" in notes
    assert "compare/v0.4.0...v0.5.0" in notes
    explicit = repo.generate_notes("v0.5.0", "main", previous_tag="v0.4.0")
    assert explicit == notes
    with pytest.raises(GitHubError) as exc:
        repo.generate_notes("v0.5.0", "main", previous_tag="v0.0.1")
    assert exc.value.status == 404


def test_milestone_open_issues(github_api: GitHubAPIServer, repo: Repo) -> None:
    ms = repo.raw.create_milestone("0.5.0")
    blocker = repo.raw.create_issue("Blocker", milestone=ms)
    done = repo.raw.create_issue("Done", milestone=ms)
    github_api.state.issues[done.number].state = "closed"
    repo.raw.create_issue("Unrelated")
    branch(github_api)
    pull = repo.create_pull("release-0.5.x", "main", "A pull request", "")
    github_api.set_milestone(pull.number, ms.number)
    github_api.reset_counts()
    assert repo.milestone_open_issues("0.5.0") == [
        (blocker.number, "Blocker", f"https://github.com/{REPO}/issues/{blocker.number}")
    ]
    assert github_api.count() == 2  # milestones + issues: no request per issue


def test_missing_milestone_is_named(repo: Repo) -> None:
    repo.raw.create_milestone("0.4.0")
    with pytest.raises(GitHubError) as exc:
        repo.milestone_open_issues("0.5.0")
    assert exc.value.message == (
        f"milestone '0.5.0' does not exist in {REPO} (milestones: '0.4.0')."
    )
    assert "create the milestone '0.5.0'" in exc.value.fix


def test_refs(github_api: GitHubAPIServer, repo: Repo) -> None:
    bare = github_api.git.path
    main = git_in(bare, "rev-parse", "main")
    assert repo.get_ref_sha("refs/tags/v0.5.0") is None
    repo.create_ref("refs/tags/v0.5.0", main)
    assert git_in(bare, "rev-parse", "refs/tags/v0.5.0") == main
    assert repo.get_ref_sha("refs/tags/v0.5.0") == main
    repo.create_ref("refs/tags/v0.5.0", main)  # again, same sha: fine
    other = branch(github_api)
    with pytest.raises(GitHubError) as exc:
        repo.create_ref("refs/tags/v0.5.0", other)
    assert exc.value.message == (
        f"refs/tags/v0.5.0 already exists in {REPO} at {main[:12]}, not {other[:12]}."
    )
    with pytest.raises(InvalidValueError):
        repo.create_ref("tags/v0.5.0", main)


def test_branch_protected(github_api: GitHubAPIServer, repo: Repo) -> None:
    assert repo.branch_protected("main") is False
    github_api.protect("main")
    assert repo.branch_protected("main") is True


def test_workflow_run(github_api: GitHubAPIServer, repo: Repo) -> None:
    seeded = github_api.add_workflow_run(name="Release", conclusion="failure")
    run = repo.workflow_run(seeded.id)
    assert (run.id, run.name, run.status, run.conclusion) == (
        seeded.id,
        "Release",
        "completed",
        "failure",
    )
    assert run.head_sha == git_in(github_api.git.path, "rev-parse", "main")
    with pytest.raises(GitHubError, match="workflow run 1 does not exist"):
        repo.workflow_run(1)


def test_compute_version_path_does_not_import_pygithub() -> None:
    root = Path(__file__).resolve().parent.parent
    code = (
        "import sys; import release_actions, release_actions.core.versions; "
        "import release_actions.interface.output; "
        "print('github' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(root / "action-lib")},
    )
    assert out.stdout.strip() == "False"
