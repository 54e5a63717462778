"""Checks on tags and branches: conventions, tags, release-branches and dev-tag.

The conventions (tag prefix, dev-tag and release-branch forms) are shown, each
configured or detected. Every ``<prefix><digit>...`` tag should parse as a release
tag (hotfixes ``X.Y.Z.N`` included) or a dev tag, and only those it cannot place are
warned about; every released line X.Y must have its release branch (``release-X.Y.x``
or the repository's form; missing: fail for a maintained line, warn for older ones);
the default branch's dev tag must be above the newest final release.
"""

from __future__ import annotations

from release_actions.core.versions import ReleaseBranch, ReleaseTag, is_hotfix, next_dev_base
from release_actions.steps.doctor.context import Context
from release_actions.steps.doctor.report import FAIL, OK, WARN, Check
from release_actions.steps.maintained import line_is_maintained

__all__ = ["check_conventions", "check_dev_tag", "check_release_branches", "check_tags"]


def check_conventions(ctx: Context) -> Check:
    return Check("conventions", OK, ctx.conventions.summary())


def check_tags(ctx: Context) -> Check:
    name = "tags"
    releases, devs, bad = ctx.parsed_tags
    if bad:
        shown = ", ".join(bad[:10]) + (f" and {len(bad) - 10} more" if len(bad) > 10 else "")
        return Check(
            name,
            WARN,
            f"{len(bad)} tag(s) look like versions but cannot be placed as {_forms(ctx)}: {shown}",
            "release-actions ignores them, git describe and setuptools-scm do not; keep any"
            " that name a published release, and rename or delete one that was never"
            f" published (e.g. git push origin :refs/tags/{bad[0]})",
        )
    if not releases and not devs:
        return Check(name, OK, "no version tags yet")
    return Check(name, OK, f"{len(releases)} release and {len(devs)} dev tag(s), all parse")


def _forms(ctx: Context) -> str:
    release = ctx.conventions.release_tag_name("X.Y.Z")
    dev = ctx.conventions.dev_tag_name("X.Y.Z")
    return f"{release}, {release}rcN, the hotfix {release}.N or {dev}"


def _branch(ctx: Context, tag: ReleaseTag) -> str:
    return ReleaseBranch.for_version(tag.version, ctx.conventions).name


def check_release_branches(ctx: Context) -> Check:
    name = "release-branches"
    releases = ctx.releases
    if not releases:
        return Check(name, OK, "nothing released yet")
    latest: dict[tuple[int, int], ReleaseTag] = {}
    for tag in releases:  # sorted by version: a line's newest final wins, else its newest RC
        if tag.line not in latest or latest[tag.line].is_prerelease or not tag.is_prerelease:
            latest[tag.line] = tag
    branches = ctx.branches
    missing = {line: tag for line, tag in latest.items() if _branch(ctx, tag) not in branches}
    if not missing:
        names = ", ".join(_branch(ctx, t) for t in latest.values())
        return Check(name, OK, f"every released line has its branch: {names}")
    maintained = {line for line in missing if line_is_maintained(line, releases, ctx.count)}
    status = FAIL if maintained else WARN
    ordered = sorted(missing, key=lambda k: (k not in maintained, [-k[0], -k[1]]))
    described = []
    for line in ordered:
        tag = missing[line]
        kind = "maintained" if line in maintained else "unmaintained"
        described.append(f"{_branch(ctx, tag)} ({kind}, latest {tag.name})")
    first = missing[ordered[0]]
    branch = _branch(ctx, first)
    return Check(
        name,
        status,
        "released lines without their release branch (local or origin): " + ", ".join(described),
        f"create each from the line's latest tag, e.g. git push origin"
        f" '{first.name}^{{commit}}:refs/heads/{branch}'",
    )


def check_dev_tag(ctx: Context) -> Check:
    name = "dev-tag"
    finals = [t for t in ctx.finals if not is_hotfix(t.version)]  # hotfixes never move main
    devs = ctx.parsed_tags[1]
    if not finals:
        if devs:
            return Check(name, OK, f"{devs[-1].name}; no final release yet")
        return Check(name, OK, "no final release yet")
    newest = finals[-1]
    nxt = next_dev_base(newest.version, ctx.config.next_dev)
    conventions = ctx.conventions
    fix = (
        f"run post-release for {newest.name}: it tags {ctx.config.default_branch} with"
        f" {conventions.dev_tag_name(nxt)} and bumps fallback_version to {nxt}.dev0"
    )
    if not devs:
        return Check(
            name,
            WARN,
            f"no dev tag ({conventions.dev_tag_name('X.Y.Z')}) although {newest.name} is"
            " released: nightlies in tagless checkouts fall back to fallback_version",
            fix,
        )
    top = devs[-1]
    if top.version <= newest.version:
        return Check(
            name,
            FAIL,
            f"the newest dev tag {top.name} is not above the newest release {newest.name}:"
            f" {ctx.config.default_branch} still develops {top.version}",
            fix,
        )
    return Check(name, OK, f"{top.name} is above the newest release {newest.name}")
