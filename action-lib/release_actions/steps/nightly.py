"""nightly-version: ``{base}.dev{YYYYMMDD}`` from the repository's tags.

The base is a pure function of a :class:`TagState` (what git says) plus the
branch and the ``fallback_version`` (:mod:`release_actions.core.nightly_base`);
reading the tag state is the only part that talks to git
(:mod:`release_actions.steps.tag_state`: the git directory's HEAD, ``show-ref``
and ``describe`` side by side, and in a shallow or tagless clone one treeless
fetch of history and tags).
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING

from release_actions.core.errors import InvalidValueError
from release_actions.core.nightly_base import (
    Nightly,
    TagState,
    fallback_version,
    nightly_from_tags,
)
from release_actions.core.versions import parse_release_branch
from release_actions.steps.tag_state import TagRead, read_tag_state

if TYPE_CHECKING:
    from pathlib import Path

__all__ = [
    "DATE_FORMS",
    "TagRead",
    "current_branch",
    "nightly_version",
    "read_tag_state",
    "resolve_date",
]

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
    repo: Path | str,
    *,
    date: str | None = None,
    branch: str | None = None,
    default_branch: str = "main",
    pyproject: Mapping[str, object] | None = None,
    fetch: bool = True,
    env: Mapping[str, str] | None = None,
    tags: TagRead | None = None,
) -> Nightly:
    """The nightly version of ``repo``. ``tags``: its tag state, already being read
    (see :class:`TagRead`); by default it is read here."""
    day = resolve_date(date, env)
    if branch:
        branch = branch.removeprefix("refs/heads/")
        if branch.startswith("release-"):
            parse_release_branch(branch)
    state = tags.result() if tags is not None else read_tag_state(repo, fetch=fetch)
    branch = branch or current_branch(state, env) or default_branch
    fallback = fallback_version(pyproject) if pyproject is not None else None
    return nightly_from_tags(state, branch, fallback, day)
