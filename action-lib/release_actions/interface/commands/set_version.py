"""``release-actions set-version``: stamp a version into a client package checkout."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from release_actions.core.versions import parse_any_version
from release_actions.edits.stamps import NO_VERSION_FILE
from release_actions.interface.commands.common import emit, env_default, env_tristate, require
from release_actions.interface.output import markdown_table, write_summary
from release_actions.steps.stamp import KINDS, plan_stamp, write_stamp


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--version",
        default=env_default("RA_VERSION"),
        help="the PEP 440 version to stamp, e.g. 0.8.0, 0.8.0rc1, 0.4.5.dev20260202",
    )
    parser.add_argument(
        "--repo", default=env_default("RA_REPO", "."), help="repository checkout (default: .)"
    )
    parser.add_argument(
        "--kind",
        default=env_default("RA_KIND", "auto"),
        help=" | ".join(KINDS) + " (auto: python for pyproject.toml, npm for package.json)",
    )
    parser.add_argument(
        "--package-dir",
        default=env_default("RA_PACKAGE_DIR", "."),
        help="the package's directory, relative to --repo (default: .)",
    )
    parser.add_argument(
        "--import-name",
        default=env_default("RA_IMPORT_NAME"),
        help="Python import name used to find _version.py (default: the project name, - -> _)",
    )
    parser.add_argument(
        "--version-file",
        default=env_default("RA_VERSION_FILE"),
        help="file holding __version__ / VERSION, relative to --package-dir"
        f" ('{NO_VERSION_FILE}': manifests only)",
    )
    parser.add_argument(
        "--dry-run",
        action="store_true",
        default=env_tristate("RA_DRY_RUN") or False,
        help="print the diff, write nothing",
    )
    parser.add_argument("--json", action="store_true", help="print the result as JSON")


def run(options: argparse.Namespace) -> int:
    require(
        bool(options.version),
        "no version given: set-version needs the version to stamp.",
        "pass --version V (or the version input / RA_VERSION), e.g. 0.8.0 or 0.8.0rc1",
    )
    version = parse_any_version(options.version)
    plan = plan_stamp(
        Path(options.repo),
        version,
        kind=options.kind,
        package_dir=options.package_dir,
        import_name=options.import_name,
        version_file=options.version_file,
    )
    if not options.dry_run:
        write_stamp(plan)
    data = plan.as_dict(dry_run=options.dry_run)
    # stdout carries only the JSON document with --json; the report then goes to stderr.
    report = sys.stderr if options.json else sys.stdout
    for stamp in plan.files:
        print(stamp.describe(), file=report)
    emit(data, options.json)
    diff = plan.diff()
    if options.dry_run and diff:
        print(diff, end="", file=report)

    title = "Set version (dry run)" if options.dry_run else "Set version"
    rows = [(k, str(v)) for k, v in data.items()]
    summary = f"### {title} {version}\n\n" + markdown_table(rows, ("", "value"))
    summary += "".join(f"\n- `{stamp.describe()}`" for stamp in plan.files)
    if diff:
        summary += f"\n\n```diff\n{diff}```\n"
    write_summary(summary + "\n")
    return 0
