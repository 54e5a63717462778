"""Shared pytest configuration. Test-bed fixtures live in tests/testbed/*."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "action-lib"))

pytest_plugins: list[str] = [
    "tests.testbed.github_api.fixture",
    "tests.testbed.origin",
    "tests.testbed.registries",
    "tests.testbed.act",
]
