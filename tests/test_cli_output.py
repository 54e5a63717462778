"""Every command at a terminal and inside GitHub Actions: one output layer.

Each case runs through the real entry point twice, with ``GITHUB_ACTIONS`` unset
and set to ``true``, and with ``--json``. In both modes stdout must be exactly
one JSON document (an error too: ``{"error", "fix", "title"}``). At a terminal
no line on stdout or stderr may be a workflow command (``::``), and the
diagnostics are ``error:``/``fix:``/``warning:``/``note:`` lines; inside Actions
the same diagnostics are annotations on stderr.
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import pytest

from release_actions.interface.cli import COMMANDS, main
from tests.testbed.origin import Origin
from tests.testbed.registries import NpmRegistry, PypiIndex, write_npm_client, write_python_client
from tests.testbed.scenario import Scenario, git

ROOT = Path(__file__).resolve().parent.parent
MODES = ("terminal", "actions")
LABELS = {"error": "error:", "warning": "warning:", "notice": "note:"}


class Run(NamedTuple):
    code: int
    stdout: str
    stderr: str


@pytest.fixture
def cli(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> Callable[[list[str], str, dict[str, str]], Run]:
    def run(argv: list[str], mode: str, env: dict[str, str]) -> Run:
        for name in list(os.environ):
            if name.startswith(("RA_", "GITHUB_")) or name == "NO_COLOR":
                monkeypatch.delenv(name)
        if mode == "actions":
            monkeypatch.setenv("GITHUB_ACTIONS", "true")
            monkeypatch.setenv("GITHUB_OUTPUT", str(tmp_path / f"output-{len(argv)}"))
            monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / f"summary-{len(argv)}"))
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        capsys.readouterr()
        code = main(argv)
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run


def check(
    run: Run, mode: str, *, code: int, levels: tuple[str, ...], report: bool = False
) -> dict[str, object]:
    """The shared promises; returns the JSON document for case-specific assertions.

    A failing command prints the error document, unless its result is a ``report``
    (doctor's findings), which it prints whatever the outcome."""
    assert run.code == code, run
    document = json.loads(run.stdout)  # exactly one document: extra data fails to parse
    assert isinstance(document, dict)
    if code and not report:
        assert set(document) == {"error", "fix", "title"} and document["fix"], document
    lines = run.stdout.splitlines() + run.stderr.splitlines()
    if mode == "terminal":
        assert not [line for line in lines if line.lstrip().startswith("::")], run.stderr
        for level in levels:
            assert any(line.startswith(LABELS[level]) for line in run.stderr.splitlines()), (
                level,
                run.stderr,
            )
        if code and not report:
            assert any(line.startswith("fix:") for line in run.stderr.splitlines()), run.stderr
    else:
        for level in levels:
            assert any(line.startswith(f"::{level}") for line in run.stderr.splitlines()), (
                level,
                run.stderr,
            )
        assert not any(line.startswith("::") for line in run.stdout.splitlines()), run.stdout
    return document


@pytest.fixture(scope="module")
def tagged(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Version tags, a dev tag, two tags that are not versions, no release branches."""
    repo = Scenario(tmp_path_factory.mktemp("tagged") / "repo", fallback="0.7.2.dev0")
    repo.commit().tag("v0.6.0").commit().tag("v0.7.0").tag("v0.7.1").tag("v0.7.2-dev")
    repo.tag("latest").tag("vnext").tag("v0.7-docs")
    repo.commit()
    return repo.path


@pytest.fixture
def shallow(tmp_path: Path) -> Path:
    """A depth-1 clone without tags, as actions/checkout makes by default."""
    root = tmp_path / "shallow"
    repo = Scenario(root / "src", fallback="0.7.2.dev0").commit().tag("v0.8.0-dev")
    repo.commit().commit()
    repo.add_bare_origin(root / "origin.git")
    clone = root / "clone"
    url = f"file://{root / 'origin.git'}"
    subprocess.run(["git", "clone", "-q", "--depth", "1", "--no-tags", url, str(clone)], check=True)
    return clone


# --- commands on a plain repository --------------------------------------------------------

REPO_CASES: list[tuple[str, list[str], int, tuple[str, ...]]] = [
    ("nightly-non-version-tags", ["nightly-version", "--date", "20261201"], 0, ("notice",)),
    ("compute-schedule", ["compute-version", "--event", "schedule", "--no-fetch"], 0, ()),
    ("compute-release", ["compute-version", "--event", "release", "--tag", "v0.7.1"], 0, ()),
    ("compute-bad-tag", ["compute-version", "--event", "release", "--tag", "v0.8"], 1, ("error",)),
    ("compute-bad-flag", ["compute-version", "--no-such-flag"], 2, ("error",)),
    ("doctor-findings", ["doctor"], 1, ("error", "warning")),
    ("plan-bad-version", ["plan", "0.8"], 1, ("error",)),
    ("release-notes-no-token", ["release-notes", "--tag", "v0.7.1"], 1, ("error",)),
    ("prepare-bad-mode", ["prepare-release", "--mode", "yolo"], 1, ("error",)),
    ("post-unknown-tag", ["post-release", "--tag", "v9.9.9", "--dry-run"], 1, ("error",)),
    ("set-version-no-version", ["set-version"], 1, ("error",)),
    ("build-no-version", ["build"], 1, ("error",)),
    ("verify-dists-no-version", ["verify-dists"], 1, ("error",)),
    ("smoke-install-no-version", ["smoke-install"], 1, ("error",)),
    ("publish-pypi-plan-no-index", ["publish-pypi-plan"], 1, ("error",)),
    ("publish-npm-no-package", ["publish-npm"], 1, ("error",)),
    ("wait-pypi-no-index", ["wait-pypi"], 1, ("error",)),
    ("rehearse-unknown-event", ["rehearse", "--event", "pull_request"], 1, ("error",)),
]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("argv", "code", "levels"),
    [case[1:] for case in REPO_CASES],
    ids=[case[0] for case in REPO_CASES],
)
def test_json_and_diagnostics(
    cli: Callable[..., Run],
    tagged: Path,
    mode: str,
    argv: list[str],
    code: int,
    levels: tuple[str, ...],
) -> None:
    module = importlib.import_module(f"release_actions.interface.commands.{COMMANDS[argv[0]][0]}")
    if any(row.name == "--repo" for row in module.OPTIONS):
        argv = [*argv, "--repo", str(tagged)]
    run = cli([*argv, "--json"], mode, {"GITHUB_TOKEN": ""})
    document = check(run, mode, code=code, levels=levels, report=argv[0] == "doctor")
    if argv[0] == "doctor":
        assert document["status"] == "fail" and document["failed"]


def test_every_command_is_covered() -> None:
    covered = {case[1][0] for case in REPO_CASES}
    covered |= {"maintained"}  # its own test below: --format json is its JSON document
    assert covered == set(COMMANDS)


@pytest.mark.parametrize("mode", MODES)
def test_nightly_in_a_shallow_clone(cli: Callable[..., Run], shallow: Path, mode: str) -> None:
    run = cli(["nightly-version", "--repo", str(shallow), "--json", "--date", "20261201"], mode, {})
    document = check(run, mode, code=0, levels=("notice",))
    assert document["version"] == "0.8.0.dev20261201"


@pytest.mark.parametrize("mode", MODES)
def test_nightly_annotation_reaches_the_log_as_well_as_the_result(
    cli: Callable[..., Run], tagged: Path, mode: str
) -> None:
    run = cli(["nightly-version", "--repo", str(tagged), "--date", "20261201"], mode, {})
    assert run.code == 0
    assert run.stdout.splitlines()[0] == "version=0.7.2.dev20261201"
    assert "vnext" in run.stderr and "v0.7-docs" in run.stderr


@pytest.mark.parametrize("mode", MODES)
def test_maintained_documents_stay_clean(cli: Callable[..., Run], tagged: Path, mode: str) -> None:
    """The Mergify YAML on stdout becomes .mergify.yml: no annotation may land in it."""
    run = cli(["maintained", "--repo", str(tagged), "--format", "mergify"], mode, {})
    assert run.code == 0 and "release-0.7.x" in run.stdout
    assert not [line for line in run.stdout.splitlines() if line.startswith("::")]
    expected = "::warning" if mode == "actions" else "warning: release-0.7.x does not exist"
    assert expected in run.stderr
    as_json = cli(["maintained", "--repo", str(tagged), "--format", "json"], mode, {})
    document = json.loads(as_json.stdout)
    assert [row["branch"] for row in document["include"]][:1] == ["release-0.7.x"]


@pytest.mark.parametrize("mode", MODES)
def test_doctor_reports_each_finding_once(cli: Callable[..., Run], tagged: Path, mode: str) -> None:
    run = cli(["doctor", "--repo", str(tagged)], mode, {})
    assert run.code == 1
    fails = [line for line in run.stdout.splitlines() if line.startswith("[fail]")]
    assert len(fails) == 2, run.stdout  # scm-build-requires, release-branches
    assert "%3A" not in run.stdout + run.stderr.replace("title=doctor%3A", "")
    if mode == "terminal":
        assert run.stderr == "", "the report on stdout is the only place a finding appears"
    else:
        annotations = [line for line in run.stderr.splitlines() if line.startswith("::")]
        assert len(annotations) == len(set(annotations)) == 4, run.stderr


# --- writing commands on the monorepo test bed, as dry runs ---------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_prepare_release_dry_run_with_lock_skip(
    cli: Callable[..., Run], origin: Origin, fresh_pypi_index: PypiIndex, mode: str
) -> None:
    refs = origin.bare_git("for-each-ref")
    argv = ["prepare-release", "--repo", str(origin.work), "--version", "0.7.2", "--json"]
    argv += ["--dry-run", "--lock-policy", "skip", "--index-url", fresh_pypi_index.simple_url]
    document = check(cli(argv, mode, {}), mode, code=0, levels=("notice",))
    assert document["status"] == "dry-run"
    assert origin.bare_git("for-each-ref") == refs


@pytest.mark.parametrize("mode", MODES)
def test_post_release_dry_run(
    cli: Callable[..., Run], origin: Origin, npm_registry: NpmRegistry, mode: str
) -> None:
    origin.bare_git("tag", "v0.7.2", "release-0.7.x")
    origin.git("fetch", "--quiet", "--tags", "origin")
    refs = origin.bare_git("for-each-ref")
    argv = ["post-release", "--repo", str(origin.work), "--tag", "v0.7.2", "--dry-run", "--json"]
    argv += ["--npm-registry", npm_registry.url, "--npm-wait-attempts", "1"]
    document = check(cli(argv, mode, {}), mode, code=0, levels=("notice",))
    assert document["next_dev_version"] == "0.7.3"
    assert origin.bare_git("for-each-ref") == refs


@pytest.mark.parametrize("mode", MODES)
def test_publish_npm_dry_run(
    cli: Callable[..., Run], npm_registry: NpmRegistry, tmp_path: Path, mode: str
) -> None:
    package = write_npm_client(tmp_path / f"pkg-{mode}", "0.8.0-rc.1", name=f"ra-cli-{mode}")
    argv = ["publish-npm", str(package), "--dist-tag", "rc", "--registry", npm_registry.url]
    argv += ["--dry-run", "--json", "--wait-attempts", "1"]
    document = check(cli(argv, mode, npm_registry.env()), mode, code=0, levels=())
    assert document["status"] == "dry-run"
    assert npm_registry.versions(f"ra-cli-{mode}") == []


@pytest.mark.parametrize("mode", MODES)
def test_set_version_dry_run(cli: Callable[..., Run], tmp_path: Path, mode: str) -> None:
    client = write_python_client(tmp_path / f"client-{mode}", "0.7.1")
    before = (client / "pyproject.toml").read_text()
    argv = ["set-version", "--repo", str(client), "--version", "0.8.0", "--dry-run", "--json"]
    run = cli(argv, mode, {})
    check(run, mode, code=0, levels=())
    assert '+version = "0.8.0"' in run.stderr  # the diff goes to stderr with --json
    assert (client / "pyproject.toml").read_text() == before


# --- the process boundary ---------------------------------------------------------------------


def _cli_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RA_", "GITHUB_"))}
    env["PYTHONPATH"] = str(ROOT / "action-lib")
    return {**env, **extra}


def test_a_closed_pipe_ends_quietly(tagged: Path) -> None:
    """``release-actions nightly-version | head -1``: no BrokenPipeError traceback."""
    script = (
        f"{sys.executable} -m release_actions nightly-version --repo {tagged} --date 20261201"
        " | head -c 1"
    )
    proc = subprocess.run(
        ["bash", "-o", "pipefail", "-c", script],
        capture_output=True,
        text=True,
        env=_cli_env(),
        check=False,
    )
    assert proc.stdout == "v"
    assert "Traceback" not in proc.stderr and "BrokenPipe" not in proc.stderr, proc.stderr


def test_an_unexpected_error_is_one_line_with_its_own_exit_code(tmp_path: Path) -> None:
    """The last-resort handler: exit 3, the command and the exception type, no traceback."""
    blocker = tmp_path / "file"
    blocker.write_text("")
    repo = Scenario(tmp_path / "r").commit()
    # A pyproject.toml that is a directory: reading it fails with IsADirectoryError.
    (repo.path / "pyproject.toml").unlink()
    (repo.path / "pyproject.toml").mkdir()
    proc = subprocess.run(
        [sys.executable, "-m", "release_actions", "nightly-version", "--repo", str(repo.path)],
        capture_output=True,
        text=True,
        env=_cli_env(),
        check=False,
    )
    assert proc.returncode in (1, 3), proc
    assert "Traceback" not in proc.stderr, proc.stderr
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, proc.stderr


@pytest.mark.parametrize("mode", MODES)
def test_the_token_fix_fits_where_it_runs(cli: Callable[..., Run], tagged: Path, mode: str) -> None:
    run = cli(["release-notes", "--repo", str(tagged), "--tag", "v0.7.1"], mode, {})
    assert run.code == 1
    if mode == "terminal":
        assert "fix: export GITHUB_TOKEN" in run.stderr and "secrets." not in run.stderr
    else:
        assert "Fix: pass `env: GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}`" in run.stderr


def test_commits_at_a_terminal_use_the_users_identity(
    cli: Callable[..., Run], origin: Origin, fresh_pypi_index: PypiIndex
) -> None:
    git(origin.work, "config", "user.name", "Ada Releaser")
    git(origin.work, "config", "user.email", "ada@example.com")
    argv = ["prepare-release", "--repo", str(origin.work), "--version", "0.7.2", "--no-push"]
    argv += ["--lock-policy", "skip", "--index-url", fresh_pypi_index.simple_url]
    run = cli(argv, "terminal", {})
    assert run.code == 0, run
    author = git(origin.work, "log", "-1", "--format=%an <%ae>", "release-0.7.x")
    assert author == "Ada Releaser <ada@example.com>"
    trailer = git(
        origin.work, "log", "-1", "--format=%(trailers:key=Signed-off-by)", "release-0.7.x"
    )
    assert "Ada Releaser <ada@example.com>" in trailer


def test_commits_in_actions_use_the_bot(
    cli: Callable[..., Run], origin: Origin, fresh_pypi_index: PypiIndex
) -> None:
    argv = ["prepare-release", "--repo", str(origin.work), "--version", "0.7.2", "--no-push"]
    argv += ["--lock-policy", "skip", "--index-url", fresh_pypi_index.simple_url]
    run = cli(argv, "actions", {})
    assert run.code == 0, run
    author = git(origin.work, "log", "-1", "--format=%an", "release-0.7.x")
    assert author == "github-actions[bot]"
