"""What main develops, and whether a release may move it: one decision for post-release's
dev tag and its ``fallback_version`` bump.

Main develops the highest of its dev tags (``vX.Y.Z-dev``: setuptools-scm infers
``X.Y.Z.devN`` from the nearest one) and of its ``fallback_version`` values (the
version when no tag is reachable). A release whose next dev version is below that
must leave main alone, both steps: a dev tag alone would move setuptools-scm's
inferred version backwards even though the bump is skipped.

>>> develops = main_develops(["v0.7.2-dev", "v0.6.0"], {"pyproject.toml": "0.8.0.dev0"})
>>> develops
MainLine(version=<Version('0.8.0')>, source='fallback_version 0.8.0.dev0 in pyproject.toml')
>>> print(leave_main_alone(Version("0.7.3"), develops)[:59])
main already develops 0.8.0 (fallback_version 0.8.0.dev0 in
>>> leave_main_alone(Version("0.8.0"), develops) is None
True
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import NamedTuple

from packaging.version import InvalidVersion, Version

from release_actions.core.conventions import DEFAULT, Conventions
from release_actions.core.errors import InvalidValueError
from release_actions.core.versions import DevTag, parse_tag

__all__ = ["MainLine", "leave_main_alone", "main_develops"]


class MainLine(NamedTuple):
    """The base version main develops (None: nothing known) and where that comes from."""

    version: Version | None
    source: str


def main_develops(
    tag_names: Iterable[str], fallbacks: Mapping[str, str], conventions: Conventions = DEFAULT
) -> MainLine:
    """The highest base version among main's dev tags (in any of the dev-tag forms, with
    the prefix of ``conventions``; other tags are ignored) and the ``fallback_version`` of
    each managed pyproject on main (path -> value)."""
    candidates: list[tuple[Version, str]] = []
    for name in tag_names:
        try:
            tag = parse_tag(name, conventions)
        except InvalidValueError:
            continue
        if isinstance(tag, DevTag):
            candidates.append((tag.version, tag.name))
    for path, value in sorted(fallbacks.items()):
        try:
            version = Version(value)
        except InvalidVersion:
            continue
        candidates.append((Version(version.base_version), f"fallback_version {value} in {path}"))
    if not candidates:
        return MainLine(None, "")
    version, source = max(candidates, key=lambda c: c[0])
    return MainLine(version, source)


def leave_main_alone(next_base: Version, develops: MainLine, branch: str = "main") -> str | None:
    """Why the default ``branch`` must not move to ``next_base`` (None: it may, or it is
    there already)."""
    if develops.version is not None and develops.version > next_base:
        return (
            f"{branch} already develops {develops.version} ({develops.source}); "
            f"not moving it back to {next_base}"
        )
    return None
