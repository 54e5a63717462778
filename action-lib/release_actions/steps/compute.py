"""compute-version: from the triggering event to a version and a publish plan.

Follows the "Workflow Modes" table of Llama Stack's ``RELEASE_PROCESS.md``, without
the bugs of Llama Stack's current ``pypi.yml``: inputs are validated,
``dry-run=off`` needs a release version, RCs (tag or GitHub pre-release) go to the
configured RC target and never to npm ``latest``, and an older-line patch gets a
line dist-tag instead of ``latest``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

from release_actions.adapters.tags import known_release_tags, repo_conventions
from release_actions.core.config import Config
from release_actions.core.conventions import Conventions
from release_actions.core.errors import InvalidValueError, ReleaseActionsError
from release_actions.core.version_plan import (
    DRY_RUN_MODES,
    EVENTS,
    NightlyBuild,
    Plan,
    ReleaseBuild,
    Request,
    decide,
    without_npm,
)
from release_actions.steps.event import (
    event_object,
    event_text,
    read_event_payload,
    shown_json,
)
from release_actions.steps.nightly import nightly_version
from release_actions.steps.pyprojects import ManagedPyproject, managed_pyprojects

#: Seconds for the one read of the npm registry's dist-tags (compute-version).
REGISTRY_TIMEOUT = 30.0

# The step's inputs and result are the pure decision's (release_actions.core.version_plan).
__all__ = [
    "DRY_RUN_MODES",
    "EVENTS",
    "Plan",
    "Request",
    "compute",
    "event_object",
    "event_text",
    "read_event_payload",
    "request_from_event",
]


_SHA_RE = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")


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
                    shown_json(release["prerelease"]),
                    "a JSON boolean",
                    fix="check the event payload (GITHUB_EVENT_PATH)",
                )
            prerelease = release["prerelease"]
        if not branch:  # the branch the release was made from (a hotfix must name its own)
            target = event_text(release, "target_commitish", "release")
            branch = target if not _SHA_RE.fullmatch(target) else ""
    if event == "workflow_dispatch":
        inputs = event_object(payload, "inputs")
        if not dry_run:
            dry_run = event_text(inputs, "dry_run", "inputs") or event_text(
                inputs, "dry-run", "inputs"
            )
        if not version:
            version = event_text(inputs, "version", "inputs")
        ref = env.get("GITHUB_REF", "")
        if version and not branch and ref.startswith("refs/heads/"):
            branch = ref.removeprefix("refs/heads/")  # where a hotfix is dispatched from
    return Request(event, tag, dry_run, version, prerelease, date, branch)


def _release_plan(
    build: ReleaseBuild,
    repo: Path | None,
    config: Config,
    npm_registry: str | None,
    notes: list[str] | None,
    conventions: Conventions,
) -> Plan:
    """A release's plan: the dist-tag from the registry when it can be read, else from tags."""
    if not build.needs_known_tags:
        return build.plan([])
    said = notes if notes is not None else []
    package = config.npm_package
    if not build.asks_registry:
        reason = "dry run, npm is not published"
    elif not package:
        reason = "no npm package is configured"
    elif npm_registry is None:
        reason = "the registry was not asked"
    else:
        from release_actions.adapters.npm_registry import npm_latest
        from release_actions.core.text_inputs import redact_url
        from release_actions.core.version_plan import registry_version

        where = redact_url(npm_registry)
        try:
            latest = npm_latest(npm_registry, package, timeout=REGISTRY_TIMEOUT)
            current = registry_version(latest) if latest else None
        except ReleaseActionsError as err:
            reason = f"{where} could not be read ({redact_url(err.message)})"
        else:
            shown = latest or "none (not published yet)"
            said.append(f"npm dist-tag from the registry: {package} latest on {where} is {shown}")
            return build.plan_from_registry(current)
    said.append(f"npm dist-tag from the repository's release tags: {reason}")
    return build.plan(known_release_tags(repo, conventions) if repo is not None else [])


def compute(
    request: Request,
    *,
    repo: Path | None,
    config: Config,
    pyproject: Mapping[str, object] | None = None,
    fetch: bool = True,
    env: Mapping[str, str] | None = None,
    npm_registry: str | None = None,
    notes: list[str] | None = None,
    conventions: Conventions | None = None,
) -> Plan:
    """The publish plan for ``request``. Raises :class:`ReleaseActionsError` on bad input.

    The decision is :func:`release_actions.core.version_plan.decide`; this gathers
    the data it asks for: the nightly version, or (a final release only) the npm
    package's ``latest`` on ``npm_registry`` (None: not asked), else the known
    release tags; where the dist-tag came from is appended to ``notes``. A nightly's
    base takes the highest ``fallback_version`` over the managed pyproject files; its
    notes (which file that was) go to ``notes`` too. ``conventions``: the
    repository's (default: :func:`repo_conventions`).
    """
    if conventions is None:
        conventions = repo_conventions(repo, config)
    plan = _compute(request, repo, config, pyproject, fetch, env, npm_registry, notes, conventions)
    return plan if config.npm_package else without_npm(plan)


def _compute(
    request: Request,
    repo: Path | None,
    config: Config,
    pyproject: Mapping[str, object] | None,
    fetch: bool,
    env: Mapping[str, str] | None,
    npm_registry: str | None,
    notes: list[str] | None,
    conventions: Conventions,
) -> Plan:
    decision = decide(request, config, conventions)
    if isinstance(decision, ReleaseBuild):
        return _release_plan(decision, repo, config, npm_registry, notes, conventions)
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
            pyprojects=_with_root(managed_pyprojects(repo, config.pyprojects), pyproject),
            conventions=conventions,
        )
        if notes is not None:
            notes.extend(result.notes)
        return decision.plan(result.version, result.base.source)
    return decision


def _with_root(
    found: Sequence[ManagedPyproject], pyproject: Mapping[str, object] | None
) -> list[tuple[str, Mapping[str, object]]]:
    """The managed files ``(path, parsed)``; the given root pyproject when none is the root."""
    files: list[tuple[str, Mapping[str, object]]] = [(m.rel, m.data) for m in found]
    if pyproject is not None and all(rel != "pyproject.toml" for rel, _ in files):
        files.insert(0, ("pyproject.toml", pyproject))
    return files
