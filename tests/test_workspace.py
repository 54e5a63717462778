"""The ``twin`` uv workspace through the CLI: members versioned from the repository root.

Issue 15's shape (c): two members under ``packages/`` with ``[tool.setuptools_scm]
root = "../.."`` and ``fallback_version``, a root pyproject without either
(tests/testbed/twin.py). Also the repository discovery every command shares: run
from a subdirectory it works on the top level; outside a repository it says so.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from release_actions.interface.cli import main
from tests.testbed.registries import PypiIndex
from tests.testbed.scenario import git
from tests.testbed.twin import CLI, CORE, build_twin, commit_all, write_members

pytestmark = pytest.mark.usefixtures("clean_env")

BOT = ["--bot-name", "release-bot", "--bot-email", "bot@example.com"]


@pytest.fixture
def twin(tmp_path: Path) -> Path:
    return build_twin(tmp_path / "twin", origin=tmp_path / "origin.git")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def origin_show(twin: Path, ref: str, path: str) -> str:
    return git(twin.parent / "origin.git", "show", f"{ref}:{path}")


def doctor_checks(out: str) -> dict[str, dict[str, str]]:
    return {c["name"]: c for c in json.loads(out)["checks"]}


# --------------------------------------------------------------------------- nightly base


def test_nightly_base_is_the_members_fallback_and_names_the_file(
    twin: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The root has no fallback_version: the base comes from the members (ahead of v0.1.0),
    the highest of them, and a note says which file it came from."""
    write_members(twin, "0.2.0.dev0", core="0.3.0.dev0")
    commit_all(twin, "core develops 0.3.0")
    for command in (
        ["nightly-version", "--repo", str(twin), "--no-fetch", "--json"],
        ["compute-version", "--repo", str(twin), "--no-fetch", "--event", "schedule", "--json"],
    ):
        code, out, err = run(capsys, *command, "--date", "20261203")
        assert code == 0, err
        data = json.loads(out)
        assert data["version"] == "0.3.0.dev20261203"
        assert data["base_source"] == "fallback"
        assert (
            "base 0.3.0: fallback_version 0.3.0.dev0 from packages/twin-core/pyproject.toml"
            " (the highest of 2 managed pyproject.toml files)"
        ) in err


def test_nightly_from_a_member_directory_reads_the_whole_workspace(
    twin: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(twin / "packages" / "twin-core")
    code, out, err = run(capsys, "nightly-version", "--no-fetch", "--date", "20261203")
    assert code == 0, err
    assert "version=0.2.0.dev20261203" in out.splitlines()
    assert "from packages/twin-cli/pyproject.toml" in err  # the tie goes to the first file


# --------------------------------------------------------------------------- prepare / post


def test_patch_prepare_adds_the_missing_fallback_version(
    twin: Path,
    capsys: pytest.CaptureFixture[str],
    client_index: Callable[..., PypiIndex],
    uv_on_index: Callable[[PypiIndex], None],
) -> None:
    """release-0.1.x's members have [tool.setuptools_scm] without fallback_version: a patch
    adds the key (as a minor does), instead of asking the user to write it."""
    index = client_index()
    uv_on_index(index)
    assert "fallback_version" not in origin_show(twin, "release-0.1.x", CORE)
    argv = ["prepare-release", "--repo", str(twin), "--version", "0.1.1", *BOT]
    code, out, err = run(capsys, *argv, "--index-url", index.simple_url)
    assert code == 0, err
    assert "status=pushed" in out.splitlines()
    for rel in (CORE, CLI):
        text = origin_show(twin, "release-0.1.x", rel)
        assert text.endswith(
            'root = "../.."  # versioned from the repository\'s tags\nfallback_version = "0.1.1"'
        )  # git show drops the final newline
        assert f"{rel}: added [tool.setuptools_scm] fallback_version = '0.1.1'" in err
    assert '"twin-core==0.1.1"' in origin_show(twin, "release-0.1.x", CLI)


def test_post_release_adds_fallback_version_on_a_main_without_it(
    twin: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_members(twin, None)
    commit_all(twin, "main without fallback_version")
    git(twin, "push", "-q", "origin", "main")
    git(twin, "tag", "v0.1.1", "release-0.1.x")
    git(twin, "push", "-q", "origin", "v0.1.1")
    code, out, err = run(capsys, "post-release", "--repo", str(twin), "--tag", "v0.1.1", *BOT)
    assert code == 0, err
    assert "main_status=pushed" in out.splitlines()
    for rel in (CORE, CLI):
        assert origin_show(twin, "main", rel).endswith('\nfallback_version = "0.1.2.dev0"')


def test_post_release_skips_a_configured_file_without_the_scm_table(
    twin: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A configured pyproject without [tool.setuptools_scm] is skipped with the reason;
    the members still get their bump."""
    write_members(twin, None)
    root = twin / "pyproject.toml"
    root.write_text(
        root.read_text().replace(
            "pins = ", 'pyprojects = ["pyproject.toml", "packages/twin-core"]\npins = '
        )
    )
    commit_all(twin, "configure the managed files")
    git(twin, "push", "-q", "origin", "main")
    git(twin, "tag", "v0.1.1", "release-0.1.x")
    git(twin, "push", "-q", "origin", "v0.1.1")
    argv = ["post-release", "--repo", str(twin), "--tag", "v0.1.1", "--next-dev", "minor", *BOT]
    code, out, err = run(capsys, *argv)
    assert code == 0, err
    assert "main_status=pushed" in out.splitlines()
    assert "pyproject.toml skipped: no [tool.setuptools_scm] table" in err
    assert origin_show(twin, "main", CORE).endswith('\nfallback_version = "0.2.0.dev0"')
    assert "fallback_version" not in origin_show(twin, "main", "pyproject.toml")


# --------------------------------------------------------------------------- doctor


def test_doctor_on_the_workspace_has_no_false_lock_error(
    twin: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """uv.lock locks the members as editable without a version: that is not 'does not lock'."""
    code, out, err = run(capsys, "doctor", "--repo", str(twin), "--json")
    checks = doctor_checks(out)
    assert checks["python-pins"]["status"] == "ok", checks["python-pins"]
    assert "workspace member packages/twin-core" in checks["python-pins"]["detail"]
    assert checks["scm-config"]["status"] == "ok"
    assert checks["fallback-version"]["status"] == "ok"
    assert code == 0, err


def test_doctor_flags_a_real_lock_mismatch_next_to_members(
    twin: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Members are exempt, other pinned packages are not."""
    root = twin / "pyproject.toml"
    root.write_text(
        root.read_text().replace('pins = ["twin-core"]', 'pins = ["twin-core", "rich"]')
    )
    cli = twin / CLI
    cli.write_text(cli.read_text().replace('"twin-core>=0.1"', '"twin-core>=0.1", "rich>=13"'))
    commit_all(twin, "depend on rich")
    code, out, _ = run(capsys, "doctor", "--repo", str(twin), "--json")
    pins = doctor_checks(out)["python-pins"]
    assert code == 1
    assert pins["status"] == "fail"
    assert "uv.lock does not lock rich" in pins["detail"]
    assert "twin-core" not in pins["detail"].split("does not lock")[1]


def test_doctor_warns_about_a_member_not_versioned_from_the_root(
    twin: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    core = twin / CORE
    core.write_text(core.read_text().replace('root = "../.."', 'root = "."'))
    commit_all(twin, "wrong root")
    _code, out, _ = run(capsys, "doctor", "--repo", str(twin), "--json")
    scm = doctor_checks(out)["scm-config"]
    assert scm["status"] == "warn"
    assert 'packages/twin-core/pyproject.toml: [tool.setuptools_scm] root is "."' in scm["detail"]
    assert 'root = "../.." in packages/twin-core/pyproject.toml' in scm["fix"]


@pytest.mark.parametrize(
    ("branch", "expected"),
    [
        ("release-0.1.x", '"0.1.0"'),  # a release branch holds X.Y.Z
        ("main", '"0.1.1.dev0"'),  # the default branch X.Y.Z.dev0
    ],
)
def test_doctor_fix_for_a_missing_fallback_fits_the_branch(
    twin: Path,
    capsys: pytest.CaptureFixture[str],
    branch: str,
    expected: str,
) -> None:
    git(twin, "checkout", "-q", branch)
    write_members(twin, None)
    if git(twin, "status", "--porcelain"):
        commit_all(twin, "no fallback_version")
    _code, out, _ = run(capsys, "doctor", "--repo", str(twin), "--json")
    check = doctor_checks(out)["fallback-version"]
    assert check["status"] == "fail"
    assert f"add fallback_version = {expected} to [tool.setuptools_scm]" in check["fix"]


def test_doctor_from_a_subdirectory_checks_the_top_level(
    twin: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for where, argv in (
        (twin / "packages" / "twin-cli", ["doctor", "--json"]),
        (twin.parent, ["doctor", "--json", "--repo", str(twin / "packages")]),
    ):
        monkeypatch.chdir(where)
        code, out, err = run(capsys, *argv)
        assert code == 0, err
        scm = doctor_checks(out)["scm-config"]
        assert scm["detail"] == (
            "versioned by setuptools-scm: packages/twin-cli/pyproject.toml,"
            " packages/twin-core/pyproject.toml"
        )


def test_outside_a_repository_every_command_says_so_and_walks_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another project's broken TOML below the directory is never read."""
    outside = tmp_path / "not-a-repo"
    (outside / "other").mkdir(parents=True)
    (outside / "other" / "pyproject.toml").write_text("[tool.setuptools_scm\nbroken")
    monkeypatch.chdir(outside)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    for command in (
        ["doctor"],
        ["nightly-version", "--no-fetch"],
        ["compute-version", "--event", "schedule", "--no-fetch"],
        ["maintained"],
        ["plan", "0.1.1"],
    ):
        code, out, err = run(capsys, *command)
        assert code == 2 or code == 1, (command, code)
        assert out == ""
        assert f"not a git repository: {outside}" in err, (command, err)
        assert "fix: run the command inside the project's git checkout" in err
        assert "TOML" not in err and "Traceback" not in err
