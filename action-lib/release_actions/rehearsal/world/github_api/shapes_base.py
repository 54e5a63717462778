"""JSON bodies shaped like GitHub's: users, repository, git objects, branches, errors.

API URLs point at the test server (PyGithub follows them); web URLs at github.com.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from .gitrepo import BareRepo, CommitInfo
from .state import Protection, State

WEB = "https://github.com"
USER_IDS = {"github-actions[bot]": 41898282, "octocat": 583231}
CREATED = "2024-03-01T12:00:00Z"


def node_id(prefix: str, ident: int | str) -> str:
    return f"{prefix}_" + base64.b64encode(str(ident).encode()).decode().rstrip("=")


@dataclass(frozen=True)
class Ctx:
    api: str  # e.g. http://127.0.0.1:5555
    full_name: str
    git: BareRepo
    state: State
    repo_id: int = 700000001

    @property
    def owner(self) -> str:
        return self.full_name.split("/", 1)[0]

    @property
    def name(self) -> str:
        return self.full_name.split("/", 1)[1]

    @property
    def repo_api(self) -> str:
        return f"{self.api}/repos/{self.full_name}"

    @property
    def repo_web(self) -> str:
        return f"{WEB}/{self.full_name}"


def user(ctx: Ctx, login: str, kind: str | None = None) -> dict[str, Any]:
    kind = kind or ("Bot" if login.endswith("[bot]") else "User")
    ident = USER_IDS.get(login, 9000 + sum(map(ord, login)))
    api = f"{ctx.api}/users/{login}"
    return {
        "login": login,
        "id": ident,
        "node_id": node_id("U", ident),
        "avatar_url": f"https://avatars.githubusercontent.com/u/{ident}?v=4",
        "gravatar_id": "",
        "url": api,
        "html_url": f"{WEB}/{login.removesuffix('[bot]')}",
        "followers_url": f"{api}/followers",
        "following_url": f"{api}/following{{/other_user}}",
        "gists_url": f"{api}/gists{{/gist_id}}",
        "starred_url": f"{api}/starred{{/owner}}{{/repo}}",
        "subscriptions_url": f"{api}/subscriptions",
        "organizations_url": f"{api}/orgs",
        "repos_url": f"{api}/repos",
        "events_url": f"{api}/events{{/privacy}}",
        "received_events_url": f"{api}/received_events",
        "type": kind,
        "site_admin": False,
        "user_view_type": "public",
    }


def repository(ctx: Ctx, *, full: bool = False) -> dict[str, Any]:
    a, fn = ctx.repo_api, ctx.full_name
    templated = {
        "archive_url": "{archive_format}{/ref}",
        "assignees_url": "assignees{/user}",
        "blobs_url": "git/blobs{/sha}",
        "branches_url": "branches{/branch}",
        "collaborators_url": "collaborators{/collaborator}",
        "comments_url": "comments{/number}",
        "commits_url": "commits{/sha}",
        "compare_url": "compare/{base}...{head}",
        "contents_url": "contents/{+path}",
        "git_commits_url": "git/commits{/sha}",
        "git_refs_url": "git/refs{/sha}",
        "git_tags_url": "git/tags{/sha}",
        "issue_comment_url": "issues/comments{/number}",
        "issue_events_url": "issues/events{/number}",
        "issues_url": "issues{/number}",
        "keys_url": "keys{/key_id}",
        "labels_url": "labels{/name}",
        "milestones_url": "milestones{/number}",
        "notifications_url": "notifications{?since,all,participating}",
        "pulls_url": "pulls{/number}",
        "releases_url": "releases{/id}",
        "statuses_url": "statuses/{sha}",
        "trees_url": "git/trees{/sha}",
    }
    plain = [
        "contributors", "deployments", "downloads", "events", "forks", "hooks", "languages",
        "merges", "stargazers", "subscribers", "subscription", "tags", "teams",
    ]  # fmt: skip
    body: dict[str, Any] = {
        "id": ctx.repo_id,
        "node_id": node_id("R", ctx.repo_id),
        "name": ctx.name,
        "full_name": fn,
        "owner": user(ctx, ctx.owner, "Organization"),
        "private": False,
        "html_url": ctx.repo_web,
        "description": "Composable building blocks to build LLM applications",
        "fork": False,
        "url": a,
        **{key: f"{a}/{suffix}" for key, suffix in templated.items()},
        **{f"{key}_url": f"{a}/{key}" for key in plain},
        "git_url": f"git://github.com/{fn}.git",
        "ssh_url": f"git@github.com:{fn}.git",
        "clone_url": f"{WEB}/{fn}.git",
        "svn_url": ctx.repo_web,
        "mirror_url": None,
        "homepage": None,
        "language": "Python",
        "size": 1024,
        "stargazers_count": 0,
        "watchers_count": 0,
        "watchers": 0,
        "forks_count": 0,
        "forks": 0,
        "open_issues_count": 0,
        "open_issues": 0,
        "default_branch": ctx.git.default_branch(),
        "has_issues": True,
        "has_projects": True,
        "has_wiki": False,
        "has_pages": False,
        "has_downloads": True,
        "has_discussions": False,
        "archived": False,
        "disabled": False,
        "visibility": "public",
        "license": {
            "key": "mit",
            "name": "MIT License",
            "spdx_id": "MIT",
            "url": f"{ctx.api}/licenses/mit",
            "node_id": "MDc6TGljZW5zZTEz",
        },
        "topics": [],
        "pushed_at": CREATED,
        "created_at": CREATED,
        "updated_at": CREATED,
    }
    open_items = sum(i.state == "open" for i in ctx.state.issues.values())
    open_items += sum(p.state == "open" for p in ctx.state.pulls.values())
    body["open_issues_count"] = body["open_issues"] = open_items
    if full:
        body.update(
            network_count=0,
            subscribers_count=0,
            permissions={
                "admin": False,
                "maintain": False,
                "push": True,
                "triage": True,
                "pull": True,
            },
            allow_merge_commit=True,
            allow_squash_merge=True,
            allow_rebase_merge=True,
            delete_branch_on_merge=False,
        )
    return body


def git_ref(ctx: Ctx, ref: str, sha: str) -> dict[str, Any]:
    kind = ctx.git.object_type(sha) or "commit"
    plural = {"commit": "commits", "tag": "tags"}.get(kind, f"{kind}s")
    return {
        "ref": ref,
        "node_id": node_id("REF", ref),
        "url": f"{ctx.repo_api}/git/{ref}",
        "object": {"type": kind, "sha": sha, "url": f"{ctx.repo_api}/git/{plural}/{sha}"},
    }


def verification() -> dict[str, Any]:
    return {
        "verified": False,
        "reason": "unsigned",
        "signature": None,
        "payload": None,
        "verified_at": None,
    }


def git_commit(ctx: Ctx, info: CommitInfo) -> dict[str, Any]:
    def person(p: Any) -> dict[str, str]:
        return {"name": p.name, "email": p.email, "date": p.date}

    return {
        "sha": info.sha,
        "node_id": node_id("C", info.sha),
        "url": f"{ctx.repo_api}/git/commits/{info.sha}",
        "html_url": f"{ctx.repo_web}/commit/{info.sha}",
        "author": person(info.author),
        "committer": person(info.committer),
        "tree": {"sha": info.tree, "url": f"{ctx.repo_api}/git/trees/{info.tree}"},
        "message": info.message,
        "parents": [
            {
                "sha": p,
                "url": f"{ctx.repo_api}/git/commits/{p}",
                "html_url": f"{ctx.repo_web}/commit/{p}",
            }
            for p in info.parents
        ],
        "verification": verification(),
    }


def commit(ctx: Ctx, info: CommitInfo) -> dict[str, Any]:
    """The ``commit`` schema (branches, compare): a git commit wrapped with GitHub data."""
    inner = git_commit(ctx, info)
    return {
        "sha": info.sha,
        "node_id": node_id("C", info.sha),
        "url": f"{ctx.repo_api}/commits/{info.sha}",
        "html_url": f"{ctx.repo_web}/commit/{info.sha}",
        "comments_url": f"{ctx.repo_api}/commits/{info.sha}/comments",
        "commit": {
            "url": inner["url"],
            "author": inner["author"],
            "committer": inner["committer"],
            "message": info.message,
            "tree": inner["tree"],
            "comment_count": 0,
            "verification": inner["verification"],
        },
        # GitHub sends null for authors it cannot map to an account, but its schema
        # (oneOf without a type) rejects null; the schema's "Empty Object" is valid.
        "author": {},
        "committer": {},
        "parents": [
            {
                "sha": p["sha"],
                "url": f"{ctx.repo_api}/commits/{p['sha']}",
                "html_url": p["html_url"],
            }
            for p in inner["parents"]
        ],
    }


def protection(ctx: Ctx, branch: str, prot: Protection | None) -> dict[str, Any]:
    url = f"{ctx.repo_api}/branches/{branch}/protection"
    if prot is None:
        checks = {"enforcement_level": "off", "contexts": [], "checks": []}
        return {"enabled": False, "required_status_checks": checks}
    return {
        "url": url,
        "enabled": True,
        "required_status_checks": {
            "url": f"{url}/required_status_checks",
            "enforcement_level": "everyone",
            "contexts": list(prot.required_status_checks),
            "checks": [{"context": c, "app_id": None} for c in prot.required_status_checks],
            "contexts_url": f"{url}/required_status_checks/contexts",
            "strict": True,
        },
        "required_pull_request_reviews": {
            "url": f"{url}/required_pull_request_reviews",
            "dismiss_stale_reviews": False,
            "require_code_owner_reviews": False,
            "required_approving_review_count": prot.required_reviews,
            "require_last_push_approval": False,
        },
        "enforce_admins": {"url": f"{url}/enforce_admins", "enabled": prot.enforce_admins},
        "required_linear_history": {"enabled": False},
        "allow_force_pushes": {"enabled": False},
        "allow_deletions": {"enabled": False},
        "required_conversation_resolution": {"enabled": False},
        "lock_branch": {"enabled": False},
        "allow_fork_syncing": {"enabled": False},
    }


def branch(ctx: Ctx, name: str, info: CommitInfo) -> dict[str, Any]:
    prot = ctx.state.protected.get(name)
    return {
        "name": name,
        "commit": commit(ctx, info),
        "_links": {
            "self": f"{ctx.repo_api}/branches/{name}",
            "html": f"{ctx.repo_web}/tree/{name}",
        },
        "protected": prot is not None,
        "protection": protection(ctx, name, prot),
        "protection_url": f"{ctx.repo_api}/branches/{name}/protection",
    }


def error(message: str, doc: str = "https://docs.github.com/rest", **extra: Any) -> dict[str, Any]:
    return {"message": message, "documentation_url": doc, **extra}


def validation_failed(
    resource: str, code: str, *, field: str | None = None, message: str | None = None
) -> dict[str, Any]:
    err: dict[str, Any] = {"resource": resource, "code": code}
    if field:
        err["field"] = field
    if message:
        err["message"] = message
    return error("Validation Failed", errors=[err])
