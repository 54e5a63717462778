"""What the doctor's checks read: the branch, the managed pyproject files, tags and branches.

A :class:`Context` reads each of them once, when the first check asks.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from release_actions.adapters import git
from release_actions.adapters.manifests import read_pyproject
from release_actions.adapters.repo_files import read_repo_text, root_first, tracked_files
from release_actions.adapters.tags import known_tag_names, repo_conventions
from release_actions.core.config import Config
from release_actions.core.conventions import Conventions
from release_actions.core.errors import InvalidValueError
from release_actions.core.versions import DevTag, ReleaseTag, parse_tag
from release_actions.steps.maintained import known_release_branches
from release_actions.steps.managed_files import find_managed_pyprojects

__all__ = [
    "SCM_BUILD_PACKAGES",
    "Context",
    "Pyproject",
    "current_branch",
    "doctor_pyprojects",
    "file_list",
    "nearest",
    "scm_build_requirements",
]

SCM_BUILD_PACKAGES = frozenset({"setuptools-scm", "hatch-vcs"})


def current_branch(repo: Path, env: Mapping[str, str] | None = None) -> str:
    """HEAD's branch; in a detached checkout the pushed branch (``GITHUB_REF``), else ''."""
    code, out, _ = git.try_run(repo, "symbolic-ref", "--quiet", "--short", "HEAD")
    if code == 0 and out:
        return out
    ref = (os.environ if env is None else env).get("GITHUB_REF", "")
    return ref.removeprefix("refs/heads/") if ref.startswith("refs/heads/") else ""


def scm_build_requirements(data: Mapping[str, Any]) -> list[str]:
    """The ``[build-system] requires`` entries on setuptools-scm (or hatch-vcs), as written."""
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


def _scm_versioned(data: Mapping[str, Any]) -> bool:
    tool = data.get("tool")
    project = data.get("project")
    dynamic = project.get("dynamic") if isinstance(project, dict) else None
    return (
        (isinstance(tool, dict) and "setuptools_scm" in tool)
        or (isinstance(dynamic, list) and "version" in dynamic)
        or bool(scm_build_requirements(data))
    )


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
        if _scm_versioned(read_pyproject(repo / rel, repo, rel)):
            found.append(repo / rel)
    return found


def nearest(repo: Path, start: Path, name: str) -> Path | None:
    """``name`` in ``start`` or its parents, not above ``repo``."""
    root = repo.resolve()
    here = start.resolve()
    while True:
        if (here / name).is_file():
            return here / name
        if here == root or root not in here.parents:
            return None
        here = here.parent


def file_list(names: Sequence[str]) -> str:
    """File names for a detail or a fix: ``a, b``."""
    return ", ".join(names)


@dataclass(frozen=True)
class Pyproject:
    rel: str
    text: str
    data: dict[str, Any]


@dataclass
class Context:
    repo: Path
    config: Config
    branch: str
    count: int

    def rel(self, path: Path) -> str:
        return Path(os.path.relpath(path, self.repo)).as_posix()

    @cached_property
    def pyprojects(self) -> list[Pyproject]:
        result = []
        for path in doctor_pyprojects(self.repo, self.config):
            rel = self.rel(path)
            text = read_repo_text(self.repo, path, rel)
            result.append(Pyproject(rel, text, read_pyproject(path, self.repo, rel)))
        return result

    @cached_property
    def conventions(self) -> Conventions:
        """The repository's tag and branch conventions (configured or detected)."""
        return repo_conventions(self.repo, self.config)

    @cached_property
    def tag_names(self) -> set[str]:
        return known_tag_names(self.repo, self.conventions)

    @cached_property
    def parsed_tags(self) -> tuple[list[ReleaseTag], list[DevTag], list[str]]:
        releases: list[ReleaseTag] = []
        devs: list[DevTag] = []
        bad: list[str] = []
        prefix = self.conventions.tag_prefix
        for name in sorted(self.tag_names):
            if not (name.startswith(prefix) and name[len(prefix) : len(prefix) + 1].isdigit()):
                continue
            try:
                tag = parse_tag(name, self.conventions)
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
        return known_release_branches(self.repo, self.conventions)
