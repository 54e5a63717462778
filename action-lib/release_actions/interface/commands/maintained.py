"""``release-actions maintained``: the release branches of the last N stable minor lines."""

from __future__ import annotations

import argparse
import json

from release_actions.interface.commands.common import env_default, open_repo
from release_actions.interface.output import annotation, write_outputs, write_summary
from release_actions.steps.maintained import (
    DEFAULT_COUNT,
    FORMATS,
    maintained_lines,
    matrix,
    mergify_rules,
    parse_count,
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--repo", default=env_default("RA_REPO", "."), help="repository directory (default: .)"
    )
    parser.add_argument(
        "--count",
        type=parse_count,
        default=parse_count(env_default("RA_COUNT", str(DEFAULT_COUNT))),
        help="how many stable minor lines are maintained (default: %(default)s)",
    )
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default=env_default("RA_FORMAT", "json"),
        help="json: a workflow matrix {include: [...]}; mergify: backport rules (YAML)",
    )
    parser.add_argument(
        "--base",
        default=env_default("RA_BASE"),
        help="branch backports start from, for --format mergify (default: the default branch)",
    )


def run(options: argparse.Namespace) -> int:
    repo, _pyproject, config = open_repo(options.repo)
    if options.format not in FORMATS:  # RA_FORMAT bypasses argparse's choices
        from release_actions.core.errors import InvalidValueError

        raise InvalidValueError("format", options.format, " | ".join(FORMATS))
    lines = maintained_lines(repo, options.count)
    for line in lines:
        if not line.branch_exists:
            annotation(
                "warning",
                f"{line.branch} does not exist (line {line.label}, latest {line.latest.name})."
                f" Fix: create it from {line.latest.name}",
                title="maintained: release branch missing",
            )
    document = matrix(lines)
    rules = mergify_rules(lines, base=options.base or config.default_branch)
    if options.format == "mergify":
        print(rules, end="")
    else:
        print(json.dumps(document, indent=2))
    write_outputs(
        {
            "matrix": json.dumps(document, separators=(",", ":")),
            "branches": " ".join(line.branch for line in lines),
            "lines": " ".join(line.label for line in lines),
            "mergify": rules,
        }
    )
    rows = [
        f"| {line.label} | `{line.branch}`{'' if line.branch_exists else ' (missing)'}"
        f" | `{line.latest.name}` |"
        for line in lines
    ]
    write_summary(
        f"### Maintained lines (last {options.count})\n\n| line | branch | latest |\n"
        "| --- | --- | --- |\n" + "\n".join(rows) + "\n"
    )
    return 0
