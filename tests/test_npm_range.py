"""npm range semantics (release_actions.core.npm_range), table-driven from node-semver's rules."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from release_actions.core.errors import InvalidValueError
from release_actions.core.npm_range import parse_range, satisfies

# (range, version): node-semver's satisfies() is true.
INCLUDED = [
    # caret
    ("^1.2.3", "1.2.3"),
    ("^1.2.3", "1.9.9"),
    ("^0.2.3", "0.2.9"),
    ("^0.0.3", "0.0.3"),
    ("^1.2", "1.2.0"),
    ("^1.2", "1.99.0"),
    ("^0.2", "0.2.7"),
    ("^0.0", "0.0.9"),
    ("^1.x", "1.5.0"),
    ("^0.x", "0.9.0"),
    ("^1.2.x", "1.3.0"),
    ("^0.7.1", "0.7.1"),
    ("^0.7.1", "0.7.12"),
    ("^1.2.3-beta.2", "1.2.3-beta.4"),
    ("^1.2.3-beta.2", "1.2.4"),
    ("^ 1.2.3", "1.3.0"),
    # tilde
    ("~1.2.3", "1.2.9"),
    ("~1.2", "1.2.0"),
    ("~1", "1.9.0"),
    ("~0.2.3", "0.2.4"),
    ("~>1.2.3", "1.2.5"),
    ("~1.2.1 >=1.2.3", "1.2.3"),
    # x-ranges and exact
    ("*", "1.2.3"),
    ("", "0.0.1"),
    ("x", "9.9.9"),
    ("1.x", "1.0.0"),
    ("1.2.x", "1.2.7"),
    ("1", "1.4.0"),
    ("1.2", "1.2.3"),
    ("1.2.3", "1.2.3"),
    ("=1.2.3", "1.2.3"),
    ("v1.2.3", "1.2.3"),
    ("1.2.3+build", "1.2.3"),
    # primitives, also with partial versions
    (">=1.2.3", "1.2.3"),
    (">1.2.3", "1.2.4"),
    ("<1.2.3", "1.2.2"),
    ("<=1.2.3", "1.2.3"),
    (">= 1.2.3", "1.2.4"),
    (">1", "2.0.0"),
    (">1.2", "1.3.0"),
    ("<=1.2", "1.2.99"),
    ("<=1", "1.99.99"),
    (">=1.2", "1.2.0"),
    ("<1.2", "1.1.9"),
    (">=x", "0.0.0"),
    # sets and alternatives
    (">=1.2.3 <2.0.0", "1.9.0"),
    ("<1 || >=2", "2.0.0"),
    ("1.2.7 || >=1.2.9 <2.0.0", "1.2.7"),
    ("1.2.7 || >=1.2.9 <2.0.0", "1.4.6"),
    # hyphen ranges
    ("1.2.3 - 2.3.4", "2.3.4"),
    ("1.2 - 2.3.4", "1.2.0"),
    ("1.2.3 - 2.3", "2.3.9"),
    ("1.2.3 - 2", "2.9.9"),
    # pre-releases admitted by a comparator of the same X.Y.Z
    (">=0.8.0-rc.1", "0.8.0-rc.2"),
    ("^0.8.0-rc.1", "0.8.0-rc.10"),
    ("0.8.0-rc.1", "0.8.0-rc.1"),
    (">1.2.3-alpha.3", "1.2.3-alpha.7"),
    ("~1.2.3-beta.2", "1.2.3-beta.4"),
]

# (range, version): node-semver's satisfies() is false.
EXCLUDED = [
    ("^1.2.3", "2.0.0"),
    ("^1.2.3", "1.2.2"),
    ("^0.2.3", "0.3.0"),
    ("^0.0.3", "0.0.4"),
    ("^0.0", "0.1.0"),
    ("^0.x", "1.0.0"),
    ("^0.7.1", "0.8.0"),
    ("^0.7.1", "0.7.0"),
    ("^0.5.0", "0.7.1"),
    ("~1.2.3", "1.3.0"),
    ("~1.2", "1.3.0"),
    ("~1", "2.0.0"),
    ("~0.2.3", "0.3.0"),
    ("1.x", "2.0.0"),
    ("1.2.x", "1.3.0"),
    ("1.2.3", "1.2.4"),
    ("=1.2.3", "1.2.4"),
    (">1.2.3", "1.2.3"),
    ("<1.2.3", "1.2.3"),
    (">1", "1.9.9"),
    (">1.2", "1.2.9"),
    ("<=1.2", "1.3.0"),
    ("<1.2", "1.2.0"),
    (">x", "1.0.0"),
    ("<x", "0.0.0"),
    (">=1.2.3 <2.0.0", "2.0.0"),
    ("<1 || >=2", "1.5.0"),
    ("1.2.3 - 2.3.4", "2.3.5"),
    ("1.2.3 - 2.3", "2.4.0"),
    ("1.2.3 - 2", "3.0.0"),
    ("1.2 - 2.3.4", "1.1.9"),
    # pre-releases outside their X.Y.Z are not admitted
    ("^0.7.1", "0.8.0-rc.2"),
    ("^1.2.3", "1.3.0-beta"),
    ("*", "1.0.0-beta"),
    ("", "1.0.0-rc.1"),
    ("<2.0.0", "2.0.0-rc.1"),
    ("^1.2.3-beta.2", "1.2.4-beta.2"),
    ("^1.2.3-beta.2", "1.2.3-beta.1"),
    # "-rc.10" is after "-rc.2" (numeric identifiers compare as numbers)
    ("<=0.8.0-rc.2", "0.8.0-rc.10"),
]


@pytest.mark.parametrize(("range_text", "version"), INCLUDED)
def test_included(range_text: str, version: str) -> None:
    assert satisfies(range_text, version) is True


@pytest.mark.parametrize(("range_text", "version"), EXCLUDED)
def test_excluded(range_text: str, version: str) -> None:
    assert satisfies(range_text, version) is False


@pytest.mark.parametrize(
    ("range_text", "desugared"),
    [
        ("^1.2.3", [[">=1.2.3", "<2.0.0-0"]]),
        ("^0.2.3", [[">=0.2.3", "<0.3.0-0"]]),
        ("^0.0.3", [[">=0.0.3", "<0.0.4-0"]]),
        ("^0.0", [[">=0.0.0", "<0.1.0-0"]]),
        ("~1.2", [[">=1.2.0", "<1.3.0-0"]]),
        ("1.2.x", [[">=1.2.0", "<1.3.0-0"]]),
        ("1.2.3", [["=1.2.3"]]),
        (">1.2", [[">=1.3.0"]]),
        ("<=1", [["<2.0.0-0"]]),
        ("1.2 - 2.3", [[">=1.2.0", "<2.4.0-0"]]),
        ("*", [["*"]]),
        ("^1 || ~2.1", [[">=1.0.0", "<2.0.0-0"], [">=2.1.0", "<2.2.0-0"]]),
    ],
)
def test_desugaring(range_text: str, desugared: list[list[str]]) -> None:
    assert [[str(c) for c in s] for s in parse_range(range_text)] == desugared


@pytest.mark.parametrize(
    "range_text",
    ["latest", "workspace:^1.2.3", "npm:other@^1", "file:../x", "git+https://x/y.git", "1.2.3.4"],
)
def test_not_a_range(range_text: str) -> None:
    with pytest.raises(InvalidValueError, match="npm range"):
        satisfies(range_text, "1.2.3")


@pytest.mark.parametrize("version", ["1.2", "latest", "0.7.1.dev0"])
def test_not_a_version(version: str) -> None:
    with pytest.raises(InvalidValueError, match="npm version"):
        satisfies("^1.2.3", version)


def _node_semver() -> str | None:
    """The semver module bundled with npm, when node and npm are installed."""
    if not (shutil.which("node") and shutil.which("npm")):
        return None
    proc = subprocess.run(["npm", "root", "-g"], capture_output=True, text=True, check=False)
    path = Path(proc.stdout.strip()) / "npm" / "node_modules" / "semver"
    return str(path) if path.is_dir() else None


def test_tables_agree_with_node_semver() -> None:
    """The expectations above are node-semver's own answers (skipped without node)."""
    module = _node_semver()
    if module is None:
        pytest.skip("node and npm are not installed")
    script = (
        f"const s = require({json.dumps(module)});"
        "const c = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
        "console.log(JSON.stringify(c.map(([r, v]) => s.satisfies(v, r))));"
    )
    cases = INCLUDED + EXCLUDED
    proc = subprocess.run(
        ["node", "-e", script], input=json.dumps(cases), capture_output=True, text=True, check=True
    )
    expected = [True] * len(INCLUDED) + [False] * len(EXCLUDED)
    assert json.loads(proc.stdout) == expected
    assert [satisfies(r, v) for r, v in cases] == expected
