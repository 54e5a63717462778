"""A local ``origin`` holding the monorepo: the rehearsal world's bare repository with
GitHub-like rules (``release_actions.rehearsal.world.origin``), as pytest fixtures.

- :func:`make_origin` builds the monorepo (:mod:`tests.testbed.monorepo`), pushes
  every branch and tag to a bare repository and clones it (``file://`` URL, as
  ``actions/checkout`` would) into a working copy whose ``origin`` it is.
- :func:`protect` (GH006 protected branches) and :func:`ruleset` (GH013 rulesets)
  install the world's pre-receive hooks; the bare repository allows partial and
  treeless fetches over ``file://`` (see the package module for the messages).

Fixtures: ``origin`` (function-scoped, unprotected) and ``protected_origin``
(``main`` and ``release-*`` protected). Both copy a session-wide template, so
each costs a copy and a clone.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import pytest

from release_actions.rehearsal.world.origin import (
    LogEntry,
    Origin,
    clone_work,
    make_bare,
    protect,
    ruleset,
)

from .monorepo import DEFAULT_HISTORY, Step, build_monorepo, git, git_env


def make_origin(
    root: Path,
    *,
    history: Sequence[Step] = DEFAULT_HISTORY,
    index_url: str | None = None,
    protected: Iterable[str] = (),
) -> Origin:
    """Build the monorepo under ``root``, push it to ``root/origin.git``, clone it to
    ``root/work``. ``protected`` branch patterns are enforced from then on."""
    root.mkdir(parents=True, exist_ok=True)
    seed = build_monorepo(root / "seed", history=history, index_url=index_url)
    bare = make_bare(root / "origin.git")
    git(seed.path, "push", "--quiet", bare.as_uri(), "refs/heads/*:refs/heads/*", "refs/tags/*")
    shutil.rmtree(seed.path)
    origin = Origin(bare=bare, work=root / "work")
    clone_work(origin.url, origin.work)
    if protected:
        origin.protect(protected)
    return origin


def copy_origin(template: Origin, root: Path, *, protected: Iterable[str] = ()) -> Origin:
    """A fresh origin + clone from a template's bare repository (fast)."""
    root.mkdir(parents=True, exist_ok=True)
    bare = root / "origin.git"
    shutil.copytree(template.bare, bare, symlinks=True)
    origin = Origin(bare=bare, work=root / "work")
    clone_work(origin.url, origin.work)
    if protected:
        protect(bare, protected)
    return origin


@pytest.fixture(scope="session")
def origin_template(tmp_path_factory: pytest.TempPathFactory) -> Origin:
    """The default monorepo in a bare repository, built once per session (read-only)."""
    return make_origin(tmp_path_factory.mktemp("origin-template"))


@pytest.fixture
def origin(origin_template: Origin, tmp_path: Path) -> Iterator[Origin]:
    """A bare origin holding the monorepo and a working clone of it; nothing protected."""
    yield copy_origin(origin_template, tmp_path / "repo")


@pytest.fixture
def protected_origin(origin_template: Origin, tmp_path: Path) -> Iterator[Origin]:
    """Like ``origin``, with ``main`` and ``release-*`` protected as on GitHub."""
    yield copy_origin(origin_template, tmp_path / "repo", protected=["main", "release-*"])


__all__ = [
    "LogEntry",
    "Origin",
    "copy_origin",
    "git_env",
    "make_bare",
    "make_origin",
    "origin",
    "origin_template",
    "protect",
    "protected_origin",
    "ruleset",
]
