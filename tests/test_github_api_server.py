"""The local GitHub API, driven through the real PyGithub: git-backed, stateful, validated."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import github
import pytest
from github import Auth, Github, GithubException

from release_actions.rehearsal.world.github_api import shapes
from tests.testbed.github_api import GitHubAPIServer, commit_files, git_in, init_bare_repo

REPO = "llama-stack/llama-stack"


def client(server: GitHubAPIServer, token: str = "test-token", **kwargs: Any) -> Github:
    return Github(
        auth=Auth.Token(token),
        base_url=server.url,
        retry=None,
        seconds_between_requests=0,
        seconds_between_writes=0,
        **kwargs,
    )


@pytest.fixture
def bare(github_api: GitHubAPIServer) -> Path:
    return github_api.git.path


@pytest.fixture
def repo(github_api: GitHubAPIServer) -> Any:
    return client(github_api).get_repo(REPO)


def raw(server: GitHubAPIServer, method: str, path: str, body: Any = None, auth: bool = True):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(server.url + path, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    if auth:
        request.add_header("Authorization", "token t")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), json.loads(response.read() or b"null")
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), json.loads(exc.read() or b"null")


def feature_branch(bare: Path, name: str = "feature", files: dict[str, str] | None = None) -> str:
    return commit_files(bare, name, files or {f"{name}.txt": name}, f"Add {name}", start="main")


# -- repository, branches, protection -------------------------------------------------------------
def test_repository_and_default_branch(repo: Any) -> None:
    assert repo.full_name == REPO
    assert repo.default_branch == "main"
    assert repo.owner.login == "llama-stack"


def test_branch_protection_is_reported(github_api: GitHubAPIServer, repo: Any) -> None:
    assert repo.get_branch("main").protected is False
    with pytest.raises(GithubException) as missing:
        repo.get_branch("main").get_protection()
    assert missing.value.status == 404
    github_api.protect("main", required_reviews=2)
    branch = repo.get_branch("main")
    assert branch.protected is True
    assert (
        branch.get_protection().required_pull_request_reviews.required_approving_review_count == 2
    )


def test_unknown_branch_is_404(repo: Any) -> None:
    with pytest.raises(GithubException) as exc:
        repo.get_branch("nope")
    assert exc.value.status == 404


# -- refs agree with git --------------------------------------------------------------------------
def test_refs_are_read_from_git_every_time(bare: Path, repo: Any) -> None:
    assert repo.get_git_ref("heads/main").object.sha == git_in(bare, "rev-parse", "main")
    new = commit_files(bare, "main", {"x": "1"}, "pushed behind the API's back")
    assert repo.get_git_ref("heads/main").object.sha == new
    assert repo.get_branch("main").commit.sha == new


def test_ref_create_update_delete_go_to_git(bare: Path, repo: Any) -> None:
    main = git_in(bare, "rev-parse", "main")
    ref = repo.create_git_ref("refs/heads/release-0.5.x", main)
    assert git_in(bare, "rev-parse", "refs/heads/release-0.5.x") == main
    ahead = commit_files(bare, "side", {"s": "1"}, "side", start="main")
    ref.edit(ahead)
    assert git_in(bare, "rev-parse", "refs/heads/release-0.5.x") == ahead
    with pytest.raises(GithubException) as not_ff:
        ref.edit(main)
    assert not_ff.value.status == 422
    assert "fast forward" in not_ff.value.data["message"]
    ref.edit(main, force=True)
    assert git_in(bare, "rev-parse", "refs/heads/release-0.5.x") == main
    assert [r.ref for r in repo.get_git_matching_refs("heads/release")] == [
        "refs/heads/release-0.5.x"
    ]
    ref.delete()
    assert "release-0.5.x" not in git_in(bare, "for-each-ref", "--format=%(refname)")
    with pytest.raises(GithubException) as gone:
        repo.get_git_ref("heads/release-0.5.x")
    assert gone.value.status == 404


def test_creating_an_existing_ref_is_422(bare: Path, repo: Any) -> None:
    main = git_in(bare, "rev-parse", "main")
    with pytest.raises(GithubException) as exc:
        repo.create_git_ref("refs/heads/main", main)
    assert exc.value.status == 422
    assert exc.value.data["message"] == "Reference already exists"


def test_protected_branch_rejects_api_updates(github_api: GitHubAPIServer, bare: Path) -> None:
    repo = client(github_api).get_repo(REPO)
    github_api.protect("main")
    before = git_in(bare, "rev-parse", "main")
    ahead = commit_files(bare, "side", {"s": "1"}, "side", start="main")
    with pytest.raises(GithubException) as exc:
        repo.get_git_ref("heads/main").edit(ahead)
    assert exc.value.status == 422
    assert "Protected branch update failed" in exc.value.data["message"]
    assert git_in(bare, "rev-parse", "main") == before


def test_annotated_tag_and_git_commit(bare: Path, repo: Any) -> None:
    main = git_in(bare, "rev-parse", "main")
    tag = repo.create_git_tag("v1.0.0", "Release 1.0.0", main, "commit")
    assert git_in(bare, "cat-file", "-t", tag.sha) == "tag"
    ref = repo.create_git_ref("refs/tags/v1.0.0", tag.sha)
    assert ref.object.type == "tag"
    assert git_in(bare, "rev-parse", "v1.0.0^{commit}") == main
    commit = repo.get_git_commit(main)
    assert commit.message == "Add pyproject"
    assert [p.sha for p in commit.parents] == [git_in(bare, "rev-parse", "main~1")]


def test_compare(bare: Path, repo: Any) -> None:
    feature_branch(bare)
    comparison = repo.compare("main", "feature")
    assert (comparison.status, comparison.ahead_by, comparison.behind_by) == ("ahead", 1, 0)
    assert [c.commit.message for c in comparison.commits] == ["Add feature"]


# -- pull requests --------------------------------------------------------------------------------
def test_pull_request_create_get_and_list_filters(bare: Path, repo: Any) -> None:
    head = feature_branch(bare)
    feature_branch(bare, "other")
    pr = repo.create_pull(base="main", head="feature", title="Feature", body="Body")
    other = repo.create_pull(base="main", head="other", title="Other", body="")
    assert (pr.state, pr.merged, pr.head.sha, pr.commits) == ("open", False, head, 1)
    assert repo.get_pull(pr.number).title == "Feature"
    assert [p.number for p in repo.get_pulls(state="open")] == [other.number, pr.number]
    by_head = repo.get_pulls(state="open", head="llama-stack:feature", base="main")
    assert [p.number for p in by_head] == [pr.number]
    assert list(repo.get_pulls(state="open", head="llama-stack:feature", base="other")) == []
    assert list(repo.get_pulls(state="closed")) == []


def test_duplicate_pull_request_is_422_like_github(bare: Path, repo: Any) -> None:
    feature_branch(bare)
    repo.create_pull(base="main", head="feature", title="Feature", body="")
    with pytest.raises(GithubException) as exc:
        repo.create_pull(base="main", head="feature", title="Again", body="")
    assert exc.value.status == 422
    assert exc.value.data["errors"][0]["message"] == (
        "A pull request already exists for llama-stack:feature."
    )


@pytest.mark.parametrize("head", ["main", "same-as-main"])
def test_pull_request_without_commits_is_422(bare: Path, repo: Any, head: str) -> None:
    if head != "main":
        git_in(bare, "update-ref", f"refs/heads/{head}", "main")
    with pytest.raises(GithubException) as exc:
        repo.create_pull(base="main", head=head, title="Nothing", body="")
    assert exc.value.status == 422
    assert exc.value.data["errors"][0]["message"] == f"No commits between main and {head}"


def test_merge_really_merges_in_the_bare_repository(bare: Path, repo: Any) -> None:
    base = git_in(bare, "rev-parse", "main")
    head = feature_branch(bare)
    commit_files(bare, "main", {"main-only": "1"}, "Diverge main")
    diverged = git_in(bare, "rev-parse", "main")
    pr = repo.create_pull(base="main", head="feature", title="Feature", body="")
    assert pr.mergeable is True
    result = pr.merge()
    assert result.merged is True
    tip = git_in(bare, "rev-parse", "main")
    assert result.sha == tip
    assert git_in(bare, "rev-parse", "main^1", "main^2").split() == [diverged, head]
    assert git_in(bare, "log", "-1", "--format=%s", "main") == (
        f"Merge pull request #{pr.number} from llama-stack/feature"
    )
    assert git_in(bare, "show", "main:feature.txt") == "feature"
    assert git_in(bare, "merge-base", "--is-ancestor", base, "main") == ""
    merged = repo.get_pull(pr.number)
    assert (merged.state, merged.merged, merged.merge_commit_sha) == ("closed", True, tip)
    assert [p.number for p in repo.get_pulls(state="closed")] == [pr.number]
    with pytest.raises(GithubException) as again:
        merged.merge()
    assert again.value.status == 405


def test_squash_merge(bare: Path, repo: Any) -> None:
    feature_branch(bare)
    base = git_in(bare, "rev-parse", "main")
    pr = repo.create_pull(base="main", head="feature", title="Feature", body="")
    pr.merge(merge_method="squash")
    assert git_in(bare, "rev-parse", "main^@") == base  # one parent
    assert git_in(bare, "log", "-1", "--format=%s", "main") == f"Feature (#{pr.number})"


def test_merge_conflict_is_405_and_leaves_git_alone(bare: Path, repo: Any) -> None:
    feature_branch(bare, "feature", {"README.md": "feature version\n"})
    commit_files(bare, "main", {"README.md": "main version\n"}, "Conflicting change")
    before = git_in(bare, "rev-parse", "main")
    pr = repo.create_pull(base="main", head="feature", title="Conflict", body="")
    assert pr.mergeable is False
    with pytest.raises(GithubException) as exc:
        pr.merge()
    assert exc.value.status == 405
    assert git_in(bare, "rev-parse", "main") == before
    assert repo.get_pull(pr.number).state == "open"


def test_merge_with_stale_sha_is_409(bare: Path, repo: Any) -> None:
    old = feature_branch(bare)
    pr = repo.create_pull(base="main", head="feature", title="Feature", body="")
    commit_files(bare, "feature", {"more": "1"}, "More")
    with pytest.raises(GithubException) as exc:
        pr.merge(sha=old)
    assert exc.value.status == 409


def test_pull_request_update_close_and_reopen(bare: Path, repo: Any) -> None:
    feature_branch(bare)
    pr = repo.create_pull(base="main", head="feature", title="Old", body="old")
    pr.edit(title="New", body="new", state="closed")
    closed = repo.get_pull(pr.number)
    assert (closed.title, closed.body, closed.state, closed.merged) == (
        "New",
        "new",
        "closed",
        False,
    )
    assert closed.closed_at is not None
    closed.edit(state="open")
    assert repo.get_pull(pr.number).state == "open"


def test_pull_requests_page_through_link_headers(github_api: GitHubAPIServer, bare: Path) -> None:
    repo = client(github_api, per_page=2).get_repo(REPO)
    for n in range(5):
        feature_branch(bare, f"f{n}")
        repo.create_pull(base="main", head=f"f{n}", title=f"PR {n}", body="")
    github_api.reset_counts()
    assert [p.title for p in repo.get_pulls()] == [f"PR {n}" for n in reversed(range(5))]
    assert github_api.count("GET", r"/pulls$") == 3


# -- releases -------------------------------------------------------------------------------------
def test_draft_release_creates_no_tag_until_published(bare: Path, repo: Any) -> None:
    main = git_in(bare, "rev-parse", "main")
    draft = repo.create_git_release(
        "v1.0.0", "v1.0.0", "notes", draft=True, target_commitish="main"
    )
    assert draft.draft is True
    assert "untagged-" in draft.html_url
    assert git_in(bare, "tag", "--list") == ""
    with pytest.raises(GithubException) as by_tag:  # as on GitHub: drafts are not found by tag
        repo.get_release("v1.0.0")
    assert by_tag.value.status == 404
    assert repo.get_release(draft.id).tag_name == "v1.0.0"
    assert [r.id for r in repo.get_releases()] == [draft.id]
    published = draft.update_release("v1.0.0", "notes", draft=False)
    assert published.draft is False
    assert git_in(bare, "rev-parse", "refs/tags/v1.0.0") == main
    assert repo.get_release("v1.0.0").id == draft.id


def test_release_for_missing_tag_tags_target_commitish(bare: Path, repo: Any) -> None:
    feature = feature_branch(bare)
    release = repo.create_git_release("v0.1.0", "v0.1.0", "", target_commitish="feature")
    assert git_in(bare, "rev-parse", "refs/tags/v0.1.0") == feature
    assert release.tarball_url.endswith("/tarball/v0.1.0")
    with pytest.raises(GithubException) as dup:
        repo.create_git_release("v0.1.0", "again", "")
    assert dup.value.status == 422
    assert dup.value.data["errors"][0]["code"] == "already_exists"


def test_latest_release_skips_drafts_and_prereleases(repo: Any) -> None:
    with pytest.raises(GithubException):
        repo.get_latest_release()
    repo.create_git_release("v1.0.0", "1.0.0", "")
    repo.create_git_release("v1.1.0rc1", "rc", "", prerelease=True)
    repo.create_git_release("v1.1.0", "draft", "", draft=True)
    assert repo.get_latest_release().tag_name == "v1.0.0"


def test_generated_notes_list_merged_pull_requests_since_previous_release(
    bare: Path, repo: Any
) -> None:
    repo.create_git_release("v1.0.0", "1.0.0", "")
    feature_branch(bare)
    pr = repo.create_pull(base="main", head="feature", title="Add the feature", body="")
    pr.merge()
    notes = repo.generate_release_notes("v1.1.0", target_commitish="main")
    assert notes.name == "v1.1.0"
    assert f"* Add the feature by @github-actions[bot] in https://github.com/{REPO}/pull/1" in (
        notes.body
    )
    assert "compare/v1.0.0...v1.1.0" in notes.body
    release = repo.create_git_release(
        "v1.1.0", "", "Intro", draft=True, target_commitish="main", generate_release_notes=True
    )
    assert release.body.startswith("Intro\n\n## What's Changed")
    assert release.name == "v1.1.0"


# -- milestones and issues ------------------------------------------------------------------------
def test_milestone_issues_filtered_by_milestone_and_state(
    github_api: GitHubAPIServer, bare: Path, repo: Any
) -> None:
    ms = repo.create_milestone("0.5.0")
    other = repo.create_milestone("0.6.0")
    assert [m.title for m in repo.get_milestones()] == ["0.5.0", "0.6.0"]
    a = repo.create_issue("open blocker", milestone=ms)
    b = repo.create_issue("closed one", milestone=ms)
    github_api.state.issues[b.number].state = "closed"  # closing issues is not modelled
    repo.create_issue("later", milestone=other)
    repo.create_issue("no milestone")
    feature_branch(bare)
    pr = repo.create_pull(base="main", head="feature", title="A PR", body="")
    github_api.set_milestone(pr.number, ms.number)
    listed = list(repo.get_issues(milestone=ms, state="open"))
    assert [i.number for i in listed] == [pr.number, a.number]
    _, _, body = raw(github_api, "GET", f"/repos/{REPO}/issues?milestone={ms.number}")
    assert ["pull_request" in i for i in body] == [True, False]  # as GitHub lists PRs
    assert [i.title for i in repo.get_issues(milestone=ms, state="closed")] == ["closed one"]
    assert [m.open_issues for m in repo.get_milestones()] == [2, 1]


def test_duplicate_milestone_is_422(repo: Any) -> None:
    repo.create_milestone("0.5.0")
    with pytest.raises(GithubException) as exc:
        repo.create_milestone("0.5.0")
    assert exc.value.status == 422


# -- workflow runs --------------------------------------------------------------------------------
def test_seeded_workflow_runs_are_listed_and_fetched(
    github_api: GitHubAPIServer, bare: Path, repo: Any
) -> None:
    ok = github_api.add_workflow_run(name="Release")
    feature_branch(bare)
    failed = github_api.add_workflow_run(
        name="CI", path=".github/workflows/ci.yml", head_branch="feature", conclusion="failure"
    )
    run = repo.get_workflow_run(ok.id)
    assert (run.name, run.conclusion, run.head_sha) == ("Release", "success", ok.head_sha)
    assert run.head_sha == git_in(bare, "rev-parse", "main")
    assert [r.id for r in repo.get_workflow_runs()] == [failed.id, ok.id]
    assert [r.id for r in repo.get_workflow_runs(branch="feature")] == [failed.id]
    assert [r.id for r in repo.get_workflow_runs(status="failure")] == [failed.id]
    status, _, body = raw(github_api, "GET", f"/repos/{REPO}/actions/workflows/release.yml/runs")
    assert status == 200
    assert [r["id"] for r in body["workflow_runs"]] == [ok.id]


# -- auth, faults, counting -----------------------------------------------------------------------
def test_authorization_is_required(github_api: GitHubAPIServer) -> None:
    status, _, body = raw(github_api, "GET", f"/repos/{REPO}", auth=False)
    assert (status, body["message"]) == (401, "Requires authentication")


def test_only_configured_tokens_are_accepted(tmp_path: Path, github_api_factory: Any) -> None:
    bare = init_bare_repo(tmp_path / "r.git")
    commit_files(bare, "main", {"a": "1"}, "one")
    server = github_api_factory(bare, tokens={"good"})
    assert client(server, "good").get_repo(REPO).name == "llama-stack"
    with pytest.raises(github.BadCredentialsException):
        client(server, "bad").get_repo(REPO)


def test_other_repository_is_404(github_api: GitHubAPIServer) -> None:
    with pytest.raises(github.UnknownObjectException):
        client(github_api).get_repo("llama-stack/other")


@pytest.mark.parametrize(
    ("status", "exception", "message"),
    [
        (401, github.BadCredentialsException, "Bad credentials"),
        (403, GithubException, "Resource not accessible by integration"),
        (404, github.UnknownObjectException, "Not Found"),
        (502, GithubException, "Server Error"),
    ],
)
def test_injected_faults_answer_once(
    github_api: GitHubAPIServer, repo: Any, status: int, exception: type, message: str
) -> None:
    github_api.inject("GET", r"/branches/main$", status)
    with pytest.raises(exception) as exc:
        repo.get_branch("main")
    assert (exc.value.status, exc.value.data["message"]) == (status, message)
    assert repo.get_branch("main").name == "main"  # times=1: the next request goes through
    assert github_api.requests[-2:] == [
        ("GET", f"/repos/{REPO}/branches/main", status),
        ("GET", f"/repos/{REPO}/branches/main", 200),
    ]


def test_injected_403_names_the_routes_permission(github_api: GitHubAPIServer, bare: Path) -> None:
    github_api.inject("POST", r"/pulls$", 403)
    status, headers, body = raw(
        github_api, "POST", f"/repos/{REPO}/pulls", {"head": "x", "base": "main", "title": "t"}
    )
    assert status == 403
    assert headers["x-accepted-github-permissions"] == "pull_requests=write"
    assert body["message"] == "Resource not accessible by integration"
    github_api.inject("POST", r"/git/refs$", 403, headers={"x-accepted-github-permissions": "x=y"})
    _, headers, _ = raw(
        github_api, "POST", f"/repos/{REPO}/git/refs", {"ref": "refs/a/b", "sha": "0"}
    )
    assert headers["x-accepted-github-permissions"] == "x=y"


def test_injected_422_and_secondary_rate_limit(github_api: GitHubAPIServer) -> None:
    body = shapes.validation_failed(
        "PullRequest", "custom", message="A pull request already exists for llama-stack:x."
    )
    github_api.inject("POST", r"/pulls$", 422, body=body)
    status, _, answer = raw(
        github_api, "POST", f"/repos/{REPO}/pulls", {"head": "x", "base": "main", "title": "t"}
    )
    assert (status, answer) == (422, body)
    github_api.inject_secondary_rate_limit("GET", r"/repos/[^/]+/[^/]+$", retry_after=7, times=2)
    for _ in range(2):
        status, headers, answer = raw(github_api, "GET", f"/repos/{REPO}")
        assert (status, headers["retry-after"]) == (403, "7")
        assert answer["message"].startswith("You have exceeded a secondary rate limit")
    assert raw(github_api, "GET", f"/repos/{REPO}")[0] == 200


def test_fault_after_the_request_was_carried_out(github_api: GitHubAPIServer, bare: Path) -> None:
    feature_branch(bare)
    github_api.inject("POST", r"/pulls$", 502, after=True)
    status, _, _ = raw(
        github_api,
        "POST",
        f"/repos/{REPO}/pulls",
        {"head": "feature", "base": "main", "title": "t"},
    )
    assert status == 502
    assert [pr.head for pr in github_api.state.pulls.values()] == ["feature"]


def test_counting_and_reset(github_api: GitHubAPIServer, repo: Any) -> None:
    repo.get_branch("main")
    repo.get_branch("main")
    repo.get_git_ref("heads/main")
    assert github_api.count() == 4  # + GET repository
    assert github_api.count("GET", r"/branches/") == 2
    assert github_api.count("POST") == 0
    github_api.reset_counts()
    assert github_api.requests == []
    repo.get_branch("main")
    assert github_api.requests == [("GET", f"/repos/{REPO}/branches/main", 200)]


# -- the validation cannot silently pass ----------------------------------------------------------
def test_unknown_route_is_recorded(github_api: GitHubAPIServer) -> None:
    status, _, _ = raw(github_api, "GET", f"/repos/{REPO}/collaborators")
    assert status == 404
    status, _, _ = raw(github_api, "DELETE", f"/repos/{REPO}/pulls/1")
    assert status == 404
    errors = github_api.take_errors()
    assert errors == [
        f"unknown route: GET /repos/{REPO}/collaborators",
        f"method DELETE not implemented for /repos/{{owner}}/{{repo}}/pulls/{{pull_number}}: "
        f"DELETE /repos/{REPO}/pulls/1",
    ]


def test_schema_invalid_request_is_recorded(github_api: GitHubAPIServer) -> None:
    status, _, _ = raw(github_api, "POST", f"/repos/{REPO}/pulls", {"title": 1, "base": "main"})
    assert status == 422
    (error,) = github_api.take_errors()
    assert error.startswith(f"request POST /repos/{REPO}/pulls invalid")
    assert "'head' is a required property" in error
    assert "1 is not of type 'string'" in error


def test_schema_invalid_response_is_caught(
    github_api: GitHubAPIServer, repo: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = shapes.release

    def broken(ctx: Any, rel: Any) -> dict[str, Any]:
        body = real(ctx, rel)
        del body["tag_name"]
        body["draft"] = "no"
        return body

    monkeypatch.setattr(shapes, "release", broken)
    with pytest.raises(GithubException) as exc:
        repo.create_git_release("v1.0.0", "v1.0.0", "")
    assert exc.value.status == 500
    (error,) = github_api.take_errors()
    assert error.startswith(f"response 201 to POST /repos/{REPO}/releases invalid")
    assert "'tag_name' is a required property" in error
    assert "'no' is not of type 'boolean'" in error


def test_invalid_generic_error_body_is_caught(github_api: GitHubAPIServer) -> None:
    github_api.inject("GET", r"/releases/latest$", 502, body={"oops": True})
    assert raw(github_api, "GET", f"/repos/{REPO}/releases/latest")[0] == 500
    (error,) = github_api.take_errors()
    assert "'message' is a required property" in error


def test_every_route_is_in_the_openapi_subset() -> None:
    from release_actions.rehearsal.world.github_api.routes import ROUTES
    from tests.testbed.github_api.validation import SpecValidator

    spec = SpecValidator().spec
    implemented = {(r.method.lower(), r.template) for r in ROUTES}
    described = {(m, p) for p, item in spec["paths"].items() for m in item if m != "parameters"}
    assert implemented == described


def test_fixture_fails_the_test_when_the_server_saw_errors(pytester: pytest.Pytester) -> None:
    # An inner pytest session in this process (pytester): the plugin is the very module
    # the suite uses, and the spec validator it caches is not built a second time.
    pytester.makepyfile(
        test_provoke="""
            import urllib.request, urllib.error

            def test_unknown_route(github_api):
                try:
                    urllib.request.urlopen(github_api.url + "/nope", timeout=5)
                except urllib.error.HTTPError:
                    pass
            """
    )
    plugin = "tests.testbed.github_api.fixture"
    result = pytester.runpytest_inprocess("-q", "-p", "no:cacheprovider", "-p", plugin)
    stdout = result.stdout.str()
    assert result.ret == 1, stdout + result.stderr.str()
    assert "1 passed, 1 error" in stdout
    assert "unknown route: GET /nope" in stdout
