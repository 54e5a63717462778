"""The version model: release versions, tags, release branches and npm forms.

Versions stay :class:`packaging.version.Version` objects until the last moment;
the npm (SemVer 2) form is derived by :func:`npm_version`, the only place that
knows the mapping.

>>> str(parse_release_version("0.6.0rc1"))
'0.6.0rc1'
>>> npm_version(Version("0.6.0rc1"))
'0.6.0-rc.1'
>>> npm_version(Version("0.4.5.dev20260202"))
'0.4.5-dev.20260202'
>>> str(parse_tag("v0.4.6-dev").base)
'0.4.6'

A hotfix ``X.Y.Z.N`` (N >= 1, a final: no pre-release part) is a release too,
PyPI-only: npm has no form for four numbers. It sorts after ``X.Y.Z`` and before
``X.Y.(Z+1)``, and what follows it develops ``X.Y.Z.(N+1)``, as setuptools-scm's
``guess-next-dev`` infers from the tag:

>>> is_hotfix(parse_release_version("0.2.10.1"))
True
>>> str(parse_tag("v0.2.10.1").base)
'0.2.10.2'
"""

import re
from typing import NamedTuple

from packaging.version import InvalidVersion, Version

from release_actions.core.conventions import DEFAULT, Conventions, Rank, TagInfo
from release_actions.core.errors import InvalidValueError

__all__ = [
    "DevTag",
    "ReleaseBranch",
    "ReleaseTag",
    "Version",
    "dev_version",
    "hotfix_guard",
    "is_hotfix",
    "is_release",
    "next_dev_base",
    "npm_form",
    "npm_version",
    "parse_any_version",
    "parse_artifact_version",
    "parse_release_branch",
    "parse_release_version",
    "parse_tag",
    "successor_base",
]

RELEASE_FORMS = (
    "X.Y.Z or X.Y.ZrcN (also X.Y.ZaN, X.Y.ZbN, and the hotfix X.Y.Z.N), e.g. 0.4.5 or 0.5.0rc1"
)
TAG_FORMS = (
    "vX.Y.Z, vX.Y.ZrcN, the hotfix vX.Y.Z.N or the dev tag vX.Y.Z-dev,"
    " e.g. v0.4.5, v0.5.0rc1, v0.4.6-dev"
)
BRANCH_FORMS = "release-X.Y.x, e.g. release-0.4.x"

_NUM = r"(?:0|[1-9][0-9]*)"
# A hotfix X.Y.Z.N: a fourth number from 1, never with a pre-release part.
_HOTFIX = r"\.([1-9][0-9]*)"
# Compiled on first use (``re`` caches it): nightly-version never needs it.
_RELEASE = rf"({_NUM})\.({_NUM})\.({_NUM})(?:(a|b|rc)({_NUM})|{_HOTFIX})?"
_NPM_PRE = {"a": "alpha", "b": "beta", "rc": "rc"}
# Checked before any int(): Python refuses to convert more than 4300 digits.
MAX_VERSION_CHARS = 64


def _bounded(text: object, what: str, accepted: str) -> str:
    """``text`` if it is a string of at most MAX_VERSION_CHARS, else an error."""
    if not isinstance(text, str):
        raise InvalidValueError(what, text, accepted)
    if len(text) > MAX_VERSION_CHARS:
        shown = f"{text[:20]}...({len(text)} characters)"
        raise InvalidValueError(
            what, shown, accepted, fix=f"pass at most {MAX_VERSION_CHARS} characters"
        )
    return text


def _hint(text: str) -> str:
    """A one-line suggestion for a near miss, or ''."""
    if len(text) > MAX_VERSION_CHARS:
        return ""
    if text.startswith(("v", "V")) and re.fullmatch(_RELEASE, text[1:]):
        return f"drop the leading 'v': use {text[1:]}"
    try:
        canonical = Version(text)
    except InvalidVersion:
        return ""
    if str(canonical) != text and re.fullmatch(_RELEASE, str(canonical)):
        return f"use the canonical PEP 440 spelling {canonical}"
    if canonical.is_postrelease:
        return "post releases are not supported: release the next patch instead"
    if canonical.is_devrelease:
        return "a dev version cannot be released: pass a final or RC version"
    if canonical.local:
        return "local versions (+...) cannot be released"
    if len(canonical.release) == 4 and canonical.pre is not None:
        return "a hotfix X.Y.Z.N is a final release: drop the pre-release part"
    if len(canonical.release) == 4:
        return "a hotfix X.Y.Z.N counts from 1: use X.Y.Z.1"
    if len(canonical.release) != 3:
        return "give three numbers X.Y.Z (or four for a hotfix X.Y.Z.N)"
    return ""


def parse_release_version(text: str, what: str = "version") -> Version:
    """Parse a release version: X.Y.Z, a pre-release X.Y.Z{a,b,rc}N or a hotfix X.Y.Z.N,
    canonical form only."""
    _bounded(text, what, RELEASE_FORMS)
    if not re.fullmatch(_RELEASE, text):
        raise InvalidValueError(what, text, RELEASE_FORMS, fix=_hint(str(text)))
    return Version(text)


def parse_any_version(text: str, what: str = "version") -> Version:
    """Parse any PEP 440 version (dev versions included), canonical spelling required."""
    _bounded(text, what, "a PEP 440 version such as 0.4.5 or 0.4.5.dev0")
    try:
        version = Version(text)
    except InvalidVersion:
        raise InvalidValueError(
            what, text, "a PEP 440 version such as 0.4.5 or 0.4.5.dev0"
        ) from None
    if str(version) != text:
        raise InvalidValueError(
            what, text, "a canonical PEP 440 version", fix=f"write it as {version}"
        )
    return version


def parse_artifact_version(text: str, what: str = "version") -> Version:
    """A version a built artifact may carry: canonical PEP 440, without epoch or local part.

    PyPI refuses local versions, npm has no form for epochs, and release-actions
    produces neither.
    """
    version = parse_any_version(text, what)
    if version.epoch or version.local is not None:
        raise InvalidValueError(
            what,
            text,
            "a PEP 440 version without an epoch (N!) or a local part (+...)",
            fix=_hint(text) or "pass the version compute-version gave, e.g. 0.8.0 or 0.8.0rc1",
        )
    return version


def is_release(version: Version) -> bool:
    """True for X.Y.Z, X.Y.Z{a,b,rc}N and X.Y.Z.N: no dev, post, local or epoch parts."""
    return re.fullmatch(_RELEASE, str(version)) is not None


def is_hotfix(version: Version) -> bool:
    """True for a hotfix X.Y.Z.N (N >= 1): a final release with a fourth number.

    >>> [is_hotfix(Version(v)) for v in ("0.2.10.1", "0.2.10", "0.2.10.1.dev3")]
    [True, False, False]
    """
    return len(version.release) == 4 and is_release(version)


class ReleaseTag(NamedTuple):
    """A release tag ``vX.Y.Z``, ``vX.Y.ZrcN`` or a hotfix ``vX.Y.Z.N``."""

    name: str
    version: Version

    @property
    def is_prerelease(self) -> bool:
        return self.version.is_prerelease

    @property
    def base(self) -> Version:
        """The base for dev versions after this release (see :func:`successor_base`)."""
        return successor_base(self.version)

    @property
    def line(self) -> tuple[int, int]:
        return self.version.major, self.version.minor


class DevTag(NamedTuple):
    """A dev tag ``vX.Y.Z-dev``: the branch it sits on develops X.Y.Z."""

    name: str
    version: Version

    @property
    def is_prerelease(self) -> bool:
        return False

    @property
    def base(self) -> Version:
        return self.version

    @property
    def line(self) -> tuple[int, int]:
        return self.version.major, self.version.minor


Tag = ReleaseTag | DevTag


def _tag_forms(conventions: Conventions) -> str:
    if conventions == DEFAULT:
        return TAG_FORMS
    release = conventions.release_tag_name("X.Y.Z")
    return f"{release}, {release}rcN or the dev tag {conventions.dev_tag_name('X.Y.Z')}"


def parse_tag(text: str, conventions: Conventions = DEFAULT) -> ReleaseTag | DevTag:
    """Parse a release tag or a dev tag of ``conventions``; anything else is an error
    naming the tag."""
    forms = _tag_forms(conventions)
    _bounded(text, "tag", forms)
    name = text.removeprefix("refs/tags/")
    info = conventions.rank(name)
    prefix = conventions.tag_prefix
    if info is not None:
        rest = name[len(prefix) :]
        if info[1]:
            return DevTag(name, Version(".".join(str(n) for n in info[0][0])))
        return ReleaseTag(name, Version(rest))
    fix = ""
    if prefix and re.fullmatch(_RELEASE, name):
        fix = f"release tags start with '{prefix}': use {prefix}{name}"
    elif name.startswith(prefix) and name != prefix:
        fix = _hint(name[len(prefix) :])
        if not prefix and name[:1] in "vV" and re.fullmatch(_RELEASE, name[1:]):
            fix = f"this repository's release tags have no prefix: use {name[1:]}"
    raise InvalidValueError("tag", text, forms, fix=fix)


def parse_release_tag(text: str, conventions: Conventions = DEFAULT) -> ReleaseTag:
    """Like :func:`parse_tag` but rejects dev tags."""
    tag = parse_tag(text, conventions)
    if isinstance(tag, DevTag):
        release = conventions.release_tag_name("X.Y.Z")
        raise InvalidValueError(
            "release tag", text, f"{release} or {release}rcN", fix="dev tags are not releases"
        )
    return tag


class ReleaseBranch(NamedTuple):
    name: str
    major: int
    minor: int

    @property
    def line(self) -> tuple[int, int]:
        return self.major, self.minor

    @classmethod
    def for_version(cls, version: Version, conventions: Conventions = DEFAULT) -> "ReleaseBranch":
        name = conventions.branch_name(version.major, version.minor)
        return cls(name, version.major, version.minor)


def parse_release_branch(text: str, conventions: Conventions = DEFAULT) -> ReleaseBranch:
    forms = BRANCH_FORMS if conventions == DEFAULT else conventions.branch_name("X", "Y")
    name = _bounded(text, "release branch", forms).removeprefix("refs/heads/")
    line = conventions.branch_line(name)
    if line is None:
        raise InvalidValueError("release branch", text, forms)
    return ReleaseBranch(name, *line)


def tag_rank(name: str, conventions: Conventions = DEFAULT) -> TagInfo | None:
    """(rank of the base, is_dev_tag, line) of a version tag, or None; no Version objects.

    Bases compare by the dev versions they produce (``X.Y.Z.dev0`` below
    ``X.Y.Za1.dev0``), as :func:`base_rank` does for a :class:`Version`. Used to
    scan thousands of tags cheaply; build the winner with :func:`parse_tag`.

    A hotfix ``vX.Y.Z.N`` ranks by its base ``X.Y.Z.(N+1)``: above every tag of
    ``X.Y.Z`` and its pre-releases and below the bases of the final ``vX.Y.Z``
    (``X.Y.(Z+1)``) and of anything later, so on the default branch a hotfix
    never raises the floor of what it develops. On its release branch the nearest
    hotfix wins over its own final (:func:`hotfix_guard`).
    """
    return conventions.rank(name)


def base_rank(base: Version) -> Rank:
    """The rank :func:`tag_rank` gives, for a base version (release and pre only)."""
    release = (*base.release, 0, 0)[: max(3, len(base.release))]
    if base.pre is None:
        return release, 0, "", 0
    return release, 1, base.pre[0], base.pre[1]


def hotfix_guard(rank: Rank) -> Rank:
    """What a nearest tag of rank ``rank`` stands for against floors from other tags.

    A hotfix ``X.Y.Z.N`` (base ``X.Y.Z.(N+1)``) is newer than its final ``X.Y.Z``
    although that final's base ``X.Y.(Z+1)`` ranks higher: it stands for
    ``X.Y.(Z+1)``, so only a later release of the line (``X.Y.(Z+1)`` or a
    pre-release of it) overrides it. Other ranks stand for themselves.

    >>> hotfix_guard(tag_rank("v0.2.10.1")[0]) == tag_rank("v0.2.10")[0]
    True
    """
    release = rank[0]
    if len(release) == 4:
        return (release[0], release[1], release[2] + 1), 0, "", 0
    return rank


def successor_base(version: Version) -> Version:
    """The smallest base a dev build after ``version`` may carry.

    A final X.Y.Z gives X.Y.(Z+1); a pre-release X.Y.ZrcN gives X.Y.Zrc(N+1); a
    hotfix X.Y.Z.N gives X.Y.Z.(N+1), as setuptools-scm's ``guess-next-dev`` does.
    """
    if is_hotfix(version):
        major, minor, patch, number = version.release
        return Version(f"{major}.{minor}.{patch}.{number + 1}")
    if version.pre is not None:
        kind, number = version.pre
        return Version(f"{version.base_version}{kind}{number + 1}")
    major, minor, patch = version.release[:3]
    return Version(f"{major}.{minor}.{patch + 1}")


def next_dev_base(version: Version, policy: str = "patch") -> Version:
    """What the default branch develops after the final release ``version``."""
    major, minor, patch = version.release[:3]
    if policy == "patch":
        return Version(f"{major}.{minor}.{patch + 1}")
    if policy == "minor":
        return Version(f"{major}.{minor + 1}.0")
    raise InvalidValueError("next-dev policy", policy, "patch | minor")


def dev_version(base: Version, date: str) -> Version:
    """``{base}.dev{date}``."""
    return Version(f"{base}.dev{date}")


HOTFIX_NPM_REASON = "npm has no form for four release numbers: a hotfix X.Y.Z.N is PyPI-only"


def npm_form(version: Version) -> str:
    """:func:`npm_version`, or '' for a version with four release numbers (a hotfix
    X.Y.Z.N or a dev build after one), which is published to PyPI only.

    >>> npm_form(Version("0.2.10.2.dev20261203")), npm_form(Version("0.2.11"))
    ('', '0.2.11')
    """
    return "" if len(version.release) == 4 else npm_version(version)


def npm_version(version: Version) -> str:
    """The npm (SemVer 2) form of a version we produce, preserving PEP 440 order.

    * ``X.Y.Z`` -> ``X.Y.Z``; ``X.Y.ZrcN`` -> ``X.Y.Z-rc.N`` (``a`` -> ``alpha``,
      ``b`` -> ``beta``), so ``rc.10`` sorts after ``rc.2``.
    * ``X.Y.Z.devN`` -> ``X.Y.Z-dev.N``: the nightly form Llama Stack already
      publishes. Known exception: SemVer sorts ``dev`` after ``alpha`` and
      ``beta``, so ``X.Y.Z.devN`` vs ``X.Y.ZaM``/``X.Y.ZbM`` of the same X.Y.Z is
      the one pair whose order npm inverts (dev vs ``rc`` is kept).
    * ``X.Y.ZrcN.devM`` (N >= 1) -> ``X.Y.Z-rc.(N-1).dev.M``: "a dev build after
      rc.(N-1)", which sorts after ``rc.(N-1)`` and before ``rc.N`` as PEP 440 wants.
      ``rc0.devM`` has no such form and is an error.
    * Epochs, ``.post`` and local versions are errors.
    """
    text = str(version)
    if version.epoch:
        raise InvalidValueError("npm version", text, "a version without an epoch (N!)")
    if version.post is not None:
        raise InvalidValueError(
            "npm version", text, "a version without .postN", fix="release the next patch instead"
        )
    if version.local is not None:
        raise InvalidValueError("npm version", text, "a version without a local part (+...)")
    release = (*version.release, 0, 0)[:3]
    if len(version.release) > 3:
        raise InvalidValueError("npm version", text, "at most three release numbers X.Y.Z")
    core = ".".join(str(n) for n in release)
    if version.pre is None:
        return core if version.dev is None else f"{core}-dev.{version.dev}"
    kind, number = version.pre
    label = _NPM_PRE[kind]
    if version.dev is None:
        return f"{core}-{label}.{number}"
    if number == 0:
        raise InvalidValueError(
            "npm version", text, "a dev build of pre-release 1 or later (e.g. 0.6.0rc1.dev5)"
        )
    return f"{core}-{label}.{number - 1}.dev.{version.dev}"
