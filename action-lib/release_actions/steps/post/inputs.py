"""post-release's inputs, validated and resolved before the first write
(:func:`check_inputs`), and what main develops next (:func:`plan_next`)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from release_actions.adapters import git
from release_actions.adapters.delivery import (
    MODES,
    base_for,
)
from release_actions.adapters.npm_registry import npm_registry_url
from release_actions.adapters.tags import origin_tag_targets, repo_conventions
from release_actions.core.config import Config
from release_actions.core.conventions import DEFAULT, Conventions
from release_actions.core.errors import InvalidValueError, ReleaseActionsError
from release_actions.core.versions import (
    ReleaseBranch,
    ReleaseTag,
    Version,
    is_hotfix,
    next_dev_base,
    parse_release_tag,
)
from release_actions.steps.post.history import is_ancestor

RC_POLICIES = ("ignore", "track")
MAX_WAIT_ATTEMPTS = 1000
MAX_WAIT_SECONDS = 3600.0


@dataclass(frozen=True)
class PostRequest:
    tag: str
    pins: tuple[str, ...] = ()
    main_pin_style: str = ""
    next_dev: str = ""
    rc_policy: str = ""
    mode: str = ""
    push: bool = True
    dry_run: bool = False
    npm_registry: str = ""
    npm_wait_attempts: int = 30
    npm_wait_seconds: float = 10.0


def plan_next(version: Version, request: PostRequest, config: Config) -> Version | None:
    """What main develops after ``version``; None when main is left alone (a hotfix, or an
    RC under the ``ignore`` policy: see :func:`left_alone_reason`)."""
    policy = request.next_dev or config.next_dev
    if is_hotfix(version):
        return None
    if version.is_prerelease:
        rc_policy = request.rc_policy or config.rc_main_policy
        if rc_policy not in RC_POLICIES:
            raise InvalidValueError("rc-policy", rc_policy, " | ".join(RC_POLICIES))
        if rc_policy == "ignore":
            return None
        version = Version(version.base_version)
    return next_dev_base(version, policy)


def left_alone_reason(version: Version, config: Config) -> str:
    """Why post-release leaves the default branch alone when :func:`plan_next` is None."""
    if is_hotfix(version):
        return (
            f"hotfix {version}: {config.default_branch} is left alone (a hotfix never moves"
            " the default branch's dev line)"
        )
    return f"release candidate: {config.default_branch} is left alone (rc-policy ignore)"


def check_npm_wait(attempts: object, seconds: object) -> tuple[int, float]:
    """The npm wait flags: a whole number of attempts in 1..1000 and a finite number of
    seconds in 0..3600 (``inf`` and ``nan`` are refused)."""
    if isinstance(attempts, bool) or not isinstance(attempts, int):
        raise InvalidValueError(
            "npm-wait-attempts", attempts, f"a whole number 1..{MAX_WAIT_ATTEMPTS}"
        )
    if not 1 <= attempts <= MAX_WAIT_ATTEMPTS:
        raise InvalidValueError(
            "npm-wait-attempts", attempts, f"a whole number 1..{MAX_WAIT_ATTEMPTS}"
        )
    if isinstance(seconds, bool) or not isinstance(seconds, int | float):
        raise InvalidValueError(
            "npm-wait-seconds", seconds, f"a number of seconds 0..{MAX_WAIT_SECONDS:g}"
        )
    if not math.isfinite(seconds) or not 0 <= seconds <= MAX_WAIT_SECONDS:
        raise InvalidValueError(
            "npm-wait-seconds", seconds, f"a number of seconds 0..{MAX_WAIT_SECONDS:g}"
        )
    return attempts, float(seconds)


@dataclass(frozen=True)
class Checked:
    """post-release's inputs, validated and resolved before the first write."""

    tag: ReleaseTag
    next_base: Version | None
    branch: str
    pin_style: str
    mode: str
    registry: str
    wait_attempts: int
    wait_seconds: float
    use_remote: bool
    tags: dict[str, str]  # version tag -> commit, on origin (or in the clone with --no-push)
    conventions: Conventions = DEFAULT


def check_inputs(repo: Path, request: PostRequest, config: Config) -> Checked:
    """Everything post-release can check without writing; raises on the first problem."""
    conv = repo_conventions(repo, config)
    tag = parse_release_tag(request.tag, conv)
    pin_style = request.main_pin_style or config.main_pin_style
    if pin_style not in ("none", "minimum"):
        raise InvalidValueError("main-pin-style", pin_style, "none | minimum")
    next_base = plan_next(tag.version, request, config)
    mode = request.mode or config.write_mode
    if mode not in MODES:
        raise InvalidValueError("mode", mode, " | ".join(MODES))
    registry = npm_registry_url(request.npm_registry or config.npm_registry)
    attempts, seconds = check_npm_wait(request.npm_wait_attempts, request.npm_wait_seconds)
    use_remote = request.push and git.has_remote(repo)
    branch = ReleaseBranch.for_version(tag.version, conv).name
    match = f"refs/tags/{conv.describe_match}"
    tags = origin_tag_targets(repo, match=match) if use_remote else git.tag_targets(repo, (match,))
    tag_sha = tags.get(tag.name, "")
    if not tag_sha:
        local = git.tag_targets(repo, (match,)).get(tag.name) if use_remote else None
        raise ReleaseActionsError(
            f"tag {tag.name} does not exist "
            + (
                "on origin (only in the local clone: the release is not published)"
                if local
                else "on origin"
                if use_remote
                else "in the repository"
            ),
            fix="post-release runs after the release is published: check the tag name"
            + (", or push the tag first" if local else ""),
            title="Release tag not found",
        )
    try:
        branch_sha = base_for(repo, branch, use_remote=use_remote)[0]
    except ReleaseActionsError as err:
        raise ReleaseActionsError(
            f"release branch {branch} of {tag.name} not found: {err.message}",
            fix=f"release {tag.name} from {branch} (prepare-release creates it)",
            title="Release branch not found",
        ) from err
    if tag_sha != branch_sha and not is_ancestor(repo, tag_sha, branch_sha, branch):
        raise ReleaseActionsError(
            f"release tag {tag.name} ({tag_sha[:12]}) is not on its release branch {branch}",
            fix=f"check the tag: {tag.name} must be on {branch}, where prepare-release made the"
            " release commit",
            title="Release tag not on its branch",
        )
    return Checked(
        tag, next_base, branch, pin_style, mode, registry, attempts, seconds, use_remote, tags, conv
    )
