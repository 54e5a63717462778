"""The release plan as data and as Markdown: the checklist items, the plan, the release kinds.

:func:`release_actions.steps.plan.release_plan.make_plan` fills a :class:`ReleasePlan` (with the
dry runs of :mod:`release_actions.steps.plan.probe` and the items of
:mod:`release_actions.steps.plan.checklist`); :meth:`ReleasePlan.as_dict` and
:func:`to_markdown` render it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from release_actions.core.versions import Version
from release_actions.steps.governance import MilestoneReport

__all__ = [
    "DESCRIPTION",
    "TESTING",
    "TESTING_WINDOW",
    "Item",
    "ReleasePlan",
    "release_kind",
    "to_markdown",
]

#: Testing requirements by release type (RELEASE_PROCESS.md, "Testing Requirements").
TESTING: dict[str, tuple[str, ...]] = {
    "patch": (
        "Rely primarily on automated CI tests",
        "Quick turnaround for critical fixes",
        "Manual verification only for specific fix validation",
    ),
    "minor": (
        "Automated CI tests must pass",
        "Manual feature testing for new functionality",
        "Documentation verification",
        "Community testing window: 1 week",
        "Release candidates published for community validation",
    ),
    "major": (
        "Comprehensive automated test suite",
        "Scheduled testing period with predefined test plans",
        "Cross-provider compatibility testing",
        "Performance benchmarking",
        "Community testing window: 2-3 weeks",
        "Multiple release candidates as needed",
    ),
}
TESTING_WINDOW = {"patch": "", "minor": "1 week", "major": "2-3 weeks"}
DESCRIPTION = {
    "patch": "patch release (Z-stream): bug fixes, security patches, documentation updates",
    "minor": "minor release (Y-stream): new features, non-breaking API additions",
    "major": "major release (X-stream): breaking changes, architectural changes",
}


@dataclass
class Item:
    """One line of the checklist."""

    section: str
    title: str
    automated: bool = False
    detail: list[str] = field(default_factory=list)
    blocker: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "section": self.section,
            "title": self.title,
            "automated": self.automated,
            "detail": list(self.detail),
            "blocker": self.blocker,
        }


@dataclass
class ReleasePlan:
    version: str
    tag: str
    kind: str  # patch | minor | major
    release_candidate: bool
    release_branch: str
    branch_exists: bool
    creates_branch: bool
    previous_tag: str
    commits_since_previous: int | None
    snapshot: dict[str, str]  # ref -> sha the plan was made against
    testing: tuple[str, ...]
    testing_window: str
    milestone: MilestoneReport | None = None
    prepare: dict[str, Any] = field(default_factory=dict)
    publish: dict[str, Any] = field(default_factory=dict)
    post_release: dict[str, Any] = field(default_factory=dict)
    items: list[Item] = field(default_factory=list)

    @property
    def blockers(self) -> list[str]:
        return [f"{item.title}: {item.blocker}" for item in self.items if item.blocker]

    @property
    def kind_label(self) -> str:
        if self.release_candidate:
            return f"release candidate of a {self.kind} release"
        return f"{self.kind} release"

    def as_dict(self) -> dict[str, Any]:
        milestone: dict[str, Any] | None = None
        if self.milestone is not None:
            milestone = {
                "titles": list(self.milestone.tried),
                "found": self.milestone.title,
                "open_issues": [
                    {"number": i.number, "title": i.title, "url": i.url}
                    for i in self.milestone.open_issues
                ],
            }
        return {
            "version": self.version,
            "tag": self.tag,
            "kind": self.kind,
            "release_candidate": self.release_candidate,
            "release_branch": self.release_branch,
            "branch_exists": self.branch_exists,
            "creates_branch": self.creates_branch,
            "previous_tag": self.previous_tag,
            "commits_since_previous": self.commits_since_previous,
            "snapshot": dict(self.snapshot),
            "testing": list(self.testing),
            "testing_window": self.testing_window,
            "milestone": milestone,
            "prepare": self.prepare,
            "publish": self.publish,
            "post_release": self.post_release,
            "checklist": [item.as_dict() for item in self.items],
            "blockers": self.blockers,
        }


def release_kind(version: Version) -> str:
    """``patch`` (Z > 0, or a hotfix X.Y.Z.N), ``major`` (X.0.0, X > 0) or ``minor``; an RC
    has its final's kind."""
    major, minor, micro = version.release[:3]
    if micro or len(version.release) == 4:
        return "patch"
    if major and not minor:
        return "major"
    return "minor"


def to_markdown(plan: ReleasePlan) -> str:
    out = [f"# Release plan: {plan.tag} ({plan.kind_label})", ""]
    out.append(f"{plan.version} is a {DESCRIPTION[plan.kind]}.")
    state = "exists" if plan.branch_exists else "does not exist yet"
    if plan.creates_branch:
        state = "prepare-release creates it"
    out += ["", f"- release branch: `{plan.release_branch}` ({state})"]
    out.append(
        f"- previous release: `{plan.previous_tag}`"
        if plan.previous_tag
        else "- previous release: none"
    )
    snap = ", ".join(
        f"`{ref.removeprefix('refs/heads/')}` {sha[:12]}"
        for ref, sha in sorted(plan.snapshot.items())
    )
    out.append(f"- planned against origin: {snap or 'no branches'}")
    if plan.blockers:
        out += ["", "**Blockers:**", *(f"- :x: {b}" for b in plan.blockers)]
    section = ""
    for item in plan.items:
        if item.section != section:
            section = item.section
            out += ["", f"## {section}", ""]
        mark = " *(automated)*" if item.automated else ""
        out.append(f"- [ ] {item.title}{mark}")
        out += [f"  - {line}" for line in item.detail]
        if item.blocker:
            out.append(f"  - :x: **{item.blocker}**")
    diff = plan.prepare.get("diff", "")
    if diff:
        out += [
            "",
            "<details><summary>prepare-release diff (dry run)</summary>",
            "",
            "```diff",
            diff,
            "```",
            "",
            "</details>",
        ]
    return "\n".join(out) + "\n"
