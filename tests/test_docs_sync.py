"""README and per-action READMEs carry inputs/outputs tables that match action.yml."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
ACTIONS = sorted(p.parent.name for p in ROOT.glob("actions/*/action.yml"))


def table_names(text: str, name: str, part: str) -> list[str]:
    match = re.search(
        rf"<!-- BEGIN {name} {part} -->\n(.*?)\n<!-- END {name} {part} -->", text, re.S
    )
    assert match, f"no {part} table for {name}"
    return re.findall(r"^\| `([^`]+)` \|", match.group(1), re.M)


@pytest.mark.parametrize("name", ACTIONS)
@pytest.mark.parametrize("doc", ["README.md", "actions/{name}/README.md"])
def test_tables_match_action_yml(name: str, doc: str) -> None:
    action = yaml.safe_load((ROOT / f"actions/{name}/action.yml").read_text())
    text = (ROOT / doc.format(name=name)).read_text()
    for part in ("inputs", "outputs"):
        assert table_names(text, name, part) == list(action.get(part) or {}), (doc, part)


def test_generator_check_passes() -> None:
    proc = subprocess.run(
        [sys.executable, str(ROOT / "scripts/gen-action-docs.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout


def test_every_action_is_documented() -> None:
    assert {"compute-version", "nightly-version"} <= set(ACTIONS)
    readme = (ROOT / "README.md").read_text()
    for name in ACTIONS:
        assert f"actions/{name}/README.md" in readme


@pytest.mark.parametrize("name", ACTIONS)
def test_inputs_and_outputs_have_descriptions(name: str) -> None:
    action = yaml.safe_load((ROOT / f"actions/{name}/action.yml").read_text())
    for part in ("inputs", "outputs"):
        for key, spec in (action.get(part) or {}).items():
            assert re.fullmatch(r"[a-z][a-z0-9-]*", key), f"{name}: {key} is not kebab-case"
            assert spec.get("description"), f"{name}: {part}.{key} has no description"
            if part == "inputs":
                assert "default" in spec, f"{name}: input {key} has no default"
