"""``release-actions doctor``: read-only release-readiness checks (exit 1 if any fails)."""

from __future__ import annotations

import argparse
import json
import sys

from release_actions.interface.commands.common import add_repo_and_json, env_default, open_repo
from release_actions.interface.output import annotation, write_outputs, write_summary
from release_actions.steps.doctor import FAIL, WARN, doctor
from release_actions.steps.maintained import DEFAULT_COUNT, parse_count


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_repo_and_json(parser)
    parser.add_argument(
        "--branch",
        default=env_default("RA_BRANCH"),
        help="branch the checkout belongs to (default: HEAD's branch, else GITHUB_REF)",
    )
    parser.add_argument(
        "--count",
        type=parse_count,
        default=parse_count(env_default("RA_COUNT", str(DEFAULT_COUNT))),
        help="how many stable minor lines are maintained (default: %(default)s)",
    )


def run(options: argparse.Namespace) -> int:
    repo, _pyproject, config = open_repo(options.repo)
    report = doctor(repo, config, branch=options.branch, count=options.count)
    for check in report.checks:
        if check.status in (FAIL, WARN):
            annotation(
                "error" if check.status == FAIL else "warning",
                f"{check.detail} Fix: {check.fix}" if check.fix else check.detail,
                title=f"doctor: {check.name}",
                stream=sys.stderr if options.json else None,  # keep stdout pure JSON
            )
    data = report.as_dict()
    if options.json:
        print(json.dumps(data, indent=2))
    else:
        print(report.text(), end="")
    write_outputs(
        {
            "status": report.status,
            "failed-checks": ",".join(report.failed),
            "warned-checks": ",".join(report.warned),
            "report": json.dumps(data, separators=(",", ":")),
        }
    )
    write_summary(report.markdown())
    return 1 if report.failed else 0
