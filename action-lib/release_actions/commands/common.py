"""Helpers shared by the subcommands: env-backed flags and result printing."""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..config import Config, load_config, read_pyproject
from ..errors import InvalidValueError, ReleaseActionsError
from ..gha import FALSE_WORDS, TRUE_WORDS, write_outputs


def env_default(name: str, default: str = "") -> str:
    return os.environ.get(name, "").strip() or default


def env_tristate(name: str) -> bool | None:
    raw = os.environ.get(name, "").strip().lower()
    if not raw:
        return None
    if raw in TRUE_WORDS:
        return True
    if raw in FALSE_WORDS:
        return False
    raise InvalidValueError(
        name.removeprefix("RA_").lower().replace("_", "-"), raw, "true or false"
    )


def add_repo_and_json(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--repo", default=env_default("RA_REPO", "."), help="repository directory (default: .)"
    )
    parser.add_argument("--json", action="store_true", help="print the result as JSON")


def open_repo(path: str) -> tuple[Path, dict[str, Any], Config]:
    repo = Path(path)
    if not repo.is_dir():
        raise InvalidValueError("repo", path, "an existing directory", fix="pass --repo DIR")
    pyproject_path = repo / "pyproject.toml"
    pyproject = read_pyproject(pyproject_path) if pyproject_path.is_file() else {}
    return repo, pyproject, load_config(repo, pyproject)


def emit(result: Mapping[str, Any], as_json: bool) -> None:
    """Print the result and, inside GitHub Actions, write it as step outputs."""
    if as_json:
        import json  # not on the import path of a plain run

        print(json.dumps(result, indent=2, sort_keys=False))
    else:
        for key, value in result.items():
            text = ("true" if value else "false") if isinstance(value, bool) else str(value)
            print(f"{key}={text}")
    write_outputs(result)


def require(condition: bool, message: str, fix: str) -> None:
    if not condition:
        raise ReleaseActionsError(message, fix=fix)


def env_list(name: str) -> list[str]:
    """A list input: comma, space or newline separated."""
    raw = os.environ.get(name, "")
    return [item for item in raw.replace(",", " ").split() if item]
