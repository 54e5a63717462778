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

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from release_actions.adapters import git
from release_actions.adapters.delivery import (
    MODES,
    PR_BRANCH_PREFIX,
    Identity,
    PullRequests,
    base_for,
    is_rule_rejection,
    rule_rejection_line,
    write_change,
)
from release_actions.adapters.npm_registry import npm_registry_url
from release_actions.adapters.tags import origin_tag_targets, repo_conventions
from release_actions.adapters.uvlock import relock
from release_actions.core.config import Config
from release_actions.core.conventions import DEFAULT, Conventions
from release_actions.core.errors import InvalidValueError, ReleaseActionsError
from release_actions.core.main_line import leave_main_alone, main_develops
from release_actions.core.versions import (
    ReleaseBranch,
    ReleaseTag,
    Version,
    is_hotfix,
    next_dev_base,
    parse_release_tag,
)
from release_actions.edits.pins import set_pins
from release_actions.edits.pyproject import (
    has_scm_config,
    read_fallback_version,
    set_fallback_version,
)
from release_actions.steps.default_branch import with_default_branch
from release_actions.steps.managed_files import find_managed_pyprojects
from release_actions.steps.post.npm import npm_step
from release_actions.steps.post.step import Step, step_from_write

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
class _Checked:
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


def _check(repo: Path, request: PostRequest, config: Config) -> _Checked:
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
    if tag_sha != branch_sha and not _is_ancestor(repo, tag_sha, branch_sha, branch):
        raise ReleaseActionsError(
            f"release tag {tag.name} ({tag_sha[:12]}) is not on its release branch {branch}",
            fix=f"check the tag: {tag.name} must be on {branch}, where prepare-release made the"
            " release commit",
            title="Release tag not on its branch",
        )
    return _Checked(
        tag, next_base, branch, pin_style, mode, registry, attempts, seconds, use_remote, tags, conv
    )


def post_release(
    repo: Path,
    request: PostRequest,
    config: Config,
    *,
    identity: Identity,
    pulls: PullRequests | None = None,
) -> PostResult:
    config = with_default_branch(repo, config)
    checked = _check(repo, request, config)
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
        return _main(repo, request, config, identity, pulls, checked, dry_run=dry_run)

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
    main_sha = _remote_head(repo, config.default_branch, checked.use_remote)
    # One notion of what main develops, for the dev tag as for the bump.
    develops = main_develops(checked.tags, main_preview.fallbacks, checked.conventions)
    reason = (
        leave_main_alone(next_base, develops, config.default_branch)
        if next_base is not None
        else None
    )
    steps: list[tuple[str, Callable[[], Step]]] = [
        ("dev-tag", lambda: _dev_tag(repo, request, config, checked, main_sha, reason)),
        ("main", (lambda: main_preview) if request.dry_run else (lambda: main_step(False))),
        ("branch", (lambda: branch_preview) if request.dry_run else (lambda: branch_step(False))),
    ]
    for name, run in steps:
        try:
            result.steps[name] = run()
        except ReleaseActionsError as err:
            result.steps[name] = Step(name, "failed", str(err))
    return result


def _dev_tag(
    repo: Path,
    request: PostRequest,
    config: Config,
    checked: _Checked,
    main_sha: str,
    reason: str | None,
) -> Step:
    next_base = checked.next_base
    if next_base is None:
        return Step("dev-tag", "skipped", left_alone_reason(checked.tag.version, config))
    if reason:
        return Step("dev-tag", "skipped", reason)
    name = checked.conventions.dev_tag_name(next_base)
    branch = config.default_branch
    existing = checked.tags.get(name, "")
    if existing:
        return _existing_dev_tag(repo, name, existing, main_sha, branch, "")
    # Main's head before our bump: on a re-run after the bump (or beside a concurrent
    # identical run that bumped already), the bump commit's parent, not the bump.
    target = _before_bump(repo, main_sha, branch, f"{_bump_title(config, checked)}")
    where = f"{branch} ({target[:12]})" + (" before the bump" if target != main_sha else "")
    if request.dry_run:
        return Step("dev-tag", "dry-run", f"would tag {where} with {name}", sha=target)
    if checked.use_remote:
        code, out, err = git.try_run(
            repo,
            "push",
            "--porcelain",
            "origin",
            f"{target}:refs/tags/{name}",
            extra_env=git.remote_env(repo),
        )
        if code == 0 and "[up to date]" in out:  # another run pushed the same tag meanwhile
            return _existing_dev_tag(repo, name, target, main_sha, branch, target)
        if code == 0:
            return Step("dev-tag", "created", f"{name} on {where}", sha=target)
        message = "\n".join(x for x in (out, err) if x)
        now = origin_tag_targets(repo, name).get(name, "")
        if now:  # lost the race to another run
            return _existing_dev_tag(repo, name, now, main_sha, branch, target)
        if is_rule_rejection(message):
            raise ReleaseActionsError(
                f"creating tag {name} was rejected by a tag ruleset or protection rule:"
                f" {rule_rejection_line(message)}",
                fix=f"add the bot to the rule's bypass list, or push {name} on {target[:12]}"
                " by hand",
                title="Dev tag rejected",
            )
        raise ReleaseActionsError(
            f"pushing tag {name} failed: {message}",
            fix="check that the token may push tags (contents: write), then re-run",
        )
    code, _, err = git.try_run(repo, "tag", name, target)
    if code != 0:
        now = git.tag_targets(repo, (f"refs/tags/{name}",)).get(name, "")
        if now:
            return _existing_dev_tag(repo, name, now, main_sha, branch, target)
        raise ReleaseActionsError(f"creating tag {name} failed: {err}", fix="re-run the job")
    return Step("dev-tag", "created", f"{name} (local) on {where}", sha=target)


def _existing_dev_tag(
    repo: Path, name: str, sha: str, main_sha: str, branch: str, target: str
) -> Step:
    """An existing dev tag (found, or made by a run that won the race): fine on main's
    history, an error elsewhere."""
    raced = " (made meanwhile by another run)" if target else ""
    if sha in (target, main_sha) or _is_ancestor(repo, sha, main_sha, branch):
        return Step("dev-tag", "exists", f"{name} already on {branch}'s history{raced}", sha=sha)
    raise ReleaseActionsError(
        f"dev tag {name} exists{raced} on {sha[:12]}, which is not on {branch}",
        fix=f"delete the stray tag (git push origin :refs/tags/{name}) and re-run",
        title="Dev tag on another commit",
    )


def _bump_title(config: Config, checked: _Checked) -> str:
    return f"chore: bump fallback_version to {checked.next_base}.dev0 after {checked.tag.name}"


def _before_bump(repo: Path, main_sha: str, branch: str, title: str) -> str:
    """``main_sha``, or the parent of our bump commit when main already has it (a
    squash-merged PR's ``(#N)`` suffix included): the dev tag's commit is stable."""
    _unshallow(repo, branch)
    code, out, _ = git.try_run(
        repo, "log", "--first-parent", "--max-count=200", "--format=%H %P%x00%s", main_sha
    )
    for line in git.lines(out) if code == 0 else []:
        shas, _, subject = line.partition("\0")
        if subject == title or subject.startswith(f"{title} (#"):
            parents = shas.split()[1:]
            if parents:
                return parents[0]
    return main_sha


def _remote_head(repo: Path, branch: str, use_remote: bool) -> str:
    """The tip of ``branch`` on origin (fetched), or the local branch without pushing."""
    try:
        return base_for(repo, branch, use_remote=use_remote)[0]
    except ReleaseActionsError as err:
        raise ReleaseActionsError(
            f"{branch} not found: {err.message}",
            fix="set default-branch in [tool.release-actions]",
        ) from err


def _unshallow(repo: Path, branch: str) -> None:
    """A shallow checkout (actions/checkout's default ``fetch-depth: 1``) lacks history:
    ``branch`` is unshallowed from origin. (Not treeless: that would make the checkout a
    partial clone whose later lazy fetches carry no token.)"""
    shallow = git.try_run(repo, "rev-parse", "--is-shallow-repository")[1] == "true"
    if shallow and git.has_remote(repo):
        git.remote(
            repo,
            "fetch",
            "--quiet",
            "--no-tags",
            "--unshallow",
            "origin",
            f"refs/heads/{branch}",
            what=f"fetch the history of {branch}",
        )


def _is_ancestor(repo: Path, ancestor: str, descendant: str, branch: str) -> bool:
    """Whether ``ancestor`` is in the history of ``descendant`` (the tip of ``branch``)."""
    _unshallow(repo, branch)
    return git.try_run(repo, "merge-base", "--is-ancestor", ancestor, descendant)[0] == 0


def _main(
    repo: Path,
    request: PostRequest,
    config: Config,
    identity: Identity,
    pulls: PullRequests | None,
    checked: _Checked,
    *,
    dry_run: bool,
) -> Step:
    next_base, version = checked.next_base, checked.tag.version
    if next_base is None:
        return Step("main", "skipped", left_alone_reason(version, config))
    target = f"{next_base}.dev0"
    # Tags re-read for the real write: a concurrent post-release may have moved main on.
    match = f"refs/tags/{checked.conventions.describe_match}"
    tags = (
        checked.tags if dry_run or not checked.use_remote else origin_tag_targets(repo, match=match)
    )
    pins = request.pins or config.pins
    left_alone: list[str] = []
    fallbacks: dict[str, str] = {}
    no_table: list[str] = []  # configured files not versioned by setuptools-scm

    def edit(wt: Path, _new: bool) -> list[str]:
        left_alone.clear()
        fallbacks.clear()
        no_table.clear()
        texts = {}
        for path in find_managed_pyprojects(wt, config.pyprojects):
            rel = path.relative_to(wt).as_posix()
            text = path.read_bytes().decode("utf-8")  # CRLF kept
            if not has_scm_config(text, path_for_errors=rel):
                no_table.append(rel)
                continue
            texts[path] = (rel, text)
            current = read_fallback_version(texts[path][1], path_for_errors=rel)
            if current is not None:
                fallbacks[rel] = current
        develops = main_develops(tags, fallbacks, checked.conventions)
        reason = leave_main_alone(next_base, develops, config.default_branch)
        if reason:  # an older line, or main moved ahead meanwhile: never move it back
            left_alone.append(reason)
            return []
        changed = []
        for path, (rel, original) in texts.items():
            current = fallbacks.get(rel)
            text = original
            if current is None or Version(current) <= Version(target):
                text = set_fallback_version(text, target, path_for_errors=rel)
            if checked.pin_style == "minimum":
                text, _ = set_pins(text, pins, version, "minimum", path_for_errors=rel)
            if text != original:
                path.write_text(text, encoding="utf-8")
                changed.append(rel)
        relock_needed = changed and checked.pin_style == "minimum" and (wt / "uv.lock").is_file()
        if relock_needed and not dry_run and relock(wt, pins).status == "relocked":
            changed.append("uv.lock")
        return changed

    title = _bump_title(config, checked)
    write = write_change(
        repo,
        branch=config.default_branch,
        edit=edit,
        message=title,
        identity=identity,
        mode=checked.mode,
        push=request.push,
        dry_run=dry_run,
        pr_branch=f"{PR_BRANCH_PREFIX}post-release-{checked.tag.name}",
        pr_title=title,
        pr_body="Opened by llama-stack/release-actions post-release.",
        pulls=pulls,
    )
    skipped = f"{', '.join(no_table)} skipped: no [tool.setuptools_scm] table" if no_table else ""
    if left_alone:
        step = Step("main", "skipped", left_alone[0])
    elif not write.changed and not fallbacks and not write.pull_request_url:
        why = f"no managed pyproject.toml on {config.default_branch} has a [tool.setuptools_scm]"
        step = Step("main", "skipped", f"{why} table: no fallback_version to write")
        if skipped:
            step.detail += f" ({skipped})"
    else:
        step = step_from_write("main", write, f"fallback_version {target}")
        step.detail += f"; {skipped}" if skipped else ""
    step.fallbacks = dict(fallbacks)
    return step
