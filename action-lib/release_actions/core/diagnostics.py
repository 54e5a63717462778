"""Where the lower layers send notices, warnings and tool logs.

Steps and adapters never print: they call :func:`notice`, :func:`warning` or
:func:`log_block`, and the interface decides how that looks (a workflow
command inside GitHub Actions, a plain ``note:``/``warning:`` line on stderr at a
terminal) by installing a sink with :func:`set_sink`. Without a sink the
messages go to stderr as plain lines, so library use never writes to stdout.

>>> seen = []
>>> previous = set_sink(lambda level, message, title: seen.append((level, message, title)))
>>> warning("file skipped", title="upload")
>>> seen
[('warning', 'file skipped', 'upload')]
>>> _ = set_sink(previous)
"""

from __future__ import annotations

import sys
from collections.abc import Callable

Sink = Callable[[str, str, str], None]
"""``sink(level, message, title)``; level is notice | warning | group."""

_sink: Sink | None = None


def set_sink(sink: Sink | None) -> Sink | None:
    """Install ``sink`` for every later message; returns the one it replaces."""
    global _sink
    previous, _sink = _sink, sink
    return previous


def _emit(level: str, message: str, title: str) -> None:
    if _sink is not None:
        _sink(level, message, title)
        return
    label = "note" if level == "notice" else level
    print(
        f"{label}: {message}" if level != "group" else f"--- {title}\n{message}",
        file=sys.stderr,
        flush=True,
    )


def notice(message: str, *, title: str = "") -> None:
    _emit("notice", message, title)


def warning(message: str, *, title: str = "") -> None:
    _emit("warning", message, title)


def log_block(title: str, body: str) -> None:
    """A tool's output under a heading (collapsed in the Actions log)."""
    _emit("group", body.rstrip("\n"), title)
