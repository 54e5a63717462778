"""The result of one post-release step, shared by its modules."""

from __future__ import annotations

from dataclasses import dataclass

from .gitops import WriteResult


@dataclass
class Step:
    name: str
    status: str = "skipped"  # created | exists | pushed | pull-request | committed | unchanged
    #                           | dry-run | skipped | failed
    detail: str = ""
    sha: str = ""
    url: str = ""

    def as_text(self) -> str:
        extra = f" {self.url or self.sha[:12]}" if (self.url or self.sha) else ""
        return f"{self.status}{extra}: {self.detail}" if self.detail else f"{self.status}{extra}"


def step_from_write(name: str, write: WriteResult, what: str) -> Step:
    detail = what if write.changed else f"nothing to change ({what} already applied)"
    return Step(
        name,
        write.status,
        detail + ("; " + "; ".join(write.notes) if write.notes else ""),
        sha=write.commit_sha if write.status != "pull-request" else "",
        url=write.pull_request_url,
    )
