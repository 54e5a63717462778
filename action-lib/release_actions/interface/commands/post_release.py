"""``release-actions post-release``."""

from __future__ import annotations

import argparse
import os

from release_actions.core.errors import InvalidValueError
from release_actions.interface.commands.common import (
    add_repo_and_json,
    add_write_arguments,
    emit,
    env_default,
    env_list,
    env_number,
    identity_from,
    open_repo,
)
from release_actions.interface.output import annotation, markdown_table, write_summary
from release_actions.steps.compute import read_event_payload
from release_actions.steps.post.release import (
    RC_POLICIES,
    PostRequest,
    find_release_tag,
    post_release,
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_repo_and_json(parser)
    parser.add_argument(
        "--tag",
        default=env_default("RA_TAG"),
        help="release tag vX.Y.Z (default: from the release or workflow_run event)",
    )
    parser.add_argument(
        "--pin",
        action="append",
        default=env_list("RA_PINS"),
        help="sibling package pinned on main with --main-pin-style minimum",
    )
    parser.add_argument(
        "--main-pin-style",
        default=env_default("RA_MAIN_PIN_STYLE"),
        help="none (default) | minimum",
    )
    parser.add_argument(
        "--next-dev",
        default=env_default("RA_NEXT_DEV"),
        help="patch (default): main develops X.Y.(Z+1); minor: X.(Y+1).0",
    )
    parser.add_argument(
        "--rc-policy",
        default=env_default("RA_RC_POLICY"),
        help=" | ".join(RC_POLICIES) + " (what an RC does to main)",
    )
    parser.add_argument("--npm-registry", default=env_default("RA_NPM_REGISTRY"))
    parser.add_argument(
        "--npm-wait-attempts", type=int, default=env_number("RA_NPM_WAIT_ATTEMPTS", 30, int)
    )
    parser.add_argument(
        "--npm-wait-seconds", type=float, default=env_number("RA_NPM_WAIT_SECONDS", 10.0, float)
    )
    add_write_arguments(parser, "report what would change, change nothing")


def _tag_from_event(repo_tag: str, repo: object) -> str:
    if repo_tag:
        return repo_tag
    event = os.environ.get("GITHUB_EVENT_NAME", "")
    payload = read_event_payload(os.environ)
    if event == "release":
        return str((payload.get("release") or {}).get("tag_name") or "")
    if event == "workflow_run":
        run = payload.get("workflow_run") or {}
        if run.get("conclusion") != "success" or run.get("event") != "release":
            raise InvalidValueError(
                "workflow_run",
                f"{run.get('event')}/{run.get('conclusion')}",
                "a successful run for a release event",
                fix="trigger post-release on the publish run's success, or pass tag",
            )
        return find_release_tag(repo, str(run.get("head_sha") or "")).name  # type: ignore[arg-type]
    raise InvalidValueError(
        "tag",
        "",
        "vX.Y.Z or vX.Y.ZrcN",
        fix="pass --tag (the action's tag input) or run on a release event",
    )


def run(options: argparse.Namespace) -> int:
    repo, _pyproject, config = open_repo(options.repo)
    request = PostRequest(
        tag=_tag_from_event(options.tag, repo),
        pins=tuple(options.pin or ()),
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
    identity = identity_from(options, config)
    pulls = None
    if (request.mode or config.write_mode) != "push" and not request.dry_run:
        from release_actions.adapters.github_repo import pull_requests_from_env

        pulls = pull_requests_from_env()
    result = post_release(repo, request, config, identity=identity, pulls=pulls)
    for step in result.steps.values():
        level = "error" if step.status == "failed" else "notice"
        annotation(level, f"{step.name}: {step.as_text()}", title="post-release")
    data = result.as_dict()
    emit(data, options.json)
    rows = [(name, step.as_text()) for name, step in result.steps.items()]
    title = "Post-release (dry run)" if request.dry_run else "Post-release"
    summary = f"### {title} {result.tag}\n\n"
    summary += f"Next dev version on main: `{result.next_dev or 'unchanged'}`\n\n"
    write_summary(summary + markdown_table(rows, ("step", "result")))
    return 1 if result.failed else 0
