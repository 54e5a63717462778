"""Reading TOML manifests from the repository: pyproject.toml, uv.lock, the configuration.

Read-only (edits go through tomlkit in :mod:`release_actions.edits`).
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any

from release_actions.adapters.repo_files import (
    decode_text,
    read_repo_bytes,
    read_repo_text,
    read_top_level_bytes,
)
from release_actions.core.config import Config, config_from_pyproject
from release_actions.core.errors import ReleaseActionsError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomlkit as _tomlkit

if TYPE_CHECKING:
    from pathlib import Path


def _read_toml(path: Path, repo: Path | None, rel: str) -> dict[str, Any]:
    rel = rel or str(path)
    if repo is not None:
        text = read_repo_text(repo, path, rel)
    else:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise ReleaseActionsError(
                f"{rel} cannot be read: {exc.strerror or exc}.",
                fix=f"make {rel} a readable file",
                title="Unreadable file",
            ) from None
        text = decode_text(data, rel)
    return _parse_toml(text, rel)


def _parse_toml(text: str, rel: str) -> dict[str, Any]:
    try:
        if sys.version_info >= (3, 11):
            return tomllib.loads(text)
        return _tomlkit.parse(text).unwrap()  # pragma: no cover
    except Exception as exc:
        raise ReleaseActionsError(
            f"{rel} is not valid TOML: {exc}",
            fix=f"fix the TOML syntax of {rel}",
            title="Invalid TOML",
        ) from None


def read_pyproject(path: Path, repo: Path | None = None, rel: str = "") -> dict[str, Any]:
    """Parse a pyproject.toml or uv.lock (read-only; edits go through tomlkit elsewhere).

    With ``repo``, the file must resolve inside it (:func:`read_repo_text`).
    """
    return _read_toml(path, repo, rel)


def read_json(repo: Path, path: Path, rel: str = "") -> Any:
    """Parse a package.json or package-lock.json inside ``repo``; invalid JSON: an error."""
    rel = rel or str(path)
    import json  # not on compute-version's and nightly-version's path

    text = decode_text(read_repo_bytes(repo, path, rel), rel)
    try:
        return json.loads(text)
    except ValueError as exc:
        raise ReleaseActionsError(
            f"{rel} is not valid JSON: {exc}",
            fix=f"fix the JSON syntax of {rel}",
            title="Invalid JSON",
        ) from None


def root_pyproject(repo: Path | str) -> dict[str, Any]:
    """The parsed ``repo/pyproject.toml``; none (no file at all): empty.

    A symlink there (dangling, a loop, or leading outside) is an error, not "no file".
    A regular file is read without ``pathlib`` (:func:`read_top_level_bytes`).
    """
    name = "pyproject.toml"
    data = read_top_level_bytes(repo, name)
    if data is not None:
        return _parse_toml(decode_text(data, name), name)
    path = os.path.join(repo, name)
    if not os.path.islink(path) and not os.path.exists(path):
        return {}
    from pathlib import Path

    return read_pyproject(Path(path), Path(repo), name)


def load_config(repo: Path | str, pyproject: dict[str, Any] | None = None) -> Config:
    """``[tool.release-actions]`` of ``repo/pyproject.toml`` (no file: the defaults)."""
    if pyproject is None:
        pyproject = root_pyproject(repo)
    return config_from_pyproject(pyproject)
