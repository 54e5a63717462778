"""Format-preserving edits of ``pyproject.toml``: ``fallback_version`` and scm config.

Every edit goes through tomlkit, which keeps comments, spacing, quoting and key
order; only the bytes of the edited values change. The functions are pure (text
in, text out) so that callers can show a diff before writing (``--dry-run``).
Pins of sibling packages live in :mod:`release_actions.edits.pins`.
"""

from __future__ import annotations

from typing import Any

import tomlkit
from tomlkit.exceptions import TOMLKitError
from tomlkit.items import Array, InlineTable, String, Table
from tomlkit.toml_document import TOMLDocument

from release_actions.core.errors import ReleaseActionsError

__all__ = [
    "ensure_scm_config",
    "has_scm_config",
    "match_line_endings",
    "parse_toml",
    "raw_string",
    "read_fallback_version",
    "same_kind_string",
    "set_fallback_version",
    "toml_table",
]


SCM_TABLE = "[tool.setuptools_scm]"


# ---------------------------------------------------------- tomlkit helpers (shared by the edits)


def parse_toml(text: str, path: str) -> TOMLDocument:
    """The tomlkit document of ``text``; invalid TOML is an error naming ``path``."""
    try:
        return tomlkit.parse(text)
    except TOMLKitError as exc:
        raise ReleaseActionsError(
            f"{path} is not valid TOML: {exc}",
            fix=f"fix the TOML syntax of {path} (or list the managed files explicitly)",
            title="Invalid TOML",
        ) from exc


def toml_table(container: Any, key: str) -> Any | None:
    """``container[key]`` if it is a table (regular, super, inline or dotted), else None."""
    if container is None or key not in container:
        return None
    value = container[key]
    return value if isinstance(value, (dict, Table, InlineTable)) else None


def _scm_table(doc: TOMLDocument) -> Any | None:
    return toml_table(toml_table(doc, "tool"), "setuptools_scm")


def same_kind_string(old: Any, value: str) -> String:
    """A TOML string holding ``value``, quoted like ``old`` when ``old`` is a string."""
    if isinstance(old, String):
        return String.from_raw(value, old.type)
    return tomlkit.string(value)


def raw_string(item: String) -> str:
    """The text between the delimiters of a TOML string, escapes as written."""
    quote = item.type.value
    return item.as_string()[len(quote) : -len(quote)]


def has_scm_config(text: str, *, path_for_errors: str = "pyproject.toml") -> bool:
    """Whether the file has a ``[tool.setuptools_scm]`` table (its version is managed).

    >>> has_scm_config('[tool.setuptools_scm]\\nfallback_version = "0.1.0"\\n')
    True
    >>> has_scm_config('[project]\\nname = "x"\\n')
    False
    """
    return _scm_table(parse_toml(text, path_for_errors)) is not None


# --------------------------------------------------------------------------- fallback_version


def read_fallback_version(text: str, *, path_for_errors: str = "pyproject.toml") -> str | None:
    """``[tool.setuptools_scm] fallback_version``, or None if the table or the key is missing.

    >>> read_fallback_version('[tool.setuptools_scm]\\nfallback_version = "0.7.2.dev0"\\n')
    '0.7.2.dev0'
    """
    table = _scm_table(parse_toml(text, path_for_errors))
    if table is None or "fallback_version" not in table:
        return None
    value = table["fallback_version"]
    if not isinstance(value, str):
        raise ReleaseActionsError(
            f"{path_for_errors}: [tool.setuptools_scm] fallback_version is {value!r},"
            " not a string.",
            fix='write it as a quoted version, e.g. fallback_version = "0.1.0.dev0"',
            title="Invalid fallback_version",
        )
    return str(value)


def set_fallback_version(
    text: str, version: str, *, path_for_errors: str = "pyproject.toml"
) -> str:
    """Set ``fallback_version`` in ``[tool.setuptools_scm]``, and only there.

    Quotes, spacing, indentation and comments are kept; a ``fallback_version``
    key in any other table is left alone. A missing key is added at the end of
    the table (line endings as in the file); a missing table is an error (the
    file is not versioned by setuptools-scm).

    >>> set_fallback_version("[tool.setuptools_scm]\\nfallback_version='0.1.0'  # c\\n", "0.2.0")
    "[tool.setuptools_scm]\\nfallback_version='0.2.0'  # c\\n"
    >>> set_fallback_version('[tool.setuptools_scm]\\nroot = "../.."\\n', "0.2.0")
    '[tool.setuptools_scm]\\nroot = "../.."\\nfallback_version = "0.2.0"\\n'
    """
    doc = parse_toml(text, path_for_errors)
    table = _scm_table(doc)
    if table is None:
        raise ReleaseActionsError(
            f"{path_for_errors} has no {SCM_TABLE} table, so it has no fallback_version to set.",
            fix=f'add {SCM_TABLE} with fallback_version = "{version}" (and dynamic = ["version"]'
            " in [project]), or remove the file from the managed pyproject list",
            title="Missing [tool.setuptools_scm]",
        )
    if "fallback_version" not in table:
        table["fallback_version"] = version
        return match_line_endings(text, doc.as_string())
    old = table["fallback_version"]
    if not isinstance(old, str):
        raise ReleaseActionsError(
            f"{path_for_errors}: {SCM_TABLE} fallback_version is {old!r}, not a string.",
            fix=f'write it as a quoted version: fallback_version = "{version}"',
            title="Invalid fallback_version",
        )
    table["fallback_version"] = same_kind_string(old, version)
    return doc.as_string()


def ensure_scm_config(
    text: str,
    *,
    fallback_version: str,
    root: str | None = None,
    path_for_errors: str = "pyproject.toml",
) -> tuple[str, list[str]]:
    """Make the file versioned by setuptools-scm; return the new text and what changed.

    * ``[project] dynamic`` holds ``"version"`` (a ``dynamic`` list is created at
      the end of ``[project]``, or ``"version"`` appended to the existing one);
    * a static ``[project] version`` is removed (and reported);
    * ``[tool.setuptools_scm]`` exists with ``fallback_version`` (and ``root``,
      when given) set to the given values.

    Nothing to do -> the text unchanged and an empty list.
    """
    doc = parse_toml(text, path_for_errors)
    project = toml_table(doc, "project")
    if project is None:
        raise ReleaseActionsError(
            f"{path_for_errors} has no [project] table.",
            fix='add a [project] table with name and dynamic = ["version"]',
            title="Missing [project]",
        )
    changes: list[str] = []
    if "version" in project:
        changes.append(f"removed the static [project] version = {project['version']!r}")
        del project["version"]
    dynamic = project.get("dynamic")
    if dynamic is None:
        array = tomlkit.array()
        array.append("version")
        project["dynamic"] = array
        changes.append('added [project] dynamic = ["version"]')
    elif not isinstance(dynamic, Array):
        raise ReleaseActionsError(
            f"{path_for_errors}: [project] dynamic is {dynamic!r}, not a list.",
            fix='write it as a list, e.g. dynamic = ["version"]',
            title="Invalid [project] dynamic",
        )
    elif "version" not in dynamic:
        dynamic.append("version")
        changes.append('added "version" to [project] dynamic')

    wanted = {"fallback_version": fallback_version}
    if root is not None:
        wanted["root"] = root
    scm = _scm_table(doc)
    if scm is None:
        scm = tomlkit.table()
        for key, value in wanted.items():
            scm[key] = value
        tool = toml_table(doc, "tool")
        if tool is None:
            tool = tomlkit.table(is_super_table=True)
            tool["setuptools_scm"] = scm
            doc["tool"] = tool
        else:
            tool["setuptools_scm"] = scm
        changes.append(
            f"added {SCM_TABLE} with " + ", ".join(f"{k} = {v!r}" for k, v in wanted.items())
        )
    else:
        for key, value in wanted.items():
            old = scm.get(key)
            if old == value and isinstance(old, str):
                continue
            scm[key] = same_kind_string(old, value)
            changes.append(
                f"set {SCM_TABLE} {key} = {value!r}" + ("" if old is None else f" (was {old!r})")
            )
    return (match_line_endings(text, doc.as_string()) if changes else text), changes


def match_line_endings(before: str, after: str) -> str:
    r"""``after`` with the line-end conventions of ``before``: lines tomlkit added get CRLF
    when every line of ``before`` ends in CRLF, and no final newline when ``before`` had
    none. Mixed line ends are left as they are.

    >>> match_line_endings('a = 1\r\nb = 2', 'a = 1\r\nb = 2\n[t]\nc = 3\n')
    'a = 1\r\nb = 2\r\n[t]\r\nc = 3'
    """
    crlf = before.count("\r\n")
    if crlf and crlf == before.count("\n"):
        after = after.replace("\r\n", "\n").replace("\n", "\r\n")
    if before and not before.endswith("\n"):
        for end in ("\r\n", "\n"):
            if after.endswith(end):
                after = after[: -len(end)]
                break
    return after
