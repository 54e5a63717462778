"""Shared pytest configuration and fixtures. Test-bed fixtures live in tests/testbed/*.

Fixtures shared by the test modules:

* ``client_index(*versions)``: the session's ``pypi_index`` holding the fake
  ``llama-stack-client`` at each of ``versions`` (each built and uploaded once per
  session);
* ``clean_env``: no ``RA_*`` input and no ``GITHUB_*`` context leaks in from the
  shell or the CI job that runs the tests;
* ``uv_on_index(index)``: uv (``UV_*``) resolves against a test index, for one test.

Every test that asks for a package registry (pypiserver or verdaccio, fixtures in
``REGISTRY_FIXTURES``) is marked ``e2e`` here, so ``scripts/test --fast``
(``-m "not e2e"``) leaves out every test that publishes to or reads from one; the
full suite runs them all.

And one guard for every test: compute-version reads the npm package's ``latest``
from its registry (npmjs by default); in tests only a loopback registry (verdaccio)
is read, any other is "unreachable", so the dist-tag falls back to the git tags.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from tests.testbed.registries import PypiIndex

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "action-lib"))

pytest_plugins: list[str] = [
    "pytester",
    "tests.testbed.github_api.fixture",
    "tests.testbed.origin",
    "tests.testbed.registries",
    "tests.testbed.act",
]


@pytest.fixture(scope="session")
def client_index(pypi_index: PypiIndex) -> Callable[..., PypiIndex]:
    """``client_index("0.7.2", "0.8.0")``: the session index, with the fake client at
    those versions (published unless the index already holds them)."""

    from tests.testbed.registries import publish_python_client

    def with_clients(*versions: str) -> PypiIndex:
        for version in versions:
            if version not in pypi_index.versions("llama-stack-client"):
                publish_python_client(pypi_index, version)
        return pypi_index

    return with_clients


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Delete every ``RA_*`` and ``GITHUB_*`` variable for the test (a fixture that sets
    some again asks for ``clean_env`` first)."""
    for name in list(os.environ):
        if name.startswith(("RA_", "GITHUB_")):
            monkeypatch.delenv(name)


@pytest.fixture
def uv_on_index(monkeypatch: pytest.MonkeyPatch) -> Callable[[PypiIndex], None]:
    """``uv_on_index(index)``: uv resolves against ``index`` for the test, and builds the
    dynamic-version projects' metadata without isolation (tests/testbed/monorepo.py)."""

    from tests.testbed.monorepo import uv_vars

    def use(index: PypiIndex) -> None:
        for key, value in uv_vars(index.simple_url).items():
            monkeypatch.setenv(key, value)

    return use


# The fixtures that start or fill a package registry (tests/testbed/registries.py and
# ``client_index`` above), directly or through another fixture.
REGISTRY_FIXTURES = frozenset(
    {
        "pypi_index",
        "fresh_pypi_index",
        "pep691_index",
        "client_index",
        "npm_registry",
        "fresh_npm_registry",
    }
)


@pytest.hookimpl(tryfirst=True)  # before -m deselects
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if REGISTRY_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.e2e)


LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


@pytest.fixture(autouse=True)
def _no_public_npm_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    import urllib.parse

    from release_actions.adapters import npm_registry
    from release_actions.core.errors import ReleaseActionsError

    real = npm_registry.npm_latest

    def loopback_only(registry: str, name: str, **options: object) -> str | None:
        if urllib.parse.urlsplit(registry).hostname not in LOOPBACK_HOSTS:
            raise ReleaseActionsError(f"the tests read no public registry ({registry})")
        return real(registry, name, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(npm_registry, "npm_latest", loopback_only)
