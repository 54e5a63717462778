"""Helpers shared by the subcommands: env-backed flags and result printing."""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from release_actions.adapters.delivery import Identity
from release_actions.core.config import Config, load_config, read_pyproject
from release_actions.core.errors import InvalidValueError, ReleaseActionsError
from release_actions.interface.output import FALSE_WORDS, TRUE_WORDS, write_outputs


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


def add_write_arguments(parser: argparse.ArgumentParser, dry_run_help: str) -> None:
    """The flags every writing command shares: delivery mode, push, dry run, bot identity."""
    from release_actions.adapters.delivery import MODES

    parser.add_argument("--mode", default=env_default("RA_MODE"), help=" | ".join(MODES))
    parser.add_argument(
        "--no-push",
        action="store_true",
        default=env_tristate("RA_NO_PUSH") or False,
        help="commit (and tag) locally, push nothing",
    )
    parser.add_argument(
        "--dry-run",
        action="store_true",
        default=env_tristate("RA_DRY_RUN") or False,
        help=dry_run_help,
    )
    parser.add_argument("--bot-name", default=env_default("RA_BOT_NAME"))
    parser.add_argument("--bot-email", default=env_default("RA_BOT_EMAIL"))
    parser.add_argument("--no-signoff", action="store_true")


def identity_from(options: argparse.Namespace, config: Config) -> Identity:
    return Identity(
        options.bot_name or config.bot_name,
        options.bot_email or config.bot_email,
        signoff=not options.no_signoff,
    )


def summary_rows(data: Mapping[str, Any]) -> list[tuple[str, str]]:
    return [(k, str(v).lower() if isinstance(v, bool) else str(v)) for k, v in data.items()]


def env_number(name: str, default: float, kind: type[int] | type[float]) -> Any:
    """A numeric input from ``name``; a malformed one is an error naming it."""
    raw = env_default(name)
    if not raw:
        return default
    try:
        value = kind(raw)
    except ValueError:
        value = -1
    if value < 0:
        what = name.removeprefix("RA_").lower().replace("_", "-")
        raise InvalidValueError(what, raw, f"a non-negative {kind.__name__}")
    return value
