"""GitHub Actions I/O at the edges: inputs from env, outputs, summary, annotations.

Outputs are written to ``$GITHUB_OUTPUT`` with a random heredoc delimiter, so a
value can never terminate its own block. Annotations are escaped as the runner
expects (``%``, CR, LF, and for properties ``:`` and ``,``).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TextIO

from release_actions.core.errors import InvalidValueError, ReleaseActionsError

TRUE_WORDS = frozenset({"true", "yes", "1", "on"})
FALSE_WORDS = frozenset({"false", "no", "0", "off", ""})


def env_str(name: str, default: str = "", env: Mapping[str, str] | None = None) -> str:
    """Read a trimmed string input from ``env`` (the process environment by default)."""
    value = (os.environ if env is None else env).get(name, "")
    value = value.strip()
    return value if value else default


def env_bool(name: str, default: bool = False, env: Mapping[str, str] | None = None) -> bool:
    """Read a boolean input; accepts true/false/yes/no/1/0/on/off (any case)."""
    raw = (os.environ if env is None else env).get(name, "").strip().lower()
    if not raw:
        return default
    if raw in TRUE_WORDS:
        return True
    if raw in FALSE_WORDS:
        return False
    raise InvalidValueError(name, raw, "true or false")


def env_choice(
    name: str, choices: tuple[str, ...], default: str, env: Mapping[str, str] | None = None
) -> str:
    value = env_str(name, default, env)
    if value not in choices:
        raise InvalidValueError(name, value, " | ".join(choices))
    return value


def escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def annotation(level: str, message: str, *, title: str = "", stream: TextIO | None = None) -> None:
    """Print a ``::error``/``::warning``/``::notice`` workflow command."""
    props = f" title={escape_property(title)}" if title else ""
    print(f"::{level}{props}::{escape_data(message)}", file=stream or sys.stdout, flush=True)


def _format_output(name: str, value: str) -> str:
    if "\n" not in value and "\r" not in value:
        return f"{name}={value}\n"
    import secrets  # only when a multi-line value is written

    while True:
        delimiter = f"ghadelimiter_{secrets.token_hex(16)}"
        if delimiter not in value:
            return f"{name}<<{delimiter}\n{value}\n{delimiter}\n"


def output_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    return str(value)


def write_outputs(outputs: Mapping[str, object], path: str | None = None) -> None:
    """Append outputs to ``$GITHUB_OUTPUT`` (kebab-case names), if it is set."""
    target = path if path is not None else os.environ.get("GITHUB_OUTPUT", "")
    if not target:
        return
    with Path(target).open("a", encoding="utf-8") as fh:
        for name, value in outputs.items():
            fh.write(_format_output(name.replace("_", "-"), output_value(value)))


def write_summary(markdown: str, path: str | None = None) -> None:
    """Append Markdown to ``$GITHUB_STEP_SUMMARY``, if it is set."""
    target = path if path is not None else os.environ.get("GITHUB_STEP_SUMMARY", "")
    if not target:
        return
    with Path(target).open("a", encoding="utf-8") as fh:
        fh.write(markdown.rstrip("\n") + "\n")


def report_error(err: ReleaseActionsError, *, stream: TextIO | None = None) -> None:
    """Report a failure as an annotation (with its fix) and in the step summary."""
    annotation("error", str(err), title=err.title, stream=stream)
    lines = [f"### :x: {err.title}", "", err.message]
    if err.fix:
        lines += ["", f"**Fix:** {err.fix}"]
    write_summary("\n".join(lines) + "\n")


def markdown_table(rows: list[tuple[str, str]], header: tuple[str, str] = ("", "")) -> str:
    out = [f"| {header[0]} | {header[1]} |", "| --- | --- |"]
    for key, value in rows:
        cell = value.replace("|", "\\|") if value else " "
        out.append(f"| {key} | `{cell}` |" if value else f"| {key} | |")
    return "\n".join(out) + "\n"
