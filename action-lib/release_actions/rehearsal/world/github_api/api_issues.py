"""Milestones, issues and (test-seeded) workflow runs."""

from __future__ import annotations

from typing import Any

from . import shapes
from .routes import Call, Reply, invalid, not_found, ok, paginate, route
from .state import Issue, Milestone, Pull, WorkflowRun

R = "/repos/{owner}/{repo}"


@route("GET", R + "/milestones", "issues=read")
def list_milestones(call: Call) -> Reply:
    state = call.query.get("state", "open")
    items = [m for m in call.state.milestones.values() if state == "all" or m.state == state]
    sort = call.query.get("sort", "due_on")
    descending = call.query.get("direction", "asc") == "desc"
    if sort == "due_on":
        items.sort(key=lambda m: (m.due_on is None, m.due_on or "", m.number), reverse=descending)
    else:
        items.sort(key=lambda m: m.number, reverse=descending)  # completeness: not modelled
    return paginate(call, items, lambda m: shapes.milestone(call.ctx, m))


@route("POST", R + "/milestones", "issues=write")
def create_milestone(call: Call) -> Reply:
    body: dict[str, Any] = call.body
    if any(m.title == body["title"] for m in call.state.milestones.values()):
        return invalid("Milestone", "already_exists", field="title")
    ms = Milestone(
        number=max(call.state.milestones, default=0) + 1,
        id=call.state.next_id(),
        title=body["title"],
        state=body.get("state", "open"),
        description=body.get("description"),
        due_on=body.get("due_on"),
    )
    call.state.milestones[ms.number] = ms
    return ok(shapes.milestone(call.ctx, ms), 201)


@route("POST", R + "/issues", "issues=write")
def create_issue(call: Call) -> Reply:
    body: dict[str, Any] = call.body
    milestone = body.get("milestone")
    if milestone is not None and call.state.milestone_by_number(milestone) is None:
        return invalid("Issue", "invalid", field="milestone")
    item = Issue(
        number=call.state.next_number(),
        id=call.state.next_id(),
        title=str(body["title"]),
        body=body.get("body"),
        milestone=int(milestone) if milestone is not None else None,
    )
    call.state.issues[item.number] = item
    return ok(shapes.issue(call.ctx, item), 201)


@route("GET", R + "/issues", "issues=read")
def list_issues(call: Call) -> Reply:
    """Issues *and* pull requests (with ``pull_request``), as GitHub lists them."""
    state = call.query.get("state", "open")
    milestone = call.query.get("milestone")
    if milestone not in (None, "*", "none") and call.state.milestone_by_number(milestone) is None:
        return not_found()
    items: list[Issue | Pull] = [*call.state.issues.values(), *call.state.pulls.values()]
    chosen = []
    for item in sorted(items, key=lambda i: -i.number):
        if state != "all" and item.state != state:
            continue
        if milestone == "*" and item.milestone is None:
            continue
        if milestone == "none" and item.milestone is not None:
            continue
        if milestone not in (None, "*", "none") and item.milestone != int(milestone):
            continue
        chosen.append(item)
    return paginate(call, chosen, lambda i: shapes.issue(call.ctx, i))


def _runs_reply(call: Call, runs: list[WorkflowRun]) -> Reply:
    q = call.query
    for key in ("branch", "event", "head_sha"):
        if q.get(key):
            attr = "head_branch" if key == "branch" else key
            runs = [r for r in runs if getattr(r, attr) == q[key]]
    if q.get("status"):
        runs = [r for r in runs if q["status"] in (r.status, r.conclusion)]
    runs.sort(key=lambda r: -r.id)
    page = paginate(call, runs, lambda r: shapes.workflow_run(call.ctx, r))
    page.body = {"total_count": len(runs), "workflow_runs": page.body}
    return page


@route("GET", R + "/actions/runs", "actions=read")
def list_runs(call: Call) -> Reply:
    return _runs_reply(call, list(call.state.runs.values()))


@route("GET", R + "/actions/runs/{run_id}", "actions=read")
def get_run(call: Call) -> Reply:
    try:
        run = call.state.runs.get(int(call.params["run_id"]))
    except ValueError:
        run = None
    return ok(shapes.workflow_run(call.ctx, run)) if run else not_found()


@route("GET", R + "/actions/workflows/{workflow_id}/runs", "actions=read")
def list_workflow_runs(call: Call) -> Reply:
    wanted = call.params["workflow_id"]
    runs = [
        r
        for r in call.state.runs.values()
        if wanted in (str(r.workflow_id), r.path.rsplit("/", 1)[-1])
    ]
    if not runs and not any(
        wanted in (str(i), p.rsplit("/", 1)[-1]) for p, i in call.state.workflows.items()
    ):
        return not_found()
    return _runs_reply(call, runs)
