"""The fake GitHub's own records: what git does not hold (PRs, releases, milestones...)."""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass, field
from typing import Any

BOT_LOGIN = "github-actions[bot]"


def now() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Pull:
    number: int
    id: int
    title: str
    body: str | None
    head: str  # branch name in this repository
    base: str
    head_sha: str  # last known head commit (kept when the branch is deleted)
    user: str = BOT_LOGIN
    state: str = "open"
    draft: bool = False
    created_at: str = field(default_factory=now)
    updated_at: str = field(default_factory=now)
    closed_at: str | None = None
    merged_at: str | None = None
    merge_commit_sha: str | None = None
    merged_by: str | None = None
    milestone: int | None = None

    @property
    def merged(self) -> bool:
        return self.merged_at is not None


@dataclass
class Release:
    id: int
    tag_name: str
    target_commitish: str
    name: str | None
    body: str | None
    draft: bool
    prerelease: bool
    author: str = BOT_LOGIN
    make_latest: str = "legacy"
    created_at: str = field(default_factory=now)
    published_at: str | None = None
    untagged_id: str = ""


@dataclass
class Milestone:
    number: int
    id: int
    title: str
    state: str = "open"
    description: str | None = None
    due_on: str | None = None
    created_at: str = field(default_factory=now)
    updated_at: str = field(default_factory=now)
    closed_at: str | None = None


@dataclass
class Issue:
    number: int
    id: int
    title: str
    body: str | None = None
    state: str = "open"
    milestone: int | None = None
    labels: list[str] = field(default_factory=list)
    user: str = BOT_LOGIN
    created_at: str = field(default_factory=now)
    updated_at: str = field(default_factory=now)
    closed_at: str | None = None


@dataclass
class WorkflowRun:
    id: int
    name: str
    path: str
    head_branch: str | None
    head_sha: str
    event: str = "push"
    status: str = "completed"
    conclusion: str | None = "success"
    run_number: int = 1
    run_attempt: int = 1
    workflow_id: int = 1
    display_title: str = ""
    created_at: str = field(default_factory=now)
    updated_at: str = field(default_factory=now)


@dataclass
class Protection:
    required_reviews: int = 1
    enforce_admins: bool = True
    required_status_checks: list[str] = field(default_factory=list)


class State:
    """All records, guarded by one lock (requests are handled one at a time)."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.pulls: dict[int, Pull] = {}
        self.issues: dict[int, Issue] = {}
        self.releases: dict[int, Release] = {}
        self.milestones: dict[int, Milestone] = {}
        self.runs: dict[int, WorkflowRun] = {}
        self.protected: dict[str, Protection] = {}
        self.workflows: dict[str, int] = {}  # path -> workflow id
        self._next_number = 1  # issues and pull requests share one sequence, as on GitHub
        self._next_id = 1_000_001

    def next_number(self) -> int:
        number, self._next_number = self._next_number, self._next_number + 1
        return number

    def next_id(self) -> int:
        ident, self._next_id = self._next_id, self._next_id + 1
        return ident

    def workflow_id(self, path: str) -> int:
        if path not in self.workflows:
            self.workflows[path] = 161335 + len(self.workflows)
        return self.workflows[path]

    def milestone_by_number(self, number: Any) -> Milestone | None:
        try:
            return self.milestones.get(int(number))
        except (TypeError, ValueError):
            return None
