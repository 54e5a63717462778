"""Reading TOML manifests from the repository: pyproject.toml, uv.lock, the configuration.

Read-only (edits go through tomlkit in :mod:`release_actions.edits`).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from release_actions.core.config import Config, config_from_pyproject
from release_actions.core.errors import ReleaseActionsError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomlkit as _tomlkit


def _read_toml(path: Path) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8")
    try:
        if sys.version_info >= (3, 11):
            return tomllib.loads(text)
        return _tomlkit.parse(text).unwrap()  # pragma: no cover
    except Exception as exc:
        raise ReleaseActionsError(
            f"{path} is not valid TOML: {exc}", fix="fix the TOML syntax", title="Invalid TOML"
        ) from exc


def read_pyproject(path: Path) -> dict[str, Any]:
    """Parse a pyproject.toml (read-only; edits go through tomlkit elsewhere)."""
    return _read_toml(path)


def load_config(repo: Path, pyproject: dict[str, Any] | None = None) -> Config:
    """``[tool.release-actions]`` of ``repo/pyproject.toml`` (no file: the defaults)."""
    if pyproject is None:
        path = repo / "pyproject.toml"
        pyproject = read_pyproject(path) if path.is_file() else {}
    return config_from_pyproject(pyproject)
