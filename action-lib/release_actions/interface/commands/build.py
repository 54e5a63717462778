"""``release-actions build``: build the release's packages with the version forced, verified."""

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
from release_actions.steps.build import build


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--version", default=env_default("RA_VERSION"), help="the version to build (PEP 440)"
    )
    parser.add_argument(
        "--repo", default=env_default("RA_REPO", "."), help="repository checkout (default: .)"
    )
    parser.add_argument(
        "--out",
        default=env_default("RA_OUT_DIR", "dist"),
        help="empty folder for the distributions (default: dist)",
    )
    parser.add_argument(
        "--package",
        action="append",
        default=env_list("RA_PACKAGES"),
        help="Python project folder, relative to --repo (repeat; default: every pyproject.toml"
        " with [tool.setuptools_scm])",
    )
    parser.add_argument(
        "--npm-package",
        action="append",
        default=env_list("RA_NPM_PACKAGES"),
        help="npm package folder to pack, relative to --repo (repeat)",
    )
    parser.add_argument("--json", action="store_true", help="print the result as JSON")


def run(options: argparse.Namespace) -> int:
    require(
        bool(options.version),
        "no version given: build needs the version to force.",
        "pass --version V (the version input / RA_VERSION), e.g. 0.8.0",
    )
    version = parse_any_version(options.version)
    repo_path = Path(options.repo)
    configured = () if options.package else open_repo(options.repo)[2].pyprojects
    result = build(
        repo_path,
        version,
        Path(options.out),
        projects=[Path(p) for p in options.package],
        npm_packages=[Path(p) for p in options.npm_package],
        configured=configured,
    )
    emit(result.as_dict(), options.json)
    rows = [(d.filename, f"{d.name} {d.version}") for d in result.dists]
    write_summary(
        f"### Built {version}\n\nEvery file's metadata carries {version}.\n\n"
        + markdown_table(rows, ("file", "metadata"))
    )
    return 0
