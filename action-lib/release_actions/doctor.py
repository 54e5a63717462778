"""release doctor: read-only checks that a repository is in a releasable state.

Each check reports ``ok``, ``warn`` or ``fail`` with a detail and a one-line
fix; any ``fail`` makes the doctor fail (exit 1). Nothing is written.

=====================  =================================================================
check                  what it verifies
=====================  =================================================================
scm-config             every managed pyproject.toml has ``dynamic = ["version"]`` and a
                       ``[tool.setuptools_scm]`` table
scm-build-requires     ... and ``setuptools-scm`` in ``[build-system] requires`` (without
                       it the pretend version is ignored: Llama Stack #4782 built 0.0.0)
fallback-version       the ``fallback_version`` values agree, and fit the branch: a
                       ``.dev0`` above the newest release on the default branch; the
                       prepared X.Y.Z (or an RC of it) on ``release-X.Y.x``
python-pins            every requirement on a configured sibling package is satisfied by
                       the version ``uv.lock`` locks, and the lock was resolved for the
                       requirements as written (not stale, Llama Stack #6460)
npm-lock               every ``package.json`` range on the npm client is satisfied by the
                       version ``package-lock.json`` locks, and the lock records that range
tags                   every ``v<digit>...`` tag parses as a release or dev tag
release-branches       every released line X.Y has ``release-X.Y.x`` (local or origin);
                       a missing branch fails for a maintained line, warns for older ones
dev-tag                main's dev tag is above the newest final release (else post-release
                       did not run for it)
workflows              ``.github/workflows`` calls prepare-release, post-release and
                       compute-version (ours, a local copy, or a workflow of that name)
=====================  =================================================================
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion

from . import git
from .config import Config, read_pyproject
from .errors import InvalidValueError, ReleaseActionsError
from .maintained import DEFAULT_COUNT, known_release_branches, line_is_maintained
from .npm_edit import DEPENDENCY_SECTIONS, find_package_jsons, lockfile_dependency_version
from .npm_range import satisfies
from .pyproject_edit import find_managed_pyprojects, read_fallback_version
from .repo_files import root_first, tracked_files
from .tags import known_tag_names
from .versions import (
    DevTag,
    ReleaseBranch,
    ReleaseTag,
    Version,
    is_release,
    next_dev_base,
    parse_release_branch,
    parse_tag,
)

__all__ = [
    "CHECKS",
    "FAIL",
    "OK",
    "WARN",
    "Check",
    "DoctorReport",
    "current_branch",
    "doctor",
    "doctor_pyprojects",
]

OK, WARN, FAIL = "ok", "warn", "fail"
_RANK = {OK: 0, WARN: 1, FAIL: 2}
_ICON = {OK: ":white_check_mark:", WARN: ":warning:", FAIL: ":x:"}

CHECKS = (
    "scm-config",
    "scm-build-requires",
    "fallback-version",
    "python-pins",
    "npm-lock",
    "tags",
    "release-branches",
    "dev-tag",
    "workflows",
)

SCM_BUILD_PACKAGES = frozenset({"setuptools-scm", "hatch-vcs"})
OWN_REPOSITORY = "llama-stack/release-actions/"
REQUIRED_WORKFLOWS: dict[str, tuple[str, tuple[str, ...]]] = {
    # kind -> (what our action/workflow is called, workflow file names of local copies)
    "prepare-release": ("prepare-release", ("prepare-release.yml", "prepare-release.yaml")),
    "post-release": ("post-release", ("post-release.yml", "post-release.yaml")),
    "publish": (
        "compute-version",
        ("compute-version.yml", "compute-version.yaml", "pypi.yml", "publish.yml"),
    ),
}
_USES_RE = re.compile(r"""^\s*(?:-\s+)?uses:\s*(['"]?)(?P<uses>[^'"\s#]+)\1""", re.M)


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class Check:
    """One check's outcome: ``status`` is ok | warn | fail; ``fix`` is empty when ok."""

    name: str
    status: str
    detail: str
    fix: str = ""

    def as_dict(self) -> dict[str, str]:
        return {"name": self.name, "status": self.status, "detail": self.detail, "fix": self.fix}


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|") or " "


@dataclass(frozen=True)
class DoctorReport:
    branch: str
    checks: tuple[Check, ...]

    @property
    def status(self) -> str:
        """The worst status of all checks."""
        return max((c.status for c in self.checks), key=_RANK.__getitem__, default=OK)

    @property
    def failed(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.checks if c.status == FAIL)

    @property
    def warned(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.checks if c.status == WARN)

    def check(self, name: str) -> Check:
        for item in self.checks:
            if item.name == name:
                return item
        raise KeyError(name)

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "branch": self.branch,
            "failed": list(self.failed),
            "warned": list(self.warned),
            "checks": [c.as_dict() for c in self.checks],
        }

    def headline(self) -> str:
        parts = []
        if self.failed:
            parts.append(f"{len(self.failed)} failed")
        if self.warned:
            parts.append(f"{len(self.warned)} warning{'s' if len(self.warned) > 1 else ''}")
        where = f" on {self.branch}" if self.branch else ""
        return f"Release doctor{where}: " + (", ".join(parts) or f"all {len(self.checks)} ok")

    def markdown(self) -> str:
        lines = [
            f"### {_ICON[self.status]} {self.headline()}",
            "",
            "| check | status | detail | fix |",
            "| --- | --- | --- | --- |",
        ]
        for c in self.checks:
            fix = _cell(c.fix) if c.fix else " "
            lines.append(
                f"| `{c.name}` | {_ICON[c.status]} {c.status} | {_cell(c.detail)} | {fix} |"
            )
        return "\n".join(lines) + "\n"

    def text(self) -> str:
        lines = [self.headline()]
        for c in self.checks:
            lines.append(f"[{c.status:<4}] {c.name}: {c.detail}")
            if c.fix:
                lines.append(f"       fix: {c.fix}")
        return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- what checks read


def current_branch(repo: Path, env: Mapping[str, str] | None = None) -> str:
    """HEAD's branch; in a detached checkout the pushed branch (``GITHUB_REF``), else ''."""
    code, out, _ = git.try_run(repo, "symbolic-ref", "--quiet", "--short", "HEAD")
    if code == 0 and out:
        return out
    ref = (os.environ if env is None else env).get("GITHUB_REF", "")
    return ref.removeprefix("refs/heads/") if ref.startswith("refs/heads/") else ""


def _scm_versioned(data: Mapping[str, Any]) -> bool:
    tool = data.get("tool")
    project = data.get("project")
    dynamic = project.get("dynamic") if isinstance(project, dict) else None
    return (
        (isinstance(tool, dict) and "setuptools_scm" in tool)
        or (isinstance(dynamic, list) and "version" in dynamic)
        or bool(_scm_build_requirements(data))
    )


def _scm_build_requirements(data: Mapping[str, Any]) -> list[str]:
    build = data.get("build-system")
    requires = build.get("requires") if isinstance(build, dict) else None
    found = []
    for item in requires if isinstance(requires, list) else []:
        try:
            name = canonicalize_name(Requirement(str(item)).name)
        except InvalidRequirement:
            continue
        if name in SCM_BUILD_PACKAGES:
            found.append(str(item))
    return found


def doctor_pyprojects(repo: Path, config: Config) -> list[Path]:
    """The pyproject files the doctor inspects.

    The configured list when there is one; otherwise every tracked
    ``pyproject.toml`` that looks versioned by setuptools-scm: a
    ``[tool.setuptools_scm]`` table, ``"version"`` in ``[project] dynamic`` or
    setuptools-scm in its build requirements. So a file that lost one of those
    is still inspected (and reported), unlike :func:`find_managed_pyprojects`.
    """
    if config.pyprojects:
        return find_managed_pyprojects(repo, config.pyprojects)
    found = []
    for rel in root_first(
        tracked_files(repo, "*pyproject.toml", "pyproject.toml"), "pyproject.toml"
    ):
        if _scm_versioned(read_pyproject(repo / rel)):
            found.append(repo / rel)
    return found


@dataclass(frozen=True)
class Pyproject:
    rel: str
    text: str
    data: dict[str, Any]


def _nearest(repo: Path, start: Path, name: str) -> Path | None:
    """``name`` in ``start`` or its parents, not above ``repo``."""
    root = repo.resolve()
    here = start.resolve()
    while True:
        if (here / name).is_file():
            return here / name
        if here == root or root not in here.parents:
            return None
        here = here.parent


@dataclass
class _Context:
    repo: Path
    config: Config
    branch: str
    count: int

    def rel(self, path: Path) -> str:
        return path.resolve().relative_to(self.repo.resolve()).as_posix()

    @cached_property
    def pyprojects(self) -> list[Pyproject]:
        result = []
        for path in doctor_pyprojects(self.repo, self.config):
            text = path.read_text(encoding="utf-8")
            result.append(Pyproject(self.rel(path), text, read_pyproject(path)))
        return result

    @cached_property
    def tag_names(self) -> set[str]:
        return known_tag_names(self.repo)

    @cached_property
    def parsed_tags(self) -> tuple[list[ReleaseTag], list[DevTag], list[str]]:
        releases: list[ReleaseTag] = []
        devs: list[DevTag] = []
        bad: list[str] = []
        prefix = self.config.tag_prefix
        for name in sorted(self.tag_names):
            if not (name.startswith(prefix) and name[len(prefix) : len(prefix) + 1].isdigit()):
                continue
            try:
                tag = parse_tag(name)
            except InvalidValueError:
                bad.append(name)
                continue
            if isinstance(tag, DevTag):
                devs.append(tag)
            else:
                releases.append(tag)
        releases.sort(key=lambda t: t.version)
        devs.sort(key=lambda t: t.version)
        return releases, devs, bad

    @property
    def releases(self) -> list[ReleaseTag]:
        return self.parsed_tags[0]

    @property
    def finals(self) -> list[ReleaseTag]:
        return [t for t in self.releases if not t.is_prerelease]

    @cached_property
    def branches(self) -> set[str]:
        return known_release_branches(self.repo)


# --------------------------------------------------------------------------- checks


def _files(names: Sequence[str]) -> str:
    return ", ".join(names)


def check_scm_config(ctx: _Context) -> Check:
    name = "scm-config"
    files = ctx.pyprojects
    if not files:
        return Check(
            name,
            FAIL,
            "no pyproject.toml versioned by setuptools-scm was found",
            'add dynamic = ["version"] and [tool.setuptools_scm] to each package\'s'
            " pyproject.toml, or list them in [tool.release-actions] pyprojects",
        )
    problems = []
    for f in files:
        project = f.data.get("project")
        if not isinstance(project, dict):
            problems.append(f"{f.rel}: no [project] table")
        else:
            dynamic = project.get("dynamic")
            if not (isinstance(dynamic, list) and "version" in dynamic):
                problems.append(f'{f.rel}: [project] dynamic does not list "version"')
            if "version" in project:
                problems.append(f"{f.rel}: static [project] version = {project['version']!r}")
        tool = f.data.get("tool")
        if not (isinstance(tool, dict) and isinstance(tool.get("setuptools_scm"), dict)):
            problems.append(f"{f.rel}: no [tool.setuptools_scm] table")
    if problems:
        return Check(
            name,
            FAIL,
            "; ".join(problems),
            'in each listed file: [project] dynamic = ["version"] (no static version) and a'
            ' [tool.setuptools_scm] table with fallback_version = "X.Y.Z.dev0"',
        )
    return Check(name, OK, f"versioned by setuptools-scm: {_files([f.rel for f in files])}")


def check_build_requires(ctx: _Context) -> Check:
    name = "scm-build-requires"
    files = ctx.pyprojects
    if not files:
        return Check(name, WARN, "no managed pyproject.toml (see scm-config)", "see scm-config")
    missing = [f.rel for f in files if not _scm_build_requirements(f.data)]
    if missing:
        return Check(
            name,
            FAIL,
            f"setuptools-scm is not in [build-system] requires of {_files(missing)}: builds"
            " ignore the pretend version and publish 0.0.0 (Llama Stack #4782)",
            'add "setuptools-scm>=8" to [build-system] requires in ' + _files(missing),
        )
    found = sorted({r for f in files for r in _scm_build_requirements(f.data)})
    return Check(name, OK, f"[build-system] requires {_files(found)} in every managed file")


def check_fallback_version(ctx: _Context) -> Check:
    name = "fallback-version"
    files = ctx.pyprojects
    if not files:
        return Check(name, WARN, "no managed pyproject.toml (see scm-config)", "see scm-config")
    values: dict[str, str] = {}
    missing = []
    for f in files:
        value = read_fallback_version(f.text, path_for_errors=f.rel)
        if value is None:
            missing.append(f.rel)
        else:
            values[f.rel] = value
    if missing:
        example = next(iter(values.values()), "X.Y.Z.dev0")
        return Check(
            name,
            FAIL,
            f"no fallback_version in [tool.setuptools_scm] of {_files(missing)}",
            f'add fallback_version = "{example}" to [tool.setuptools_scm] in {_files(missing)}',
        )
    parsed: dict[str, Version] = {}
    for rel, value in values.items():
        try:
            parsed[rel] = Version(value)
        except InvalidVersion:
            return Check(
                name,
                FAIL,
                f"{rel}: fallback_version {value!r} is not a PEP 440 version",
                'write it as a version, e.g. fallback_version = "0.1.0.dev0"',
            )
    if len(set(values.values())) > 1:
        listed = ", ".join(f"{rel} {value}" for rel, value in values.items())
        top = max(parsed.values())
        return Check(
            name,
            FAIL,
            f"the fallback_version values disagree: {listed}",
            f'set the same fallback_version (e.g. "{top}") in every managed pyproject.toml',
        )
    return _fallback_for_branch(ctx, next(iter(parsed.values())), ", ".join(values))


def _fallback_for_branch(ctx: _Context, value: Version, where: str) -> Check:
    name = "fallback-version"
    branch = ctx.branch
    release_branch: ReleaseBranch | None = None
    if branch.startswith("release-"):
        try:
            release_branch = parse_release_branch(branch)
        except InvalidValueError:
            release_branch = None
    if branch and branch == ctx.config.default_branch:
        finals = ctx.finals
        if value.dev != 0 or value.post is not None or value.local is not None:
            newest = finals[-1].version if finals else None
            suggestion = next_dev_base(newest, ctx.config.next_dev) if newest else "X.Y.Z"
            return Check(
                name,
                FAIL,
                f"fallback_version {value} on {branch} is not a .dev0 version",
                f'set fallback_version = "{suggestion}.dev0" in {where}'
                " (post-release writes it after each release)",
            )
        if finals and value <= finals[-1].version:
            newest_tag = finals[-1]
            nxt = next_dev_base(newest_tag.version, ctx.config.next_dev)
            return Check(
                name,
                FAIL,
                f"fallback_version {value} on {branch} is not above the newest release"
                f" {newest_tag.name}: builds without tags are numbered below it",
                f"run post-release for {newest_tag.name} (or set fallback_version ="
                f' "{nxt}.dev0" in {where})',
            )
        return Check(name, OK, f"{value} in {where} (a .dev0 on {branch})")
    if release_branch is not None:
        line = release_branch.line
        label = f"{line[0]}.{line[1]}"
        in_line = [t for t in ctx.releases if t.line == line]
        if not in_line and not is_release(value):
            return Check(
                name,
                OK,
                f"{value} in {where}: {branch} has no release yet (not prepared)",
            )
        if not is_release(value) or (value.major, value.minor) != line:
            expected = f"{label}.0" if not in_line else str(in_line[-1].version)
            return Check(
                name,
                FAIL,
                f"fallback_version {value} on {branch} is not a {label}.Z release version",
                f"run prepare-release for the next {label} version on {branch}"
                f' (or set fallback_version = "{expected}" in {where})',
            )
        if in_line and value < in_line[-1].version:
            latest = in_line[-1]
            return Check(
                name,
                FAIL,
                f"fallback_version {value} on {branch} is below the line's latest release"
                f" {latest.name}",
                f"run prepare-release for the next {label} patch (or set fallback_version ="
                f' "{latest.version}" in {where})',
            )
        return Check(name, OK, f"{value} in {where} (prepared release of {branch})")
    shown = branch or "a detached HEAD"
    return Check(
        name,
        OK,
        f"{value} in {where}; {shown} is neither {ctx.config.default_branch} nor a release"
        " branch, so only agreement was checked (pass --branch to check more)",
    )


def _requirements(
    data: Mapping[str, Any], wanted: AbstractSet[str]
) -> list[tuple[str, Requirement]]:
    """(where, requirement) on ``wanted`` packages in dependencies, extras and groups."""
    lists: list[tuple[str, Any]] = []
    project = data.get("project")
    if isinstance(project, dict):
        lists.append(("project.dependencies", project.get("dependencies")))
        extras = project.get("optional-dependencies")
        if isinstance(extras, dict):
            lists += [(f"project.optional-dependencies.{k}", v) for k, v in extras.items()]
    groups = data.get("dependency-groups")
    if isinstance(groups, dict):
        lists += [(f"dependency-groups.{k}", v) for k, v in groups.items()]
    found = []
    for where, items in lists:
        for item in items if isinstance(items, list) else []:
            if not isinstance(item, str):
                continue  # {include-group = ...}
            try:
                requirement = Requirement(item)
            except InvalidRequirement:
                continue
            if canonicalize_name(requirement.name) in wanted and not requirement.url:
                found.append((where, requirement))
    return found


def _locked_versions(lock: Mapping[str, Any]) -> dict[str, list[str]]:
    result: dict[str, list[str]] = {}
    packages = lock.get("package")
    for entry in packages if isinstance(packages, list) else []:
        if isinstance(entry, dict) and isinstance(entry.get("version"), str):
            key = canonicalize_name(str(entry.get("name", "")))
            result.setdefault(key, []).append(entry["version"])
    return result


def _lock_specifiers(
    lock: Mapping[str, Any], project: str, wanted: AbstractSet[str]
) -> set[str] | None:
    """Specifiers on ``wanted`` that uv.lock recorded for the local ``project``; None if unknown."""
    packages = lock.get("package")
    for entry in packages if isinstance(packages, list) else []:
        if not isinstance(entry, dict) or canonicalize_name(str(entry.get("name", ""))) != project:
            continue
        source = entry.get("source")
        if not (isinstance(source, dict) and {"editable", "virtual", "directory"} & set(source)):
            continue
        metadata = entry.get("metadata")
        if not isinstance(metadata, dict):
            return None
        entries = list(metadata.get("requires-dist") or [])
        dev = metadata.get("requires-dev")
        for group in (dev if isinstance(dev, dict) else {}).values():
            entries += list(group or [])
        specs = set()
        for item in entries:
            if isinstance(item, dict) and canonicalize_name(str(item.get("name", ""))) in wanted:
                try:
                    specs.add(str(SpecifierSet(str(item.get("specifier", "")))))
                except InvalidSpecifier:
                    return None
        return specs
    return None


def check_python_pins(ctx: _Context) -> Check:
    name = "python-pins"
    pins = ctx.config.pins
    if not pins:
        return Check(name, OK, "no sibling packages configured ([tool.release-actions] pins)")
    wanted = {canonicalize_name(p) for p in pins}
    shown = ", ".join(pins)
    problems: list[str] = []
    checked: list[str] = []
    no_lock: list[str] = []
    for f in ctx.pyprojects:
        requirements = _requirements(f.data, wanted)
        lock_path = _nearest(ctx.repo, (ctx.repo / f.rel).parent, "uv.lock")
        if lock_path is None:
            if requirements:
                no_lock.append(f.rel)
            continue
        lock_rel = ctx.rel(lock_path)
        lock = read_pyproject(lock_path)
        before = len(problems)
        locked = _locked_versions(lock)
        for where, req in requirements:
            label = f"{f.rel} [{where}] {req.name}{req.specifier}"
            versions = locked.get(canonicalize_name(req.name), [])
            if not versions:
                problems.append(f"{lock_rel} does not lock {req.name} ({label})")
                continue
            good = [v for v in versions if req.specifier.contains(v, prereleases=True)]
            if not good:
                problems.append(
                    f"{lock_rel} locks {req.name} {', '.join(versions)}, outside {label}"
                )
            else:
                checked.append(f"{label} ({good[0]})")
        project = f.data.get("project")
        project_name = project.get("name") if isinstance(project, dict) else None
        if isinstance(project_name, str) and len(problems) == before:
            recorded = _lock_specifiers(lock, canonicalize_name(project_name), wanted)
            written = {str(req.specifier) for _, req in requirements}
            if recorded is not None and recorded != written:
                problems.append(
                    f"{lock_rel} was resolved for {shown} {_specs(recorded)} but {f.rel} asks"
                    f" {_specs(written)}: the lock is stale"
                )
    if problems:
        return Check(
            name,
            FAIL,
            "; ".join(problems),
            f"run `uv lock --upgrade-package {pins[0]}` and commit uv.lock"
            " (prepare-release re-locks in the release commit)",
        )
    if not checked:
        detail = f"no requirement on {shown} in the managed pyproject.toml files"
        if no_lock:
            detail = f"no uv.lock next to {_files(no_lock)}: nothing to compare"
        return Check(name, OK, detail)
    return Check(name, OK, "uv.lock satisfies " + "; ".join(checked))


def _specs(specs: set[str]) -> str:
    return " and ".join(repr(s) for s in sorted(specs)) or "(no requirement)"


def _lock_entry(lock: Mapping[str, Any], key: str) -> Any:
    packages = lock.get("packages")
    return packages.get(key) if isinstance(packages, dict) else None


def check_npm_lock(ctx: _Context) -> Check:
    name = "npm-lock"
    package = ctx.config.npm_package
    if not package:
        return Check(name, OK, "no npm package configured ([tool.release-actions] npm-package)")
    manifests = find_package_jsons(ctx.repo, package, ctx.config.package_jsons)
    if not manifests:
        return Check(name, OK, f"no package.json depends on {package}")
    problems: list[tuple[str, str, str]] = []  # (status, text, fix)
    checked: list[str] = []

    def relock(folder: Path) -> str:
        return (
            f"run `npm install --package-lock-only --ignore-scripts` in {ctx.rel(folder)} and"
            " commit package-lock.json (post-release does this on the release branch)"
        )

    for path in manifests:
        rel = ctx.rel(path)
        manifest = json.loads(path.read_text(encoding="utf-8"))
        ranges = [
            (section, manifest[section][package])
            for section in DEPENDENCY_SECTIONS
            if isinstance(manifest.get(section), dict) and package in manifest[section]
        ]
        lock_path = _nearest(ctx.repo, path.parent, "package-lock.json")
        if lock_path is None:
            problems.append((WARN, f"no package-lock.json for {rel}", relock(path.parent)))
            continue
        lock_rel = ctx.rel(lock_path)
        lock_text = lock_path.read_text(encoding="utf-8")
        lock = json.loads(lock_text)
        sub = path.parent.resolve().relative_to(lock_path.parent.resolve()).as_posix()
        sub = "" if sub == "." else sub
        entry = _lock_entry(lock, f"{sub}/node_modules/{package}") if sub else None
        locked = entry.get("version") if isinstance(entry, dict) else None
        if not isinstance(locked, str):
            locked = lockfile_dependency_version(lock_text, package)
        if locked is None:
            problems.append(
                (FAIL, f"{lock_rel} does not lock {package} ({rel})", relock(lock_path.parent))
            )
            continue
        root = _lock_entry(lock, sub)
        for section, wanted in ranges:
            label = f"{rel} {section} {package} {wanted!r}"
            try:
                ok = satisfies(str(wanted), locked)
            except InvalidValueError:
                problems.append(
                    (
                        WARN,
                        f"cannot check {label}: not a semver range",
                        f"depend on {package} with a semver range (e.g. ^{locked})",
                    )
                )
                continue
            if not ok:
                problems.append(
                    (
                        FAIL,
                        f"{lock_rel} locks {package} {locked}, outside {label}",
                        relock(lock_path.parent),
                    )
                )
                continue
            recorded_section = root.get(section) if isinstance(root, dict) else None
            recorded = recorded_section.get(package) if isinstance(recorded_section, dict) else None
            if recorded is not None and recorded != wanted:
                problems.append(
                    (
                        FAIL,
                        f"{lock_rel} records {package} {recorded!r} in {section} but {rel} says"
                        f" {wanted!r}: npm ci refuses an out-of-sync lock",
                        relock(lock_path.parent),
                    )
                )
                continue
            checked.append(f"{label} ({locked})")
    if problems:
        status = max((p[0] for p in problems), key=_RANK.__getitem__)
        fix = next(p[2] for p in problems if p[0] == status)
        return Check(name, status, "; ".join(p[1] for p in problems), fix)
    return Check(name, OK, "package-lock.json satisfies " + "; ".join(checked))


def check_tags(ctx: _Context) -> Check:
    name = "tags"
    releases, devs, bad = ctx.parsed_tags
    if bad:
        shown = ", ".join(bad[:10]) + (f" and {len(bad) - 10} more" if len(bad) > 10 else "")
        return Check(
            name,
            WARN,
            f"{len(bad)} tag(s) look like versions but do not parse as vX.Y.Z, vX.Y.ZrcN or"
            f" vX.Y.Z-dev: {shown}",
            f"rename or delete them (e.g. git push origin :refs/tags/{bad[0]}): release-actions"
            " ignores them, git describe and setuptools-scm do not",
        )
    if not releases and not devs:
        return Check(name, OK, "no version tags yet")
    return Check(name, OK, f"{len(releases)} release and {len(devs)} dev tag(s), all parse")


def check_release_branches(ctx: _Context) -> Check:
    name = "release-branches"
    releases = ctx.releases
    if not releases:
        return Check(name, OK, "nothing released yet")
    latest: dict[tuple[int, int], ReleaseTag] = {}
    for tag in releases:  # sorted by version: the last one of a line wins
        latest[tag.line] = tag
    branches = ctx.branches
    missing = {
        line: tag
        for line, tag in latest.items()
        if ReleaseBranch.for_version(tag.version).name not in branches
    }
    if not missing:
        names = ", ".join(ReleaseBranch.for_version(t.version).name for t in latest.values())
        return Check(name, OK, f"every released line has its branch: {names}")
    maintained = {line for line in missing if line_is_maintained(line, releases, ctx.count)}
    status = FAIL if maintained else WARN
    ordered = sorted(missing, key=lambda k: (k not in maintained, [-k[0], -k[1]]))
    described = []
    for line in ordered:
        tag = missing[line]
        kind = "maintained" if line in maintained else "unmaintained"
        described.append(
            f"{ReleaseBranch.for_version(tag.version).name} ({kind}, latest {tag.name})"
        )
    first = missing[ordered[0]]
    branch = ReleaseBranch.for_version(first.version).name
    return Check(
        name,
        status,
        "released lines without their release branch (local or origin): " + ", ".join(described),
        f"create each from the line's latest tag, e.g. git push origin"
        f" '{first.name}^{{commit}}:refs/heads/{branch}'",
    )


def check_dev_tag(ctx: _Context) -> Check:
    name = "dev-tag"
    finals = ctx.finals
    devs = ctx.parsed_tags[1]
    if not finals:
        if devs:
            return Check(name, OK, f"{devs[-1].name}; no final release yet")
        return Check(name, OK, "no final release yet")
    newest = finals[-1]
    nxt = next_dev_base(newest.version, ctx.config.next_dev)
    prefix = ctx.config.tag_prefix
    fix = (
        f"run post-release for {newest.name}: it tags {ctx.config.default_branch} with"
        f" {prefix}{nxt}-dev and bumps fallback_version to {nxt}.dev0"
    )
    if not devs:
        return Check(
            name,
            WARN,
            f"no dev tag ({prefix}X.Y.Z-dev) although {newest.name} is released: nightlies in"
            " tagless checkouts fall back to fallback_version",
            fix,
        )
    top = devs[-1]
    if top.version <= newest.version:
        return Check(
            name,
            FAIL,
            f"the newest dev tag {top.name} is not above the newest release {newest.name}:"
            f" {ctx.config.default_branch} still develops {top.version}",
            fix,
        )
    return Check(name, OK, f"{top.name} is above the newest release {newest.name}")


def _scan_uses(name: str, text: str) -> list[tuple[str, str]]:
    return [(name, ""), *((name, m["uses"]) for m in _USES_RE.finditer(text))]


def _workflow_uses(repo: Path) -> list[tuple[str, str]]:
    """(workflow file, uses value) for every ``uses:`` in the checkout's ``.github/workflows``.

    Each file also yields ``(file, "")``, so that files are known by name.
    """
    folder = repo / ".github" / "workflows"
    found: list[tuple[str, str]] = []
    if not folder.is_dir():
        return found
    for path in sorted(folder.iterdir()):
        if path.suffix in (".yml", ".yaml") and path.is_file():
            found += _scan_uses(path.name, path.read_text(encoding="utf-8", errors="replace"))
    return found


def _workflow_uses_at(repo: Path, ref: str) -> list[tuple[str, str]]:
    """Like :func:`_workflow_uses`, for the tree of ``ref``."""
    out = git.run(repo, "ls-tree", "--name-only", f"{ref}:.github/workflows", check=False)
    found: list[tuple[str, str]] = []
    for name in sorted(git.lines(out)):
        if name.endswith((".yml", ".yaml")):
            text = git.run(repo, "show", f"{ref}:.github/workflows/{name}", check=False)
            found += _scan_uses(name, text)
    return found


def _default_branch_ref(repo: Path, branch: str) -> str:
    """A local ref for the default ``branch`` (local or remote-tracking), or ''."""
    for ref in (f"refs/heads/{branch}", f"refs/remotes/origin/{branch}"):
        code, _, _ = git.try_run(repo, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
        if code == 0:
            return ref
    return ""


def _calls(uses: str, action: str) -> bool:
    """Does ``uses`` call our action or reusable workflow ``action`` (remote or a local copy)?"""
    target = uses.split("@", 1)[0].rstrip("/")
    if not (target.startswith(OWN_REPOSITORY) or target.startswith("./")):
        return False
    last = target.rsplit("/", 1)[-1]
    return last in (action, f"{action}.yml", f"{action}.yaml")


def check_workflows(ctx: _Context) -> Check:
    name = "workflows"
    default = ctx.config.default_branch
    source = ""
    if ctx.branch == default:
        uses = _workflow_uses(ctx.repo)
    else:  # workflows run from the default branch: read them there
        ref = _default_branch_ref(ctx.repo, default)
        if not ref:
            return Check(
                name,
                OK,
                f"not checked: the workflows that run are {default}'s, and {default} is not in"
                " this checkout (the doctor checks them when run on it)",
            )
        uses = _workflow_uses_at(ctx.repo, ref)
        source = f" (read from {ref.removeprefix('refs/')})"
    found: dict[str, str] = {}
    for kind, (action, file_names) in REQUIRED_WORKFLOWS.items():
        for file_name, value in uses:
            if value and _calls(value, action):
                found[kind] = f"{file_name} uses {value}"
                break
        else:
            for file_name, _ in uses:
                if file_name in file_names:
                    found[kind] = file_name
                    break
    missing = [kind for kind in REQUIRED_WORKFLOWS if kind not in found]
    if missing:
        calls = ", ".join(
            f"{OWN_REPOSITORY}.github/workflows/{REQUIRED_WORKFLOWS[k][0]}.yml" for k in missing
        )
        return Check(
            name,
            WARN,
            f"no workflow in .github/workflows{source} for " + ", ".join(missing),
            f"add workflows calling {calls} (see the release-actions README)",
        )
    listed = "; ".join(f"{kind}: {where}" for kind, where in found.items())
    return Check(name, OK, listed + source)


CHECK_FUNCTIONS: dict[str, Callable[[_Context], Check]] = {
    "scm-config": check_scm_config,
    "scm-build-requires": check_build_requires,
    "fallback-version": check_fallback_version,
    "python-pins": check_python_pins,
    "npm-lock": check_npm_lock,
    "tags": check_tags,
    "release-branches": check_release_branches,
    "dev-tag": check_dev_tag,
    "workflows": check_workflows,
}
assert tuple(CHECK_FUNCTIONS) == CHECKS


def _run(name: str, function: Callable[[_Context], Check], ctx: _Context) -> Check:
    try:
        return function(ctx)
    except ReleaseActionsError as err:
        return Check(name, FAIL, err.message, err.fix or "fix the problem above and re-run")
    except (ValueError, OSError) as err:  # malformed JSON/TOML values, unreadable files
        return Check(name, FAIL, f"{type(err).__name__}: {err}", "fix the file named above")


def doctor(
    repo: Path,
    config: Config,
    *,
    branch: str = "",
    count: int = DEFAULT_COUNT,
    env: Mapping[str, str] | None = None,
) -> DoctorReport:
    """Run every check on ``repo``; ``branch`` defaults to HEAD's branch."""
    if count < 1:
        raise InvalidValueError("count", count, "a whole number of lines, 1 or more")
    branch = branch.removeprefix("refs/heads/") if branch else current_branch(repo, env)
    ctx = _Context(repo, config, branch, count)
    return DoctorReport(branch, tuple(_run(name, fn, ctx) for name, fn in CHECK_FUNCTIONS.items()))
