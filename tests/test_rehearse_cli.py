"""``release-actions rehearse`` refuses bad input before anything starts: one ``error:`` line
naming the value (and its fix), exit code 1, no world, no act; with ``--json`` the error
document is the only thing on stdout."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from release_actions.interface.cli import main
from release_actions.rehearsal import engine
from release_actions.rehearsal import request as checks
from tests.testbed.rehearse_repo import make_repo, workflow

DISPATCH = workflow(
    """  workflow_dispatch:
    inputs:
      dry_run: {type: boolean, default: false}
  release:
    types: [published]""",
    "      - run: true\n",
)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_repo(tmp_path / "repo", {".github/workflows/ci.yml": DISPATCH}, tags=["v1.0.0"])


@pytest.fixture
def nothing_starts(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Fail the test if a world would be assembled; the temp folder must stay empty."""

    def boom(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the rehearsal started")

    monkeypatch.setattr(engine, "rehearse", boom)
    monkeypatch.setattr(engine, "running_world", boom)
    for name in list(__import__("os").environ):
        if name.startswith(("RA_", "GITHUB_")):
            monkeypatch.delenv(name)
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    monkeypatch.setenv("TMPDIR", str(tmp))
    return tmp


BAD: list[tuple[str, list[str], str]] = [
    ("no-event", [], "--event"),
    ("unknown-event", ["--event", "pull_request"], "pull_request"),
    ("missing-tag", ["--event", "release", "--tag", "v9.9.9"], "v9.9.9"),
    ("no-tag", ["--event", "release"], "--tag"),
    ("input-not-a-pair", ["--event", "workflow_dispatch", "--input", "dry_run"], "dry_run"),
    ("unknown-input", ["--event", "workflow_dispatch", "--input", "nope=1"], "nope"),
    ("bad-boolean", ["--event", "workflow_dispatch", "--input", "dry_run=yes"], "yes"),
    ("bad-var-name", ["--event", "release", "--tag", "v1.0.0", "--var", "1X=a"], "1X"),
    ("bad-ruleset", ["--event", "release", "--tag", "v1.0.0", "--ruleset", "heads/x"], "heads/x"),
    ("bad-repository", ["--event", "release", "--tag", "v1.0.0", "--repository", "x"], "'x'"),
    ("bad-timeout", ["--event", "release", "--tag", "v1.0.0", "--timeout", "0"], "--timeout"),
    (
        "missing-workflow",
        ["--event", "release", "--tag", "v1.0.0", "--workflow", "nope.yml"],
        "nope.yml",
    ),
    ("workflow-wrong-event", ["--event", "push"], "push"),
    (
        "bad-checkout-source",
        ["--event", "release", "--tag", "v1.0.0", "--checkout-source", "a/b=/no/such/dir"],
        "/no/such/dir",
    ),
    (
        "bad-release-actions",
        ["--event", "release", "--tag", "v1.0.0", "--release-actions", "/"],
        "--release-actions",
    ),
    # review: inputs that used to pass the boundary
    ("prerelease-on-push", ["--event", "push", "--prerelease"], "--prerelease"),
    ("repository-dot-dot", ["--event", "release", "--tag", "v1.0.0", "--repository", "../.."],
     "'../..'"),
    ("repository-name-dot-dot", ["--event", "release", "--tag", "v1.0.0", "--repository",
                                 "acme/.."], "acme/.."),
    ("checkout-source-dot-dot", ["--event", "release", "--tag", "v1.0.0", "--checkout-source",
                                 "../..=."], "'../..'"),
    ("checkout-source-empty-path", ["--event", "release", "--tag", "v1.0.0",
                                    "--checkout-source", "a/b="], "--checkout-source"),
    ("var-of-the-world", ["--event", "release", "--tag", "v1.0.0", "--var",
                          "PYPI_REPOSITORY_URL=https://upload.pypi.org/legacy/"],
     "PYPI_REPOSITORY_URL"),
    ("env-of-the-world", ["--event", "release", "--tag", "v1.0.0", "--env",
                          "GITHUB_API_URL=https://api.github.com"], "GITHUB_API_URL"),
    ("protect-a-full-ref", ["--event", "release", "--tag", "v1.0.0", "--protect",
                            "refs/heads/main"], "refs/heads/main"),
]  # fmt: skip


@pytest.mark.parametrize(("argv", "named"), [c[1:] for c in BAD], ids=[c[0] for c in BAD])
def test_bad_input_is_refused_before_anything_starts(
    repo: Path,
    nothing_starts: Path,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    named: str,
) -> None:
    code = main(["rehearse", "--repo", str(repo), *argv])
    out, err = capsys.readouterr()
    assert code == 1
    assert out == ""
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, err
    assert named in errors[0]
    assert any(line.startswith("fix:") for line in err.splitlines())
    assert "Traceback" not in err
    assert list(nothing_starts.iterdir()) == []


def test_a_malformed_event_file_gives_one_json_error(
    repo: Path, nothing_starts: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    event = tmp_path / "event.json"
    event.write_text('{"inputs": {"dry_run": "maybe"}}')
    code = main(["rehearse", "--repo", str(repo), "--event", "workflow_dispatch",
                 "--event-file", str(event), "--json"])  # fmt: skip
    out, err = capsys.readouterr()
    assert code == 1
    document = json.loads(out)
    assert set(document) == {"error", "fix", "title"}
    assert "maybe" in document["error"]
    assert "error:" in err


def test_not_a_git_repository(
    tmp_path: Path, nothing_starts: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    assert main(["rehearse", "--repo", str(plain), "--event", "push"]) == 1
    assert "not a git repository" in capsys.readouterr().err


def test_unknown_flag_is_a_usage_error(
    repo: Path, nothing_starts: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["rehearse", "--repo", str(repo), "--no-such-flag"]) == 2
    assert "--no-such-flag" in capsys.readouterr().err


def test_rehearse_is_not_imported_by_other_commands() -> None:
    import subprocess
    import sys

    from tests.testbed.rehearse_repo import ROOT

    probe = (
        "import sys\nimport release_actions.interface.cli\n"
        "import release_actions.interface.commands.maintained\n"
        "print(any(m.startswith('release_actions.rehearsal') for m in sys.modules))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True,
        env={"PYTHONPATH": str(ROOT / "action-lib"), "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert proc.stdout.strip() == "False"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://github.com/acme/widget.git", "acme/widget"),
        ("git@github.com:acme/widget.git", "acme/widget"),
        ("ssh://git@github.com/acme/widget", "acme/widget"),
        ("https://gitlab.com/acme/widget.git", "local/repo"),
        ("", "local/repo"),
    ],
)
def test_the_default_repository(repo: Path, url: str, expected: str) -> None:
    from tests.testbed.rehearse_repo import git

    if url:
        git(repo, "remote", "add", "origin", url)
    assert checks.default_repository(repo) == expected


def test_the_default_branch_never_asks_the_network(repo: Path) -> None:
    from tests.testbed.rehearse_repo import git

    git(repo, "remote", "add", "origin", "https://github.invalid/acme/widget.git")
    git(repo, "branch", "-m", "main", "trunk")
    from release_actions.adapters.manifests import load_config

    assert checks.default_branch_of(repo, load_config(repo)) == "trunk"  # no ls-remote
    (repo / "pyproject.toml").write_text('[tool.release-actions]\ndefault-branch = "dev"\n')
    assert checks.default_branch_of(repo, load_config(repo)) == "dev"


def test_a_failure_log_has_no_workflow_command_lines() -> None:
    from release_actions.rehearsal.act.runner import ActResult

    stdout = "\n".join(
        json.dumps(e)
        for e in (
            {"jobID": "b", "msg": "  ⚙  ::set-output:: x=1"},
            {"jobID": "b", "msg": "step said hello"},
            {"jobID": "b", "command": "error", "arg": "it broke"},
            {"jobID": "b", "jobResult": "failure"},
        )
    )
    result = ActResult.parse(
        stdout, args=[], returncode=1, stderr="", duration=1.0,
        run_dir=Path("."), artifacts_dir=Path("."),
    )  # fmt: skip
    text = engine.failure_log(result)
    assert "::" not in text
    assert "failed jobs: b" in text and "error: it broke" in text and "hello" in text


def test_a_checkout_source_must_be_a_git_repository(
    repo: Path, nothing_starts: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    argv = ["--event", "release", "--tag", "v1.0.0", "--checkout-source", f"a/b={plain}"]
    assert main(["rehearse", "--repo", str(repo), *argv]) == 1
    err = capsys.readouterr().err
    assert "a git repository" in err and str(plain) in err


@pytest.mark.parametrize(
    "item",
    ["=hunter2-secret", "hunter2-secret", "TOKEN=hunter2-secret\nmore"],
    ids=["no-name", "no-equals", "newline"],
)
def test_a_malformed_secret_never_shows_its_value(
    repo: Path, nothing_starts: Path, capsys: pytest.CaptureFixture[str], item: str
) -> None:
    argv = ["--event", "release", "--tag", "v1.0.0", "--secret", item, "--json"]
    assert main(["rehearse", "--repo", str(repo), *argv]) == 1
    out, err = capsys.readouterr()
    assert "hunter2" not in out + err
    assert "--secret" in json.loads(out)["error"]
    assert len([line for line in err.splitlines() if line.startswith("error:")]) == 1


@pytest.mark.parametrize(
    "url",
    ["https://user:s3cret pw@host/simple/", "https://user:s3cret/pw@host/simple/"],
    ids=["space", "slash"],
)
def test_a_malformed_prefill_url_never_shows_its_password(
    repo: Path, nothing_starts: Path, capsys: pytest.CaptureFixture[str], url: str
) -> None:
    argv = ["--event", "release", "--tag", "v1.0.0", "--prefill-from-registries",
            "--prefill-pypi", url, "--json"]  # fmt: skip
    assert main(["rehearse", "--repo", str(repo), *argv]) == 1
    out, err = capsys.readouterr()
    assert "s3cret" not in out + err and "pw@" not in out + err
    assert "--prefill-pypi" in json.loads(out)["error"]


def test_credentials_with_an_at_sign_in_the_user_are_redacted() -> None:
    from release_actions.core.text_inputs import redact_url
    from release_actions.interface.output import redact

    text = "source https://bob@corp:s3cret@pypi.corp/simple/ unreachable"
    assert "s3cret" not in redact_url(text) and "s3cret" not in redact(text)
    assert redact("https://pypi.org/simple/a@b") == "https://pypi.org/simple/a@b"


def test_an_abbreviated_json_flag_is_refused(
    repo: Path, nothing_starts: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--jso`` set --json for argparse while the output stayed text: no JSON document."""
    assert main(["rehearse", "--repo", str(repo), "--event", "push", "--jso"]) == 2
    assert "--jso" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("content", "named"),
    [
        ('{"inputs": ["dry_run"]}', "inputs"),
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
        ('{"ref": 5}', "a JSON string"),
        ('{"repository": "acme/widget"}', "repository"),
    ],
    ids=["inputs-as-list", "deeply-nested", "ref-not-a-string", "repository-not-an-object"],
)
def test_a_malformed_event_file_is_an_error_not_a_crash(
    repo: Path,
    nothing_starts: Path,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    content: str,
    named: str,
) -> None:
    event = tmp_path / "event.json"
    event.write_text(content)
    code = main(["rehearse", "--repo", str(repo), "--event", "workflow_dispatch",
                 "--event-file", str(event), "--json"])  # fmt: skip
    out, err = capsys.readouterr()
    assert code == 1, err  # not 3, "a bug"
    assert named in json.loads(out)["error"] + json.loads(out)["fix"]
    assert "Traceback" not in err


def test_an_oversized_event_file_is_refused(
    repo: Path,
    nothing_starts: Path,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from release_actions.rehearsal import event as event_module

    monkeypatch.setattr(event_module, "MAX_EVENT_FILE_BYTES", 64)
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"inputs": {"dry_run": "true", "pad": "x" * 100}}))
    code = main(["rehearse", "--repo", str(repo), "--event", "workflow_dispatch",
                 "--event-file", str(event)])  # fmt: skip
    assert code == 1
    assert "25 MB" in capsys.readouterr().err


def test_a_workflow_given_twice_runs_once(repo: Path, nothing_starts: Path) -> None:
    rel = ".github/workflows/ci.yml"
    request = engine.Request(
        "release", repo=str(repo), tag="v1.0.0", workflows=(rel, f"./{rel}", str(repo / rel))
    )
    plan = engine.prepare(request, act=Path("/bin/true"))
    assert [w.path for w in plan.workflows] == [rel]


def test_the_verdaccio_install_lock_is_not_left_in_tmpdir(
    nothing_starts: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from release_actions.rehearsal.world import npm_registry

    home = tmp_path / "cache" / "verdaccio-x"
    monkeypatch.setattr(npm_registry, "verdaccio_dir", lambda: home)
    monkeypatch.setattr(npm_registry, "_verdaccio_installed_version", lambda _home: None)
    monkeypatch.setattr(
        npm_registry, "run", lambda *a, **k: __import__("subprocess").CompletedProcess(a, 0)
    )
    npm_registry.ensure_verdaccio()
    assert list(nothing_starts.iterdir()) == []  # $TMPDIR
    assert any(p.name.endswith(".lock") for p in home.parent.iterdir())


def test_an_unusable_cache_folder_is_an_error_not_a_crash(
    repo: Path,
    nothing_starts: Path,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    a_file = tmp_path / "a-file"
    a_file.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(a_file))
    assert main(["rehearse", "--repo", str(repo), "--event", "release", "--tag", "v1.0.0"]) == 1
    err = capsys.readouterr().err
    assert "XDG_CACHE_HOME" in err and str(a_file) in err


def test_a_cache_folder_that_cannot_be_created_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What prepare cannot see without writing (root may not create under /proc)."""
    from release_actions.core.errors import ReleaseActionsError

    a_file = tmp_path / "a-file"
    a_file.write_text("")
    plan = engine.Plan(
        repo=tmp_path, workflows=[], explicit_workflows=False, event=None,  # type: ignore[arg-type]
        repository="a/b", default_branch="main", source=tmp_path, act=Path("/bin/true"),
        protect=[], ruleset=[], checkout_sources={}, variables={}, secrets={}, env={},
        keep=False, timeout=1.0, cache=a_file / "release-actions",
    )  # fmt: skip
    with pytest.raises(ReleaseActionsError, match="XDG_CACHE_HOME"):
        engine._rehearse_in(tmp_path / "root", plan, "m", 0.0, lambda _m: None)
