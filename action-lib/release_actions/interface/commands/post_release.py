"""``release-actions post-release``."""

from __future__ import annotations

import os
import re
from pathlib import Path

from release_actions.core.conventions import Conventions
from release_actions.core.errors import InvalidValueError
from release_actions.core.versions import ReleaseBranch, parse_release_tag
from release_actions.interface.commands.common import identity_from, open_repo
from release_actions.interface.output import Console, markdown_table
from release_actions.interface.spec import JSON, REPO, Opt, Options, url_input, write_options
from release_actions.steps.compute import event_object, event_text, read_event_payload
from release_actions.steps.managed_files import check_branches
from release_actions.steps.post.release import (
    RC_POLICIES,
    PostRequest,
    find_release_tag,
    post_release,
)

OPTIONS = (
    REPO,
    JSON,
    Opt(
        "--tag",
        "RA_TAG",
        help="release tag vX.Y.Z (default: from the release or workflow_run event)",
    ),
    Opt(
        "--pin",
        "RA_PINS",
        kind="list",
        input="pins",
        help="sibling package pinned on main with --main-pin-style minimum",
    ),
    Opt(
        "--main-pin-style",
        "RA_MAIN_PIN_STYLE",
        choices=("none", "minimum"),
        help="none (default) | minimum",
    ),
    Opt(
        "--next-dev",
        "RA_NEXT_DEV",
        choices=("patch", "minor"),
        help="patch (default): main develops X.Y.(Z+1); minor: X.(Y+1).0",
    ),
    Opt(
        "--rc-policy",
        "RA_RC_POLICY",
        choices=RC_POLICIES,
        help=" | ".join(RC_POLICIES) + " (what an RC does to main)",
    ),
    Opt(
        "--npm-registry",
        "RA_NPM_REGISTRY",
        check=url_input,
        help="npm registry (default: config, else npmjs)",
    ),
    Opt(
        "--npm-wait-attempts",
        "RA_NPM_WAIT_ATTEMPTS",
        kind="int",
        default=30,
        maximum=1000,
        help="how often to look for the npm version",
    ),
    Opt(
        "--npm-wait-seconds",
        "RA_NPM_WAIT_SECONDS",
        kind="float",
        default=10.0,
        maximum=3600,
        help="seconds between the looks",
    ),
    *write_options("report what would change, change nothing"),
)


def _tag_from_event(tag: str, repo: Path, conventions: Conventions) -> str:
    if tag:
        return tag
    event = os.environ.get("GITHUB_EVENT_NAME", "")
    payload = read_event_payload(os.environ)
    if event == "release":
        found = event_text(event_object(payload, "release"), "tag_name", "release")
        if found:
            return found
    if event == "workflow_run":
        run = event_object(payload, "workflow_run")
        run_event, conclusion = (
            event_text(run, "event", "workflow_run"),
            event_text(run, "conclusion", "workflow_run"),
        )
        if conclusion != "success" or run_event != "release":
            raise InvalidValueError(
                "workflow_run",
                f"{run_event or None}/{conclusion or None}",
                "a successful run for a release event",
                fix="trigger post-release on the publish run's success, or pass tag",
            )
        head_sha = event_text(run, "head_sha", "workflow_run")
        if not re.fullmatch(r"[0-9a-f]{40}|[0-9a-f]{64}", head_sha):
            raise InvalidValueError(
                "event field workflow_run.head_sha",
                head_sha,
                "a full commit id (40 hexadecimal digits)",
                fix="check the event payload (GITHUB_EVENT_PATH), or pass tag",
            )
        return find_release_tag(repo, head_sha, conventions).name
    raise InvalidValueError(
        "tag",
        "",
        "vX.Y.Z or vX.Y.ZrcN",
        fix="pass --tag (the action's tag input) or run on a release event",
    )


def run(options: Options, out: Console) -> int:
    from release_actions.adapters.tags import repo_conventions

    repo, _pyproject, config = open_repo(options.repo, default_branch=True)
    conventions = repo_conventions(repo, config)
    request = PostRequest(
        tag=_tag_from_event(options.tag, repo, conventions),
        pins=tuple(options.pin),
        main_pin_style=options.main_pin_style,
        next_dev=options.next_dev,
        rc_policy=options.rc_policy,
        mode=options.mode,
        push=not options.no_push,
        dry_run=options.dry_run,
        npm_registry=options.npm_registry,
        npm_wait_attempts=options.npm_wait_attempts,
        npm_wait_seconds=options.npm_wait_seconds,
    )
    identity = identity_from(options, config, out)
    pulls = None
    if (request.mode or config.write_mode) != "push" and not request.dry_run:
        from release_actions.adapters.github_repo import pull_requests_from_env

        pulls = pull_requests_from_env()
    # The manifests of both branches post-release edits are checked before its first write.
    branches = (config.default_branch, _release_branch(request.tag, conventions))
    check_branches(repo, branches, config.npm_package)
    result = post_release(repo, request, config, identity=identity, pulls=pulls)
    for step in result.steps.values():
        level = "error" if step.status == "failed" else "notice"
        out.diagnostic(level, f"{step.name}: {step.as_text()}", title="post-release")
    out.log(f"conventions: {conventions.summary()}")
    for note in result.notes:
        out.diagnostic("notice", note, title="post-release")
    diffs = [step.diff for step in result.steps.values() if step.diff]
    if request.dry_run:
        for diff in diffs:
            out.text(diff)
    out.result(result.as_dict())
    rows = [(name, step.as_text()) for name, step in result.steps.items()]
    title = "Post-release (dry run)" if request.dry_run else "Post-release"
    summary = f"### {title} {result.tag}\n\n"
    next_dev = result.as_dict()["next_dev_version"]
    summary += f"Next dev version on {config.default_branch}: `{next_dev or 'unchanged'}`\n\n"
    summary += "".join(f"> {note}\n\n" for note in result.notes)
    summary += f"Conventions: {conventions.summary()}\n\n"
    summary += markdown_table(rows, ("step", "result"))
    if request.dry_run:
        summary += "".join(f"\n\n```diff\n{diff}\n```\n" for diff in diffs)
    out.summary(summary)
    return 1 if result.failed else 0


def _release_branch(tag: str, conventions: Conventions) -> str:
    try:
        return ReleaseBranch.for_version(
            parse_release_tag(tag, conventions).version, conventions
        ).name
    except InvalidValueError:
        return ""  # post_release reports the tag
