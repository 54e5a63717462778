"""The release owner's checklist: what to do before, during and after the release.

The items follow the shape of Llama Stack's RELEASE_PROCESS.md (Release Criteria,
Testing Requirements, Technical Release Steps, Release Checklist) but are generic:
the project's own items (where it announces, its documentation, container images,
other artefacts, further steps) come from ``[tool.release-actions]``
(``announce``, ``docs-url``, ``container-images``, ``extra-artifacts``,
``checklist``). The automated ones carry what the dry runs of
:mod:`release_actions.steps.plan.probe` found, and a blocker when a step would
fail now.
"""

from __future__ import annotations

from typing import Any

from release_actions.core.config import Config
from release_actions.core.versions import ReleaseTag, Version
from release_actions.edits.pyproject import SCM_TABLE
from release_actions.steps.plan.model import Item, ReleasePlan

__all__ = ["checklist"]


def checklist(plan: ReleasePlan, config: Config, same_base: list[ReleaseTag]) -> list[Item]:
    """The checklist of ``plan``; ``same_base``: the release tags of the same X.Y.Z (its RCs)."""
    items: list[Item] = []
    v, tag, branch = plan.version, plan.tag, plan.release_branch
    default = config.default_branch

    # -- before the release ---------------------------------------------------
    section = "Before the release"
    milestone = Item(
        section,
        f"Milestone {' / '.join(repr(t) for t in _titles(plan, config))}: every issue done, or "
        "moved to a later milestone with a documented rationale (Release Criteria)",
    )
    report = plan.milestone
    if report is None:
        milestone.detail.append(
            "not checked: run with --milestone (GITHUB_TOKEN, GITHUB_REPOSITORY), or let "
            "prepare-release enforce it with milestone-gate: fail"
        )
    else:
        milestone.detail.append(report.headline())
        milestone.detail += [i.markdown() for i in report.open_issues]
        if not report.passed:
            milestone.blocker = report.headline()
    items.append(milestone)
    testing = Item(section, f"Testing for a {plan.kind} release", detail=list(plan.testing))
    if plan.kind == "patch":
        testing.detail.append(
            f"Backports reach {branch} through Mergify: the release ships what is on it"
        )
    items.append(testing)
    if plan.kind != "patch" and not plan.release_candidate:
        earlier = sorted(t.name for t in same_base if t.is_prerelease)
        rc = Item(section, "Release candidates before the final release")
        if earlier:
            rc.detail.append(f"published: {', '.join(earlier)}")
        else:
            rc.detail.append(
                f"none yet: publish {v}rc1 first (release-actions plan {v}rc1); RCs go to "
                f"{'TestPyPI' if config.rc_target == 'testpypi' else 'PyPI'}"
            )
        if plan.testing_window:
            rc.detail.append(f"community testing window: {plan.testing_window}")
        items.append(rc)
    if plan.release_candidate:
        items.append(
            Item(
                section,
                "Release candidate for community testing",
                detail=[
                    f"Python packages go to {plan.publish.get('target', '?')}"
                    + _npm_clause(plan, config),
                    "more RCs may follow until the release is stable",
                    *(
                        [f"community testing window: {plan.testing_window}"]
                        if plan.testing_window
                        else []
                    ),
                ],
            )
        )

    # -- technical release steps -------------------------------------------------
    section = "Technical release steps"
    prep = plan.prepare
    if not plan.branch_exists:
        cut = Item(section, f"Create {branch} off {default}", automated=True)
        if plan.creates_branch:
            cut.detail.append(
                f"prepare-release creates it at {default} ({prep.get('base_sha', '')[:12]})"
            )
        elif Version(v).micro == 0:
            cut.detail.append(f"prepare-release creates it from {default}")
        else:
            cut.blocker = f"{branch} does not exist: a patch release is made from its branch"
        items.append(cut)
        scm = Item(
            section,
            f"Ensure {branch} has the setuptools-scm config in every pyproject.toml "
            '(dynamic = ["version"], [tool.setuptools_scm])',
            automated=True,
        )
        scm.detail += _scm_notes(prep) or [
            "already complete (prepare-release adds what is missing)"
        ]
        items.append(scm)
    else:
        exists = Item(
            section,
            f"{branch} exists at {plan.snapshot.get(f'refs/heads/{branch}', '')[:12]}",
            automated=True,
        )
        if plan.previous_tag and plan.commits_since_previous is not None:
            exists.detail.append(f"{plan.commits_since_previous} commits since {plan.previous_tag}")
            if plan.commits_since_previous == 0:
                exists.detail.append(
                    f"nothing new on {branch} since {plan.previous_tag}: backport the fixes first"
                )
        items.append(exists)
    run = Item(
        section,
        f"Run the Prepare release workflow: version {v}, release_branch {branch}",
        automated=True,
    )
    if prep.get("error"):
        run.blocker = prep["error"]
    else:
        commit = f'"chore: prepare release {tag}"'
        if prep.get("status") == "unchanged":
            run.detail.append(f"nothing to change: {branch} is already prepared for {tag}")
        else:
            run.detail.append(f"dry run: one commit {commit} on {branch}")
        run.detail += prep.get("diff_summary", [])
        run.detail += [f"pin {c}" for c in prep.get("pin_changes", [])]
        run.detail += [
            n for n in prep.get("notes", []) if n not in _scm_notes(prep) and _FALLBACK not in n
        ]
        if prep.get("lock"):
            run.detail.append(f"uv.lock: {prep['lock']}")
    items.append(run)
    release = Item(
        section,
        f"Create the GitHub Release {tag} on {branch}"
        + (" as a pre-release" if plan.release_candidate else "")
        + ", then publish it",
        automated=True,
        detail=[
            "prepare-release with draft-release: true creates the draft with generated notes"
            + (f" (since {plan.previous_tag})" if plan.previous_tag else "")
        ],
    )
    items.append(release)
    pub = plan.publish
    publish = Item(section, "Publish (release: published -> compute-version)", automated=True)
    if pub.get("error"):
        publish.blocker = pub["error"]
    else:
        publish.detail.append(
            f"version {pub['version']} to {pub['target']}"
            + (
                f"; npm {pub['npm_version']} with dist-tag {pub['npm_dist_tag']}"
                if pub["publish_npm"]
                else ("; npm: not published" if config.npm_package else "")
            )
        )
    items.append(publish)
    post = plan.post_release
    after = Item(section, "Post-release (automated, after publishing)", automated=True)
    if post.get("error"):
        after.blocker = post["error"]
    else:
        for name, step in post.get("steps", {}).items():
            after.detail.append(f"{name}: {step['status']}: {step['detail']}")
            if step["status"] == "failed":
                after.blocker = f"{name}: {step['detail']}"
        if config.npm_package and not pub.get("error") and not pub.get("publish_npm"):
            after.detail.append(
                "branch: skipped in the real run while npm does not have the version"
            )
    items.append(after)

    # -- release checklist ---------------------------------------------------
    section = "Release checklist"
    cmd = f"release-actions release-notes --tag {tag}"
    if plan.previous_tag:
        cmd += f" --previous-tag {plan.previous_tag}"
    cmd += f" --target {branch}"
    items.append(Item(section, "Generate release notes", detail=[f"`{cmd}`"]))
    items.append(Item(section, "Check the release artifacts", detail=_artifacts(plan, config)))
    if config.announce:
        items.append(Item(section, f"Announce {tag}", detail=list(config.announce)))
    items += [Item(section, extra) for extra in config.checklist]
    return items


def _artifacts(plan: ReleasePlan, config: Config) -> list[str]:
    """What to check once published: the packages, then the project's own artefacts."""
    pub, tag = plan.publish, plan.tag
    index = "TestPyPI" if pub.get("target") == "testpypi" else "PyPI"
    packages = f"Python packages {plan.version} on {index}"
    if config.pins:
        packages += f" (and the pinned {', '.join(config.pins)} {plan.version})"
    if index == "TestPyPI":
        return [packages]
    artifacts = [packages]
    if config.npm_package:
        artifacts.append(f"npm: {config.npm_package} {pub.get('npm_version', '')}".rstrip())
    artifacts += list(config.container_images)
    artifacts.append(f"GitHub Release {tag} with release notes")
    if config.docs_url:
        artifacts.append(f"Documentation: {config.docs_url}")
    return artifacts + list(config.extra_artifacts)


def _npm_clause(plan: ReleasePlan, config: Config) -> str:
    if not config.npm_package:
        return ""
    return ", npm is " + ("published" if plan.publish.get("publish_npm") else "not published")


def _titles(plan: ReleasePlan, config: Config) -> tuple[str, ...]:
    if plan.milestone is not None:
        return plan.milestone.tried
    base = Version(plan.version).base_version
    return (f"{config.tag_prefix}{base}", base) if config.tag_prefix else (base,)


# Markers of the notes prepare-release passes on from pyproject_edit.ensure_scm_config:
# the setuptools-scm config it completes, and the fallback_version it sets.
_FALLBACK = f"{SCM_TABLE} fallback_version"
_SCM_MARKERS = ("[project] dynamic", "static [project] version", f"added {SCM_TABLE}")


def _scm_notes(prep: dict[str, Any]) -> list[str]:
    """What prepare-release added to make a new branch's pyproject files setuptools-scm ready."""
    return [n for n in prep.get("notes", []) if any(m in n for m in _SCM_MARKERS)]
