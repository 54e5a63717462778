"""compute-version: from the triggering event to a version and a publish plan.

Follows the "Workflow Modes" table of Llama Stack's ``RELEASE_PROCESS.md``, without
the bugs of Llama Stack's current ``pypi.yml``: inputs are validated,
``dry-run=off`` needs a release version, RCs (tag or GitHub pre-release) go to the
configured RC target and never to npm ``latest``, and an older-line patch gets a
line dist-tag instead of ``latest``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple

from release_actions.adapters.tags import known_release_tags
from release_actions.core.config import Config, check_choice
from release_actions.core.errors import InvalidValueError, ReleaseActionsError
from release_actions.core.versions import (
    ReleaseBranch,
    Version,
    is_release,
    npm_version,
    parse_any_version,
    parse_release_tag,
    parse_release_version,
)
from release_actions.steps.nightly import nightly_version

EVENTS = (
    "release",
    "schedule",
    "workflow_dispatch",
    "push",
    "pull_request",
    "pull_request_target",
    "merge_group",
)
DRY_RUN_MODES = ("test-pypi", "build-only", "off")
_NPM_PRE_TAG = {"a": "alpha", "b": "beta", "rc": "rc"}


class Plan(NamedTuple):
    version: str
    npm_version: str
    tag: str
    target: str  # pypi | testpypi | none
    publish_pypi: bool
    publish_npm: bool
    npm_dist_tag: str
    is_prerelease: bool
    is_dev: bool
    release_branch: str
    base_source: str

    def as_dict(self) -> dict[str, Any]:
        return dict(self._asdict())


class Request(NamedTuple):
    """Validated inputs; empty strings mean "not given"."""

    event: str
    tag: str = ""
    dry_run: str = ""
    version: str = ""
    prerelease: bool | None = None
    date: str = ""
    branch: str = ""


def read_event_payload(env: Mapping[str, str]) -> dict[str, Any]:
    path = env.get("GITHUB_EVENT_PATH", "")
    if not path or not Path(path).is_file():
        return {}
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


def _dist_tag(version: Version, repo: Path | None) -> str:
    if version.pre is not None:
        return _NPM_PRE_TAG[version.pre[0]]
    tags = known_release_tags(repo) if repo is not None else []
    finals = [t.version for t in tags if not t.is_prerelease]
    if finals and version < max(finals):
        return f"latest-{version.major}.{version.minor}"
    return "latest"


def _release_plan(
    version: Version, tag: str, prerelease: bool, config: Config, source: str, repo: Path | None
) -> Plan:
    target = config.rc_target if prerelease else "pypi"
    # A final version published as a GitHub pre-release goes to the "next" dist-tag.
    final_as_pre = prerelease and version.pre is None
    dist_tag = "next" if final_as_pre else _dist_tag(version, repo)
    return Plan(
        version=str(version),
        npm_version=npm_version(version),
        tag=tag,
        target=target,
        publish_pypi=True,
        publish_npm=target == "pypi",
        npm_dist_tag=dist_tag,
        is_prerelease=prerelease,
        is_dev=False,
        release_branch=ReleaseBranch.for_version(version).name,
        base_source=source,
    )


def _dev_plan(version: Version, target: str, source: str) -> Plan:
    return Plan(
        version=str(version),
        npm_version=npm_version(version),
        tag="",
        target=target,
        publish_pypi=target != "none",
        publish_npm=False,
        npm_dist_tag="dev",
        is_prerelease=False,  # a dev build; see is_dev
        is_dev=True,
        release_branch=ReleaseBranch.for_version(version).name,
        base_source=source,
    )


def _manual_version(text: str) -> Version:
    version = parse_any_version(text, "version")
    if is_release(version):
        return version
    # Dev versions of a release version are allowed for test uploads.
    if version.dev is not None and is_release(Version(str(version).split(".dev")[0])):
        return version
    raise InvalidValueError("version", text, "X.Y.Z, X.Y.ZrcN or a dev version X.Y.Z.devN", fix="")


def compute(
    request: Request,
    *,
    repo: Path | None,
    config: Config,
    pyproject: Mapping[str, object] | None = None,
    fetch: bool = True,
    env: Mapping[str, str] | None = None,
) -> Plan:
    """The publish plan for ``request``. Raises :class:`ReleaseActionsError` on bad input."""
    check_choice("rc-target", config.rc_target, "rc_target")
    event = request.event

    def nightly(target: str) -> Plan:
        if repo is None:
            raise ReleaseActionsError(
                f"a {event} build needs the repository to compute the nightly version",
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
        return _dev_plan(result.version, target, result.base.source)

    if event == "release":
        if not request.tag:
            raise InvalidValueError(
                "tag",
                "",
                "vX.Y.Z or vX.Y.ZrcN",
                fix="a release event needs its tag: pass --tag or run on `release: published`",
            )
        tag = parse_release_tag(request.tag)
        if request.version and request.version != str(tag.version):
            raise InvalidValueError(
                "version", request.version, f"{tag.version} (the release tag's version) or nothing"
            )
        prerelease = bool(request.prerelease) or tag.is_prerelease
        return _release_plan(tag.version, tag.name, prerelease, config, "tag", repo)
    if event == "workflow_dispatch":
        mode = request.dry_run or "test-pypi"
        if mode not in DRY_RUN_MODES:
            raise InvalidValueError("dry-run", mode, " | ".join(DRY_RUN_MODES))
        if mode == "off":
            if not request.version:
                raise InvalidValueError(
                    "version",
                    "",
                    "X.Y.Z or X.Y.ZrcN",
                    fix="dry-run=off publishes to production: give the version (the workflow's "
                    "version input, or --version), e.g. 0.4.5 or 0.5.0rc1",
                )
            version = parse_release_version(request.version)
            prerelease = version.is_prerelease or bool(request.prerelease)
            return _release_plan(
                version, f"{config.tag_prefix}{version}", prerelease, config, "input", repo
            )
        target = "testpypi" if mode == "test-pypi" else "none"
        if request.version:
            version = _manual_version(request.version)
            if version.dev is not None:
                return _dev_plan(version, target, "input")
            plan = _release_plan(
                version,
                f"{config.tag_prefix}{version}",
                version.is_prerelease,
                config,
                "input",
                repo,
            )
            return Plan(
                **{
                    **plan.as_dict(),
                    "target": target,
                    "publish_pypi": target != "none",
                    "publish_npm": False,
                }
            )
        return nightly(target)
    if event == "schedule":
        return nightly("testpypi")
    return nightly("none")
