"""Release governance: the milestone gate and the draft release of prepare-release, and
``release-actions release-notes``, against the monorepo's bare origin and a local GitHub
API over the same bare repository (tests/testbed/github_api)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from release_actions.adapters.github_client import connect
from release_actions.adapters.github_repo import Repo
from release_actions.core.errors import ReleaseActionsError
from release_actions.core.versions import Version, parse_release_tag
from release_actions.interface.cli import main
from release_actions.steps.governance import (
    MILESTONE_NOT_FOUND,
    Issue,
    MilestoneReport,
    check_gate_mode,
    check_milestone,
    milestone_titles,
    previous_release_tag,
)
from tests.testbed.github_api.server import GitHubAPIServer
from tests.testbed.origin import Origin
from tests.testbed.registries import PypiIndex
from tests.testbed.scenario import git

REPOSITORY = "llama-stack/llama-stack"
WEB = f"https://github.com/{REPOSITORY}"


# --------------------------------------------------------------------------- pure parts


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        ("0.7.2", "v0.7.1"),  # the line's latest
        ("0.8.0", "v0.7.1"),  # a new line: the previous line's latest
        ("0.8.0rc1", "v0.7.1"),
        ("0.8.0rc2", "v0.8.0rc1"),  # an RC starts after the earlier RC
        ("0.8.1", "v0.8.0"),
        ("0.6.2", "v0.6.1"),  # an older line's patch: its own line, not the newest release
        ("0.6.0", "v0.5.9"),  # a final skips its own RCs
        ("0.5.0", None),
        ("1.0.0", "v0.8.0"),
    ],
)
def test_previous_release_tag(version: str, expected: str | None) -> None:
    names = ["v0.5.9", "v0.6.0rc1", "v0.6.0", "v0.6.1", "v0.7.0", "v0.7.1", "v0.8.0rc1"]
    names += ["v0.8.0"] if version in ("0.8.1", "1.0.0") else []
    if version == "0.6.0":
        names = ["v0.5.9", "v0.6.0rc1", "v0.6.0rc2"]
    tags = [parse_release_tag(n) for n in names]
    if version == "0.5.0":
        tags = []
    assert previous_release_tag(Version(version), tags) == expected


def test_milestone_titles() -> None:
    assert milestone_titles(Version("0.8.0")) == ("v0.8.0", "0.8.0")
    assert milestone_titles(Version("0.8.0rc2")) == ("v0.8.0", "0.8.0")  # the final's milestone
    assert milestone_titles(Version("1.2.3"), tag_prefix="") == ("1.2.3",)


class FakeMilestones:
    """A MilestoneSource with fixed milestones; records the titles asked for."""

    def __init__(self, milestones: dict[str, list[tuple[int, str, str]]]) -> None:
        self.milestones = milestones
        self.asked: list[str] = []

    def milestone_open_issues(self, title: str) -> list[tuple[int, str, str]]:
        self.asked.append(title)
        if title not in self.milestones:
            known = ", ".join(repr(t) for t in self.milestones) or "none"
            raise ReleaseActionsError(
                f"milestone {title!r} does not exist in {REPOSITORY} (milestones: {known}).",
                fix="create it",
                title=MILESTONE_NOT_FOUND,
            )
        return self.milestones[title]


def test_check_milestone_tries_both_titles() -> None:
    source = FakeMilestones({"0.8.0": [(7, "Blocker", f"{WEB}/issues/7")]})
    report = check_milestone(source, Version("0.8.0rc1"), "warn")
    assert source.asked == ["v0.8.0", "0.8.0"]
    assert (report.title, report.open_issues) == ("0.8.0", [Issue(7, "Blocker", f"{WEB}/issues/7")])
    assert (report.passed, report.blocking) == (False, False)
    assert report.notes() == ["milestone '0.8.0': 1 open issue", f"open: #7 Blocker {WEB}/issues/7"]


def test_gate_off_asks_nothing() -> None:
    source = FakeMilestones({})
    assert check_milestone(source, Version("0.8.0"), "off").notes() == []
    assert source.asked == []


def test_missing_milestone_names_both_titles() -> None:
    source = FakeMilestones({"v0.7.0": []})
    report = check_milestone(source, Version("0.8.0"), "fail")
    assert not report.found and report.blocking
    with pytest.raises(ReleaseActionsError) as info:
        report.enforce()
    assert info.value.message == (
        "milestone-gate fail: there is no milestone 'v0.8.0' or '0.8.0' "
        "(the repository's milestones: 'v0.7.0'); nothing was changed."
    )
    assert info.value.title == "Milestone not found"


def test_other_github_errors_are_not_swallowed() -> None:
    class Broken:
        def milestone_open_issues(self, title: str) -> list[tuple[int, str, str]]:
            raise ReleaseActionsError("GitHub refused", title="GitHub permission denied")

    with pytest.raises(ReleaseActionsError, match="GitHub refused"):
        check_milestone(Broken(), Version("0.8.0"), "warn")


def test_gate_mode_is_validated() -> None:
    with pytest.raises(ReleaseActionsError, match="invalid milestone-gate 'strict'"):
        check_gate_mode("strict")


def test_open_issues_block_with_their_list() -> None:
    report = MilestoneReport(
        "fail", ("v0.7.2", "0.7.2"), "v0.7.2", [Issue(3, "Crash on start", f"{WEB}/issues/3")]
    )
    with pytest.raises(ReleaseActionsError) as info:
        report.enforce()
    assert info.value.message == (
        f"milestone 'v0.7.2' has 1 open issue: #3 Crash on start ({WEB}/issues/3). "
        "Nothing was changed."
    )
    assert "- [ ] [#3](https://github.com/llama-stack/llama-stack/issues/3) Crash on start" in (
        report.markdown()
    )


# --------------------------------------------------------------------------- the bed


@pytest.fixture(scope="module")
def index(client_index: Callable[..., PypiIndex]) -> PypiIndex:
    return client_index("0.7.2", "0.8.0rc1")


@pytest.fixture
def bed(
    origin: Origin,
    index: PypiIndex,
    github_api_factory: Callable[..., GitHubAPIServer],
    clean_env: None,
    uv_on_index: Callable[[PypiIndex], None],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> Bed:
    uv_on_index(index)
    server = github_api_factory(origin.bare, full_name=REPOSITORY)
    outputs, summary = tmp_path / "outputs", tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_TOKEN", "dummy-token")
    monkeypatch.setenv("GITHUB_API_URL", server.url)
    monkeypatch.setenv("GITHUB_REPOSITORY", REPOSITORY)
    monkeypatch.setenv("GITHUB_OUTPUT", str(outputs))
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    monkeypatch.setenv("RELEASE_ACTIONS_MAX_RETRY_WAIT", "0")
    monkeypatch.setenv("GITHUB_ACTIONS", "true")  # annotations, outputs and summary
    return Bed(origin, index, server, outputs, summary)


class Bed:
    def __init__(
        self,
        origin: Origin,
        index: PypiIndex,
        server: GitHubAPIServer,
        outputs: Path,
        summary: Path,
    ) -> None:
        self.origin, self.index, self.server = origin, index, server
        self.outputs_file, self.summary_file = outputs, summary
        self.api: Repo = Repo.open(connect("dummy-token", server.url, retries=0), REPOSITORY)
        self.stderr = ""
        server.reset_counts()

    def milestone(self, title: str, *issues: tuple[str, str]) -> list[int]:
        """A milestone with issues given as (title, state); returns their numbers."""
        ms = self.api.raw.create_milestone(title)
        numbers = []
        for name, state in issues:
            issue = self.api.raw.create_issue(name, milestone=ms)
            self.server.state.issues[issue.number].state = state
            numbers.append(issue.number)
        self.server.reset_counts()
        return numbers

    def prepare(self, version: str, *args: str) -> int:
        self.outputs_file.write_text("")
        self.summary_file.write_text("")
        argv = ["prepare-release", "--repo", str(self.origin.work), "--version", version]
        return main([*argv, "--index-url", self.index.simple_url, *args])

    def outputs(self) -> dict[str, str]:
        lines = self.outputs_file.read_text().splitlines()
        return dict(line.split("=", 1) for line in lines if "=" in line and "<<" not in line)

    def refs(self) -> tuple[str, str]:
        return self.origin.bare_git("for-each-ref"), self.origin.git("for-each-ref")


# --------------------------------------------------------------------------- milestone gate


def test_gate_fail_with_open_issues_refuses_and_lists_them(
    bed: Bed, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker, _done, other = bed.milestone(
        "v0.7.2", ("Crash on start", "open"), ("Fixed already", "closed"), ("Docs", "open")
    )
    refs = bed.refs()
    assert bed.prepare("0.7.2", "--milestone-gate", "fail") == 1
    out = capsys.readouterr().err
    assert "::error title=Milestone has open issues::milestone 'v0.7.2' has 2 open issues: " in out
    assert f"#{other} Docs ({WEB}/issues/{other})" in out
    assert f"#{blocker} Crash on start ({WEB}/issues/{blocker})" in out
    assert "Fixed already" not in out
    summary = bed.summary_file.read_text()
    assert f"- [ ] [#{blocker}]({WEB}/issues/{blocker}) Crash on start" in summary
    assert bed.refs() == refs  # nothing pushed, nothing committed locally
    assert bed.origin.git("worktree", "list").count("\n") == 0
    # One listing of the milestones, one of the milestone's open issues; nothing else.
    assert bed.server.requests == [
        ("GET", f"/repos/{REPOSITORY}", 200),
        ("GET", f"/repos/{REPOSITORY}/milestones", 200),
        ("GET", f"/repos/{REPOSITORY}/issues", 200),
    ]


def test_gate_warn_reports_and_proceeds(bed: Bed, capsys: pytest.CaptureFixture[str]) -> None:
    (number,) = bed.milestone("v0.7.2", ("Crash on start", "open"))
    before = bed.origin.ref("release-0.7.x")
    assert bed.prepare("0.7.2", "--milestone-gate", "warn") == 0
    out = capsys.readouterr().err
    assert (
        "::warning title=milestone gate::milestone 'v0.7.2': 1 open issue%0A"
        f"open: #{number} Crash on start {WEB}/issues/{number}"
    ) in out
    assert bed.origin.ref("release-0.7.x") != before
    assert bed.origin.log("release-0.7.x", max_count=1)[0].subject == (
        "chore: prepare release v0.7.2"
    )
    outputs = bed.outputs()
    assert (outputs["milestone"], outputs["milestone-open-issues"]) == ("v0.7.2", "1")
    assert outputs["status"] == "pushed"
    assert bed.server.count("GET", "/milestones$") == 1
    assert bed.server.count("POST") == 0


def test_gate_fail_passes_when_only_closed_issues_remain(bed: Bed) -> None:
    bed.milestone("v0.7.2", ("Done", "closed"), ("Also done", "closed"))
    assert bed.prepare("0.7.2", "--milestone-gate", "fail") == 0
    assert bed.outputs()["milestone-open-issues"] == "0"
    assert bed.outputs()["status"] == "pushed"


def test_gate_finds_the_title_without_v(bed: Bed) -> None:
    bed.milestone("0.7.2", ("Done", "closed"))
    assert bed.prepare("0.7.2", "--milestone-gate", "fail") == 0
    assert bed.outputs()["milestone"] == "0.7.2"
    assert bed.server.count("GET", "/milestones$") == 2  # v0.7.2 first, then 0.7.2


def test_gate_fail_without_milestone_names_both_titles(
    bed: Bed, capsys: pytest.CaptureFixture[str]
) -> None:
    bed.milestone("v0.7.1")
    refs = bed.refs()
    assert bed.prepare("0.7.2", "--milestone-gate", "fail") == 1
    out = capsys.readouterr().err
    assert "there is no milestone 'v0.7.2' or '0.7.2'" in out
    assert "the repository's milestones: 'v0.7.1'" in out
    assert "create the milestone 'v0.7.2'" in out
    assert bed.refs() == refs
    assert bed.server.count("GET", "/issues$") == 0


def test_gate_warn_without_milestone_proceeds(bed: Bed, capsys: pytest.CaptureFixture[str]) -> None:
    assert bed.prepare("0.7.2", "--milestone-gate", "warn") == 0
    assert "::warning title=milestone gate::no milestone 'v0.7.2' or '0.7.2'" in (
        capsys.readouterr().err
    )
    assert bed.outputs()["milestone"] == ""


def test_gate_comes_from_the_config_and_env(
    bed: Bed, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    bed.milestone("v0.7.2", ("Open", "open"))
    refs = bed.refs()
    monkeypatch.setenv("RA_MILESTONE_GATE", "fail")  # the action's milestone-gate input
    assert bed.prepare("0.7.2") == 1
    assert bed.refs() == refs
    monkeypatch.setenv("RA_MILESTONE_GATE", "sometimes")
    assert bed.prepare("0.7.2") == 1
    assert "invalid RA_MILESTONE_GATE (--milestone-gate) 'sometimes'" in capsys.readouterr().err


def test_gate_off_makes_no_api_call(bed: Bed) -> None:
    assert bed.prepare("0.7.2") == 0
    assert bed.server.count() == 0
    assert "milestone" not in bed.outputs()


def test_the_gate_runs_after_validation(bed: Bed, capsys: pytest.CaptureFixture[str]) -> None:
    assert bed.prepare("0.7.1", "--milestone-gate", "fail") == 1
    assert "tag v0.7.1 already exists" in capsys.readouterr().err
    assert bed.server.count("GET", "/milestones") == 0


# --------------------------------------------------------------------------- draft release


def test_draft_release_with_generated_notes_then_reused(bed: Bed) -> None:
    tags = bed.origin.tags()
    assert bed.prepare("0.7.2", "--draft-release") == 0
    (release,) = bed.server.state.releases.values()
    assert (release.tag_name, release.name, release.draft, release.prerelease) == (
        "v0.7.2", "v0.7.2", True, False,
    )  # fmt: skip
    assert release.target_commitish == "release-0.7.x"
    assert release.body is not None
    assert "* chore: prepare release v0.7.2" in release.body  # the commit just pushed
    assert f"**Full Changelog**: {WEB}/compare/v0.7.1...v0.7.2" in release.body
    outputs = bed.outputs()
    assert outputs["release-url"] == f"{WEB}/releases/tag/{release.untagged_id}"  # as GitHub's
    assert bed.origin.tags() == tags  # a draft creates no tag
    assert bed.server.count("POST", "/releases/generate-notes$") == 1
    assert bed.server.count("POST", "/releases$") == 1
    notes_request = next(r for r in bed.server.log if r.path.endswith("/generate-notes"))
    assert notes_request.body == {
        "tag_name": "v0.7.2",
        "target_commitish": "release-0.7.x",
        "previous_tag_name": "v0.7.1",
    }

    # A re-run: the branch is prepared already and the draft is reused, not duplicated.
    bed.server.reset_counts()
    assert bed.prepare("0.7.2", "--draft-release") == 0
    assert bed.outputs()["status"] == "unchanged"
    assert bed.outputs()["release-url"] == outputs["release-url"]
    assert len(bed.server.state.releases) == 1
    assert bed.server.count("POST") == 0
    assert bed.server.count() == 3  # the repository, the tag lookup, the release listing


def test_draft_release_of_an_rc_is_a_prerelease_on_the_new_branch(bed: Bed) -> None:
    assert bed.prepare("0.8.0rc1", "--draft-release") == 0
    (release,) = bed.server.state.releases.values()
    assert (release.tag_name, release.prerelease, release.draft) == ("v0.8.0rc1", True, True)
    assert release.target_commitish == "release-0.8.x"
    assert release.body is not None and "compare/v0.7.1...v0.8.0rc1" in release.body


def test_draft_release_is_not_made_in_a_dry_run(bed: Bed) -> None:
    refs = bed.refs()
    assert bed.prepare("0.7.2", "--draft-release", "--dry-run") == 0
    assert bed.server.count() == 0
    assert bed.refs() == refs
    assert "dry run: would create the draft release v0.7.2" in bed.summary_file.read_text()


def test_gate_and_draft_share_one_connection(bed: Bed) -> None:
    bed.milestone("v0.7.2", ("Done", "closed"))
    assert bed.prepare("0.7.2", "--milestone-gate", "fail", "--draft-release") == 0
    assert bed.server.count("GET", f"/repos/{REPOSITORY}$") == 1
    assert bed.server.count("POST", "/releases$") == 1


# --------------------------------------------------------------------------- release-notes


def run_notes(bed: Bed, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    """The exit code and stdout; stderr (diagnostics) is kept in ``bed.stderr``."""
    bed.outputs_file.write_text("")
    code = main(["release-notes", "--repo", str(bed.origin.work), *args])
    out, bed.stderr = capsys.readouterr()
    return code, out


def test_release_notes_since_the_previous_release(
    bed: Bed, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = run_notes(bed, capsys, "--tag", "v0.7.2")
    assert code == 0
    # Nothing on release-0.7.x since v0.7.1 yet: GitHub's notes are the compare link alone.
    assert out == f"**Full Changelog**: {WEB}/compare/v0.7.1...v0.7.2\n"
    assert bed.server.count("POST", "/releases/generate-notes$") == 1
    assert bed.server.count("POST", "/releases$") == 0  # nothing is created
    assert bed.server.state.releases == {}
    assert "Release notes for v0.7.2 (since v0.7.1)" in bed.summary_file.read_text()


def test_release_notes_options_and_json(bed: Bed, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run_notes(
        bed, capsys, "--tag", "v0.8.0", "--previous-tag", "v0.6.1", "--target", "main", "--json"
    )
    assert code == 0
    data: dict[str, Any] = json.loads(out)
    assert (data["tag"], data["previous_tag"], data["target"]) == ("v0.8.0", "v0.6.1", "main")
    assert data["notes"].startswith("## What's Changed\n* ")
    assert data["notes"].endswith(f"{WEB}/compare/v0.6.1...v0.8.0")


def test_release_notes_follow_the_configured_release_branch_form(
    bed: Bed, capsys: pytest.CaptureFixture[str]
) -> None:
    # The repository's branches say release-X.Y.x; its configuration says X.Y.x, and wins.
    pyproject = bed.origin.work / "pyproject.toml"
    text = pyproject.read_text()
    if "[tool.release-actions]" in text:
        text = text.replace(
            "[tool.release-actions]\n",
            '[tool.release-actions]\nrelease-branch = "{major}.{minor}.x"\n',
        )
    else:
        text += '\n[tool.release-actions]\nrelease-branch = "{major}.{minor}.x"\n'
    pyproject.write_text(text)
    git(bed.origin.work, "push", "--quiet", "origin", "origin/release-0.7.x:refs/heads/0.7.x")
    code, out = run_notes(bed, capsys, "--tag", "v0.7.2", "--previous-tag", "v0.7.1", "--json")
    assert code == 0, bed.stderr
    assert json.loads(out)["target"] == "0.7.x"


def test_release_notes_unknown_previous_tag(bed: Bed, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run_notes(bed, capsys, "--tag", "v0.7.2", "--previous-tag", "v0.0.1")
    assert code == 1 and out == ""
    assert "::error title=GitHub resource not found::" in bed.stderr
