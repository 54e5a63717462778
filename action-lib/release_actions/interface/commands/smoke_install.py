"""``release-actions smoke-install``: install the built wheels in a fresh venv and check them."""

from __future__ import annotations

import argparse
from pathlib import Path

from release_actions.core.versions import parse_any_version
from release_actions.interface.commands.common import (
    emit,
    env_default,
    env_list,
    open_repo,
    require,
)
from release_actions.interface.output import markdown_table, write_summary
from release_actions.steps.smoke import smoke_install


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--version", default=env_default("RA_VERSION"), help="the version the wheels must carry"
    )
    parser.add_argument(
        "paths",
        nargs="*",
        metavar="DIR",
        default=env_list("RA_PATHS"),
        help="folders of built wheels (also used as --find-links)",
    )
    parser.add_argument(
        "--index-url",
        default=env_default("RA_INDEX_URL"),
        help="index for everything not built here (default: uv's default, PyPI)",
    )
    parser.add_argument(
        "--extra-index-url",
        action="append",
        default=env_list("RA_EXTRA_INDEX_URLS"),
        help="additional index (repeat)",
    )
    parser.add_argument(
        "--pin",
        action="append",
        default=env_list("RA_PINS"),
        help="pinned sibling package whose pin must resolve (default: [tool.release-actions]"
        " pins, else llama-stack-client)",
    )
    parser.add_argument(
        "--module",
        action="append",
        default=env_list("RA_MODULES"),
        help="module whose __version__ must be the version (repeat)",
    )
    parser.add_argument(
        "--python",
        default=env_default("RA_INSTALL_PYTHON"),
        help="interpreter for the venv (default: uv's choice)",
    )
    parser.add_argument(
        "--repo", default=env_default("RA_REPO", "."), help="repository (for the configuration)"
    )
    parser.add_argument("--json", action="store_true", help="print the result as JSON")


def run(options: argparse.Namespace) -> int:
    require(
        bool(options.version),
        "no version given: smoke-install needs the version the wheels must report.",
        "pass --version V, e.g. 0.8.0",
    )
    require(
        bool(options.paths),
        "no folders given: smoke-install needs the built wheels.",
        "pass one or more folders of built wheels",
    )
    version = parse_any_version(options.version)
    pins = options.pin or list(open_repo(options.repo)[2].pins)
    result = smoke_install(
        [Path(p) for p in options.paths],
        version,
        index_url=options.index_url,
        extra_index_urls=options.extra_index_url,
        pins=pins,
        modules=options.module,
        python=options.python,
    )
    emit(result.as_dict(), options.json)
    rows = [(name, found) for name, found in sorted(result.installed.items())]
    rows += [(f"{module}.__version__", found) for module, found in result.modules.items()]
    pins_text = ", ".join(f"`{p}`" for p in result.pins) or "none"
    write_summary(
        f"### Install test of {version} (Python {result.python})\n\nPins checked: {pins_text}\n\n"
        + markdown_table(rows, ("installed", "version"))
    )
    return 0
