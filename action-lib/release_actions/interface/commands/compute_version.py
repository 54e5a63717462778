"""``release-actions compute-version``."""

from __future__ import annotations

import argparse

from release_actions.interface.commands.common import (
    add_repo_and_json,
    emit,
    env_default,
    env_tristate,
    open_repo,
)
from release_actions.interface.output import markdown_table, write_summary
from release_actions.steps.compute import DRY_RUN_MODES, EVENTS, compute, request_from_event


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_repo_and_json(parser)
    parser.add_argument("--event", default=env_default("RA_EVENT"), help=" | ".join(EVENTS))
    parser.add_argument("--tag", default=env_default("RA_TAG"), help="release tag, e.g. v0.4.5")
    parser.add_argument(
        "--dry-run", default=env_default("RA_DRY_RUN"), help=" | ".join(DRY_RUN_MODES)
    )
    parser.add_argument(
        "--version", default=env_default("RA_VERSION"), help="manual version (X.Y.Z or X.Y.ZrcN)"
    )
    pre = parser.add_mutually_exclusive_group()
    pre.add_argument(
        "--prerelease",
        dest="prerelease",
        action="store_const",
        const=True,
        default=env_tristate("RA_PRERELEASE"),
        help="treat the release as a pre-release (GitHub pre-release)",
    )
    pre.add_argument("--no-prerelease", dest="prerelease", action="store_const", const=False)
    parser.add_argument("--date", default=env_default("RA_DATE"), help="YYYYMMDD for dev versions")
    parser.add_argument("--branch", default=env_default("RA_BRANCH"), help="branch of the build")
    parser.add_argument(
        "--rc-target",
        default=env_default("RA_RC_TARGET"),
        help="where RCs go: testpypi (default) | pypi",
    )
    parser.add_argument("--no-fetch", action="store_true", help="never fetch from origin")


def run(options: argparse.Namespace) -> int:
    repo, pyproject, config = open_repo(options.repo)
    if options.rc_target:
        config = config._replace(rc_target=options.rc_target)
    request = request_from_event(
        event=options.event,
        tag=options.tag,
        dry_run=options.dry_run,
        version=options.version,
        prerelease=options.prerelease,
        date=options.date,
        branch=options.branch,
    )
    plan = compute(
        request, repo=repo, config=config, pyproject=pyproject, fetch=not options.no_fetch
    )
    data = plan.as_dict()
    emit(data, options.json)
    rows = [(k, str(v).lower() if isinstance(v, bool) else str(v)) for k, v in data.items()]
    write_summary(
        f"### Version plan for `{request.event}`\n\n" + markdown_table(rows, ("", "value"))
    )
    return 0
