#!/usr/bin/env python3
"""The README's first command: a whole release cycle of the bundled example monorepo.

Builds the example (tests/fixtures/monorepo, with the history of
tests/testbed/monorepo.py: release-0.6.x and release-0.7.x with their tags, dev
tags on main) in a temporary directory with a local bare ``origin``, starts a
pypiserver as "PyPI", another as "TestPyPI" and a verdaccio as npm (on 127.0.0.1,
stopped at the end), and runs the real CLI as the actions and workflows do:

0. compute-version for each trigger of the "Workflow Modes" table (RELEASE_PROCESS.md);
1. the clients' 0.8.0 (set-version, build, publish): first in the publishing order;
2. prepare-release 0.8.0: release-0.8.x cut from main, pins ==0.8.0, uv.lock re-locked;
3. the release v0.8.0: tag, compute-version, build at the tag, install test, upload;
4. post-release v0.8.0: dev tag v0.8.1-dev, fallback bump on main, npm lockfile;
5. the nightly of main to "TestPyPI", and its same-day re-run;

then reports what each step did and what origin and each registry hold. Nothing
leaves the machine; the date is fixed (2026-11-25) so that the versions are stable.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

from example_bed import (  # also puts the repository on sys.path, for tests.testbed
    CLIENT,
    DATE,
    Bed,
    build,
    client_pins,
    fallback_version,
    npm_holdings,
    npm_lock_version,
    origin_refs,
    pypi_holdings,
    release_clients,
    running_bed,
    table,
    upload,
    uv_lock_version,
)

from release_actions.rehearsal.world.origin import Origin
from tests.testbed.origin import make_origin
from tests.testbed.registries import publish_npm_client, publish_python_client

VERSION, TAG, BRANCH, DEV_TAG = "0.8.0", "v0.8.0", "release-0.8.x", "v0.8.1-dev"
UI_LOCK = "src/llama_stack_ui/package-lock.json"
TRIGGERS = [
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


def heading(text: str) -> None:
    print(f"\n== {text}")


def setup(bed: Bed) -> Origin:
    """Before the release: the clients' 0.7.1 published, the monorepo locked against them."""
    publish_python_client(bed.pypi, "0.7.1")
    publish_npm_client(bed.npm, "0.7.1")
    origin = make_origin(bed.path("repo"), index_url=bed.pypi.simple_url)
    print(f"Example monorepo: {origin.work} (origin: {origin.bare})")
    print("Tags:", " ".join(sorted(origin.tags())))
    print("Branches:", " ".join(sorted(origin.branches())))
    print(f'Local "PyPI": {pypi_holdings(bed.pypi)}; "TestPyPI": empty')
    print(f"Local npm: {npm_holdings(bed.npm)}")
    return origin


def show_triggers(bed: Bed, work: Path) -> None:
    heading("0. compute-version, per trigger (date fixed at 2026-11-25)")
    rows = []
    for label, flags in TRIGGERS:
        plan = bed.cli("compute-version", "--date", DATE, *flags, repo=work, check=False)
        if "error" in plan:
            rows.append([label, "rejected: " + str(plan["error"]).split(":")[0], "", "", "", ""])
            continue
        npm = plan["npm_dist_tag"] if plan["publish_npm"] else "-"
        fields = ("version", "npm_version", "target")
        rows.append([label, *(str(plan[k]) for k in fields), str(npm), str(plan["base_source"])])
    print(table(rows, ["trigger", "version", "npm version", "PyPI target", "npm tag", "source"]))


def clients(bed: Bed) -> None:
    heading(f"1. The clients' {VERSION}, first in the publishing order")
    release_clients(bed, VERSION, VERSION, "latest")
    latest = bed.npm.dist_tags(CLIENT)["latest"]
    print(f'set-version, build, publish-pypi-plan + upload: {CLIENT} {VERSION} on "PyPI"')
    print(f"set-version, publish-npm --dist-tag latest: {CLIENT} {VERSION} on npm")
    bed.record("clients released", VERSION, f"PyPI {CLIENT}; npm {CLIENT} latest={latest}")


def prepare(bed: Bed, origin: Origin) -> None:
    heading(f"2. prepare-release --version {VERSION} (push to origin)")
    result = bed.cli(
        "prepare-release", "--version", VERSION, "--mode", "push",
        "--index-url", bed.pypi.simple_url, repo=origin.work,
    )  # fmt: skip
    pyproject = origin.show(BRANCH, "pyproject.toml")
    pins, locked = client_pins(pyproject), uv_lock_version(origin.show(BRANCH, "uv.lock"))
    state = "created" if result["created_branch"] else "updated"
    cut = " from main" if result["created_branch"] else ""
    print(f"{result['status']}: {BRANCH} {state}{cut}; changed {result['changed_files']}")
    print(f"on {BRANCH}: fallback_version {fallback_version(pyproject)}; {pins}")
    print(f"uv.lock {result['lock']}: {CLIENT} {locked}")
    bed.record("prepare-release", VERSION, f"{BRANCH} {state}; {pins}; uv.lock {locked}")


def release(bed: Bed, origin: Origin) -> None:
    heading(f"3. The release {TAG}: tag, compute-version, build, install test, publish")
    origin.bare_git("tag", TAG, BRANCH)  # what publishing the GitHub release does
    print(f"tagged {TAG} on {BRANCH} (as publishing the GitHub release does)")
    plan = bed.cli("compute-version", "--event", "release", "--tag", TAG, repo=origin.work)
    version = str(plan["version"])
    print(
        f"compute-version --event release --tag {TAG}: {version}, target {plan['target']}, "
        f"npm dist-tag {plan['npm_dist_tag']}"
    )
    checkout = origin.clone(bed.path("checkout-release"), "--branch", TAG)
    dists, built = build(bed, checkout, version)
    print(f"build at {TAG}: {built['files']}")
    smoke = bed.cli(
        "smoke-install", "--version", version, "--index-url", bed.pypi.simple_url,
        "--python", sys.executable, "--module", "llama_stack_client", str(dists), repo=checkout,
    )  # fmt: skip
    print(f"smoke-install (the client from PyPI): {smoke['installed']}")
    published = upload(bed, bed.pypi, dists, version)
    print(f"publish-pypi-plan + upload to PyPI: {published['upload_count']} files")
    names = sorted(r.split("==")[0] for r in published["requirements"].split())
    bed.record(f"release {TAG}", version, f"PyPI {', '.join(names)}; install test passed")


def post(bed: Bed, origin: Origin) -> None:
    heading(f"4. post-release --tag {TAG} (push to origin, npm: the local verdaccio)")
    result = bed.cli(
        "post-release", "--tag", TAG, "--mode", "push", "--npm-registry", bed.npm.url,
        "--npm-wait-attempts", "10", "--npm-wait-seconds", "0.2", repo=origin.work,
    )  # fmt: skip
    fallback = fallback_version(origin.show("main", "pyproject.toml"))
    lock = npm_lock_version(origin.show(BRANCH, UI_LOCK))
    print(f"dev tag {result['dev_tag']} on main: {result['dev_tag_status']}")
    print(f"main: {result['main_status']}, fallback_version {fallback}")
    print(f"{BRANCH}: {result['branch_status']}, {UI_LOCK} has {CLIENT} {lock}")
    outcome = f"{result['dev_tag']} on main; main fallback {fallback}; {BRANCH} npm lock {lock}"
    bed.record("post-release", f"next {result['next_dev_version']}", outcome)


def nightly(bed: Bed, origin: Origin) -> None:
    heading('5. The nightly of main to "TestPyPI", then a same-day re-run')
    checkout = origin.clone(bed.path("checkout-nightly"))
    found = bed.cli("nightly-version", "--date", DATE, repo=checkout)
    plan = bed.cli("compute-version", "--event", "schedule", "--date", DATE, repo=checkout)
    version = str(found["version"])
    print(
        f"nightly-version on main: {version} (base {found['base']} from "
        f"{found['base_source']} {found['tag']}); compute-version: target {plan['target']}"
    )
    for run in ("run 1", "run 2, same day"):
        dists, _ = build(bed, checkout, version)
        result = upload(bed, bed.testpypi, dists, version, dev=bool(plan["is_dev"]))
        same, other = int(result["skip_count"]), int(result["skip_different_count"])
        outcome = f"TestPyPI: {result['upload_count']} uploaded"
        if same or other:
            outcome += f", {same + other} skipped ({same} identical, {other} rebuilt sdists)"
        print(f"build + publish-pypi-plan --skip-existing ({run}): {outcome}")
        if other:
            print(
                "  (rebuilt sdists differ in bytes: skipped with a warning; the first upload stays)"
            )
        bed.record(f"nightly ({run})", version, outcome)


def report(bed: Bed, origin: Origin) -> None:
    heading("Report")
    print(table(bed.steps, ["step", "version", "result"]))
    print("\nOrigin:")
    print(table(origin_refs(origin, ["main", BRANCH, TAG, DEV_TAG]), ["ref", "commit", "subject"]))
    yes = {True: "yes", False: "NO"}
    on_branch, on_main = origin.is_ancestor(TAG, BRANCH), origin.is_ancestor(DEV_TAG, "main")
    print(f"{TAG} in {BRANCH}'s history: {yes[on_branch]}; {DEV_TAG} in main's: {yes[on_main]}")
    print("\nRegistries:")
    print(f"  PyPI      {pypi_holdings(bed.pypi)}")
    print(f"  TestPyPI  {pypi_holdings(bed.testpypi)}")
    print(f"  npm       {npm_holdings(bed.npm)}")


def run_cycle(bed: Bed) -> None:
    origin = setup(bed)
    show_triggers(bed, origin.work)
    clients(bed)
    prepare(bed, origin)
    release(bed, origin)
    post(bed, origin)
    nightly(bed, origin)
    report(bed, origin)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="release-actions-example-"))
    try:
        with running_bed(tmp) as bed:  # the registries stop when the block ends, error or not
            run_cycle(bed)
    finally:
        if args.keep:
            print(f"\nKept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
