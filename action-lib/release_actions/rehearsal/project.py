"""What a rehearsal reads from the project itself: the protection of its origin and the
names the world is pre-filled with.

* Protection: ``--protect`` / ``--ruleset`` when given, else the project's
  ``protected-branches`` / ``ruleset-refs`` (``[tool.release-actions]``).
* Pre-fill (``--prefill-from-registries``): the ``[project].name`` of every managed
  pyproject and every name in ``pins`` (on PyPI and TestPyPI), and ``npm-package``
  (on npm), read from the sources (``--prefill-pypi``, ``--prefill-testpypi``,
  ``--prefill-npm``; default the real indexes) as placeholders, before the
  "before" snapshot, so the report shows only what the workflows published.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from release_actions.core.config import Config
from release_actions.core.text_inputs import check_url

from .world.prefill import PrefillSources, prefill
from .world.world import World

__all__ = ["PrefillPlan", "plan_prefill", "protection", "run_prefill"]


@dataclass(frozen=True)
class PrefillPlan:
    python_names: tuple[str, ...]
    npm_names: tuple[str, ...]
    sources: PrefillSources


def protection(
    config: Config, protect: Sequence[str], rulesets: Sequence[str]
) -> tuple[list[str], list[str]]:
    """The branch globs (GH006) and full-ref globs (GH013) of the world's origin."""
    return (
        list(protect) or list(config.protected_branches),
        list(rulesets) or list(config.ruleset_refs),
    )


def plan_prefill(
    repo: Path, config: Config, *, pypi: str = "", testpypi: str = "", npm: str = ""
) -> PrefillPlan:
    """The names and the (checked) source URLs; a bad URL is an error naming its flag."""
    from release_actions.steps.pyprojects import managed_pyprojects

    defaults = PrefillSources()
    sources = PrefillSources(
        pypi=check_url(pypi, "--prefill-pypi") if pypi else defaults.pypi,
        testpypi=check_url(testpypi, "--prefill-testpypi") if testpypi else defaults.testpypi,
        npm=check_url(npm, "--prefill-npm") if npm else defaults.npm,
    )
    names: list[str] = []
    for managed in managed_pyprojects(repo, config.pyprojects):
        project = managed.data.get("project")
        name = project.get("name") if isinstance(project, dict) else None
        if isinstance(name, str) and name and name not in names:
            names.append(name)
    names += [pin for pin in config.pins if pin not in names]
    npm_names = (config.npm_package,) if config.npm_package else ()
    return PrefillPlan(tuple(names), npm_names, sources)


def run_prefill(world: World, plan: PrefillPlan, log: Callable[[str], None]) -> dict[str, Any]:
    """Pre-fill ``world``; its problems are logged (never fatal); returns what it holds."""
    done = prefill(
        world, python_names=plan.python_names, npm_names=plan.npm_names, sources=plan.sources
    )
    for problem in done.problems:
        log(f"pre-fill: {problem}")
    counts = {name: len(versions) for name, versions in done.pypi.items()}
    log(f"pre-filled from the registries: {counts or 'nothing'}")
    return {
        "pypi": done.pypi,
        "testpypi": done.testpypi,
        "npm": done.npm,
        "problems": list(done.problems),
    }
