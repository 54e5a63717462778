"""Writing a change to a branch: commit, then push, open a pull request, or both.

Every write goes through :func:`write_change` (or :func:`write_edit`, for an edit
that also returns a value). It never touches the caller's
working tree: edits run in a temporary worktree checked out at the branch's
current tip. That makes re-runs and races safe by construction:

* the edits are re-applied to the *current* tip on every attempt, so a re-run
  after success finds nothing to change, and a push that loses a race
  (non-fast-forward) is redone on the new head, a bounded number of times;
* in pull-request mode the bot branch is recreated from the fresh base and
  force-pushed (it is ours), so a re-run after a failed PR call or a closed,
  unmerged PR reuses it instead of failing on a non-fast-forward push;
* a protected-branch rejection (GitHub's GH006, or GH013 from a repository
  ruleset) fails with a fix in ``push`` mode and falls back to a pull request in
  ``auto`` mode.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, TypeVar

from release_actions.adapters import git
from release_actions.core.errors import ReleaseActionsError

MODES = ("push", "pull-request", "auto")
#: Our pull-request branches. Not "release-...": a protection rule such as
#: ``release*`` would then apply to them too.
PR_BRANCH_PREFIX = "automation/release-actions/"
Edit = Callable[[Path, bool], list[str]]  # (worktree, branch_is_new) -> changed paths
T = TypeVar("T")


class PullRequests(Protocol):
    """What write_change needs from GitHub (see github_client)."""

    def ensure_pull(self, *, head: str, base: str, title: str, body: str) -> tuple[str, bool]:
        """Return (url, created) of the open PR for head -> base, creating it if needed."""
        ...


@dataclass(frozen=True)
class Identity:
    """The commit author; an empty name or email means git's configured identity."""

    name: str
    email: str
    signoff: bool = True

    def git_config(self) -> tuple[tuple[str, str], tuple[str, str]]:
        return (("name", self.name), ("email", self.email))


@dataclass
class WriteResult:
    branch: str
    status: str = "unchanged"  # unchanged | dry-run | committed | pushed | pull-request
    commit_sha: str = ""
    base_sha: str = ""
    pull_request_url: str = ""
    pull_request_created: bool = False
    changed_files: list[str] = field(default_factory=list)
    diff: str = ""
    attempts: int = 0
    created_branch: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.changed_files)


class ProtectedBranchError(ReleaseActionsError):
    pass


def _remote_env(repo: Path) -> dict[str, str]:
    return git.remote_env(repo)


def _remote_sha(repo: Path, branch: str) -> str:
    code, out, err = git.try_run(
        repo, "ls-remote", "--heads", "origin", f"refs/heads/{branch}", extra_env=_remote_env(repo)
    )
    if code != 0:
        raise ReleaseActionsError(
            f"cannot reach origin to read {branch}: {err}",
            fix="check the remote URL and that the token may read the repository",
        )
    return out.split()[0] if out else ""


def _fetch(repo: Path, sha: str, branch: str) -> None:
    code, _, err = git.try_run(
        repo,
        "fetch",
        "--quiet",
        "--no-tags",
        "origin",
        f"refs/heads/{branch}",
        extra_env=_remote_env(repo),
    )
    if code != 0:
        raise ReleaseActionsError(
            f"fetching {branch} from origin failed: {err}",
            fix="check that the token may read the repository",
        )
    if git.try_run(repo, "cat-file", "-e", f"{sha}^{{commit}}")[0] != 0:
        raise ReleaseActionsError(f"origin/{branch} moved while fetching", fix="re-run the job")


def base_for(
    repo: Path, branch: str, *, use_remote: bool, start_point: str = ""
) -> tuple[str, bool]:
    """(sha, exists) of ``branch``: origin's tip, or the local branch without a remote.

    A missing branch resolves to ``start_point`` (which must exist) with exists=False.
    """
    if use_remote:
        sha = _remote_sha(repo, branch)
        if sha:
            _fetch(repo, sha, branch)
            return sha, True
    else:
        # Local only: the local branch, else the remote-tracking one of a fresh clone.
        for ref in (f"refs/heads/{branch}", f"refs/remotes/origin/{branch}"):
            code, sha, _ = git.try_run(
                repo, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"
            )
            if code == 0 and sha:
                return sha, True
    if not start_point:
        raise ReleaseActionsError(
            f"branch {branch!r} does not exist" + (" on origin" if use_remote else ""),
            fix=f"create {branch} first, or pass the branch that exists",
        )
    code, sha, _ = git.try_run(
        repo, "rev-parse", "--verify", "--quiet", f"{start_point}^{{commit}}"
    )
    if code != 0 and use_remote:
        remote = _remote_sha(repo, start_point)
        if remote:
            _fetch(repo, remote, start_point)
            sha, code = remote, 0
    if code != 0 or not sha:
        raise ReleaseActionsError(
            f"start point {start_point!r} for new branch {branch!r} not found",
            fix="pass an existing branch or commit to create the release branch from",
        )
    return sha, False


def _commit(wt: Path, files: list[str], message: str, identity: Identity) -> str:
    git.run(wt, "add", "--", *files)
    # An empty name or email leaves git's own identity (the user's, at a terminal).
    env_args = [f"user.{key}={value}" for key, value in identity.git_config() if value]
    args = [*(x for kv in env_args for x in ("-c", kv)), "commit", "--quiet", "--no-verify"]
    args += ["-m", message]
    if identity.signoff:
        args.append("--signoff")
    git.run(wt, *args)
    return git.run(wt, "rev-parse", "HEAD")


def is_rule_rejection(text: str) -> bool:
    """Whether a push was refused by branch protection (GH006) or a ruleset (GH013)."""
    low = text.lower()
    return (
        "gh006" in low
        or "protected branch" in low
        or "gh013" in low
        or "repository rule violations" in low
    )


def rule_rejection_line(text: str) -> str:
    """The line of a rejected push that names the rule (GH006/GH013), else the last one."""
    lines = text.splitlines() or [""]
    return next((x for x in lines if "GH006" in x or "GH013" in x), lines[-1]).strip()


def _push(repo: Path, sha: str, ref: str, *, force: bool = False) -> tuple[str, str]:
    """Push and classify: ('ok'|'protected'|'race'|'error', stderr)."""
    spec = f"{'+' if force else ''}{sha}:refs/heads/{ref}"
    code, out, err = git.try_run(
        repo, "push", "--porcelain", "origin", spec, extra_env=_remote_env(repo)
    )
    if code == 0:
        return "ok", err
    err = "\n".join(x for x in (out, err) if x)
    low = err.lower()
    if is_rule_rejection(low):
        return "protected", err
    if (
        "non-fast-forward" in low
        or "fetch first" in low
        or "[rejected]" in low
        or "stale info" in low
        # The branch moved while origin was receiving our push (GitHub says the same):
        # "[remote rejected] (cannot lock ref 'refs/heads/x': is at A but expected B)".
        or ("cannot lock ref" in low and "but expected" in low)
    ):
        return "race", err
    return "error", err


def write_change(
    repo: Path,
    *,
    branch: str,
    edit: Edit,
    message: str,
    identity: Identity,
    mode: str = "push",
    push: bool = True,
    dry_run: bool = False,
    start_point: str = "",
    pr_branch: str = "",
    pr_title: str = "",
    pr_body: str = "",
    pulls: PullRequests | None = None,
    max_attempts: int = 3,
) -> WriteResult:
    """Apply ``edit`` on top of ``branch`` and deliver it according to ``mode``.

    ``edit(worktree, branch_is_new)`` changes files and returns the changed paths
    (relative); it runs again on the new head after a lost race, so it must be
    a function of the worktree's content only.
    ``push=False`` (or no remote) commits to the local branch only.
    """
    result, _ = write_edit(
        repo,
        branch=branch,
        edit=lambda wt, new: (edit(wt, new), None),
        message=message,
        identity=identity,
        mode=mode,
        push=push,
        dry_run=dry_run,
        start_point=start_point,
        pr_branch=pr_branch,
        pr_title=pr_title,
        pr_body=pr_body,
        pulls=pulls,
        max_attempts=max_attempts,
    )
    return result


def write_edit(
    repo: Path,
    *,
    branch: str,
    edit: Callable[[Path, bool], tuple[list[str], T]],
    message: str,
    identity: Identity,
    mode: str = "push",
    push: bool = True,
    dry_run: bool = False,
    start_point: str = "",
    pr_branch: str = "",
    pr_title: str = "",
    pr_body: str = "",
    pulls: PullRequests | None = None,
    max_attempts: int = 3,
) -> tuple[WriteResult, T]:
    """:func:`write_change` for an edit that returns (changed paths, a value).

    Returns the write's result and the value of the edit's last run, the one on
    the head that was written.
    """
    if mode not in MODES:
        raise ReleaseActionsError(
            f"invalid write mode {mode!r}", fix="use push, pull-request or auto"
        )
    use_remote = push and git.has_remote(repo)
    result = WriteResult(branch=branch)
    effective_mode = mode
    for attempt in range(1, max_attempts + 1):
        result.attempts = attempt
        base, exists = base_for(repo, branch, use_remote=use_remote, start_point=start_point)
        result.base_sha, result.created_branch = base, not exists
        with git.worktree(repo, base) as wt:
            changed, value = edit(wt, not exists)
            files = sorted(set(changed))
            files = [f for f in files if git.run(wt, "status", "--porcelain", "--", f)]
            result.changed_files = files
            result.diff = git.run(wt, "diff", "--", *files) if files else ""
            if not files and exists:
                result.status, result.commit_sha = "unchanged", base
                return result, value
            if dry_run:
                result.status = "dry-run"
                return result, value
            sha = _commit(wt, files, message, identity) if files else base
        result.commit_sha = sha
        if not use_remote:
            _update_local_branch(repo, branch, sha)
            result.status = "committed"
            return result, value
        if effective_mode in ("push", "auto"):
            outcome, err = _push(repo, sha, branch)
            if outcome == "ok":
                result.status = "pushed"
                return result, value
            if outcome == "race":
                result.notes.append(
                    f"push to {branch} lost a race (attempt {attempt}); re-applying on the new head"
                )
                continue
            if outcome == "protected" and effective_mode == "auto":
                result.notes.append(
                    f"{branch} is protected (branch protection or a ruleset); opening a pull"
                    " request instead"
                )
                effective_mode = "pull-request"
            elif outcome == "protected":
                raise ProtectedBranchError(
                    f"push to protected branch {branch} was rejected: {rule_rejection_line(err)}"
                    " (a branch protection rule or ruleset)",
                    fix="use mode auto or pull-request, or add the bot to the rule's bypass list",
                    title="Protected branch",
                )
            else:
                raise ReleaseActionsError(
                    f"push to {branch} failed: {err}",
                    fix="check that the token has contents: write",
                )
        delivered = _deliver_pull_request(
            repo, result, sha, pr_branch, pr_title or message, pr_body, pulls
        )
        return delivered, value
    raise ReleaseActionsError(
        f"push to {branch} lost the race {max_attempts} times in a row",
        fix="re-run the job; something else is pushing to the branch continuously",
    )


def _deliver_pull_request(
    repo: Path,
    result: WriteResult,
    sha: str,
    pr_branch: str,
    title: str,
    body: str,
    pulls: PullRequests | None,
) -> WriteResult:
    if not pr_branch:
        raise ReleaseActionsError(
            "pull-request mode needs a branch name for the change",
            fix="this is a bug in release-actions; please report it",
        )
    if result.created_branch:
        # A new release branch is created at its start point; the change comes as a PR.
        parent = git.run(repo, "rev-parse", f"{sha}^")
        outcome, err = _push(repo, parent, result.branch)
        if outcome != "ok":
            raise ReleaseActionsError(
                f"creating branch {result.branch} on origin failed: {err}",
                fix="let the token create branches (contents: write), or create it by hand",
            )
        result.notes.append(f"created {result.branch} at {parent[:12]}")
    kept = _same_change_on(repo, pr_branch, sha)
    if kept:
        sha = result.commit_sha = kept  # keep the PR's commit: no CI re-run, approvals stay
    else:
        outcome, err = _push(repo, sha, pr_branch, force=True)
        if outcome != "ok":
            raise ReleaseActionsError(
                f"pushing the change branch {pr_branch} failed: {err}",
                fix="check that the token has contents: write",
            )
    if pulls is None:
        raise ReleaseActionsError(
            "opening a pull request needs GitHub API access",
            fix="set GITHUB_TOKEN (and GITHUB_API_URL on GitHub Enterprise Server)",
        )
    url, created = pulls.ensure_pull(head=pr_branch, base=result.branch, title=title, body=body)
    result.status, result.pull_request_url, result.pull_request_created = (
        "pull-request",
        url,
        created,
    )
    if kept and not created:
        result.status = "unchanged"
        result.changed_files = []
        result.notes.append(f"the open pull request {url} already has this change")
    return result


def _same_change_on(repo: Path, pr_branch: str, sha: str) -> str:
    """The PR branch's tip if it already holds ``sha``'s change on ``sha``'s parent, else ''."""
    remote = _remote_sha(repo, pr_branch)
    if not remote:
        return ""
    _fetch(repo, remote, pr_branch)
    code, out, _ = git.try_run(
        repo, "rev-parse", f"{remote}^{{tree}}", f"{sha}^{{tree}}", f"{remote}^", f"{sha}^"
    )
    parts = out.split() if code == 0 else []
    same = len(parts) == 4 and parts[0] == parts[1] and parts[2] == parts[3]
    return remote if same else ""


def _update_local_branch(repo: Path, branch: str, sha: str) -> None:
    current = git.try_run(repo, "symbolic-ref", "--quiet", "--short", "HEAD")[1]
    if current == branch:
        code, _, err = git.try_run(repo, "merge", "--ff-only", "--quiet", sha)
        if code != 0:
            raise ReleaseActionsError(
                f"cannot fast-forward the checked-out branch {branch}: {err}",
                fix="commit or stash local changes to the files being edited, then re-run",
            )
        return
    code, old, _ = git.try_run(repo, "rev-parse", "--verify", "--quiet", f"refs/heads/{branch}")
    git.run(repo, "update-ref", f"refs/heads/{branch}", sha, *([old] if code == 0 else []))
