"""compute-version: from the triggering event to a version and a publish plan.

Follows the "Workflow Modes" table of Llama Stack's ``RELEASE_PROCESS.md``, without
the bugs of Llama Stack's current ``pypi.yml``: inputs are validated,
``dry-run=off`` needs a release version, RCs (tag or GitHub pre-release) go to the
configured RC target and never to npm ``latest``, and an older-line patch gets a
line dist-tag instead of ``latest``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from release_actions.adapters.tags import known_release_tags, repo_conventions
from release_actions.core.config import Config
from release_actions.core.conventions import Conventions
from release_actions.core.errors import InvalidValueError, ReleaseActionsError
from release_actions.core.text_inputs import control_free
from release_actions.core.version_plan import (
    DRY_RUN_MODES,
    EVENTS,
    NightlyBuild,
    Plan,
    ReleaseBuild,
    Request,
    decide,
)
from release_actions.steps.nightly import nightly_version

# The step's inputs and result are the pure decision's (release_actions.core.version_plan).
__all__ = [
    "DRY_RUN_MODES",
    "EVENTS",
    "Plan",
    "Request",
    "compute",
    "read_event_payload",
    "request_from_event",
]


def read_event_payload(env: Mapping[str, str]) -> dict[str, Any]:
    """The event payload at ``GITHUB_EVENT_PATH``; {} when no file is named or it is absent.

    A file that cannot be read or does not hold a JSON object is an error naming it:
    a lost payload must not quietly turn into defaults.
    """
    path = env.get("GITHUB_EVENT_PATH", "")
    if not path or not Path(path).is_file():
        return {}
    import json  # only when there is an event payload to read

    fix = "run inside GitHub Actions, or point GITHUB_EVENT_PATH at the event's JSON payload"
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise ReleaseActionsError(
            f"cannot read the event payload GITHUB_EVENT_PATH={path}: {type(exc).__name__}",
            fix=fix,
            title="Unreadable event payload",
        ) from None
    if not isinstance(data, dict):
        raise InvalidValueError(
            "event payload", type(data).__name__, "a JSON object (GITHUB_EVENT_PATH)", fix=fix
        )
    return data


def event_object(payload: Mapping[str, Any], key: str) -> dict[str, Any]:
    """``payload[key]`` when it is an object, {} when absent or null; else an error."""
    value = payload.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InvalidValueError(
            f"event field {key}",
            _shown(value),
            "a JSON object",
            fix="check the event payload (GITHUB_EVENT_PATH) the workflow passes",
        )
    return value


def event_text(payload: Mapping[str, Any], key: str, where: str) -> str:
    """``payload[key]`` when it is a string, '' when absent or null; else an error."""
    value = payload.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidValueError(
            f"event field {where}.{key}",
            _shown(value),
            "a JSON string",
            fix="check the event payload (GITHUB_EVENT_PATH): pass the value as a string",
        )
    return control_free(value.strip(" "), f"event field {where}.{key}")


def _shown(value: object) -> str:
    import json

    text = json.dumps(value)
    return text if len(text) <= 40 else text[:37] + "..."


def request_from_event(
    *,
    event: str = "",
    tag: str = "",
    dry_run: str = "",
    version: str = "",
    prerelease: bool | None = None,
    date: str = "",
    branch: str = "",
    env: Mapping[str, str] | None = None,
) -> Request:
    """Fill what was not given explicitly from the triggering event (``GITHUB_*``)."""
    env = os.environ if env is None else env
    event = event or env.get("GITHUB_EVENT_NAME", "")
    if not event:
        raise InvalidValueError(
            "event", event, " | ".join(EVENTS), fix="pass --event, or run inside GitHub Actions"
        )
    if event not in EVENTS:
        raise InvalidValueError("event", event, " | ".join(EVENTS))
    payload = read_event_payload(env)
    if event == "release":
        release = event_object(payload, "release")
        if not tag:
            tag = event_text(release, "tag_name", "release")
        if not tag and env.get("GITHUB_REF", "").startswith("refs/tags/"):
            tag = env["GITHUB_REF"].removeprefix("refs/tags/")
        if prerelease is None and release.get("prerelease") is not None:
            if not isinstance(release["prerelease"], bool):
                raise InvalidValueError(
                    "event field release.prerelease",
                    _shown(release["prerelease"]),
                    "a JSON boolean",
                    fix="check the event payload (GITHUB_EVENT_PATH)",
                )
            prerelease = release["prerelease"]
    if event == "workflow_dispatch":
        inputs = event_object(payload, "inputs")
        if not dry_run:
            dry_run = event_text(inputs, "dry_run", "inputs") or event_text(
                inputs, "dry-run", "inputs"
            )
        if not version:
            version = event_text(inputs, "version", "inputs")
    return Request(event, tag, dry_run, version, prerelease, date, branch)


def compute(
    request: Request,
    *,
    repo: Path | None,
    config: Config,
    pyproject: Mapping[str, object] | None = None,
    fetch: bool = True,
    env: Mapping[str, str] | None = None,
    conventions: Conventions | None = None,
) -> Plan:
    """The publish plan for ``request``. Raises :class:`ReleaseActionsError` on bad input.

    The decision is :func:`release_actions.core.version_plan.decide`; this gathers
    the data it asks for: the nightly version, or (a final release only) the known
    release tags. ``conventions``: the repository's (default: :func:`repo_conventions`).
    """
    if conventions is None:
        conventions = repo_conventions(repo, config)
    decision = decide(request, config, conventions)
    if isinstance(decision, ReleaseBuild):
        needs = decision.needs_known_tags and repo is not None
        known = known_release_tags(repo, conventions) if needs and repo else []
        return decision.plan(known)
    if isinstance(decision, NightlyBuild):
        if repo is None:
            raise ReleaseActionsError(
                f"a {request.event} build needs the repository to compute the nightly version",
                fix="pass --repo DIR (the action uses the workspace)",
            )
        result = nightly_version(
            repo,
            date=request.date or None,
            branch=request.branch or None,
            default_branch=config.default_branch,
            pyproject=pyproject,
            fetch=fetch,
            env=env,
            conventions=conventions,
        )
        return decision.plan(result.version, result.base.source)
    return decision
