"""Format-preserving edits of ``package.json`` and ``package-lock.json``.

Edits are targeted: the JSON is parsed with the json module's own scanner to
find the exact span of the one value, and only that span is replaced (by
``json.dumps`` of the new string). Indentation (2 or 4 spaces, tabs), key
order, line endings, hand formatting and the trailing newline are untouched by
construction, and every edit is checked by re-parsing: the result must equal
the original document with that one value changed.

>>> text = '{\\n  "dependencies": {\\n    "llama-stack-client": "^0.5.0"\\n  }\\n}\\n'
>>> new, old_range, new_range = set_npm_dependency(
...     text, "llama-stack-client", "0.6.0", path_for_errors="package.json")
>>> print(new, end="")
{
  "dependencies": {
    "llama-stack-client": "^0.6.0"
  }
}
>>> old_range, new_range
('^0.5.0', '^0.6.0')
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Sequence
from typing import Any

import semver

from release_actions.core.errors import InvalidValueError, ReleaseActionsError

__all__ = [
    "DEPENDENCY_SECTIONS",
    "depends_on",
    "lockfile_dependency_version",
    "set_lockfile_root_version",
    "set_npm_dependency",
    "set_package_version",
]

DEPENDENCY_SECTIONS = (
    "dependencies",
    "devDependencies",
    "peerDependencies",
    "optionalDependencies",
)

# A simple range: one optional operator and one version (partial versions allowed).
_SIMPLE_RANGE_RE = re.compile(
    r"^(?P<op>\^|~|>=|=)?(?P<ws>\s*)"
    r"(?P<ver>(?:0|[1-9]\d*)(?:\.(?:0|[1-9]\d*)){0,2}(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?)$"
)
_WS_RE = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


# --------------------------------------------------------------------------- reading


def _load(text: str, path_for_errors: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ReleaseActionsError(
            f"{path_for_errors} is not valid JSON: {exc}",
            fix=f"fix the JSON syntax of {path_for_errors}",
            title="Invalid JSON",
        ) from exc


def depends_on(text: str, package: str, *, path_for_errors: str = "package.json") -> bool:
    """Whether the manifest lists ``package`` in any of :data:`DEPENDENCY_SECTIONS`.

    >>> depends_on('{"devDependencies": {"llama-stack-client": "^0.5.0"}}', "llama-stack-client")
    True
    """
    manifest = _load_manifest(text, path_for_errors)
    return any(package in manifest.get(section, {}) for section in DEPENDENCY_SECTIONS)


def _load_manifest(text: str, path_for_errors: str) -> dict[str, Any]:
    """A package.json: a JSON object whose dependency sections are objects of strings."""
    manifest = _load(text, path_for_errors)
    if not isinstance(manifest, dict):
        raise ReleaseActionsError(
            f"{path_for_errors} is a JSON {_json_type(manifest)}, not an object.",
            fix=f'make {path_for_errors} a JSON object ({{"name": ..., "dependencies": {{...}}}})',
            title="Invalid package.json",
        )
    for section in DEPENDENCY_SECTIONS:
        value = manifest.get(section, {})
        if not isinstance(value, dict):
            raise ReleaseActionsError(
                f'{path_for_errors}: "{section}" is a JSON {_json_type(value)}, not an object.',
                fix=f'make "{section}" an object of package ranges in {path_for_errors}'
                " (or remove it)",
                title="Invalid package.json",
            )
        for name, spec in value.items():
            if not isinstance(spec, str):
                raise ReleaseActionsError(
                    f'{path_for_errors}: "{section}"[{name!r}] is a JSON {_json_type(spec)},'
                    " not a string range.",
                    fix=f'write it as a range string, e.g. "{name}": "^1.0.0"',
                    title="Invalid package.json",
                )
    return manifest


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    return "string" if isinstance(value, str) else "number"


# --------------------------------------------------------------------------- targeted edits


def _skip_ws(text: str, pos: int) -> int:
    match = _WS_RE.match(text, pos)
    assert match is not None
    return match.end()


def _members(text: str, pos: int) -> dict[str, tuple[int, int]]:
    """Key -> (start, end) of each value of the JSON object starting at ``pos``.

    ``text`` is known to be valid JSON (it was parsed first). A duplicate key
    maps to its last occurrence, the one ``JSON.parse`` and ``json.loads`` use.
    """
    assert text[pos] == "{"
    result: dict[str, tuple[int, int]] = {}
    pos = _skip_ws(text, pos + 1)
    if text[pos] == "}":
        return result
    while True:
        key, pos = _DECODER.raw_decode(text, pos)
        pos = _skip_ws(text, pos)
        assert text[pos] == ":"
        start = _skip_ws(text, pos + 1)
        _, end = _DECODER.raw_decode(text, start)
        result[key] = (start, end)
        pos = _skip_ws(text, end)
        if text[pos] == "}":
            return result
        assert text[pos] == ","
        pos = _skip_ws(text, pos + 1)


def _span(text: str, path: Sequence[str]) -> tuple[int, int] | None:
    """The (start, end) of the value at ``path`` (object keys), or None if absent."""
    start, end = _skip_ws(text, 0), len(text)
    for key in path:
        if text[start] != "{":
            return None
        members = _members(text, start)
        if key not in members:
            return None
        start, end = members[key]
    return start, end


def _replace(
    text: str, document: Any, path: Sequence[str], value: str, path_for_errors: str
) -> str:
    """Replace the string at ``path`` by ``value``; check that nothing else changed."""
    span = _span(text, path)
    assert span is not None, path
    new_text = text[: span[0]] + json.dumps(value, ensure_ascii=False) + text[span[1] :]
    expected = copy.deepcopy(document)
    target = expected
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    if json.loads(new_text) != expected:  # pragma: no cover - a bug in the scanner above
        raise ReleaseActionsError(
            f"editing {'.'.join(path)} in {path_for_errors} changed more than that value.",
            fix="report this as a release-actions bug, with the file",
            title="Unsafe JSON edit",
        )
    return new_text


def _check_npm_version(npm_version: str) -> None:
    if not isinstance(npm_version, str) or not semver.Version.is_valid(npm_version):
        raise InvalidValueError(
            "npm version",
            npm_version,
            "a SemVer 2 version such as 0.6.0 or 0.6.0-rc.1",
            fix="derive it with release_actions.core.versions.npm_version()",
        )


def set_npm_dependency(
    text: str, package: str, npm_version: str, *, path_for_errors: str
) -> tuple[str, str, str]:
    """Point the dependency on ``package`` at ``npm_version``, keeping the range style.

    ``^0.5.0`` -> ``^V``, ``~0.5.0`` -> ``~V``, ``0.5.0`` -> ``V``,
    ``>=0.5.0`` -> ``>=V`` (``=0.5.0`` -> ``=V``; partial versions such as
    ``^0.5`` count as simple). The dependency is updated in every section that
    lists it (dependencies, devDependencies, peerDependencies,
    optionalDependencies); the returned (old range, new range) are those of the
    first such section. Returns (new text, old range, new range).

    Errors: ``package`` is not a dependency (it is never added); a range that is
    not one simple comparator (``^0.5 || ^0.6``, ``*``, ``latest``, ``x``
    ranges, ``file:``/``git``/``workspace:``/``npm:`` specs, URLs).
    """
    _check_npm_version(npm_version)
    document = _load_manifest(text, path_for_errors)
    sections = [section for section in DEPENDENCY_SECTIONS if package in document.get(section, {})]
    if not sections:
        raise ReleaseActionsError(
            f"{path_for_errors} does not depend on {package!r} (looked in"
            f" {', '.join(DEPENDENCY_SECTIONS)}); the client package may have been renamed.",
            fix=f"add {package!r} to {path_for_errors} by hand, or configure the right npm"
            " package name (npm-package) or package.json list (package-jsons)",
            title="Missing npm dependency",
        )
    first: tuple[str, str] | None = None
    for section in sections:
        old = document[section][package]
        match = _SIMPLE_RANGE_RE.match(old) if isinstance(old, str) else None
        if match is None:
            raise ReleaseActionsError(
                f"{path_for_errors}: {section}[{package!r}] is {old!r}, not a simple range"
                " (^X.Y.Z, ~X.Y.Z, X.Y.Z or >=X.Y.Z), so the release cannot tell how to"
                " update it.",
                fix=f'set it by hand to a simple range such as "^{npm_version}", or drop'
                f" {path_for_errors} from the managed package.json list",
                title="Unsupported npm range",
            )
        new = f"{match['op'] or ''}{match['ws']}{npm_version}"
        if new != old:
            text = _replace(text, document, (section, package), new, path_for_errors)
            document[section][package] = new
        if first is None:
            first = (old, new)
    assert first is not None
    return text, first[0], first[1]


def set_package_version(
    text: str, npm_version: str, *, path_for_errors: str = "package.json"
) -> str:
    """Set the top-level ``"version"`` of a package.json (it must exist)."""
    _check_npm_version(npm_version)
    document = _load(text, path_for_errors)
    if not isinstance(document, dict) or not isinstance(document.get("version"), str):
        raise ReleaseActionsError(
            f'{path_for_errors} has no top-level "version" string.',
            fix=f'add "version": "{npm_version}" to {path_for_errors}',
            title="Missing version",
        )
    if document["version"] == npm_version:
        return text
    return _replace(text, document, ("version",), npm_version, path_for_errors)


def set_lockfile_root_version(
    text: str, npm_version: str, *, path_for_errors: str = "package-lock.json"
) -> str:
    """Set ``version`` and ``packages[""].version`` of a package-lock.json.

    ``packages`` is absent from lockfileVersion 1 files; then only the top-level
    version is set. A missing top-level version, or a ``packages[""]`` entry
    without a version, is an error (regenerate the lock).
    """
    _check_npm_version(npm_version)
    document = _load(text, path_for_errors)
    paths: list[tuple[str, ...]] = [("version",)]
    packages = document.get("packages") if isinstance(document, dict) else None
    if isinstance(packages, dict) and "" in packages:
        paths.append(("packages", "", "version"))
    for path in paths:
        target: Any = document
        for key in path[:-1]:
            target = target[key]
        if not isinstance(target, dict) or not isinstance(target.get(path[-1]), str):
            where = "top-level" if len(path) == 1 else 'packages[""]'
            raise ReleaseActionsError(
                f'{path_for_errors} has no {where} "version" string.',
                fix="regenerate the lock with npm install --package-lock-only after setting"
                " the version in package.json",
                title="Missing lockfile version",
            )
        if target[path[-1]] != npm_version:
            text = _replace(text, document, path, npm_version, path_for_errors)
            target[path[-1]] = npm_version
    return text


def lockfile_dependency_version(lock_text: str, package: str) -> str | None:
    """The locked version of ``package``: ``packages["node_modules/<package>"].version``.

    lockfileVersion 1 files (no ``packages``) are read from
    ``dependencies[<package>].version``. None when the package is not locked.
    """
    document = _load(lock_text, "package-lock.json")
    if not isinstance(document, dict):
        return None
    packages = document.get("packages")
    if isinstance(packages, dict):
        entry = packages.get(f"node_modules/{package}")
    else:
        dependencies = document.get("dependencies")
        entry = dependencies.get(package) if isinstance(dependencies, dict) else None
    version = entry.get("version") if isinstance(entry, dict) else None
    return version if isinstance(version, str) else None
