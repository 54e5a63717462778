"""nightly-version scenarios on real git repositories: commits, branches, tags, then the version.

Each scenario mirrors a situation from Llama Stack's history or a bug of its current
release workflows (the nightly version of ``pypi.yml``).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import semver
from packaging.version import Version

from release_actions.adapters.manifests import read_pyproject
from release_actions.core.errors import ReleaseActionsError
from release_actions.core.versions import npm_version
from release_actions.interface import early
from release_actions.interface.cli import main
from release_actions.steps.nightly import nightly_version, resolve_date
from tests.testbed.scenario import Scenario, git

DATE = "20261125"


def nightly(
    repo: Scenario, branch: str | None = None, env: dict[str, str] | None = None, fetch: bool = True
) -> tuple[str, str, str]:
    result = nightly_version(
        repo.path,
        date=DATE,
        branch=branch,
        pyproject=read_pyproject(repo.path / "pyproject.toml"),
        fetch=fetch,
        env=env or {},
    )
    # Every version we produce must re-parse, in PEP 440 and (npm form) in SemVer.
    assert str(Version(str(result.version))) == str(result.version)
    semver.Version.parse(npm_version(result.version))
    return str(result.version), result.base.source, result.base.tag


def test_fallback_only(tmp_path: Path) -> None:
    repo = Scenario(tmp_path / "r", fallback="0.7.2.dev0").commit()
    assert nightly(repo) == (f"0.7.2.dev{DATE}", "fallback", "")


def test_dev_tag_on_main(tmp_path: Path) -> None:
    repo = Scenario(tmp_path / "r").commit().tag("v0.4.6-dev").commit()
    assert nightly(repo) == (f"0.4.6.dev{DATE}", "dev-tag", "v0.4.6-dev")


def test_after_final_release_tag_is_next_patch(tmp_path: Path) -> None:
    """Llama Stack's pypi.yml: describe after v0.8.0 gave 0.8.0.devDATE, below the release."""
    repo = Scenario(tmp_path / "r").commit().tag("v0.8.0").commit()
    assert nightly(repo) == (f"0.8.1.dev{DATE}", "release-tag", "v0.8.0")


def test_after_rc_is_next_rc(tmp_path: Path) -> None:
    """Llama Stack's pypi.yml: describe after an RC gave 0.8.0rc1.devDATE."""
    repo = Scenario(tmp_path / "r").commit().tag("v0.8.0rc1").commit()
    assert nightly(repo) == (f"0.8.0rc2.dev{DATE}", "release-tag", "v0.8.0rc1")


def test_final_and_rc_on_same_commit_takes_final(tmp_path: Path) -> None:
    repo = Scenario(tmp_path / "r").commit().tag("v0.8.0rc2").tag("v0.8.0").commit()
    assert nightly(repo)[0] == f"0.8.1.dev{DATE}"


def test_rc_sequence_on_release_branch(tmp_path: Path) -> None:
    repo = Scenario(tmp_path / "r").commit().tag("v0.8.0-dev").branch("release-0.8.x")
    repo.commit().tag("v0.8.0rc1").commit().tag("v0.8.0rc2").commit()
    assert nightly(repo)[0] == f"0.8.0rc3.dev{DATE}"
    repo.commit().tag("v0.8.0").commit()
    assert nightly(repo)[0] == f"0.8.1.dev{DATE}"


def test_main_is_never_below_a_release_tagged_on_another_branch(tmp_path: Path) -> None:
    """Llama Stack tagged 0.8.0 on release-0.8.x while main still had v0.7.2-dev."""
    repo = Scenario(tmp_path / "r").commit().tag("v0.7.2-dev").branch("release-0.8.x")
    repo.commit().tag("v0.8.0").checkout("main").commit()
    version, source, tag = nightly(repo)
    assert (version, source, tag) == (f"0.8.1.dev{DATE}", "release-tag", "v0.8.0")
    assert Version(version) > Version("0.8.0")


def test_release_branch_stays_in_its_line(tmp_path: Path) -> None:
    repo = Scenario(tmp_path / "r").commit().branch("release-0.7.x").commit().tag("v0.7.1")
    repo.checkout("main").commit().tag("v0.8.1-dev").commit().tag("v0.9.0rc1")
    repo.checkout("release-0.7.x").commit()
    assert nightly(repo) == (f"0.7.2.dev{DATE}", "release-tag", "v0.7.1")


def test_new_release_branch_without_tags_of_its_line(tmp_path: Path) -> None:
    repo = Scenario(tmp_path / "r", fallback="0.8.1.dev0").commit().tag("v0.8.1-dev")
    repo.branch("release-0.9.x").commit()
    assert nightly(repo)[0] == f"0.9.0.dev{DATE}"


def test_release_branch_uses_dev_tag_of_its_line(tmp_path: Path) -> None:
    repo = Scenario(tmp_path / "r").commit().tag("v0.9.0-dev").branch("release-0.9.x").commit()
    assert nightly(repo) == (f"0.9.0.dev{DATE}", "dev-tag", "v0.9.0-dev")


def test_pull_request_into_release_branch_uses_base_ref(tmp_path: Path) -> None:
    repo = Scenario(tmp_path / "r").commit().tag("v0.9.0-dev").branch("release-0.7.x")
    repo.commit().tag("v0.7.3").branch("fix-something").commit()
    env = {"GITHUB_BASE_REF": "release-0.7.x"}
    assert nightly(repo, env=env)[0] == f"0.7.4.dev{DATE}"
    assert nightly(repo, env={})[0] == f"0.9.0.dev{DATE}"


def test_bad_tags_are_ignored(tmp_path: Path) -> None:
    """Llama Stack's workflows: `v0.8.1-devX` yielded an invalid PEP 440 string (pypi.yml);
    v1.2 broke arithmetic (post-release.yml)."""
    repo = Scenario(tmp_path / "r").commit().tag("v0.8.1-dev").commit()
    repo.tag("v0.8.1-devX").tag("v1.2").tag("v0.5.0.post1").tag("vnext")
    result = nightly_version(repo.path, date=DATE, pyproject={}, env={})
    assert str(result.version) == f"0.8.1.dev{DATE}"
    assert any("v0.8.1-devX" in note for note in result.notes)


def test_annotated_tags(tmp_path: Path) -> None:
    repo = Scenario(tmp_path / "r").commit().tag("v0.5.0", annotated=True).commit()
    assert nightly(repo) == (f"0.5.1.dev{DATE}", "release-tag", "v0.5.0")


def test_fallback_ahead_of_tags_wins(tmp_path: Path) -> None:
    """main develops the next minor: fallback 0.9.0.dev0 is ahead of the dev tag."""
    repo = Scenario(tmp_path / "r", fallback="0.9.0.dev0").commit().tag("v0.8.1-dev").commit()
    assert nightly(repo) == (f"0.9.0.dev{DATE}", "fallback", "")


def test_no_tags_and_no_fallback_is_a_clear_error(tmp_path: Path) -> None:
    repo = Scenario(tmp_path / "r", fallback=None).commit()
    with pytest.raises(ReleaseActionsError) as info:
        nightly_version(repo.path, date=DATE, pyproject={}, env={})
    assert "fallback_version" in info.value.fix


def _shallow_clone(tmp_path: Path) -> Path:
    repo = Scenario(tmp_path / "src", fallback="0.7.2.dev0").commit().tag("v0.8.0-dev")
    for _ in range(3):
        repo.commit()
    repo.add_bare_origin(tmp_path / "origin.git")
    clone = tmp_path / "clone"
    subprocess.run(
        [
            "git",
            "clone",
            "-q",
            "--depth",
            "1",
            "--no-tags",
            f"file://{tmp_path / 'origin.git'}",
            str(clone),
        ],
        check=True,
    )
    assert git(clone, "tag") == ""
    return clone


def test_shallow_tagless_clone_fetches_what_it_needs(tmp_path: Path) -> None:
    """Llama Stack's pypi.yml: a shallow tagless nightly checkout used fallback_version."""
    clone = _shallow_clone(tmp_path)
    result = nightly_version(
        clone, date=DATE, pyproject=read_pyproject(clone / "pyproject.toml"), env={}
    )
    assert str(result.version) == f"0.8.0.dev{DATE}"
    assert result.base.source == "dev-tag"
    assert any("fetched history (treeless) and tags" in n for n in result.notes)
    assert git(clone, "rev-parse", "--is-shallow-repository") == "false"
    # Treeless: the fetch brought commits and tags, not the old trees.
    assert git(clone, "config", "remote.origin.partialclonefilter") == "tree:0"


def test_shallow_clone_without_fetch_falls_back(tmp_path: Path) -> None:
    clone = _shallow_clone(tmp_path)
    result = nightly_version(
        clone, date=DATE, pyproject=read_pyproject(clone / "pyproject.toml"), fetch=False, env={}
    )
    assert (str(result.version), result.base.source) == (f"0.7.2.dev{DATE}", "fallback")


def test_date_sources() -> None:
    assert resolve_date("20261125", {}) == "20261125"
    assert resolve_date(None, {"SOURCE_DATE_EPOCH": "1767225600"}) == "20260101"
    assert len(resolve_date(None, {})) == 8


def _cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    capsys.readouterr()
    code = main(argv)
    return code, capsys.readouterr().out


@pytest.mark.parametrize(
    "guessed",
    ["same", "other-dir", "missing-dir", "help", "another-command"],
)
def test_head_start_never_changes_the_answer(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    guessed: str,
) -> None:
    """``python -m release_actions`` starts git's reads before parsing (interface.early);
    the command uses them only for the same directory, and stops them otherwise."""
    for name in ("RA_REPO", "RA_BRANCH", "RA_DATE", "GITHUB_REF", "GITHUB_BASE_REF"):
        monkeypatch.delenv(name, raising=False)
    repo = Scenario(tmp_path / "r").commit().tag("v0.8.1-dev").commit()
    other = Scenario(tmp_path / "o").commit().tag("v0.3.0").commit()
    args = ["nightly-version", "--repo", str(repo.path), "--date", DATE, "--no-fetch"]
    expected = _cli(args, capsys)
    assert expected[0] == 0 and f"version=0.8.1.dev{DATE}" in expected[1]
    begin_argv = {
        "same": args,
        "other-dir": ["nightly-version", f"--repo={other.path}"],
        "missing-dir": ["nightly-version", "--repo", str(tmp_path / "nope")],
        "help": [*args, "--help"],
        "another-command": ["compute-version", "--repo", str(repo.path)],
    }[guessed]
    early.begin(begin_argv)
    pending = early._pending  # what the head start holds
    assert (pending is not None) == (guessed in ("same", "other-dir"))
    assert _cli(args, capsys) == expected
    assert early._pending is None  # taken or stopped, never left running
    if pending is not None:
        assert not pending._procs  # collected or stopped
