"""post-release: what follows a published release, in three independent steps.

* ``dev-tag``: the lightweight tag ``vX.Y.(Z+1)-dev`` (or ``vX.(Y+1).0-dev``) on main.
* ``main``: ``fallback_version = "<next>.dev0"`` in every managed pyproject.toml on
  main (optionally the sibling pins ``>=X.Y.Z`` and a re-lock), pushed or as a PR.
* ``branch``: on ``release-X.Y.x``, the npm dependency on the client set to the
  released version and ``package-lock.json`` refreshed by a real npm.

Main never moves backwards: every decision is taken against the *current*
state of origin (re-read on each attempt), so an old-line patch, a re-run, or a
concurrent post-release of a newer version leaves main alone. A failing step is
reported without hiding the others.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from release_actions.adapters import git
from release_actions.adapters.delivery import (
    PR_BRANCH_PREFIX,
    Identity,
    PullRequests,
    base_for,
    write_change,
)
from release_actions.adapters.tags import known_tag_names
from release_actions.adapters.uvlock import relock
from release_actions.core.config import Config
from release_actions.core.errors import InvalidValueError, ReleaseActionsError
from release_actions.core.versions import (
    DevTag,
    ReleaseBranch,
    ReleaseTag,
    Version,
    next_dev_base,
    parse_release_tag,
    parse_tag,
)
from release_actions.edits.pins import set_pins
from release_actions.edits.pyproject import read_fallback_version, set_fallback_version
from release_actions.steps.managed_files import find_managed_pyprojects
from release_actions.steps.post.npm import npm_step
from release_actions.steps.post.step import Step, step_from_write

RC_POLICIES = ("ignore", "track")


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

    @property
    def failed(self) -> bool:
        return any(s.status == "failed" for s in self.steps.values())

    def as_dict(self) -> dict[str, object]:
        dev, main, branch = (self.steps[k] for k in ("dev-tag", "main", "branch"))
        skipped = [f"{k}: {s.detail}" for k, s in self.steps.items() if s.status == "skipped"]
        return {
            "tag": self.tag,
            "version": self.version,
            "next_dev_version": self.next_dev,
            "release_branch": self.release_branch,
            "dev_tag": f"v{self.next_dev}-dev" if dev.status in ("created", "exists") else "",
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


def find_release_tag(repo: Path, commit: str) -> ReleaseTag:
    """The highest-precedence release tag on ``commit``: never a dev tag, final over RC."""
    code, out, _ = git.try_run(repo, "ls-remote", "--tags", "origin")
    pairs = [line.split("\t") for line in git.lines(out)] if code == 0 else []
    names = {
        ref.removeprefix("refs/tags/").removesuffix("^{}") for sha, ref in pairs if sha == commit
    }
    names |= {n for n, sha in git.tag_targets(repo).items() if sha == commit}
    tags = []
    for name in names:
        try:
            tags.append(parse_release_tag(name))
        except InvalidValueError:
            continue
    if not tags:
        raise ReleaseActionsError(
            f"no release tag (vX.Y.Z or vX.Y.ZrcN) points at {commit}",
            fix="pass the release tag explicitly with --tag",
            title="Release tag not found",
        )
    return max(tags, key=lambda t: t.version)


def _main_floor(names: set[str]) -> tuple[Version | None, str]:
    devs = []
    for name in names:
        try:
            tag = parse_tag(name)
        except InvalidValueError:
            continue
        if isinstance(tag, DevTag):
            devs.append(tag)
    if not devs:
        return None, ""
    top = max(devs, key=lambda t: t.version)
    return top.version, top.name


def plan_next(version: Version, request: PostRequest, config: Config) -> Version | None:
    """What main develops after ``version``; None when the RC policy leaves main alone."""
    policy = request.next_dev or config.next_dev
    if version.is_prerelease:
        rc_policy = request.rc_policy or config.rc_main_policy
        if rc_policy not in RC_POLICIES:
            raise InvalidValueError("rc-policy", rc_policy, " | ".join(RC_POLICIES))
        if rc_policy == "ignore":
            return None
        version = Version(version.base_version)
    return next_dev_base(version, policy)


def post_release(
    repo: Path,
    request: PostRequest,
    config: Config,
    *,
    identity: Identity,
    pulls: PullRequests | None = None,
) -> PostResult:
    tag = parse_release_tag(request.tag)
    version = tag.version
    main_pin_style = request.main_pin_style or config.main_pin_style
    if main_pin_style not in ("none", "minimum"):
        raise InvalidValueError("main-pin-style", main_pin_style, "none | minimum")
    next_base = plan_next(version, request, config)
    branch = ReleaseBranch.for_version(version).name
    result = PostResult(tag.name, str(version), str(next_base or ""), branch)
    names = known_tag_names(repo)
    if tag.name not in names:
        raise ReleaseActionsError(
            f"tag {tag.name} does not exist in the repository",
            fix="post-release runs after the release is published: check the tag name",
            title="Release tag not found",
        )
    steps: list[tuple[str, Callable[[], Step]]] = [
        ("dev-tag", lambda: _dev_tag(repo, request, config, next_base, names)),
        (
            "main",
            lambda: _main(
                repo, request, config, identity, pulls, version, next_base, main_pin_style
            ),
        ),
        (
            "branch",
            lambda: npm_step(
                repo,
                config,
                identity,
                pulls,
                version,
                branch,
                registry=request.npm_registry or config.npm_registry,
                mode=request.mode or config.write_mode,
                push=request.push,
                dry_run=request.dry_run,
                wait_attempts=request.npm_wait_attempts,
                wait_seconds=request.npm_wait_seconds,
            ),
        ),
    ]
    for name, run in steps:
        try:
            result.steps[name] = run()
        except ReleaseActionsError as err:
            result.steps[name] = Step(name, "failed", str(err))
    return result


def _dev_tag(
    repo: Path, request: PostRequest, config: Config, next_base: Version | None, names: set[str]
) -> Step:
    if next_base is None:
        return Step(
            "dev-tag", "skipped", "release candidate: main is left alone (rc-policy ignore)"
        )
    name = f"{config.tag_prefix}{next_base}-dev"
    floor, floor_name = _main_floor(names)
    main_sha = _remote_head(repo, config.default_branch, request.push)
    if name in names:
        sha = _tag_commit(repo, name, request.push)
        if sha and (sha == main_sha or _is_ancestor(repo, sha, main_sha, config.default_branch)):
            return Step("dev-tag", "exists", f"{name} already on main's history", sha=sha)
        raise ReleaseActionsError(
            f"dev tag {name} exists on {sha[:12] or 'an unknown commit'}, which is not on "
            f"{config.default_branch}",
            fix=f"delete the stray tag (git push origin :refs/tags/{name}) and re-run",
            title="Dev tag on another commit",
        )
    if floor is not None and floor > next_base:
        return Step(
            "dev-tag",
            "skipped",
            f"main already develops {floor} ({floor_name}); not moving it back to {next_base}",
        )
    if request.dry_run:
        return Step(
            "dev-tag",
            "dry-run",
            f"would tag {config.default_branch} ({main_sha[:12]}) with {name}",
            sha=main_sha,
        )
    if request.push and git.has_remote(repo):
        code, out, err = git.try_run(
            repo,
            "push",
            "--porcelain",
            "origin",
            f"{main_sha}:refs/tags/{name}",
            extra_env=git.remote_env(repo),
        )
        if code != 0:
            raise ReleaseActionsError(
                f"pushing tag {name} failed: {err or out}", fix="give the job contents: write"
            )
        return Step("dev-tag", "created", f"{name} on {config.default_branch}", sha=main_sha)
    git.run(repo, "tag", name, main_sha)
    return Step("dev-tag", "created", f"{name} (local)", sha=main_sha)


def _remote_head(repo: Path, branch: str, push: bool) -> str:
    """The tip of ``branch`` on origin (fetched), or the local branch without pushing."""
    try:
        return base_for(repo, branch, use_remote=push and git.has_remote(repo))[0]
    except ReleaseActionsError as err:
        raise ReleaseActionsError(
            f"{branch} not found: {err.message}",
            fix="set default-branch in [tool.release-actions]",
        ) from err


def _tag_commit(repo: Path, name: str, push: bool) -> str:
    code, sha, _ = git.try_run(repo, "rev-parse", "--verify", "--quiet", f"refs/tags/{name}^{{}}")
    if code == 0:
        return sha
    code, out, _ = git.try_run(
        repo, "ls-remote", "--tags", "origin", f"refs/tags/{name}", f"refs/tags/{name}^{{}}"
    )
    shas = [line.split()[0] for line in git.lines(out)] if code == 0 else []
    return shas[-1] if shas else ""


def _is_ancestor(repo: Path, ancestor: str, descendant: str, branch: str) -> bool:
    """Whether ``ancestor`` is in the history of ``descendant`` (the tip of ``branch``).

    A shallow checkout (actions/checkout's default ``fetch-depth: 1``) lacks that
    history, so ``branch`` is unshallowed from origin first. (Not treeless: that
    would make the checkout a partial clone whose later lazy fetches carry no token.)
    """
    shallow = git.try_run(repo, "rev-parse", "--is-shallow-repository")[1] == "true"
    if shallow and git.has_remote(repo):
        git.try_run(
            repo,
            "fetch",
            "--quiet",
            "--no-tags",
            "--unshallow",
            "origin",
            f"refs/heads/{branch}",
            extra_env=git.remote_env(repo),
        )
    return git.try_run(repo, "merge-base", "--is-ancestor", ancestor, descendant)[0] == 0


def _main(
    repo: Path,
    request: PostRequest,
    config: Config,
    identity: Identity,
    pulls: PullRequests | None,
    version: Version,
    next_base: Version | None,
    pin_style: str,
) -> Step:
    if next_base is None:
        return Step("main", "skipped", "release candidate: main is left alone (rc-policy ignore)")
    target = f"{next_base}.dev0"
    names_now = known_tag_names(repo)
    floor, floor_name = _main_floor(names_now)
    if floor is not None and floor > next_base:
        return Step(
            "main",
            "skipped",
            f"main already develops {floor} ({floor_name}); {version} is an older line",
        )
    pins = request.pins or config.pins
    ahead: list[str] = []

    def edit(wt: Path, _new: bool) -> list[str]:
        ahead.clear()
        changed = []
        for path in find_managed_pyprojects(wt, config.pyprojects):
            rel = str(path.relative_to(wt))
            text = original = path.read_bytes().decode("utf-8")
            current = read_fallback_version(text, path_for_errors=rel)
            if current is not None and Version(current) > Version(target):
                ahead.append(f"{rel} has fallback_version {current}")
                continue
            text = set_fallback_version(text, target, path_for_errors=rel)
            if pin_style == "minimum":
                text, _ = set_pins(text, pins, version, "minimum", path_for_errors=rel)
            if text != original:
                path.write_text(text, encoding="utf-8")
                changed.append(rel)
        if ahead:
            return []  # main moved ahead meanwhile: never move it back
        relock_needed = changed and pin_style == "minimum" and (wt / "uv.lock").is_file()
        if relock_needed and relock(wt, pins).status == "relocked":
            changed.append("uv.lock")
        return changed

    write = write_change(
        repo,
        branch=config.default_branch,
        edit=edit,
        message=f"chore: bump fallback_version to {target} after {config.tag_prefix}{version}",
        identity=identity,
        mode=request.mode or config.write_mode,
        push=request.push,
        dry_run=request.dry_run,
        pr_branch=f"{PR_BRANCH_PREFIX}post-release-{config.tag_prefix}{version}",
        pr_title=f"chore: bump fallback_version to {target} after {config.tag_prefix}{version}",
        pr_body="Opened by llama-stack/release-actions post-release.",
        pulls=pulls,
    )
    if ahead:
        return Step("main", "skipped", f"main is ahead of {target}: {'; '.join(ahead)}")
    return step_from_write("main", write, f"fallback_version {target}")
