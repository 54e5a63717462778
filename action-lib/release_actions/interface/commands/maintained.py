"""``release-actions maintained``: the release branches of the last N stable minor lines."""

from __future__ import annotations

import json

from release_actions.interface.commands.common import open_repo
from release_actions.interface.output import Console
from release_actions.interface.spec import REPO, Opt, Options, branch_input
from release_actions.steps.maintained import (
    DEFAULT_COUNT,
    FORMATS,
    maintained_lines,
    matrix,
    mergify_rules,
    parse_count,
)

COUNT = Opt(
    "--count",
    "RA_COUNT",
    default=DEFAULT_COUNT,
    check=parse_count,
    help=f"how many stable minor lines are maintained (default: {DEFAULT_COUNT})",
)

OPTIONS = (
    REPO,
    COUNT,
    Opt(
        "--format",
        "RA_FORMAT",
        default="json",
        choices=FORMATS,
        help="json: a workflow matrix {include: [...]}; mergify: backport rules (YAML)",
    ),
    Opt(
        "--base",
        "RA_BASE",
        check=branch_input,
        help="branch backports start from, for --format mergify (default: the default branch)",
    ),
)


def run(options: Options, out: Console) -> int:
    from release_actions.adapters.tags import repo_conventions

    repo, _pyproject, config = open_repo(options.repo, default_branch=True)
    conventions = repo_conventions(repo, config)
    out.log(f"conventions: {conventions.summary()}")
    lines = maintained_lines(repo, options.count, conventions)
    for line in lines:
        if not line.branch_exists:
            out.warning(
                f"{line.branch} does not exist (line {line.label}, latest {line.latest.name})."
                f" Fix: create it from {line.latest.name}",
                title="maintained: release branch missing",
            )
    document = matrix(lines)
    rules = mergify_rules(lines, base=options.base or config.default_branch)
    if options.format == "mergify":
        out.text(rules)
    else:
        out.json(document)
    out.outputs(
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
    out.summary(
        f"### Maintained lines (last {options.count})\n\n| line | branch | latest |\n"
        "| --- | --- | --- |\n" + "\n".join(rows) + "\n"
        f"\nConventions: {conventions.summary()}\n"
    )
    return 0
