"""The pure text edits of a version stamp, one per file kind (text in, text out).

Each ``stamp_*`` function takes a file's text and the version, and returns
(new text, old version). Only the bytes of the version value change: quotes,
comments (the ``# x-release-please-version`` marker), spacing and line endings
stay as they were. Which files to edit, and writing them, is
:mod:`release_actions.steps.stamp`'s job.

* ``pyproject.toml``: ``[project] version`` (tomlkit, via
  :mod:`release_actions.edits.pyproject`'s parser);
* ``_version.py``: the module-level ``__version__ = "..."``;
* ``src/version.ts``: ``export const VERSION = '...'``;
* ``package.json`` / ``package-lock.json``: :mod:`release_actions.edits.npm_manifest`.

>>> text = '__title__ = "x"\\n__version__ = "0.7.1"  # x-release-please-version\\n'
>>> new, old = stamp_version_py(text, Version("0.8.0rc1"))
>>> print(new, end="")
__title__ = "x"
__version__ = "0.8.0rc1"  # x-release-please-version
>>> old
'0.7.1'
>>> stamp_version_ts("export const VERSION = '0.7.1'; // x-release-please-version\\n",
...                  "0.8.0-rc.1")[0]
"export const VERSION = '0.8.0-rc.1'; // x-release-please-version\\n"
"""

from __future__ import annotations

import json
import re
from typing import Any

from packaging.version import Version
from tomlkit.items import String

from release_actions.core.errors import ReleaseActionsError
from release_actions.core.scm_pretend import pretend_variable
from release_actions.edits.npm_manifest import set_lockfile_root_version, set_package_version
from release_actions.edits.pyproject import parse_toml, same_kind_string, toml_table

__all__ = [
    "NO_VERSION_FILE",
    "TS_VERSION_FILE",
    "stamp_package_json",
    "stamp_package_lock",
    "stamp_pyproject",
    "stamp_version_py",
    "stamp_version_ts",
]

NO_VERSION_FILE = "none"
"""``version_file`` value for a package that has no version file besides its manifest."""

TS_VERSION_FILE = "src/version.ts"

# Module-level assignments only (column 0); the string literal is what gets replaced.
_PY_ASSIGN_RE = re.compile(r"^__version__[ \t]*(?::[^=\n]*)?=(?!=)", re.M)
_PY_LITERAL_RE = re.compile(
    r"^__version__[ \t]*(?::[ \t]*str[ \t]*)?=[ \t]*"
    r"(?P<q>\"\"\"|'''|\"|')(?P<ver>[^\"'\\\r\n]*)(?P=q)",
    re.M,
)
_TS_ASSIGN_RE = re.compile(
    r"^[ \t]*(?:export[ \t]+(?:const|let|var)[ \t]+|exports\.)VERSION\b[ \t]*(?::[^=\n]*)?=(?!=)",
    re.M,
)
_TS_LITERAL_RE = re.compile(
    r"^[ \t]*(?:export[ \t]+(?:const|let|var)[ \t]+|exports\.)VERSION[ \t]*"
    r"(?::[ \t]*string[ \t]*)?=[ \t]*(?P<q>[\"'`])(?P<ver>[^\"'`\\$\r\n]*)(?P=q)",
    re.M,
)


def stamp_pyproject(
    text: str, version: Version, *, path_for_errors: str = "pyproject.toml"
) -> tuple[str, str]:
    """Set ``[project] version``, and only there. Returns (new text, old version).

    The quote style and a trailing comment are kept; a ``version`` key in any
    other table (``[tool.poetry]``, ``[tool.something]``) is left alone.

    Errors: no ``[project]`` table; a ``dynamic`` version (build with
    setuptools-scm's pretend version instead); no static version; a version
    that is not a string.

    >>> text = '[project]\\nname = "c"\\nversion = "0.7.1"\\n[tool.x]\\nversion = "9"\\n'
    >>> print(stamp_pyproject(text, Version("0.8.0"))[0], end="")
    [project]
    name = "c"
    version = "0.8.0"
    [tool.x]
    version = "9"
    """
    doc = parse_toml(text, path_for_errors)
    project = toml_table(doc, "project")
    if project is None:
        raise ReleaseActionsError(
            f"{path_for_errors} has no [project] table, so there is no [project] version to stamp.",
            fix=f'add [project] with name and version = "{version}" to {path_for_errors}, or'
            " stamp a different package (--package-dir)",
            title="Missing [project]",
        )
    dynamic = project.get("dynamic")
    if isinstance(dynamic, list) and "version" in dynamic:
        name = project.get("name")
        variable = pretend_variable(name if isinstance(name, str) else "NAME")
        raise ReleaseActionsError(
            f'{path_for_errors}: [project] version is dynamic (dynamic = ["version"]), so there'
            " is no static version to stamp.",
            fix=f"build with setuptools-scm's pretend version instead:"
            f" {variable}={version} (setuptools-scm must be"
            " installed in the build environment)",
            title="Dynamic version",
        )
    if "version" not in project:
        raise ReleaseActionsError(
            f"{path_for_errors}: [project] has no version key.",
            fix=f'add version = "{version}" to [project] in {path_for_errors}',
            title="Missing [project] version",
        )
    old = project["version"]
    if not isinstance(old, String):
        raise ReleaseActionsError(
            f"{path_for_errors}: [project] version is {old!r}, not a string.",
            fix=f'write it as a quoted version: version = "{version}"',
            title="Invalid [project] version",
        )
    new_value = str(version)
    if str(old) == new_value:
        return text, str(old)
    new_item = same_kind_string(old, new_value)
    old_literal, new_literal = old.as_string(), new_item.as_string()
    project["version"] = new_item
    new_text = doc.as_string()
    _check_only_literal_changed(text, new_text, old_literal, new_literal, path_for_errors)
    return new_text, str(old)


def _stamp_assignment(
    text: str,
    value: str,
    *,
    assign_re: re.Pattern[str],
    literal_re: re.Pattern[str],
    looked_for: str,
    example: str,
    path_for_errors: str,
) -> tuple[str, str]:
    """Replace the string literal of the one assignment ``assign_re`` finds."""
    assignments = assign_re.findall(text)
    literals = list(literal_re.finditer(text))
    if not assignments:
        raise ReleaseActionsError(
            f"{path_for_errors} has no {looked_for} line, so there is nothing to stamp (was the"
            " package or its version variable renamed?).",
            fix=f"add the line {example} to {path_for_errors}, or point --version-file at the"
            " file that holds the version",
            title="No version to stamp",
        )
    if len(assignments) > 1:
        raise ReleaseActionsError(
            f"{path_for_errors} has {len(assignments)} {looked_for} lines; which one to stamp is"
            " ambiguous.",
            fix=f"keep a single module-level {example} line in {path_for_errors}",
            title="Ambiguous version",
        )
    if len(literals) != 1:
        line = next(ln for ln in text.splitlines() if assign_re.match(ln))
        raise ReleaseActionsError(
            f"{path_for_errors}: {line.strip()!r} does not assign a plain string literal.",
            fix=f"write it as {example}, or pass --version-file {NO_VERSION_FILE} if it reads"
            " the version from the manifest",
            title="Unsupported version line",
        )
    match = literals[0]
    old = match["ver"]
    if old == value:
        return text, old
    return text[: match.start("ver")] + value + text[match.end("ver") :], old


def stamp_version_py(
    text: str, version: Version, *, path_for_errors: str = "_version.py"
) -> tuple[str, str]:
    """Set the module-level ``__version__ = "..."`` string. Returns (new text, old version).

    The quote style and the rest of the line (``# x-release-please-version``)
    are kept. Errors: no ``__version__ =`` line at column 0 (nothing to
    stamp), more than one, or one that is not a plain string literal.
    """
    return _stamp_assignment(
        text,
        str(version),
        assign_re=_PY_ASSIGN_RE,
        literal_re=_PY_LITERAL_RE,
        looked_for="module-level `__version__ = ...`",
        example=f'__version__ = "{version}"  # x-release-please-version',
        path_for_errors=path_for_errors,
    )


def stamp_version_ts(
    text: str, npm_version: str, *, path_for_errors: str = TS_VERSION_FILE
) -> tuple[str, str]:
    """Set ``export const VERSION = '...'``. Returns (new text, old version).

    ``npm_version`` is the npm form. Quotes, the ``;`` and the
    ``// x-release-please-version`` comment are kept; ``exports.VERSION = ...``
    (compiled CommonJS) is accepted too. Errors as for :func:`stamp_version_py`.
    """
    return _stamp_assignment(
        text,
        npm_version,
        assign_re=_TS_ASSIGN_RE,
        literal_re=_TS_LITERAL_RE,
        looked_for="`export const VERSION = ...`",
        example=f"export const VERSION = '{npm_version}'; // x-release-please-version",
        path_for_errors=path_for_errors,
    )


def _json_string_at(text: str, path: tuple[str, ...]) -> str:
    try:
        target: Any = json.loads(text)
    except json.JSONDecodeError:
        return ""  # the npm_edit helper reports invalid JSON with its fix
    for key in path:
        target = target.get(key) if isinstance(target, dict) else None
    return target if isinstance(target, str) else ""


def stamp_package_json(
    text: str, npm_version: str, *, path_for_errors: str = "package.json"
) -> tuple[str, str]:
    """Set the top-level ``"version"`` (:func:`npm_edit.set_package_version`)."""
    old = _json_string_at(text, ("version",))
    return set_package_version(text, npm_version, path_for_errors=path_for_errors), old


def stamp_package_lock(
    text: str, npm_version: str, *, path_for_errors: str = "package-lock.json"
) -> tuple[str, str]:
    """Set ``version`` and ``packages[""].version`` (:func:`npm_edit.set_lockfile_root_version`).

    The old value reported is the top-level one.
    """
    old = _json_string_at(text, ("version",))
    return set_lockfile_root_version(text, npm_version, path_for_errors=path_for_errors), old


def _check_only_literal_changed(
    before: str, after: str, old_literal: str, new_literal: str, path_for_errors: str
) -> None:
    """Prove that ``after`` is ``before`` with one occurrence of the literal replaced."""
    size = len(old_literal)
    start = before.find(old_literal)
    while start >= 0:
        if before[:start] + new_literal + before[start + size :] == after:
            return
        start = before.find(old_literal, start + 1)
    raise ReleaseActionsError(  # pragma: no cover - a tomlkit round-trip bug
        f"stamping {path_for_errors} would change more than the version value.",
        fix="report this as a release-actions bug, with the file",
        title="Unsafe edit",
    )
