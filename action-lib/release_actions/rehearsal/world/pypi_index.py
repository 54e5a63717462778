"""A local PyPI: pypiserver on loopback, no authentication, no fallback to pypi.org."""

from __future__ import annotations

import contextlib
import itertools
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from packaging.utils import (
    canonicalize_name,
)

from release_actions.adapters.pypi_index import parse_dist_filename

from .processes import LOOPBACK, ServerProcess, run, start_with_retry, tool


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
        run([*argv, *files], env=uv_env())

    def packages(self) -> list[str]:
        """The file names the index holds, sorted."""
        return sorted(p.name for p in self.packages_dir.iterdir() if p.is_file())

    def versions(self, name: str) -> list[str]:
        """Versions of project ``name`` (any spelling) the index holds, sorted."""
        wanted = canonicalize_name(name)
        found = set()
        for filename in self.packages():
            parsed = parse_dist_filename(filename)
            if parsed is not None and parsed[0] == wanted:
                found.add(parsed[1])
        return [str(v) for v in sorted(found)]

    def new_build_dir(self, label: str) -> Path:
        path = self.workdir / "builds" / f"{next(self._builds):03d}-{label}"
        path.mkdir(parents=True)
        return path

    def stop(self) -> None:
        self.server.stop()


def uv_env() -> dict[str, str]:
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
        server, port = start_with_retry(
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
