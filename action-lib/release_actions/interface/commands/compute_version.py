"""``release-actions compute-version``."""

from __future__ import annotations

from release_actions.adapters.tags import repo_conventions
from release_actions.interface.commands.common import open_repo
from release_actions.interface.output import Console, markdown_table, summary_rows
from release_actions.interface.spec import (
    JSON,
    REPO,
    Opt,
    Options,
    branch_input,
    date_input,
    url_input,
)
from release_actions.steps.compute import DRY_RUN_MODES, EVENTS, compute, request_from_event

OPTIONS = (
    REPO,
    JSON,
    Opt("--event", "RA_EVENT", help=" | ".join(EVENTS)),
    Opt("--tag", "RA_TAG", help="release tag, e.g. v0.4.5"),
    Opt("--dry-run", "RA_DRY_RUN", choices=DRY_RUN_MODES, help=" | ".join(DRY_RUN_MODES)),
    Opt("--version", "RA_VERSION", help="manual version (X.Y.Z, X.Y.ZrcN or hotfix X.Y.Z.N)"),
    Opt(
        "--prerelease",
        "RA_PRERELEASE",
        kind="tristate",
        help="treat the release as a pre-release (GitHub pre-release)",
    ),
    Opt("--date", "RA_DATE", check=date_input, help="YYYYMMDD for dev versions"),
    Opt("--branch", "RA_BRANCH", check=branch_input, help="branch of the build"),
    Opt("--rc-target", "RA_RC_TARGET", help="where RCs go: testpypi (default) | pypi"),
    Opt(
        "--npm-registry",
        "RA_NPM_REGISTRY",
        check=lambda value: value if value in ("", "none") else url_input(value),
        help="registry whose latest of the npm package decides a final release's dist-tag;"
        " none: decide from the git tags (default: [tool.release-actions] npm-registry)",
    ),
    Opt("--no-fetch", kind="flag", help="never fetch from origin"),
)


def run(options: Options, out: Console) -> int:
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
    registry = options.npm_registry or config.npm_registry
    notes: list[str] = []
    conventions = repo_conventions(repo, config)
    out.log(f"conventions: {conventions.summary()}")
    plan = compute(
        request,
        repo=repo,
        config=config,
        pyproject=pyproject,
        fetch=not options.no_fetch,
        npm_registry=None if registry == "none" else registry,
        notes=notes,
        conventions=conventions,
    )
    for note in notes:
        out.notice(note, title="compute-version")
    data = plan.as_dict()
    if plan.npm_skip_reason:
        out.notice(plan.npm_skip_reason, title="compute-version")
    out.result(data)
    skip_note = f"\n- {plan.npm_skip_reason}\n" if plan.npm_skip_reason else ""
    out.summary(
        f"### Version plan for `{request.event}`\n\n"
        + markdown_table(summary_rows(data), ("", "value"))
        + skip_note
        + "".join(f"\n{note}\n" for note in notes)
        + f"\nConventions: {conventions.summary()}\n"
    )
    return 0
