"""Taking a rehearsal down whatever happens: SIGTERM as an exception, stray step processes.

act runs each step of a host-mode job in a session of its own (a pseudo-terminal),
outside act's process group, so killing act's group can leave a step's children
running. Every step of a rehearsal carries ``RA_REHEARSAL_ID=<uuid>`` in its
environment; :func:`kill_marked` finds them by it (``/proc``, Linux) and kills them.
"""

from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

__all__ = ["Terminated", "kill_marked", "sigterm_as_exception"]


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the rehearsal was, so every ``finally`` runs."""


@contextlib.contextmanager
def sigterm_as_exception() -> Iterator[None]:
    def handler(signum: int, frame: FrameType | None) -> None:
        raise Terminated()

    try:
        previous = signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def kill_marked(marker: str) -> list[int]:
    """SIGKILL every process whose environment holds ``marker`` (steps act left behind: act
    runs each step in a session of its own, outside its process group). Linux only."""
    killed: list[int] = []
    needle = b"\0" + marker.encode() + b"\0"
    proc = Path("/proc")
    if not proc.is_dir():
        return killed
    for entry in proc.iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            data = (entry / "environ").read_bytes()
        except OSError:
            continue
        if needle in b"\0" + data + b"\0":
            with contextlib.suppress(OSError):
                os.kill(int(entry.name), signal.SIGKILL)
                killed.append(int(entry.name))
    return killed
