"""The launcher behind ``scripts/run-action``: find or build the action's private venv, then exec.

``scripts/run-action`` starts the caller's Python once, as ``python -I -S``: no
``site`` (so none of the caller's ``.pth`` files run and none of its packages are
importable), no ``PYTHON*`` variables, no user site, no working directory on
``sys.path``. It checks the version (3.10+) and hands over to :func:`main`,
which uses the standard library only:

* **warm** (the usual case after the first step of a job): hash the lock, stat
  the completion marker, ``execv`` the venv's Python. No other process starts.
* **cold**: build the venv in a temporary directory next to its final path, write
  the completion marker last, publish it with one ``rename``. A concurrent job
  either finds nothing (and builds its own; the loser of the rename discards
  its copy) or a complete venv, never a half-built one. A venv at the final path
  without the marker, or whose interpreter has gone, is moved aside and rebuilt.

The venv is created with the standard library's ``venv`` module, without pip, in
this process, and filled from the hash-locked ``requirements/action-<lock>.txt``
(``--require-hashes --only-binary :all: --no-deps``) by, in order of preference:

1. ``uv pip install`` when ``uv`` is on ``PATH`` (astral-sh/setup-uv);
2. the caller's own pip, run *inside the new venv* the way ``pip --python`` runs
   it (``<venv>/bin/python -I <pip>/__pip-runner__.py install ...``, pip >= 22.3),
   so nothing is installed into the caller's Python and no copy of pip is
   bootstrapped;
3. otherwise ``ensurepip`` into the venv and that pip (the slow path of old).

If uv fails (for example an index only pip is configured for), pip runs next;
both enforce the same hashes. Timings and the reasons for these choices:
tests/benchmarks/cold-start.md.

The venv is keyed on the lock's name and hash and on the interpreter
(``venv-py3.11-core-<sha256[:16]>``) under ``$RA_VENV_CACHE``, else the runner's
tool cache, ``RUNNER_TEMP``, ``TMPDIR`` or ``/tmp``, in ``release-actions/``.
The command runs as ``<venv>/bin/python -s`` with ``PYTHONPATH`` set to this
checkout's ``action-lib`` and the working directory removed from ``sys.path``
(the caller's repository must not shadow a dependency).
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # typing itself costs ~10 ms at start-up; the annotations are strings
if TYPE_CHECKING:
    from typing import NoReturn

MARKER = ".complete"
STALE_AFTER = 3600.0  # seconds: leftovers of a killed build older than this are removed
INSTALL_FLAGS = ("--require-hashes", "--no-deps")
# Run by the venv's Python instead of ``-m release_actions``: the same module, but the
# working directory (the caller's checkout) is taken off sys.path first.
BOOT = (
    "import sys\n"
    "if sys.path and sys.path[0] == '': del sys.path[0]\n"
    "import runpy\n"
    "runpy.run_module('release_actions', run_name='__main__', alter_sys=True)\n"
)


class LaunchError(Exception):
    def __init__(self, title: str, message: str, fix: str = "", code: int = 2) -> None:
        super().__init__(message)
        self.title, self.message, self.fix, self.code = title, message, fix, code


def _escape(text: str, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if prop else text


def report(level: str, title: str, message: str, fix: str = "") -> None:
    """``::error``/``::warning`` in GitHub Actions, ``error: ...``/``fix: ...`` elsewhere
    (stderr in both cases, as release_actions.interface.output does)."""
    if os.environ.get("GITHUB_ACTIONS") == "true":
        text = f"{message} Fix: {fix}" if fix else message
        sys.stderr.write(f"::{level} title={_escape(title, True)}::{_escape(text)}\n")
    else:
        sys.stderr.write(f"{level}: {message}\n" + (f"fix: {fix}\n" if fix else ""))
    sys.stderr.flush()


def interpreter_tag() -> str:
    """``py3.11`` (``py3.13t`` free-threaded; ``pypy3.10`` on PyPy)."""
    name = "py" if sys.implementation.name == "cpython" else sys.implementation.name
    major, minor = sys.version_info[:2]
    return f"{name}{major}.{minor}{getattr(sys, 'abiflags', '')}"


def cache_root() -> str:
    env = os.environ
    base = (
        env.get("RA_VENV_CACHE")
        or env.get("RUNNER_TOOL_CACHE")
        or env.get("RUNNER_TEMP")
        or env.get("TMPDIR")
        or "/tmp"
    )
    return os.path.join(os.path.abspath(base), "release-actions")


def venv_python(venv: str) -> str:
    return os.path.join(venv, "bin", "python")


def is_complete(venv: str) -> bool:
    """The marker is written last, and the interpreter the venv links to still exists."""
    return os.path.isfile(os.path.join(venv, MARKER)) and os.path.exists(venv_python(venv))


def sha256_hex(data: bytes) -> str:
    """hashlib's sha256 without loading OpenSSL (``_hashlib`` costs ~5 ms at start-up)."""
    try:
        from _sha2 import sha256  # Python 3.12+
    except ImportError:
        try:
            from _sha256 import sha256  # Python 3.10, 3.11
        except ImportError:
            from hashlib import sha256
    return sha256(data).hexdigest()


def which(name: str) -> str | None:
    """``name`` in an absolute ``PATH`` directory: an empty or relative entry would find
    one in the caller's checkout."""
    for directory in os.environ.get("PATH", "").split(os.pathsep):
        if not os.path.isabs(directory):
            continue
        candidate = os.path.join(directory, name)
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None


def main(argv: list[str]) -> NoReturn:
    try:
        launch(argv)
    except LaunchError as err:
        report("error", err.title, err.message, err.fix)
        sys.exit(err.code)


def launch(argv: list[str]) -> NoReturn:
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    lock_name = "core"
    if argv[:1] == ["--lock"]:
        if len(argv) < 2:
            raise LaunchError("release-actions", "--lock needs a value (core or github)")
        lock_name, argv = argv[1], argv[2:]
    lock = os.path.join(root, "requirements", f"action-{lock_name}.txt")
    if not lock_name.replace("-", "").isalnum() or not os.path.isfile(lock):
        raise LaunchError("release-actions", f"unknown lock '{lock_name}' (no {lock})")
    with open(lock, "rb") as fh:
        lock_hash = sha256_hex(fh.read())[:16]
    venv = os.path.join(cache_root(), f"venv-{interpreter_tag()}-{lock_name}-{lock_hash}")
    if not is_complete(venv):
        replaced = os.path.lexists(venv)
        build(venv, lock)
        if replaced:
            report("warning", "release-actions", f"rebuilt the incomplete environment {venv}")
    os.environ["PYTHONPATH"] = os.path.join(root, "action-lib")
    python = venv_python(venv)
    try:
        os.execv(python, [python, "-s", "-c", BOOT, *argv])
    except OSError as exc:
        raise LaunchError(
            "release-actions", f"cannot run {python}: {exc}", f"remove {venv}", code=1
        ) from None


# --- the cold path -------------------------------------------------------------------


def build(venv: str, lock: str) -> None:
    import shutil
    import tempfile

    parent = os.path.dirname(venv)
    try:
        os.makedirs(parent, exist_ok=True)
        remove_stale(parent)
        tmp = tempfile.mkdtemp(prefix=".venv-", dir=parent)
    except OSError as exc:
        raise LaunchError(
            "release-actions",
            f"cannot create the action environment under {parent}: {exc}",
            "set RA_VENV_CACHE to a writable directory",
        ) from None
    try:
        installer = install(tmp, lock)
        with open(os.path.join(tmp, MARKER), "w", encoding="utf-8") as fh:
            fh.write(f"installer={installer}\ninterpreter={sys.executable}\nlock={lock}\n")
        publish(tmp, venv)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)  # gone after a successful publish


def install(tmp: str, lock: str) -> str:
    """Create the venv at ``tmp`` and install the lock; return which installer did it."""
    import venv

    uv = which("uv")
    if uv:
        venv.create(tmp, symlinks=True)
        argv = [uv, "pip", "install", "--quiet", *INSTALL_FLAGS, "--only-binary", ":all:"]
        code = run([*argv, "--python", venv_python(tmp), "-r", lock], tmp)
        if code == 0:
            return "uv"
        report(
            "warning",
            "release-actions",
            f"uv pip install exited with {code}; installing the action's requirements with pip",
        )
        import shutil

        shutil.rmtree(tmp)
        os.mkdir(tmp)
    runner = pip_runner()
    if runner:
        installer, pip = "pip", [runner]
        venv.create(tmp, symlinks=True)
    else:
        installer, pip = "ensurepip", ["-m", "pip"]
        try:
            venv.create(tmp, symlinks=True, with_pip=True)
        except Exception as exc:  # CalledProcessError, or no ensurepip (Debian without -venv)
            raise LaunchError(
                "release-actions",
                f"no pip >= 22.3 in {sys.executable} and ensurepip failed: {exc}",
                "install uv (astral-sh/setup-uv) or pip, or use actions/setup-python",
                code=1,
            ) from None
    flags = ["--quiet", "--disable-pip-version-check", "--no-input", "--no-compile"]
    argv = [venv_python(tmp), "-I", *pip, "install", *flags, *INSTALL_FLAGS]
    code = run([*argv, "--only-binary=:all:", "-r", lock], tmp)
    if code != 0:
        raise LaunchError(
            "release-actions",
            f"installing {os.path.basename(lock)} (hash-locked, wheels only) failed"
            f" with exit code {code}; see pip's message above",
            "check the network or index configuration (PIP_INDEX_URL, UV_INDEX_URL)",
            code=1,
        )
    return installer


def pip_runner() -> str | None:
    """pip's ``__pip-runner__.py`` (pip >= 22.3), which runs that pip in another
    environment: what ``pip --python`` does, without starting pip twice."""
    import importlib.util
    import site

    site.main()  # the caller's site-packages, read-only, to find pip (user site stays off)
    spec = importlib.util.find_spec("pip")
    if spec is None or not spec.origin:
        return None
    runner = os.path.join(os.path.dirname(spec.origin), "__pip-runner__.py")
    return runner if os.path.isfile(runner) else None


def run(argv: list[str], cwd: str) -> int:
    """Run an installer in ``cwd`` (the new venv: uv must not read the caller's project
    configuration), its output on stderr (stdout is the command's result)."""
    import subprocess

    sys.stdout.flush()
    try:
        return subprocess.run(argv, cwd=cwd, stdout=sys.stderr.fileno(), check=False).returncode
    except OSError as exc:
        report("warning", "release-actions", f"{argv[0]}: {exc}")
        return 127


def publish(tmp: str, venv: str) -> None:
    """Atomically move ``tmp`` to ``venv``. If a complete venv got there first, keep it
    (``tmp`` is then removed by the caller); an incomplete one is moved aside."""
    import secrets
    import shutil

    for _ in range(5):
        try:
            os.rename(tmp, venv)
            return
        except OSError:
            if is_complete(venv):
                return  # another job won the race
        aside = f"{venv}.broken-{secrets.token_hex(4)}"
        try:
            os.rename(venv, aside)
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise LaunchError(
                "release-actions",
                f"cannot replace the incomplete environment {venv}: {exc}",
                f"remove {venv}",
                code=1,
            ) from None
        if not is_complete(aside):  # a complete one moved aside in a race may be in use
            shutil.rmtree(aside, ignore_errors=True)
    raise LaunchError("release-actions", f"cannot publish the environment {venv}", code=1)


def remove_stale(parent: str) -> None:
    """Leftovers of builds that were killed (``.venv-*``, ``*.broken-*``), after an hour."""
    import shutil
    import time

    limit = time.time() - STALE_AFTER
    try:
        entries = list(os.scandir(parent))
    except OSError:
        return
    for entry in entries:
        if entry.name.startswith(".venv-") or ".broken-" in entry.name:
            try:
                if entry.stat(follow_symlinks=False).st_mtime < limit:
                    shutil.rmtree(entry.path, ignore_errors=True)
            except OSError:
                pass
