"""prepare-release: make a release branch ready for tagging vX.Y.Z.

A hotfix X.Y.Z.N is prepared on the existing ``release-X.Y.x`` only, after the
release X.Y.Z; its sibling pins stay at X.Y.Z, since a hotfix is a PyPI-only
release of this project and its siblings are not released with it.

In one commit on ``release-X.Y.x`` ("chore: prepare release vX.Y.Z"):
``fallback_version`` in every managed pyproject.toml, the sibling pins in every
dependency table, and a re-locked ``uv.lock``. A minor release whose branch does
not exist yet gets the branch, cut from main (or a given commit), with the
setuptools-scm configuration made complete. Delivery, re-runs and races are
:func:`release_actions.adapters.delivery.write_change`'s job.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion

from release_actions.adapters.delivery import (
    PR_BRANCH_PREFIX,
    Identity,
    PullRequests,
    WriteResult,
    write_edit,
)
from release_actions.adapters.manifests import read_pyproject
from release_actions.adapters.repo_files import read_repo_bytes, read_repo_text, write_repo_text
from release_actions.adapters.tags import known_release_tags, repo_conventions
from release_actions.adapters.uvlock import LOCK_POLICIES, UnpublishedError, relock
from release_actions.core.config import Config
from release_actions.core.conventions import DEFAULT, Conventions
from release_actions.core.errors import InvalidValueError, ReleaseActionsError
from release_actions.core.versions import (
    ReleaseBranch,
    Version,
    is_hotfix,
    parse_release_branch,
    parse_release_version,
)
from release_actions.edits.pins import pin_clause, set_pins
from release_actions.edits.pyproject import (
    SCM_TABLE,
    ensure_scm_config,
    read_fallback_version,
    set_fallback_version,
)
from release_actions.steps.default_branch import with_default_branch
from release_actions.steps.maintained import maintenance_note
from release_actions.steps.managed_files import find_managed_pyprojects


@dataclass(frozen=True)
class PrepareRequest:
    version: str
    release_branch: str = ""
    from_ref: str = ""
    pins: tuple[str, ...] = ()
    pin_style: str = ""
    mode: str = ""
    push: bool = True
    dry_run: bool = False
    lock_policy: str = "fail"
    lock_wait_attempts: int = 10
    lock_wait_seconds: float = 30.0
    index_url: str = ""


@dataclass
class PrepareResult:
    version: str
    tag: str
    release_branch: str
    write: WriteResult
    lock: str = ""
    notes: list[str] = field(default_factory=list)
    pin_changes: list[str] = field(default_factory=list)
    conventions: Conventions = DEFAULT  # how the branch and tag were named

    def as_dict(self) -> dict[str, object]:
        return {
            "version": self.version,
            "tag": self.tag,
            "release_branch": self.release_branch,
            "status": self.write.status,
            "changed": self.write.changed,
            "commit_sha": self.write.commit_sha,
            "pull_request_url": self.write.pull_request_url,
            "changed_files": " ".join(self.write.changed_files),
            "created_branch": self.write.created_branch,
            "lock": self.lock,
        }


def validate(
    request: PrepareRequest, repo: Path, config: Config, conventions: Conventions | None = None
) -> tuple[Version, ReleaseBranch]:
    """All checks that need no write: version, branch, existing tags. Raises on bad input.
    Branch and tag names follow ``conventions`` (default: the repository's)."""
    conv = repo_conventions(repo, config) if conventions is None else conventions
    version = parse_release_version(request.version)
    branch = ReleaseBranch.for_version(version, conv)
    if request.release_branch:
        branch = parse_release_branch(request.release_branch, conv)
        expected = conv.branch_name(version.major, version.minor)
        if branch.name != expected:
            raise InvalidValueError(
                "release-branch",
                request.release_branch,
                f"{expected} for version {version}",
                fix=f"prepare {version} on {expected}",
            )
    if request.lock_policy not in LOCK_POLICIES:
        raise InvalidValueError("lock-policy", request.lock_policy, " | ".join(LOCK_POLICIES))
    tag_name = conv.release_tag_name(version)
    tags = known_release_tags(repo, conv)
    if any(t.name == tag_name for t in tags):
        raise ReleaseActionsError(
            f"tag {tag_name} already exists: {version} has been released",
            fix="prepare the next version instead",
            title="Version already released",
        )
    if is_hotfix(version):
        final = Version(".".join(map(str, version.release[:3])))
        if not any(t.version == final for t in tags):
            raise ReleaseActionsError(
                f"hotfix {version} fixes {final}, which has no release tag"
                f" {config.tag_prefix}{final}",
                fix=f"release {final} first, or prepare {final} instead of a hotfix",
                title="Hotfix of an unreleased version",
            )
    line = [t.version for t in tags if t.line == branch.line]
    if line and version <= max(line):
        raise ReleaseActionsError(
            f"version {version} is not above {max(line)}, the latest release of line "
            f"{branch.major}.{branch.minor}",
            fix=f"prepare a version above {max(line)}",
            title="Version not above the line's latest release",
        )
    return version, branch


class PrepareEdit(NamedTuple):
    """What prepare-release's edit did besides changing files (its last run's)."""

    notes: tuple[str, ...] = ()
    pin_changes: tuple[str, ...] = ()
    lock: str = ""  # uv.lock: relocked | unchanged | skipped; "" when not re-locked


def make_edit(
    request: PrepareRequest, config: Config, version: Version
) -> Callable[[Path, bool], tuple[list[str], PrepareEdit]]:
    """The edit applied on the release branch's tip (again after a lost race)."""
    pins = request.pins or config.pins
    style = request.pin_style or config.pin_style
    pin_version = pin_version_for(version)
    # Pins asked for (--pin, or configured): each must match a requirement.
    strict_pins = bool(pins)

    def edit(wt: Path, new_branch: bool) -> tuple[list[str], PrepareEdit]:
        notes: list[str] = []
        pin_changes: list[str] = []
        matched: set[str] = set()
        planned: list[tuple[Path, str, str]] = []
        paths = find_managed_pyprojects(wt, config.pyprojects)
        if not paths:
            raise ReleaseActionsError(
                "no managed pyproject.toml on the release branch: no tracked pyproject.toml"
                " has a [tool.setuptools_scm] table, so there is nothing to prepare.",
                fix='add [tool.setuptools_scm] with fallback_version (and dynamic = ["version"])'
                " to the project's pyproject.toml, or list the files in [tool.release-actions]"
                " pyprojects",
                title="No managed pyproject.toml",
            )
        for path in paths:  # every file is read and edited in memory before any write
            rel = path.relative_to(wt).as_posix()
            text = original = read_repo_text(wt, path, rel)
            if new_branch:
                text, added = ensure_scm_config(
                    text, fallback_version=str(version), path_for_errors=rel
                )
                notes.extend(f"{rel}: {what}" for what in added)
            if read_fallback_version(text, path_for_errors=rel) is None:  # a patch, too
                notes.append(f"{rel}: added {SCM_TABLE} fallback_version = {str(version)!r}")
            text = set_fallback_version(text, str(version), path_for_errors=rel)
            text, changes = set_pins(text, pins, pin_version, style, path_for_errors=rel)
            pin_changes.extend(f"{rel}: {c.old} -> {c.new}" for c in changes)
            matched.update(_requirement_name(c.old) for c in changes)
            planned.append((path, rel, text if text != original else ""))
        missing = [p for p in pins if canonicalize_name(p) not in matched]
        if missing and strict_pins:
            raise ReleaseActionsError(
                f"the pin {', '.join(missing)} matches no requirement in the managed"
                f" pyproject.toml files ({', '.join(rel for _, rel, _ in planned)}); nothing"
                " would be pinned.",
                fix="check the package name (--pin / [tool.release-actions] pins), or add the"
                " requirement to the project first",
                title="Pin matches nothing",
            )
        uv_lock = wt / "uv.lock"
        if uv_lock.is_symlink():  # uv writes it: it must not lead out of the repository
            read_repo_bytes(wt, uv_lock, "uv.lock")
        changed: list[str] = []
        for path, rel, text in planned:
            if text:
                write_repo_text(wt, path, text, rel)
                changed.append(rel)
        lock = ""
        if pin_version != version and pins:
            notes.append(f"hotfix {version}: sibling pins stay at {pin_version}")
        lock_stale = changed or _lock_disagrees(wt, pins, pin_version, style)
        if (wt / "uv.lock").is_file() and lock_stale:
            locked, lock, lock_notes = _relock(wt, request, pins, pin_version)
            changed += locked
            notes += lock_notes
        return changed, PrepareEdit(tuple(notes), tuple(pin_changes), lock)

    return edit


def pin_version_for(version: Version) -> Version:
    """The version sibling pins take: ``version``, or X.Y.Z for a hotfix X.Y.Z.N.

    >>> str(pin_version_for(Version("0.2.10.1"))), str(pin_version_for(Version("0.2.11")))
    ('0.2.10', '0.2.11')
    """
    return Version(".".join(map(str, version.release[:3]))) if is_hotfix(version) else version


def _requirement_name(requirement: str) -> str:
    try:
        return canonicalize_name(Requirement(requirement).name)
    except InvalidRequirement:
        return ""


def _lock_disagrees(wt: Path, pins: Sequence[str], version: Version, style: str) -> bool:
    """Whether ``uv.lock`` locks a pinned package outside its pin (or not at all); a re-run
    after ``lock-policy skip`` must re-lock even though no pyproject changes."""
    if not pins:
        return False
    data = read_pyproject(wt / "uv.lock", wt, "uv.lock")
    packages = data.get("package", [])
    if not isinstance(packages, list):
        return True
    op, ver = pin_clause(version, style)
    spec = SpecifierSet(f"{op}{ver}")
    for pin in pins:
        locked = [
            str(p.get("version", ""))
            for p in packages
            if isinstance(p, dict)
            and canonicalize_name(str(p.get("name", ""))) == canonicalize_name(pin)
        ]
        if not any(_contains(spec, v) for v in locked):
            return True
    return False


def _contains(spec: SpecifierSet, version: str) -> bool:
    try:
        return spec.contains(version, prereleases=True)
    except InvalidVersion:
        return False


def _relock(
    wt: Path, request: PrepareRequest, pins: Sequence[str], version: Version
) -> tuple[list[str], str, list[str]]:
    """(changed files, lock status, notes) of re-locking ``uv.lock`` per the lock policy."""
    attempts = request.lock_wait_attempts if request.lock_policy == "wait" else 1
    for attempt in range(1, attempts + 1):
        try:
            result = relock(wt, pins, index_url=request.index_url)
        except UnpublishedError as err:
            if request.lock_policy == "fail":
                raise
            if request.lock_policy == "skip":
                note = (
                    f"uv.lock NOT updated: {', '.join(pins)} {version} is not resolvable yet "
                    "(lock-policy skip); re-lock once it is published"
                )
                return [], "skipped", [note]
            if attempt == attempts:
                raise ReleaseActionsError(
                    f"{', '.join(pins)} {version} still not resolvable after {attempts} tries",
                    fix="publish the pinned packages first, or use lock-policy skip",
                    title="Pinned version not published",
                ) from err
            time.sleep(request.lock_wait_seconds)
            continue
        return (["uv.lock"] if result.status == "relocked" else []), result.status, []
    return [], "", []


def prepare_release(
    repo: Path,
    request: PrepareRequest,
    config: Config,
    *,
    identity: Identity,
    pulls: PullRequests | None = None,
    before_write: Callable[[Version], None] | None = None,
) -> PrepareResult:
    """Validate, then (``before_write``: a gate that may raise) write; see the module doc."""
    config = with_default_branch(repo, config)
    conventions = repo_conventions(repo, config)
    version, branch = validate(request, repo, config, conventions)
    if before_write is not None:
        before_write(version)  # e.g. the milestone gate: after validation, before any write
    tag = conventions.release_tag_name(version)
    is_minor_start = version.micro == 0 and not is_hotfix(version)
    start_point = (request.from_ref or config.default_branch) if is_minor_start else ""
    try:
        write, edited = write_edit(
            repo,
            branch=branch.name,
            edit=make_edit(request, config, version),
            message=f"chore: prepare release {tag}",
            identity=identity,
            mode=request.mode or config.write_mode,
            push=request.push,
            dry_run=request.dry_run,
            start_point=start_point,
            pr_branch=f"{PR_BRANCH_PREFIX}prepare-{tag}",
            pr_title=f"chore: prepare release {tag}",
            pr_body=_pr_body(tag, branch.name),
            pulls=pulls,
        )
    except ReleaseActionsError as err:
        if "does not exist" in err.message and not is_minor_start:
            raise ReleaseActionsError(
                f"release branch {branch.name} does not exist; patch releases are made from it",
                fix=f"prepare {version.major}.{version.minor}.0 first, or create {branch.name}",
                title="Release branch missing",
            ) from err
        raise
    result = PrepareResult(str(version), tag, branch.name, write, edited.lock)
    result.notes = [*edited.notes, *write.notes]
    result.conventions = conventions
    try:  # advisory only: never fails the release
        maintenance = maintenance_note(repo, version, conventions=conventions)
    except ReleaseActionsError:
        maintenance = None
    if maintenance:
        result.notes.append(maintenance)
    result.pin_changes = list(edited.pin_changes)
    return result


def _pr_body(tag: str, branch: str) -> str:
    return (
        f"Prepares `{branch}` for `{tag}`: `fallback_version`, sibling pins and `uv.lock`.\n\n"
        "Opened by llama-stack/release-actions prepare-release. Re-running the workflow "
        "updates this pull request instead of opening another."
    )
