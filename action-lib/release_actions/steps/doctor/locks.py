"""Lock file checks: python-pins (uv.lock) and npm-lock (package-lock.json).

python-pins: every requirement on a configured sibling package is satisfied by
the version ``uv.lock`` locks, and the lock was resolved for the requirements as
written (not stale, Llama Stack #6460). npm-lock: every ``package.json`` range
on the npm client is satisfied by the version ``package-lock.json`` locks, and
the lock records that range.
"""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from pathlib import Path
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name

from release_actions.adapters.manifests import read_json, read_pyproject
from release_actions.adapters.repo_files import read_repo_text
from release_actions.core.errors import InvalidValueError
from release_actions.core.npm_range import satisfies
from release_actions.edits.npm_manifest import DEPENDENCY_SECTIONS, lockfile_dependency_version
from release_actions.edits.pins import requirement_lists
from release_actions.edits.pyproject import parse_toml
from release_actions.steps.doctor.context import Context, Pyproject, file_list, nearest
from release_actions.steps.doctor.report import FAIL, OK, WARN, Check, worst
from release_actions.steps.managed_files import find_package_jsons

__all__ = ["check_npm_lock", "check_python_pins"]

# --------------------------------------------------------------------------- python-pins


def _requirements(f: Pyproject, wanted: AbstractSet[str]) -> list[tuple[str, Requirement]]:
    """(where, requirement) on ``wanted`` packages in the lists a pin may live in.

    Those are the lists prepare-release rewrites: dependencies, extras and groups.
    """
    found = []
    for where, items in requirement_lists(parse_toml(f.text, f.rel)):
        for item in items:
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


_LOCAL_SOURCES = frozenset({"editable", "virtual", "directory"})


def _local_members(lock: Mapping[str, Any]) -> dict[str, str]:
    """The packages ``uv.lock`` takes from the repository itself (uv workspace members and
    path dependencies, ``source = { editable = "packages/x" }``), name -> path. uv locks a
    member with a dynamic version without a version: there is nothing to pin or compare."""
    members: dict[str, str] = {}
    packages = lock.get("package")
    for entry in packages if isinstance(packages, list) else []:
        if not isinstance(entry, dict) or isinstance(entry.get("version"), str):
            continue
        source = entry.get("source")
        local = sorted(_LOCAL_SOURCES & set(source)) if isinstance(source, dict) else []
        if isinstance(source, dict) and local:
            members[canonicalize_name(str(entry.get("name", "")))] = str(source[local[0]])
    return members


def _lock_specifiers(
    lock: Mapping[str, Any], project: str, wanted: AbstractSet[str]
) -> set[str] | None:
    """Specifiers on ``wanted`` that uv.lock recorded for the local ``project``; None if unknown."""
    packages = lock.get("package")
    for entry in packages if isinstance(packages, list) else []:
        if not isinstance(entry, dict) or canonicalize_name(str(entry.get("name", ""))) != project:
            continue
        source = entry.get("source")
        if not (isinstance(source, dict) and _LOCAL_SOURCES & set(source)):
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


def check_python_pins(ctx: Context) -> Check:
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
        requirements = _requirements(f, wanted)
        lock_path = nearest(ctx.repo, (ctx.repo / f.rel).parent, "uv.lock")
        if lock_path is None:
            if requirements:
                no_lock.append(f.rel)
            continue
        lock_rel = ctx.rel(lock_path)
        lock = read_pyproject(lock_path, ctx.repo, lock_rel)
        before = len(problems)
        locked = _locked_versions(lock)
        members = _local_members(lock)
        for where, req in requirements:
            label = f"{f.rel} [{where}] {req.name}{req.specifier}"
            member = members.get(canonicalize_name(req.name))
            if member is not None:
                checked.append(f"{label} (workspace member {member}, locked without a version)")
                continue
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
            outside = wanted - set(members)  # members are not resolved by version
            recorded = _lock_specifiers(lock, canonicalize_name(project_name), outside)
            written = {
                str(req.specifier)
                for _, req in requirements
                if canonicalize_name(req.name) in outside
            }
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
            detail = f"no uv.lock next to {file_list(no_lock)}: nothing to compare"
        return Check(name, OK, detail)
    return Check(name, OK, "uv.lock satisfies " + "; ".join(checked))


def _specs(specs: set[str]) -> str:
    return " and ".join(repr(s) for s in sorted(specs)) or "(no requirement)"


# --------------------------------------------------------------------------- npm-lock


def _lock_entry(lock: Mapping[str, Any], key: str) -> Any:
    packages = lock.get("packages")
    return packages.get(key) if isinstance(packages, dict) else None


def check_npm_lock(ctx: Context) -> Check:
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
        manifest = read_json(ctx.repo, path, rel)
        ranges = [
            (section, manifest[section][package])
            for section in DEPENDENCY_SECTIONS
            if isinstance(manifest.get(section), dict) and package in manifest[section]
        ]
        lock_path = nearest(ctx.repo, path.parent, "package-lock.json")
        if lock_path is None:
            problems.append((WARN, f"no package-lock.json for {rel}", relock(path.parent)))
            continue
        lock_rel = ctx.rel(lock_path)
        lock_text = read_repo_text(ctx.repo, lock_path, lock_rel)
        lock = read_json(ctx.repo, lock_path, lock_rel)
        if not isinstance(lock, dict):
            problems.append((FAIL, f"{lock_rel} is not a JSON object", relock(lock_path.parent)))
            continue
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
        status = worst(p[0] for p in problems)
        fix = next(p[2] for p in problems if p[0] == status)
        return Check(name, status, "; ".join(p[1] for p in problems), fix)
    return Check(name, OK, "package-lock.json satisfies " + "; ".join(checked))
