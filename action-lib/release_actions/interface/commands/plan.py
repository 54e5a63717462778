"""``release-actions plan VERSION``: the release owner's checklist, with dry runs of each step.

Markdown by default (also into the step summary inside GitHub Actions), JSON
with ``--json``. Exit status 1 when the plan has blockers (a step that would
fail now, or open milestone issues when ``--milestone`` looked them up).
"""

from __future__ import annotations

import argparse

from release_actions.adapters.uvlock import LOCK_POLICIES
from release_actions.core.errors import InvalidValueError
from release_actions.interface.commands.common import add_repo_and_json, env_default, open_repo
from release_actions.interface.output import write_summary


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("version", help="the version to plan: X.Y.Z or X.Y.ZrcN")
    add_repo_and_json(parser)
    parser.add_argument(
        "--milestone",
        action="store_true",
        help="look up the version's milestone and its open issues on GitHub "
        "(GITHUB_TOKEN, GITHUB_REPOSITORY, GITHUB_API_URL)",
    )
    parser.add_argument(
        "--lock-policy",
        default=env_default("RA_LOCK_POLICY", "fail"),
        help=" | ".join(LOCK_POLICIES) + ": as prepare-release would run (default: fail)",
    )
    parser.add_argument(
        "--index-url",
        default=env_default("RA_INDEX_URL"),
        help="index for prepare-release's uv lock (default: the project's own configuration)",
    )


def run(options: argparse.Namespace) -> int:
    from release_actions.steps.plan.release_plan import make_plan, to_markdown

    if options.lock_policy not in LOCK_POLICIES:
        raise InvalidValueError("lock-policy", options.lock_policy, " | ".join(LOCK_POLICIES))
    repo, _pyproject, config = open_repo(options.repo)
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
    if options.json:
        import json

        print(json.dumps(plan.as_dict(), indent=2))
    else:
        print(markdown, end="")
    write_summary(markdown)
    return 1 if plan.blockers else 0
