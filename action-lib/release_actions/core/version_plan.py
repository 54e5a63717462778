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

A hotfix ``vX.Y.Z.N`` is released from its line's branch ``release-X.Y.x`` only,
to PyPI only (npm has no form for four numbers), and says so:

>>> plan = decide(Request("release", tag="v0.2.10.1", branch="release-0.2.x"), Config()).plan([])
>>> plan.publish_npm, plan.npm_dist_tag, plan.npm_skip_reason[:31]
(False, '', 'hotfix 0.2.10.1 is PyPI-only: n')
"""

from collections.abc import Sequence
from typing import Any, NamedTuple

from release_actions.core.config import Config, check_choice
from release_actions.core.conventions import DEFAULT, Conventions
from release_actions.core.errors import InvalidValueError
from release_actions.core.versions import (
    HOTFIX_NPM_REASON,
    ReleaseBranch,
    ReleaseTag,
    Version,
    is_hotfix,
    is_release,
    npm_form,
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
    "check_hotfix_branch",
    "decide",
    "dev_plan",
    "hotfix_npm_reason",
    "npm_dist_tag",
    "npm_dist_tag_from_registry",
    "registry_version",
    "without_npm",
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
    # Why npm is not published although the event would publish it ('' otherwise).
    npm_skip_reason: str = ""

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


def npm_dist_tag_from_registry(version: Version, registry_latest: Version | None) -> str:
    """The npm dist-tag of a release version, given the package's ``latest`` on the registry.

    The package's own versions decide, not the repository's tags: a final release
    at or above the registry's ``latest`` (or the package's first) takes ``latest``;
    one below it gets its line's ``latest-X.Y``. A package renamed away after 0.7
    keeps taking ``latest`` for its 0.7 patches although the repository has 0.8 tags.

    >>> npm_dist_tag_from_registry(Version("0.7.3"), Version("0.7.2"))
    'latest'
    >>> npm_dist_tag_from_registry(Version("0.7.3"), Version("0.8.1"))
    'latest-0.7'
    >>> npm_dist_tag_from_registry(Version("0.1.0"), None)
    'latest'
    """
    if version.pre is not None:
        return _NPM_PRE_TAG[version.pre[0]]
    if registry_latest is not None and version < registry_latest:
        return f"latest-{version.major}.{version.minor}"
    return "latest"


def registry_version(npm_text: str) -> Version:
    """A registry's npm (SemVer) version as a PEP 440 version, for ordering against ours.

    A SemVer pre-release ``X.Y.Z-...`` orders below every final X.Y.Z: it is read
    as ``X.Y.Z.dev0``.

    >>> registry_version("0.7.2"), registry_version("0.8.0-rc.1")
    (<Version('0.7.2')>, <Version('0.8.0.dev0')>)
    """
    core, sep, _ = npm_text.strip().lstrip("v").partition("-")
    core = core.split("+", 1)[0]
    parts = core.split(".")
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        raise InvalidValueError("npm registry version", npm_text, "a SemVer version X.Y.Z[-pre]")
    return Version(f"{core}.dev0" if sep else core)


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

    @property
    def asks_registry(self) -> bool:
        """A final release that npm publishes asks the registry which version is ``latest``
        (a dry run or a test upload decides from the tags)."""
        return self.needs_known_tags and self.publish_npm

    def plan(self, known_tags: Sequence[ReleaseTag]) -> Plan:
        """The plan, the dist-tag decided from the repository's release tags."""
        return self._plan(npm_dist_tag(self.version, known_tags))

    def plan_from_registry(self, registry_latest: Version | None) -> Plan:
        """The plan, the dist-tag decided from the package's ``latest`` on the registry
        (None: the package is not published yet)."""
        return self._plan(npm_dist_tag_from_registry(self.version, registry_latest))

    def _plan(self, dist_tag: str) -> Plan:
        # A final version published as a GitHub pre-release goes to the "next" dist-tag.
        if self.prerelease and self.version.pre is None:
            dist_tag = "next"
        hotfix = is_hotfix(self.version)
        return Plan(
            version=str(self.version),
            npm_version=npm_form(self.version),
            tag=self.tag,
            target=self.target,
            publish_pypi=self.target != "none",
            publish_npm=self.publish_npm and not hotfix,
            npm_dist_tag="" if hotfix else dist_tag,
            is_prerelease=self.prerelease,
            is_dev=False,
            release_branch=ReleaseBranch.for_version(self.version, self.conventions).name,
            base_source=self.source,
            npm_skip_reason=hotfix_npm_reason(self.version),
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
        npm_version=npm_form(version),
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


def hotfix_npm_reason(version: Version) -> str:
    """Why a release of ``version`` skips npm: '' unless it is a hotfix X.Y.Z.N."""
    return f"hotfix {version} is PyPI-only: {HOTFIX_NPM_REASON}" if is_hotfix(version) else ""


def check_hotfix_branch(version: Version, branch: str) -> None:
    """A hotfix X.Y.Z.N is released from ``release-X.Y.x`` only; other versions pass."""
    if not is_hotfix(version):
        return
    expected = ReleaseBranch.for_version(version).name
    if branch.removeprefix("refs/heads/") == expected:
        return
    fix = (
        f"pass --branch {expected} (a release event names it as release.target_commitish)"
        if not branch
        else f"release {version} from {expected}: hotfixes are cut on their line's branch"
    )
    raise InvalidValueError(f"branch of hotfix {version}", branch, expected, fix=fix)


def _release(
    version: Version, tag: str, prerelease: bool, config: Config, source: str, conv: Conventions
) -> ReleaseBuild:
    target = config.rc_target if prerelease else "pypi"
    return ReleaseBuild(version, tag, prerelease, target, target == "pypi", source, conv)


def without_npm(plan: Plan) -> Plan:
    """``plan`` for a project without an npm package: nothing to npm, no dist-tag.

    >>> plan = without_npm(dev_plan(Version("0.1.0.dev1"), "none", "tag"))
    >>> plan.publish_npm, plan.npm_dist_tag
    (False, '')
    """
    return plan._replace(publish_npm=False, npm_dist_tag="")


def _manual_version(text: str) -> Version:
    version = parse_any_version(text, "version")
    if is_release(version):
        return version
    # Dev versions of a release version are allowed for test uploads.
    if version.dev is not None and is_release(Version(str(version).split(".dev")[0])):
        return version
    raise InvalidValueError(
        "version", text, "X.Y.Z, X.Y.ZrcN, X.Y.Z.N or a dev version X.Y.Z.devN", fix=""
    )


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
        check_hotfix_branch(tag.version, request.branch)
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
            check_hotfix_branch(version, request.branch)
            prerelease = version.is_prerelease or bool(request.prerelease)
            return _release(version, release_tag(version), prerelease, config, "input", conv)
        target = "testpypi" if mode == "test-pypi" else "none"
        if request.version:
            version = _manual_version(request.version)
            check_hotfix_branch(Version(version.base_version), request.branch)
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
