"""JSON bodies shaped like GitHub's (every field the OpenAPI schemas require).

API URLs point at the test server (PyGithub follows them); web URLs at github.com.
Repository, users and git objects are in :mod:`.shapes_base`, re-exported here.
"""

from __future__ import annotations

from typing import Any

from .shapes_base import (
    WEB,
    Ctx,
    branch,
    commit,
    error,
    git_commit,
    git_ref,
    node_id,
    protection,
    repository,
    user,
    validation_failed,
    verification,
)
from .state import Issue, Milestone, Pull, Release, WorkflowRun

__all__ = [
    "WEB", "Ctx", "branch", "commit", "error", "git_commit", "git_ref", "issue", "milestone",
    "node_id", "protection", "pull", "release", "repository", "user", "validation_failed",
    "verification", "workflow_run",
]  # fmt: skip


def milestone(ctx: Ctx, ms: Milestone) -> dict[str, Any]:
    items: list[Issue | Pull] = [*ctx.state.issues.values(), *ctx.state.pulls.values()]
    mine = [i for i in items if i.milestone == ms.number]
    return {
        "url": f"{ctx.repo_api}/milestones/{ms.number}",
        "html_url": f"{ctx.repo_web}/milestone/{ms.number}",
        "labels_url": f"{ctx.repo_api}/milestones/{ms.number}/labels",
        "id": ms.id,
        "node_id": node_id("MI", ms.id),
        "number": ms.number,
        "state": ms.state,
        "title": ms.title,
        "description": ms.description,
        "creator": user(ctx, "github-actions[bot]"),
        "open_issues": sum(i.state == "open" for i in mine),
        "closed_issues": sum(i.state == "closed" for i in mine),
        "created_at": ms.created_at,
        "updated_at": ms.updated_at,
        "closed_at": ms.closed_at,
        "due_on": ms.due_on,
    }


def issue(ctx: Ctx, item: Issue | Pull) -> dict[str, Any]:
    """An issue; a pull request listed among issues carries ``pull_request``, as on GitHub."""
    api = f"{ctx.repo_api}/issues/{item.number}"
    ms = ctx.state.milestones.get(item.milestone) if item.milestone else None
    body: dict[str, Any] = {
        "id": item.id,
        "node_id": node_id("I", item.id),
        "url": api,
        "repository_url": ctx.repo_api,
        "labels_url": f"{api}/labels{{/name}}",
        "comments_url": f"{api}/comments",
        "events_url": f"{api}/events",
        "html_url": f"{ctx.repo_web}/issues/{item.number}",
        "number": item.number,
        "state": item.state,
        "title": item.title,
        "body": item.body,
        "user": user(ctx, item.user),
        "labels": [],
        "assignee": None,
        "assignees": [],
        "milestone": milestone(ctx, ms) if ms else None,
        "locked": False,
        "comments": 0,
        "created_at": item.created_at,
        "updated_at": item.updated_at,
        "closed_at": item.closed_at,
        "author_association": "CONTRIBUTOR",
    }
    if item.state == "closed":  # omitted while open: the schema's enum has no null
        body["state_reason"] = "completed"
    if isinstance(item, Pull):
        body["html_url"] = f"{ctx.repo_web}/pull/{item.number}"
        body["draft"] = item.draft
        body["pull_request"] = {
            "url": f"{ctx.repo_api}/pulls/{item.number}",
            "html_url": f"{ctx.repo_web}/pull/{item.number}",
            "diff_url": f"{ctx.repo_web}/pull/{item.number}.diff",
            "patch_url": f"{ctx.repo_web}/pull/{item.number}.patch",
            "merged_at": item.merged_at,
        }
    return body


def release(ctx: Ctx, rel: Release) -> dict[str, Any]:
    api = f"{ctx.repo_api}/releases/{rel.id}"
    web_tag = rel.untagged_id if rel.draft else rel.tag_name
    return {
        "url": api,
        "html_url": f"{ctx.repo_web}/releases/tag/{web_tag}",
        "assets_url": f"{api}/assets",
        "upload_url": f"https://uploads.github.com/repos/{ctx.full_name}/releases/{rel.id}/assets{{?name,label}}",
        "tarball_url": None if rel.draft else f"{ctx.repo_api}/tarball/{rel.tag_name}",
        "zipball_url": None if rel.draft else f"{ctx.repo_api}/zipball/{rel.tag_name}",
        "id": rel.id,
        "node_id": node_id("RE", rel.id),
        "tag_name": rel.tag_name,
        "target_commitish": rel.target_commitish,
        "name": rel.name,
        "body": rel.body,
        "draft": rel.draft,
        "prerelease": rel.prerelease,
        "immutable": False,
        "created_at": rel.created_at,
        "published_at": rel.published_at,
        "author": user(ctx, rel.author),
        "assets": [],
    }


def pull(ctx: Ctx, pr: Pull, *, full: bool = True) -> dict[str, Any]:
    api = f"{ctx.repo_api}/pulls/{pr.number}"
    web = f"{ctx.repo_web}/pull/{pr.number}"
    issue_api = f"{ctx.repo_api}/issues/{pr.number}"
    head_sha = ctx.git.branch_sha(pr.head) or pr.head_sha
    base_sha = ctx.git.branch_sha(pr.base) or head_sha
    repo = repository(ctx)

    def side(branch_name: str, sha: str) -> dict[str, Any]:
        return {
            "label": f"{ctx.owner}:{branch_name}",
            "ref": branch_name,
            "sha": sha,
            "user": user(ctx, ctx.owner, "Organization"),
            "repo": repo,
        }

    links = {
        "self": api,
        "html": web,
        "issue": issue_api,
        "comments": f"{issue_api}/comments",
        "review_comments": f"{api}/comments",
        "review_comment": f"{ctx.repo_api}/pulls/comments{{/number}}",
        "commits": f"{api}/commits",
        "statuses": f"{ctx.repo_api}/statuses/{head_sha}",
    }
    ms = ctx.state.milestones.get(pr.milestone) if pr.milestone else None
    body: dict[str, Any] = {
        "url": api,
        "id": pr.id,
        "node_id": node_id("PR", pr.id),
        "html_url": web,
        "diff_url": f"{web}.diff",
        "patch_url": f"{web}.patch",
        "issue_url": issue_api,
        "commits_url": links["commits"],
        "review_comments_url": links["review_comments"],
        "review_comment_url": links["review_comment"],
        "comments_url": links["comments"],
        "statuses_url": links["statuses"],
        "number": pr.number,
        "state": pr.state,
        "locked": False,
        "title": pr.title,
        "user": user(ctx, pr.user),
        "body": pr.body,
        "labels": [],
        "milestone": milestone(ctx, ms) if ms else None,
        "active_lock_reason": None,
        "created_at": pr.created_at,
        "updated_at": pr.updated_at,
        "closed_at": pr.closed_at,
        "merged_at": pr.merged_at,
        "merge_commit_sha": pr.merge_commit_sha,
        "assignee": None,
        "assignees": [],
        "requested_reviewers": [],
        "requested_teams": [],
        "head": side(pr.head, head_sha),
        "base": side(pr.base, base_sha),
        "_links": {key: {"href": href} for key, href in links.items()},
        "author_association": "CONTRIBUTOR",
        "auto_merge": None,
        "draft": pr.draft,
    }
    if full:
        counts = (0, 0, 0) if pr.merged else ctx.git.diff_numstat(base_sha, head_sha)
        open_clean = pr.state == "open" and ctx.git.merge_tree(base_sha, head_sha) is not None
        mergeable = None if pr.state != "open" else open_clean
        body.update(
            merged=pr.merged,
            mergeable=mergeable,
            rebaseable=mergeable,
            mergeable_state="clean"
            if open_clean
            else ("dirty" if pr.state == "open" else "unknown"),
            merged_by=user(ctx, pr.merged_by) if pr.merged_by else None,
            comments=0,
            review_comments=0,
            maintainer_can_modify=False,
            commits=0 if pr.merged else len(ctx.git.rev_list(head_sha, base_sha)),
            additions=counts[0],
            deletions=counts[1],
            changed_files=counts[2],
        )
    return body


def workflow_run(ctx: Ctx, run: WorkflowRun) -> dict[str, Any]:
    api = f"{ctx.repo_api}/actions/runs/{run.id}"
    info = ctx.git.commit(run.head_sha)
    head_commit = None
    if info is not None:
        head_commit = {
            "id": info.sha,
            "tree_id": info.tree,
            "message": info.message,
            "timestamp": info.committer.date,
            "author": {"name": info.author.name, "email": info.author.email},
            "committer": {"name": info.committer.name, "email": info.committer.email},
        }
    repo = repository(ctx)
    return {
        "id": run.id,
        "name": run.name,
        "node_id": node_id("WFR", run.id),
        "head_branch": run.head_branch,
        "head_sha": run.head_sha,
        "path": run.path,
        "display_title": run.display_title or (info.message.split("\n")[0] if info else run.name),
        "run_number": run.run_number,
        "run_attempt": run.run_attempt,
        "event": run.event,
        "status": run.status,
        "conclusion": run.conclusion,
        "workflow_id": run.workflow_id,
        "check_suite_id": run.id + 1,
        "check_suite_node_id": node_id("CS", run.id + 1),
        "url": api,
        "html_url": f"{ctx.repo_web}/actions/runs/{run.id}",
        "pull_requests": [],
        "created_at": run.created_at,
        "updated_at": run.updated_at,
        "run_started_at": run.created_at,
        "actor": user(ctx, "octocat"),
        "triggering_actor": user(ctx, "octocat"),
        "jobs_url": f"{api}/jobs",
        "logs_url": f"{api}/logs",
        "check_suite_url": f"{ctx.repo_api}/check-suites/{run.id + 1}",
        "artifacts_url": f"{api}/artifacts",
        "cancel_url": f"{api}/cancel",
        "rerun_url": f"{api}/rerun",
        "previous_attempt_url": None,
        "workflow_url": f"{ctx.repo_api}/actions/workflows/{run.workflow_id}",
        "head_commit": head_commit,
        "repository": repo,
        "head_repository": repo,
    }
