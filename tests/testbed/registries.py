"""Local package registries for tests: the rehearsal world's pypiserver (PyPI) and
verdaccio (npm), as pytest fixtures, and the fake clients to publish on them.

The servers live in the package (``release_actions.rehearsal.world``): they bind
127.0.0.1 on a free port, keep their data in a temporary directory, never reach out
to the internet, and stop by themselves (fixture teardown, interpreter exit, and on
Linux when the test process dies).

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
"""

from __future__ import annotations

import contextlib
import hashlib
import html
import json
import re
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import tomlkit
from packaging.utils import canonicalize_name

from release_actions.adapters.pypi_index import parse_dist_filename
from release_actions.rehearsal.world.npm_registry import (
    NpmRegistry,
    ensure_verdaccio,
    running_npm_registry,
    start_npm_registry,
    verdaccio_dir,
)
from release_actions.rehearsal.world.processes import (
    LOOPBACK,
    RegistryCommandError,
    ServerProcess,
    free_port,
    run,
    tool,
)
from release_actions.rehearsal.world.pypi_index import (
    PypiIndex,
    running_pypi_index,
    start_pypi_index,
    uv_env,
)

__all__ = [
    "LOOPBACK",
    "NpmRegistry",
    "PypiIndex",
    "RegistryCommandError",
    "ServerProcess",
    "closed_url",
    "ensure_verdaccio",
    "free_port",
    "run",
    "running_npm_registry",
    "running_pypi_index",
    "start_npm_registry",
    "start_pypi_index",
    "tool",
    "uv_env",
    "verdaccio_dir",
]


def closed_url(path: str = "/", credentials: str = "") -> str:
    """A loopback URL where nothing listens: the discard port, 9. A free port picked
    with :func:`free_port` is not closed: another server on the machine may take it
    before the test reads it. ``credentials`` (``user:token@``) go in the authority."""
    return f"http://{credentials}127.0.0.1:9{path}"


TESTS = Path(__file__).resolve().parent.parent
CLIENTS = TESTS / "fixtures" / "clients"
PYTHON_CLIENT = CLIENTS / "python"
NPM_CLIENT = CLIENTS / "typescript"


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
    run([tool("uv"), "build", "--no-config", "--out-dir", str(out), str(src)], env=uv_env())
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
            parsed = parse_dist_filename(path.name)
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
                                    if (p := parse_dist_filename(f["filename"]))
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
