#!/usr/bin/env python3
"""The README's first command: release-actions on the bundled example monorepo.

Builds the example (tests/fixtures/monorepo, with the history of
tests/testbed/monorepo.py: release-0.6.x and release-0.7.x with their tags, dev
tags on main) in a temporary directory, pushes it to a local bare ``origin``,
and runs the real CLI, as the actions do, for each trigger of the seed's
"Workflow Modes" table, then a dry run of prepare-release and post-release.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.testbed.origin import make_origin  # noqa: E402

DATE = "20261125"


def cli(repo: Path, *args: str, check: bool = True) -> dict[str, object]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "RA_"))}
    env["PYTHONPATH"] = str(ROOT / "action-lib")
    proc = subprocess.run(
        [sys.executable, "-m", "release_actions", *args, "--repo", str(repo), "--json"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if proc.returncode != 0:
        if check:
            raise SystemExit(
                f"release-actions {' '.join(args)} failed:\n{proc.stdout}{proc.stderr}"
            )
        errors = [line for line in proc.stdout.splitlines() if line.startswith("::error")]
        return {"error": errors[0].split("::", 2)[2] if errors else proc.stderr.strip()}
    return json.loads(proc.stdout[proc.stdout.index("{") :])


def table(rows: list[list[str]], header: list[str]) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]

    def line(row: list[str]) -> str:
        return "  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()

    return "\n".join([line(header), line(["-" * w for w in widths]), *map(line, rows)])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="release-actions-example-"))
    origin = make_origin(tmp)
    work = origin.work
    print(f"Example monorepo: {work} (origin: {origin.bare})")
    print("Tags:", " ".join(sorted(origin.tags())))
    print("Branches:", " ".join(sorted(origin.branches())))
    print()

    triggers = [
        ("release: published v0.7.1", ["--event", "release", "--tag", "v0.7.1"]),
        ("release: published v0.6.2 (older line)", ["--event", "release", "--tag", "v0.6.2"]),
        ("release: pre-release v0.8.0rc1", ["--event", "release", "--tag", "v0.8.0rc1"]),
        ("schedule (nightly)", ["--event", "schedule"]),
        ("workflow_dispatch dry_run=test-pypi", ["--event", "workflow_dispatch"]),
        (
            "workflow_dispatch dry_run=off version=0.7.2",
            ["--event", "workflow_dispatch", "--dry-run", "off", "--version", "0.7.2"],
        ),
        (
            "workflow_dispatch dry_run=build-only",
            ["--event", "workflow_dispatch", "--dry-run", "build-only"],
        ),
        ("push to release-0.6.x", ["--event", "push", "--branch", "release-0.6.x"]),
        (
            "workflow_dispatch dry_run=off, no version",
            ["--event", "workflow_dispatch", "--dry-run", "off"],
        ),
    ]
    rows = []
    for label, flags in triggers:
        plan = cli(work, "compute-version", "--date", DATE, *flags, check=False)
        if "error" in plan:
            rows.append([label, "rejected: " + str(plan["error"]).split(":")[0], "", "", "", ""])
            continue
        npm = plan["npm_dist_tag"] if plan["publish_npm"] else "-"
        rows.append(
            [
                label,
                str(plan["version"]),
                str(plan["npm_version"]),
                str(plan["target"]),
                str(npm),
                str(plan["base_source"]),
            ]
        )
    print("compute-version, per trigger (date fixed at 2026-11-25):")
    print(table(rows, ["trigger", "version", "npm version", "PyPI target", "npm tag", "source"]))
    print()

    nightly = cli(work, "nightly-version", "--date", DATE)
    print(
        f"nightly-version on main: {nightly['version']} "
        f"(base {nightly['base']} from {nightly['base_source']} {nightly['tag']})"
    )
    print()
    prepare = cli(
        work, "prepare-release", "--version", "0.8.0", "--dry-run", "--lock-policy", "skip"
    )
    print(
        f"prepare-release 0.8.0 (dry run): {prepare['status']}, branch "
        f"{prepare['release_branch']} (new: {prepare['created_branch']}), "
        f"files: {prepare['changed_files']}"
    )
    post = cli(work, "post-release", "--tag", "v0.7.1", "--dry-run", "--npm-wait-attempts", "1")
    print(
        f"post-release v0.7.1 (dry run): next dev {post['next_dev_version']}, dev tag "
        f"{post['dev_tag_status']}, main {post['main_status']}, branch {post['branch_status']}"
    )
    if post["skipped"]:
        print(f"  skipped: {post['skipped']}")
    if args.keep:
        print(f"\nKept {tmp}")
    else:
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
