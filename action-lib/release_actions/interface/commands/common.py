"""What the subcommands share: opening the repository, the commit identity, checks."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from release_actions.adapters.delivery import Identity
from release_actions.adapters.manifests import load_config, root_pyproject
from release_actions.core.config import ACTIONS_BOT_EMAIL, ACTIONS_BOT_NAME, Config
from release_actions.core.errors import InvalidValueError, ReleaseActionsError
from release_actions.core.text_inputs import check_identity
from release_actions.interface.output import Console


def open_repo(path: str) -> tuple[Path, dict[str, Any], Config]:
    repo = Path(path)
    if not repo.is_dir():
        raise InvalidValueError("repo", path, "an existing directory", fix="pass --repo DIR")
    pyproject = root_pyproject(repo)
    return repo, pyproject, load_config(repo, pyproject)


def require(condition: bool, message: str, fix: str) -> None:
    if not condition:
        raise ReleaseActionsError(message, fix=fix)


def identity_from(options: argparse.Namespace, config: Config, out: Console) -> Identity:
    """The commit author: ``--bot-*``, else the configuration, else in GitHub Actions
    github-actions[bot], else (at a terminal) the user's own git identity."""
    actions = out.actions
    for key, value in (("bot-name", config.bot_name), ("bot-email", config.bot_email)):
        if value:
            try:
                check_identity(value, f"[tool.release-actions] {key}")
            except InvalidValueError as err:
                raise InvalidValueError(
                    err.what, err.value, err.accepted, fix=f"fix {key} in pyproject.toml"
                ) from None
    return Identity(
        options.bot_name or config.bot_name or (ACTIONS_BOT_NAME if actions else ""),
        options.bot_email or config.bot_email or (ACTIONS_BOT_EMAIL if actions else ""),
        signoff=not options.no_signoff,
    )
