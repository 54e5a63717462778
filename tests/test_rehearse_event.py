"""The event a rehearsal sends (release_actions.rehearsal.event): built from the options with
GitHub's types, and refused, naming the value, before anything starts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from release_actions.adapters.workflow_files import workflows_for
from release_actions.core.errors import ReleaseActionsError
from release_actions.rehearsal.event import PlannedEvent, parse_pairs, plan_event, source_refs
from tests.testbed.rehearse_repo import git, make_repo, workflow

DISPATCH = workflow(
    """  workflow_dispatch:
    inputs:
      dry_run: {type: boolean, default: false}
      channel: {type: choice, options: [stable, nightly], default: stable}
      note: {type: string, required: true}
  schedule:
    - cron: "17 4 * * *"
  release:
    types: [published]
  push:""",
    "      - run: true\n",
)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    path = make_repo(
        tmp_path / "repo", {".github/workflows/ci.yml": DISPATCH, "a.txt": "a\n"}, tags=["v1.0.0"]
    )
    git(path, "checkout", "--quiet", "-b", "release-1.1.x")
    (path / "b.txt").write_text("b\n")
    git(path, "add", "b.txt")
    git(path, "commit", "--quiet", "-m", "b")
    git(path, "tag", "v1.1.0")
    git(path, "checkout", "--quiet", "main")
    return path


def plan(repo: Path, event: str, **kwargs: Any) -> PlannedEvent:
    return plan_event(
        repo,
        event,
        lambda commit: workflows_for(repo, event, commit=commit),
        repository="acme/widget",
        default_branch="main",
        **kwargs,
    )


def test_release_on_main(repo: Path) -> None:
    planned = plan(repo, "release", tag="v1.0.0")
    assert planned.ref == planned.checkout == "refs/tags/v1.0.0"
    release = planned.payload["release"]
    assert release["tag_name"] == "v1.0.0"
    assert release["prerelease"] is False
    assert release["target_commitish"] == "main"
    assert planned.payload["action"] == "published"
    assert planned.payload["repository"]["full_name"] == "acme/widget"
    assert planned.release is not None and planned.release["tag_name"] == "v1.0.0"


def test_release_target_is_the_branch_holding_the_tag(repo: Path) -> None:
    planned = plan(repo, "release", tag="v1.1.0", prerelease=True)
    assert planned.payload["release"]["target_commitish"] == "release-1.1.x"
    assert planned.payload["release"]["prerelease"] is True
    assert plan(repo, "release", tag="v1.1.0", target="main").payload["release"][
        "target_commitish"
    ] == ("main")


def test_release_of_a_missing_tag_is_refused(repo: Path) -> None:
    with pytest.raises(ReleaseActionsError, match=r"v9\.9\.9") as err:
        plan(repo, "release", tag="v9.9.9")
    assert "git tag v9.9.9" in err.value.fix


def test_schedule_takes_the_workflows_cron(repo: Path) -> None:
    planned = plan(repo, "schedule")
    assert planned.payload["schedule"] == "17 4 * * *"
    assert planned.ref == "refs/heads/main"


def test_dispatch_inputs_are_typed(repo: Path) -> None:
    planned = plan(repo, "workflow_dispatch", inputs={"dry_run": "true", "note": "hi"})
    assert planned.payload["inputs"] == {"dry_run": "true", "channel": "stable", "note": "hi"}
    assert planned.payload["ref"] == "refs/heads/main"
    on_branch = plan(repo, "workflow_dispatch", inputs={"note": "x"}, ref="release-1.1.x")
    assert on_branch.ref == "refs/heads/release-1.1.x"
    assert on_branch.checkout == "release-1.1.x"


def test_an_event_file_boolean_becomes_githubs_string(repo: Path, tmp_path: Path) -> None:
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"inputs": {"dry_run": True, "note": "n"}}))
    planned = plan(repo, "workflow_dispatch", event_file=str(event))
    assert planned.payload["inputs"]["dry_run"] == "true"


@pytest.mark.parametrize(
    ("inputs", "named"),
    [
        ({"dry_run": "yes", "note": "n"}, "yes"),
        ({"channel": "beta", "note": "n"}, "beta"),
        ({"nope": "1", "note": "n"}, "nope"),
        ({}, "note"),
    ],
)
def test_bad_dispatch_inputs_are_refused(repo: Path, inputs: dict[str, str], named: str) -> None:
    with pytest.raises(ReleaseActionsError, match=named):
        plan(repo, "workflow_dispatch", inputs=inputs)


@pytest.mark.parametrize(
    ("content", "named"),
    [
        ("{not json", "event-file"),
        ("[1, 2]", "event-file"),
        ('{"release": {"tag_name": "v1.0.0", "prerelease": "yes"}}', "prerelease"),
        ('{"release": {"tag_name": 7}}', "tag_name"),
    ],
)
def test_a_malformed_event_file_is_refused(
    repo: Path, tmp_path: Path, content: str, named: str
) -> None:
    event = tmp_path / "event.json"
    event.write_text(content)
    with pytest.raises(ReleaseActionsError, match=named):
        plan(repo, "release", event_file=str(event))


def test_push_refs(repo: Path) -> None:
    assert plan(repo, "push").payload["ref"] == "refs/heads/main"
    tag = plan(repo, "push", ref="refs/tags/v1.1.0")
    assert (tag.ref, tag.checkout) == ("refs/tags/v1.1.0", "refs/tags/v1.1.0")
    with pytest.raises(ReleaseActionsError, match="nowhere"):
        plan(repo, "push", ref="nowhere")


def test_flags_of_another_event_are_refused(repo: Path) -> None:
    with pytest.raises(ReleaseActionsError, match="--tag"):
        plan(repo, "push", tag="v1.0.0")
    with pytest.raises(ReleaseActionsError, match="--input"):
        plan(repo, "release", tag="v1.0.0", inputs={"a": "b"})


def test_remote_only_branches_count_as_branches(repo: Path, tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "--quiet", str(repo), str(clone))
    refs = source_refs(clone)
    assert "refs/heads/release-1.1.x" in refs  # only origin/release-1.1.x in the clone
    assert not any(r.endswith("/HEAD") for r in refs)


def test_pairs() -> None:
    assert parse_pairs(["A=1", "B=x=y", "C="], "--var") == {"A": "1", "B": "x=y", "C": ""}
    with pytest.raises(ReleaseActionsError, match="NAME=VALUE"):
        parse_pairs(["novalue"], "--var")


def test_a_target_that_is_not_a_branch_is_sent_as_its_commit(repo: Path) -> None:
    """``--target HEAD`` named the user's HEAD; the world's HEAD is another commit."""
    head = git(repo, "rev-parse", "HEAD").strip()
    assert (
        plan(repo, "release", tag="v1.0.0", target="HEAD").payload["release"]["target_commitish"]
        == head
    )
    with pytest.raises(ReleaseActionsError, match="--target"):
        plan(repo, "release", tag="v1.0.0", target="--output=x")


def test_a_prerelease_of_another_event_is_refused(repo: Path) -> None:
    with pytest.raises(ReleaseActionsError, match="--prerelease"):
        plan(repo, "push", prerelease=True)


def test_a_secret_pair_is_never_shown(repo: Path) -> None:
    with pytest.raises(ReleaseActionsError) as err:
        parse_pairs(["hunter2"], "--secret", secret=True)
    assert "hunter2" not in str(err.value)


def test_a_branch_given_as_the_tag_says_so(repo: Path) -> None:
    with pytest.raises(ReleaseActionsError) as err:
        plan(repo, "release", tag="release-1.1.x")
    assert "is a branch" in err.value.fix and "git tag release-1.1.x" not in err.value.fix


@pytest.mark.parametrize(
    "text",
    ["on: push\nx: " + "[" * 20_000 + "]" * 20_000,
     "on: push\nx:\n" + "".join("  " * i + "k:\n" for i in range(1, 3000))],
    ids=["flow", "block"],
)  # fmt: skip
def test_a_deeply_nested_workflow_is_an_error_not_a_crash(text: str) -> None:
    from release_actions.adapters.workflow_files import parse_workflow

    with pytest.raises(ReleaseActionsError, match="nested too deeply"):
        parse_workflow(text, ".github/workflows/deep.yml")
