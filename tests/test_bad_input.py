"""Every malformed value: non-zero exit, an ::error naming the value and the fix, no write.

Two tables, driven through the real CLI entry point with the environment an action
step would have (GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, RA_* inputs):

* ``CASES``: the first hand-written table, in a small scenario repository;
* the generated corpus of :mod:`tests.bad_input_corpus` (categories x commands x
  flag or ``RA_*`` variable), in a clone of the test-bed origin: each case must be
  refused with one ``::error`` line holding ``Fix:``, no traceback (exit code 3 is
  the internal error), no secret, and nothing written in the clone or on origin.

Figures per family: ``.venv/bin/python scripts/bad-input-report.py``.
"""

from __future__ import annotations

import contextlib
import io
from datetime import date
from pathlib import Path

import pytest

from release_actions.core.config import config_from_pyproject
from release_actions.core.errors import InvalidValueError
from release_actions.core.text_inputs import (
    check_branch_name,
    check_date,
    check_url,
    date_from_epoch,
)
from release_actions.interface.cli import main
from tests.bad_input_corpus import FAMILIES, Bed, Case, all_cases, run_case
from tests.testbed.origin import Origin
from tests.testbed.scenario import Scenario, git

CV = "compute-version"
NV = "nightly-version"

# (command, flags, env, the offending value that the error must name)
CASES: list[tuple[str, list[str], dict[str, str], str]] = [
    # versions
    (CV, ["--event", "workflow_dispatch", "--dry-run", "off", "--version", "0.8"], {}, "0.8"),
    (
        CV,
        ["--event", "workflow_dispatch", "--dry-run", "off", "--version", "0.8.0.0"],
        {},
        "0.8.0.0",
    ),
    (CV, ["--event", "workflow_dispatch", "--dry-run", "off", "--version", "v0.8.0"], {}, "v0.8.0"),
    (
        CV,
        ["--event", "workflow_dispatch", "--dry-run", "off", "--version", "0.8.0-rc1"],
        {},
        "0.8.0-rc1",
    ),
    (
        CV,
        ["--event", "workflow_dispatch", "--dry-run", "off", "--version", "0.8.0.post1"],
        {},
        "0.8.0.post1",
    ),
    (
        CV,
        ["--event", "workflow_dispatch", "--dry-run", "off", "--version", "0.8.0+local"],
        {},
        "0.8.0+local",
    ),
    (
        CV,
        ["--event", "workflow_dispatch", "--dry-run", "off", "--version", "1!0.8.0"],
        {},
        "1!0.8.0",
    ),
    (
        CV,
        ["--event", "workflow_dispatch", "--dry-run", "off", "--version", "0.8.0.dev1"],
        {},
        "0.8.0.dev1",
    ),
    (CV, ["--event", "workflow_dispatch", "--dry-run", "off", "--version", "latest"], {}, "latest"),
    (CV, ["--event", "workflow_dispatch", "--dry-run", "off", "--version", "08.0.0"], {}, "08.0.0"),
    (CV, ["--event", "workflow_dispatch", "--dry-run", "off"], {}, "''"),
    (
        CV,
        ["--event", "workflow_dispatch", "--dry-run", "off", "--version", "0.8.0; rm -rf /"],
        {},
        "0.8.0; rm -rf /",
    ),
    (CV, ["--event", "workflow_dispatch", "--dry-run", "off", "--version", "$(id)"], {}, "$(id)"),
    (
        CV,
        ["--event", "workflow_dispatch", "--dry-run", "off", "--version", "0.8.0`id`"],
        {},
        "0.8.0`id`",
    ),
    (
        CV,
        ["--event", "workflow_dispatch", "--dry-run", "off", "--version", "0.8.0\nfoo=bar"],
        {},
        "0.8.0\\nfoo=bar",
    ),
    (CV, ["--event", "workflow_dispatch", "--dry-run", "test-pypi", "--version", "0.8"], {}, "0.8"),
    (
        CV,
        ["--event", "workflow_dispatch", "--dry-run", "test-pypi", "--version", "0.8.0.post1.dev1"],
        {},
        "0.8.0.post1.dev1",
    ),
    (
        CV,
        ["--event", "workflow_dispatch", "--dry-run", "test-pypi", "--version", "0.8.0.DEV1"],
        {},
        "0.8.0.DEV1",
    ),
    (CV, ["--event", "workflow_dispatch"], {"RA_VERSION": "0.8.0 && curl x"}, "0.8.0 && curl x"),
    # tags
    (CV, ["--event", "release", "--tag", "0.8.0"], {}, "0.8.0"),
    (CV, ["--event", "release", "--tag", "v0.8"], {}, "v0.8"),
    (CV, ["--event", "release", "--tag", "v0.8.0.0"], {}, "v0.8.0.0"),
    (CV, ["--event", "release", "--tag", "v0.8.0.1rc1"], {}, "v0.8.0.1rc1"),
    (CV, ["--event", "release", "--tag", "v0.5.0.post1"], {}, "v0.5.0.post1"),
    (CV, ["--event", "release", "--tag", "v0.8.1-devX"], {}, "v0.8.1-devX"),
    (CV, ["--event", "release", "--tag", "v0.8.1-dev"], {}, "v0.8.1-dev"),
    (CV, ["--event", "release", "--tag", "refs/tags/0.8.0"], {}, "refs/tags/0.8.0"),
    (CV, ["--event", "release", "--tag", "v0.8.0 && id"], {}, "v0.8.0 && id"),
    (CV, ["--event", "release", "--tag", "V0.8.0"], {}, "V0.8.0"),
    (CV, ["--event", "release"], {}, "''"),
    (CV, ["--event", "release", "--tag", "v0.8.0", "--version", "0.8.1"], {}, "0.8.1"),
    # events
    (CV, ["--event", "deploy"], {}, "deploy"),
    (CV, ["--event", "Release"], {}, "Release"),
    (CV, ["--event", "release;id"], {}, "release;id"),
    (CV, [], {"GITHUB_EVENT_NAME": ""}, "''"),
    # dry-run modes
    (CV, ["--event", "workflow_dispatch", "--dry-run", "yes"], {}, "yes"),
    (CV, ["--event", "workflow_dispatch", "--dry-run", "true"], {}, "true"),
    (CV, ["--event", "workflow_dispatch", "--dry-run", "test_pypi"], {}, "test_pypi"),
    (CV, ["--event", "workflow_dispatch", "--dry-run", "OFF"], {}, "OFF"),
    (CV, ["--event", "workflow_dispatch"], {"RA_DRY_RUN": "off'; id"}, "off'; id"),
    # rc target, prerelease flag
    (CV, ["--event", "release", "--tag", "v0.8.0rc1", "--rc-target", "npm"], {}, "npm"),
    (CV, ["--event", "release", "--tag", "v0.8.0"], {"RA_PRERELEASE": "maybe"}, "maybe"),
    # dates
    (CV, ["--event", "schedule", "--date", "2026-11-25"], {}, "2026-11-25"),
    (CV, ["--event", "schedule", "--date", "20261325"], {}, "20261325"),
    (NV, ["--date", "2026112"], {}, "2026112"),
    (NV, ["--date", "20260230"], {}, "20260230"),
    (NV, ["--date", "tomorrow"], {}, "tomorrow"),
    (NV, [], {"SOURCE_DATE_EPOCH": "yesterday"}, "yesterday"),
    # branches
    (NV, ["--branch", "release-0.8"], {}, "release-0.8"),
    (NV, ["--branch", "release-0.8.x; id"], {}, "release-0.8.x; id"),
    (CV, ["--event", "push", "--branch", "release-x.y.x"], {}, "release-x.y.x"),
    # repository
    (NV, ["--repo", "/nonexistent/dir"], {}, "/nonexistent/dir"),
]


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    r = Scenario(tmp_path_factory.mktemp("bad") / "repo", fallback="0.7.2.dev0").commit()
    r.tag("v0.7.2-dev")
    return r.path


@pytest.mark.parametrize(
    ("command", "flags", "env", "value"), CASES, ids=[f"{c}:{f}:{e}" for c, f, e, _ in CASES]
)
def test_bad_input(
    repo: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    command: str,
    flags: list[str],
    env: dict[str, str],
    value: str,
) -> None:
    out, summary = tmp_path / "output", tmp_path / "summary"
    out.write_text("")
    monkeypatch.setenv("GITHUB_OUTPUT", str(out))
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    for name in ("GITHUB_EVENT_NAME", "GITHUB_EVENT_PATH", "GITHUB_REF", "GITHUB_BASE_REF"):
        monkeypatch.delenv(name, raising=False)
    for key, val in env.items():
        monkeypatch.setenv(key, val)
    refs_before = git(repo, "for-each-ref")
    args = [command, *flags]
    if "--repo" not in flags:
        args = [command, "--repo", str(repo), *flags]
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code = main(args)
    printed = stderr.getvalue()
    assert stdout.getvalue() == "", "stdout holds only a result"
    assert code != 0
    errors = [line for line in printed.splitlines() if line.startswith("::error")]
    assert len(errors) == 1, printed
    escaped = value.replace("%", "%25").replace("\n", "%0A")
    assert escaped in errors[0], errors[0]
    assert "Fix: " in errors[0] or "expected" in errors[0]
    assert out.read_text() == "", "no output may be written on bad input"
    assert "**Fix:**" in summary.read_text() or "expected" in summary.read_text()
    assert git(repo, "for-each-ref") == refs_before
    assert git(repo, "status", "--porcelain") == ""


def test_case_count() -> None:
    assert len(CASES) >= 40


@pytest.mark.parametrize(
    ("env", "value"),
    [({"RA_NPM_WAIT_ATTEMPTS": "many"}, "many"), ({"RA_NPM_WAIT_SECONDS": "-3"}, "-3")],
)
def test_bad_numeric_inputs_of_post_release(
    repo: Path, monkeypatch: pytest.MonkeyPatch, env: dict[str, str], value: str
) -> None:
    for key, val in env.items():
        monkeypatch.setenv(key, val)
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    stderr = io.StringIO()
    with contextlib.redirect_stderr(stderr):
        code = main(["post-release", "--repo", str(repo), "--tag", "v0.7.1"])
    errors = [line for line in stderr.getvalue().splitlines() if line.startswith("::error")]
    assert code == 1 and len(errors) == 1 and f"'{value}'" in errors[0], stderr.getvalue()


CORPUS = all_cases()


@pytest.fixture(scope="module")
def bed(origin_template: Origin, tmp_path_factory: pytest.TempPathFactory) -> Bed:
    return Bed(origin_template, tmp_path_factory.mktemp("corpus"))


def _check(bed: Bed, case: Case, tmp_path: Path, *, actions: bool) -> None:
    outcome = run_case(case, bed, tmp_path, actions=actions)
    if outcome.wrote:
        bed.reset()
    report = f"exit {outcome.code}\nstdout: {outcome.stdout}\nstderr: {outcome.stderr}"
    assert not outcome.traceback, report
    assert not outcome.wrote, f"wrote {outcome.wrote}: {report}"
    assert outcome.code not in (0, 3), report
    assert outcome.stdout == "", report
    assert not outcome.leaked, report
    assert outcome.outputs == "", "no step output on bad input"
    if actions:
        errors = outcome.error_lines
        assert len(errors) == 1 and "Fix: " in errors[0], report
        if case.needle:
            escaped = case.needle.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
            assert escaped in errors[0], report
        assert "**Fix:**" in outcome.summary, outcome.summary
    else:
        lines = outcome.stderr.splitlines()
        assert sum(line.startswith("error: ") for line in lines) == 1, report
        assert sum(line.startswith("fix: ") for line in lines) == 1, report


@pytest.mark.parametrize("case", CORPUS, ids=[case.id for case in CORPUS])
def test_corpus(bed: Bed, tmp_path: Path, case: Case) -> None:
    _check(bed, case, tmp_path, actions=True)


TERMINAL_SAMPLE = CORPUS[::15]


@pytest.mark.parametrize("case", TERMINAL_SAMPLE, ids=[case.id for case in TERMINAL_SAMPLE])
def test_corpus_at_a_terminal(bed: Bed, tmp_path: Path, case: Case) -> None:
    _check(bed, case, tmp_path, actions=False)


WRITES = {
    "clone refs": ("branch", "stray"),
    "origin refs": ("branch", "stray"),  # in the bare origin
    "working tree": None,  # a new file
    ".git/config": ("config", "ra.probe", "1"),
    "worktrees": ("worktree", "add", "--quiet", "--detach", "../linked"),
}


@pytest.mark.parametrize("kind", [*WRITES, "stash", "HEAD"])
def test_the_bed_notices_every_kind_of_write(
    origin_template: Origin, tmp_path: Path, kind: str
) -> None:
    """The corpus's verdict "wrote nothing" rests on Bed.snapshot: each kind of write a
    command could make shows up in Bed.changes()."""
    bed = Bed(origin_template, tmp_path)
    work = bed.work
    if kind == "stash":
        (work / "README.md").write_text("changed\n")
        git(work, "stash", "push", "--quiet")
        expected = ["clone refs"]  # refs/stash; the tree is clean again
    elif kind == "HEAD":
        git(work, "checkout", "--quiet", "--detach", "HEAD~1")
        expected = ["clone refs"]
    elif WRITES[kind] is None:
        (work / "new-file.txt").write_text("x\n")
        expected = [kind]
    else:
        git(bed.origin.bare if kind == "origin refs" else work, *WRITES[kind])
        expected = [kind]
    assert bed.changes() == expected


def test_corpus_size() -> None:
    families = {case.family for case in CORPUS}
    assert families == set(FAMILIES)
    assert len(CORPUS) >= 300
    for family in FAMILIES:
        assert sum(case.family == family for case in CORPUS) >= 30, family


# --------------------------------------------------------------------------- the pure checks

TODAY = date(2026, 12, 3)


@pytest.mark.parametrize("text", ["20000101", "20261203", "20261204", "20240229"])
def test_dates_accepted(text: str) -> None:
    assert check_date(text, today=TODAY) == text


@pytest.mark.parametrize(
    "text",
    ["19991231", "20261205", "99991231", "20261203\n", "2026120\u0663", "20230229", "", "2026123"],
)
def test_dates_refused(text: str) -> None:
    with pytest.raises(InvalidValueError):
        check_date(text, today=TODAY)


@pytest.mark.parametrize(("epoch", "day"), [("946684800", "20000101"), ("1796256000", "20261203")])
def test_epochs(epoch: str, day: str) -> None:
    assert date_from_epoch(epoch, today=TODAY) == day


@pytest.mark.parametrize("epoch", ["946684799", "9" * 13, "9" * 12, "-5", "1e9", "1796256000\n"])
def test_epochs_refused(epoch: str) -> None:
    with pytest.raises(InvalidValueError):
        date_from_epoch(epoch, today=TODAY)


@pytest.mark.parametrize(
    "name", ["main", "release-0.7.x", "feature/a.b", "a-b_c", "user@host", "x" * 255]
)
def test_branch_names_accepted(name: str) -> None:
    assert check_branch_name(name) == name


@pytest.mark.parametrize(
    "name",
    [
        "",
        "main\n",
        "a..b",
        "a b",
        "-x",
        "/a",
        "a/",
        "a.lock",
        "a//b",
        "a@{1}",
        "@",
        ".a",
        "a/.b",
        "a~",
        "a^",
        "a:b",
        "a?",
        "a*",
        "a[",
        "a\\b",
        "HEAD",
        "a.",
        "x" * 256,
    ],
)
def test_branch_names_refused(name: str) -> None:
    with pytest.raises(InvalidValueError):
        check_branch_name(name)


@pytest.mark.parametrize(
    "url",
    [
        "https://pypi.org/simple/",
        "http://127.0.0.1:8080/simple/",
        "http://[::1]:3000/",
        "https://user:pw@example.com/x",
    ],
)
def test_urls_accepted(url: str) -> None:
    assert check_url(url) == url


def test_url_errors_never_show_credentials() -> None:
    with pytest.raises(InvalidValueError) as err:
        check_url("https://user:s3cr3t@exa mple.com/")
    assert "s3cr3t" not in str(err.value) and "***@" in str(err.value)


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("bot-email", "bot@example.com\nSigned-off-by: Evil <e@example.com>"),
        ("bot-name", "Evil <e@example.com>"),
        ("npm-registry", "ftp://registry.example/"),
        ("npm-registry", "https://registry.example/\n"),
        ("default-branch", "main..x"),
        ("npm-package", "llama-stack-client\x1b[0m"),
        ("pins", ["llama-stack-client\n"]),
    ],
)
def test_config_text_values_refused(key: str, value: object) -> None:
    with pytest.raises(InvalidValueError):
        config_from_pyproject({"tool": {"release-actions": {key: value}}})
