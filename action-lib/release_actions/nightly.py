"""nightly-version: ``{base}.dev{YYYYMMDD}`` from the repository's tags.

The base is a pure function of a :class:`TagState` (what git says) plus the
branch and the ``fallback_version``; :func:`read_tag_state` is the only part that
talks to git, with three cheap calls (rev-parse, for-each-ref, describe) and, in
a shallow or tagless clone, one treeless fetch of history and tags.
"""

from __future__ import annotations

import datetime as _dt
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from . import git
from .errors import InvalidValueError, ReleaseActionsError
from .versions import (
    DevTag,
    ReleaseTag,
    Version,
    dev_version,
    npm_version,
    parse_any_version,
    parse_release_branch,
    parse_tag,
)

DATE_FORMS = "YYYYMMDD, a real UTC date such as 20261125"
_DATE_RE = re.compile(r"^\d{8}$")


def resolve_date(date: str | None, env: Mapping[str, str] | None = None) -> str:
    """The build date: ``date`` if given, else ``SOURCE_DATE_EPOCH``, else today (UTC)."""
    env = os.environ if env is None else env
    if date:
        if not _DATE_RE.match(date):
            raise InvalidValueError("date", date, DATE_FORMS)
        try:
            _dt.datetime.strptime(date, "%Y%m%d")
        except ValueError:
            raise InvalidValueError("date", date, DATE_FORMS) from None
        return date
    epoch = env.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        if not epoch.isdigit():
            raise InvalidValueError("SOURCE_DATE_EPOCH", epoch, "a Unix timestamp in seconds")
        moment = _dt.datetime.fromtimestamp(int(epoch), tz=_dt.timezone.utc)
    else:
        moment = _dt.datetime.now(tz=_dt.timezone.utc)
    return moment.strftime("%Y%m%d")


@dataclass(frozen=True)
class TagState:
    """What the repository says about version tags, as seen from HEAD."""

    tags: tuple[ReleaseTag | DevTag, ...]
    nearest: tuple[ReleaseTag | DevTag, ...]  # parseable tags on the nearest tagged commit
    head_branch: str = ""
    ignored: tuple[str, ...] = ()
    fetched: str = ""  # what was fetched to see history, if anything


@dataclass(frozen=True)
class Base:
    version: Version
    source: str  # dev-tag | release-tag | fallback
    tag: str
    reason: str


@dataclass(frozen=True)
class Nightly:
    version: Version
    base: Base
    branch: str
    notes: tuple[str, ...] = field(default=())

    def as_dict(self) -> dict[str, str]:
        return {
            "version": str(self.version),
            "npm_version": npm_version(self.version),
            "base": str(self.base.version),
            "base_source": self.base.source,
            "tag": self.base.tag,
        }


def _describe(repo: Path, excludes: list[str]) -> str:
    args = ["describe", "--tags", "--abbrev=0", "--match", "v[0-9]*"]
    for name in excludes:
        args += ["--exclude", name]
    code, out, _ = git.try_run(repo, *args, "HEAD")
    return out if code == 0 else ""


def read_tag_state(repo: Path, *, fetch: bool = True) -> TagState:
    """Read version tags and the nearest tagged commit; deepen a shallow clone if needed."""
    info = git.lines(git.run(repo, "rev-parse", "--is-shallow-repository", "--abbrev-ref", "HEAD"))
    shallow, head = info[0] == "true", (info[1] if len(info) > 1 else "HEAD")
    targets = git.tag_targets(repo)
    fetched = ""
    if fetch and (shallow or not targets) and git.has_remote(repo):
        args = ["fetch", "--quiet", "--no-recurse-submodules", "--tags", "--force"]
        if shallow:
            args += ["--filter=tree:0", "--unshallow"]
        token = os.environ.get("RA_TOKEN", "")
        code, _, err = git.try_run(repo, *args, "origin", extra_env=git.auth_env(repo, token))
        if code != 0:
            raise ReleaseActionsError(
                f"could not fetch tags and history from origin: {err}",
                fix="check out with `fetch-depth: 0`, or give the job `contents: read`",
                title="Fetching tags failed",
            )
        fetched = "history (treeless) and tags" if shallow else "tags"
        targets = git.tag_targets(repo)
    parsed: dict[str, ReleaseTag | DevTag] = {}
    ignored: list[str] = []
    for name in targets:
        try:
            parsed[name] = parse_tag(name)
        except InvalidValueError:
            ignored.append(name)
    nearest: tuple[ReleaseTag | DevTag, ...] = ()
    name = _describe(repo, ignored) if targets else ""
    if name in parsed:
        commit = targets[name]
        nearest = tuple(t for n, t in parsed.items() if targets[n] == commit)
    return TagState(tuple(parsed.values()), nearest, head, tuple(sorted(ignored)), fetched)


def fallback_version(pyproject: Mapping[str, object]) -> Version | None:
    """``[tool.setuptools_scm].fallback_version`` with any ``.devN`` stripped, or None."""
    tool = pyproject.get("tool")
    scm = tool.get("setuptools_scm") if isinstance(tool, dict) else None
    raw = scm.get("fallback_version") if isinstance(scm, dict) else None
    if raw is None:
        return None
    version = parse_any_version(str(raw), "fallback_version")
    return Version(str(version).split(".dev")[0])


def _rank(base: Version) -> Version:
    """Order bases by the dev versions they produce: X.Y.Z sits below X.Y.ZrcN."""
    return dev_version(base, "0")


def _best(tags: list[ReleaseTag | DevTag]) -> tuple[Version, ReleaseTag | DevTag] | None:
    if not tags:
        return None
    top = max(tags, key=lambda t: (_rank(t.base), isinstance(t, DevTag)))
    return top.base, top


def compute_base(state: TagState, branch: str, fallback: Version | None) -> Base:
    """Choose the base: nearest reachable tag, floored by releases tagged anywhere.

    On ``release-X.Y.x`` only tags of line X.Y count, so the base stays in the line.
    On any other branch every release and dev tag of the repository is a floor,
    so a nightly never sorts below a release already tagged somewhere.
    """
    line: tuple[int, int] | None = None
    if branch.startswith("release-"):
        line = parse_release_branch(branch).line
    pool = [t for t in state.tags if line is None or t.line == line]
    nearest = [t for t in state.nearest if line is None or t.line == line]
    near, floor = _best(nearest), _best(pool)
    chosen: Base | None = None
    if near is not None:
        version, tag = near
        chosen = Base(version, _source(tag), tag.name, f"nearest tag {tag.name} on {branch}")
    if floor is not None and (chosen is None or _rank(floor[0]) > _rank(chosen.version)):
        version, tag = floor
        where = f"line {line[0]}.{line[1]}" if line else "the repository"
        why = f"highest tag of {where}, {tag.name}"
        if chosen is not None:
            why += f" (the nearest tag {chosen.tag} is behind it)"
        chosen = Base(version, _source(tag), tag.name, why)
    usable = fallback is not None and (line is None or fallback.release[:2] == line)
    if (
        fallback is not None
        and usable
        and (chosen is None or _rank(fallback) > _rank(chosen.version))
    ):
        why = "fallback_version in [tool.setuptools_scm]"
        if chosen is not None:
            why += f" (ahead of {chosen.tag})"
        chosen = Base(fallback, "fallback", "", why)
    if chosen is None:
        if line is not None:
            start = Version(f"{line[0]}.{line[1]}.0")
            return Base(start, "fallback", "", f"no tag of line {line[0]}.{line[1]} yet")
        raise ReleaseActionsError(
            "no version tag (vX.Y.Z, vX.Y.ZrcN, vX.Y.Z-dev) and no fallback_version found",
            fix='add fallback_version = "X.Y.Z.dev0" to [tool.setuptools_scm] or push a dev tag',
            title="No base version",
        )
    return chosen


def _source(tag: ReleaseTag | DevTag) -> str:
    return "dev-tag" if isinstance(tag, DevTag) else "release-tag"


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
    if state.ignored:
        shown = ", ".join(state.ignored[:5]) + (" ..." if len(state.ignored) > 5 else "")
        notes.append(f"ignored {len(state.ignored)} tag(s) that are not version tags: {shown}")
    return Nightly(dev_version(base.version, day), base, branch, tuple(notes))
