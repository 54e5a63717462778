"""The result of one post-release step, shared by its modules."""

from __future__ import annotations

from dataclasses import dataclass, field

from release_actions.adapters.delivery import WriteResult


@dataclass
class Step:
    name: str
    status: str = "skipped"  # created | exists | pushed | pull-request | committed | unchanged
    #                           | dry-run | skipped | failed
    detail: str = ""
    sha: str = ""
    url: str = ""
    diff: str = ""  # what the step changes (or would change, in a dry run)
    #: main's ``fallback_version`` per managed pyproject, as the step read them
    fallbacks: dict[str, str] = field(default_factory=dict)

    def as_text(self) -> str:
        extra = f" {self.url or self.sha[:12]}" if (self.url or self.sha) else ""
        return f"{self.status}{extra}: {self.detail}" if self.detail else f"{self.status}{extra}"


def step_from_write(name: str, write: WriteResult, what: str) -> Step:
    if write.changed:
        detail = what
    elif write.pull_request_url:
        detail = f"{what} already proposed in the open pull request"
    else:
        detail = f"nothing to change ({what} already applied)"
    return Step(
        name,
        write.status,
        detail + ("; " + "; ".join(write.notes) if write.notes else ""),
        sha=""
        if write.pull_request_url
        else write.commit_sha,  # a PR's commit is not on the branch
        url=write.pull_request_url,
        diff=write.diff,
    )
