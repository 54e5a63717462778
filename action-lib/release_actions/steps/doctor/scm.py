"""setuptools-scm checks: scm-config, scm-build-requires and fallback-version.

Each managed ``pyproject.toml`` must be versioned by setuptools-scm (``dynamic =
["version"]`` and a ``[tool.setuptools_scm]`` table), build with setuptools-scm
available, and carry a ``fallback_version`` that agrees across files and fits
the branch: a ``.dev0`` above the newest release on the default branch, the
prepared X.Y.Z (or an RC of it) on ``release-X.Y.x``.
"""

from __future__ import annotations

from packaging.version import InvalidVersion

from release_actions.core.errors import InvalidValueError
from release_actions.core.scm_root import root_for, scm_root_problem
from release_actions.core.versions import (
    ReleaseBranch,
    Version,
    is_release,
    next_dev_base,
    parse_release_branch,
)
from release_actions.edits.pyproject import read_fallback_version
from release_actions.steps.doctor.context import Context, file_list, scm_build_requirements
from release_actions.steps.doctor.report import FAIL, OK, WARN, Check

__all__ = [
    "check_build_requires",
    "check_fallback_version",
    "check_scm_config",
    "expected_fallback",
]


def check_scm_config(ctx: Context) -> Check:
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
    roots = []  # a member not versioned from the repository root (a warning)
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
        scm = tool.get("setuptools_scm") if isinstance(tool, dict) else None
        if not isinstance(scm, dict):
            problems.append(f"{f.rel}: no [tool.setuptools_scm] table")
        elif (problem := scm_root_problem(f.rel, scm)) is not None:
            roots.append((f.rel, problem))
    if problems:
        return Check(
            name,
            FAIL,
            "; ".join(problems),
            'in each listed file: [project] dynamic = ["version"] (no static version) and a'
            f' [tool.setuptools_scm] table with fallback_version = "{expected_fallback(ctx)}"',
        )
    if roots:
        fixes = [f'root = "{root_for(rel)}" in {rel}' for rel, _ in roots]
        return Check(
            name,
            WARN,
            "; ".join(problem for _, problem in roots),
            f"version each member from the repository root: set {'; '.join(fixes)}"
            " under [tool.setuptools_scm]",
        )
    return Check(name, OK, f"versioned by setuptools-scm: {file_list([f.rel for f in files])}")


def check_build_requires(ctx: Context) -> Check:
    name = "scm-build-requires"
    files = ctx.pyprojects
    if not files:
        return Check(name, WARN, "no managed pyproject.toml (see scm-config)", "see scm-config")
    missing = [f.rel for f in files if not scm_build_requirements(f.data)]
    if missing:
        return Check(
            name,
            FAIL,
            f"setuptools-scm is not in [build-system] requires of {file_list(missing)}: builds"
            " ignore the pretend version and publish 0.0.0 (Llama Stack #4782)",
            'add "setuptools-scm>=8" to [build-system] requires in ' + file_list(missing),
        )
    found = sorted({r for f in files for r in scm_build_requirements(f.data)})
    return Check(name, OK, f"[build-system] requires {file_list(found)} in every managed file")


def check_fallback_version(ctx: Context) -> Check:
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
        example = next(iter(values.values()), None) or expected_fallback(ctx)
        return Check(
            name,
            FAIL,
            f"no fallback_version in [tool.setuptools_scm] of {file_list(missing)}",
            f'add fallback_version = "{example}" to [tool.setuptools_scm] in {file_list(missing)}',
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


def _line_of(ctx: Context, branch: str) -> ReleaseBranch | None:
    """The release branch ``branch`` is, in the repository's form; None for another."""
    if ctx.conventions.branch_line(branch) is None:
        return None
    try:
        return parse_release_branch(branch, ctx.conventions)
    except InvalidValueError:
        return None


def expected_fallback(ctx: Context) -> str:
    """The ``fallback_version`` the checked branch should hold: on a release branch its
    line's latest release ``X.Y.Z`` (``X.Y.0`` before the first), elsewhere the next
    development version ``X.Y.Z.dev0`` after the newest final release."""
    release_branch = _line_of(ctx, ctx.branch)
    if release_branch is not None:
        line = release_branch.line
        in_line = [t for t in ctx.releases if t.line == line]
        return str(in_line[-1].version) if in_line else f"{line[0]}.{line[1]}.0"
    finals = ctx.finals
    if not finals:
        return "X.Y.Z.dev0"
    return f"{next_dev_base(finals[-1].version, ctx.config.next_dev)}.dev0"


def _fallback_for_branch(ctx: Context, value: Version, where: str) -> Check:
    name = "fallback-version"
    branch = ctx.branch
    release_branch = _line_of(ctx, branch)
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
