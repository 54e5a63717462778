"""The repository's own tag and branch conventions: the tag prefix, the dev-tag form on the
default branch and the release-branch form.

Release tags are ``{prefix}X.Y.Z`` and ``{prefix}X.Y.Z{a,b,rc}N``; the prefix is one
setuptools-scm's default ``tag_regex`` strips (``""``, ``v``, ``NAME-``, ``NAME-v``), so
a tag we accept gives the version setuptools-scm reads from it. Dev tags carry the same
prefix in one of three forms (``-dev``, ``.devN``, ``.dev``); release branches are
``{prefix}{major}.{minor}.x``. Tags and branches in other forms are ignored when
scanning, never an error.

Light on purpose (nightly-version imports it): ``re`` and ``typing`` only.

>>> pytest = Conventions("", "{version}.dev0", "{major}.{minor}.x")
>>> pytest.rank("9.1.1")[0], pytest.rank("9.2.0.dev0")[1], pytest.rank("v7.4.3")
(((9, 1, 2), 0, '', 0), True, None)
>>> pytest.dev_tag_name("9.2.0"), pytest.branch_name(9, 1), pytest.describe_match
('9.2.0.dev0', '9.1.x', '[0-9]*')
>>> detect(ConventionSettings(), ["v8.0.1", "v8.1.0.dev"], ["v8.0.x", "main"]).dev_tag
'v{version}.dev'
"""

import re
from collections.abc import Iterable, Mapping
from typing import NamedTuple

from release_actions.core.errors import InvalidValueError

__all__ = [
    "DEFAULT",
    "ConventionSettings",
    "Conventions",
    "check_dev_tag",
    "check_release_branch",
    "check_tag_prefix",
    "detect",
    "version_shapes",
]

PREFIX_FORMS = (
    "'' (none), 'v', 'NAME-' or 'NAME-v', e.g. 'rel-' (setuptools-scm's default tag_regex)"
)
DEV_TAG_FORMS = "'{prefix}{version}-dev', '{prefix}{version}.dev0' or '{prefix}{version}.dev'"
BRANCH_FORMS = "'release-{major}.{minor}.x', '{major}.{minor}.x' or 'v{major}.{minor}.x'"

# Patterns are compiled on first use (``re`` caches them): a run compiles only those it
# needs (nightly-version: the tag shape), not the configuration's at every start.
_NUM = r"(?:0|[1-9][0-9]*)"
_PREFIX = r"(?:[A-Za-z0-9_-]*[A-Za-z0-9_]-)?[vV]?"
_DEV_TEMPLATE = r"(?P<prefix>[A-Za-z0-9_-]*)\{version\}(?P<suffix>-dev|\.dev0?)"
_BRANCH_TEMPLATE = r"(?P<prefix>[A-Za-z0-9_./-]*)\{major\}\.\{minor\}\.x"
# Any version-shaped tag, whatever its prefix (detection, and telling strays apart).
_ANY_TAG = (
    rf"({_PREFIX})({_NUM})\.({_NUM})\.({_NUM})"
    rf"(?:(a|b|rc)({_NUM})|(-dev|\.dev(?:{_NUM})?)|\.([1-9][0-9]*))?"
)  # groups: prefix, X, Y, Z, pre kind, pre number, dev suffix, hotfix N (vX.Y.Z.N)
_ANY_BRANCH = rf"({_PREFIX})({_NUM})\.({_NUM})\.x"
MAX_CHARS = 64

Rank = tuple[tuple[int, ...], int, str, int]
TagInfo = tuple[Rank, bool, tuple[int, int]]  # (rank of the base, is_dev_tag, line)
# A version-shaped tag's parts (the groups of _ANY_TAG): prefix, X, Y, Z, pre-release
# kind and number, dev suffix, hotfix N.
Shape = tuple[str, str, str, str, str | None, str | None, str | None, str | None]


def check_tag_prefix(text: str, what: str = "[tool.release-actions] tag-prefix") -> str:
    if not isinstance(text, str) or len(text) > MAX_CHARS or not re.fullmatch(_PREFIX, text):
        raise InvalidValueError(what, text, PREFIX_FORMS)
    return text


def check_dev_tag(text: str, what: str = "[tool.release-actions] dev-tag") -> str:
    match = re.fullmatch(_DEV_TEMPLATE, text) if isinstance(text, str) else None
    if match is None or len(text) > MAX_CHARS:
        raise InvalidValueError(what, text, DEV_TAG_FORMS, fix='e.g. dev-tag = "v{version}-dev"')
    check_tag_prefix(match["prefix"], f"{what} (its tag prefix)")
    return text


def check_release_branch(text: str, what: str = "[tool.release-actions] release-branch") -> str:
    match = re.fullmatch(_BRANCH_TEMPLATE, text) if isinstance(text, str) else None
    bad = match is None or len(text) > MAX_CHARS or ".." in text or text.startswith(("/", "."))
    if bad:
        raise InvalidValueError(
            what, text, BRANCH_FORMS, fix='e.g. release-branch = "release-{major}.{minor}.x"'
        )
    return text


def dev_tag_prefix(template: str) -> str:
    return template[: template.index("{version}")]


class Conventions(NamedTuple):
    """How this repository names release tags, dev tags and release branches.

    ``sources`` says, per key, ``configured``, ``detected from REF`` or ``default``.
    """

    tag_prefix: str = "v"
    dev_tag: str = "v{version}-dev"
    release_branch: str = "release-{major}.{minor}.x"
    sources: tuple[str, str, str] = ("default", "default", "default")

    @property
    def describe_match(self) -> str:
        """The ``git describe --match`` glob of this repository's version tags."""
        return f"{self.tag_prefix}[0-9]*"

    def release_tag_name(self, version: object) -> str:
        return f"{self.tag_prefix}{version}"

    def dev_tag_name(self, base: object) -> str:
        return self.dev_tag.replace("{version}", str(base))

    def branch_name(self, major: int | str, minor: int | str) -> str:
        return self.release_branch.replace("{major}", str(major)).replace("{minor}", str(minor))

    def rank(self, name: str) -> TagInfo | None:
        """(rank of the base, is_dev_tag, line) of one of our version tags, else None.

        Bases compare by the dev versions they produce: ``X.Y.Z`` gives X.Y.(Z+1),
        ``X.Y.ZrcN`` gives X.Y.Zrc(N+1) (below X.Y.Z), a dev tag gives X.Y.Z.
        """
        if not name.startswith(self.tag_prefix):
            return None
        shape = version_shapes((name,)).get(name)
        return _tag_info(shape) if shape is not None and shape[0] == self.tag_prefix else None

    def rank_shapes(self, shapes: Mapping[str, Shape]) -> list[tuple[str, TagInfo]]:
        """Our version tags among ``shapes`` (:func:`version_shapes`) with their :meth:`rank`,
        in order: no tag is matched twice."""
        prefix = self.tag_prefix
        return [(name, _tag_info(shape)) for name, shape in shapes.items() if shape[0] == prefix]

    def strays(self, names: Iterable[str], shapes: Mapping[str, Shape] | None = None) -> list[str]:
        """Version-shaped tags that are not ours (another prefix), or ours that do not parse.

        ``shapes``: the :func:`version_shapes` of ``names``, when already known.
        """
        names = list(names)
        shapes = version_shapes(names) if shapes is None else shapes
        prefix, out = self.tag_prefix, []
        for name in names:
            shape = shapes.get(name)
            if shape is not None and shape[0] == prefix:
                continue  # ours
            if len(name) > MAX_CHARS:  # a long name counts by its first MAX_CHARS
                shape = version_shapes([name[:MAX_CHARS]]).get(name[:MAX_CHARS])
            if shape is not None or (prefix and name.startswith(prefix)):
                out.append(name)
        return out

    def branch_line(self, name: str) -> tuple[int, int] | None:
        """The line X.Y of a release branch in this repository's form, else None.

        When the form was not configured, the other accepted forms count too (a
        branch named ``8.0.x`` in a repository of ``release-X.Y.x`` branches).
        """
        if self.release_branch.endswith(".x") and not name.endswith(".x"):
            return None  # every form ends in .x: no pattern to compile for "main"
        pattern = re.escape(self.release_branch).replace(r"\{major\}", f"({_NUM})")
        match = re.fullmatch(pattern.replace(r"\{minor\}", f"({_NUM})"), name)
        if match is None and self.sources[2] != "configured":
            any_form = re.fullmatch(_ANY_BRANCH, name)
            if any_form and any_form.group(1) in ("release-", "", "v"):
                return int(any_form.group(2)), int(any_form.group(3))
            return None
        return (int(match.group(1)), int(match.group(2))) if match else None

    def summary(self) -> str:
        keys = ("tag-prefix", "dev-tag", "release-branch")
        values = (self.tag_prefix, self.dev_tag, self.release_branch)
        return "; ".join(
            f"{k} '{v}' ({s})" for k, v, s in zip(keys, values, self.sources, strict=True)
        )


DEFAULT = Conventions()


class ConventionSettings(NamedTuple):
    """What the configuration fixes; None: detect it from the repository's refs."""

    tag_prefix: str | None = None
    dev_tag: str | None = None
    release_branch: str | None = None

    @property
    def complete(self) -> bool:
        return None not in self


def version_shapes(names: Iterable[str]) -> dict[str, Shape]:
    """Name -> :data:`Shape` of every version-shaped name (any prefix, at most MAX_CHARS).

    One regex match per tag, shared by :func:`detect`, :meth:`Conventions.rank_shapes`
    and :meth:`Conventions.strays`: a large repository has thousands of tags.
    """
    fullmatch = re.compile(_ANY_TAG).fullmatch
    shapes: dict[str, Shape] = {}
    for name in names:
        match = fullmatch(name) if len(name) <= MAX_CHARS else None
        if match is not None:
            shapes[name] = match.groups()  # type: ignore[assignment]  # the groups of _ANY_TAG
    return shapes


def _tag_info(shape: Shape) -> TagInfo:
    """The :meth:`Conventions.rank` of a tag of this shape (its prefix aside)."""
    _, x, y, z, kind, number, dev, hotfix = shape
    major, minor = int(x), int(y)
    if dev:
        return ((major, minor, int(z)), 0, "", 0), True, (major, minor)
    if hotfix:  # X.Y.Z.N gives X.Y.Z.(N+1), as setuptools-scm's guess-next-dev does
        return ((major, minor, int(z), int(hotfix) + 1), 0, "", 0), False, (major, minor)
    if kind:
        return ((major, minor, int(z)), 1, kind, int(number or 0) + 1), False, (major, minor)
    return ((major, minor, int(z) + 1), 0, "", 0), False, (major, minor)


_PRE_ORDER = {"a": 0, "b": 1, "rc": 2, None: 3}  # a final sorts after its pre-releases


def _version_key(item: tuple[str, Shape]) -> tuple[int, int, int, int, int, int]:
    _, x, y, z, kind, number, _dev, hotfix = item[1]
    return int(x), int(y), int(z), _PRE_ORDER[kind], int(number or 0), int(hotfix or 0)


def _newest(shapes: Iterable[tuple[str, Shape]], dev: bool) -> tuple[str, Shape] | None:
    """The newest of the (name, shape) pairs that are (not) dev tags; the first on a tie.

    The highest major number first (one ``int`` per tag), then the full version
    among the tags of that major: a repository has thousands of tags.
    """
    candidates = [item for item in shapes if bool(item[1][6]) == dev]
    if not candidates:
        return None
    top = max(int(item[1][1]) for item in candidates)
    return max((item for item in candidates if int(item[1][1]) == top), key=_version_key)


def detect(
    settings: ConventionSettings,
    tags: Iterable[str],
    branches: Iterable[str],
    shapes: Mapping[str, Shape] | None = None,
) -> Conventions:
    """The conventions: the configured keys, the others read from the newest refs (tag
    names; branch names without ``refs/heads/`` or ``refs/remotes/REMOTE/``), else the
    defaults (``v``, ``v{version}-dev``, ``release-{major}.{minor}.x``).

    ``shapes``: the :func:`version_shapes` of ``tags``, when already known."""
    shapes = version_shapes(tags) if shapes is None else shapes
    prefix, dev_tag, branch = settings
    sources = ["configured" if value is not None else "default" for value in settings]
    if prefix is None and dev_tag is not None:
        prefix, sources[0] = dev_tag_prefix(dev_tag), "configured (from dev-tag)"
    if prefix is None:
        newest = _newest(shapes.items(), False) or _newest(shapes.items(), True)
        if newest is not None:
            prefix, sources[0] = newest[1][0], f"detected from {newest[0]}"
    prefix = DEFAULT.tag_prefix if prefix is None else prefix
    if dev_tag is None:
        ours = (item for item in shapes.items() if item[0].startswith(prefix))
        newest = _newest(ours, True)
        if newest is not None and newest[1][0] == prefix:
            name, suffix = newest[0], newest[1][6]
            suffix = suffix if suffix in ("-dev", ".dev") else ".dev0"
            dev_tag, sources[1] = f"{prefix}{{version}}{suffix}", f"detected from {name}"
        else:
            dev_tag = f"{prefix}{{version}}-dev"
    if branch is None:
        best: tuple[tuple[int, int], str, str] | None = None
        for name in branches:
            if len(name) > MAX_CHARS or not name.endswith(".x"):
                continue  # no release branch ("main"): nothing to match
            match = re.fullmatch(_ANY_BRANCH, name)
            if match is None:
                continue
            key = (int(match.group(2)), int(match.group(3)))
            if best is None or key > best[0]:
                best = (key, match.group(1), name)
        if best is not None:
            branch, sources[2] = f"{best[1]}{{major}}.{{minor}}.x", f"detected from {best[2]}"
        else:
            branch = DEFAULT.release_branch
    return Conventions(prefix, dev_tag, branch, (sources[0], sources[1], sources[2]))
