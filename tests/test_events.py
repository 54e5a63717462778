"""Event payloads with GitHub's types (core/events.py) and the workflows that get them
(adapters/workflow_files.py): every value checked before a run starts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from release_actions.adapters.workflow_files import read_workflow, workflows_for
from release_actions.core.errors import InvalidValueError, ReleaseActionsError
from release_actions.core.events import (
    DispatchInput,
    declared_inputs,
    dispatch_inputs,
    normalise_payload,
    push_payload,
    release_payload,
    schedule_payload,
)

ROOT = Path(__file__).resolve().parent.parent

DECLARED = declared_inputs(
    {
        "inputs": {
            "dry_run": {"type": "boolean", "default": True},
            "mode": {"type": "choice", "options": ["push", "pull-request"], "default": "push"},
            "tag": {"type": "string", "required": True},
            "retries": {"type": "number", "default": 3},
            "note": {"description": "free text"},
            "force": {"type": "boolean"},
        }
    },
    "w.yml",
)


def test_declarations_are_read_in_githubs_string_form() -> None:
    assert DECLARED["dry_run"] == DispatchInput("dry_run", "boolean", False, "true")
    assert DECLARED["mode"].options == ("push", "pull-request")
    assert DECLARED["tag"].required and DECLARED["tag"].default is None
    assert DECLARED["retries"].default == "3"
    assert DECLARED["note"].type == "string"
    assert declared_inputs(None, "w.yml") == {}
    assert declared_inputs({"inputs": None}, "w.yml") == {}


@pytest.mark.parametrize(
    ("dispatch", "problem"),
    [
        ({"inputs": {"x": {"type": "bool"}}}, "unknown type 'bool'"),
        ({"inputs": {"x": {"type": "choice"}}}, "choice without options"),
        ({"inputs": {"x": {"type": "choice", "options": "a"}}}, "not a list"),
        ({"inputs": {"x": {"type": "boolean", "default": "yes"}}}, "true or false"),
        ({"inputs": {"x": {"type": "choice", "options": ["a"], "default": "b"}}}, "expected a"),
        ({"inputs": ["x"]}, "not a mapping"),
        ("push", "not a mapping"),
    ],
)
def test_bad_declarations_name_the_input(dispatch: object, problem: str) -> None:
    with pytest.raises(ReleaseActionsError, match=problem):
        declared_inputs(dispatch, "w.yml")


def test_json_boolean_becomes_githubs_string() -> None:
    # act reads a JSON `true` in "inputs" as false: the lost dry run of issue 12.
    got = dispatch_inputs(DECLARED, {"dry_run": True, "tag": "v1.0.0"}, "w.yml")
    assert got == {
        "dry_run": "true",
        "mode": "push",
        "tag": "v1.0.0",
        "retries": "3",
        "force": "false",
    }
    assert dispatch_inputs(DECLARED, {"dry_run": False, "tag": "v"}, "w.yml")["dry_run"] == "false"
    assert dispatch_inputs(DECLARED, {"dry_run": "false", "tag": "v"}, "w.yml")["dry_run"] == (
        "false"
    )
    assert dispatch_inputs(DECLARED, {"retries": 2.5, "tag": "v"}, "w.yml")["retries"] == "2.5"


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"dry_run": "yes", "tag": "v"}, "invalid input dry_run .*'yes'.*true or false"),
        ({"dry_run": 1, "tag": "v"}, "invalid input dry_run"),
        ({"dry_run": "True", "tag": "v"}, "invalid input dry_run"),
        ({"mode": "merge", "tag": "v"}, "expected push | pull-request"),
        ({"retries": "three", "tag": "v"}, "a finite number"),
        ({"retries": "nan", "tag": "v"}, "a finite number"),
        ({"tag": True}, "a string value"),
        ({"tag": None}, "a string value"),
        ({"tag": ["v1"]}, "a string value"),
        ({"tag": "v1\nv2"}, "one line"),
        ({"dryrun": "true", "tag": "v"}, "invalid input of w.yml 'dryrun'.*dry_run, force"),
        ({}, "requires the input 'tag'"),
    ],
)
def test_bad_inputs_are_refused(given: dict[str, Any], message: str) -> None:
    with pytest.raises(ReleaseActionsError, match=message):
        dispatch_inputs(DECLARED, given, "w.yml")


def test_builders_use_githubs_types() -> None:
    release = release_payload(
        "v0.8.0rc1", prerelease=True, target="release-0.8.x", repository="o/r"
    )
    assert release["action"] == "published"
    assert release["release"]["prerelease"] is True
    assert release["release"]["target_commitish"] == "release-0.8.x"
    assert release["repository"] == {
        "full_name": "o/r",
        "name": "r",
        "owner": {"login": "o"},
        "default_branch": "main",
    }
    assert push_payload("master", default_branch="master")["ref"] == "refs/heads/master"
    assert push_payload("refs/tags/v1.0.0")["ref"] == "refs/tags/v1.0.0"
    assert schedule_payload("0 3 * * *")["schedule"] == "0 3 * * *"
    assert "schedule" not in schedule_payload()


def test_event_file_is_normalised() -> None:
    body = normalise_payload(
        "workflow_dispatch", {"inputs": {"dry_run": True, "tag": "v1"}}, DECLARED, "w.yml"
    )
    assert body["inputs"]["dry_run"] == "true"
    release = {"release": {"tag_name": "v1.0.0", "prerelease": False}}
    assert normalise_payload("release", release)["action"] == "published"


@pytest.mark.parametrize(
    ("event", "payload", "message"),
    [
        ("release", {"release": {"tag_name": "v1", "prerelease": "false"}}, "JSON boolean"),
        ("release", {"release": {"prerelease": False}}, "release.tag_name"),
        ("release", {}, "a JSON object with tag_name"),
        ("release", {"release": {"tag_name": 1}}, "JSON string"),
        ("push", {"ref": "main"}, "refs/heads/NAME"),
        ("workflow_dispatch", {"inputs": ["dry_run"]}, "inputs"),
        ("workflow_dispatch", [], "a JSON object"),
        ("pull_request", {}, "release | schedule | workflow_dispatch | push"),
    ],
)
def test_malformed_event_files_are_refused(event: str, payload: object, message: str) -> None:
    with pytest.raises(InvalidValueError, match=message):
        normalise_payload(event, payload, DECLARED, "w.yml")


# --------------------------------------------------------------------------- workflow files


def write(repo: Path, rel: str, text: str) -> None:
    path = repo / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_this_repositorys_workflows_are_read() -> None:
    release = read_workflow(ROOT, ".github/workflows/release.yml")
    assert release.handles("workflow_call")
    found = {w.path for w in workflows_for(ROOT, "workflow_call")}
    assert ".github/workflows/release.yml" in found


def test_on_forms_and_selection(tmp_path: Path) -> None:
    write(tmp_path, ".github/workflows/a.yml", "on: push\njobs: {}\n")
    write(tmp_path, ".github/workflows/b.yaml", "on: [push, release]\njobs: {}\n")
    write(
        tmp_path,
        ".github/workflows/c.yml",
        "'on':\n  workflow_dispatch:\n    inputs:\n      dry_run: {type: boolean}\njobs: {}\n",
    )
    write(tmp_path, ".github/workflows/notes.txt", "not a workflow")
    assert [w.path for w in workflows_for(tmp_path, "push")] == [
        ".github/workflows/a.yml",
        ".github/workflows/b.yaml",
    ]
    (dispatch,) = workflows_for(tmp_path, "workflow_dispatch")
    assert dispatch.inputs()["dry_run"].type == "boolean"
    assert workflows_for(tmp_path, "release", ".github/workflows/b.yaml")[0].handles("release")


@pytest.mark.parametrize(
    ("files", "event", "workflow", "message"),
    [
        ({"a.yml": "on: push\n"}, "release", None, "no workflow under .github/workflows"),
        ({"a.yml": "on: push\n"}, "release", ".github/workflows/a.yml", "runs on push"),
        ({}, "push", ".github/workflows/zz.yml", "does not exist"),
        ({"a.yml": "on: [push\n"}, "push", None, "not valid YAML"),
        ({"a.yml": "jobs: {}\n"}, "push", None, "no 'on:' section"),
        ({"a.yml": "on: 3\n"}, "push", None, "'on:' is neither"),
    ],
)
def test_workflow_errors(
    tmp_path: Path, files: dict[str, str], event: str, workflow: str | None, message: str
) -> None:
    for name, text in files.items():
        write(tmp_path, f".github/workflows/{name}", text)
    with pytest.raises(ReleaseActionsError, match=message):
        workflows_for(tmp_path, event, workflow)
