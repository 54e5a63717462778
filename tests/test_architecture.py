"""The layering of ``release_actions`` holds: no import cycles, and the import-linter contracts.

The contracts live in ``pyproject.toml`` under ``[tool.importlinter]``; ``scripts/test``
and these tests check them. Imports inside functions and under ``TYPE_CHECKING``
count: a lazy import is still a dependency.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "release_actions"


def import_cycles(graph: grimp.ImportGraph, modules: Iterable[str]) -> list[list[str]]:
    """Every import cycle among ``modules``: one concrete cycle per strongly connected group."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    groups: list[list[str]] = []

    def imported_by(module: str) -> Iterator[str]:
        return iter(sorted(graph.find_modules_directly_imported_by(module)))

    for root in sorted(modules):
        if root in index:
            continue
        # Tarjan's algorithm, iteratively: (module, the modules it imports still to visit).
        work = [(root, imported_by(root))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            module, pending = work[-1]
            child = next(pending, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, imported_by(child)))
                elif child in on_stack:
                    low[module] = min(low[module], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[module])
            if low[module] == index[module]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == module:
                        break
                if len(group) > 1 or graph.direct_import_exists(importer=module, imported=module):
                    groups.append(sorted(group))
    return [_one_cycle(graph, group) for group in sorted(groups)]


def _one_cycle(graph: grimp.ImportGraph, group: list[str]) -> list[str]:
    """A concrete cycle through the group's first module: start -> ... -> start."""
    start = group[0]
    for first in sorted(graph.find_modules_directly_imported_by(start)):
        if first == start:
            return [start, start]
        if first in group:
            back = graph.find_shortest_chain(importer=first, imported=start)
            if back:
                return [start, *back]
    raise AssertionError(f"no cycle through {start}")  # pragma: no cover


def test_no_import_cycles() -> None:
    graph = grimp.build_graph(PACKAGE, cache_dir=None)
    cycles = import_cycles(graph, graph.modules)
    assert not cycles, "import cycles (imports inside functions count):\n" + "\n".join(
        "  " + " -> ".join(cycle) for cycle in cycles
    )


def test_the_cycle_finder_sees_imports_inside_functions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "cycle_probe"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from cycle_probe import b\n")
    (package / "b.py").write_text("def later():\n    from cycle_probe import c\n")
    (package / "c.py").write_text("import cycle_probe.a\n")
    (package / "d.py").write_text("import cycle_probe.a\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    graph = grimp.build_graph("cycle_probe", cache_dir=None)
    assert import_cycles(graph, graph.modules) == [
        ["cycle_probe.a", "cycle_probe.b", "cycle_probe.c", "cycle_probe.a"]
    ]


def test_import_contracts_hold() -> None:
    """``lint-imports`` with the contracts of pyproject.toml (scripts/test runs it too)."""
    lint_imports = Path(sys.executable).with_name("lint-imports")
    proc = subprocess.run(
        [str(lint_imports), "--no-cache", "--no-logo"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200", "NO_COLOR": "1"},
        check=False,
    )
    report = proc.stdout + proc.stderr
    assert proc.returncode == 0, "import-linter contracts broken ([tool.importlinter]):\n" + report
    assert "4 kept, 0 broken" in report, report
