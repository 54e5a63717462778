"""``release-actions prepare-release``."""

from __future__ import annotations

from pathlib import Path

from release_actions.adapters.uvlock import LOCK_POLICIES
from release_actions.core.errors import ReleaseActionsError
from release_actions.core.versions import ReleaseTag, Version
from release_actions.interface.commands.common import identity_from, open_repo
from release_actions.interface.output import Console, markdown_table, summary_rows
from release_actions.interface.spec import (
    JSON,
    REPO,
    Opt,
    Options,
    branch_input,
    url_input,
    write_options,
)
from release_actions.steps.governance import (
    GATE_MODES,
    DraftRelease,
    MilestoneReport,
    ReleaseSource,
    check_gate_mode,
    check_milestone,
    ensure_draft_release,
    previous_release_tag,
)
from release_actions.steps.prepare import PrepareRequest, PrepareResult, prepare_release

OPTIONS = (
    REPO,
    JSON,
    Opt("--version", "RA_VERSION", help="X.Y.Z, X.Y.ZrcN or the hotfix X.Y.Z.N"),
    Opt(
        "--release-branch",
        "RA_RELEASE_BRANCH",
        check=branch_input,
        help="default: in the repository's form, e.g. release-X.Y.x",
    ),
    Opt(
        "--from",
        "RA_FROM",
        dest="from_ref",
        help="where a new release branch starts (default: the default branch)",
    ),
    Opt(
        "--pin",
        "RA_PINS",
        kind="list",
        input="pins",
        help="sibling package to pin (repeatable; default from config)",
    ),
    Opt(
        "--pin-style",
        "RA_PIN_STYLE",
        choices=("exact", "compatible", "minimum"),
        help="exact | compatible | minimum",
    ),
    Opt(
        "--lock-policy",
        "RA_LOCK_POLICY",
        default="fail",
        choices=LOCK_POLICIES,
        help=" | ".join(LOCK_POLICIES) + " when the pinned version is unpublished",
    ),
    Opt(
        "--index-url",
        "RA_INDEX_URL",
        check=url_input,
        help="index for uv lock (default: the project's own configuration)",
    ),
    Opt(
        "--milestone-gate",
        "RA_MILESTONE_GATE",
        choices=GATE_MODES,
        help=" | ".join(GATE_MODES)
        + ": open issues on the milestone vX.Y.Z (or X.Y.Z) before any write "
        "(default: config, else off)",
    ),
    Opt(
        "--draft-release",
        "RA_DRAFT_RELEASE",
        kind="flag",
        help="then create (or reuse) the draft GitHub Release vX.Y.Z with generated notes",
    ),
    *write_options("print the plan and the diff, change nothing"),
)


def run(options: Options, out: Console) -> int:
    repo, _pyproject, config = open_repo(options.repo, default_branch=True)
    request = PrepareRequest(
        version=options.version,
        release_branch=options.release_branch,
        from_ref=options.from_ref,
        pins=tuple(options.pin),
        pin_style=options.pin_style,
        mode=options.mode,
        push=not options.no_push,
        dry_run=options.dry_run,
        lock_policy=options.lock_policy,
        index_url=options.index_url,
    )
    identity = identity_from(options, config, out)
    needs_pulls = (request.mode or config.write_mode) != "push" and not request.dry_run
    gate_mode = check_gate_mode(options.milestone_gate or config.milestone_gate)
    draft_release = options.draft_release and not request.dry_run
    github = None
    if needs_pulls or gate_mode != "off" or draft_release:
        from release_actions.adapters.github_repo import pull_requests_from_env

        github = pull_requests_from_env()
    pulls = github if needs_pulls else None
    reports: list[MilestoneReport] = []

    def milestone_gate(version: Version) -> None:
        assert github is not None  # connected above when the gate is on
        report = check_milestone(github, version, gate_mode, tag_prefix=config.tag_prefix)
        reports.append(report)
        (out.notice if report.passed else out.warning)(
            "\n".join(report.notes()), title="milestone gate"
        )
        if report.blocking:
            out.summary(report.markdown())
        report.enforce()

    result = prepare_release(
        repo,
        request,
        config,
        identity=identity,
        pulls=pulls,
        before_write=milestone_gate if gate_mode != "off" else None,
    )
    conventions = f"conventions: {result.conventions.summary()}"
    out.log(conventions)
    for note in result.notes:
        out.notice(note, title="prepare-release")
    data = result.as_dict()
    code = 0
    extra_summary = reports[0].markdown() if reports else ""
    if reports:
        data.update(reports[0].as_dict())
    if draft_release and request.push and github is not None:
        try:
            draft = _draft_release(repo, github, result)
        except ReleaseActionsError as err:
            out.error(err, result_follows=True)
            data["release_error"] = err.message
            code = 1
        else:
            data["release_url"] = draft.url
            out.notice(draft.as_text(), title="prepare-release")
            extra_summary += f"\n**GitHub Release:** {draft.as_text()}\n"
    elif options.draft_release:
        why = "dry run: would create" if request.dry_run else "--no-push: did not create"
        extra_summary += (
            f"\n**GitHub Release:** {why} the draft release {result.tag} "
            f"on {result.release_branch}\n"
        )
    out.result(data)
    if result.write.diff:
        out.text(result.write.diff)
    title = "Prepare release (dry run)" if options.dry_run else "Prepare release"
    summary = f"### {title} {result.tag}\n\n" + markdown_table(summary_rows(data), ("", "value"))
    for line in result.pin_changes:
        summary += f"\n- pin: `{line}`"
    for note in (*result.notes, conventions):
        summary += f"\n- {note}"
    if extra_summary:
        summary += "\n\n" + extra_summary
    if result.write.diff:
        summary += f"\n\n```diff\n{result.write.diff}\n```\n"
    out.summary(summary + "\n")
    return code


def _draft_release(repo: Path, github: ReleaseSource, result: PrepareResult) -> DraftRelease:
    """The draft release of the prepared version, notes since the previous release tag."""
    from release_actions.adapters.tags import known_release_tags

    version = Version(result.version)
    tags = known_release_tags(repo, result.conventions)
    previous = previous_release_tag(version, tags)
    tag = ReleaseTag(result.tag, version)
    return ensure_draft_release(github, tag, result.release_branch, previous)
