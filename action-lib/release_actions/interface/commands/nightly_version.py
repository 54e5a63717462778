"""``release-actions nightly-version``."""

from __future__ import annotations

import argparse

from release_actions.interface.commands.common import open_repo
from release_actions.interface.output import Console, markdown_table
from release_actions.interface.spec import JSON, REPO, Opt, branch_input, date_input
from release_actions.steps.nightly import nightly_version

OPTIONS = (
    REPO,
    JSON,
    Opt(
        "--date",
        "RA_DATE",
        check=date_input,
        help="YYYYMMDD (default: SOURCE_DATE_EPOCH or today, UTC)",
    ),
    Opt(
        "--branch",
        "RA_BRANCH",
        check=branch_input,
        help="branch the build belongs to (default: from the event or HEAD)",
    ),
    Opt("--no-fetch", kind="flag", help="never fetch tags or history from origin"),
)


def run(options: argparse.Namespace, out: Console) -> int:
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
        out.notice(note, title="nightly-version")
    data = result.as_dict()
    out.result(data)
    rows = [(k, str(v)) for k, v in data.items()] + [("branch", result.branch)]
    summary = "### Nightly version\n\n" + markdown_table(rows, ("", "value"))
    summary += f"\nBase {result.base.version} comes from the {result.base.reason}.\n"
    for note in result.notes:
        summary += f"\n- {note}"
    out.summary(summary + "\n")
    return 0
