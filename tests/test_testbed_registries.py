"""The local registries and fake clients of the test bed, and the fixture locks."""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import tarfile
import time
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

import pytest
import tomlkit

from tests.testbed.monorepo import (
    FIXTURE,
    FIXTURE_INDEX_URL,
    UI_DIR,
    build_monorepo,
    uv_env,
    uv_executable,
)
from tests.testbed.registries import (
    NpmRegistry,
    PypiIndex,
    RegistryCommandError,
    _accepts,
    build_python_client,
    ensure_verdaccio,
    publish_npm_client,
    publish_python_client,
    running_pypi_index,
    verdaccio_dir,
    write_npm_client,
)

ROOT = Path(__file__).resolve().parent.parent


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _gone(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return True
    return stat.rsplit(")", 1)[1].split()[0] in ("Z", "X")  # zombie: exited, not reaped


# --------------------------------------------------------------------------- PyPI


def test_pypi_index_serves_loopback_and_knows_its_packages(pypi_index: PypiIndex) -> None:
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/", pypi_index.url)
    assert pypi_index.simple_url == pypi_index.url + "simple/"
    built = publish_python_client(pypi_index, "0.1.0", name="ra-tb-listing")
    assert {p.name for p in built} <= set(pypi_index.packages())
    assert pypi_index.versions("RA_TB.Listing") == ["0.1.0"]
    with urllib.request.urlopen(pypi_index.simple_url + "ra-tb-listing/") as resp:
        page = resp.read().decode()
    assert "ra_tb_listing-0.1.0.tar.gz" in page


def test_pypi_index_never_falls_back_to_pypi_org(pypi_index: PypiIndex) -> None:
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(pypi_index.simple_url + "requests/")
    assert info.value.code == 404


def test_reupload_fails_like_pypi_unless_skipping(pypi_index: PypiIndex) -> None:
    built = publish_python_client(pypi_index, "0.2.0", name="ra-tb-dup")
    with pytest.raises(RegistryCommandError, match="already exists"):
        pypi_index.upload(built)
    pypi_index.upload(built, skip_existing=True)
    assert publish_python_client(pypi_index, "0.2.0", name="ra-tb-dup", skip_existing=True)


def test_python_client_carries_its_version_everywhere(tmp_path: Path) -> None:
    sdist, wheel = sorted(build_python_client(tmp_path, "0.8.0rc1"), key=lambda p: p.suffix)
    assert wheel.name == "llama_stack_client-0.8.0rc1-py3-none-any.whl"
    assert sdist.name == "llama_stack_client-0.8.0rc1.tar.gz"
    with zipfile.ZipFile(wheel) as zf:
        version_py = zf.read("llama_stack_client/_version.py").decode()
        metadata = zf.read("llama_stack_client-0.8.0rc1.dist-info/METADATA").decode()
    assert '__version__ = "0.8.0rc1"  # x-release-please-version' in version_py
    assert "Version: 0.8.0rc1" in metadata
    with tarfile.open(sdist) as tf:
        member = tf.extractfile("llama_stack_client-0.8.0rc1/pyproject.toml")
        assert member is not None
        project = tomlkit.parse(member.read().decode()).unwrap()["project"]
    assert (project["name"], project["version"]) == ("llama-stack-client", "0.8.0rc1")


def test_python_client_builds_are_reproducible(tmp_path: Path) -> None:
    first = build_python_client(tmp_path / "a", "0.7.1")
    second = build_python_client(tmp_path / "b", "0.7.1")
    assert [_sha256(p) for p in first] == [_sha256(p) for p in second]


def test_fixture_uv_lock_matches_the_client_the_test_bed_publishes(
    pypi_index: PypiIndex,
) -> None:
    built = publish_python_client(pypi_index, "0.7.1", skip_existing=True)
    lock = tomlkit.parse((FIXTURE / "uv.lock").read_text()).unwrap()
    (client,) = [p for p in lock["package"] if p["name"] == "llama-stack-client"]
    assert client["version"] == "0.7.1"
    assert client["source"] == {"registry": FIXTURE_INDEX_URL}
    locked = {client["sdist"]["hash"]} | {w["hash"] for w in client["wheels"]}
    assert locked == {f"sha256:{_sha256(p)}" for p in built}, (
        "the fake client changed: run `python -m tests.testbed.monorepo regenerate-locks`"
    )


def test_monorepo_relocked_against_a_test_index(pypi_index: PypiIndex, tmp_path: Path) -> None:
    publish_python_client(pypi_index, "0.7.1", skip_existing=True)
    repo = build_monorepo(tmp_path / "repo", index_url=pypi_index.simple_url)
    lock = (repo.path / "uv.lock").read_text()
    assert f'source = {{ registry = "{pypi_index.simple_url}" }}' in lock
    assert FIXTURE_INDEX_URL not in lock
    committed = subprocess.run(
        ["git", "-C", str(repo.path), "show", "v0.7.1:uv.lock"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert committed == lock  # every commit carries the re-locked file
    check = subprocess.run(
        [uv_executable(), "lock", "--check"],
        cwd=repo.path,
        env=uv_env(pypi_index.simple_url),
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, check.stderr


# --------------------------------------------------------------------------- npm


def test_npm_registry_has_a_token_and_no_port_in_lockfiles(npm_registry: NpmRegistry) -> None:
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/", npm_registry.url)
    npmrc = npm_registry.npmrc.read_text()
    host = npm_registry.url.removeprefix("http:")
    assert f"{host}:_authToken={npm_registry.token}" in npmrc
    assert "omit-lockfile-registry-resolved=true" in npmrc
    assert npm_registry.npm("whoami").stdout.strip() == "release-bot"
    with urllib.request.urlopen(npm_registry.url + "-/ping") as resp:
        assert json.load(resp) == {}


def test_npm_registry_has_no_uplinks(npm_registry: NpmRegistry) -> None:
    assert npm_registry.packument("left-pad") is None
    assert npm_registry.versions("left-pad") == []


def test_npm_client_carries_its_version(tmp_path: Path) -> None:
    folder = write_npm_client(tmp_path / "c", "0.8.0-rc.1", name="@llamastack/client")
    manifest = json.loads((folder / "package.json").read_text())
    assert (manifest["name"], manifest["version"]) == ("@llamastack/client", "0.8.0-rc.1")
    assert (folder / "src/version.ts").read_text() == (
        "export const VERSION = '0.8.0-rc.1'; // x-release-please-version\n"
    )


def test_publish_npm_client_and_read_back(npm_registry: NpmRegistry) -> None:
    name = "ra-tb-npm"
    publish_npm_client(npm_registry, "1.0.0", name=name)
    publish_npm_client(npm_registry, "1.1.0-rc.1", tag="rc", name=name)
    assert npm_registry.versions(name) == ["1.0.0", "1.1.0-rc.1"]
    assert npm_registry.dist_tags(name) == {"latest": "1.0.0", "rc": "1.1.0-rc.1"}
    with pytest.raises(RegistryCommandError, match="cannot publish over"):
        publish_npm_client(npm_registry, "1.0.0", name=name)
    assert publish_npm_client(npm_registry, "1.0.0", name=name, skip_existing=True) is None


def test_fixture_package_lock_matches_the_client_the_test_bed_publishes(
    npm_registry: NpmRegistry, tmp_path: Path
) -> None:
    publish_npm_client(npm_registry, "0.7.1", skip_existing=True)
    doc = npm_registry.packument("llama-stack-client")
    assert doc is not None
    lock = json.loads((FIXTURE / UI_DIR / "package-lock.json").read_text())
    assert lock["lockfileVersion"] == 3
    entry = lock["packages"]["node_modules/llama-stack-client"]
    assert entry["version"] == "0.7.1"
    assert "resolved" not in entry
    assert entry["integrity"] == doc["versions"]["0.7.1"]["dist"]["integrity"], (
        "the fake client changed: run `python -m tests.testbed.monorepo regenerate-locks`"
    )
    ui = tmp_path / "ui"
    ui.mkdir()
    for name in ("package.json", "package-lock.json"):
        (ui / name).write_text((FIXTURE / UI_DIR / name).read_text())
    npm_registry.npm("ci", "--ignore-scripts", cwd=ui)  # the lock installs as it is
    installed = json.loads((ui / "node_modules/llama-stack-client/package.json").read_text())
    assert installed["version"] == "0.7.1"


def test_verdaccio_is_installed_at_the_pinned_version() -> None:
    bin_js = ensure_verdaccio()
    home = verdaccio_dir()
    assert bin_js == home / "node_modules/verdaccio/bin/verdaccio"
    pinned_dir = ROOT / "action-lib/release_actions/rehearsal/world/verdaccio"
    pinned = json.loads((pinned_dir / "package.json").read_text())
    installed = json.loads((home / "node_modules/verdaccio/package.json").read_text())
    assert installed["version"] == pinned["dependencies"]["verdaccio"]
    lock = json.loads((pinned_dir / "package-lock.json").read_text())
    assert lock["packages"]["node_modules/node-fetch"]["version"] == "2.7.0"
    # The install is the pinned lock, as it is (npm ci), in the cache folder.
    lock_bytes = (pinned_dir / "package-lock.json").read_bytes()
    assert (home / "package-lock.json").read_bytes() == lock_bytes


# --------------------------------------------------------------------------- lifecycle


def test_servers_stop_at_teardown(tmp_path: Path) -> None:
    with running_pypi_index(tmp_path / "idx") as index:
        pid = index.server.pid
        assert not _gone(pid)
    assert _gone(pid)
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(index.simple_url, timeout=2)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux-only")
def test_servers_die_with_a_killed_test_process(tmp_path: Path) -> None:
    script = (
        "import os, signal, sys\n"
        "from pathlib import Path\n"
        "from tests.testbed.registries import start_pypi_index\n"
        "index = start_pypi_index(Path(sys.argv[1]))\n"
        "print(index.server.pid, flush=True)\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"  # no teardown, no atexit
    )
    proc = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "idx")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    pid = int(proc.stdout.split()[0])
    deadline = time.monotonic() + 10
    while not _gone(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _gone(pid), f"pypiserver {pid} outlived the process that started it"


@pytest.mark.parametrize(
    ("accept", "served"),
    [
        ("application/vnd.pypi.simple.v1+json, text/html;q=0.1", "json"),
        ("application/vnd.pypi.simple.v1+html, text/html;q=0.1", "html"),
        ("text/html", "html"),
        ("application/vnd.pypi.simple.v1+json;q=0.2, text/html", "html"),
        ("", "html"),
    ],
)
def test_pep691_test_index_negotiates_like_pypi(accept: str, served: str) -> None:
    assert _accepts(accept).endswith(served)
