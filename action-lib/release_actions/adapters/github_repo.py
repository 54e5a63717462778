"""The repository facade over PyGithub: pull requests, releases, milestones, refs, runs.

Methods return small frozen records (:class:`Pull`, :class:`Release`,
:class:`Run`), never PyGithub objects, and every call goes through
:meth:`GitHubClient.call`, so retries and error translation are uniform.
"""

from __future__ import annotations

import os
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Literal

from github import GithubException
from github.GitRelease import GitRelease
from github.PullRequest import PullRequest
from github.Repository import Repository

from release_actions.adapters.github_client import GitHubClient, GitHubError, connect
from release_actions.core.errors import InvalidValueError


@dataclass(frozen=True)
class Pull:
    number: int
    title: str
    body: str
    state: str  # "open" | "closed"
    merged: bool
    draft: bool
    head: str
    base: str
    url: str  # html_url


@dataclass(frozen=True)
class Release:
    id: int
    tag: str
    name: str
    body: str
    draft: bool
    prerelease: bool
    target: str
    url: str  # html_url


@dataclass(frozen=True)
class Run:
    id: int
    name: str
    status: str
    conclusion: str | None
    head_sha: str
    head_branch: str | None
    event: str
    url: str  # html_url


def _pull(pr: PullRequest) -> Pull:
    return Pull(
        pr.number,
        pr.title,
        pr.body or "",
        pr.state,
        bool(pr.merged_at),
        bool(pr.draft),
        pr.head.ref,
        pr.base.ref,
        pr.html_url,
    )


def _release(rel: GitRelease) -> Release:
    return Release(
        rel.id,
        rel.tag_name,
        rel.name or "",
        rel.body or "",
        rel.draft,
        rel.prerelease,
        rel.target_commitish,
        rel.html_url,
    )


class Repo:
    """The operations the release commands need, on one repository."""

    @classmethod
    def open(cls, client: GitHubClient, full_name: str | None = None) -> Repo:
        """The repository ``owner/name`` (default: ``GITHUB_REPOSITORY``)."""
        name = (full_name or os.environ.get("GITHUB_REPOSITORY", "")).strip()
        if name.count("/") != 1:
            raise InvalidValueError("repository", name, "owner/name")
        with client.call(f"reading repository {name}", resource=f"repository {name}"):
            return cls(client, client.gh.get_repo(name))

    def __init__(self, client: GitHubClient, repo: Repository) -> None:
        self.client = client
        self.raw = repo
        self.full_name = repo.full_name
        self.owner = repo.full_name.split("/", 1)[0]

    @property
    def default_branch(self) -> str:
        return self.raw.default_branch

    def _call(self, action: str, **kwargs: Any) -> AbstractContextManager[None]:
        return self.client.call(f"{action} in {self.full_name}", **kwargs)

    def branch_protected(self, name: str) -> bool:
        with self._call(f"reading branch {name}", resource=f"branch {name!r}"):
            return bool(self.raw.get_branch(name).protected)

    # -- pull requests -----------------------------------------------------------------
    def find_pull(
        self, head: str, base: str, state: Literal["open", "all"] = "open"
    ) -> Pull | None:
        """The newest pull request from ``head`` (a branch here) into ``base``."""
        qualified = head if ":" in head else f"{self.owner}:{head}"
        with self._call(f"listing pull requests from {head} into {base}"):
            for pr in self.raw.get_pulls(state=state, head=qualified, base=base):
                return _pull(pr)
        return None

    def create_pull(self, head: str, base: str, title: str, body: str, draft: bool = False) -> Pull:
        """Open a pull request, or reuse (and retitle) the open one from ``head`` into ``base``."""
        return self._ensure_pull(head, base, title, body, draft)[0]

    def ensure_pull(self, *, head: str, base: str, title: str, body: str) -> tuple[str, bool]:
        """(url, created) of the open pull request ``head`` -> ``base`` (gitops.PullRequests)."""
        pull, created = self._ensure_pull(head, base, title, body, False)
        return pull.url, created

    def _ensure_pull(
        self, head: str, base: str, title: str, body: str, draft: bool
    ) -> tuple[Pull, bool]:
        action = f"creating a pull request from {head} into {base} in {self.full_name}"
        existing = self.find_pull(head, base)
        if existing is None:
            try:
                created = self.client.create_once(
                    action,
                    lambda: self.find_pull(head, base),
                    lambda: _pull(
                        self.raw.create_pull(
                            base=base, head=head, title=title, body=body, draft=draft
                        )
                    ),
                    pr_create=True,
                )
                return created, True
            except GitHubError as error:
                if error.status != 422 or "already exists" not in error.message:
                    raise
                existing = self.find_pull(head, base)  # opened concurrently
                if existing is None:
                    raise
        if (existing.title, existing.body) == (title, body):
            return existing, False
        with self._call(f"updating pull request #{existing.number}", pr_create=True):
            pr = self.raw.get_pull(existing.number)
            pr.edit(title=title, body=body)
            return _pull(pr), False

    def _set_state(self, number: int, state: str) -> Pull:
        verb = "reopening" if state == "open" else "closing"
        with self._call(f"{verb} pull request #{number}", resource=f"pull request #{number}"):
            pr = self.raw.get_pull(number)
            if pr.state != state:
                pr.edit(state=state)
            return _pull(pr)

    def reopen(self, number: int) -> Pull:
        return self._set_state(number, "open")

    def close(self, number: int) -> Pull:
        return self._set_state(number, "closed")

    # -- releases --------------------------------------------------------------
    def get_release(self, tag: str) -> Release | None:
        """The release for ``tag``, drafts included (GitHub's by-tag lookup skips drafts)."""
        with self._call(f"looking up the release {tag}"):
            try:
                return _release(self.raw.get_release(tag))
            except GithubException as exc:
                if exc.status != 404:
                    raise
            for rel in self.raw.get_releases():
                if rel.tag_name == tag:
                    return _release(rel)
        return None

    def create_draft_release(
        self,
        tag: str,
        target: str,
        name: str,
        generate_notes: bool = True,
        body: str = "",
        prerelease: bool = False,
    ) -> Release:
        """A draft release for ``tag`` at ``target``; returns the tag's release if it exists."""
        existing = self.get_release(tag)
        if existing is not None:
            return existing
        return self.client.create_once(
            f"creating a draft release {tag} in {self.full_name}",
            lambda: self.get_release(tag),
            lambda: _release(
                self.raw.create_git_release(
                    tag,
                    name=name,
                    message=body,
                    draft=True,
                    prerelease=prerelease,
                    generate_release_notes=generate_notes,
                    target_commitish=target,
                )
            ),
        )

    def generate_notes(self, tag: str, target: str, previous_tag: str | None = None) -> str:
        """GitHub's generated notes (Markdown) for ``tag`` (at ``target`` if not yet tagged)."""

        def generate() -> str:
            if previous_tag:
                notes = self.raw.generate_release_notes(
                    tag, previous_tag_name=previous_tag, target_commitish=target
                )
            else:
                notes = self.raw.generate_release_notes(tag, target_commitish=target)
            return str(notes.body)

        return self.client.create_once(
            f"generating release notes for {tag} in {self.full_name}",
            lambda: None,
            generate,
            resource=f"tag {previous_tag!r} or target {target!r}",
        )

    # -- milestones and issues ----------------------------------------------------
    def milestone_open_issues(self, title: str) -> list[tuple[int, str, str]]:
        """(number, title, url) of the open issues (not pull requests) on milestone ``title``."""
        with self._call(f"reading milestone {title!r}"):
            milestones = list(self.raw.get_milestones(state="all"))
            milestone = next((m for m in milestones if m.title == title), None)
            if milestone is None:
                known = ", ".join(repr(m.title) for m in milestones[:10]) or "none"
                raise GitHubError(
                    f"milestone {title!r} does not exist in {self.full_name} "
                    f"(milestones: {known}).",
                    fix=f"create the milestone {title!r} or pass the title of an existing one",
                    title="Milestone not found",
                )
            # GitHub lists pull requests among issues. ``issue.pull_request`` would cost a
            # request per issue (PyGithub completes the object); a PR's page is /pull/N.
            return [
                (issue.number, issue.title, issue.html_url)
                for issue in self.raw.get_issues(milestone=milestone, state="open")
                if "/pull/" not in issue.html_url
            ]

    # -- refs and runs ---------------------------------------------------------------
    def get_ref_sha(self, ref: str) -> str | None:
        """The object ``refs/...`` points at (an annotated tag's tag object), None if absent."""
        short = ref.removeprefix("refs/")
        with self._call(f"reading ref {ref}"):
            try:
                return str(self.raw.get_git_ref(short).object.sha)
            except GithubException as exc:
                if exc.status == 404:
                    return None
                raise

    def create_ref(self, ref: str, sha: str) -> None:
        """Create ``refs/...`` at ``sha``; a ref already there at ``sha`` is fine."""
        if not ref.startswith("refs/"):
            raise InvalidValueError("ref", ref, "a full ref name such as refs/tags/v1.2.3")

        def find() -> bool | None:
            return True if self.get_ref_sha(ref) == sha else None

        try:
            self.client.create_once(
                f"creating {ref} in {self.full_name}",
                find,
                lambda: self.raw.create_git_ref(ref, sha),
            )
        except GitHubError as error:
            current = self.get_ref_sha(ref) if error.status == 422 else None
            if current == sha:
                return
            if current is not None:
                raise GitHubError(
                    f"{ref} already exists in {self.full_name} at {current[:12]}, not {sha[:12]}.",
                    fix=f"delete {ref} if it was created by mistake, or use {current[:12]}",
                    title="Ref already exists",
                    status=422,
                ) from error
            raise

    def workflow_run(self, run_id: int) -> Run:
        with self._call(f"reading workflow run {run_id}", resource=f"workflow run {run_id}"):
            run = self.raw.get_workflow_run(run_id)
            return Run(
                run.id,
                run.name,
                run.status,
                run.conclusion,
                run.head_sha,
                run.head_branch,
                run.event,
                run.html_url,
            )


def pull_requests_from_env() -> Repo:
    """The repository of the running workflow (``GITHUB_REPOSITORY``), token and URL from env."""
    return Repo.open(connect())
