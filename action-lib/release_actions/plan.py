"""plan: the release owner's checklist for one version, with what each automated step
would do right now.

The checklist is the seed's (RELEASE_PROCESS.md): the Release Criteria of the
milestone, the testing requirements of the release type, the Release Checklist
(Discord thread, technical steps, release notes, announcement) and the
Technical Release Steps. Each automated step is shown as the library would
carry it out now, by calling it with ``dry_run``:

* prepare-release (:func:`release_actions.prepare.prepare_release`): the diff,
  whether it cuts ``release-X.Y.x``, the pins, the lock;
* compute-version for ``release: published`` (:func:`release_actions.compute.compute`):
  the target index and the npm dist-tag;
* post-release (:func:`release_actions.post.post_release`): the next dev tag
  and what happens on main and on the release branch.

Nothing is written to the repository or to origin. The steps run in a scratch
*snapshot*: a temporary bare repository holding origin's default branch, the
release branch and the ``v*`` tags (objects borrowed from the repository through
``objects/info/alternates``; nothing is copied or fetched that the repository
already has). post-release only runs for a tag that exists, so the snapshot
gets the release tag (and, for a new line, the release branch cut from main),
as they will be once prepare-release has run and the release is published.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import git
from .compute import Request, compute
from .config import Config
from .errors import ReleaseActionsError
from .gitops import Identity
from .governance import MilestoneReport, MilestoneSource, check_milestone, previous_release_tag
from .post import PostRequest, post_release
from .prepare import PrepareRequest, prepare_release
from .tags import known_release_tags
from .versions import ReleaseBranch, ReleaseTag, Version, parse_release_version

#: Testing requirements by release type (RELEASE_PROCESS.md, "Testing Requirements").
TESTING: dict[str, tuple[str, ...]] = {
    "patch": (
        "Rely primarily on automated CI tests",
        "Quick turnaround for critical fixes",
        "Manual verification only for specific fix validation",
    ),
    "minor": (
        "Automated CI tests must pass",
        "Manual feature testing for new functionality",
        "Documentation verification",
        "Community testing window: 1 week",
        "Release candidates published for community validation",
    ),
    "major": (
        "Comprehensive automated test suite",
        "Scheduled testing period with predefined test plans",
        "Cross-provider compatibility testing",
        "Performance benchmarking",
        "Community testing window: 2-3 weeks",
        "Multiple release candidates as needed",
    ),
}
TESTING_WINDOW = {"patch": "", "minor": "1 week", "major": "2-3 weeks"}
DESCRIPTION = {
    "patch": "patch release (Z-stream): bug fixes, security patches, documentation updates",
    "minor": "minor release (Y-stream): new features, non-breaking API additions",
    "major": "major release (X-stream): breaking changes, architectural changes",
}


@dataclass
class Item:
    """One line of the checklist."""

    section: str
    title: str
    automated: bool = False
    detail: list[str] = field(default_factory=list)
    blocker: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "section": self.section,
            "title": self.title,
            "automated": self.automated,
            "detail": list(self.detail),
            "blocker": self.blocker,
        }


@dataclass
class ReleasePlan:
    version: str
    tag: str
    kind: str  # patch | minor | major
    release_candidate: bool
    release_branch: str
    branch_exists: bool
    creates_branch: bool
    previous_tag: str
    commits_since_previous: int | None
    snapshot: dict[str, str]  # ref -> sha the plan was made against
    testing: tuple[str, ...]
    testing_window: str
    milestone: MilestoneReport | None = None
    prepare: dict[str, Any] = field(default_factory=dict)
    publish: dict[str, Any] = field(default_factory=dict)
    post_release: dict[str, Any] = field(default_factory=dict)
    items: list[Item] = field(default_factory=list)

    @property
    def blockers(self) -> list[str]:
        return [f"{item.title}: {item.blocker}" for item in self.items if item.blocker]

    @property
    def kind_label(self) -> str:
        if self.release_candidate:
            return f"release candidate of a {self.kind} release"
        return f"{self.kind} release"

    def as_dict(self) -> dict[str, Any]:
        milestone: dict[str, Any] | None = None
        if self.milestone is not None:
            milestone = {
                "titles": list(self.milestone.tried),
                "found": self.milestone.title,
                "open_issues": [
                    {"number": i.number, "title": i.title, "url": i.url}
                    for i in self.milestone.open_issues
                ],
            }
        return {
            "version": self.version,
            "tag": self.tag,
            "kind": self.kind,
            "release_candidate": self.release_candidate,
            "release_branch": self.release_branch,
            "branch_exists": self.branch_exists,
            "creates_branch": self.creates_branch,
            "previous_tag": self.previous_tag,
            "commits_since_previous": self.commits_since_previous,
            "snapshot": dict(self.snapshot),
            "testing": list(self.testing),
            "testing_window": self.testing_window,
            "milestone": milestone,
            "prepare": self.prepare,
            "publish": self.publish,
            "post_release": self.post_release,
            "checklist": [item.as_dict() for item in self.items],
            "blockers": self.blockers,
        }


def release_kind(version: Version) -> str:
    """``patch`` (Z > 0), ``major`` (X.0.0, X > 0) or ``minor``; an RC has its final's kind."""
    major, minor, micro = version.release[:3]
    if micro:
        return "patch"
    if major and not minor:
        return "major"
    return "minor"


# --------------------------------------------------------------------------- the snapshot


def _objects_dir(repo: Path) -> Path | None:
    """The repository's object store, if another repository may borrow from it."""
    code, common, _ = git.try_run(repo, "rev-parse", "--path-format=absolute", "--git-common-dir")
    if code != 0:
        raise ReleaseActionsError(
            f"{repo} is not a git repository", fix="pass --repo with a clone of the project"
        )
    shallow = git.try_run(repo, "rev-parse", "--is-shallow-repository")[1] == "true"
    partial = git.try_run(repo, "config", "--get", "remote.origin.promisor")[1] == "true"
    return None if shallow or partial else Path(common) / "objects"


@contextlib.contextmanager
def snapshot(repo: Path, branches: tuple[str, ...]) -> Iterator[tuple[Path, dict[str, str]]]:
    """A scratch bare repository with origin's ``branches`` (those that exist) and ``v*`` tags.

    Yields (path, {ref: sha}). Reads origin (``ls-remote``, ``fetch``) and never
    writes to it or to ``repo``; a repository without ``origin`` is its own source.
    """
    token = os.environ.get("RA_TOKEN", "")
    if git.has_remote(repo):
        source = git.run(repo, "remote", "get-url", "origin")
        auth = git.auth_env(repo, token)
    else:
        source, auth = str(repo.resolve()), {}
    objects = _objects_dir(repo)
    wanted = [f"refs/heads/{b}" for b in branches]
    code, out, err = git.try_run(repo, "ls-remote", source, *wanted, extra_env=auth)
    if code != 0:
        raise ReleaseActionsError(
            f"cannot read the branches of {source}: {err}",
            fix="check the remote URL and that the token (RA_TOKEN) may read the repository",
        )
    heads = {ref: sha for sha, ref in (line.split("\t") for line in git.lines(out))}
    tmp = Path(tempfile.mkdtemp(prefix="release-actions-plan-"))
    path = tmp / "snapshot.git"
    try:
        git.run(tmp, "init", "--quiet", "--bare", str(path))
        if objects is not None:
            (path / "objects" / "info" / "alternates").write_text(f"{objects}\n")
        specs = [f"+{ref}:{ref}" for ref in sorted(heads)] + ["+refs/tags/v*:refs/tags/v*"]
        code, _, err = git.try_run(
            path, "fetch", "--quiet", "--no-write-fetch-head", source, *specs, extra_env=auth
        )
        if code != 0:
            raise ReleaseActionsError(
                f"cannot fetch {', '.join(sorted(heads))} and the tags from {source}: {err}",
                fix="check the remote URL and that the token (RA_TOKEN) may read the repository",
            )
        yield path, heads
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# --------------------------------------------------------------------------- the plan


def _diff_summary(diff: str) -> list[str]:
    """``path: +N -M`` per file, and every changed ``fallback_version`` line."""
    files: dict[str, list[int]] = {}
    current = ""
    fallbacks: list[str] = []
    for line in diff.splitlines():
        if line.startswith("+++ "):
            current = line[4:].removeprefix("b/")
            files.setdefault(current, [0, 0])
        elif line.startswith("--- "):
            continue
        elif line.startswith("+") and current:
            files[current][0] += 1
            if line[1:].startswith("fallback_version"):
                fallbacks.append(f"{current}: {line[1:].strip()}")
        elif line.startswith("-") and current:
            files[current][1] += 1
    return [f"{name}: +{a} -{d}" for name, (a, d) in files.items()] + fallbacks


def _try(what: str, run: Callable[[], Any]) -> tuple[Any, str]:
    try:
        return run(), ""
    except ReleaseActionsError as err:
        return None, f"{what} would fail: {err}"


def _prepare(
    snap: Path, version: Version, config: Config, identity: Identity, index_url: str, lock: str
) -> dict[str, Any]:
    request = PrepareRequest(
        version=str(version), dry_run=True, lock_policy=lock, index_url=index_url
    )
    result, error = _try(
        "prepare-release", lambda: prepare_release(snap, request, config, identity=identity)
    )
    if result is None:
        return {"error": error}
    write = result.write
    return {
        "status": write.status,
        "created_branch": write.created_branch,
        "base_sha": write.base_sha,
        "changed_files": list(write.changed_files),
        "pin_changes": list(result.pin_changes),
        "notes": list(result.notes),
        "lock": result.lock,
        "diff_summary": _diff_summary(write.diff),
        "diff": write.diff,
        "error": "",
    }


def _post(
    snap: Path, tag: ReleaseTag, branch: ReleaseBranch, config: Config, identity: Identity
) -> dict[str, Any]:
    """post-release's dry run, once the snapshot has the tag (and the branch) it needs."""
    default = f"refs/heads/{config.default_branch}"
    branch_ref = f"refs/heads/{branch.name}"
    start = (
        git.try_run(snap, "rev-parse", "--verify", "--quiet", branch_ref)[1]
        or (git.try_run(snap, "rev-parse", "--verify", "--quiet", default)[1])
    )
    if not start:
        return {"error": f"post-release cannot be planned: {config.default_branch} not found"}
    git.run(snap, "update-ref", branch_ref, start)  # as prepare-release leaves it (new line)
    git.run(snap, "update-ref", f"refs/tags/{tag.name}", start)  # as publishing leaves it
    request = PostRequest(tag=tag.name, dry_run=True)
    result, error = _try(
        "post-release", lambda: post_release(snap, request, config, identity=identity)
    )
    if result is None:
        return {"error": error}
    return {
        "next_dev_version": result.next_dev,
        "dev_tag": f"{config.tag_prefix}{result.next_dev}-dev" if result.next_dev else "",
        "steps": {
            name: {"status": step.status, "detail": step.detail, "text": step.as_text()}
            for name, step in result.steps.items()
        },
        "error": "",
    }


def make_plan(
    repo: Path,
    version_text: str,
    config: Config,
    *,
    index_url: str = "",
    lock_policy: str = "fail",
    milestones: MilestoneSource | None = None,
) -> ReleasePlan:
    """The plan for ``version_text`` (raises only on a malformed version or an unreadable repo)."""
    version = parse_release_version(version_text)
    kind = release_kind(version)
    branch = ReleaseBranch.for_version(version)
    tag = ReleaseTag(f"{config.tag_prefix}{version}", version)
    identity = Identity(config.bot_name, config.bot_email)
    report = None
    if milestones is not None:
        report = check_milestone(milestones, version, "warn", tag_prefix=config.tag_prefix)
    with snapshot(repo, (config.default_branch, branch.name)) as (snap, heads):
        tags = known_release_tags(snap)
        previous = previous_release_tag(version, tags) or ""
        branch_sha = heads.get(f"refs/heads/{branch.name}", "")
        head = branch_sha or heads.get(f"refs/heads/{config.default_branch}", "")
        commits = None
        if previous and head:
            code, out, _ = git.try_run(snap, "rev-list", "--count", f"{previous}..{head}")
            commits = int(out) if code == 0 else None
        prepared = _prepare(snap, version, config, identity, index_url, lock_policy)
        event = Request("release", tag=tag.name, prerelease=version.is_prerelease)
        publish, publish_error = _try(
            "compute-version",
            lambda: compute(event, repo=snap, config=config, fetch=False),
        )
        post = _post(snap, tag, branch, config, identity)
    plan = ReleasePlan(
        version=str(version),
        tag=tag.name,
        kind=kind,
        release_candidate=version.is_prerelease,
        release_branch=branch.name,
        branch_exists=bool(branch_sha),
        creates_branch=bool(prepared.get("created_branch")),
        previous_tag=previous,
        commits_since_previous=commits,
        snapshot=heads,
        testing=TESTING[kind],
        testing_window=TESTING_WINDOW[kind],
        milestone=report,
        prepare=prepared,
        publish=publish.as_dict() if publish is not None else {"error": publish_error},
        post_release=post,
    )
    same_version = [t for t in tags if t.version.base_version == version.base_version]
    plan.items = _checklist(plan, config, same_version)
    return plan


# --------------------------------------------------------------------------- the checklist


def _checklist(plan: ReleasePlan, config: Config, same_base: list[ReleaseTag]) -> list[Item]:
    items: list[Item] = []
    v, tag, branch = plan.version, plan.tag, plan.release_branch
    default = config.default_branch

    # -- before the release ---------------------------------------------------
    section = "Before the release"
    milestone = Item(
        section,
        f"Milestone {' / '.join(repr(t) for t in _titles(plan, config))}: every issue done, or "
        "moved to a later milestone with a documented rationale (Release Criteria)",
    )
    report = plan.milestone
    if report is None:
        milestone.detail.append(
            "not checked: run with --milestone (GITHUB_TOKEN, GITHUB_REPOSITORY), or let "
            "prepare-release enforce it with milestone-gate: fail"
        )
    else:
        milestone.detail.append(report.headline())
        milestone.detail += [i.markdown() for i in report.open_issues]
        if not report.passed:
            milestone.blocker = report.headline()
    items.append(milestone)
    testing = Item(section, f"Testing for a {plan.kind} release", detail=list(plan.testing))
    if plan.kind == "patch":
        testing.detail.append(
            f"Backports reach {branch} through Mergify: the release ships what is on it"
        )
    items.append(testing)
    if plan.kind != "patch" and not plan.release_candidate:
        earlier = sorted(t.name for t in same_base if t.is_prerelease)
        rc = Item(section, "Release candidates before the final release")
        if earlier:
            rc.detail.append(f"published: {', '.join(earlier)}")
        else:
            rc.detail.append(
                f"none yet: publish {v}rc1 first (release-actions plan {v}rc1); RCs go to "
                f"{'TestPyPI' if config.rc_target == 'testpypi' else 'PyPI'}"
            )
        if plan.testing_window:
            rc.detail.append(f"community testing window: {plan.testing_window}")
        items.append(rc)
    if plan.release_candidate:
        items.append(
            Item(
                section,
                "Release candidate for community testing",
                detail=[
                    f"Python packages go to {plan.publish.get('target', '?')}, npm is "
                    + ("published" if plan.publish.get("publish_npm") else "not published"),
                    "more RCs may follow until the release is stable",
                    *(
                        [f"community testing window: {plan.testing_window}"]
                        if plan.testing_window
                        else []
                    ),
                ],
            )
        )
    items.append(Item(section, f"Create a thread for {tag} in the #releases Discord channel"))

    # -- technical release steps -------------------------------------------------
    section = "Technical release steps"
    prep = plan.prepare
    if not plan.branch_exists:
        cut = Item(section, f"Create {branch} off {default}", automated=True)
        if plan.creates_branch:
            cut.detail.append(
                f"prepare-release creates it at {default} ({prep.get('base_sha', '')[:12]})"
            )
        elif Version(v).micro == 0:
            cut.detail.append(f"prepare-release creates it from {default}")
        else:
            cut.blocker = f"{branch} does not exist: a patch release is made from its branch"
        items.append(cut)
        scm = Item(
            section,
            f"Ensure {branch} has the setuptools-scm config in every pyproject.toml "
            '(dynamic = ["version"], [tool.setuptools_scm])',
            automated=True,
        )
        scm.detail += _scm_notes(prep) or [
            "already complete (prepare-release adds what is missing)"
        ]
        items.append(scm)
    else:
        exists = Item(
            section,
            f"{branch} exists at {plan.snapshot.get(f'refs/heads/{branch}', '')[:12]}",
            automated=True,
        )
        if plan.previous_tag and plan.commits_since_previous is not None:
            exists.detail.append(f"{plan.commits_since_previous} commits since {plan.previous_tag}")
            if plan.commits_since_previous == 0:
                exists.detail.append(
                    f"nothing new on {branch} since {plan.previous_tag}: backport the fixes first"
                )
        items.append(exists)
    run = Item(
        section,
        f"Run the Prepare release workflow: version {v}, release_branch {branch}",
        automated=True,
    )
    if prep.get("error"):
        run.blocker = prep["error"]
    else:
        commit = f'"chore: prepare release {tag}"'
        if prep.get("status") == "unchanged":
            run.detail.append(f"nothing to change: {branch} is already prepared for {tag}")
        else:
            run.detail.append(f"dry run: one commit {commit} on {branch}")
        run.detail += prep.get("diff_summary", [])
        run.detail += [f"pin {c}" for c in prep.get("pin_changes", [])]
        run.detail += [
            n for n in prep.get("notes", []) if n not in _scm_notes(prep) and _FALLBACK not in n
        ]
        if prep.get("lock"):
            run.detail.append(f"uv.lock: {prep['lock']}")
    items.append(run)
    release = Item(
        section,
        f"Create the GitHub Release {tag} on {branch}"
        + (" as a pre-release" if plan.release_candidate else "")
        + ", then publish it",
        automated=True,
        detail=[
            "prepare-release with draft-release: true creates the draft with generated notes"
            + (f" (since {plan.previous_tag})" if plan.previous_tag else "")
        ],
    )
    items.append(release)
    pub = plan.publish
    publish = Item(section, "Publish (release: published -> compute-version)", automated=True)
    if pub.get("error"):
        publish.blocker = pub["error"]
    else:
        publish.detail.append(
            f"version {pub['version']} to {pub['target']}"
            + (
                f"; npm {pub['npm_version']} with dist-tag {pub['npm_dist_tag']}"
                if pub["publish_npm"]
                else "; npm: not published"
            )
        )
    items.append(publish)
    post = plan.post_release
    after = Item(section, "Post-release (automated, after publishing)", automated=True)
    if post.get("error"):
        after.blocker = post["error"]
    else:
        for name, step in post.get("steps", {}).items():
            after.detail.append(f"{name}: {step['status']}: {step['detail']}")
            if step["status"] == "failed":
                after.blocker = f"{name}: {step['detail']}"
        if not pub.get("error") and not pub.get("publish_npm"):
            after.detail.append(
                "branch: skipped in the real run while npm does not have the version"
            )
    items.append(after)

    # -- release checklist ---------------------------------------------------
    section = "Release checklist"
    cmd = f"release-actions release-notes --tag {tag}"
    if plan.previous_tag:
        cmd += f" --previous-tag {plan.previous_tag}"
    cmd += f" --target {branch}"
    items.append(Item(section, "Generate release notes", detail=[f"`{cmd}`"]))
    artifacts = (
        ["Python packages on TestPyPI (llama-stack, llama-stack-client)"]
        if pub.get("target") == "testpypi"
        else [
            "PyPI: llama-stack and llama-stack-client",
            "npm: llama-stack-client",
            "Docker Hub: distribution images",
            f"GitHub Release {tag} with release notes",
            "Documentation: https://llamastack.github.io",
        ]
    )
    items.append(Item(section, "Check the release artifacts", detail=artifacts))
    items.append(Item(section, "Announce in the #announcements Discord channel"))
    return items


def _titles(plan: ReleasePlan, config: Config) -> tuple[str, ...]:
    if plan.milestone is not None:
        return plan.milestone.tried
    base = Version(plan.version).base_version
    return (f"{config.tag_prefix}{base}", base)


_FALLBACK = "[tool.setuptools_scm] fallback_version"
_SCM_MARKERS = ("[project] dynamic", "static [project] version", "added [tool.setuptools_scm]")


def _scm_notes(prep: dict[str, Any]) -> list[str]:
    """What prepare-release added to make a new branch's pyproject files setuptools-scm ready."""
    return [n for n in prep.get("notes", []) if any(m in n for m in _SCM_MARKERS)]


# --------------------------------------------------------------------------- Markdown


def to_markdown(plan: ReleasePlan) -> str:
    out = [f"# Release plan: {plan.tag} ({plan.kind_label})", ""]
    out.append(f"{plan.version} is a {DESCRIPTION[plan.kind]}.")
    state = "exists" if plan.branch_exists else "does not exist yet"
    if plan.creates_branch:
        state = "prepare-release creates it"
    out += ["", f"- release branch: `{plan.release_branch}` ({state})"]
    out.append(
        f"- previous release: `{plan.previous_tag}`"
        if plan.previous_tag
        else "- previous release: none"
    )
    snap = ", ".join(
        f"`{ref.removeprefix('refs/heads/')}` {sha[:12]}"
        for ref, sha in sorted(plan.snapshot.items())
    )
    out.append(f"- planned against origin: {snap or 'no branches'}")
    if plan.blockers:
        out += ["", "**Blockers:**", *(f"- :x: {b}" for b in plan.blockers)]
    section = ""
    for item in plan.items:
        if item.section != section:
            section = item.section
            out += ["", f"## {section}", ""]
        mark = " *(automated)*" if item.automated else ""
        out.append(f"- [ ] {item.title}{mark}")
        out += [f"  - {line}" for line in item.detail]
        if item.blocker:
            out.append(f"  - :x: **{item.blocker}**")
    diff = plan.prepare.get("diff", "")
    if diff:
        out += [
            "",
            "<details><summary>prepare-release diff (dry run)</summary>",
            "",
            "```diff",
            diff,
            "```",
            "",
            "</details>",
        ]
    return "\n".join(out) + "\n"
