"""post-release: what follows a published release, in three independent steps.

* ``dev-tag``: the lightweight tag ``vX.Y.(Z+1)-dev`` (or ``vX.(Y+1).0-dev``) on main,
  in the repository's dev-tag form (``X.Y.Z.dev0``, ``vX.Y.Z.dev``: see conventions).
* ``main``: ``fallback_version = "<next>.dev0"`` in every managed pyproject.toml on
  main (optionally the sibling pins ``>=X.Y.Z`` and a re-lock), pushed or as a PR.
* ``branch``: on the release branch (``release-X.Y.x``), the npm dependency on the client set to the
  released version and ``package-lock.json`` refreshed by a real npm.

Validate, then act: every input (the npm ones too), the release tag (on its
release branch, and on origin whenever the command pushes or opens a pull
request) and the files every step will touch are checked -- by a dry run of the
two writing steps -- before the first write.

Main never moves backwards: both the dev-tag and the bump decision ask
:func:`release_actions.core.main_line.leave_main_alone` what main develops (its
dev tags and its ``fallback_version`` values), against the *current* state of origin
(re-read on each attempt), so an old-line patch, a re-run, or a concurrent
post-release of a newer version leaves main alone. The dev tag goes on main's
head before the bump, also on a re-run after the bump. A failing step is
reported without hiding the others.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from release_actions.adapters import git
from release_actions.adapters.delivery import (
    Identity,
    PullRequests,
)
from release_actions.adapters.tags import origin_tag_targets
from release_actions.core.config import Config
from release_actions.core.conventions import DEFAULT, Conventions
from release_actions.core.errors import InvalidValueError, ReleaseActionsError
from release_actions.core.main_line import leave_main_alone, main_develops
from release_actions.core.versions import (
    ReleaseTag,
    parse_release_tag,
)
from release_actions.steps.default_branch import with_default_branch
from release_actions.steps.post.history import remote_head
from release_actions.steps.post.inputs import (
    MAX_WAIT_ATTEMPTS,
    MAX_WAIT_SECONDS,
    RC_POLICIES,
    Checked,
    PostRequest,
    check_inputs,
    check_npm_wait,
    left_alone_reason,
    plan_next,
)
from release_actions.steps.post.main_line import bump_main, dev_tag_step
from release_actions.steps.post.npm import npm_step
from release_actions.steps.post.step import Step

__all__ = [
    "MAX_WAIT_ATTEMPTS",
    "MAX_WAIT_SECONDS",
    "RC_POLICIES",
    "Checked",
    "PostRequest",
    "PostResult",
    "check_npm_wait",
    "find_release_tag",
    "left_alone_reason",
    "plan_next",
    "post_release",
]


@dataclass
class PostResult:
    tag: str
    version: str
    next_dev: str
    release_branch: str
    steps: dict[str, Step] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    conventions: Conventions = DEFAULT  # names the dev tag

    @property
    def failed(self) -> bool:
        return any(s.status == "failed" for s in self.steps.values())

    def as_dict(self) -> dict[str, object]:
        dev, main, branch = (self.steps[k] for k in ("dev-tag", "main", "branch"))
        skipped = [f"{k}: {s.detail}" for k, s in self.steps.items() if s.status == "skipped"]
        return {
            "tag": self.tag,
            "version": self.version,
            # Empty when main is left alone (an RC, an old line).
            "next_dev_version": self.next_dev if main.status not in ("skipped",) else "",
            "release_branch": self.release_branch,
            "dev_tag": self.conventions.dev_tag_name(self.next_dev)
            if dev.status in ("created", "exists")
            else "",
            "dev_tag_status": dev.status,
            "main_status": main.status,
            "main_commit": main.sha if main.status in ("pushed", "committed", "unchanged") else "",
            "main_pr": main.url,
            "branch_status": branch.status,
            "branch_commit": branch.sha
            if branch.status in ("pushed", "committed", "unchanged")
            else "",
            "branch_pr": branch.url,
            "skipped": "; ".join(skipped),
            "failed": self.failed,
        }


def find_release_tag(repo: Path, commit: str, conventions: Conventions = DEFAULT) -> ReleaseTag:
    """The highest-precedence release tag on ``commit``: never a dev tag, final over RC.

    Origin's tags are read with the action's token; an unreachable origin is an error.
    """
    match = f"refs/tags/{conventions.describe_match}"
    targets = git.tag_targets(repo, (match,))
    if git.has_remote(repo):
        targets = {**targets, **origin_tag_targets(repo, match=match)}
    tags = []
    for name in (n for n, sha in targets.items() if sha == commit):
        try:
            tags.append(parse_release_tag(name, conventions))
        except InvalidValueError:
            continue
    if not tags:
        raise ReleaseActionsError(
            f"no release tag ({conventions.release_tag_name('X.Y.Z')}, or an RC) points at"
            f" {commit}",
            fix="pass the release tag explicitly with --tag",
            title="Release tag not found",
        )
    return max(tags, key=lambda t: t.version)


def post_release(
    repo: Path,
    request: PostRequest,
    config: Config,
    *,
    identity: Identity,
    pulls: PullRequests | None = None,
) -> PostResult:
    config = with_default_branch(repo, config)
    checked = check_inputs(repo, request, config)
    version, next_base = checked.tag.version, checked.next_base
    result = PostResult(checked.tag.name, str(version), str(next_base or ""), checked.branch)
    result.conventions = checked.conventions
    if not checked.use_remote:
        where = "no remote" if request.push else "--no-push"
        result.notes.append(
            f"{where}: release tag {checked.tag.name} checked in the local clone only,"
            " not on origin"
        )

    def main_step(dry_run: bool) -> Step:
        return bump_main(repo, request, config, identity, pulls, checked, dry_run=dry_run)

    def branch_step(dry_run: bool) -> Step:
        return npm_step(
            repo,
            config,
            identity,
            pulls,
            version,
            checked.branch,
            registry=checked.registry,
            mode=checked.mode,
            push=request.push,
            dry_run=dry_run,
            wait_attempts=checked.wait_attempts,
            wait_seconds=checked.wait_seconds,
        )

    # Validate, then act: a dry run of both writing steps reads and edits every file
    # they will touch; a broken file or an unsupported range fails here, before any write.
    main_preview = main_step(True)
    branch_preview = branch_step(True)
    main_sha = remote_head(repo, config.default_branch, checked.use_remote)
    # One notion of what main develops, for the dev tag as for the bump.
    develops = main_develops(checked.tags, main_preview.fallbacks, checked.conventions)
    reason = (
        leave_main_alone(next_base, develops, config.default_branch)
        if next_base is not None
        else None
    )
    steps: list[tuple[str, Callable[[], Step]]] = [
        ("dev-tag", lambda: dev_tag_step(repo, request, config, checked, main_sha, reason)),
        ("main", (lambda: main_preview) if request.dry_run else (lambda: main_step(False))),
        ("branch", (lambda: branch_preview) if request.dry_run else (lambda: branch_step(False))),
    ]
    for name, run in steps:
        try:
            result.steps[name] = run()
        except ReleaseActionsError as err:
            result.steps[name] = Step(name, "failed", str(err))
    return result
