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
import time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from release_actions.core.nightly_base import (
    Nightly,
    TagState,
    highest_fallback,
    nightly_from_tags,
)
from release_actions.core.text_inputs import (
    DATE_FORMS,
    check_branch_name,
    check_date,
    date_from_epoch,
)
from release_actions.core.versions import parse_release_branch
from release_actions.steps.branches import require_branch
from release_actions.steps.tag_state import TagRead, read_tag_state

if TYPE_CHECKING:
    from pathlib import Path

    from release_actions.core.conventions import Conventions, ConventionSettings

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
    default_branch: str = "",
    pyproject: Mapping[str, object] | None = None,
    fetch: bool = True,
    env: Mapping[str, str] | None = None,
    tags: TagRead | None = None,
    pyprojects: Sequence[tuple[str, Mapping[str, object]]] | None = None,
    settings: ConventionSettings | None = None,
    conventions: Conventions | None = None,
) -> Nightly:
    """The nightly version of ``repo``. ``tags``: its tag state, already being read
    (see :class:`TagRead`); by default it is read here. ``pyprojects``: the managed
    pyproject files ``(path, parsed)``, whose highest ``fallback_version`` counts; by
    default only ``pyproject`` (the root one) is consulted. ``default_branch``: the
    branch of a build whose branch is not known otherwise (empty: detected).
    ``conventions``: the repository's (by default those ``settings`` fix, the rest
    detected from the tags)."""
    day = resolve_date(date, env)
    given = bool(branch)
    if branch:
        branch = check_branch_name(branch.removeprefix("refs/heads/"))
        if branch.startswith("release-"):
            parse_release_branch(branch)
    if tags is not None:
        state = tags.result(settings, conventions)
    else:
        state = read_tag_state(repo, fetch=fetch, settings=settings, conventions=conventions)
    if not branch:
        branch = current_branch(state, env) or default_branch
        if not branch:  # a detached HEAD outside an event: the repository's default branch
            from release_actions.steps.default_branch import detect_default_branch

            branch = detect_default_branch(repo, env=env).name
        where = "the event's branch (GITHUB_BASE_REF or GITHUB_REF)"
        check_branch_name(branch, where)
        if branch.startswith("release-"):
            parse_release_branch(branch)
    if given and branch != state.head_branch:
        require_branch(repo, branch, fetch=fetch)
    if pyprojects is None:
        pyprojects = [("pyproject.toml", pyproject)] if pyproject is not None else []
    fallback = highest_fallback(pyprojects)
    return nightly_from_tags(state, branch, fallback, day)
