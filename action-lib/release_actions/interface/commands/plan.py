"""``release-actions plan VERSION``: the release owner's checklist, with dry runs of each step.

Markdown by default (also into the step summary inside GitHub Actions), JSON
with ``--json``. Exit status 1 when the plan has blockers (a step that would
fail now, or open milestone issues when ``--milestone`` looked them up).
"""

from __future__ import annotations

from release_actions.adapters.uvlock import LOCK_POLICIES
from release_actions.interface.commands.common import open_repo
from release_actions.interface.output import Console
from release_actions.interface.spec import JSON, REPO, Opt, Options, url_input

OPTIONS = (
    Opt("version", help="the version to plan: X.Y.Z or X.Y.ZrcN"),
    REPO,
    JSON,
    Opt(
        "--milestone",
        kind="flag",
        help="look up the version's milestone and its open issues on GitHub "
        "(GITHUB_TOKEN, GITHUB_REPOSITORY, GITHUB_API_URL)",
    ),
    Opt(
        "--lock-policy",
        "RA_LOCK_POLICY",
        default="fail",
        choices=LOCK_POLICIES,
        help=" | ".join(LOCK_POLICIES) + ": as prepare-release would run (default: fail)",
    ),
    Opt(
        "--index-url",
        "RA_INDEX_URL",
        check=url_input,
        help="index for prepare-release's uv lock (default: the project's own configuration)",
    ),
)


def run(options: Options, out: Console) -> int:
    from release_actions.steps.plan.release_plan import make_plan, to_markdown

    if not options.version:
        from release_actions.core.errors import InvalidValueError

        raise InvalidValueError("version", "", "X.Y.Z or X.Y.ZrcN", fix="pass VERSION, e.g. 0.8.0")
    repo, _pyproject, config = open_repo(options.repo, default_branch=True)
    milestones = None
    if options.milestone:
        from release_actions.adapters.github_repo import pull_requests_from_env

        milestones = pull_requests_from_env()
    plan = make_plan(
        repo,
        options.version,
        config,
        index_url=options.index_url,
        lock_policy=options.lock_policy,
        milestones=milestones,
    )
    markdown = to_markdown(plan)
    if out.as_json:
        out.json(plan.as_dict())
    else:
        out.text(markdown)
    out.summary(markdown)
    return 1 if plan.blockers else 0
