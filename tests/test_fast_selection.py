"""What ``scripts/test --fast`` (``-m "not e2e"``) leaves out: every test that uses a
package registry is marked ``e2e`` by the hook in tests/conftest.py."""

from __future__ import annotations

import pytest

from tests.conftest import REGISTRY_FIXTURES, pytest_collection_modifyitems


class FakeItem:
    def __init__(self, *fixturenames: str) -> None:
        self.fixturenames = list(fixturenames)
        self.marks: list[str] = []

    def add_marker(self, mark: pytest.MarkDecorator) -> None:
        self.marks.append(mark.name)


@pytest.mark.parametrize("fixture", sorted(REGISTRY_FIXTURES))
def test_a_registry_user_is_end_to_end(fixture: str) -> None:
    item = FakeItem("tmp_path", fixture)
    pytest_collection_modifyitems([item])  # type: ignore[list-item]
    assert item.marks == ["e2e"]


def test_other_tests_stay_in_the_fast_loop() -> None:
    items = [FakeItem("tmp_path", "origin", "github_api"), FakeItem()]
    pytest_collection_modifyitems(items)  # type: ignore[arg-type]
    assert [item.marks for item in items] == [[], []]


def test_every_registry_fixture_exists() -> None:
    """A renamed fixture would leave its users in the fast loop."""
    from tests import conftest
    from tests.testbed import registries

    defined = {name for module in (conftest, registries) for name in vars(module)}
    assert set(REGISTRY_FIXTURES) - defined == set()
