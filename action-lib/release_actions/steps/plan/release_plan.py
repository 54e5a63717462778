"""plan: the release owner's checklist for one version, with what each automated step
would do right now.

The checklist is that of Llama Stack's RELEASE_PROCESS.md: the Release Criteria of the
milestone, the testing requirements of the release type, the Release Checklist
(Discord thread, technical steps, release notes, announcement) and the
Technical Release Steps. Each automated step is shown as the library would
carry it out now, by calling it with ``dry_run``:

* prepare-release (:func:`release_actions.steps.prepare.prepare_release`): the diff,
  whether it cuts ``release-X.Y.x``, the pins, the lock;
* compute-version for ``release: published`` (:func:`release_actions.steps.compute.compute`):
  the target index and the npm dist-tag;
* post-release (:func:`release_actions.steps.post.release.post_release`): the next dev tag
  and what happens on main and on the release branch.

Nothing is written to the repository or to origin. The steps run in a scratch
*snapshot*: a temporary bare repository holding origin's default branch, the
release branch and the ``v*`` tags (objects borrowed from the repository through
``objects/info/alternates``; nothing is copied or fetched that the repository
already has). post-release only runs for a tag that exists, so the snapshot
gets the release tag (and, for a new line, the release branch cut from main),
as they will be once prepare-release has run and the release is published.

The pieces: :mod:`release_actions.steps.plan.probe` (the snapshot and the dry run of
each step), :mod:`release_actions.steps.plan.checklist` (the checklist items) and
:mod:`release_actions.steps.plan.model` (the plan as data and as Markdown). Import
from this module.
"""

from __future__ import annotations

from pathlib import Path

from release_actions.adapters.delivery import Identity
from release_actions.adapters.tags import known_release_tags, repo_conventions
from release_actions.core.config import Config, with_conventions
from release_actions.core.versions import ReleaseBranch, ReleaseTag, parse_release_version
from release_actions.steps.default_branch import with_default_branch
from release_actions.steps.governance import MilestoneSource, check_milestone, previous_release_tag
from release_actions.steps.plan.checklist import checklist
from release_actions.steps.plan.model import (
    DESCRIPTION,
    TESTING,
    TESTING_WINDOW,
    Item,
    ReleasePlan,
    release_kind,
    to_markdown,
)
from release_actions.steps.plan.probe import (
    commits_between,
    probe_post,
    probe_prepare,
    probe_publish,
    snapshot,
)

__all__ = [
    "DESCRIPTION",
    "TESTING",
    "TESTING_WINDOW",
    "Item",
    "ReleasePlan",
    "make_plan",
    "release_kind",
    "snapshot",
    "to_markdown",
]


def make_plan(
    repo: Path,
    version_text: str,
    config: Config,
    *,
    index_url: str = "",
    lock_policy: str = "fail",
    milestones: MilestoneSource | None = None,
) -> ReleasePlan:
    """The plan for ``version_text`` (raises only on a malformed version or an unreadable repo)."""
    version = parse_release_version(version_text)
    config = with_default_branch(repo, config)
    kind = release_kind(version)
    conventions = repo_conventions(repo, config)
    # the snapshot holds only some branches: the probes use the conventions read here
    config = with_conventions(config, conventions)
    branch = ReleaseBranch.for_version(version, conventions)
    tag = ReleaseTag(conventions.release_tag_name(version), version)
    identity = Identity(config.bot_name, config.bot_email)
    report = None
    if milestones is not None:
        report = check_milestone(milestones, version, "warn", tag_prefix=config.tag_prefix)
    with snapshot(repo, (config.default_branch, branch.name)) as (snap, heads):
        tags = known_release_tags(snap, conventions)
        previous = previous_release_tag(version, tags) or ""
        branch_sha = heads.get(f"refs/heads/{branch.name}", "")
        head = branch_sha or heads.get(f"refs/heads/{config.default_branch}", "")
        commits = commits_between(snap, previous, head) if previous and head else None
        prepared = probe_prepare(snap, version, config, identity, index_url, lock_policy)
        publish = probe_publish(snap, tag, config)
        post = probe_post(snap, tag, branch, config, identity)  # last: it adds the tag (and branch)
    plan = ReleasePlan(
        version=str(version),
        tag=tag.name,
        kind=kind,
        release_candidate=version.is_prerelease,
        release_branch=branch.name,
        branch_exists=bool(branch_sha),
        creates_branch=bool(prepared.get("created_branch")),
        previous_tag=previous,
        commits_since_previous=commits,
        snapshot=heads,
        testing=TESTING[kind],
        testing_window=TESTING_WINDOW[kind],
        milestone=report,
        prepare=prepared,
        publish=publish,
        post_release=post,
    )
    same_version = [t for t in tags if t.version.base_version == version.base_version]
    plan.items = checklist(plan, config, same_version)
    return plan
