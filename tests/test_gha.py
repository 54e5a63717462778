"""GitHub Actions I/O: outputs with random delimiters, escaped annotations, summaries, inputs."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from release_actions.core.errors import InvalidValueError, ReleaseActionsError
from release_actions.interface.output import (
    annotation,
    env_bool,
    env_choice,
    env_str,
    markdown_table,
    report_error,
    write_outputs,
    write_summary,
)


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
    annotation("error", "bad 100%\nvalue", title="Invalid: tag, value", stream=stream)
    assert stream.getvalue() == "::error title=Invalid%3A tag%2C value::bad 100%25%0Avalue\n"


def test_report_error_annotation_and_summary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    stream = io.StringIO()
    report_error(
        ReleaseActionsError("tag 'x' is bad.", fix="use v1.2.3", title="Bad tag"), stream=stream
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


def test_typed_inputs() -> None:
    env = {"A": "  yes ", "B": "Off", "C": "maybe", "D": " x ", "E": "pypi"}
    assert env_bool("A", env=env) is True
    assert env_bool("B", env=env) is False
    assert env_bool("MISSING", True, env=env) is True
    with pytest.raises(InvalidValueError, match="maybe"):
        env_bool("C", env=env)
    assert env_str("D", env=env) == "x"
    assert env_choice("E", ("pypi", "testpypi"), "testpypi", env=env) == "pypi"
    with pytest.raises(InvalidValueError, match="'x'"):
        env_choice("D", ("pypi",), "pypi", env=env)
