"""Which release lines are maintained: the last N stable minor lines (RELEASE_PROCESS.md).

"Llama Stack actively maintains the last 2 stable minor releases." A line X.Y
is *stable* once it has a final release tag ``vX.Y.Z`` (RCs do not count); the
maintained lines are the N newest stable lines, each with its release branch
``release-X.Y.x``. The result feeds a workflow ``matrix`` (one job per
maintained branch) or Mergify backport rules (label ``backport-X.Y`` ->
``release-X.Y.x``), and lets prepare-release warn about a patch on a line that
is no longer maintained.

The functions taking ``tags`` are pure; the ones taking ``repo`` read tags and
branches locally and from ``origin`` (no fetch).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from release_actions.adapters import git
from release_actions.adapters.tags import known_release_tags, repo_conventions
from release_actions.core.config import Config
from release_actions.core.conventions import DEFAULT, Conventions
from release_actions.core.errors import InvalidValueError
from release_actions.core.versions import (
    ReleaseTag,
    Version,
    parse_any_version,
    parse_release_branch,
)

__all__ = [
    "DEFAULT_COUNT",
    "FORMATS",
    "Line",
    "is_maintained",
    "known_release_branches",
    "line_is_maintained",
    "maintained_lines",
    "maintenance_note",
    "maintenance_note_for",
    "matrix",
    "mergify_rules",
    "parse_count",
    "select_maintained",
    "stable_lines",
]

DEFAULT_COUNT = 2
"""RELEASE_PROCESS.md: "Llama Stack actively maintains the last 2 stable minor releases"."""

FORMATS = ("json", "mergify")

LineKey = tuple[int, int]


@dataclass(frozen=True)
class Line:
    """A stable minor line: ``latest`` is its newest final release tag."""

    major: int
    minor: int
    latest: ReleaseTag
    branch_exists: bool = True
    conventions: Conventions = DEFAULT  # names the branch

    @property
    def key(self) -> LineKey:
        return self.major, self.minor

    @property
    def label(self) -> str:
        """``0.7``."""
        return f"{self.major}.{self.minor}"

    @property
    def branch(self) -> str:
        """``release-0.7.x``, or the repository's form (``0.7.x``, ``v0.7.x``)."""
        return self.conventions.branch_name(self.major, self.minor)

    def as_dict(self) -> dict[str, str]:
        return {"branch": self.branch, "line": self.label, "latest": self.latest.name}


def parse_count(text: str) -> int:
    """A ``--count`` value: a whole number, 1 or more.

    >>> parse_count("3")
    3
    """
    if isinstance(text, int) and not isinstance(text, bool) and 1 <= text <= 1000:
        return text
    digits = text.strip(" ") if isinstance(text, str) else ""
    if not re.fullmatch(r"[0-9]{1,4}", digits) or not 1 <= int(digits) <= 1000:
        raise InvalidValueError("count", text, "a whole number of lines, from 1 to 1000")
    return int(digits)


def _check_count(count: int) -> int:
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise InvalidValueError("count", count, "a whole number of lines, 1 or more")
    return count


def stable_lines(tags: Iterable[ReleaseTag]) -> list[tuple[LineKey, ReleaseTag]]:
    """Lines with at least one final release, newest line first, each with its newest final.

    >>> from release_actions.core.versions import parse_release_tag as t
    >>> [(k, v.name) for k, v in stable_lines([t("v0.6.1"), t("v0.7.0"), t("v0.8.0rc1")])]
    [((0, 7), 'v0.7.0'), ((0, 6), 'v0.6.1')]
    """
    latest: dict[LineKey, ReleaseTag] = {}
    for tag in tags:
        if tag.is_prerelease:
            continue
        best = latest.get(tag.line)
        if best is None or tag.version > best.version:
            latest[tag.line] = tag
    return sorted(latest.items(), reverse=True)


def select_maintained(
    tags: Iterable[ReleaseTag],
    count: int = DEFAULT_COUNT,
    branches: Iterable[str] | None = None,
    conventions: Conventions = DEFAULT,
) -> list[Line]:
    """The ``count`` newest stable lines, newest first, branches named by ``conventions``.

    ``branches`` (release branch names that exist) sets :attr:`Line.branch_exists`;
    None means "not known", taken as existing.
    """
    _check_count(count)
    existing = None if branches is None else set(branches)
    lines = []
    for (major, minor), tag in stable_lines(tags)[:count]:
        name = conventions.branch_name(major, minor)
        lines.append(Line(major, minor, tag, existing is None or name in existing, conventions))
    return lines


def line_is_maintained(
    line: LineKey, tags: Iterable[ReleaseTag], count: int = DEFAULT_COUNT
) -> bool:
    """Is a version of ``line`` (released or about to be) on a maintained line?

    A line among the ``count`` newest stable lines is maintained; so is any line
    newer than all of them (it is being released and becomes the current line),
    and any line while fewer than ``count`` lines are stable. Lines older than
    the oldest maintained line are not.

    >>> from release_actions.core.versions import parse_release_tag as t
    >>> tags = [t("v0.5.2"), t("v0.6.1"), t("v0.7.0")]
    >>> [line_is_maintained(k, tags) for k in [(0, 8), (0, 7), (0, 6), (0, 5)]]
    [True, True, True, False]
    """
    _check_count(count)
    stable = [key for key, _ in stable_lines(tags)]
    if len(stable) < count:
        return True
    return line >= stable[count - 1]


def maintenance_note_for(
    version: Version,
    tags: Sequence[ReleaseTag],
    count: int = DEFAULT_COUNT,
    conventions: Conventions = DEFAULT,
) -> str | None:
    """The warning for a release of ``version`` on an unmaintained line, or None."""
    line = (version.major, version.minor)
    if line_is_maintained(line, tags, count):
        return None
    kept = ", ".join(item.label for item in select_maintained(tags, count))
    noun = "line" if count == 1 else "lines"
    return (
        f"{conventions.branch_name(*line)} is not among the {count} maintained {noun} ({kept}):"
        f" {version} is a release of an unmaintained line; make sure that is intended"
    )


def known_release_branches(repo: Path, conventions: Conventions = DEFAULT) -> set[str]:
    """Names of release branches in the form of ``conventions`` (``release-X.Y.x``, ...):
    local, remote-tracking and on ``origin`` (no fetch)."""
    names: set[str] = set()
    glob = conventions.release_branch.partition("{major}")[0] + "*"
    out = git.run(
        repo,
        "for-each-ref",
        "--format=%(refname)",
        f"refs/heads/{glob}",
        f"refs/remotes/origin/{glob}",
    )
    for ref in git.lines(out):
        names.add(ref.removeprefix("refs/heads/").removeprefix("refs/remotes/origin/"))
    if git.has_remote(repo):
        code, out, _ = git.try_run(
            repo,
            "ls-remote",
            "--heads",
            "origin",
            glob,
            extra_env=git.remote_env(repo),
        )
        if code == 0:
            names.update(line.split("refs/heads/", 1)[1] for line in git.lines(out))
    return {name for name in names if _is_branch_of(name, conventions)}


def _is_branch_of(name: str, conventions: Conventions) -> bool:
    try:
        branch = parse_release_branch(name, conventions)
    except InvalidValueError:
        return False
    return branch.name == conventions.branch_name(branch.major, branch.minor)


def _conventions(repo: Path, conventions: Conventions | None) -> Conventions:
    return repo_conventions(repo, Config()) if conventions is None else conventions


def maintained_lines(
    repo: Path, count: int = DEFAULT_COUNT, conventions: Conventions | None = None
) -> list[Line]:
    """The maintained lines of ``repo`` (tags and branches, local and on origin), named by
    ``conventions`` (default: detected from the repository's refs)."""
    _check_count(count)
    conv = _conventions(repo, conventions)
    tags = known_release_tags(repo, conv)
    return select_maintained(tags, count, known_release_branches(repo, conv), conv)


def is_maintained(
    repo: Path,
    version: Version | str,
    count: int = DEFAULT_COUNT,
    conventions: Conventions | None = None,
) -> bool:
    """Is ``version`` (e.g. ``0.5.3``, a patch about to be prepared) on a maintained line?"""
    parsed = version if isinstance(version, Version) else parse_any_version(str(version))
    tags = known_release_tags(repo, _conventions(repo, conventions))
    return line_is_maintained((parsed.major, parsed.minor), tags, count)


def maintenance_note(
    repo: Path, version: Version, count: int = DEFAULT_COUNT, conventions: Conventions | None = None
) -> str | None:
    """:func:`maintenance_note_for` with the tags of ``repo``."""
    conv = _conventions(repo, conventions)
    return maintenance_note_for(version, known_release_tags(repo, conv), count, conv)


def matrix(lines: Sequence[Line]) -> dict[str, list[dict[str, str]]]:
    """``{"include": [{"branch", "line", "latest"}, ...]}``: a workflow ``strategy.matrix``."""
    return {"include": [line.as_dict() for line in lines]}


def _yaml_str(value: str) -> str:
    """A double-quoted YAML scalar (JSON strings are valid YAML)."""
    return json.dumps(value)


def mergify_rules(lines: Sequence[Line], *, base: str = "main") -> str:
    """Mergify ``pull_request_rules``: label ``backport-X.Y`` backports to ``release-X.Y.x``.

    >>> from release_actions.core.versions import parse_release_tag as t
    >>> print(mergify_rules([Line(0, 7, t("v0.7.1"))]), end="")
    pull_request_rules:
      - name: "backport to release-0.7.x"
        conditions:
          - "base=main"
          - "label=backport-0.7"
        actions:
          backport:
            branches:
              - "release-0.7.x"
    """
    if not lines:
        return "pull_request_rules: []\n"
    out = ["pull_request_rules:"]
    for line in lines:
        out += [
            f"  - name: {_yaml_str(f'backport to {line.branch}')}",
            "    conditions:",
            f"      - {_yaml_str(f'base={base}')}",
            f"      - {_yaml_str(f'label=backport-{line.label}')}",
            "    actions:",
            "      backport:",
            "        branches:",
            f"          - {_yaml_str(line.branch)}",
        ]
    return "\n".join(out) + "\n"
