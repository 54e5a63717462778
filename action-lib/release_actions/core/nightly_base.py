"""The nightly version as a function of data: ``{base}.dev{YYYYMMDD}`` from the tags.

The base is a pure function of a :class:`TagState` (what git says about version
tags, read by :func:`release_actions.steps.nightly.read_tag_state`) plus the
branch and the ``fallback_version``.

>>> from release_actions.core.versions import tag_rank
>>> state = TagState(ranked=(("v0.4.5", tag_rank("v0.4.5")),), nearest=("v0.4.5",))
>>> nightly = nightly_from_tags(state, "main", None, "20261125")
>>> str(nightly.version), nightly.base.source
('0.4.6.dev20261125', 'release-tag')
"""

from collections.abc import Mapping, Sequence
from typing import NamedTuple

from release_actions.core.conventions import DEFAULT, Conventions, Rank, TagInfo
from release_actions.core.errors import ReleaseActionsError
from release_actions.core.versions import (
    DevTag,
    Version,
    base_rank,
    dev_version,
    hotfix_guard,
    npm_form,
    parse_any_version,
    parse_tag,
)

__all__ = [
    "Base",
    "Fallback",
    "Nightly",
    "TagState",
    "compute_base",
    "fallback_version",
    "highest_fallback",
    "nightly_from_tags",
]


class TagState(NamedTuple):
    """What the repository says about version tags, as seen from HEAD."""

    ranked: tuple[tuple[str, TagInfo], ...]  # every version tag with its rank
    nearest: tuple[str, ...]  # tags on the nearest tagged commit reachable from HEAD
    ignored: tuple[str, ...] = ()  # version-shaped tags that are not the repository's
    head_branch: str = ""
    fetched: str = ""  # what was fetched to see history, if anything
    conventions: Conventions = DEFAULT  # how the tags were read


class Base(NamedTuple):
    version: Version
    source: str  # dev-tag | release-tag | fallback
    tag: str
    reason: str


class Nightly(NamedTuple):
    version: Version
    base: Base
    branch: str
    notes: tuple[str, ...] = ()
    conventions: Conventions = DEFAULT  # how the tags were read

    def as_dict(self) -> dict[str, str]:
        return {
            "version": str(self.version),
            "npm_version": npm_form(self.version),  # '' after a hotfix: PyPI-only
            "base": str(self.base.version),
            "base_source": self.base.source,
            "tag": self.base.tag,
        }


def fallback_version(pyproject: Mapping[str, object]) -> Version | None:
    """``[tool.setuptools_scm].fallback_version`` with any ``.devN`` stripped, or None."""
    raw = _raw_fallback(pyproject)
    if raw is None:
        return None
    version = parse_any_version(str(raw), "fallback_version")
    return Version(str(version).split(".dev")[0])


def _raw_fallback(pyproject: Mapping[str, object]) -> object:
    tool = pyproject.get("tool")
    scm = tool.get("setuptools_scm") if isinstance(tool, dict) else None
    return scm.get("fallback_version") if isinstance(scm, dict) else None


class Fallback(NamedTuple):
    """The highest ``fallback_version`` over the managed pyproject files, and where it is."""

    version: Version  # any .devN stripped
    raw: str  # as written
    rel: str  # the file it came from
    files: int  # how many managed files carry a fallback_version

    def note(self) -> str:
        """Which file the fallback came from (nightly-version and compute-version say it).

        >>> highest_fallback([("a/pyproject.toml", {"tool": {"setuptools_scm": {
        ...     "fallback_version": "0.3.0.dev0"}}})]).note()
        'fallback_version 0.3.0.dev0 from a/pyproject.toml'
        """
        many = self.files > 1
        of = f" (the highest of {self.files} managed pyproject.toml files)" if many else ""
        return f"fallback_version {self.raw} from {self.rel}{of}"


def highest_fallback(files: Sequence[tuple[str, Mapping[str, object]]]) -> Fallback | None:
    """The highest ``fallback_version`` of the parsed files ``(path, data)``; a tie goes to
    the first file (the root one comes first). None when no file carries one."""
    best: Fallback | None = None
    count = 0
    for rel, data in files:
        version = fallback_version(data)
        if version is None:
            continue
        count += 1
        if best is None or version > best.version:
            best = Fallback(version, str(_raw_fallback(data)), rel, 0)
    return best._replace(files=count) if best is not None else None


def _best(
    ranked: Sequence[tuple[str, TagInfo]], line: tuple[int, int] | None
) -> tuple[Rank, str] | None:
    """The tag whose base ranks highest (a dev tag wins a tie), without building Versions.

    No two version tags share (rank, is_dev), so the name never decides; ``max``
    compares the keys in C, which matters with thousands of tags.
    """
    keys = ((info[0], info[1], name) for name, info in ranked if line is None or info[2] == line)
    best = max(keys, default=None)
    return (best[0], best[2]) if best is not None else None


def _base_of(name: str, why: str, conventions: Conventions) -> Base:
    tag = parse_tag(name, conventions)
    source = "dev-tag" if isinstance(tag, DevTag) else "release-tag"
    return Base(tag.base, source, tag.name, why)


def compute_base(
    state: TagState, branch: str, fallback: Version | None, fallback_from: str = ""
) -> Base:
    """Choose the base: nearest reachable tag, floored by releases tagged anywhere.

    On a release branch (``release-X.Y.x`` or the repository's form) only tags of line
    X.Y count, so the base stays in the line. After a hotfix ``vX.Y.Z.N`` there the
    base is ``X.Y.Z.(N+1)``, as setuptools-scm infers from the nearest tag; on other
    branches a hotfix never raises the floor. A dev tag nearest to HEAD gives its own
    version, as setuptools-scm infers it (``9.2.0.dev0`` -> 9.2.0).
    On any other branch every release and dev tag of the repository is a floor,
    so a nightly never sorts below a release already tagged somewhere. A
    ``fallback_version`` ahead of both wins (main may develop the next minor).
    """
    conventions = state.conventions
    line = conventions.branch_line(branch)
    nearest = [(n, i) for n, i in state.ranked if n in state.nearest]
    near, floor = _best(nearest, line), _best(state.ranked, line)
    chosen: tuple[Rank, str, str] | None = None  # rank, tag, reason
    if near is not None:
        chosen = (near[0], near[1], f"nearest tag {near[1]} on {branch}")
    # A nearest hotfix X.Y.Z.N outranks its own final X.Y.Z (see hotfix_guard).
    if floor is not None and (chosen is None or floor[0] > hotfix_guard(chosen[0])):
        where = f"line {line[0]}.{line[1]}" if line else "the repository"
        why = f"highest tag of {where}, {floor[1]}"
        if chosen is not None:
            why += f" (the nearest tag {chosen[1]} is behind it)"
        chosen = (floor[0], floor[1], why)
    usable = fallback is not None and (line is None or fallback.release[:2] == line)
    if fallback is not None and usable and (chosen is None or base_rank(fallback) > chosen[0]):
        why = "fallback_version in [tool.setuptools_scm]"
        if fallback_from:
            why += f" of {fallback_from}"
        if chosen is not None:
            why += f" (ahead of {chosen[1]})"
        return Base(fallback, "fallback", "", why)
    if chosen is not None:
        return _base_of(chosen[1], chosen[2], conventions)
    if line is not None:
        start = Version(f"{line[0]}.{line[1]}.0")
        return Base(start, "fallback", "", f"no tag of line {line[0]}.{line[1]} yet")
    release = conventions.release_tag_name("X.Y.Z")
    forms = f"{release}, {release}rcN, {conventions.dev_tag_name('X.Y.Z')}"
    raise ReleaseActionsError(
        f"no version tag ({forms}) and no fallback_version found",
        fix='add fallback_version = "X.Y.Z.dev0" to [tool.setuptools_scm] or push a dev tag',
        title="No base version",
    )


def nightly_from_tags(
    state: TagState, branch: str, fallback: Version | Fallback | None, day: str
) -> Nightly:
    """The nightly version of ``branch`` on ``day`` (YYYYMMDD), with notes on what was seen.

    A :class:`Fallback` chosen as the base is noted with the file it came from.
    """
    found = fallback if isinstance(fallback, Fallback) else None
    if found is not None:
        base = compute_base(state, branch, found.version, found.rel)
    else:
        base = compute_base(state, branch, fallback if isinstance(fallback, Version) else None)
    notes = []
    if found is not None and base.reason.startswith("fallback_version"):
        notes.append(f"base {base.version}: {found.note()}")
    if state.fetched:
        notes.append(f"fetched {state.fetched} from origin (the checkout was shallow or tagless)")
    ignored = state.ignored
    if ignored:
        shown = ", ".join(ignored[:5]) + (" ..." if len(ignored) > 5 else "")
        notes.append(
            f"ignored {len(ignored)} tag(s) that are not this repository's version tags"
            f" ({state.conventions.release_tag_name('X.Y.Z')}): {shown}"
        )
    version = dev_version(base.version, day)
    return Nightly(version, base, branch, tuple(notes), state.conventions)
