"""The compute-version decision, without I/O: from a validated request to a publish plan.

:func:`decide` takes the request and the configuration and answers with a
finished :class:`Plan`, or with what the plan still needs from the repository:

* a :class:`ReleaseBuild` needs the known release tags, and only when it is a
  final release published as such (:attr:`ReleaseBuild.needs_known_tags`): they
  decide between npm ``latest`` and a line dist-tag such as ``latest-0.6``;
* a :class:`NightlyBuild` needs the nightly version (``{base}.dev{YYYYMMDD}``).

The caller (:mod:`release_actions.steps.compute`) gathers that data and calls
their ``plan`` method.

>>> build = decide(Request("release", tag="v0.6.2"), Config())
>>> build.needs_known_tags
True
>>> build.plan([parse_release_tag("v0.7.0")]).npm_dist_tag
'latest-0.6'
>>> decide(Request("release", tag="v0.7.0rc1"), Config()).plan([]).npm_dist_tag
'rc'
"""

from collections.abc import Sequence
from typing import Any, NamedTuple

from release_actions.core.config import Config, check_choice
from release_actions.core.conventions import DEFAULT, Conventions
from release_actions.core.errors import InvalidValueError
from release_actions.core.versions import (
    ReleaseBranch,
    ReleaseTag,
    Version,
    is_release,
    npm_version,
    parse_any_version,
    parse_release_tag,
    parse_release_version,
)

__all__ = [
    "DRY_RUN_MODES",
    "EVENTS",
    "NightlyBuild",
    "Plan",
    "ReleaseBuild",
    "Request",
    "decide",
    "dev_plan",
    "npm_dist_tag",
]

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


def npm_dist_tag(version: Version, known_tags: Sequence[ReleaseTag]) -> str:
    """The npm dist-tag of a release version, given the release tags that exist.

    A pre-release gets its kind (``alpha``, ``beta``, ``rc``); a final release
    older than the newest final release gets its line's ``latest-X.Y``, so an
    old-line patch never moves ``latest``.

    >>> npm_dist_tag(Version("0.6.2"), [parse_release_tag("v0.7.0")])
    'latest-0.6'
    >>> npm_dist_tag(Version("0.7.1"), [parse_release_tag("v0.7.0")])
    'latest'
    """
    if version.pre is not None:
        return _NPM_PRE_TAG[version.pre[0]]
    finals = [t.version for t in known_tags if not t.is_prerelease]
    if finals and version < max(finals):
        return f"latest-{version.major}.{version.minor}"
    return "latest"


class ReleaseBuild(NamedTuple):
    """A release version (or a test upload of one); the plan once the tags are known."""

    version: Version
    tag: str
    prerelease: bool
    target: str  # pypi | testpypi | none
    publish_npm: bool
    source: str  # tag | input
    conventions: Conventions = DEFAULT

    @property
    def needs_known_tags(self) -> bool:
        """Only a final release published as final asks which release is the newest."""
        return self.version.pre is None and not self.prerelease

    def plan(self, known_tags: Sequence[ReleaseTag]) -> Plan:
        # A final version published as a GitHub pre-release goes to the "next" dist-tag.
        final_as_pre = self.prerelease and self.version.pre is None
        dist_tag = "next" if final_as_pre else npm_dist_tag(self.version, known_tags)
        return Plan(
            version=str(self.version),
            npm_version=npm_version(self.version),
            tag=self.tag,
            target=self.target,
            publish_pypi=self.target != "none",
            publish_npm=self.publish_npm,
            npm_dist_tag=dist_tag,
            is_prerelease=self.prerelease,
            is_dev=False,
            release_branch=ReleaseBranch.for_version(self.version, self.conventions).name,
            base_source=self.source,
        )


class NightlyBuild(NamedTuple):
    """A dev build of the nightly version; the plan once that version is known."""

    target: str  # testpypi | none
    conventions: Conventions = DEFAULT

    def plan(self, version: Version, base_source: str) -> Plan:
        return dev_plan(version, self.target, base_source, self.conventions)


def dev_plan(
    version: Version, target: str, source: str, conventions: Conventions = DEFAULT
) -> Plan:
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
        release_branch=ReleaseBranch.for_version(version, conventions).name,
        base_source=source,
    )


def _release(
    version: Version, tag: str, prerelease: bool, config: Config, source: str, conv: Conventions
) -> ReleaseBuild:
    target = config.rc_target if prerelease else "pypi"
    return ReleaseBuild(version, tag, prerelease, target, target == "pypi", source, conv)


def _manual_version(text: str) -> Version:
    version = parse_any_version(text, "version")
    if is_release(version):
        return version
    # Dev versions of a release version are allowed for test uploads.
    if version.dev is not None and is_release(Version(str(version).split(".dev")[0])):
        return version
    raise InvalidValueError("version", text, "X.Y.Z, X.Y.ZrcN or a dev version X.Y.Z.devN", fix="")


def decide(
    request: Request, config: Config, conventions: Conventions = DEFAULT
) -> Plan | ReleaseBuild | NightlyBuild:
    """What ``request`` publishes, tags and branches named by ``conventions`` (the
    repository's, see :func:`release_actions.core.conventions.detect`). Raises
    :class:`InvalidValueError` on bad input."""
    conv = conventions
    release_tag = conv.release_tag_name
    check_choice("rc-target", config.rc_target, "rc_target")
    event = request.event
    if event == "release":
        if not request.tag:
            raise InvalidValueError(
                "tag",
                "",
                f"{release_tag('X.Y.Z')} or {release_tag('X.Y.Z')}rcN",
                fix="a release event needs its tag: pass --tag or run on `release: published`",
            )
        tag = parse_release_tag(request.tag, conv)
        if request.version and request.version != str(tag.version):
            raise InvalidValueError(
                "version", request.version, f"{tag.version} (the release tag's version) or nothing"
            )
        prerelease = bool(request.prerelease) or tag.is_prerelease
        return _release(tag.version, tag.name, prerelease, config, "tag", conv)
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
            return _release(version, release_tag(version), prerelease, config, "input", conv)
        target = "testpypi" if mode == "test-pypi" else "none"
        if request.version:
            version = _manual_version(request.version)
            if version.dev is not None:
                return dev_plan(version, target, "input", conv)
            build = _release(
                version, release_tag(version), version.is_prerelease, config, "input", conv
            )
            return build._replace(target=target, publish_npm=False)
        return NightlyBuild(target, conv)
    if event == "schedule":
        return NightlyBuild("testpypi", conv)
    return NightlyBuild("none", conv)
