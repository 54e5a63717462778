"""Pull requests: create, list, get, update, and merges done for real in the bare repository."""

from __future__ import annotations

from typing import Any

from . import shapes
from .gitrepo import GitFailed, Person
from .routes import Call, Reply, invalid, not_found, ok, paginate, route
from .state import BOT_LOGIN, Pull, now

R = "/repos/{owner}/{repo}"


def _branch_of(call: Call, head: str) -> str | None:
    """``owner:branch`` or ``branch`` -> branch name (None for another owner's fork)."""
    owner, sep, branch = head.partition(":")
    if not sep:
        return head
    return branch if owner.lower() == call.ctx.owner.lower() else None


def _pull(call: Call) -> Pull | None:
    try:
        found: Pull | None = call.state.pulls.get(int(call.params["pull_number"]))
        return found
    except ValueError:
        return None


@route("POST", R + "/pulls", "pull_requests=write")
def create_pull(call: Call) -> Reply:
    body: dict[str, Any] = call.body
    head = _branch_of(call, body["head"])
    base = body["base"]
    head_sha = call.git.branch_sha(head) if head else None
    if head is None or head_sha is None:
        return invalid("PullRequest", "invalid", field="head")
    base_sha = call.git.branch_sha(base)
    if base_sha is None:
        return invalid("PullRequest", "invalid", field="base")
    for pr in call.state.pulls.values():
        if pr.state == "open" and pr.head == head and pr.base == base:
            message = f"A pull request already exists for {call.ctx.owner}:{head}."
            return invalid("PullRequest", "custom", message=message)
    if head == base or not call.git.rev_list(head_sha, base_sha):
        return invalid("PullRequest", "custom", message=f"No commits between {base} and {head}")
    if "title" not in body and "issue" not in body:
        return invalid("PullRequest", "missing_field", field="title")
    pr = Pull(
        number=call.state.next_number(),
        id=call.state.next_id(),
        title=body.get("title") or "",
        body=body.get("body"),
        head=head,
        base=base,
        head_sha=head_sha,
        draft=bool(body.get("draft", False)),
    )
    call.state.pulls[pr.number] = pr
    reply = ok(shapes.pull(call.ctx, pr), 201)
    reply.headers["Location"] = f"{call.ctx.repo_api}/pulls/{pr.number}"
    return reply


@route("GET", R + "/pulls", "pull_requests=read")
def list_pulls(call: Call) -> Reply:
    state = call.query.get("state", "open")
    head = call.query.get("head")
    base = call.query.get("base")
    head_branch = _branch_of(call, head) if head else None
    pulls = []
    for pr in sorted(call.state.pulls.values(), key=lambda p: -p.number):
        if state != "all" and pr.state != state:
            continue
        if head and pr.head != head_branch:
            continue
        if base and pr.base != base:
            continue
        pulls.append(pr)
    return paginate(call, pulls, lambda pr: shapes.pull(call.ctx, pr, full=False))


@route("GET", R + "/pulls/{pull_number}", "pull_requests=read")
def get_pull(call: Call) -> Reply:
    pr = _pull(call)
    return ok(shapes.pull(call.ctx, pr)) if pr else not_found()


@route("PATCH", R + "/pulls/{pull_number}", "pull_requests=write")
def update_pull(call: Call) -> Reply:
    pr = _pull(call)
    if pr is None:
        return not_found()
    body: dict[str, Any] = call.body
    new_state = body.get("state", pr.state)
    if new_state == "open" and pr.state == "closed":
        if pr.merged:
            return invalid("PullRequest", "custom", message="Cannot reopen a merged pull request")
        if call.git.branch_sha(pr.head) is None:
            message = "Cannot reopen this pull request: the head branch was deleted"
            return invalid("PullRequest", "custom", message=message)
        for other in call.state.pulls.values():
            if other.state == "open" and (other.head, other.base) == (pr.head, pr.base):
                message = f"A pull request already exists for {call.ctx.owner}:{pr.head}."
                return invalid("PullRequest", "custom", message=message)
    if "base" in body and call.git.branch_sha(body["base"]) is None:
        return invalid("PullRequest", "invalid", field="base")
    pr.title = body.get("title", pr.title)
    pr.body = body.get("body", pr.body)
    pr.base = body.get("base", pr.base)
    if new_state != pr.state:
        pr.state = new_state
        pr.closed_at = now() if new_state == "closed" else None
    pr.updated_at = now()
    return ok(shapes.pull(call.ctx, pr))


@route("PUT", R + "/pulls/{pull_number}/merge", "contents=write")
def merge_pull(call: Call) -> Reply:
    pr = _pull(call)
    if pr is None:
        return not_found()
    body: dict[str, Any] = call.body or {}
    if pr.state != "open":
        return Reply(405, shapes.error("Pull Request is not mergeable"))
    head_sha = call.git.branch_sha(pr.head)
    base_sha = call.git.branch_sha(pr.base)
    if head_sha is None or base_sha is None:
        return Reply(405, shapes.error("Pull Request is not mergeable"))
    if body.get("sha") and body["sha"] != head_sha:
        message = "Head branch was modified. Review and try the merge again."
        return Reply(409, shapes.error(message))
    tree = call.git.merge_tree(base_sha, head_sha)
    if tree is None:
        return Reply(405, shapes.error("Pull Request is not mergeable"))
    method = body.get("merge_method", "merge")
    title = body.get("commit_title")
    author = Person(
        "github-actions[bot]", "41898282+github-actions[bot]@users.noreply.github.com", now()
    )
    if method == "merge":
        title = title or f"Merge pull request #{pr.number} from {call.ctx.owner}/{pr.head}"
        message = body.get("commit_message", pr.title)
        parents = [base_sha, head_sha]
    elif method == "squash":
        title = title or f"{pr.title} (#{pr.number})"
        message = body.get("commit_message", "")
        parents = [base_sha]
    else:  # rebase: only the fast-forward case is modelled
        if not call.git.is_ancestor(base_sha, head_sha):
            return Reply(405, shapes.error("This branch can't be rebased"))
        title, message, parents = "", "", []
    if parents:
        full = f"{title}\n\n{message}".rstrip() if message else title
        new_sha = call.git.commit_tree(tree, parents, full, author)
    else:
        new_sha = head_sha
    try:
        call.git.update_ref(f"refs/heads/{pr.base}", new_sha, base_sha)
    except GitFailed:
        return Reply(409, shapes.error("Base branch was modified. Review and try the merge again."))
    pr.state, pr.head_sha = "closed", head_sha
    pr.merged_at = pr.closed_at = pr.updated_at = now()
    pr.merge_commit_sha, pr.merged_by = new_sha, BOT_LOGIN
    return ok({"sha": new_sha, "merged": True, "message": "Pull Request successfully merged"})
