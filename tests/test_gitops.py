"""write_change: push, pull request, auto; re-runs, races, protected branches, dry runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from release_actions.adapters.delivery import (
    Identity,
    ProtectedBranchError,
    write_change,
    write_edit,
)
from release_actions.core.errors import ReleaseActionsError
from tests.testbed.scenario import Scenario, git

BOT = Identity("release-bot", "bot@example.com", signoff=True)

HOOK = """#!/bin/sh
while read old new ref; do
  case "$ref" in
    refs/heads/main)
      if [ "$old" != "0000000000000000000000000000000000000000" ]; then
        echo "error: GH006: Protected branch update failed for $ref." >&2
        exit 1
      fi;;
  esac
done
"""


class FakePulls:
    def __init__(self) -> None:
        self.calls: list[tuple[str, str, str]] = []

    def ensure_pull(self, *, head: str, base: str, title: str, body: str) -> tuple[str, bool]:
        created = (head, base) not in {(h, b) for h, b, _ in self.calls}
        self.calls.append((head, base, title))
        return f"https://github.example/pull/{len(self.calls)}", created


@pytest.fixture
def setup(tmp_path: Path) -> tuple[Path, Path]:
    repo = Scenario(tmp_path / "work", fallback="0.7.2.dev0").commit()
    repo.branch("release-0.7.x").commit().checkout("main")
    bare = repo.add_bare_origin(tmp_path / "origin.git")
    return repo.path, bare


def set_fallback(value: str):  # type: ignore[no-untyped-def]
    def edit(wt: Path, new: bool) -> list[str]:
        path = wt / "pyproject.toml"
        path.write_text(path.read_text().replace("0.7.2.dev0", value))
        return ["pyproject.toml"]

    return edit


def show(bare: Path, ref: str, path: str = "pyproject.toml") -> str:
    return git(bare, "show", f"{ref}:{path}")


def test_push_then_rerun_is_a_noop(setup: tuple[Path, Path]) -> None:
    work, bare = setup
    first = write_change(
        work,
        branch="release-0.7.x",
        edit=set_fallback("0.7.0"),
        message="chore: prepare release v0.7.0",
        identity=BOT,
    )
    assert first.status == "pushed" and first.changed_files == ["pyproject.toml"]
    assert 'fallback_version = "0.7.0"' in show(bare, "release-0.7.x")
    assert git(bare, "rev-parse", "release-0.7.x") == first.commit_sha
    body = git(bare, "log", "-1", "--format=%an <%ae>%n%B", "release-0.7.x")
    assert "release-bot <bot@example.com>" in body
    assert "Signed-off-by: release-bot <bot@example.com>" in body
    again = write_change(
        work,
        branch="release-0.7.x",
        edit=set_fallback("0.7.0"),
        message="chore: prepare release v0.7.0",
        identity=BOT,
    )
    assert again.status == "unchanged" and again.commit_sha == first.commit_sha
    assert git(bare, "rev-list", "--count", "release-0.7.x") == "3"


def test_dry_run_changes_nothing(setup: tuple[Path, Path]) -> None:
    work, bare = setup
    refs = git(bare, "for-each-ref"), git(work, "for-each-ref")
    result = write_change(
        work,
        branch="release-0.7.x",
        edit=set_fallback("0.7.0"),
        message="m",
        identity=BOT,
        dry_run=True,
    )
    assert result.status == "dry-run"
    assert '-fallback_version = "0.7.2.dev0"' in result.diff
    assert '+fallback_version = "0.7.0"' in result.diff
    assert (git(bare, "for-each-ref"), git(work, "for-each-ref")) == refs
    assert git(work, "worktree", "list").count("\n") == 0
    assert git(work, "status", "--porcelain") == ""


def test_no_push_commits_locally(setup: tuple[Path, Path]) -> None:
    work, bare = setup
    before = git(bare, "rev-parse", "release-0.7.x")
    result = write_change(
        work,
        branch="release-0.7.x",
        edit=set_fallback("0.7.0"),
        message="m",
        identity=BOT,
        push=False,
    )
    assert result.status == "committed"
    assert git(work, "rev-parse", "release-0.7.x") == result.commit_sha
    assert git(bare, "rev-parse", "release-0.7.x") == before
    again = write_change(
        work,
        branch="release-0.7.x",
        edit=set_fallback("0.7.0"),
        message="m",
        identity=BOT,
        push=False,
    )
    assert again.status == "unchanged"


def test_no_remote_at_all_on_checked_out_branch(tmp_path: Path) -> None:
    repo = Scenario(tmp_path / "solo", fallback="0.7.2.dev0").commit()
    result = write_change(
        repo.path, branch="main", edit=set_fallback("0.8.0"), message="m", identity=BOT
    )
    assert result.status == "committed"
    assert 'fallback_version = "0.8.0"' in (repo.path / "pyproject.toml").read_text()
    assert git(repo.path, "status", "--porcelain") == ""


def test_lost_race_is_retried_on_the_new_head(setup: tuple[Path, Path], tmp_path: Path) -> None:
    work, bare = setup
    other = tmp_path / "other"
    git(tmp_path, "clone", "-q", "-b", "release-0.7.x", str(bare), str(other))
    calls = []

    def racing_edit(wt: Path, new: bool) -> list[str]:
        calls.append(wt)
        if len(calls) == 1:  # someone else pushes while we work
            (other / "NEWS").write_text("concurrent\n")
            git(other, "add", "NEWS")
            git(other, "commit", "-qm", "concurrent change")
            git(other, "push", "-q", "origin", "release-0.7.x")
        return set_fallback("0.7.0")(wt, new)

    result = write_change(work, branch="release-0.7.x", edit=racing_edit, message="m", identity=BOT)
    assert result.status == "pushed" and result.attempts == 2
    assert any("lost a race" in n for n in result.notes)
    assert show(bare, "release-0.7.x", "NEWS") == "concurrent"
    assert 'fallback_version = "0.7.0"' in show(bare, "release-0.7.x")


def test_write_edit_returns_the_value_of_the_run_that_was_written(
    setup: tuple[Path, Path], tmp_path: Path
) -> None:
    work, bare = setup
    other = tmp_path / "other"
    git(tmp_path, "clone", "-q", "-b", "release-0.7.x", str(bare), str(other))
    heads: list[str] = []

    def racing_edit(wt: Path, new: bool) -> tuple[list[str], str]:
        heads.append(git(wt, "rev-parse", "HEAD"))
        if len(heads) == 1:  # someone else pushes while we work
            git(other, "commit", "-q", "--allow-empty", "-m", "concurrent change")
            git(other, "push", "-q", "origin", "release-0.7.x")
        return set_fallback("0.7.0")(wt, new), heads[-1]

    result, value = write_edit(
        work, branch="release-0.7.x", edit=racing_edit, message="m", identity=BOT
    )
    assert result.status == "pushed" and result.attempts == 2
    assert value == heads[1] == result.base_sha != heads[0]


def test_race_gives_up_after_the_bound(setup: tuple[Path, Path], tmp_path: Path) -> None:
    work, bare = setup
    other = tmp_path / "other"
    git(tmp_path, "clone", "-q", "-b", "release-0.7.x", str(bare), str(other))

    def always_racing(wt: Path, new: bool) -> list[str]:
        git(other, "commit", "-q", "--allow-empty", "-m", "someone else, again")
        git(other, "push", "-q", "origin", "release-0.7.x")
        return set_fallback("0.7.0")(wt, new)

    with pytest.raises(ReleaseActionsError, match="lost the race 3 times"):
        write_change(work, branch="release-0.7.x", edit=always_racing, message="m", identity=BOT)


def test_protected_branch_push_mode_fails_with_fix(setup: tuple[Path, Path]) -> None:
    work, bare = setup
    hook = bare / "hooks" / "pre-receive"
    hook.write_text(HOOK)
    hook.chmod(0o755)
    with pytest.raises(ProtectedBranchError) as info:
        write_change(
            work, branch="main", edit=set_fallback("0.8.0.dev0"), message="m", identity=BOT
        )
    assert "GH006" in info.value.message and "auto" in info.value.fix


def test_auto_falls_back_to_pull_request_and_reruns_reuse_it(setup: tuple[Path, Path]) -> None:
    work, bare = setup
    hook = bare / "hooks" / "pre-receive"
    hook.write_text(HOOK)
    hook.chmod(0o755)
    pulls = FakePulls()
    main_before = git(bare, "rev-parse", "main")
    kwargs = dict(
        branch="main",
        edit=set_fallback("0.7.3.dev0"),
        message="chore: bump",
        identity=BOT,
        mode="auto",
        pr_branch="automation/release-actions/post-release-v0.7.2",
        pulls=pulls,
    )
    first = write_change(work, **kwargs)  # type: ignore[arg-type]
    assert first.status == "pull-request" and first.pull_request_created
    assert git(bare, "rev-parse", "main") == main_before
    assert '"0.7.3.dev0"' in show(bare, "automation/release-actions/post-release-v0.7.2")
    # Re-run while the PR is open: the PR keeps its commit (no CI re-run), nothing changes.
    second = write_change(work, **kwargs)  # type: ignore[arg-type]
    assert second.status == "unchanged" and not second.pull_request_created
    assert second.commit_sha == first.commit_sha
    assert git(bare, "rev-parse", "automation/release-actions/post-release-v0.7.2") == (
        first.commit_sha
    )
    # main moved meanwhile: the bot branch is rebuilt on the new base and force-updated.
    other = work.parent / "other"
    git(work.parent, "clone", "-q", str(bare), str(other))
    git(other, "commit", "-q", "--allow-empty", "-m", "merged elsewhere")
    hook = bare / "hooks" / "pre-receive"
    hook.rename(bare / "hooks" / "off")
    git(other, "push", "-q", "origin", "main")
    (bare / "hooks" / "off").rename(hook)
    third = write_change(work, **kwargs)  # type: ignore[arg-type]
    assert third.status == "pull-request" and third.commit_sha != first.commit_sha
    assert git(bare, "rev-parse", "automation/release-actions/post-release-v0.7.2^") == git(
        bare, "rev-parse", "main"
    )
    assert len(pulls.calls) == 3


def test_new_branch_is_created_from_start_point(setup: tuple[Path, Path]) -> None:
    work, bare = setup
    result = write_change(
        work,
        branch="release-0.8.x",
        start_point="main",
        edit=set_fallback("0.8.0"),
        message="m",
        identity=BOT,
    )
    assert result.status == "pushed" and result.created_branch
    assert git(bare, "rev-parse", "release-0.8.x^") == git(bare, "rev-parse", "main")


def test_new_branch_in_pull_request_mode(setup: tuple[Path, Path]) -> None:
    work, bare = setup
    pulls = FakePulls()
    result = write_change(
        work,
        branch="release-0.8.x",
        start_point="main",
        edit=set_fallback("0.8.0"),
        message="m",
        identity=BOT,
        mode="pull-request",
        pr_branch="release-actions/prepare-v0.8.0",
        pulls=pulls,
    )
    assert result.status == "pull-request"
    assert git(bare, "rev-parse", "release-0.8.x") == git(bare, "rev-parse", "main")
    assert pulls.calls == [("release-actions/prepare-v0.8.0", "release-0.8.x", "m")]


def test_missing_branch_without_start_point(setup: tuple[Path, Path]) -> None:
    work, _ = setup
    with pytest.raises(ReleaseActionsError, match="does not exist on origin"):
        write_change(
            work, branch="release-9.9.x", edit=set_fallback("9.9.0"), message="m", identity=BOT
        )
