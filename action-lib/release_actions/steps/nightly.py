"""nightly-version: ``{base}.dev{YYYYMMDD}`` from the repository's tags.

The base is a pure function of a :class:`TagState` (what git says) plus the
branch and the ``fallback_version``; :func:`read_tag_state` is the only part that
talks to git, with three cheap calls (rev-parse, for-each-ref, describe) and, in
a shallow or tagless clone, one treeless fetch of history and tags.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

from release_actions.adapters import git
from release_actions.core.errors import InvalidValueError, ReleaseActionsError
from release_actions.core.versions import (
    DevTag,
    Rank,
    TagInfo,
    Version,
    base_rank,
    dev_version,
    npm_version,
    parse_any_version,
    parse_release_branch,
    parse_tag,
    tag_rank,
)

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


class TagState(NamedTuple):
    """What the repository says about version tags, as seen from HEAD."""

    ranked: tuple[tuple[str, TagInfo], ...]  # every version tag with its rank
    nearest: tuple[str, ...]  # tags on the nearest tagged commit reachable from HEAD
    ignored: tuple[str, ...] = ()  # v* tags that are not version tags
    head_branch: str = ""
    fetched: str = ""  # what was fetched to see history, if anything


class Base(NamedTuple):
    version: Version
    source: str  # dev-tag | release-tag | fallback
    tag: str
    reason: str


class Nightly(NamedTuple):
    version: Version
    base: Base
    branch: str
    notes: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, str]:
        return {
            "version": str(self.version),
            "npm_version": npm_version(self.version),
            "base": str(self.base.version),
            "base_source": self.base.source,
            "tag": self.base.tag,
        }


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


def fallback_version(pyproject: Mapping[str, object]) -> Version | None:
    """``[tool.setuptools_scm].fallback_version`` with any ``.devN`` stripped, or None."""
    tool = pyproject.get("tool")
    scm = tool.get("setuptools_scm") if isinstance(tool, dict) else None
    raw = scm.get("fallback_version") if isinstance(scm, dict) else None
    if raw is None:
        return None
    version = parse_any_version(str(raw), "fallback_version")
    return Version(str(version).split(".dev")[0])


def _best(
    ranked: Sequence[tuple[str, TagInfo]], line: tuple[int, int] | None
) -> tuple[Rank, str] | None:
    """The tag whose base ranks highest (a dev tag wins a tie), without building Versions."""
    best: tuple[Rank, bool, str] | None = None
    for name, info in ranked:
        if line is not None and info[2] != line:
            continue
        key = (info[0], info[1], name)
        if best is None or key[:2] > best[:2]:
            best = key
    return (best[0], best[2]) if best is not None else None


def _base_of(name: str, why: str) -> Base:
    tag = parse_tag(name)
    source = "dev-tag" if isinstance(tag, DevTag) else "release-tag"
    return Base(tag.base, source, tag.name, why)


def compute_base(state: TagState, branch: str, fallback: Version | None) -> Base:
    """Choose the base: nearest reachable tag, floored by releases tagged anywhere.

    On ``release-X.Y.x`` only tags of line X.Y count, so the base stays in the line.
    On any other branch every release and dev tag of the repository is a floor,
    so a nightly never sorts below a release already tagged somewhere. A
    ``fallback_version`` ahead of both wins (main may develop the next minor).
    """
    line: tuple[int, int] | None = None
    if branch.startswith("release-"):
        line = parse_release_branch(branch).line
    nearest = [(n, i) for n, i in state.ranked if n in state.nearest]
    near, floor = _best(nearest, line), _best(state.ranked, line)
    chosen: tuple[Rank, str, str] | None = None  # rank, tag, reason
    if near is not None:
        chosen = (near[0], near[1], f"nearest tag {near[1]} on {branch}")
    if floor is not None and (chosen is None or floor[0] > chosen[0]):
        where = f"line {line[0]}.{line[1]}" if line else "the repository"
        why = f"highest tag of {where}, {floor[1]}"
        if chosen is not None:
            why += f" (the nearest tag {chosen[1]} is behind it)"
        chosen = (floor[0], floor[1], why)
    usable = fallback is not None and (line is None or fallback.release[:2] == line)
    if fallback is not None and usable and (chosen is None or base_rank(fallback) > chosen[0]):
        why = "fallback_version in [tool.setuptools_scm]"
        if chosen is not None:
            why += f" (ahead of {chosen[1]})"
        return Base(fallback, "fallback", "", why)
    if chosen is not None:
        return _base_of(chosen[1], chosen[2])
    if line is not None:
        start = Version(f"{line[0]}.{line[1]}.0")
        return Base(start, "fallback", "", f"no tag of line {line[0]}.{line[1]} yet")
    raise ReleaseActionsError(
        "no version tag (vX.Y.Z, vX.Y.ZrcN, vX.Y.Z-dev) and no fallback_version found",
        fix='add fallback_version = "X.Y.Z.dev0" to [tool.setuptools_scm] or push a dev tag',
        title="No base version",
    )


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
    base = compute_base(state, branch, fallback)
    notes = []
    if state.fetched:
        notes.append(f"fetched {state.fetched} from origin (the checkout was shallow or tagless)")
    ignored = state.ignored
    if ignored:
        shown = ", ".join(ignored[:5]) + (" ..." if len(ignored) > 5 else "")
        notes.append(f"ignored {len(ignored)} tag(s) that are not version tags: {shown}")
    return Nightly(dev_version(base.version, day), base, branch, tuple(notes))
