"""A local npm registry: verdaccio on loopback, no uplinks, one user with a token.

verdaccio is pinned in ``verdaccio/package-lock.json`` next to this module and
installed with ``npm ci`` on first use, once, under a file lock, into
``$RA_VERDACCIO_DIR`` (default: ``~/.cache/release-actions/verdaccio-<lock hash>``).
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import hashlib
import itertools
import json
import os
import shutil
import subprocess
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import semver

from .processes import LOOPBACK, ServerProcess, run, start_with_retry

NPM_USER = "release-bot"
PINNED_DIR = Path(__file__).resolve().parent / "verdaccio"


@functools.cache
def verdaccio_dir() -> Path:
    """Where the pinned verdaccio is installed: ``$RA_VERDACCIO_DIR``, else a user cache
    folder named after the lock file's hash (a new pin installs next to the old). Read
    once per process, so a test that changes ``HOME`` does not move it."""
    configured = os.environ.get("RA_VERDACCIO_DIR", "")
    if configured:
        return Path(configured)
    lock = hashlib.sha256((PINNED_DIR / "package-lock.json").read_bytes()).hexdigest()[:12]
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "release-actions" / f"verdaccio-{lock}"


def _verdaccio_pinned_version() -> str:
    manifest = json.loads((PINNED_DIR / "package.json").read_text())
    version: str = manifest["dependencies"]["verdaccio"]
    return version


def _verdaccio_installed_version(home: Path) -> str | None:
    try:
        manifest = json.loads((home / "node_modules" / "verdaccio" / "package.json").read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return None
    version: str = manifest.get("version", "")
    return version


def ensure_verdaccio() -> Path:
    """Install the pinned verdaccio (``npm ci``) unless it is there; returns its bin script.

    Several processes (pytest workers, two rehearsals) may race here: a file lock
    makes one install while the others wait.
    """
    home = verdaccio_dir()
    pinned = _verdaccio_pinned_version()
    bin_js = home / "node_modules" / "verdaccio" / "bin" / "verdaccio"
    if _verdaccio_installed_version(home) == pinned and bin_js.exists():
        return bin_js
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        raise RuntimeError(
            "node and npm are needed for the local npm registry (verdaccio); install Node 20+"
        )
    home.mkdir(parents=True, exist_ok=True)
    key = hashlib.sha256(str(home).encode()).hexdigest()[:16]
    # next to the install, not in $TMPDIR: a rehearsal leaves nothing in the temp folder
    lock_path = home.parent / f".verdaccio-{key}.lock"
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if _verdaccio_installed_version(home) != pinned or not bin_js.exists():
                for name in ("package.json", "package-lock.json"):
                    shutil.copyfile(PINNED_DIR / name, home / name)
                argv = [npm, "ci", "--prefix", str(home), "--ignore-scripts", "--no-audit",
                        "--no-fund"]  # fmt: skip
                proc = run(argv, check=False, timeout=600)
                if proc.returncode != 0:
                    raise RuntimeError(
                        f"could not install verdaccio {pinned} with"
                        f" `npm ci --prefix {home}`:\n{proc.stdout}{proc.stderr}"
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
        return run([npm, *args, "--registry", self.url], cwd=cwd, env=self.env(), check=check)

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

    server, port = start_with_retry(start, lambda p: f"http://{LOOPBACK}:{p}/-/ping", timeout=60)
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
