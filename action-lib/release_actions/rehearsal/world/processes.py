"""Child processes of a rehearsal's world: servers that die with us, and commands.

A server binds 127.0.0.1 on a free port, logs to a file, and stops by itself: when
stopped, at interpreter exit, and (on Linux) when this process dies, through
``PR_SET_PDEATHSIG``.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

LOOPBACK = "127.0.0.1"


class RegistryCommandError(RuntimeError):
    """A command against a test registry (upload, publish, npm ci) failed."""

    def __init__(self, argv: Sequence[str], returncode: int, output: str) -> None:
        super().__init__(
            f"command failed with exit code {returncode}: {' '.join(argv)}\n{output.rstrip()}"
        )
        self.argv = list(argv)
        self.returncode = returncode
        self.output = output


def run(
    argv: Sequence[str],
    *,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    check: bool = True,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        list(argv),
        cwd=cwd,
        env=dict(env) if env is not None else None,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if check and proc.returncode != 0:
        raise RegistryCommandError(argv, proc.returncode, proc.stdout + proc.stderr)
    return proc


def tool(name: str) -> str:
    """A tool from the running interpreter's environment (uv, pypi-server), else PATH."""
    candidate = Path(sys.executable).parent / name
    if candidate.exists():
        return str(candidate)
    found = shutil.which(name)
    if found is None:
        raise RuntimeError(f"{name} not found next to {sys.executable} nor on PATH")
    return found


_LIBC: Any = None
if sys.platform.startswith("linux"):
    with contextlib.suppress(OSError):
        _LIBC = ctypes.CDLL(None, use_errno=True)
_PR_SET_PDEATHSIG = 1
_RUNNING: set[ServerProcess] = set()


def _die_with(parent_pid: int) -> Callable[[], None] | None:
    """A ``preexec_fn`` asking the kernel to SIGTERM the child when this process dies."""
    if _LIBC is None:
        return None

    def preexec() -> None:
        _LIBC.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
        if os.getppid() != parent_pid:  # the parent died before prctl took effect
            os._exit(1)

    return preexec


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        port: int = sock.getsockname()[1]
        return port


class ServerProcess:
    """A server child process: logs to a file, dies with us, stopped by :meth:`stop`."""

    def __init__(
        self,
        argv: Sequence[str],
        *,
        log_path: Path,
        cwd: Path | None = None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.argv = list(argv)
        self.log_path = log_path
        with open(log_path, "ab") as log:
            self.popen = subprocess.Popen(
                self.argv,
                cwd=cwd,
                env=dict(env) if env is not None else None,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=_die_with(os.getpid()),
            )
        _RUNNING.add(self)

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def wait_until_up(self, url: str, *, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while True:
            if not self.alive():
                raise RuntimeError(
                    f"{self.argv[0]} exited with {self.popen.returncode} before answering"
                    f" {url}; log {self.log_path}:\n{self.log()}"
                )
            try:
                with urllib.request.urlopen(url, timeout=2) as resp:
                    if resp.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(
                    f"{self.argv[0]} did not answer {url} within {timeout}s;"
                    f" log {self.log_path}:\n{self.log()}"
                )
            time.sleep(0.05)

    def stop(self, timeout: float = 5) -> None:
        _RUNNING.discard(self)
        if self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(timeout)


@atexit.register
def _stop_all() -> None:
    for server in list(_RUNNING):
        server.stop()


def start_with_retry(
    start: Callable[[int], ServerProcess], ready_url: Callable[[int], str], *, timeout: float
) -> tuple[ServerProcess, int]:
    """Start a server on a free port; retry on a new port if another process took it."""
    last: RuntimeError | None = None
    for _ in range(3):
        port = free_port()
        server = start(port)
        try:
            server.wait_until_up(ready_url(port), timeout=timeout)
        except RuntimeError as exc:
            last = exc
            if "EADDRINUSE" in str(exc) or "Address already in use" in str(exc):
                continue
            raise
        return server, port
    assert last is not None
    raise last
