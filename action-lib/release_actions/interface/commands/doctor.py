"""``release-actions doctor``: read-only release-readiness checks (exit 1 if any fails)."""

from __future__ import annotations

import json

from release_actions.interface.commands.common import open_repo
from release_actions.interface.commands.maintained import COUNT
from release_actions.interface.output import Console
from release_actions.interface.spec import JSON, REPO, Opt, Options, branch_input
from release_actions.steps.branches import require_branch
from release_actions.steps.doctor import FAIL, WARN, doctor

OPTIONS = (
    REPO,
    JSON,
    Opt(
        "--branch",
        "RA_BRANCH",
        check=branch_input,
        help="branch the checkout belongs to (default: HEAD's branch, else GITHUB_REF)",
    ),
    COUNT,
)


def run(options: Options, out: Console) -> int:
    repo, _pyproject, config = open_repo(options.repo, default_branch=True)
    if options.branch:
        require_branch(repo, options.branch.removeprefix("refs/heads/"))
    report = doctor(repo, config, branch=options.branch, count=options.count)
    # At a terminal the report already lists every finding; annotations are for the
    # Actions log, and stderr carries them beside a --json document.
    findings = report.checks if (out.actions or out.as_json) else []
    for check in findings:
        if check.status in (FAIL, WARN):
            out.diagnostic(
                "error" if check.status == FAIL else "warning",
                f"{check.detail} Fix: {check.fix}" if check.fix else check.detail,
                title=f"doctor: {check.name}",
            )
    data = report.as_dict()
    if out.as_json:
        out.json(data)
    else:
        out.text(report.text())
    out.outputs(
        {
            "status": report.status,
            "failed-checks": ",".join(report.failed),
            "warned-checks": ",".join(report.warned),
            "report": json.dumps(data, separators=(",", ":")),
        }
    )
    out.summary(report.markdown())
    return 1 if report.failed else 0
