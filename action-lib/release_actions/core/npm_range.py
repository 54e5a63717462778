"""npm version ranges (node-semver semantics): does a locked version satisfy a range?

The grammar of node-semver, without its ``loose`` and ``includePrerelease``
options: ``||`` alternatives of space-separated comparators; each comparator is
a caret (``^1.2.3``), a tilde (``~1.2.3``), a primitive (``>=1.2``, ``<2``,
``=1.2.3``), an X-range (``1.2.x``, ``1``, ``*``, ``""``) or a hyphen range
(``1.2.3 - 2.3``). Every form is reduced to plain comparators exactly as
node-semver does, e.g. ``^0.2.3`` to ``>=0.2.3 <0.3.0-0``.

Pre-releases follow npm's rule: ``1.3.0-rc.1`` satisfies a comparator set only
if one of its comparators names a pre-release of the same ``1.3.0``, so
``^1.2.3`` does not admit ``1.3.0-rc.1`` while ``^1.3.0-rc.0`` does.

>>> satisfies("^0.7.1", "0.7.4"), satisfies("^0.7.1", "0.8.0")
(True, False)
>>> satisfies("~1.2", "1.2.9"), satisfies("1.2.3 - 1.4", "1.4.7"), satisfies("<1 || >=2", "1.5.0")
(True, True, False)
>>> satisfies("^0.8.0-rc.1", "0.8.0-rc.2"), satisfies("^0.7.1", "0.8.0-rc.2")
(True, False)
"""

from __future__ import annotations

import re
from typing import NamedTuple

import semver

from release_actions.core.errors import InvalidValueError

__all__ = ["Comparator", "parse_range", "satisfies"]

RANGE_FORMS = "an npm semver range such as ^1.2.3, ~1.2, 1.2.x, >=1.2.3 <2 or 1.2.3 - 2"

_NR = r"0|[1-9]\d*"
_XR = rf"(?:[xX*]|{_NR})"
_PARTIAL_RE = re.compile(
    rf"^v?(?P<M>{_XR})(?:\.(?P<m>{_XR})(?:\.(?P<p>{_XR})"
    r"(?:-(?P<pre>[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?"
    r"(?:\+(?P<build>[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?)?)?$"
)
_OP_RE = re.compile(r"^(?P<op><=|>=|<|>|=|\^|~>|~)?(?P<rest>.*)$")
_HYPHEN_RE = re.compile(r"^(?P<a>\S+)\s+-\s+(?P<b>\S+)$")
_OP_SPACE_RE = re.compile(r"(<=|>=|<|>|=|\^|~>|~)\s+")


class Comparator(NamedTuple):
    """``op`` one of ``<``, ``<=``, ``>``, ``>=``, ``=``; ``version`` None means "any"."""

    op: str
    version: semver.Version | None

    def test(self, version: semver.Version) -> bool:
        if self.version is None:
            return True
        cmp = version.compare(self.version)
        return {
            "<": cmp < 0,
            "<=": cmp <= 0,
            ">": cmp > 0,
            ">=": cmp >= 0,
            "=": cmp == 0,
        }[self.op]

    def __str__(self) -> str:
        return "*" if self.version is None else f"{self.op}{self.version}"


ANY = Comparator(">=", None)
NOTHING = Comparator("<", semver.Version(0, 0, 0, "0"))


class _Partial(NamedTuple):
    major: int | None
    minor: int | None
    patch: int | None
    pre: str | None


def _partial(text: str, whole: str) -> _Partial:
    match = _PARTIAL_RE.match(text)
    if match is None:
        raise InvalidValueError("npm range", whole, RANGE_FORMS)

    def number(group: str) -> int | None:
        value = match[group]
        return None if value is None or value in ("x", "X", "*") else int(value)

    major, minor, patch = number("M"), number("m"), number("p")
    if major is None:
        minor = patch = None
    elif minor is None:
        patch = None
    return _Partial(major, minor, patch, match["pre"] if patch is not None else None)


def _v(major: int, minor: int, patch: int, pre: str | None = None) -> semver.Version:
    return semver.Version(major, minor, patch, pre)


def _caret(p: _Partial) -> list[Comparator]:
    if p.major is None:
        return [ANY]
    if p.minor is None:
        return [Comparator(">=", _v(p.major, 0, 0)), Comparator("<", _v(p.major + 1, 0, 0, "0"))]
    if p.patch is None:
        upper = _v(0, p.minor + 1, 0, "0") if p.major == 0 else _v(p.major + 1, 0, 0, "0")
        return [Comparator(">=", _v(p.major, p.minor, 0)), Comparator("<", upper)]
    low = Comparator(">=", _v(p.major, p.minor, p.patch, p.pre))
    if p.major != 0:
        return [low, Comparator("<", _v(p.major + 1, 0, 0, "0"))]
    if p.minor != 0:
        return [low, Comparator("<", _v(0, p.minor + 1, 0, "0"))]
    return [low, Comparator("<", _v(0, 0, p.patch + 1, "0"))]


def _tilde(p: _Partial) -> list[Comparator]:
    if p.major is None:
        return [ANY]
    if p.minor is None:
        return [Comparator(">=", _v(p.major, 0, 0)), Comparator("<", _v(p.major + 1, 0, 0, "0"))]
    low = _v(p.major, p.minor, p.patch or 0, p.pre)
    return [Comparator(">=", low), Comparator("<", _v(p.major, p.minor + 1, 0, "0"))]


def _xrange(p: _Partial) -> list[Comparator]:
    if p.major is None:
        return [ANY]
    if p.minor is None:
        return [Comparator(">=", _v(p.major, 0, 0)), Comparator("<", _v(p.major + 1, 0, 0, "0"))]
    if p.patch is None:
        return [
            Comparator(">=", _v(p.major, p.minor, 0)),
            Comparator("<", _v(p.major, p.minor + 1, 0, "0")),
        ]
    return [Comparator("=", _v(p.major, p.minor, p.patch, p.pre))]


def _primitive(op: str, p: _Partial) -> list[Comparator]:
    if p.major is None:
        return [NOTHING] if op in ("<", ">") else [ANY]
    if p.patch is not None:
        return [Comparator(op, _v(p.major, p.minor or 0, p.patch, p.pre))]
    major, minor = p.major, p.minor or 0
    if op == ">":  # >1 is >=2.0.0, >1.2 is >=1.3.0
        bump = _v(major + 1, 0, 0) if p.minor is None else _v(major, minor + 1, 0)
        return [Comparator(">=", bump)]
    if op == "<=":  # <=1.2 is <1.3.0-0
        bump = _v(major + 1, 0, 0, "0") if p.minor is None else _v(major, minor + 1, 0, "0")
        return [Comparator("<", bump)]
    if op == "<":
        return [Comparator("<", _v(major, minor, 0, "0"))]
    return [Comparator(">=", _v(major, minor, 0))]


def _hyphen(a: _Partial, b: _Partial) -> list[Comparator]:
    result: list[Comparator] = []
    if a.major is not None:
        result.append(Comparator(">=", _v(a.major, a.minor or 0, a.patch or 0, a.pre)))
    if b.major is not None:
        if b.minor is None:
            result.append(Comparator("<", _v(b.major + 1, 0, 0, "0")))
        elif b.patch is None:
            result.append(Comparator("<", _v(b.major, b.minor + 1, 0, "0")))
        else:
            result.append(Comparator("<=", _v(b.major, b.minor, b.patch, b.pre)))
    return result or [ANY]


def _comparator_set(text: str, whole: str) -> list[Comparator]:
    text = _OP_SPACE_RE.sub(r"\1", text.strip())
    hyphen = _HYPHEN_RE.match(text)
    if hyphen:
        return _hyphen(_partial(hyphen["a"], whole), _partial(hyphen["b"], whole))
    result: list[Comparator] = []
    for word in text.split():
        match = _OP_RE.match(word)
        assert match is not None  # the pattern matches any string
        op, partial = match["op"] or "", _partial(match["rest"], whole)
        if op == "^":
            result += _caret(partial)
        elif op in ("~", "~>"):
            result += _tilde(partial)
        elif op in ("", "="):
            result += _xrange(partial)
        else:
            result += _primitive(op, partial)
    return result or [ANY]


def parse_range(text: str) -> list[list[Comparator]]:
    """The range as alternatives (``||``) of comparator sets; an error for other specs.

    Tags (``latest``), URLs, ``file:``, ``workspace:`` and ``npm:`` aliases are
    not ranges and raise :class:`~release_actions.core.errors.InvalidValueError`.

    >>> [[str(c) for c in s] for s in parse_range("^0.0.3 || 1.2.x")]
    [['>=0.0.3', '<0.0.4-0'], ['>=1.2.0', '<1.3.0-0']]
    """
    if not isinstance(text, str):
        raise InvalidValueError("npm range", text, RANGE_FORMS)
    return [_comparator_set(part, text) for part in text.split("||")]


def _test_set(comparators: list[Comparator], version: semver.Version) -> bool:
    if not all(c.test(version) for c in comparators):
        return False
    if not version.prerelease:
        return True
    core = version.finalize_version()
    return any(
        c.version is not None and c.version.prerelease and c.version.finalize_version() == core
        for c in comparators
    )


def satisfies(range_text: str, version: str) -> bool:
    """True if the npm ``version`` satisfies ``range_text`` (node-semver's ``satisfies``)."""
    if not isinstance(version, str) or not semver.Version.is_valid(version.removeprefix("v")):
        raise InvalidValueError("npm version", version, "a SemVer version such as 1.2.3")
    parsed = semver.Version.parse(version.removeprefix("v"))
    return any(_test_set(s, parsed) for s in parse_range(range_text))
