"""Release governance: the milestone gate, draft GitHub Releases and generated notes.

The "Release Criteria" of Llama Stack's ``RELEASE_PROCESS.md``: a version is released
when every issue of its milestone is done (or moved on with a documented rationale).
:func:`check_milestone` looks the milestone up (``vX.Y.Z`` first, then ``X.Y.Z``; an
RC uses its final version's milestone) and lists its open issues;
:meth:`MilestoneReport.enforce` turns a failing gate into an error that lists them.
prepare-release runs it before any write.

:func:`ensure_draft_release` creates the draft GitHub Release ``vX.Y.Z`` on the
release branch with GitHub-generated notes, or reuses the release that exists.
The notes start after :func:`previous_release_tag`: the latest final release
below the version (the same line's latest, else the previous line's latest);
for a release candidate, an earlier RC of the same version counts too.

GitHub I/O goes through two small protocols (satisfied by
:class:`release_actions.adapters.github_repo.Repo`), so this module never imports PyGithub.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

from release_actions.core.errors import InvalidValueError, ReleaseActionsError
from release_actions.core.versions import ReleaseTag, Version

GATE_MODES = ("off", "warn", "fail")
_KNOWN_RE = re.compile(r"\(milestones: (.*)\)\.?$")
#: The title of the error github_client raises for a milestone that does not exist.
MILESTONE_NOT_FOUND = "Milestone not found"


class MilestoneSource(Protocol):
    def milestone_open_issues(self, title: str) -> list[tuple[int, str, str]]:
        """(number, title, url) of the open issues on milestone ``title``; raises if absent."""
        ...


class ReleaseSource(Protocol):
    def get_release(self, tag: str) -> _Release | None: ...

    def create_draft_release(
        self,
        tag: str,
        target: str,
        name: str,
        generate_notes: bool = True,
        body: str = "",
        prerelease: bool = False,
    ) -> _Release: ...

    def generate_notes(self, tag: str, target: str, previous_tag: str | None = None) -> str: ...


class _Release(Protocol):
    @property
    def url(self) -> str: ...

    @property
    def draft(self) -> bool: ...


@dataclass(frozen=True)
class Issue:
    number: int
    title: str
    url: str

    def markdown(self) -> str:
        return f"[#{self.number}]({self.url}) {self.title}"


@dataclass
class MilestoneReport:
    """What the milestone gate found for one version."""

    mode: str  # off | warn | fail
    tried: tuple[str, ...]  # the titles looked up, in order
    title: str = ""  # the milestone found ("" when none)
    open_issues: list[Issue] = field(default_factory=list)
    known: str = ""  # what GitHub said about the milestones it has (when none matched)

    @property
    def found(self) -> bool:
        return bool(self.title)

    @property
    def passed(self) -> bool:
        return self.found and not self.open_issues

    @property
    def blocking(self) -> bool:
        return self.mode == "fail" and not self.passed

    def headline(self) -> str:
        if self.mode == "off":
            return "milestone gate off"
        if not self.found:
            return f"no milestone {' or '.join(repr(t) for t in self.tried)}"
        if not self.open_issues:
            return f"milestone {self.title!r}: no open issues"
        n = len(self.open_issues)
        return f"milestone {self.title!r}: {n} open issue{'s' if n != 1 else ''}"

    def notes(self) -> list[str]:
        """One line per finding, for annotations and the summary."""
        if self.mode == "off":
            return []
        lines = [self.headline()]
        lines += [f"open: #{i.number} {i.title} {i.url}" for i in self.open_issues]
        return lines

    def markdown(self) -> str:
        if self.mode == "off":
            return ""
        out = [f"**Milestone gate ({self.mode}):** {self.headline()}"]
        if not self.found and self.known:
            out.append(f"\n{self.known}")
        if self.open_issues:
            out.append("")
            out += [f"- [ ] {i.markdown()}" for i in self.open_issues]
        return "\n".join(out) + "\n"

    def as_dict(self) -> dict[str, object]:
        return {
            "milestone": self.title,
            "milestone_open_issues": len(self.open_issues) if self.found else "",
        }

    def enforce(self) -> None:
        """Raise when the gate is ``fail`` and the milestone is missing or has open issues."""
        if not self.blocking:
            return
        if not self.found:
            names = " or ".join(repr(t) for t in self.tried)
            raise ReleaseActionsError(
                f"milestone-gate fail: there is no milestone {names}"
                + (f" ({self.known})" if self.known else "")
                + "; nothing was changed.",
                fix=f"create the milestone {self.tried[0]!r} (and move its issues there), "
                "or run with milestone-gate warn or off",
                title="Milestone not found",
            )
        listed = "; ".join(f"#{i.number} {i.title} ({i.url})" for i in self.open_issues)
        n = len(self.open_issues)
        raise ReleaseActionsError(
            f"milestone {self.title!r} has {n} open issue{'s' if n != 1 else ''}: {listed}. "
            "Nothing was changed.",
            fix="close them, or move them to a later milestone with a documented rationale "
            "(Release Criteria), then re-run; milestone-gate warn only reports them",
            title="Milestone has open issues",
        )


def check_gate_mode(mode: str) -> str:
    if mode not in GATE_MODES:
        raise InvalidValueError("milestone-gate", mode, " | ".join(GATE_MODES))
    return mode


def milestone_titles(version: Version, tag_prefix: str = "v") -> tuple[str, ...]:
    """``("v0.8.0", "0.8.0")``: the titles a version's milestone may have (RCs: the final's)."""
    base = version.base_version
    return (f"{tag_prefix}{base}", base) if tag_prefix else (base,)


def check_milestone(
    source: MilestoneSource, version: Version, mode: str, *, tag_prefix: str = "v"
) -> MilestoneReport:
    """Look up the version's milestone and its open issues (no request when ``mode`` is off)."""
    check_gate_mode(mode)
    titles = milestone_titles(version, tag_prefix)
    report = MilestoneReport(mode, titles)
    if mode == "off":
        return report
    for title in titles:
        try:
            issues = source.milestone_open_issues(title)
        except ReleaseActionsError as err:
            if err.title != MILESTONE_NOT_FOUND:
                raise
            known = _KNOWN_RE.search(err.message)
            if known and not report.known:
                report.known = f"the repository's milestones: {known.group(1)}"
            continue
        report.title = title
        report.open_issues = [Issue(n, t, u) for n, t, u in issues]
        return report
    return report


def previous_release_tag(version: Version, tags: Iterable[ReleaseTag]) -> str | None:
    """The tag the notes of ``version`` start after, None when it is the first release.

    The latest final release below ``version``: on its own line if the line has
    one, else the previous line's latest. For a release candidate, earlier
    pre-releases of the same version count too (rc2's notes start at rc1). A
    final's notes never start at its own RCs: they cover the whole cycle, as
    GitHub's own choice of the previous release does.

    >>> from release_actions.core.versions import parse_release_tag as t
    >>> tags = [t(n) for n in ("v0.6.1", "v0.7.0", "v0.7.1", "v0.8.0rc1", "v0.9.0")]
    >>> [previous_release_tag(Version(v), tags) for v in ("0.7.2", "0.8.0", "0.8.0rc2", "0.6.0")]
    ['v0.7.1', 'v0.7.1', 'v0.8.0rc1', None]
    """
    candidates = [
        tag
        for tag in tags
        if tag.version < version
        and (
            not tag.is_prerelease
            or (version.is_prerelease and tag.version.base_version == version.base_version)
        )
    ]
    if not candidates:
        return None
    return max(candidates, key=lambda tag: tag.version).name


@dataclass(frozen=True)
class DraftRelease:
    tag: str
    url: str
    created: bool  # False: an existing release was reused
    draft: bool
    previous_tag: str

    def as_text(self) -> str:
        if self.created:
            since = f" (notes since {self.previous_tag})" if self.previous_tag else ""
            return f"created the draft release {self.tag}: {self.url}{since}"
        state = "draft" if self.draft else "published"
        return f"reused the existing {state} release {self.tag}: {self.url}"


def ensure_draft_release(
    source: ReleaseSource,
    tag: ReleaseTag,
    target: str,
    previous_tag: str | None,
) -> DraftRelease:
    """The draft GitHub Release for ``tag`` at ``target`` with generated notes; idempotent.

    An existing release for the tag (draft or not) is returned as it is: a human
    may have edited its notes. Otherwise the notes are generated since
    ``previous_tag`` and the draft is created (``prerelease`` for an RC).
    """
    existing = source.get_release(tag.name)
    if existing is not None:
        return DraftRelease(tag.name, existing.url, False, existing.draft, previous_tag or "")
    notes = source.generate_notes(tag.name, target, previous_tag)
    release = source.create_draft_release(
        tag.name,
        target,
        tag.name,
        generate_notes=False,
        body=notes,
        prerelease=tag.is_prerelease,
    )
    return DraftRelease(tag.name, release.url, True, release.draft, previous_tag or "")
