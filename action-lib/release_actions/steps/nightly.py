"""nightly-version: ``{base}.dev{YYYYMMDD}`` from the repository's tags.

The base is a pure function of a :class:`TagState` (what git says) plus the
branch and the ``fallback_version`` (:mod:`release_actions.core.nightly_base`);
:func:`read_tag_state` is the only part that talks to git, with three cheap calls
(rev-parse, for-each-ref, describe) and, in a shallow or tagless clone, one
treeless fetch of history and tags.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from pathlib import Path

from release_actions.adapters import git
from release_actions.core.errors import ReleaseActionsError
from release_actions.core.nightly_base import (
    Nightly,
    TagState,
    fallback_version,
    nightly_from_tags,
)
from release_actions.core.text_inputs import (
    DATE_FORMS,
    check_branch_name,
    check_date,
    date_from_epoch,
)
from release_actions.core.versions import parse_release_branch, tag_rank
from release_actions.steps.branches import require_branch

__all__ = ["DATE_FORMS", "current_branch", "nightly_version", "read_tag_state", "resolve_date"]


def resolve_date(date: str | None, env: Mapping[str, str] | None = None) -> str:
    """The build date: ``date`` if given, else ``SOURCE_DATE_EPOCH``, else today (UTC).

    Checked by :mod:`release_actions.core.text_inputs`: ASCII digits, a real day
    from 2000-01-01 to tomorrow (a date far ahead would outrank every later nightly).
    """
    env = os.environ if env is None else env
    if date:
        return check_date(date)
    epoch = env.get("SOURCE_DATE_EPOCH", "").strip(" ")
    if epoch:
        return date_from_epoch(epoch)
    return time.strftime("%Y%m%d", time.gmtime())


DESCRIBE = ("describe", "--tags", "--abbrev=0", "--match", "v[0-9]*", "HEAD")


def _head_info(repo: Path) -> tuple[bool, str]:
    """(shallow, branch) from the git directory's files; one git call when it is unusual."""
    dot_git = repo / ".git"
    if dot_git.is_dir():
        try:
            head = (dot_git / "HEAD").read_text(encoding="utf-8").strip()
        except OSError:
            head = ""
        if head:
            branch = head.removeprefix("ref: refs/heads/") if head.startswith("ref: ") else "HEAD"
            return (dot_git / "shallow").exists(), branch
    out = git.lines(git.run(repo, "rev-parse", "--is-shallow-repository", "--abbrev-ref", "HEAD"))
    return out[0] == "true", (out[1] if len(out) > 1 else "HEAD")


def read_tag_state(repo: Path, *, fetch: bool = True) -> TagState:
    """Read version tags and the nearest tagged commit; deepen a shallow clone if needed.

    Three cheap reads: the git directory's HEAD, ``git show-ref -d`` (peeled tags,
    straight from packed-refs) and ``git describe``.
    """
    shallow, head = _head_info(repo)
    fetched = ""
    if fetch and shallow and git.has_remote(repo):
        fetched = _fetch_history(repo, shallow=True)
    (tags_code, tags_out, _), (code, name, _) = git.run_concurrently(repo, git.SHOW_TAGS, DESCRIBE)
    targets = git.parse_peeled_tags(tags_code, tags_out)
    if fetch and not targets and not fetched and git.has_remote(repo):
        fetched = _fetch_history(repo, shallow=False)
        (tags_code, tags_out, _), (code, name, _) = git.run_concurrently(
            repo, git.SHOW_TAGS, DESCRIBE
        )
        targets = git.parse_peeled_tags(tags_code, tags_out)
    ranked, ignored = [], []
    for tag in targets:
        info = tag_rank(tag)
        if info is None:
            ignored.append(tag)
        else:
            ranked.append((tag, info))
    nearest: tuple[str, ...] = ()
    if code == 0 and name in targets:
        commit = targets[name]
        nearest = tuple(n for n, sha in targets.items() if sha == commit)
    return TagState(tuple(ranked), nearest, tuple(sorted(ignored)), head, fetched)


def _fetch_history(repo: Path, *, shallow: bool) -> str:
    """Fetch tags (and, for a shallow clone, the history without trees) from origin."""
    args = ["fetch", "--quiet", "--no-recurse-submodules", "--tags", "--force"]
    if shallow:
        args += ["--filter=tree:0", "--unshallow"]
    code, _, err = git.try_run(repo, *args, "origin", extra_env=git.remote_env(repo))
    if code != 0:
        raise ReleaseActionsError(
            f"could not fetch tags and history from origin: {err}",
            fix="check out with `fetch-depth: 0`, or give the job `contents: read`",
            title="Fetching tags failed",
        )
    return "history (treeless) and tags" if shallow else "tags"


def current_branch(state: TagState, env: Mapping[str, str] | None = None) -> str:
    """The branch a build belongs to: the PR's base, the pushed branch, or HEAD's branch."""
    env = os.environ if env is None else env
    if env.get("GITHUB_BASE_REF"):
        return env["GITHUB_BASE_REF"]
    ref = env.get("GITHUB_REF", "")
    if ref.startswith("refs/heads/"):
        return ref.removeprefix("refs/heads/")
    return state.head_branch if state.head_branch != "HEAD" else ""


def nightly_version(
    repo: Path,
    *,
    date: str | None = None,
    branch: str | None = None,
    default_branch: str = "main",
    pyproject: Mapping[str, object] | None = None,
    fetch: bool = True,
    env: Mapping[str, str] | None = None,
) -> Nightly:
    day = resolve_date(date, env)
    given = bool(branch)
    if branch:
        branch = check_branch_name(branch.removeprefix("refs/heads/"))
        if branch.startswith("release-"):
            parse_release_branch(branch)
    state = read_tag_state(repo, fetch=fetch)
    if not branch:
        branch = current_branch(state, env) or default_branch
        where = "the event's branch (GITHUB_BASE_REF or GITHUB_REF)"
        check_branch_name(branch, where)
        if branch.startswith("release-"):
            parse_release_branch(branch)
    if given and branch != state.head_branch:
        require_branch(repo, branch, fetch=fetch)
    fallback = fallback_version(pyproject) if pyproject is not None else None
    return nightly_from_tags(state, branch, fallback, day)
