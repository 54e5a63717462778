"""``release-actions nightly-version``."""

from __future__ import annotations

import argparse

from release_actions.interface.commands.common import (
    add_repo_and_json,
    emit,
    env_default,
    open_repo,
)
from release_actions.interface.output import annotation, markdown_table, write_summary
from release_actions.steps.nightly import nightly_version


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_repo_and_json(parser)
    parser.add_argument(
        "--date",
        default=env_default("RA_DATE"),
        help="YYYYMMDD (default: SOURCE_DATE_EPOCH or today, UTC)",
    )
    parser.add_argument(
        "--branch",
        default=env_default("RA_BRANCH"),
        help="branch the build belongs to (default: from the event or HEAD)",
    )
    parser.add_argument(
        "--no-fetch", action="store_true", help="never fetch tags or history from origin"
    )


def run(options: argparse.Namespace) -> int:
    repo, pyproject, config = open_repo(options.repo)
    result = nightly_version(
        repo,
        date=options.date or None,
        branch=options.branch or None,
        default_branch=config.default_branch,
        pyproject=pyproject,
        fetch=not options.no_fetch,
    )
    for note in result.notes:
        annotation("notice", note, title="nightly-version")
    data = result.as_dict()
    emit(data, options.json)
    rows = [(k, str(v)) for k, v in data.items()] + [("branch", result.branch)]
    summary = "### Nightly version\n\n" + markdown_table(rows, ("", "value"))
    summary += f"\nBase {result.base.version} comes from the {result.base.reason}.\n"
    for note in result.notes:
        summary += f"\n- {note}"
    write_summary(summary + "\n")
    return 0
