#!/usr/bin/env python3
"""Regenerate the inputs/outputs tables of every action in README.md and actions/*/README.md.

    python scripts/gen-action-docs.py          # rewrite the tables in place
    python scripts/gen-action-docs.py --check  # exit 1 if any table is out of date

Tables live between markers such as
``<!-- BEGIN compute-version inputs -->`` and ``<!-- END compute-version inputs -->``.
The action.yml files are the source of truth; tests/test_docs_sync.py runs --check.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def _cell(text: object) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


# Outputs whose ``--json`` key is not the output name in snake_case (the usual mapping,
# release_actions.interface.output.output_name).
JSON_KEYS = {
    ("doctor", "failed-checks"): "failed",
    ("doctor", "warned-checks"): "warned",
    ("doctor", "report"): "(the whole document)",
}


def json_key(action_name: str, output: str) -> str:
    return JSON_KEYS.get((action_name, output), output.replace("-", "_"))


def render(action: dict, part: str, action_name: str = "") -> str:
    items = action.get(part) or {}
    if part == "inputs":
        lines = ["| input | default | description |", "| --- | --- | --- |"]
        for name, spec in items.items():
            default = spec.get("default", "")
            shown = f"`{_cell(default)}`" if default != "" else '`""`'
            lines.append(f"| `{name}` | {shown} | {_cell(spec.get('description', ''))} |")
    else:
        lines = ["| output | `--json` key | description |", "| --- | --- | --- |"]
        for name, spec in items.items():
            key = json_key(action_name, name)
            shown = f"`{key}`" if not key.startswith("(") else key
            lines.append(f"| `{name}` | {shown} | {_cell(spec.get('description', ''))} |")
    return "\n".join(lines)


def tables() -> dict[tuple[str, str], str]:
    result = {}
    for path in sorted(ROOT.glob("actions/*/action.yml")):
        action = yaml.safe_load(path.read_text())
        for part in ("inputs", "outputs"):
            result[(path.parent.name, part)] = render(action, part, path.parent.name)
    return result


def update(text: str, generated: dict[tuple[str, str], str]) -> str:
    for (name, part), table in generated.items():
        key = f"{re.escape(name)} {part}"
        pattern = re.compile(rf"(<!-- BEGIN {key} -->)\n.*?(<!-- END {key} -->)", re.S)
        text = pattern.sub(lambda m, t=table: f"{m.group(1)}\n{t}\n{m.group(2)}", text)
    return text


def doc_files() -> list[Path]:
    return [ROOT / "README.md", *sorted(ROOT.glob("actions/*/README.md"))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    generated = tables()
    stale = []
    for path in doc_files():
        if not path.exists():
            continue
        old = path.read_text()
        new = update(old, generated)
        if new != old:
            stale.append(path)
            if not args.check:
                path.write_text(new)
    if args.check and stale:
        for path in stale:
            print(f"out of date: {path.relative_to(ROOT)} (run scripts/gen-action-docs.py)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
