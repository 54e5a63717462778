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

from release_actions.adapters.tags import known_release_tags
from release_actions.core.config import Config
from release_actions.core.errors import InvalidValueError, ReleaseActionsError
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
    path = env.get("GITHUB_EVENT_PATH", "")
    if not path or not Path(path).is_file():
        return {}
    import json  # only when there is an event payload to read

    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


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
        release = payload.get("release") or {}
        if not tag:
            tag = str(release.get("tag_name") or "")
        if not tag and env.get("GITHUB_REF", "").startswith("refs/tags/"):
            tag = env["GITHUB_REF"].removeprefix("refs/tags/")
        if prerelease is None and "prerelease" in release:
            prerelease = bool(release["prerelease"])
    if event == "workflow_dispatch":
        inputs = payload.get("inputs") or {}
        if not dry_run:
            dry_run = str(inputs.get("dry_run") or inputs.get("dry-run") or "")
        if not version:
            version = str(inputs.get("version") or "").strip()
    return Request(event, tag, dry_run, version, prerelease, date, branch)


def compute(
    request: Request,
    *,
    repo: Path | None,
    config: Config,
    pyproject: Mapping[str, object] | None = None,
    fetch: bool = True,
    env: Mapping[str, str] | None = None,
) -> Plan:
    """The publish plan for ``request``. Raises :class:`ReleaseActionsError` on bad input.

    The decision is :func:`release_actions.core.version_plan.decide`; this gathers
    the data it asks for: the nightly version, or (a final release only) the known
    release tags.
    """
    decision = decide(request, config)
    if isinstance(decision, ReleaseBuild):
        known = known_release_tags(repo) if decision.needs_known_tags and repo is not None else []
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
        )
        return decision.plan(result.version, result.base.source)
    return decision
