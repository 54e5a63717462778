"""The one output layer: the result on stdout, diagnostics on stderr, Actions files.

A command prints through a :class:`Console`, which knows where it runs:

* stdout holds only the result: ``key=value`` lines, a report, or with
  ``--json`` exactly one JSON document (an error too: ``{"error", "fix", "title"}``);
* diagnostics go to stderr. Inside GitHub Actions (``GITHUB_ACTIONS=true``) they
  are workflow commands (``::error``, ``::warning``, ``::notice``, ``::group``),
  which the runner reads from stderr as from stdout; at a terminal they are
  ``error: ...`` / ``fix: ...`` / ``warning: ...`` / ``note: ...`` lines, coloured
  only on a tty and never when ``NO_COLOR`` is set;
* step outputs go to ``$GITHUB_OUTPUT`` under kebab-case names (the JSON keys are
  snake_case; :func:`output_name` is the one mapping), the Markdown summary to
  ``$GITHUB_STEP_SUMMARY``.

Outputs use a random heredoc delimiter, so a value can never end its own block.
Annotations are escaped as the runner expects (``%``, CR, LF, and for properties
``:`` and ``,``). Credentials inside URLs are redacted from every message.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from release_actions.core.errors import ReleaseActionsError

if TYPE_CHECKING:
    from typing import TextIO

# Compiled on first use (re caches it): nothing is printed before git's reads start.
# Up to the last '@' of the authority, as a URL parser reads it ('u@x:pw@host' hides 'pw').
_URL_CREDENTIALS = r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s]*@"
_COLOURS = {"error": "31", "warning": "33", "note": "36", "fix": "32"}


def redact(text: str) -> str:
    """Hide the credentials of every URL in ``text``.

    >>> redact("upload to https://__token__:pypi-AgE@upload.pypi.org/legacy/ failed")
    'upload to https://***@upload.pypi.org/legacy/ failed'
    """
    if "://" not in text:  # no URL (most lines): no pattern to compile or run
        return text
    return re.sub(_URL_CREDENTIALS, r"\1***@", text)


def escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def output_name(key: str) -> str:
    """The step output name of a ``--json`` key: ``npm_version`` -> ``npm-version``."""
    return key.replace("_", "-")


def output_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    return str(value)


def _format_output(name: str, value: str) -> str:
    if "\n" not in value and "\r" not in value:
        return f"{name}={value}\n"
    import secrets  # only when a multi-line value is written

    while True:
        delimiter = f"ghadelimiter_{secrets.token_hex(16)}"
        if delimiter not in value:
            return f"{name}<<{delimiter}\n{value}\n{delimiter}\n"


def write_outputs(outputs: Mapping[str, object], path: str | None = None) -> None:
    """Append outputs to ``$GITHUB_OUTPUT`` (kebab-case names), if it is set."""
    target = path if path is not None else os.environ.get("GITHUB_OUTPUT", "")
    if not target:
        return
    with open(target, "a", encoding="utf-8") as fh:
        for name, value in outputs.items():
            fh.write(_format_output(output_name(name), output_value(value)))


def write_summary(markdown: str, path: str | None = None) -> None:
    """Append Markdown to ``$GITHUB_STEP_SUMMARY``, if it is set."""
    target = path if path is not None else os.environ.get("GITHUB_STEP_SUMMARY", "")
    if not target:
        return
    with open(target, "a", encoding="utf-8") as fh:
        fh.write(markdown.rstrip("\n") + "\n")


def markdown_table(rows: list[tuple[str, str]], header: tuple[str, str] = ("", "")) -> str:
    out = [f"| {header[0]} | {header[1]} |", "| --- | --- |"]
    for key, value in rows:
        cell = value.replace("|", "\\|") if value else " "
        out.append(f"| {key} | `{cell}` |" if value else f"| {key} | |")
    return "\n".join(out) + "\n"


def summary_rows(data: Mapping[str, Any]) -> list[tuple[str, str]]:
    return [(k, output_value(v)) for k, v in data.items()]


def in_actions(env: Mapping[str, str] | None = None) -> bool:
    return (os.environ if env is None else env).get("GITHUB_ACTIONS") == "true"


class Console:
    """How one command run reports: see the module docstring.

    The streams are looked up when used (``sys.stdout`` at call time), so
    redirections made after construction are honoured.
    """

    def __init__(
        self,
        env: Mapping[str, str] | None = None,
        *,
        stdout: TextIO | None = None,
        stderr: TextIO | None = None,
        as_json: bool = False,
    ) -> None:
        self.env = os.environ if env is None else env
        self.actions = in_actions(self.env)
        self.as_json = as_json
        self._stdout = stdout
        self._stderr = stderr

    @property
    def stdout(self) -> TextIO:
        return self._stdout or sys.stdout

    @property
    def stderr(self) -> TextIO:
        return self._stderr or sys.stderr

    def _colour(self, label: str) -> str:
        if self.env.get("NO_COLOR") or not getattr(self.stderr, "isatty", lambda: False)():
            return f"{label}:"
        return f"\033[{_COLOURS.get(label, '1')}m{label}:\033[0m"

    # --- diagnostics (stderr) -------------------------------------------------
    def diagnostic(self, level: str, message: str, title: str = "") -> None:
        """``level``: error | warning | notice | group (``message`` is then the body)."""
        message = redact(message)
        err = self.stderr
        if level == "group":
            if self.actions:
                print(f"::group::{escape_data(title)}", file=err)
                if message.strip():
                    print(message, file=err)
                print("::endgroup::", file=err, flush=True)
            else:
                print(f"--- {title}", file=err)
                if message.strip():
                    print(message, file=err, flush=True)
            return
        if self.actions:
            props = f" title={escape_property(redact(title))}" if title else ""
            print(f"::{level}{props}::{escape_data(message)}", file=err, flush=True)
            return
        label = "note" if level == "notice" else level
        print(f"{self._colour(label)} {message}", file=err, flush=True)

    def log(self, message: str) -> None:
        """A progress line for the log (stderr), not an annotation."""
        print(redact(message), file=self.stderr, flush=True)

    def notice(self, message: str, title: str = "") -> None:
        self.diagnostic("notice", message, title)

    def warning(self, message: str, title: str = "") -> None:
        self.diagnostic("warning", message, title)

    def error(self, err: ReleaseActionsError, *, result_follows: bool = False) -> None:
        """Report a failure: stderr (annotation or ``error:``/``fix:``), summary, and
        with ``--json`` the error document, unless the command's result follows."""
        fix = redact(err.actions_fix if (self.actions and err.actions_fix) else err.fix)
        message = redact(err.message)
        if self.actions:
            text = f"{message} Fix: {fix}" if fix else message
            self.diagnostic("error", text, err.title)
        else:
            print(f"{self._colour('error')} {message}", file=self.stderr)
            if fix:
                print(f"{self._colour('fix')} {fix}", file=self.stderr, flush=True)
        lines = [f"### :x: {err.title}", "", message]
        if fix:
            lines += ["", f"**Fix:** {fix}"]
        self.summary("\n".join(lines) + "\n")
        if self.as_json and not result_follows:
            self.json({"error": message, "fix": fix, "title": err.title})

    # --- the result (stdout) and the Actions files ------------------------------
    def json(self, document: object) -> None:
        import json  # not on the import path of a plain run

        print(redact(json.dumps(document, indent=2)), file=self.stdout, flush=True)

    def text(self, text: str) -> None:
        """Result text for people (a report, a diff); never mixed into ``--json``."""
        if not self.as_json and text:
            text = redact(text)
            print(text, end="" if text.endswith("\n") else "\n", file=self.stdout, flush=True)

    def result(self, data: Mapping[str, Any], *, outputs: bool = True) -> None:
        """The result: JSON or ``key=value`` lines on stdout; step outputs in Actions."""
        if self.as_json:
            self.json(dict(data))
        else:
            for key, value in data.items():
                print(redact(f"{key}={output_value(value)}"), file=self.stdout)
            self.stdout.flush()
        if outputs:
            self.outputs(data)

    def outputs(self, data: Mapping[str, object]) -> None:
        write_outputs(data)  # a machine channel, not printed: values pass through unchanged

    def summary(self, markdown: str) -> None:
        write_summary(redact(markdown))
