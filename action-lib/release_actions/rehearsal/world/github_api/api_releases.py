"""Releases and generated release notes. Publishing a release for a missing tag creates the tag."""

from __future__ import annotations

import secrets
from typing import Any

from . import shapes
from .gitrepo import ZERO_SHA
from .routes import Call, Reply, invalid, not_found, ok, paginate, route
from .state import Release, now

R = "/repos/{owner}/{repo}"


def _published(call: Call) -> list[Release]:
    return [r for r in call.state.releases.values() if not r.draft]


def _by_id(call: Call) -> Release | None:
    try:
        found: Release | None = call.state.releases.get(int(call.params["release_id"]))
        return found
    except ValueError:
        return None


def _ensure_tag(call: Call, rel: Release) -> Reply | None:
    """Create ``refs/tags/<tag>`` from ``target_commitish`` when it does not exist."""
    ref = f"refs/tags/{rel.tag_name}"
    if call.git.ref_sha(ref) is not None:
        return None
    target = call.git.resolve_commit(rel.target_commitish)
    if target is None:
        return invalid("Release", "invalid", field="target_commitish")
    if not call.git.valid_ref_name(ref):
        return invalid("Release", "invalid", field="tag_name")
    call.git.update_ref(ref, target, ZERO_SHA)
    return None


@route("POST", R + "/releases", "contents=write")
def create_release(call: Call) -> Reply:
    body: dict[str, Any] = call.body
    tag = body["tag_name"]
    if any(r.tag_name == tag for r in _published(call)):
        return invalid("Release", "already_exists", field="tag_name")
    rel = Release(
        id=call.state.next_id(),
        tag_name=tag,
        target_commitish=body.get("target_commitish") or call.git.default_branch(),
        name=body.get("name"),
        body=body.get("body"),
        draft=bool(body.get("draft", False)),
        prerelease=bool(body.get("prerelease", False)),
        make_latest=str(body.get("make_latest", "legacy")),
        untagged_id="untagged-" + secrets.token_hex(10),
    )
    if call.git.resolve_commit(rel.target_commitish) is None:
        return invalid("Release", "invalid", field="target_commitish")
    if body.get("generate_release_notes"):
        notes = generate(call, tag, rel.target_commitish, None)
        rel.name = rel.name or notes["name"]
        rel.body = f"{rel.body}\n\n{notes['body']}" if rel.body else notes["body"]
    if not rel.draft:
        failure = _ensure_tag(call, rel)
        if failure:
            return failure
        rel.published_at = now()
    call.state.releases[rel.id] = rel
    reply = ok(shapes.release(call.ctx, rel), 201)
    reply.headers["Location"] = f"{call.ctx.repo_api}/releases/{rel.id}"
    return reply


@route("GET", R + "/releases", "contents=read")
def list_releases(call: Call) -> Reply:
    releases = sorted(
        call.state.releases.values(), key=lambda r: (r.created_at, r.id), reverse=True
    )
    return paginate(call, releases, lambda r: shapes.release(call.ctx, r))


@route("GET", R + "/releases/tags/{tag}", "contents=read")
def release_by_tag(call: Call) -> Reply:
    """Like GitHub: only published releases are found by tag, drafts are not."""
    for rel in _published(call):
        if rel.tag_name == call.params["tag"]:
            return ok(shapes.release(call.ctx, rel))
    return not_found()


@route("GET", R + "/releases/latest", "contents=read")
def latest_release(call: Call) -> Reply:
    candidates = [r for r in _published(call) if not r.prerelease and r.make_latest != "false"]
    chosen = [r for r in candidates if r.make_latest == "true"] or candidates
    if not chosen:
        return not_found()
    rel = max(chosen, key=lambda r: (r.make_latest == "true", r.published_at or "", r.id))
    return ok(shapes.release(call.ctx, rel))


@route("GET", R + "/releases/{release_id}", "contents=read")
def get_release(call: Call) -> Reply:
    rel = _by_id(call)
    return ok(shapes.release(call.ctx, rel)) if rel else not_found()


@route("PATCH", R + "/releases/{release_id}", "contents=write")
def update_release(call: Call) -> Reply:
    rel = _by_id(call)
    if rel is None:
        return not_found()
    body: dict[str, Any] = call.body
    new_tag = body.get("tag_name", rel.tag_name)
    if any(r.tag_name == new_tag and r.id != rel.id for r in _published(call)) and not body.get(
        "draft", rel.draft
    ):
        return invalid("Release", "already_exists", field="tag_name")
    for key in ("tag_name", "target_commitish", "name", "body", "prerelease"):
        if key in body:
            setattr(rel, key, body[key])
    if "make_latest" in body:
        rel.make_latest = str(body["make_latest"])
    if rel.draft and body.get("draft") is False:
        failure = _ensure_tag(call, rel)
        if failure:
            return failure
        rel.draft, rel.published_at = False, now()
    elif body.get("draft") is True:
        rel.draft, rel.published_at = True, None
    return ok(shapes.release(call.ctx, rel))


def generate(call: Call, tag: str, target: str | None, previous: str | None) -> dict[str, str]:
    """GitHub-like notes: merged PRs between the previous release's tag and ``tag``."""
    tip = call.git.resolve_commit(f"refs/tags/{tag}") or call.git.resolve_commit(target or "")
    tip = tip or call.git.resolve_commit(call.git.default_branch())
    if previous is None:
        earlier = [
            r
            for r in sorted(_published(call), key=lambda r: r.published_at or "", reverse=True)
            if r.tag_name != tag and not r.prerelease
        ]
        for rel in earlier:
            sha = call.git.resolve_commit(f"refs/tags/{rel.tag_name}")
            if sha and call.git.is_ancestor(sha, tip):
                previous = rel.tag_name
                break
    since = call.git.resolve_commit(f"refs/tags/{previous}") if previous else None
    commits = call.git.rev_list(tip, since)
    in_range = set(commits)
    merged = [
        pr
        for pr in sorted(call.state.pulls.values(), key=lambda p: p.number)
        if pr.merge_commit_sha in in_range
    ]
    web = call.ctx.repo_web
    items = [f"* {pr.title} by @{pr.user} in {web}/pull/{pr.number}" for pr in merged]
    if not merged:  # direct pushes: list the commits (GitHub would list nothing)
        items = [f"* {call.git.commit(s).message.splitlines()[0]} ({s[:7]})" for s in commits]
    changelog = f"{web}/compare/{previous}...{tag}" if previous else f"{web}/commits/{tag}"
    lines = (["## What's Changed", *items, ""] if items else []) + [
        f"**Full Changelog**: {changelog}"
    ]
    return {"name": tag, "body": "\n".join(lines)}


@route("POST", R + "/releases/generate-notes", "contents=write")
def generate_notes(call: Call) -> Reply:
    body: dict[str, Any] = call.body
    previous = body.get("previous_tag_name")
    if previous and call.git.ref_sha(f"refs/tags/{previous}") is None:
        return not_found()
    target = body.get("target_commitish")
    tagged = call.git.resolve_commit(f"refs/tags/{body['tag_name']}") is not None
    if not tagged and target and call.git.resolve_commit(target) is None:
        return not_found()
    return ok(generate(call, body["tag_name"], target, previous))
