"""``release-actions verify-dists``: fail unless every distribution carries the version."""

from __future__ import annotations

from pathlib import Path

from release_actions.adapters.dists import find_dists, verify_dists
from release_actions.core.versions import parse_artifact_version
from release_actions.interface.commands.common import require
from release_actions.interface.output import Console, markdown_table
from release_actions.interface.spec import JSON, Opt, Options

OPTIONS = (
    Opt("--version", "RA_VERSION", help="the version every file must carry"),
    Opt(
        "paths",
        "RA_PATHS",
        kind="list",
        metavar="DIR",
        help="folders of distributions (wheels, sdists, npm tarballs) or the files",
    ),
    JSON,
)


def run(options: Options, out: Console) -> int:
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
    version = parse_artifact_version(options.version)
    dists = verify_dists(find_dists(Path(p) for p in options.paths), version)
    out.result(
        {
            "version": str(version),
            "count": len(dists),
            "files": " ".join(d.filename for d in dists),
        },
    )
    rows = [(d.filename, f"{d.name} {d.version}") for d in dists]
    out.summary(f"### Verified {version}\n\n" + markdown_table(rows, ("file", "metadata")))
    return 0
