"""Repository, branches, git refs/tags/commits and compare: all read from and written to git."""

from __future__ import annotations

from typing import Any

from . import shapes
from .gitrepo import SHA_RE, ZERO_SHA, GitFailed, Person
from .routes import Call, Reply, invalid, not_found, ok, route, unprocessable
from .state import now

R = "/repos/{owner}/{repo}"


@route("GET", R, "metadata=read")
def get_repo(call: Call) -> Reply:
    return ok(shapes.repository(call.ctx, full=True))


@route("GET", R + "/branches/{branch}", "contents=read")
def get_branch(call: Call) -> Reply:
    name = call.params["branch"]
    sha = call.git.branch_sha(name)
    if sha is None:
        return not_found("Branch not found")
    return ok(shapes.branch(call.ctx, name, call.git.commit(sha)))


@route("GET", R + "/branches/{branch}/protection", "administration=read")
def get_protection(call: Call) -> Reply:
    name = call.params["branch"]
    if call.git.branch_sha(name) is None:
        return not_found("Branch not found")
    prot = call.state.protected.get(name)
    if prot is None:
        return not_found("Branch not protected")
    return ok(shapes.protection(call.ctx, name, prot))


@route("GET", R + "/git/ref/{ref}", "contents=read")
def get_ref(call: Call) -> Reply:
    ref = "refs/" + call.params["ref"]
    sha = call.git.ref_sha(ref)
    return ok(shapes.git_ref(call.ctx, ref, sha)) if sha else not_found()


@route("GET", R + "/git/matching-refs/{ref}", "contents=read")
def matching_refs(call: Call) -> Reply:
    prefix = "refs/" + call.params["ref"]
    refs = call.git.refs(prefix)
    return ok([shapes.git_ref(call.ctx, name, sha) for name, sha in sorted(refs.items())])


def _protected_branch(call: Call, ref: str) -> bool:
    return ref.startswith("refs/heads/") and ref.removeprefix("refs/heads/") in call.state.protected


def _protected_reply(ref: str) -> Reply:
    return Reply(
        422,
        shapes.error(
            f"Protected branch update failed for {ref}.",
            "https://docs.github.com/rest/git/refs",
        ),
    )


@route("POST", R + "/git/refs", "contents=write")
def create_ref(call: Call) -> Reply:
    ref, sha = call.body["ref"], call.body["sha"]
    if not ref.startswith("refs/") or ref.count("/") < 2 or not call.git.valid_ref_name(ref):
        return unprocessable(f"{ref} is not a valid ref name.")
    if not SHA_RE.match(sha) or call.git.object_type(sha) is None:
        return unprocessable("Object does not exist")
    if call.git.ref_sha(ref) is not None:
        return unprocessable("Reference already exists")
    if _protected_branch(call, ref):
        return _protected_reply(ref)
    try:
        call.git.update_ref(ref, sha, ZERO_SHA)
    except GitFailed:
        return unprocessable("Reference already exists")
    return ok(shapes.git_ref(call.ctx, ref, sha), 201)


@route("PATCH", R + "/git/refs/{ref}", "contents=write")
def update_ref(call: Call) -> Reply:
    ref = "refs/" + call.params["ref"]
    sha, force = call.body["sha"], bool(call.body.get("force", False))
    old = call.git.ref_sha(ref)
    if old is None:
        return unprocessable("Reference does not exist")
    if not SHA_RE.match(sha) or call.git.object_type(sha) is None:
        return unprocessable("Object does not exist")
    if _protected_branch(call, ref):
        return _protected_reply(ref)
    if not force and not call.git.is_ancestor(old, sha):
        return unprocessable("Update is not a fast forward")
    try:
        call.git.update_ref(ref, sha, old)
    except GitFailed:
        return Reply(409, shapes.error("Reference update conflict, try again"))
    return ok(shapes.git_ref(call.ctx, ref, sha))


@route("DELETE", R + "/git/refs/{ref}", "contents=write")
def delete_ref(call: Call) -> Reply:
    ref = "refs/" + call.params["ref"]
    old = call.git.ref_sha(ref)
    if old is None:
        return unprocessable("Reference does not exist")
    if _protected_branch(call, ref):
        return _protected_reply(ref)
    call.git.delete_ref(ref, old)
    return Reply(204)


@route("POST", R + "/git/tags", "contents=write")
def create_tag(call: Call) -> Reply:
    body: dict[str, Any] = call.body
    obj, kind = body["object"], body["type"]
    if call.git.object_type(obj) != kind:
        return unprocessable("Object does not exist")
    tagger_in = body.get("tagger") or {"name": "GitHub", "email": "noreply@github.com"}
    tagger = Person(tagger_in["name"], tagger_in["email"], tagger_in.get("date") or now())
    message = body["message"]
    sha = call.git.make_tag(body["tag"], obj, kind, message, tagger)
    plural = {"commit": "commits", "tag": "tags"}.get(kind, kind + "s")
    return ok(
        {
            "node_id": shapes.node_id("TAG", sha),
            "tag": body["tag"],
            "sha": sha,
            "url": f"{call.ctx.repo_api}/git/tags/{sha}",
            "message": message if message.endswith("\n") else message + "\n",
            "tagger": {"name": tagger.name, "email": tagger.email, "date": tagger.date},
            "object": {"type": kind, "sha": obj, "url": f"{call.ctx.repo_api}/git/{plural}/{obj}"},
            "verification": shapes.verification(),
        },
        201,
    )


@route("GET", R + "/git/commits/{commit_sha}", "contents=read")
def get_git_commit(call: Call) -> Reply:
    info = call.git.commit(call.params["commit_sha"])
    return ok(shapes.git_commit(call.ctx, info)) if info else not_found()


@route("GET", R + "/compare/{basehead}", "contents=read")
def compare(call: Call) -> Reply:
    base_name, sep, head_name = call.params["basehead"].partition("...")
    base, head = call.git.resolve_commit(base_name), call.git.resolve_commit(head_name)
    if not sep or base is None or head is None:
        return not_found()
    merge_base = call.git.merge_base(base, head)
    if merge_base is None:
        return invalid("Compare", "custom", message="No common ancestor between the refs.")
    ahead = call.git.rev_list(head, base)
    behind = call.git.rev_list(base, head)
    status = (
        "identical"
        if not ahead and not behind
        else "ahead"
        if not behind
        else "behind"
        if not ahead
        else "diverged"
    )
    web = f"{call.ctx.repo_web}/compare/{base_name}...{head_name}"
    return ok(
        {
            "url": f"{call.ctx.repo_api}/compare/{base_name}...{head_name}",
            "html_url": web,
            "permalink_url": f"{call.ctx.repo_web}/compare/{base}...{head}",
            "diff_url": f"{web}.diff",
            "patch_url": f"{web}.patch",
            "base_commit": shapes.commit(call.ctx, call.git.commit(base)),
            "merge_base_commit": shapes.commit(call.ctx, call.git.commit(merge_base)),
            "status": status,
            "ahead_by": len(ahead),
            "behind_by": len(behind),
            "total_commits": len(ahead),
            "commits": [shapes.commit(call.ctx, call.git.commit(s)) for s in reversed(ahead)],
        }
    )
