"""``release-actions rehearse`` end to end: a repository's own workflows under act, as a user
runs the command (``python -m release_actions rehearse ... --json`` in a subprocess).

Each test checks the report against the world's real state where it is kept
(``--keep``: refs in ``origin.git``, files in ``pypi/packages``), and that nothing is
left behind otherwise: no world folder in the run's ``TMPDIR`` and no process naming
it (servers, act, steps), after success, after a failed job and after SIGINT/SIGTERM.
"""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from release_actions.rehearsal.act.pins import PINS_BY_ACTION
from tests.testbed.rehearse_repo import (
    SINGLE_PACKAGE,
    git,
    make_repo,
    processes_mentioning,
    rehearse,
    rehearse_env,
    workflow,
)

pytestmark = pytest.mark.e2e

KEYS = {
    "ok", "event", "ref", "repository", "workflows", "jobs", "refs", "pull_requests",
    "releases", "uploads", "npm", "summaries", "timings", "world", "prefilled",
}  # fmt: skip
RELEASE_JOBS = {
    "version": "success",
    "build": "success",
    "smoke": "success",
    "publish": "success",
    "post-release": "success",
}
DISTS = ["rehearsal_demo-0.1.0-py3-none-any.whl", "rehearsal_demo-0.1.0.tar.gz"]


@pytest.fixture
def single(tmp_path: Path) -> Path:
    """A single-package project tagged v0.1.0 on main, with its release branch."""
    return make_repo(
        tmp_path / "single", SINGLE_PACKAGE, tags=["v0.1.0"], branches=["release-0.1.x"]
    )


def report_of(proc: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(proc.stdout)  # exactly one JSON document
    assert set(document) == KEYS, proc.stdout
    return document


def assert_nothing_left(tmp: Path) -> None:
    deadline = time.monotonic() + 10
    while processes_mentioning(str(tmp)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert processes_mentioning(str(tmp)) == {}
    assert [p.name for p in tmp.iterdir() if p.name.startswith("rehearsal-")] == []


def test_single_package_release_publishes_and_post_releases(single: Path, tmp_path: Path) -> None:
    tmp = tmp_path / "tmp"
    proc = rehearse(
        ["--repo", str(single), "--event", "release", "--tag", "v0.1.0", "--keep", "--json",
         "--var", "RELEASE_POST_RELEASE=true", "--secret", "EXTRA=do-not-print-me"],
        tmp,
    )  # fmt: skip
    report = report_of(proc)
    assert proc.returncode == 0, proc.stderr
    assert "do-not-print-me" not in proc.stdout + proc.stderr
    world = Path(report["world"])
    try:
        assert report["ok"] is True
        assert report["jobs"] == RELEASE_JOBS
        assert (report["event"], report["ref"]) == ("release", "refs/tags/v0.1.0")
        assert report["repository"] == "local/single"
        assert report["workflows"] == [".github/workflows/release.yml"]
        assert report["uploads"] == {"pypi": DISTS, "testpypi": []}
        assert sorted(p.name for p in (world / "pypi" / "packages").iterdir()) == DISTS
        assert list((world / "testpypi" / "packages").iterdir()) == []
        assert (world / "npm" / "storage").is_dir() and report["npm"] == []
        # post-release: the dev tag and the fallback bump pushed to main (not protected).
        bare = world / "origin.git"
        changes = {r["ref"]: r for r in report["refs"]}
        assert set(changes) == {"refs/heads/main", "refs/tags/v0.1.1-dev"}
        for ref, change in changes.items():
            assert git(bare, "rev-parse", f"{ref}^{{commit}}") == change["after"]
        assert changes["refs/heads/main"]["before"] == git(single, "rev-parse", "main")
        assert changes["refs/heads/main"]["change"] == "moved"
        assert changes["refs/tags/v0.1.1-dev"]["change"] == "created"
        assert "0.1.1" in git(bare, "show", "main:pyproject.toml")
        jobs = [s["job"] for s in report["summaries"]]
        assert "version" in jobs and "post-release" in jobs
        assert set(report["timings"]) == {"setup", "act", "commands", "report", "total"}
        assert report["prefilled"] is None  # no --prefill-from-registries
    finally:
        shutil.rmtree(world, ignore_errors=True)
    assert_nothing_left(tmp)


def test_a_protected_main_gets_a_pull_request(single: Path, tmp_path: Path) -> None:
    tmp = tmp_path / "tmp"
    proc = rehearse(
        ["--repo", str(single), "--event", "release", "--tag", "v0.1.0", "--json",
         "--var", "RELEASE_POST_RELEASE=true", "--protect", "main", "--repository", "acme/demo"],
        tmp,
    )  # fmt: skip
    report = report_of(proc)
    assert proc.returncode == 0, proc.stderr
    assert report["ok"] is True and report["world"] is None
    assert report["repository"] == "acme/demo"
    [pull] = report["pull_requests"]
    assert (pull["base"], pull["state"], pull["change"]) == ("main", "open", "opened")
    changes = {r["ref"]: r["change"] for r in report["refs"]}
    assert changes == {f"refs/heads/{pull['head']}": "created", "refs/tags/v0.1.1-dev": "created"}
    assert_nothing_left(tmp)


FAILING = workflow(
    "  push:",
    "      - run: echo fine\n",
    job="good",
    extra_jobs="  bad:\n    runs-on: ubuntu-latest\n    steps:\n"
    '      - run: echo "### went wrong" >> "$GITHUB_STEP_SUMMARY"; exit 3\n',
)


def test_a_failing_job_exits_1(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", {".github/workflows/ci.yml": FAILING})
    tmp = tmp_path / "tmp"
    proc = rehearse(["--repo", str(repo), "--event", "push", "--json"], tmp)
    report = report_of(proc)
    assert proc.returncode == 1
    assert report["ok"] is False
    assert report["jobs"] == {"good": "success", "bad": "failure"}
    assert report["summaries"] == [{"job": "bad", "markdown": "### went wrong\n"}]
    assert "Job 'bad' failed" in proc.stderr or "bad" in proc.stderr
    assert_nothing_left(tmp)


DRY_RUN = workflow(
    "  workflow_dispatch:\n    inputs:\n      dry_run: {type: boolean, default: false}",
    f"      - uses: {PINS_BY_ACTION['actions/checkout'].ref}\n"
    "      - if: ${{ !inputs.dry_run }}\n"
    "        run: git push origin HEAD:refs/heads/written\n"
    "      - env:\n          DRY: ${{ inputs.dry_run }}\n"
    '        run: echo "dry_run=$DRY" >> "$GITHUB_STEP_SUMMARY"\n',
)


def test_a_json_boolean_dry_run_writes_nothing(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", {".github/workflows/dispatch.yml": DRY_RUN})
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"inputs": {"dry_run": True}}))
    args = ["--repo", str(repo), "--event", "workflow_dispatch", "--json"]
    dry = report_of(rehearse([*args, "--event-file", str(event)], tmp_path / "t1"))
    assert dry["ok"] is True
    assert dry["refs"] == []
    assert dry["summaries"] == [{"job": "main", "markdown": "dry_run=true\n"}]
    wet = report_of(rehearse([*args, "--input", "dry_run=false"], tmp_path / "t2"))
    assert wet["ok"] is True
    assert [(r["ref"], r["change"]) for r in wet["refs"]] == [("refs/heads/written", "created")]


SLEEPING = workflow("  push:", "      - run: sleep 300\n")


# SIGINT: a fresh-clone CI run on 2026-12-03 saw the rehearsal still running 60 s after
# the signal (once in four runs; SIGTERM never). Known, not yet understood: not strict
# until it is found (see the closing note of issue 13).
SIGINT_HANG = pytest.mark.xfail(strict=False, reason="rare: no exit within 60 s of SIGINT")


@pytest.mark.parametrize(
    "signum",
    [pytest.param(signal.SIGINT, marks=SIGINT_HANG), signal.SIGTERM],
    ids=["SIGINT", "SIGTERM"],
)
def test_an_interrupted_rehearsal_leaves_nothing(tmp_path: Path, signum: int) -> None:
    repo = make_repo(tmp_path / "repo", {".github/workflows/ci.yml": SLEEPING})
    tmp = tmp_path / "tmp"
    proc = subprocess.Popen(
        [sys.executable, "-m", "release_actions", "rehearse", "--repo", str(repo),
         "--event", "push", "--json"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=rehearse_env(tmp),
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while not any(
            cmdline.startswith(b"sleep\x00300")
            for cmdline in processes_mentioning(str(tmp)).values()
        ):
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the step never started"
            time.sleep(0.2)
        servers = processes_mentioning(str(tmp))
        assert len(servers) >= 4  # pypi, testpypi, verdaccio, act, the step
        proc.send_signal(signum)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, err
    assert json.loads(out)["title"] == "Interrupted"  # --json: still one JSON document
    assert "Traceback" not in err
    assert_nothing_left(tmp)
