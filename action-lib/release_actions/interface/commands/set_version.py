"""``release-actions set-version``: stamp a version into a client package checkout."""

from __future__ import annotations

from pathlib import Path

from release_actions.core.versions import parse_any_version
from release_actions.edits.stamps import NO_VERSION_FILE
from release_actions.interface.commands.common import require
from release_actions.interface.output import Console, markdown_table, summary_rows
from release_actions.interface.spec import JSON, REPO, Opt, Options
from release_actions.steps.stamp import KINDS, plan_stamp, write_stamp

OPTIONS = (
    Opt(
        "--version",
        "RA_VERSION",
        help="the PEP 440 version to stamp, e.g. 0.8.0, 0.8.0rc1, 0.4.5.dev20260202",
    ),
    REPO._replace(help="repository checkout (default: .)"),
    Opt(
        "--kind",
        "RA_KIND",
        default="auto",
        choices=KINDS,
        help=" | ".join(KINDS) + " (auto: python for pyproject.toml, npm for package.json)",
    ),
    Opt(
        "--package-dir",
        "RA_PACKAGE_DIR",
        default=".",
        help="the package's directory, relative to --repo (default: .)",
    ),
    Opt(
        "--import-name",
        "RA_IMPORT_NAME",
        help="Python import name used to find _version.py (default: the project name, - -> _)",
    ),
    Opt(
        "--version-file",
        "RA_VERSION_FILE",
        help="file holding __version__ / VERSION, relative to --package-dir"
        f" ('{NO_VERSION_FILE}': manifests only)",
    ),
    Opt("--dry-run", "RA_DRY_RUN", kind="flag", help="print the diff, write nothing"),
    JSON,
)


def run(options: Options, out: Console) -> int:
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
    report = "".join(f"{stamp.describe()}\n" for stamp in plan.files)
    diff = plan.diff()
    if options.dry_run and diff:
        report += diff
    if out.as_json:
        print(report, end="", file=out.stderr)
    else:
        out.text(report)
    out.result(data)

    title = "Set version (dry run)" if options.dry_run else "Set version"
    summary = f"### {title} {version}\n\n" + markdown_table(summary_rows(data), ("", "value"))
    summary += "".join(f"\n- `{stamp.describe()}`" for stamp in plan.files)
    if diff:
        summary += f"\n\n```diff\n{diff}```\n"
    out.summary(summary + "\n")
    return 0
