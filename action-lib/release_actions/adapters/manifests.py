"""Reading TOML manifests from the repository: pyproject.toml, uv.lock, the configuration.

Read-only (edits go through tomlkit in :mod:`release_actions.edits`). Paths may be
``str`` or ``Path``; nightly-version reads without importing pathlib.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any

from release_actions.core.config import Config, config_from_pyproject
from release_actions.core.errors import ReleaseActionsError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomlkit as _tomlkit

if TYPE_CHECKING:
    from pathlib import Path


def _read_toml(path: Path | str) -> dict[str, Any]:
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    try:
        if sys.version_info >= (3, 11):
            return tomllib.loads(text)
        return _tomlkit.parse(text).unwrap()  # pragma: no cover
    except Exception as exc:
        from pathlib import Path  # the path as pathlib spells it, however it was given

        raise ReleaseActionsError(
            f"{Path(path)} is not valid TOML: {exc}",
            fix="fix the TOML syntax",
            title="Invalid TOML",
        ) from exc


def read_pyproject(path: Path | str) -> dict[str, Any]:
    """Parse a pyproject.toml (read-only; edits go through tomlkit elsewhere)."""
    return _read_toml(path)


def load_config(repo: Path | str, pyproject: dict[str, Any] | None = None) -> Config:
    """``[tool.release-actions]`` of ``repo/pyproject.toml`` (no file: the defaults)."""
    if pyproject is None:
        path = os.path.join(repo, "pyproject.toml")
        pyproject = read_pyproject(path) if os.path.isfile(path) else {}
    return config_from_pyproject(pyproject)
