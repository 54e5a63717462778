"""``release-actions verify-dists``: fail unless every distribution carries the version."""

from __future__ import annotations

import argparse
from pathlib import Path

from release_actions.adapters.dists import find_dists, verify_dists
from release_actions.core.versions import parse_any_version
from release_actions.interface.commands.common import emit, env_default, env_list, require
from release_actions.interface.output import markdown_table, write_summary


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--version", default=env_default("RA_VERSION"), help="the version every file must carry"
    )
    parser.add_argument(
        "paths",
        nargs="*",
        metavar="DIR",
        default=env_list("RA_PATHS"),
        help="folders of distributions (wheels, sdists, npm tarballs) or the files",
    )
    parser.add_argument("--json", action="store_true", help="print the result as JSON")


def run(options: argparse.Namespace) -> int:
    require(
        bool(options.version),
        "no version given: verify-dists needs the version to check.",
        "pass --version V, e.g. 0.8.0",
    )
    require(
        bool(options.paths),
        "no folders given: verify-dists needs the distributions to check.",
        "pass one or more folders (or files) of built distributions",
    )
    version = parse_any_version(options.version)
    dists = verify_dists(find_dists(Path(p) for p in options.paths), version)
    emit(
        {
            "version": str(version),
            "count": len(dists),
            "files": " ".join(d.filename for d in dists),
        },
        options.json,
    )
    rows = [(d.filename, f"{d.name} {d.version}") for d in dists]
    write_summary(f"### Verified {version}\n\n" + markdown_table(rows, ("file", "metadata")))
    return 0
