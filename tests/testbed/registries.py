"""Local package registries for tests: pypiserver (PyPI) and verdaccio (npm).

Both servers bind 127.0.0.1 on a free port, keep their data in a temporary
directory, never reach out to the internet, and stop by themselves: at fixture
teardown, at interpreter exit, and (on Linux) when the test process dies, through
``PR_SET_PDEATHSIG``.

Fixtures (session-scoped, shared by tests that use distinct names/versions):

- ``pypi_index`` -> :class:`PypiIndex` (``.url``, ``.simple_url``, ``.upload(paths)``,
  ``.packages()``)
- ``npm_registry`` -> :class:`NpmRegistry` (``.url``, ``.npmrc``, ``.env()``,
  ``.publish(dir, tag=None)``, ``.dist_tags(name)``, ``.versions(name)``)

Function-scoped ``fresh_pypi_index`` and ``fresh_npm_registry`` give an empty
registry to a test that needs one. ``pep691_index`` serves the session index's
files through the PEP 691 JSON form (pypiserver only speaks HTML).

Helpers :func:`publish_python_client` and :func:`publish_npm_client` build the
fake clients of ``tests/fixtures/clients`` at any version and publish them.

verdaccio is pinned in ``tests/testbed/verdaccio/package-lock.json``; install it
with ``npm ci --prefix tests/testbed/verdaccio`` (done on demand, once, under a
file lock, when ``node_modules`` is missing or stale).
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import fcntl
import hashlib
import html
import itertools
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import semver
import tomlkit
from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)

TESTS = Path(__file__).resolve().parent.parent
VERDACCIO_DIR = Path(__file__).resolve().parent / "verdaccio"
CLIENTS = TESTS / "fixtures" / "clients"
PYTHON_CLIENT = CLIENTS / "python"
NPM_CLIENT = CLIENTS / "typescript"
LOOPBACK = "127.0.0.1"
NPM_USER = "release-bot"


class RegistryCommandError(RuntimeError):
    """A command against a test registry (upload, publish, npm ci) failed."""

    def __init__(self, argv: Sequence[str], returncode: int, output: str) -> None:
        super().__init__(
            f"command failed with exit code {returncode}: {' '.join(argv)}\n{output.rstrip()}"
        )
        self.argv = list(argv)
        self.returncode = returncode
        self.output = output


def _run(
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


# --------------------------------------------------------------------------- processes

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


def _start_with_retry(
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


# --------------------------------------------------------------------------- PyPI


@dataclass
class PypiIndex:
    """A running pypiserver: no authentication, no fallback to pypi.org."""

    url: str  # upload URL, "http://127.0.0.1:PORT/"
    simple_url: str  # "http://127.0.0.1:PORT/simple/"
    packages_dir: Path
    workdir: Path
    server: ServerProcess
    _builds: Iterator[int] = field(default_factory=itertools.count, repr=False)

    def upload(self, paths: Iterable[Path | str], *, skip_existing: bool = False) -> None:
        """Upload distributions with ``uv publish``, as a release workflow does.

        Re-uploading an existing file fails like PyPI's "File already exists"
        (HTTP 400 from pypiserver) unless ``skip_existing``, which passes
        ``--check-url`` so uv skips files the index already has.
        """
        files = [str(p) for p in paths]
        if not files:
            raise ValueError("nothing to upload")
        argv = [
            tool("uv"),
            "publish",
            "--no-config",
            "--publish-url",
            self.url,
            "--username",
            "testbed",
            "--password",
            "testbed",
            "--trusted-publishing",
            "never",
        ]
        if skip_existing:
            argv += ["--check-url", self.simple_url]
        _run([*argv, *files], env=_uv_env())

    def packages(self) -> list[str]:
        """The file names the index holds, sorted."""
        return sorted(p.name for p in self.packages_dir.iterdir() if p.is_file())

    def versions(self, name: str) -> list[str]:
        """Versions of project ``name`` (any spelling) the index holds, sorted."""
        wanted = canonicalize_name(name)
        found = set()
        for filename in self.packages():
            parsed = _parse_dist_filename(filename)
            if parsed is not None and parsed[0] == wanted:
                found.add(parsed[1])
        return [str(v) for v in sorted(found)]

    def new_build_dir(self, label: str) -> Path:
        path = self.workdir / "builds" / f"{next(self._builds):03d}-{label}"
        path.mkdir(parents=True)
        return path

    def stop(self) -> None:
        self.server.stop()


def _parse_dist_filename(filename: str) -> tuple[str, Any] | None:
    try:
        if filename.endswith(".whl"):
            name, version, _, _ = parse_wheel_filename(filename)
            return name, version
        if filename.endswith((".tar.gz", ".zip")):
            return parse_sdist_filename(filename)
    except (InvalidWheelFilename, InvalidSdistFilename):
        return None
    return None


def _uv_env() -> dict[str, str]:
    env = dict(os.environ)
    for key in list(env):
        # Credentials or indexes from the developer's shell must not leak in.
        if key.startswith(("UV_INDEX", "UV_PUBLISH", "UV_DEFAULT_INDEX", "UV_EXTRA_INDEX")):
            del env[key]
    env["UV_NO_PROGRESS"] = "1"
    return env


def start_pypi_index(workdir: Path, *, port: int | None = None) -> PypiIndex:
    """Start pypiserver in ``workdir``; the caller stops it (``index.stop()``)."""
    workdir.mkdir(parents=True, exist_ok=True)
    packages = workdir / "packages"
    packages.mkdir(exist_ok=True)

    def start(p: int) -> ServerProcess:
        argv = [
            tool("pypi-server"),
            "run",
            "--interface",
            LOOPBACK,
            "--port",
            str(p),
            "--authenticate",
            ".",
            "--passwords",
            ".",
            "--disable-fallback",
            str(packages),
        ]
        return ServerProcess(argv, log_path=workdir / "pypiserver.log", cwd=workdir)

    if port is None:
        server, port = _start_with_retry(
            start, lambda p: f"http://{LOOPBACK}:{p}/simple/", timeout=30
        )
    else:
        server = start(port)
        server.wait_until_up(f"http://{LOOPBACK}:{port}/simple/", timeout=30)
    url = f"http://{LOOPBACK}:{port}/"
    return PypiIndex(
        url=url, simple_url=url + "simple/", packages_dir=packages, workdir=workdir, server=server
    )


@contextlib.contextmanager
def running_pypi_index(workdir: Path, *, port: int | None = None) -> Iterator[PypiIndex]:
    index = start_pypi_index(workdir, port=port)
    try:
        yield index
    finally:
        index.stop()


def write_python_client(dest: Path, version: str, *, name: str = "llama-stack-client") -> Path:
    """Copy the fake Python client to ``dest`` with ``version`` (and ``name``) written in.

    The version goes where release tooling puts it: ``[project].version`` in
    ``pyproject.toml`` and the ``__version__`` line of ``_version.py`` (the
    ``# x-release-please-version`` comment is kept).
    """
    shutil.copytree(PYTHON_CLIENT, dest, dirs_exist_ok=True)
    pyproject = dest / "pyproject.toml"
    doc = tomlkit.parse(pyproject.read_text())
    project: Any = doc["project"]
    project["name"] = name
    project["version"] = version
    pyproject.write_text(tomlkit.dumps(doc))
    version_py = dest / "src" / "llama_stack_client" / "_version.py"
    text, count = re.subn(
        r'^__version__ = "[^"]*"', f'__version__ = "{version}"', version_py.read_text(), flags=re.M
    )
    assert count == 1, f"no __version__ line in {version_py}"
    version_py.write_text(text)
    return dest


def build_python_client(
    workdir: Path, version: str, *, name: str = "llama-stack-client"
) -> list[Path]:
    """Build sdist and wheel of the fake client (uv's built-in backend: fast, offline,
    byte-for-byte reproducible). Returns the two files."""
    src = write_python_client(workdir / "src", version, name=name)
    out = workdir / "dist"
    _run([tool("uv"), "build", "--no-config", "--out-dir", str(out), str(src)], env=_uv_env())
    files = sorted(p for p in out.iterdir() if p.name.endswith((".whl", ".tar.gz")))
    assert len(files) == 2, files
    return files


def publish_python_client(
    index: PypiIndex,
    version: str,
    *,
    name: str = "llama-stack-client",
    skip_existing: bool = False,
) -> list[Path]:
    """Build the fake client at ``version`` and upload it to ``index``."""
    files = build_python_client(
        index.new_build_dir(f"{canonicalize_name(name)}-{version}"), version, name=name
    )
    index.upload(files, skip_existing=skip_existing)
    return files


# --------------------------------------------------------------------------- PEP 691

SIMPLE_JSON = "application/vnd.pypi.simple.v1+json"
SIMPLE_HTML = "application/vnd.pypi.simple.v1+html"


def _accepts(accept: str) -> str:
    """Pick JSON or HTML from an Accept header by q-value (ties: JSON)."""
    best, best_q = SIMPLE_HTML, -1.0
    for part in accept.split(","):
        media, *params = (p.strip() for p in part.split(";"))
        q = 1.0
        for param in params:
            if param.startswith("q="):
                with contextlib.suppress(ValueError):
                    q = float(param[2:])
        if media in (SIMPLE_JSON, "application/vnd.pypi.simple.latest+json"):
            kind = SIMPLE_JSON
        elif media in (SIMPLE_HTML, "application/vnd.pypi.simple.latest+html", "text/html", "*/*"):
            kind = SIMPLE_HTML
        else:
            continue
        if q > best_q or (q == best_q and kind == SIMPLE_JSON):
            best, best_q = kind, q
    return best


@dataclass
class Pep691Index:
    """A minimal simple index speaking PEP 691 JSON and PEP 503 HTML over a folder.

    Stricter than PyPI on purpose: only the normalised project URL answers
    (PyPI redirects other spellings), so a client that does not normalise
    fails. ``requests`` records ``(path, accept header, served type)``.
    """

    packages_dir: Path
    url: str = ""
    requests: list[tuple[str, str, str]] = field(default_factory=list)
    yanked: dict[str, str] = field(default_factory=dict)  # file name -> reason
    fail_with: int | None = None  # answer every request with this HTTP status
    _server: ThreadingHTTPServer | None = field(default=None, repr=False)

    @property
    def simple_url(self) -> str:
        return self.url + "simple/"

    def _project(self, name: str) -> list[dict[str, Any]]:
        files = []
        for path in sorted(self.packages_dir.iterdir()):
            parsed = _parse_dist_filename(path.name)
            if parsed is None or parsed[0] != name:
                continue
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            files.append(
                {
                    "filename": path.name,
                    "url": f"{self.url}packages/{path.name}",
                    "hashes": {"sha256": digest},
                    "requires-python": ">=3.10",
                    "size": path.stat().st_size,
                    "upload-time": "2026-01-05T10:00:00.000000Z",
                    "yanked": self.yanked.get(path.name, False),
                    "core-metadata": False,
                    "data-dist-info-metadata": False,
                }
            )
        return files

    def start(self) -> Pep691Index:
        index = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                accept = self.headers.get("Accept", "")
                if index.fail_with is not None:
                    index.requests.append((self.path, accept, str(index.fail_with)))
                    self.send_error(index.fail_with)
                    return
                match = re.fullmatch(r"/simple/([^/]+)/", self.path)
                if match is None or canonicalize_name(match[1]) != match[1]:
                    index.requests.append((self.path, accept, "404"))
                    self.send_error(404)
                    return
                files = index._project(match[1])
                if not files:
                    index.requests.append((self.path, accept, "404"))
                    self.send_error(404)
                    return
                kind = _accepts(accept)
                index.requests.append((self.path, accept, kind))
                if kind == SIMPLE_JSON:
                    body = json.dumps(
                        {
                            "meta": {"api-version": "1.1", "_last-serial": 1},
                            "name": match[1],
                            "files": files,
                            "versions": sorted(
                                {
                                    str(p[1])
                                    for f in files
                                    if (p := _parse_dist_filename(f["filename"]))
                                }
                            ),
                        }
                    ).encode()
                else:
                    links = "\n".join(
                        f'<a href="{html.escape(f["url"])}#sha256={f["hashes"]["sha256"]}"'
                        ' data-requires-python="&gt;=3.10"'
                        + (
                            f' data-yanked="{html.escape(f["yanked"])}"'
                            if f["yanked"] is not False
                            else ""
                        )
                        + f">{html.escape(f['filename'])}</a><br/>"
                        for f in files
                    )
                    body = (
                        "<!DOCTYPE html>\n<html>\n<head>"
                        '<meta name="pypi:repository-version" content="1.1">'
                        f"<title>Links for {match[1]}</title></head>\n<body>\n"
                        f"<h1>Links for {match[1]}</h1>\n{links}\n</body>\n</html>\n"
                    ).encode()
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Vary", "Accept")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        server = ThreadingHTTPServer((LOOPBACK, 0), Handler)
        server.daemon_threads = True
        self._server = server
        self.url = f"http://{LOOPBACK}:{server.server_address[1]}/"
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


# --------------------------------------------------------------------------- npm


def _verdaccio_pinned_version() -> str:
    manifest = json.loads((VERDACCIO_DIR / "package.json").read_text())
    version: str = manifest["dependencies"]["verdaccio"]
    return version


def _verdaccio_installed_version() -> str | None:
    try:
        manifest = json.loads(
            (VERDACCIO_DIR / "node_modules" / "verdaccio" / "package.json").read_text()
        )
    except (FileNotFoundError, json.JSONDecodeError):
        return None
    version: str = manifest.get("version", "")
    return version


def ensure_verdaccio() -> Path:
    """Install the pinned verdaccio (``npm ci``) unless it is there; returns its bin script.

    Several pytest processes (xdist) may race here: a file lock makes one
    install while the others wait.
    """
    pinned = _verdaccio_pinned_version()
    bin_js = VERDACCIO_DIR / "node_modules" / "verdaccio" / "bin" / "verdaccio"
    if _verdaccio_installed_version() == pinned and bin_js.exists():
        return bin_js
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        raise RuntimeError(
            "node and npm are needed for the npm test registry (verdaccio); install Node 20+"
        )
    key = hashlib.sha256(str(VERDACCIO_DIR).encode()).hexdigest()[:16]
    lock_path = Path(tempfile.gettempdir()) / f"release-actions-verdaccio-{key}.lock"
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if _verdaccio_installed_version() != pinned or not bin_js.exists():
                argv = [
                    npm,
                    "ci",
                    "--prefix",
                    str(VERDACCIO_DIR),
                    "--ignore-scripts",
                    "--no-audit",
                    "--no-fund",
                ]
                proc = _run(argv, check=False, timeout=600)
                if proc.returncode != 0:
                    raise RuntimeError(
                        f"could not install verdaccio {pinned} with"
                        f" `npm ci --prefix {VERDACCIO_DIR}`:\n{proc.stdout}{proc.stderr}"
                    )
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return bin_js


@dataclass
class NpmRegistry:
    """A running verdaccio: no uplinks, anyone may publish, one user with a token."""

    url: str  # "http://127.0.0.1:PORT/"
    npmrc: Path  # registry=..., the auth token, omit-lockfile-registry-resolved=true
    token: str
    workdir: Path
    server: ServerProcess
    _builds: Iterator[int] = field(default_factory=itertools.count, repr=False)

    def env(self, base: Mapping[str, str] | None = None) -> dict[str, str]:
        """Environment for npm commands against this registry.

        ``npm_config_userconfig`` points npm at :attr:`npmrc` (instead of the
        developer's ``~/.npmrc``), the registry and a private cache are set.
        """
        env = dict(os.environ if base is None else base)
        for key in list(env):
            if key.lower().startswith("npm_config_"):
                del env[key]
        env["npm_config_userconfig"] = str(self.npmrc)
        env["npm_config_registry"] = self.url
        env["npm_config_cache"] = str(self.workdir / "npm-cache")
        env["npm_config_update_notifier"] = "false"
        return env

    def npm(
        self, *args: str, cwd: Path | None = None, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        """Run ``npm ARGS --registry URL`` with :meth:`env`."""
        npm = shutil.which("npm")
        if npm is None:
            raise RuntimeError("npm is not on PATH")
        return _run([npm, *args, "--registry", self.url], cwd=cwd, env=self.env(), check=check)

    def publish(
        self, package_dir: Path, tag: str | None = None, *, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        """``npm publish`` a folder; ``tag`` adds ``--tag``. npm 11 rules apply: a
        prerelease, or a version below ``latest``, needs a tag."""
        args = ["publish", str(package_dir)]
        if tag is not None:
            args += ["--tag", tag]
        return self.npm(*args, cwd=package_dir, check=check)

    def packument(self, name: str) -> dict[str, Any] | None:
        """The registry document of ``name``, or None if it does not exist."""
        url = self.url + name.replace("/", "%2f")
        request = urllib.request.Request(url, headers={"Accept": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=10) as resp:
                doc: dict[str, Any] = json.load(resp)
                return doc
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                return None
            raise

    def dist_tags(self, name: str) -> dict[str, str]:
        doc = self.packument(name)
        return dict(doc.get("dist-tags", {})) if doc else {}

    def versions(self, name: str) -> list[str]:
        """Published versions of ``name``, SemVer-sorted."""
        doc = self.packument(name)
        return sorted(doc.get("versions", {}), key=semver.Version.parse) if doc else []

    def new_build_dir(self, label: str) -> Path:
        path = self.workdir / "builds" / f"{next(self._builds):03d}-{label.replace('/', '_')}"
        path.mkdir(parents=True)
        return path

    def stop(self) -> None:
        self.server.stop()


def _verdaccio_config(workdir: Path) -> Path:
    config = workdir / "config.yaml"
    config.write_text(
        f"storage: {json.dumps(str(workdir / 'storage'))}\n"
        f"auth: {{htpasswd: {{file: {json.dumps(str(workdir / 'htpasswd'))}, max_users: 100}}}}\n"
        "uplinks: {}\n"
        "packages: {'**': {access: $all, publish: $all, unpublish: $all}}\n"
        "log: {type: stdout, format: pretty, level: warn}\n"
    )
    return config


def _npm_token(url: str) -> str:
    body = json.dumps({"name": NPM_USER, "password": "testbed-password"}).encode()
    request = urllib.request.Request(
        f"{url}-/user/org.couchdb.user:{NPM_USER}",
        data=body,
        method="PUT",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as resp:
        token: str = json.load(resp)["token"]
        return token


def start_npm_registry(workdir: Path) -> NpmRegistry:
    """Start verdaccio in ``workdir`` (installing it first if needed)."""
    bin_js = ensure_verdaccio()
    node = shutil.which("node")
    assert node is not None
    workdir.mkdir(parents=True, exist_ok=True)
    config = _verdaccio_config(workdir)

    def start(port: int) -> ServerProcess:
        argv = [node, str(bin_js), "--config", str(config), "--listen", f"{LOOPBACK}:{port}"]
        return ServerProcess(argv, log_path=workdir / "verdaccio.log", cwd=workdir)

    server, port = _start_with_retry(start, lambda p: f"http://{LOOPBACK}:{p}/-/ping", timeout=60)
    url = f"http://{LOOPBACK}:{port}/"
    try:
        token = _npm_token(url)
    except Exception:
        server.stop()
        raise
    npmrc = workdir / "npmrc"
    npmrc.write_text(
        f"registry={url}\n"
        f"//{LOOPBACK}:{port}/:_authToken={token}\n"
        # Lockfiles written against this registry carry no port-dependent URLs.
        "omit-lockfile-registry-resolved=true\n"
        "fund=false\naudit=false\nupdate-notifier=false\n"
    )
    return NpmRegistry(url=url, npmrc=npmrc, token=token, workdir=workdir, server=server)


@contextlib.contextmanager
def running_npm_registry(workdir: Path) -> Iterator[NpmRegistry]:
    registry = start_npm_registry(workdir)
    try:
        yield registry
    finally:
        registry.stop()


def write_npm_client(dest: Path, version: str, *, name: str = "llama-stack-client") -> Path:
    """Copy the fake npm client to ``dest`` with ``version`` in ``package.json`` and in
    ``src/version.ts`` (keeping the ``// x-release-please-version`` comment)."""
    shutil.copytree(NPM_CLIENT, dest, dirs_exist_ok=True)
    manifest_path = dest / "package.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["name"] = name
    manifest["version"] = version
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n")
    version_ts = dest / "src" / "version.ts"
    text, count = re.subn(
        r"^export const VERSION = '[^']*';",
        f"export const VERSION = '{version}';",
        version_ts.read_text(),
        flags=re.M,
    )
    assert count == 1, f"no VERSION line in {version_ts}"
    version_ts.write_text(text)
    return dest


def publish_npm_client(
    registry: NpmRegistry,
    version: str,
    tag: str | None = None,
    *,
    name: str = "llama-stack-client",
    skip_existing: bool = False,
) -> Path | None:
    """Publish the fake npm client at ``version`` (SemVer) under ``name``; returns its folder
    (None when ``skip_existing`` and the version is already there).

    Raises :class:`RegistryCommandError` with npm's output when npm refuses (a
    prerelease or a version below ``latest`` without ``tag``, a duplicate).
    """
    if skip_existing and version in registry.versions(name):
        return None
    folder = write_npm_client(registry.new_build_dir(f"{name}-{version}"), version, name=name)
    registry.publish(folder, tag)
    return folder


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def pypi_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PypiIndex]:
    """A pypiserver shared by the session; use distinct names/versions per test."""
    with running_pypi_index(tmp_path_factory.mktemp("pypi-index")) as index:
        yield index


@pytest.fixture
def fresh_pypi_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PypiIndex]:
    """An empty pypiserver for one test."""
    with running_pypi_index(tmp_path_factory.mktemp("pypi-index")) as index:
        yield index


@pytest.fixture(scope="session")
def npm_registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NpmRegistry]:
    """A verdaccio shared by the session; use distinct names/versions per test."""
    with running_npm_registry(tmp_path_factory.mktemp("npm-registry")) as registry:
        yield registry


@pytest.fixture
def fresh_npm_registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NpmRegistry]:
    """An empty verdaccio for one test (about a second to start)."""
    with running_npm_registry(tmp_path_factory.mktemp("npm-registry")) as registry:
        yield registry


@pytest.fixture
def pep691_index(pypi_index: PypiIndex) -> Iterator[Pep691Index]:
    """The session index's files, served as PEP 691 JSON or PEP 503 HTML by Accept."""
    index = Pep691Index(pypi_index.packages_dir).start()
    try:
        yield index
    finally:
        index.stop()
