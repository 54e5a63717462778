"""release-actions maintained: the last N stable minor lines, as a matrix or Mergify rules.

Scenario repositories (tests/testbed/scenario.py) with several release lines:

main         : ... v0.8.0-dev ...
release-0.5.x: v0.5.0, v0.5.1
release-0.6.x: v0.6.0rc1, v0.6.0, v0.6.1
release-0.7.x: v0.7.0
release-0.8.x: v0.8.0rc1            (an RC only: not stable yet)
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from release_actions.adapters.delivery import Identity
from release_actions.core.config import Config
from release_actions.core.errors import InvalidValueError
from release_actions.core.versions import parse_release_tag
from release_actions.interface.cli import main
from release_actions.steps import maintained
from release_actions.steps.maintained import (
    is_maintained,
    line_is_maintained,
    maintained_lines,
    matrix,
    mergify_rules,
    select_maintained,
)
from release_actions.steps.prepare import PrepareRequest, prepare_release
from tests.testbed.origin import Origin
from tests.testbed.scenario import Scenario, git


def release_line(repo: Scenario, line: str, tags: list[str]) -> None:
    """Cut ``release-{line}.x`` from main, one prepare commit + tag per version, back to main."""
    repo.checkout("main").commit(f"work towards {line}", fallback=f"{line}.0.dev0")
    repo.branch(f"release-{line}.x")
    for tag in tags:
        repo.commit(f"chore: prepare release {tag}", fallback=tag[1:]).tag(tag)
    repo.checkout("main")


@pytest.fixture
def four_lines(tmp_path: Path) -> Scenario:
    repo = Scenario(tmp_path / "repo", fallback="0.5.0.dev0")
    repo.commit("init")
    release_line(repo, "0.5", ["v0.5.0", "v0.5.1"])
    release_line(repo, "0.6", ["v0.6.0rc1", "v0.6.0", "v0.6.1"])
    release_line(repo, "0.7", ["v0.7.0"])
    release_line(repo, "0.8", ["v0.8.0rc1"])
    repo.commit("dev", fallback="0.8.0.dev0").tag("v0.8.0-dev")
    return repo


def as_dicts(repo: Path, count: int) -> list[dict[str, str]]:
    return [line.as_dict() for line in maintained_lines(repo, count)]


def test_several_lines_newest_first(four_lines: Scenario) -> None:
    assert as_dicts(four_lines.path, 3) == [
        {"branch": "release-0.7.x", "line": "0.7", "latest": "v0.7.0"},
        {"branch": "release-0.6.x", "line": "0.6", "latest": "v0.6.1"},
        {"branch": "release-0.5.x", "line": "0.5", "latest": "v0.5.1"},
    ]
    assert all(line.branch_exists for line in maintained_lines(four_lines.path, 3))
    # More lines asked for than exist: all of them.
    assert len(maintained_lines(four_lines.path, 10)) == 3


def test_a_line_gone_out_of_maintenance(four_lines: Scenario) -> None:
    """Three stable lines, two maintained: 0.5 is out; 0.8 (RC only) is on its way in."""
    assert [d["line"] for d in as_dicts(four_lines.path, 2)] == ["0.7", "0.6"]
    assert is_maintained(four_lines.path, "0.5.2", 2) is False
    assert is_maintained(four_lines.path, "0.6.2", 2) is True
    assert is_maintained(four_lines.path, "0.7.1", 2) is True
    assert is_maintained(four_lines.path, "0.8.0", 2) is True  # the upcoming line
    assert is_maintained(four_lines.path, "0.9.0rc1", 2) is True
    assert is_maintained(four_lines.path, "0.5.2", 3) is True
    assert is_maintained(four_lines.path, "0.6.2", 1) is False


def test_final_release_makes_a_line_stable(four_lines: Scenario) -> None:
    four_lines.checkout("release-0.8.x").commit("prepare", fallback="0.8.0").tag("v0.8.0")
    four_lines.checkout("main")
    assert [d["line"] for d in as_dicts(four_lines.path, 2)] == ["0.8", "0.7"]
    assert is_maintained(four_lines.path, "0.6.2", 2) is False


def test_pure_selection_ignores_rcs_and_sorts_by_version() -> None:
    tags = [parse_release_tag(t) for t in ("v0.10.0", "v0.9.3", "v0.9.10", "v1.0.0rc1")]
    lines = select_maintained(tags, 2, branches={"release-0.10.x"})
    assert [(line.label, line.latest.name, line.branch_exists) for line in lines] == [
        ("0.10", "v0.10.0", True),
        ("0.9", "v0.9.10", False),
    ]
    assert line_is_maintained((0, 8), tags, 2) is False
    assert line_is_maintained((1, 0), tags, 2) is True


def test_missing_branch_is_reported(four_lines: Scenario) -> None:
    git(four_lines.path, "branch", "-D", "release-0.6.x")
    lines = maintained_lines(four_lines.path, 2)
    assert [(line.branch, line.branch_exists) for line in lines] == [
        ("release-0.7.x", True),
        ("release-0.6.x", False),
    ]


def test_branches_and_tags_on_origin_only(origin: Origin) -> None:
    """A fresh clone: no local release branches, no remote-tracking ones for 0.6."""
    git(origin.work, "update-ref", "-d", "refs/remotes/origin/release-0.6.x")
    git(origin.work, "tag", "-d", "v0.6.1")
    lines = maintained_lines(origin.work, 2)
    assert [(line.as_dict(), line.branch_exists) for line in lines] == [
        ({"branch": "release-0.7.x", "line": "0.7", "latest": "v0.7.1"}, True),
        ({"branch": "release-0.6.x", "line": "0.6", "latest": "v0.6.1"}, True),
    ]


def test_no_release_yet(tmp_path: Path) -> None:
    repo = Scenario(tmp_path / "repo")
    repo.commit("init")
    assert maintained_lines(repo.path, 2) == []
    assert matrix([]) == {"include": []}
    assert yaml.safe_load(mergify_rules([])) == {"pull_request_rules": []}
    assert is_maintained(repo.path, "0.1.0", 2) is True


def test_mergify_rules_parse_back(four_lines: Scenario) -> None:
    rules = yaml.safe_load(mergify_rules(maintained_lines(four_lines.path, 2), base="main"))
    assert rules == {
        "pull_request_rules": [
            {
                "name": "backport to release-0.7.x",
                "conditions": ["base=main", "label=backport-0.7"],
                "actions": {"backport": {"branches": ["release-0.7.x"]}},
            },
            {
                "name": "backport to release-0.6.x",
                "conditions": ["base=main", "label=backport-0.6"],
                "actions": {"backport": {"branches": ["release-0.6.x"]}},
            },
        ]
    }


def test_cli_json_matrix_and_outputs(
    four_lines: Scenario,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    outputs, summary = tmp_path / "outputs", tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_OUTPUT", str(outputs))
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    assert main(["maintained", "--repo", str(four_lines.path), "--count", "3"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert [entry["branch"] for entry in document["include"]] == [
        "release-0.7.x",
        "release-0.6.x",
        "release-0.5.x",
    ]
    written = outputs.read_text()
    assert f"matrix={json.dumps(document, separators=(',', ':'))}\n" in written
    assert "branches=release-0.7.x release-0.6.x release-0.5.x\n" in written
    assert "lines=0.7 0.6 0.5\n" in written
    assert "| 0.5 | `release-0.5.x` | `v0.5.1` |" in summary.read_text()


def test_cli_mergify_with_env_inputs(
    four_lines: Scenario, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("RA_FORMAT", "mergify")
    monkeypatch.setenv("RA_COUNT", "1")
    monkeypatch.delenv("GITHUB_OUTPUT", raising=False)
    assert main(["maintained", "--repo", str(four_lines.path), "--base", "develop"]) == 0
    rules = yaml.safe_load(capsys.readouterr().out)["pull_request_rules"]
    assert rules == [
        {
            "name": "backport to release-0.7.x",
            "conditions": ["base=develop", "label=backport-0.7"],
            "actions": {"backport": {"branches": ["release-0.7.x"]}},
        }
    ]


def test_cli_missing_branch_warns(four_lines: Scenario, capsys: pytest.CaptureFixture[str]) -> None:
    git(four_lines.path, "branch", "-D", "release-0.7.x")
    assert main(["maintained", "--repo", str(four_lines.path)]) == 0
    out, err = capsys.readouterr()
    assert "warning: release-0.7.x does not exist" in err
    assert json.loads(out)["include"][0]["branch"] == "release-0.7.x"


@pytest.mark.parametrize("count", ["0", "-1", "two", ""])
def test_cli_rejects_bad_count(
    four_lines: Scenario, count: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["maintained", "--repo", str(four_lines.path), "--count", count]) == 1
    out, err = capsys.readouterr()
    assert f"error: invalid --count {count!r}" in err and out == ""


def test_bad_count_from_env_and_format(
    four_lines: Scenario, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("RA_COUNT", "0")
    assert main(["maintained", "--repo", str(four_lines.path)]) == 1
    assert "invalid RA_COUNT (--count) '0'" in capsys.readouterr().err
    monkeypatch.setenv("RA_COUNT", "2")
    monkeypatch.setenv("RA_FORMAT", "yaml")
    assert main(["maintained", "--repo", str(four_lines.path)]) == 1
    assert "invalid RA_FORMAT (--format) 'yaml'" in capsys.readouterr().err
    with pytest.raises(InvalidValueError):
        maintained.select_maintained([], 0)


# --------------------------------------------------------------------------- prepare-release


BOT = Identity("release-bot", "bot@example.com")


def dry_prepare(repo: Scenario, version: str) -> list[str]:
    request = PrepareRequest(version=version, dry_run=True, push=False)
    result = prepare_release(repo.path, request, Config(), identity=BOT)
    assert result.write.status == "dry-run"  # behaviour otherwise unchanged
    assert result.release_branch == f"release-{version.rsplit('.', 1)[0]}.x"
    return result.notes


def test_prepare_release_notes_an_unmaintained_line(four_lines: Scenario) -> None:
    notes = dry_prepare(four_lines, "0.5.2")
    warnings = [n for n in notes if "maintained" in n]
    assert len(warnings) == 1
    assert warnings[0].startswith("release-0.5.x is not among the 2 maintained lines (0.7, 0.6)")


@pytest.mark.parametrize("version", ["0.6.2", "0.7.1", "0.8.0"])
def test_prepare_release_no_note_on_maintained_lines(four_lines: Scenario, version: str) -> None:
    assert not [n for n in dry_prepare(four_lines, version) if "maintained" in n]
