"""release-actions doctor on generated Llama-Stack-shaped repositories: healthy, then each drift.

The healthy repository is the test-bed monorepo (tests/testbed/monorepo.py) plus
the example consumer workflows, and a ``release-0.7.x`` whose ``uv.lock`` was
re-locked for its ``==0.7.1`` pins (as our prepare-release does). Each drift
test copies it, breaks one thing, and checks that exactly the check that should
notice it does, with its status and fix.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from release_actions.adapters.manifests import load_config
from release_actions.interface.cli import main
from release_actions.steps.doctor import CHECKS, FAIL, OK, WARN, DoctorReport, doctor
from tests.testbed.monorepo import (
    API_PYPROJECT,
    DEFAULT_HISTORY,
    ROOT_PYPROJECT,
    UI_DIR,
    Commit,
    Tag,
    build_monorepo,
    fixture_files,
    git,
    git_env,
)
from tests.testbed.origin import Origin

WORKFLOWS = Path(__file__).parent / "fixtures" / "consumer-workflows"
PACKAGE_JSON = f"{UI_DIR}/package.json"
PACKAGE_LOCK = f"{UI_DIR}/package-lock.json"


def _workflow_files() -> dict[str, str]:
    return {
        f".github/workflows/{name}": (WORKFLOWS / name).read_text()
        for name in ("prepare-release.yml", "post-release.yml", "release-version.yml")
    }


def _relocked_for_exact_pin() -> str:
    """uv.lock as `uv lock` leaves it after the pins became ==0.7.1 (same resolution)."""
    lock = fixture_files()["uv.lock"]
    assert lock.count('specifier = ">=0.7.1"') == 2
    return lock.replace('specifier = ">=0.7.1"', 'specifier = "==0.7.1"')


HEALTHY_HISTORY = (
    *DEFAULT_HISTORY,
    Commit("ci: release workflows (#60)", files=_workflow_files()),
    Commit(
        "chore: re-lock uv.lock for v0.7.1",
        "release-0.7.x",
        files={"uv.lock": _relocked_for_exact_pin()},
    ),
)


@pytest.fixture(scope="module")
def healthy_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_monorepo(tmp_path_factory.mktemp("doctor") / "repo", history=HEALTHY_HISTORY).path


@pytest.fixture
def repo(healthy_template: Path, tmp_path: Path) -> Path:
    """A private copy of the healthy repository, on main."""
    dest = tmp_path / "repo"
    shutil.copytree(healthy_template, dest, symlinks=True)
    return dest


def run_doctor(repo: Path, branch: str = "", count: int = 2) -> DoctorReport:
    return doctor(repo, load_config(repo), branch=branch, count=count, env={})


def commit(repo: Path, files: dict[str, str | None], branch: str = "main") -> None:
    """Check out ``branch``, write (None: delete) ``files``, commit."""
    git(repo, "checkout", "--quiet", branch)
    for rel, text in files.items():
        path = repo / rel
        if text is None:
            path.unlink()
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "-m", "drift", env=git_env())


def edit(repo: Path, rel: str, old: str, new: str, count: int = 1) -> str:
    text = (repo / rel).read_text()
    assert text.count(old) == count, (rel, old)
    return text.replace(old, new)


def statuses(report: DoctorReport) -> dict[str, str]:
    return {c.name: c.status for c in report.checks}


def only(report: DoctorReport, name: str, status: str) -> None:
    """``name`` has ``status`` and every other check is ok."""
    expected = {n: OK for n in CHECKS}
    expected[name] = status
    assert statuses(report) == expected, report.text()


# --------------------------------------------------------------------------- healthy


@pytest.mark.parametrize("branch", ["main", "release-0.7.x"])
def test_healthy_repository_passes_every_check(repo: Path, branch: str) -> None:
    git(repo, "checkout", "--quiet", branch)
    report = run_doctor(repo)
    assert report.branch == branch
    assert [c.name for c in report.checks] == list(CHECKS)
    assert statuses(report) == dict.fromkeys(CHECKS, OK), report.text()
    assert report.status == OK and report.failed == () and report.warned == ()
    assert all(c.fix == "" for c in report.checks)
    assert git(repo, "status", "--porcelain").stdout == ""  # read-only


def test_healthy_details_name_what_was_checked(repo: Path) -> None:
    report = run_doctor(repo)
    assert report.check("fallback-version").detail.startswith("0.7.2.dev0 in pyproject.toml")
    assert "llama-stack-client>=0.7.1 (0.7.1)" in report.check("python-pins").detail
    assert "'^0.7.1' (0.7.1)" in report.check("npm-lock").detail
    assert "release-0.6.x, release-0.7.x" in report.check("release-branches").detail
    assert report.check("dev-tag").detail == "v0.7.2-dev is above the newest release v0.7.1"
    workflows = report.check("workflows").detail
    assert "prepare-release: prepare-release.yml uses llama-stack/release-actions/" in workflows
    assert "publish: release-version.yml uses" in workflows


def test_cli_healthy_exit_0_summary_and_outputs(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    summary, outputs = tmp_path / "summary.md", tmp_path / "outputs"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    monkeypatch.setenv("GITHUB_OUTPUT", str(outputs))
    monkeypatch.delenv("GITHUB_REF", raising=False)
    assert main(["doctor", "--repo", str(repo), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["status"] == "ok" and data["branch"] == "main" and data["failed"] == []
    assert [c["name"] for c in data["checks"]] == list(CHECKS)
    table = summary.read_text()
    assert "| check | status | detail | fix |" in table
    for name in CHECKS:
        assert f"| `{name}` | :white_check_mark: ok |" in table
    assert "status=ok\n" in outputs.read_text()


# --------------------------------------------------------------------------- drift, per check


def test_scm_config_missing_dynamic_version(repo: Path) -> None:
    text = edit(repo, API_PYPROJECT, 'dynamic = ["version"]\n', 'version = "0.7.2"\n')
    commit(repo, {API_PYPROJECT: text})
    report = run_doctor(repo)
    only(report, "scm-config", FAIL)
    check = report.check("scm-config")
    assert f'{API_PYPROJECT}: [project] dynamic does not list "version"' in check.detail
    assert f"{API_PYPROJECT}: static [project] version = '0.7.2'" in check.detail
    assert 'dynamic = ["version"]' in check.fix and "[tool.setuptools_scm]" in check.fix


def test_scm_config_missing_scm_table(repo: Path) -> None:
    text = edit(repo, API_PYPROJECT, '[tool.setuptools_scm]\nroot = "../.."\n', "[tool.other]\n")
    commit(repo, {API_PYPROJECT: text})
    report = run_doctor(repo)
    check = report.check("scm-config")
    assert check.status == FAIL
    assert check.detail == f"{API_PYPROJECT}: no [tool.setuptools_scm] table"
    assert "[tool.setuptools_scm] table with fallback_version" in check.fix
    # Its fallback_version went with the table.
    assert report.check("fallback-version").status == FAIL
    assert API_PYPROJECT in report.check("fallback-version").detail


def test_scm_build_requires_missing(repo: Path) -> None:
    text = edit(repo, API_PYPROJECT, ', "setuptools-scm>=8"]', "]")
    commit(repo, {API_PYPROJECT: text})
    report = run_doctor(repo)
    only(report, "scm-build-requires", FAIL)
    check = report.check("scm-build-requires")
    assert API_PYPROJECT in check.detail and "#4782" in check.detail
    assert ROOT_PYPROJECT + "," not in check.detail  # the root file is fine
    assert check.fix == f'add "setuptools-scm>=8" to [build-system] requires in {API_PYPROJECT}'


FALLBACK_DRIFT = [
    pytest.param(
        "main",
        {API_PYPROJECT: "0.7.1.dev0"},
        "the fallback_version values disagree: pyproject.toml 0.7.2.dev0,"
        f" {API_PYPROJECT} 0.7.1.dev0",
        'set the same fallback_version (e.g. "0.7.2.dev0")',
        id="files-disagree",
    ),
    pytest.param(
        "main",
        {ROOT_PYPROJECT: "0.7.2", API_PYPROJECT: "0.7.2"},
        "fallback_version 0.7.2 on main is not a .dev0 version",
        'set fallback_version = "0.7.2.dev0"',
        id="main-not-dev0",
    ),
    pytest.param(
        "main",
        {ROOT_PYPROJECT: "0.7.1.dev0", API_PYPROJECT: "0.7.1.dev0"},
        "fallback_version 0.7.1.dev0 on main is not above the newest release v0.7.1",
        "run post-release for v0.7.1",
        id="main-behind-release",
    ),
    pytest.param(
        "release-0.7.x",
        {ROOT_PYPROJECT: "0.7.2.dev0", API_PYPROJECT: "0.7.2.dev0"},
        "fallback_version 0.7.2.dev0 on release-0.7.x is not a 0.7.Z release version",
        "run prepare-release for the next 0.7 version on release-0.7.x",
        id="release-branch-dev",
    ),
    pytest.param(
        "release-0.7.x",
        {ROOT_PYPROJECT: "0.6.1", API_PYPROJECT: "0.6.1"},
        "fallback_version 0.6.1 on release-0.7.x is not a 0.7.Z release version",
        'set fallback_version = "0.7.1"',
        id="release-branch-other-line",
    ),
    pytest.param(
        "release-0.7.x",
        {ROOT_PYPROJECT: "0.7.0", API_PYPROJECT: "0.7.0"},
        "fallback_version 0.7.0 on release-0.7.x is below the line's latest release v0.7.1",
        "run prepare-release for the next 0.7 patch",
        id="release-branch-behind-tag",
    ),
]


@pytest.mark.parametrize(("branch", "values", "detail", "fix"), FALLBACK_DRIFT)
def test_fallback_version_drift(
    repo: Path, branch: str, values: dict[str, str], detail: str, fix: str
) -> None:
    git(repo, "checkout", "--quiet", branch)
    files: dict[str, str | None] = {}
    for rel, value in values.items():
        text = (repo / rel).read_text()
        old = next(line for line in text.splitlines() if line.startswith("fallback_version"))
        files[rel] = text.replace(old, f'fallback_version = "{value}"')
    commit(repo, files, branch)
    report = run_doctor(repo)
    only(report, "fallback-version", FAIL)
    check = report.check("fallback-version")
    assert detail in check.detail
    assert fix in check.fix


def test_fallback_rc_accepted_on_its_release_branch(repo: Path) -> None:
    git(repo, "checkout", "--quiet", "-b", "release-0.8.x", "main")
    files: dict[str, str | None] = {
        rel: edit(repo, rel, 'fallback_version = "0.7.2.dev0"', 'fallback_version = "0.8.0rc1"')
        for rel in (ROOT_PYPROJECT, API_PYPROJECT)
    }
    commit(repo, files, "release-0.8.x")
    check = run_doctor(repo).check("fallback-version")
    assert check.status == OK, check
    assert "prepared release of release-0.8.x" in check.detail


def test_python_pins_lock_outside_the_pins(repo: Path) -> None:
    """Llama Stack #6460: release-0.6.x pins ==0.6.1 but its uv.lock holds 0.7.1."""
    git(repo, "checkout", "--quiet", "release-0.6.x")
    report = run_doctor(repo)
    only(report, "python-pins", FAIL)
    check = report.check("python-pins")
    assert (
        "uv.lock locks llama-stack-client 0.7.1, outside pyproject.toml"
        " [project.optional-dependencies.client] llama-stack-client==0.6.1" in check.detail
    )
    assert "[dependency-groups.type_checking] llama-stack-client==0.6.1" in check.detail
    assert "stale" not in check.detail  # the out-of-range lock is the one finding
    assert check.fix.startswith("run `uv lock --upgrade-package llama-stack-client`")


def test_python_pins_stale_lock(repo: Path) -> None:
    """The locked 0.7.1 satisfies >=0.7.0, but the lock was resolved for >=0.7.1."""
    text = edit(
        repo, ROOT_PYPROJECT, '"llama-stack-client>=0.7.1"', '"llama-stack-client>=0.7.0"', 2
    )
    commit(repo, {ROOT_PYPROJECT: text})
    report = run_doctor(repo)
    only(report, "python-pins", FAIL)
    check = report.check("python-pins")
    assert check.detail == (
        "uv.lock was resolved for llama-stack-client '>=0.7.1' but pyproject.toml asks"
        " '>=0.7.0': the lock is stale"
    )
    assert "uv lock" in check.fix


def test_python_pins_package_not_locked(repo: Path) -> None:
    text = edit(
        repo, ROOT_PYPROJECT, '"llama-stack-client>=0.7.1", # Typed', '"other-client>=1", # Typed'
    )
    pins = 'pins = ["llama-stack-client", "other-client"]'
    commit(repo, {ROOT_PYPROJECT: text.replace('pins = ["llama-stack-client"]', pins)})
    check = run_doctor(repo).check("python-pins")
    assert check.status == FAIL
    assert "uv.lock does not lock other-client" in check.detail


@pytest.mark.parametrize(
    ("manifest_range", "locked", "detail"),
    [
        pytest.param(
            "^0.8.0",
            None,
            f"{PACKAGE_LOCK} locks llama-stack-client 0.7.1, outside {PACKAGE_JSON}"
            " dependencies llama-stack-client '^0.8.0'",
            id="range-moved-lock-not",
        ),
        pytest.param(
            None,
            "0.6.3",
            f"{PACKAGE_LOCK} locks llama-stack-client 0.6.3, outside {PACKAGE_JSON}"
            " dependencies llama-stack-client '^0.7.1'",
            id="lock-moved-range-not",
        ),
        pytest.param(
            "~0.7.0",
            None,
            f"{PACKAGE_LOCK} records llama-stack-client '^0.7.1' in dependencies but"
            f" {PACKAGE_JSON} says '~0.7.0': npm ci refuses an out-of-sync lock",
            id="lock-records-another-range",
        ),
    ],
)
def test_npm_lock_drift(
    repo: Path, manifest_range: str | None, locked: str | None, detail: str
) -> None:
    files: dict[str, str | None] = {}
    if manifest_range:
        files[PACKAGE_JSON] = edit(repo, PACKAGE_JSON, '"^0.7.1"', f'"{manifest_range}"')
    if locked:
        files[PACKAGE_LOCK] = edit(
            repo, PACKAGE_LOCK, '"version": "0.7.1"', f'"version": "{locked}"'
        )
    commit(repo, files)
    report = run_doctor(repo)
    only(report, "npm-lock", FAIL)
    check = report.check("npm-lock")
    assert check.detail == detail
    assert check.fix.startswith(
        f"run `npm install --package-lock-only --ignore-scripts` in {UI_DIR}"
    )


def test_npm_lock_missing_is_a_warning(repo: Path) -> None:
    commit(repo, {PACKAGE_LOCK: None})
    report = run_doctor(repo)
    only(report, "npm-lock", WARN)
    assert report.check("npm-lock").detail == f"no package-lock.json for {PACKAGE_JSON}"


def test_npm_dependency_that_is_not_a_range_is_a_warning(repo: Path) -> None:
    commit(repo, {PACKAGE_JSON: edit(repo, PACKAGE_JSON, '"^0.7.1"', '"latest"')})
    report = run_doctor(repo)
    only(report, "npm-lock", WARN)
    check = report.check("npm-lock")
    assert check.detail == (
        f"cannot check {PACKAGE_JSON} dependencies llama-stack-client 'latest': not a semver range"
    )
    assert check.fix == "depend on llama-stack-client with a semver range (e.g. ^0.7.1)"


def test_tags_that_do_not_parse(repo: Path) -> None:
    for name in ("v1.2", "v0.5.0.post1", "v0.8.1-devX", "vscode-extension-1"):
        git(repo, "tag", name, "main")
    report = run_doctor(repo)
    only(report, "tags", WARN)
    check = report.check("tags")
    assert "3 tag(s)" in check.detail
    assert "v0.5.0.post1, v0.8.1-devX, v1.2" in check.detail
    assert "vscode" not in check.detail
    assert "git push origin :refs/tags/v0.5.0.post1" in check.fix


def test_release_branch_missing_for_a_maintained_line(repo: Path) -> None:
    git(repo, "branch", "-D", "release-0.6.x")
    report = run_doctor(repo)
    only(report, "release-branches", FAIL)
    check = report.check("release-branches")
    assert "release-0.6.x (maintained, latest v0.6.1)" in check.detail
    assert "git push origin 'v0.6.1^{commit}:refs/heads/release-0.6.x'" in check.fix


def test_release_branch_missing_for_an_old_line_is_a_warning(repo: Path) -> None:
    first = git(repo, "rev-list", "--max-parents=0", "main").stdout.strip()
    git(repo, "tag", "v0.5.0", first)  # an old line, released before release branches
    report = run_doctor(repo)
    only(report, "release-branches", WARN)
    check = report.check("release-branches")
    assert "release-0.5.x (unmaintained, latest v0.5.0)" in check.detail
    assert "refs/heads/release-0.5.x" in check.fix
    # With three maintained lines it is a failure.
    assert run_doctor(repo, count=3).check("release-branches").status == FAIL


def test_release_branches_on_origin_only(origin: Origin) -> None:
    """A fresh clone has only main locally; the release branches exist on origin."""
    git(origin.work, "update-ref", "-d", "refs/remotes/origin/release-0.6.x")
    assert git(origin.work, "branch", "--list", "release-*").stdout == ""
    check = run_doctor(origin.work).check("release-branches")
    assert check.status == OK, check
    git(origin.bare, "branch", "-D", "release-0.6.x")
    assert run_doctor(origin.work).check("release-branches").status == FAIL


def test_dev_tag_behind_the_newest_release(repo: Path) -> None:
    """v0.8.0 is out and main's fallback was bumped, but main was never tagged v0.8.1-dev."""
    for branch, value in (("release-0.8.x", "0.8.0"), ("main", "0.8.1.dev0")):
        if branch != "main":
            git(repo, "branch", branch, "main")
        git(repo, "checkout", "--quiet", branch)
        old = 'fallback_version = "0.7.2.dev0"'
        new = f'fallback_version = "{value}"'
        files: dict[str, str | None] = {
            rel: edit(repo, rel, old, new) for rel in (ROOT_PYPROJECT, API_PYPROJECT)
        }
        commit(repo, files, branch)
        if branch != "main":
            git(repo, "tag", "v0.8.0", branch)
    report = run_doctor(repo)
    only(report, "dev-tag", FAIL)
    check = report.check("dev-tag")
    assert check.detail.startswith(
        "the newest dev tag v0.7.2-dev is not above the newest release v0.8.0"
    )
    assert check.fix == (
        "run post-release for v0.8.0: it tags main with v0.8.1-dev and bumps"
        " fallback_version to 0.8.1.dev0"
    )


def test_dev_tag_of_the_released_version_is_behind(repo: Path) -> None:
    """next-dev minor: main was tagged v0.8.0-dev; once v0.8.0 is out that tag is behind."""
    git(repo, "tag", "v0.8.0-dev", "main")
    assert run_doctor(repo).check("dev-tag").status == OK
    git(repo, "branch", "release-0.8.x", "main")
    git(repo, "tag", "v0.8.0", "release-0.8.x")
    check = run_doctor(repo).check("dev-tag")
    assert check.status == FAIL
    assert check.detail.startswith("the newest dev tag v0.8.0-dev is not above the newest release")
    assert "run post-release for v0.8.0" in check.fix


def test_no_dev_tag_is_a_warning(tmp_path: Path) -> None:
    history = [
        step for step in HEALTHY_HISTORY[:-1] if not (isinstance(step, Tag) and "-dev" in step.name)
    ]
    repo = build_monorepo(tmp_path / "repo", history=history).path
    report = run_doctor(repo)
    only(report, "dev-tag", WARN)
    assert "no dev tag (vX.Y.Z-dev) although v0.7.1 is released" in report.check("dev-tag").detail


@pytest.mark.parametrize(
    ("remove", "missing"),
    [
        (["post-release.yml"], "post-release"),
        (["prepare-release.yml"], "prepare-release"),
        (["release-version.yml"], "publish"),
    ],
)
def test_workflow_missing(repo: Path, remove: list[str], missing: str) -> None:
    commit(repo, {f".github/workflows/{name}": None for name in remove})
    report = run_doctor(repo)
    only(report, "workflows", WARN)
    check = report.check("workflows")
    assert check.detail == f"no workflow in .github/workflows for {missing}"
    assert "llama-stack/release-actions/.github/workflows/" in check.fix


def test_workflows_local_copies_count(repo: Path) -> None:
    """A local copy of our action, and Llama Stack's own pypi.yml, are recognised."""
    prepare = edit(
        repo,
        ".github/workflows/prepare-release.yml",
        "uses: llama-stack/release-actions/.github/workflows/prepare-release.yml@v1",
        "uses: ./.github/actions/prepare-release",
    )
    commit(
        repo,
        {
            ".github/workflows/prepare-release.yml": None,
            ".github/workflows/prepare.yml": prepare,
            ".github/workflows/release-version.yml": None,
            ".github/workflows/pypi.yml": "name: pypi\non: release\n",
        },
    )
    check = run_doctor(repo).check("workflows")
    assert check.status == OK, check
    assert "prepare-release: prepare.yml uses ./.github/actions/prepare-release" in check.detail
    assert "publish: pypi.yml" in check.detail


# --------------------------------------------------------------------------- CLI on drift


def test_cli_exit_1_annotations_summary_and_outputs(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    git(repo, "branch", "-D", "release-0.6.x")
    commit(repo, {".github/workflows/post-release.yml": None})
    summary, outputs = tmp_path / "summary.md", tmp_path / "outputs"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    monkeypatch.setenv("GITHUB_OUTPUT", str(outputs))
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    assert main(["doctor", "--repo", str(repo)]) == 1
    out, err = capsys.readouterr()
    assert "::error title=doctor%3A release-branches::" in err
    assert "::warning title=doctor%3A workflows::" in err
    assert "::" not in out
    assert "[fail] release-branches: " in out and "       fix: create each" in out
    table = summary.read_text()
    assert "Release doctor on main: 1 failed, 1 warning" in table
    assert "| `release-branches` | :x: fail |" in table
    assert "| `workflows` | :warning: warn |" in table
    written = outputs.read_text()
    assert "status=fail\n" in written
    assert "failed-checks=release-branches\n" in written
    assert "warned-checks=workflows\n" in written


def test_cli_only_warnings_exit_0(repo: Path) -> None:
    commit(repo, {".github/workflows/post-release.yml": None})
    assert main(["doctor", "--repo", str(repo), "--branch", "main"]) == 0


def test_cli_branch_flag_overrides_head(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Checked out on main, told it is release-0.7.x: main's .dev0 is wrong there."""
    assert main(["doctor", "--repo", str(repo), "--branch", "release-0.7.x", "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["branch"] == "release-0.7.x"
    assert data["failed"] == ["fallback-version"]


def test_detached_head_checks_agreement_only(repo: Path) -> None:
    git(repo, "checkout", "--quiet", "--detach", "v0.7.1")
    report = doctor(repo, load_config(repo), env={})
    assert report.branch == ""
    check = report.check("fallback-version")
    assert check.status == OK and "only agreement was checked" in check.detail
    ci = doctor(repo, load_config(repo), env={"GITHUB_REF": "refs/heads/release-0.7.x"})
    assert ci.branch == "release-0.7.x"
    assert ci.check("fallback-version").detail.endswith("(prepared release of release-0.7.x)")


def test_cli_rejects_a_bad_count(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["doctor", "--repo", str(repo), "--count", "0"]) == 1
    assert "error: invalid --count '0'" in capsys.readouterr().err
