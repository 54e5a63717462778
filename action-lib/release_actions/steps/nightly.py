"""nightly-version: ``{base}.dev{YYYYMMDD}`` from the repository's tags.

The base is a pure function of a :class:`TagState` (what git says) plus the
branch and the ``fallback_version`` (:mod:`release_actions.core.nightly_base`);
:func:`read_tag_state` is the only part that talks to git, with three cheap calls
(rev-parse, for-each-ref, describe) and, in a shallow or tagless clone, one
treeless fetch of history and tags.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Mapping
from pathlib import Path

from release_actions.adapters import git
from release_actions.core.errors import InvalidValueError, ReleaseActionsError
from release_actions.core.nightly_base import (
    Nightly,
    TagState,
    fallback_version,
    nightly_from_tags,
)
from release_actions.core.versions import TagInfo, parse_release_branch, tag_rank

DATE_FORMS = "YYYYMMDD, a real UTC date such as 20261125"
_DATE_RE = re.compile(r"^\d{8}$")


def _valid_day(year: int, month: int, day: int) -> bool:
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    days = (31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
    return 1 <= month <= 12 and 1 <= day <= days[month - 1]


def resolve_date(date: str | None, env: Mapping[str, str] | None = None) -> str:
    """The build date: ``date`` if given, else ``SOURCE_DATE_EPOCH``, else today (UTC)."""
    env = os.environ if env is None else env
    if date:
        if not _DATE_RE.match(date) or not _valid_day(int(date[:4]), int(date[4:6]), int(date[6:])):
            raise InvalidValueError("date", date, DATE_FORMS)
        return date
    epoch = env.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch and not epoch.isdigit():
        raise InvalidValueError("SOURCE_DATE_EPOCH", epoch, "a Unix timestamp in seconds")
    return time.strftime("%Y%m%d", time.gmtime(int(epoch) if epoch else None))


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
    targets, ranked, ignored, described = _read_tags(repo)
    if fetch and not targets and not fetched and git.has_remote(repo):
        fetched = _fetch_history(repo, shallow=False)
        targets, ranked, ignored, described = _read_tags(repo)
    code, name, _ = described
    nearest: tuple[str, ...] = ()
    if code == 0 and name in targets:
        commit = targets[name]
        nearest = tuple(n for n, sha in targets.items() if sha == commit)
    return TagState(tuple(ranked), nearest, tuple(sorted(ignored)), head, fetched)


def _read_tags(
    repo: Path,
) -> tuple[dict[str, str], list[tuple[str, TagInfo]], list[str], tuple[int, str, str]]:
    """(v* tag -> commit, ranked version tags, other v* tags, describe's result).

    ``git describe`` (the slower read: it opens every tagged commit) starts first,
    and the tags are ranked while it runs.
    """
    describe = git.start(repo, *DESCRIBE)
    targets = git.parse_peeled_tags(*git.finish(git.start(repo, *git.SHOW_TAGS))[:2])
    ranked, ignored = [], []
    for tag in targets:
        info = tag_rank(tag)
        if info is None:
            ignored.append(tag)
        else:
            ranked.append((tag, info))
    return targets, ranked, ignored, git.finish(describe)


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
    if branch:
        branch = branch.removeprefix("refs/heads/")
        if branch.startswith("release-"):
            parse_release_branch(branch)
    state = read_tag_state(repo, fetch=fetch)
    branch = branch or current_branch(state, env) or default_branch
    fallback = fallback_version(pyproject) if pyproject is not None else None
    return nightly_from_tags(state, branch, fallback, day)
