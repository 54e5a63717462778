"""What the subcommands share: opening the repository, the commit identity, checks.

Imported by compute-version and nightly-version: keep it light. The TOML reader
is imported when a manifest is read (nightly-version starts git before that, and
reads with :func:`repo_manifests`), the delivery adapter (with
its dataclasses) only by the writing commands.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from release_actions.core.errors import InvalidValueError, ReleaseActionsError
from release_actions.core.text_inputs import check_identity
from release_actions.interface.output import Console

if TYPE_CHECKING:
    from pathlib import Path

    from release_actions.adapters.delivery import Identity
    from release_actions.core.config import Config
    from release_actions.interface.spec import Options


def repo_dir(path: str, *, need_git: bool = True) -> str:
    """``--repo``: the top level of the git work tree holding the directory ``path``
    (checked without importing pathlib; ``""`` is ``.``, as for ``Path("")``).

    So every command run from a package's subdirectory works on the whole repository.
    Outside a git repository: an error naming the path (nothing is searched for
    elsewhere); with ``need_git=False`` (commands that only read the configuration)
    the directory itself.
    """
    if not os.path.isdir(path or "."):
        raise InvalidValueError("repo", path, "an existing directory", fix="pass --repo DIR")
    from release_actions.adapters.git import toplevel

    top, why = toplevel(path or ".")
    if top is not None:
        return top
    if not need_git:
        return path or "."
    where = os.path.abspath(path or ".")
    said = "" if not why or "not a git repository" in why else f" ({why})"
    raise ReleaseActionsError(
        f"not a git repository: {where}{said}",
        fix="run the command inside the project's git checkout, or pass --repo DIR"
        " (any directory of the checkout)",
        title="Not a git repository",
    )


def repo_manifests(repo: str) -> tuple[dict[str, Any], Config]:
    """The parsed pyproject.toml of the directory ``repo`` (or ``{}``) and its configuration."""
    from release_actions.adapters.manifests import load_config, root_pyproject

    pyproject = root_pyproject(repo)
    return pyproject, load_config(repo, pyproject)


def managed_data(
    repo: str | Path, config: Config, root: dict[str, Any] | None = None
) -> list[tuple[str, dict[str, Any]]]:
    """``(path, parsed)`` of every managed pyproject.toml (nightly-version, compute-version);
    ``root``: the root one, already parsed (:func:`repo_manifests`)."""
    from release_actions.steps.pyprojects import managed_data as managed

    return managed(repo, config.pyprojects, root)


def open_repo(
    path: str, *, need_git: bool = True, default_branch: bool = False
) -> tuple[Path, dict[str, Any], Config]:
    """The repository's top level (:func:`repo_dir`), its parsed pyproject.toml (or ``{}``)
    and configuration; with ``default_branch``, the configuration's ``default_branch``
    detected when it is not configured (:mod:`release_actions.steps.default_branch`)."""
    from pathlib import Path

    repo = repo_dir(path, need_git=need_git)
    pyproject, config = repo_manifests(repo)
    if default_branch:
        from release_actions.steps.default_branch import with_default_branch

        config = with_default_branch(repo, config)
    return Path(repo), pyproject, config


def require(condition: bool, message: str, fix: str) -> None:
    if not condition:
        raise ReleaseActionsError(message, fix=fix)


def identity_from(options: Options, config: Config, out: Console) -> Identity:
    """The commit author: ``--bot-*``, else the configuration, else in GitHub Actions
    github-actions[bot], else (at a terminal) the user's own git identity."""
    from release_actions.adapters.delivery import Identity
    from release_actions.core.config import ACTIONS_BOT_EMAIL, ACTIONS_BOT_NAME

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
