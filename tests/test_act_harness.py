"""The act harness itself: the working-tree export and the stubs of remote actions."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.testbed.act import ActRunner, export_worktree
from tests.testbed.scenario import Scenario, git

if TYPE_CHECKING:
    from tests.testbed.registries import PypiIndex

SELFTEST = Path(__file__).parent / "fixtures" / "act-stubs-selftest.yml"


def test_export_is_the_working_tree_without_ignored_files(tmp_path: Path) -> None:
    repo = Scenario(tmp_path / "repo")
    (repo.path / ".gitignore").write_text(".venv/\n*.pyc\n")
    (repo.path / "run").write_text("#!/bin/sh\n")
    (repo.path / "run").chmod(0o755)
    (repo.path / "gone.txt").write_text("x\n")
    repo.commit("init")
    (repo.path / "file.txt").write_text("modified, not staged\n")
    (repo.path / "new.yml").write_text("untracked\n")
    (repo.path / ".venv").mkdir()
    (repo.path / ".venv" / "python").write_text("ignored\n")
    (repo.path / "x.pyc").write_text("ignored\n")
    (repo.path / "gone.txt").unlink()

    out = export_worktree(repo.path, tmp_path / "out")

    files = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    assert files == [".gitignore", "file.txt", "new.yml", "pyproject.toml", "run"]
    assert (out / "file.txt").read_text() == "modified, not staged\n"
    assert os.access(out / "run", os.X_OK)


@pytest.mark.e2e
def test_stubs_under_act(
    act_runner: ActRunner, tmp_path: Path, fresh_pypi_index: PypiIndex
) -> None:
    url, packages = fresh_pypi_index.url, fresh_pypi_index.packages_dir
    other = Scenario(tmp_path / "other")
    (other.path / "README").write_text("the other repository\n")
    other.commit("one").tag("v1.0").commit("two")
    act_runner.add_checkout_source("example/other", other.path)
    workdir = Scenario(tmp_path / "workdir").commit("init").tag("base").commit("second").path
    report_file = tmp_path / "report.json"

    result = act_runner.run(
        workdir,
        "workflow_dispatch",
        workflow=SELFTEST,
        env={"STUB_PYPI_URL": url, "STUB_REPORT_FILE": str(report_file)},
    )

    assert result.returncode == 0, result.describe()
    assert result.job_results == {
        "build": "success",
        "publish": "success",
        "refuse": "success",
        "digest": "success",
    }
    report = json.loads(report_file.read_text())
    tag_commit = git(other.path, "rev-list", "-n1", "v1.0")
    assert report["other-commit"] == report["other-head"] == tag_commit
    assert report["other-file"] == "the other repository"
    assert report["other-shallow"] == "true"  # fetch-depth 1, as actions/checkout does
    assert report["self-head"] == git(workdir, "rev-parse", "HEAD")  # act's own copy
    assert report["self-at-base-head"] == git(workdir, "rev-list", "-n1", "base")
    assert report["python"] == ".".join(report["python-output"].split(".")[:2])
    assert report["uv"].startswith(f"uv {report['uv-output']} ")
    assert report["node-output"].startswith("v")
    assert report["npmrc"] == (
        "//127.0.0.1:4873/:_authToken=${NODE_AUTH_TOKEN}\nregistry=http://127.0.0.1:4873/\n"
    )
    # setup-node v7 exports no placeholder NODE_AUTH_TOKEN (v4 set XXXXX-XXXXX-XXXXX-XXXXX),
    # only the step's own NODE_AUTH_TOKEN when it has one.
    assert report["node-auth-token-after-setup-node"] == "<unset>"
    assert report["node-auth-token"] == "token-of-the-step"
    assert report["artifact-id"] == "1"
    artifact = result.artifacts_dir / "dist" / "act_stub_selftest-0.0.1-py3-none-any.whl"
    assert artifact.is_file()
    assert (packages / artifact.name).read_bytes() == artifact.read_bytes()  # published
    assert result.step_result("publish", "again") == "success"  # skip-existing
    assert result.step_result("refuse", "remote") == "failure"
    # download-artifact v8: a digest mismatch fails by default, `warn` only warns.
    assert result.step_result("digest", "mismatch-error") == "failure"
    assert result.step_result("digest", "mismatch-warn") == "success"
    mismatch = "Digest validation failed for artifact 'tampered': expected "
    assert [w for w in result.annotations("warning") if w.startswith(mismatch)]
    refused, digest_error = sorted(result.errors, key=lambda e: e.startswith(mismatch))
    assert refused == (
        "refusing to upload to 'https://upload.pypi.org/legacy/': "
        "tests upload only to a local index (repository-url)"
    )
    assert digest_error.startswith(mismatch)


TYPED = """\
on:
  workflow_dispatch:
    inputs:
      dry_run:
        type: boolean
        default: false
      mode:
        type: choice
        options: [push, pull-request]
        default: push
jobs:
  show:
    runs-on: ubuntu-latest
    steps:
      - id: seen
        env:
          DRY_RUN: ${{ inputs.dry_run }}
          IS_TRUE: ${{ inputs.dry_run == true }}
          EVENT_DRY_RUN: ${{ github.event.inputs.dry_run }}
          MODE: ${{ inputs.mode }}
        run: |
          {
            echo "dry-run=$DRY_RUN"
            echo "is-true=$IS_TRUE"
            echo "event-dry-run=$EVENT_DRY_RUN"
            echo "mode=$MODE"
          } >> "$GITHUB_OUTPUT"
"""


@pytest.mark.e2e
def test_a_json_boolean_input_reaches_the_workflow_as_true(
    act_runner: ActRunner, tmp_path: Path
) -> None:
    """``"dry_run": true`` (a JSON boolean) is written as GitHub's "true": under act a raw
    JSON boolean in the event's inputs reads as false, and a dry run would write."""
    workdir = Scenario(tmp_path / "workdir")
    (workdir.path / ".github" / "workflows").mkdir(parents=True)
    (workdir.path / ".github" / "workflows" / "typed.yml").write_text(TYPED)
    workdir.commit("init")

    result = act_runner.run(workdir.path, "workflow_dispatch", inputs={"dry_run": True})

    assert result.returncode == 0, result.describe()
    assert result.step_outputs("show", "seen") == {
        "dry-run": "true",
        "is-true": "true",
        "event-dry-run": "true",
        "mode": "push",
    }
    with pytest.raises(ValueError, match="invalid input dry_run"):
        act_runner.run(workdir.path, "workflow_dispatch", inputs={"dry_run": "yes"})


REDIRECTED_UPLOADS = """\
on: workflow_dispatch
jobs:
  pypi:
    runs-on: ubuntu-latest
    steps:
      - uses: {checkout}
      - uses: {ref} # v1.13.0
        with:
          password: a-pypi-token
      - id: again
        uses: {ref} # v1.13.0
        with:
          skip-existing: true
  testpypi:
    runs-on: ubuntu-latest
    steps:
      - uses: {checkout}
      - uses: {ref} # v1.13.0
        with:
          repository-url: https://test.pypi.org/legacy/
  elsewhere:
    runs-on: ubuntu-latest
    steps:
      - uses: {checkout}
      - id: remote
        continue-on-error: true
        uses: {ref} # v1.13.0
        with:
          repository-url: https://example.org/legacy/
"""


@pytest.mark.e2e
def test_publish_stub_sends_pypi_and_testpypi_uploads_to_the_world(
    act_runner: ActRunner, tmp_path: Path, fresh_pypi_index: PypiIndex
) -> None:
    """In a rehearsal, ``ACT_STUB_PYPI_UPLOAD_URL``/``ACT_STUB_TESTPYPI_UPLOAD_URL`` take
    the uploads aimed at PyPI and TestPyPI; any other remote index is still refused."""
    from release_actions.rehearsal.act.pins import PINS_BY_ACTION
    from tests.testbed.registries import build_python_client, running_pypi_index

    repo = Scenario(tmp_path / "repo")
    dist = repo.path / "dist"
    dist.mkdir()
    for path in build_python_client(tmp_path / "build", "0.0.7", name="redirect-probe"):
        (dist / path.name).write_bytes(path.read_bytes())
    workflow = repo.path / "uploads.yml"
    ref = PINS_BY_ACTION["pypa/gh-action-pypi-publish"].ref
    checkout = PINS_BY_ACTION["actions/checkout"].ref
    workflow.write_text(REDIRECTED_UPLOADS.format(ref=ref, checkout=checkout))
    repo.commit("dist")
    pypi = fresh_pypi_index
    with running_pypi_index(tmp_path / "testpypi") as testpypi:
        result = act_runner.run(
            repo.path,
            "workflow_dispatch",
            workflow=workflow,
            env={
                "ACT_STUB_PYPI_UPLOAD_URL": pypi.url,
                "ACT_STUB_TESTPYPI_UPLOAD_URL": testpypi.url,
            },
        )
        assert result.returncode == 0, result.describe()
        assert testpypi.packages() == sorted(p.name for p in dist.iterdir())

    assert result.job_results == {"pypi": "success", "testpypi": "success", "elsewhere": "success"}
    assert pypi.packages() == sorted(p.name for p in dist.iterdir())
    assert result.step_result("pypi", "again") == "success"  # skip-existing on the world's index
    assert f"rehearsal: PyPI upload sent to {pypi.url}\n" in result.output("pypi")
    assert f"rehearsal: TestPyPI upload sent to {testpypi.url}\n" in result.output("testpypi")
    assert result.step_result("elsewhere", "remote") == "failure"
    assert result.errors == [
        "refusing to upload to 'https://example.org/legacy/': "
        "tests upload only to a local index (repository-url)"
    ]


@pytest.mark.parametrize(
    ("url", "env", "error"),
    [
        # Neither variable: PyPI refused, as every test without a rehearsal relies on.
        ("https://upload.pypi.org/legacy/", {},
         "refusing to upload to 'https://upload.pypi.org/legacy/'"),
        # Only TestPyPI's stand-in: an upload aimed at PyPI is still refused.
        ("https://upload.pypi.org/legacy/", {"ACT_STUB_TESTPYPI_UPLOAD_URL": "http://127.0.0.1:9/"},
         "refusing to upload to 'https://upload.pypi.org/legacy/'"),
        # A stand-in that is not on this machine.
        ("https://test.pypi.org/legacy/", {"ACT_STUB_TESTPYPI_UPLOAD_URL": "https://evil.example/"},
         "refusing ACT_STUB_TESTPYPI_UPLOAD_URL: 'evil.example' is not a local index"),
        ("https://example.org/legacy/", {"ACT_STUB_PYPI_UPLOAD_URL": "http://127.0.0.1:9/"},
         "refusing to upload to 'https://example.org/legacy/'"),
    ],
)  # fmt: skip
def test_publish_stub_refuses_without_a_local_stand_in(
    tmp_path: Path, url: str, env: dict[str, str], error: str
) -> None:
    """The stand-in's script alone (no act): what it refuses, before any upload."""
    from release_actions.rehearsal.act.pins import PINS_BY_ACTION

    script = PINS_BY_ACTION["pypa/gh-action-pypi-publish"].stub_dir / "publish.py"
    (tmp_path / "dist").mkdir()
    (tmp_path / "dist" / "x-1.0-py3-none-any.whl").write_bytes(b"not uploaded")
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ACT_STUB_")}
    proc = subprocess.run(
        [sys.executable, str(script)],
        cwd=tmp_path,
        env={**clean, **env, "STUB_URL": url, "ACT_STUB_UV": "/nonexistent/uv"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 1
    assert f"::error title=act stub pypa/gh-action-pypi-publish::{error}" in proc.stdout
    assert "rehearsal:" not in proc.stdout


def test_step_seconds_adds_up_the_main_stage_of_matching_steps(tmp_path: Path) -> None:
    """A rehearsal's "commands" timing: act's executionTime (ns) of each finished step whose
    name matches, main stage only (a composite action's post stage is not counted)."""
    from release_actions.rehearsal.act.runner import ActResult

    lines = [
        {"jobID": "a", "msg": "⭐ Run Main scripts/run-action build", "stage": "Main"},
        {"jobID": "a", "msg": "✅  Success - Main scripts/run-action build [1.5s]",
         "stage": "Main", "stepResult": "success", "executionTime": 1_500_000_000},
        {"jobID": "b", "msg": "❌  Failure - Main scripts/run-action publish [0.25s]",
         "stage": "Main", "stepResult": "failure", "executionTime": 250_000_000},
        {"jobID": "b", "msg": "✅  Success - Post scripts/run-action publish",
         "stage": "Post", "stepResult": "success", "executionTime": 9_000_000_000},
        {"jobID": "b", "msg": "✅  Success - Main echo hi", "stage": "Main",
         "stepResult": "success", "executionTime": 7_000_000_000},
    ]  # fmt: skip
    result = ActResult.parse(
        "\n".join(json.dumps(line) for line in lines), args=[], returncode=0, stderr="",
        duration=0.0, run_dir=tmp_path, artifacts_dir=tmp_path,
    )  # fmt: skip
    assert result.step_seconds("scripts/run-action") == 1.75
    assert result.step_seconds("echo hi") == 7.0
    assert result.step_seconds("nothing like this") == 0.0
