"""Where setuptools-scm versions a pyproject.toml from: its ``[tool.setuptools_scm] root``.

``root`` is relative to the file's own directory, so a uv workspace member in
``packages/core`` is versioned from the repository (its tags) with
``root = "../.."``. Paths are repository-relative with ``/``.

>>> scm_root_problem("packages/core/pyproject.toml", {"root": "../.."}) is None
True
>>> print(scm_root_problem("packages/core/pyproject.toml", {}))  # doctest: +NORMALIZE_WHITESPACE
packages/core/pyproject.toml: [tool.setuptools_scm] root is "." (packages/core), not the
repository root: setuptools-scm reads no tag there and builds the fallback_version
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping

__all__ = ["root_for", "scm_root", "scm_root_problem"]


def scm_root(rel: str, table: Mapping[str, object]) -> str:
    """The directory ``rel``'s version comes from, relative to the repository ('.' = its root).

    >>> scm_root("packages/core/pyproject.toml", {"root": "../.."}), scm_root("pyproject.toml", {})
    ('.', '.')
    """
    root = table.get("root", ".")
    return posixpath.normpath(posixpath.join(posixpath.dirname(rel), str(root)))


def root_for(rel: str) -> str:
    """The ``root`` value that versions ``rel`` from the repository root.

    >>> root_for("packages/core/pyproject.toml"), root_for("pyproject.toml")
    ('../..', '.')
    """
    depth = rel.count("/")
    return "/".join([".."] * depth) or "."


def scm_root_problem(rel: str, table: Mapping[str, object]) -> str | None:
    """Why setuptools-scm would not version ``rel`` from this repository's tags, or None.

    ``search_parent_directories = true`` finds the repository from anywhere inside it.
    """
    if table.get("search_parent_directories") is True:
        return None
    where = scm_root(rel, table)
    if where == ".":
        return None
    shown = f'root is "{table.get("root", ".")}"'
    if where == ".." or where.startswith("../"):
        return f"{rel}: [tool.setuptools_scm] {shown}, outside the repository"
    return (
        f"{rel}: [tool.setuptools_scm] {shown} ({where}), not the repository root:"
        " setuptools-scm reads no tag there and builds the fallback_version"
    )
