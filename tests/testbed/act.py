"""pytest fixtures over the package's act runner (``release_actions.rehearsal.act``).

``act_runner`` (one :class:`ActRunner` per test, with its own artifact store and
checkout sources) over two session fixtures, ``release_actions_export`` (this
working tree exported once, :func:`export_worktree`) and ``act_venv_cache``
(``RA_VENV_CACHE``: the action's venv is built once per session);
tests/conftest.py registers this module as a plugin.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from release_actions.rehearsal.act import pins
from release_actions.rehearsal.act.runner import (
    ActResult,
    ActRunner,
    ActTimeout,
    typed_dispatch_payload,
)
from release_actions.rehearsal.export import export_worktree

__all__ = [
    "ActResult",
    "ActRunner",
    "ActTimeout",
    "export_worktree",
    "load_pins",
    "typed_dispatch_payload",
]

ROOT = Path(__file__).resolve().parents[2]
STUBS_DIR = pins.STUBS_DIR


def load_pins() -> ModuleType:
    """The one list of pinned actions (``release_actions.rehearsal.act.pins``)."""
    return pins


@pytest.fixture(scope="session")
def release_actions_export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The working tree of this repository, exported once per session (:func:`export_worktree`)."""
    return export_worktree(ROOT, tmp_path_factory.mktemp("release-actions-v1"))


@pytest.fixture(scope="session")
def act_venv_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``RA_VENV_CACHE`` for every run of the session: the action venv is built once."""
    return tmp_path_factory.mktemp("ra-venv-cache")


@pytest.fixture
def act_runner(
    release_actions_export: Path, act_venv_cache: Path, tmp_path: Path
) -> Iterator[ActRunner]:
    """An :class:`ActRunner` with this test's own artifact store and checkout sources."""
    yield ActRunner(
        release_actions_dir=release_actions_export,
        venv_cache=act_venv_cache,
        tmp_dir=tmp_path / "act",
    )
