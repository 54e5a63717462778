"""The local origin (bare repository + clone) and the monorepo history it holds."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.testbed.monorepo import (
    DEFAULT_HISTORY,
    EXPECTED_BRANCHES,
    EXPECTED_TAGS,
    FIXTURE,
    Branch,
    Commit,
    Tag,
    build_monorepo,
    fixture_files,
)
from tests.testbed.origin import Origin, make_origin

GH006_MAIN = "remote: error: GH006: Protected branch update failed for refs/heads/main."


def push(origin: Origin, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", "-C", str(origin.work), "push", "origin", *args],
        capture_output=True,
        text=True,
        check=False,
    )


def commit_file(origin: Origin, path: str, text: str, message: str) -> str:
    (origin.work / path).write_text(text)
    origin.git("add", path)
    origin.git("commit", "--quiet", "-m", message)
    return origin.git("rev-parse", "HEAD")


# --------------------------------------------------------------------------- protection


def test_direct_push_to_protected_main_fails_like_github(protected_origin: Origin) -> None:
    before = protected_origin.ref("main")
    commit_file(protected_origin, "NOTES.md", "x\n", "chore: direct push")
    proc = push(protected_origin, "main")
    assert proc.returncode != 0
    assert GH006_MAIN in proc.stderr
    assert "remote: error: Changes must be made through a pull request." in proc.stderr
    assert "[remote rejected] main -> main" in proc.stderr
    assert protected_origin.ref("main") == before


def test_release_branches_are_protected_by_pattern(protected_origin: Origin) -> None:
    protected_origin.git("checkout", "--quiet", "release-0.7.x")
    before = protected_origin.ref("release-0.7.x")
    commit_file(protected_origin, "NOTES.md", "x\n", "chore: prepare release v0.7.2")
    proc = push(protected_origin, "release-0.7.x")
    assert proc.returncode != 0
    assert (
        "remote: error: GH006: Protected branch update failed for refs/heads/release-0.7.x."
        in proc.stderr
    )
    assert protected_origin.ref("release-0.7.x") == before


def test_unprotected_branch_and_tag_pushes_succeed(protected_origin: Origin) -> None:
    protected_origin.git("checkout", "--quiet", "-b", "release-actions/post-release-v0.7.1")
    sha = commit_file(protected_origin, "NOTES.md", "x\n", "chore: bump after 0.7.1")
    proc = push(protected_origin, "release-actions/post-release-v0.7.1")
    assert proc.returncode == 0, proc.stderr
    assert "GH006" not in proc.stderr
    assert protected_origin.ref("release-actions/post-release-v0.7.1") == sha
    protected_origin.git("tag", "v0.7.3-dev", sha)
    assert push(protected_origin, "v0.7.3-dev").returncode == 0
    assert protected_origin.tags()["v0.7.3-dev"] == sha


def test_a_new_release_branch_may_be_created_but_not_updated_or_deleted(
    protected_origin: Origin,
) -> None:
    protected_origin.git("checkout", "--quiet", "-b", "release-0.8.x")
    assert push(protected_origin, "release-0.8.x").returncode == 0
    created = protected_origin.ref("release-0.8.x")
    assert created == protected_origin.ref("main")
    commit_file(protected_origin, "NOTES.md", "x\n", "fix: on the new branch")
    update = push(protected_origin, "release-0.8.x")
    assert update.returncode != 0
    assert "GH006: Protected branch update failed for refs/heads/release-0.8.x." in update.stderr
    delete = push(protected_origin, "--delete", "release-0.8.x")
    assert delete.returncode != 0
    assert "remote: error: Cannot delete this protected branch" in delete.stderr
    assert protected_origin.ref("release-0.8.x") == created


def test_creation_can_be_restricted_too(origin: Origin) -> None:
    origin.protect(["release-*"], allow_create=False)
    origin.git("checkout", "--quiet", "-b", "release-0.8.x")
    proc = push(origin, "release-0.8.x")
    assert proc.returncode != 0
    assert "GH006: Protected branch update failed for refs/heads/release-0.8.x." in proc.stderr
    assert origin.ref("release-0.8.x") is None


def test_protection_is_configured_per_test(origin: Origin) -> None:
    commit_file(origin, "NOTES.md", "1\n", "chore: one")
    assert push(origin, "main").returncode == 0  # the plain fixture protects nothing
    origin.protect(["main"])
    sha = commit_file(origin, "NOTES.md", "2\n", "chore: two")
    assert GH006_MAIN in push(origin, "main").stderr
    origin.protect([])
    assert push(origin, "main").returncode == 0
    assert origin.ref("main") == sha


def test_set_ref_merges_server_side_despite_protection(protected_origin: Origin) -> None:
    protected_origin.git("checkout", "--quiet", "-b", "pr/bump")
    sha = commit_file(protected_origin, "NOTES.md", "x\n", "chore: bump")
    assert push(protected_origin, "pr/bump").returncode == 0
    protected_origin.set_ref("main", "refs/heads/pr/bump")
    assert protected_origin.ref("main") == sha


# --------------------------------------------------------------------------- history


def test_history_has_the_expected_branches_and_lightweight_tags(origin_template: Origin) -> None:
    assert sorted(origin_template.branches()) == sorted(EXPECTED_BRANCHES)
    assert sorted(origin_template.tags()) == sorted(EXPECTED_TAGS)
    for tag in EXPECTED_TAGS:
        assert origin_template.tag_type(tag) == "commit", f"{tag} should be a lightweight tag"


@pytest.mark.parametrize(
    ("tag", "branch"),
    [
        ("v0.6.0rc1", "release-0.6.x"),
        ("v0.6.0", "release-0.6.x"),
        ("v0.6.1", "release-0.6.x"),
        ("v0.7.0", "release-0.7.x"),
        ("v0.7.1", "release-0.7.x"),
    ],
)
def test_release_tags_sit_on_their_release_branch(
    origin_template: Origin, tag: str, branch: str
) -> None:
    assert origin_template.is_ancestor(tag, branch)
    assert not origin_template.is_ancestor(tag, "main")
    if "rc" not in tag:
        assert origin_template.log(tag, max_count=1)[0].subject == f"chore: prepare release {tag}"
        version = tag[1:]
        assert f'fallback_version = "{version}"' in origin_template.show(tag, "pyproject.toml")
        api = origin_template.show(tag, "src/llama_stack_api/pyproject.toml")
        assert f'fallback_version = "{version}"' in api
        assert (
            origin_template.show(tag, "pyproject.toml").count(f'"llama-stack-client=={version}"')
            == 2
        )


def test_dev_tags_are_on_main_in_order(origin_template: Origin) -> None:
    dev = ["v0.6.1-dev", "v0.6.2-dev", "v0.7.2-dev"]
    for tag in dev:
        assert origin_template.is_ancestor(tag, "main")
    assert not origin_template.is_ancestor("v0.6.1-dev", "release-0.6.x")
    assert not origin_template.is_ancestor("v0.7.2-dev", "release-0.7.x")
    assert origin_template.is_ancestor("v0.6.1-dev", "v0.6.2-dev")
    assert origin_template.is_ancestor("v0.6.2-dev", "v0.7.2-dev")
    assert origin_template.git("describe", "--tags", "main").startswith("v0.7.2-dev-1-g")
    assert origin_template.git("describe", "--tags", "origin/release-0.7.x") == "v0.7.1"
    head = origin_template.log("main", max_count=1)[0]
    assert head.subject == "chore: bump fallback_version to 0.7.2.dev0 after 0.7.1 release"
    assert head.author.startswith("github-actions[bot] <")


def test_main_tip_is_the_fixture(origin_template: Origin) -> None:
    for rel, text in fixture_files().items():
        assert origin_template.show("main", rel) == text, rel
    assert (origin_template.work / "uv.lock").read_text() == (FIXTURE / "uv.lock").read_text()
    assert origin_template.git("status", "--porcelain") == ""
    assert origin_template.git("rev-parse", "--abbrev-ref", "HEAD") == "main"


def test_build_is_reproducible(tmp_path: Path, origin_template: Origin) -> None:
    again = build_monorepo(tmp_path / "again")
    assert again.tags == origin_template.tags()
    assert again.branches == origin_template.branches()


def test_history_is_parameterisable(tmp_path: Path) -> None:
    repo = build_monorepo(
        tmp_path / "small",
        history=[
            Commit("feat: start (#1)", fallback_version="1.0.0.dev0", client_pin=">=0.9"),
            Branch("release-1.0.x"),
            Commit("chore: prepare release v1.0.0", "release-1.0.x", fallback_version="1.0.0"),
            Tag("v1.0.0", "release-1.0.x"),
            Commit("feat: more (#2)", files={"docs/more.md": "more\n"}),
        ],
    )
    assert sorted(repo.branches) == ["main", "release-1.0.x"]
    assert sorted(repo.tags) == ["v1.0.0"]
    text = (repo.path / "pyproject.toml").read_text()
    assert 'fallback_version = "1.0.0.dev0"' in text
    assert text.count('"llama-stack-client>=0.9"') == 2
    assert (repo.path / "docs/more.md").read_text() == "more\n"
    with pytest.raises(ValueError, match="start with a Commit"):
        build_monorepo(tmp_path / "bad", history=[Branch("x")])


def test_default_history_starts_with_a_commit_on_main() -> None:
    first = DEFAULT_HISTORY[0]
    assert isinstance(first, Commit)
    assert first.branch == "main"


# --------------------------------------------------------------------------- fetching


def test_bare_repository_allows_filtered_fetches(origin: Origin, tmp_path: Path) -> None:
    assert origin.bare_git("config", "uploadpack.allowFilter") == "true"
    assert origin.bare_git("config", "uploadpack.allowAnySHA1InWant") == "true"
    treeless = origin.clone(tmp_path / "treeless", "--filter=tree:0", "--no-checkout")
    proc = subprocess.run(
        ["git", "-C", str(treeless), "config", "remote.origin.partialclonefilter"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert proc.stdout.strip() == "tree:0"
    missing = subprocess.run(
        ["git", "-C", str(treeless), "rev-list", "--objects", "--missing=print", "--all"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert any(line.startswith("?") for line in missing.splitlines()), "trees should be missing"


def test_a_commit_that_is_no_branch_tip_can_be_fetched_by_id(
    origin: Origin, tmp_path: Path
) -> None:
    inner = origin.log("main")[3].sha
    shallow = origin.clone(tmp_path / "shallow", "--depth=1", "--branch=main")
    subprocess.run(
        ["git", "-C", str(shallow), "fetch", "--quiet", "--depth=1", "origin", inner],
        check=True,
        capture_output=True,
    )
    subprocess.run(["git", "-C", str(shallow), "cat-file", "-e", inner], check=True)


def test_make_origin_protects_on_request(tmp_path: Path) -> None:
    origin = make_origin(tmp_path / "o", protected=["main"])
    commit_file(origin, "NOTES.md", "x\n", "chore: direct")
    assert GH006_MAIN in push(origin, "main").stderr
