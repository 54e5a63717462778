"""GitHub Actions I/O: outputs with random delimiters, escaped annotations, summaries, inputs."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from release_actions.core.errors import ReleaseActionsError
from release_actions.interface.output import (
    Console,
    markdown_table,
    redact,
    write_outputs,
    write_summary,
)

ACTIONS = {"GITHUB_ACTIONS": "true"}


def parse_output_file(text: str) -> dict[str, str]:
    """Parse $GITHUB_OUTPUT the way the runner does."""
    result: dict[str, str] = {}
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line:
            i += 1
            continue
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            body = []
            i += 1
            while lines[i] != delimiter:
                body.append(lines[i])
                i += 1
            result[name] = "\n".join(body)
        else:
            name, value = line.split("=", 1)
            result[name] = value
        i += 1
    return result


def test_outputs_single_and_multiline(tmp_path: Path) -> None:
    out = tmp_path / "out"
    evil = "line1\nEOF\nghadelimiter_x\nname=injected"
    write_outputs({"version": "0.4.5", "publish_npm": True, "notes": evil, "empty": None}, str(out))
    parsed = parse_output_file(out.read_text())
    assert parsed == {"version": "0.4.5", "publish-npm": "true", "notes": evil, "empty": ""}
    delimiters = re.findall(r"^notes<<(\S+)$", out.read_text(), re.M)
    assert len(delimiters) == 1 and len(delimiters[0]) > 30


def test_random_delimiters_differ(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_outputs({"a": "x\ny"}, str(out))
    write_outputs({"a": "x\ny"}, str(out))
    delimiters = re.findall(r"^a<<(\S+)$", out.read_text(), re.M)
    assert len(set(delimiters)) == 2


def test_outputs_without_github_output_do_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Outside Actions (no GITHUB_OUTPUT) nothing is written, not even a stray file."""
    monkeypatch.delenv("GITHUB_OUTPUT", raising=False)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    monkeypatch.chdir(tmp_path)
    write_outputs({"a": "b"})
    write_summary("text")
    assert list(tmp_path.iterdir()) == []


def test_annotation_escaping() -> None:
    stream = io.StringIO()
    Console(ACTIONS, stderr=stream).diagnostic(
        "error", "bad 100%\nvalue", title="Invalid: tag, value"
    )
    assert stream.getvalue() == "::error title=Invalid%3A tag%2C value::bad 100%25%0Avalue\n"


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_terminal_diagnostics_are_plain_lines_coloured_only_on_a_tty() -> None:
    plain, tty, no_color = io.StringIO(), _Tty(), _Tty()
    Console({}, stderr=plain).warning("careful", title="x")
    Console({}, stderr=tty).warning("careful", title="x")
    Console({"NO_COLOR": "1"}, stderr=no_color).warning("careful", title="x")
    assert plain.getvalue() == "warning: careful\n"
    assert tty.getvalue() == "\033[33mwarning:\033[0m careful\n"
    assert no_color.getvalue() == "warning: careful\n"


def test_terminal_error_is_an_error_line_and_a_fix_line() -> None:
    stderr, stdout = io.StringIO(), io.StringIO()
    err = ReleaseActionsError(
        "no token.", fix="export GITHUB_TOKEN", actions_fix="pass env: GITHUB_TOKEN", title="T"
    )
    Console({}, stderr=stderr, stdout=stdout).error(err)
    assert stderr.getvalue() == "error: no token.\nfix: export GITHUB_TOKEN\n"
    assert stdout.getvalue() == ""
    actions = io.StringIO()
    Console(ACTIONS, stderr=actions).error(err)
    assert actions.getvalue() == "::error title=T::no token. Fix: pass env: GITHUB_TOKEN\n"


def test_json_error_document_on_stdout() -> None:
    import json

    stdout = io.StringIO()
    err = ReleaseActionsError("bad tag 'x'.", fix="use v1.2.3", title="Bad tag")
    Console({}, stdout=stdout, stderr=io.StringIO(), as_json=True).error(err)
    assert json.loads(stdout.getvalue()) == {
        "error": "bad tag 'x'.",
        "fix": "use v1.2.3",
        "title": "Bad tag",
    }


def test_credentials_in_urls_are_redacted_everywhere() -> None:
    assert redact("see https://user:s3cret@host/x and http://tok@h/") == (
        "see https://***@host/x and http://***@h/"
    )
    stderr, stdout = io.StringIO(), io.StringIO()
    console = Console({}, stderr=stderr, stdout=stdout, as_json=True)
    console.warning("index https://__token__:pypi-SECRET@upload.example/legacy/")
    console.error(ReleaseActionsError("push to https://x:ghp_SECRET@github.com/o/r failed"))
    assert "SECRET" not in stderr.getvalue() + stdout.getvalue()
    result, text = io.StringIO(), io.StringIO()
    Console({}, stdout=result, stderr=io.StringIO(), as_json=True).result(
        {"index_url": "https://u:pw-SECRET@idx/simple/"}, outputs=False
    )
    Console({}, stdout=text, stderr=io.StringIO()).result(
        {"index_url": "https://u:pw-SECRET@idx/simple/"}, outputs=False
    )
    assert "SECRET" not in result.getvalue() + text.getvalue()
    assert "https://***@idx/simple/" in text.getvalue()


def test_report_error_annotation_and_summary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    stream = io.StringIO()
    Console(ACTIONS, stderr=stream).error(
        ReleaseActionsError("tag 'x' is bad.", fix="use v1.2.3", title="Bad tag")
    )
    assert stream.getvalue().startswith("::error title=Bad tag::tag 'x' is bad. Fix: use v1.2.3")
    text = summary.read_text()
    assert "### :x: Bad tag" in text and "**Fix:** use v1.2.3" in text


def test_summary_appends(tmp_path: Path) -> None:
    path = tmp_path / "s.md"
    write_summary("one", str(path))
    write_summary("two\n", str(path))
    assert path.read_text() == "one\ntwo\n"


def test_markdown_table_escapes_pipes() -> None:
    table = markdown_table([("a", "x|y"), ("b", "")], ("key", "value"))
    assert "| a | `x\\|y` |" in table and "| b | |" in table
