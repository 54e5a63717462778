"""scripts/run-action: the action's private venv, built cold, reused warm, never the caller's.

Most tests run a copy of the launcher in a throwaway checkout whose lock holds one
tiny wheel built here (``ra-probe``), installed offline from a find-links directory
(``PIP_NO_INDEX``/``UV_NO_INDEX``): the mechanism (atomic publish, rebuild of an
incomplete venv, hash checking, isolation, error forms) without a network. Two
tests install the real ``requirements/action-core.txt`` through the configured index
(uv and no-uv paths) or bootstrap pip with ensurepip.

Every test here builds real virtual environments with the launcher (about a second
each), so the module is end-to-end (``e2e``): ``scripts/test --fast`` leaves it to the
full suite.

Timings are not asserted here: scripts/bench-cold-start.py measures them.
"""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parent.parent
PROBE = "ra_probe"
PROBE_WHEEL = "ra_probe-1.0-py3-none-any.whl"
PYTHON = os.path.realpath(getattr(sys, "_base_executable", "") or sys.executable)
# Variables of the test process that would change what run-action does.
_DROP = ("RA_", "GITHUB_", "RUNNER_", "VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "UV_", "PIP_")


def find_uv() -> str | None:
    found = shutil.which("uv") or str(ROOT / ".venv" / "bin" / "uv")
    return found if os.access(found, os.X_OK) else None


def path_without_uv() -> str:
    entries = os.environ.get("PATH", os.defpath).split(os.pathsep)
    return os.pathsep.join(e for e in entries if e and not Path(e, "uv").exists())


def record_hash(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def build_probe_wheel(directory: Path) -> Path:
    """A minimal pure-Python wheel, ``ra-probe 1.0``, with a valid RECORD."""
    files = {
        f"{PROBE}/__init__.py": b"VALUE = 42\n",
        f"{PROBE}-1.0.dist-info/METADATA": b"Metadata-Version: 2.1\nName: ra-probe\nVersion: 1.0\n",
        f"{PROBE}-1.0.dist-info/WHEEL": (
            b"Wheel-Version: 1.0\nGenerator: test_run_action\nRoot-Is-Purelib: true\n"
            b"Tag: py3-none-any\n"
        ),
    }
    record = "".join(f"{name},{record_hash(data)},{len(data)}\n" for name, data in files.items())
    record += f"{PROBE}-1.0.dist-info/RECORD,,\n"
    files[f"{PROBE}-1.0.dist-info/RECORD"] = record.encode()
    directory.mkdir(parents=True, exist_ok=True)
    wheel = directory / PROBE_WHEEL
    with zipfile.ZipFile(wheel, "w") as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return wheel


class Checkout:
    """A copy of scripts/run-action and its launcher, the real action-lib, and locks."""

    def __init__(self, root: Path) -> None:
        self.root = root
        (root / "scripts").mkdir(parents=True)
        for name in ("run-action", "_run_action.py"):
            shutil.copy2(ROOT / "scripts" / name, root / "scripts" / name)
        (root / "requirements").mkdir()
        (root / "action-lib").symlink_to(ROOT / "action-lib")
        self.script = root / "scripts" / "run-action"

    def lock(self, name: str, text: str) -> Path:
        path = self.root / "requirements" / f"action-{name}.txt"
        path.write_text(text)
        return path


@pytest.fixture
def probe_index(tmp_path: Path) -> Path:
    directory = tmp_path / "wheels"
    build_probe_wheel(directory)
    return directory


@pytest.fixture
def checkout(tmp_path: Path, probe_index: Path) -> Checkout:
    co = Checkout(tmp_path / "checkout")
    digest = hashlib.sha256((probe_index / PROBE_WHEEL).read_bytes()).hexdigest()
    co.lock("core", f"ra-probe==1.0 \\\n    --hash=sha256:{digest}\n")
    return co


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    return tmp_path / "venvs"


@pytest.fixture
def uv_dir(tmp_path: Path) -> Path:
    uv = find_uv()
    if uv is None:
        pytest.skip("no uv binary (on PATH or in .venv/bin)")
    directory = tmp_path / "uv-bin"
    directory.mkdir()
    (directory / "uv").symlink_to(uv)
    return directory


@pytest.fixture
def fast_env(cache: Path, probe_index: Path, tmp_path: Path) -> dict[str, str]:
    """:func:`offline_env` with uv on PATH when there is one (a build in under a second),
    for the tests about what happens around the install rather than the install itself."""
    env = offline_env(cache, probe_index, tmp_path)
    uv = find_uv()
    if uv:
        (tmp_path / "uv-fast").mkdir()
        (tmp_path / "uv-fast" / "uv").symlink_to(uv)
        env["PATH"] = f"{tmp_path / 'uv-fast'}{os.pathsep}{env['PATH']}"
    return env


def offline_env(cache: Path, index: Path, tmp_path: Path) -> dict[str, str]:
    """The test's environment for run-action: no uv on PATH, our Python, offline installers."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(_DROP)}
    env.update(
        PATH=path_without_uv(),
        RA_PYTHON=PYTHON,
        RA_VENV_CACHE=str(cache),
        PIP_CONFIG_FILE=os.devnull,
        PIP_NO_INDEX="1",
        PIP_FIND_LINKS=str(index),
        PIP_CACHE_DIR=str(tmp_path / "pip-cache"),
        UV_NO_CONFIG="1",
        UV_NO_INDEX="1",
        UV_FIND_LINKS=str(index),
        UV_CACHE_DIR=str(tmp_path / "uv-cache"),
    )
    return env


def run(
    script: Path, env: dict[str, str], *args: str, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(script), *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=300
    )


def venvs(cache: Path) -> list[Path]:
    return sorted((cache / "release-actions").glob("venv-*"))


def marker(venv_dir: Path) -> dict[str, str]:
    text = (venv_dir / ".complete").read_text()
    return dict(line.split("=", 1) for line in text.splitlines() if "=" in line)


def probe_value(venv_dir: Path) -> str:
    proc = subprocess.run(
        [str(venv_dir / "bin" / "python"), "-I", "-c", f"import {PROBE}; print({PROBE}.VALUE)"],
        capture_output=True,
        text=True,
    )
    return proc.stdout.strip()


def version_line() -> str:
    from release_actions import __version__  # action-lib is on sys.path (tests/conftest.py)

    return f"release-actions {__version__}"


# --- the two install paths, offline --------------------------------------------------


def test_no_uv_path_builds_the_env_and_runs_the_command(
    checkout: Checkout, cache: Path, probe_index: Path, tmp_path: Path
) -> None:
    env = offline_env(cache, probe_index, tmp_path)
    proc = run(checkout.script, env, "--version")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == version_line() + "\n"  # installer output never reaches stdout
    (built,) = venvs(cache)
    major, minor = sys.version_info[:2]
    assert built.name.startswith(f"venv-py{major}.{minor}-core-")
    assert marker(built)["installer"] == "pip"
    assert not (built / "bin" / "pip").exists()  # created without pip: none bootstrapped
    assert probe_value(built) == "42"
    assert [p.name for p in (cache / "release-actions").iterdir()] == [built.name]  # no temp


def test_uv_path_builds_the_env_and_runs_the_command(
    checkout: Checkout, cache: Path, probe_index: Path, tmp_path: Path, uv_dir: Path
) -> None:
    env = offline_env(cache, probe_index, tmp_path)
    env["PATH"] = f"{uv_dir}{os.pathsep}{env['PATH']}"
    proc = run(checkout.script, env, "--version")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == version_line() + "\n"
    (built,) = venvs(cache)
    assert marker(built)["installer"] == "uv"
    assert probe_value(built) == "42"


def test_warm_run_reuses_the_env(
    checkout: Checkout, cache: Path, fast_env: dict[str, str], tmp_path: Path
) -> None:
    env = fast_env
    assert run(checkout.script, env, "--version").returncode == 0
    (built,) = venvs(cache)
    (built / "sentinel").write_text("kept")
    env["PIP_FIND_LINKS"] = env["UV_FIND_LINKS"] = str(tmp_path / "nowhere")  # no rebuild
    proc = run(checkout.script, env, "--version")
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    assert (built / "sentinel").read_text() == "kept"


def test_lock_change_gets_a_new_env(
    checkout: Checkout, cache: Path, fast_env: dict[str, str], tmp_path: Path
) -> None:
    env = fast_env
    assert run(checkout.script, env, "--version").returncode == 0
    lock = checkout.root / "requirements" / "action-core.txt"
    lock.write_text(lock.read_text() + "# a comment changes the hash\n")
    assert run(checkout.script, env, "--version").returncode == 0
    assert len(venvs(cache)) == 2


def test_lock_option_selects_the_lock(
    checkout: Checkout, cache: Path, fast_env: dict[str, str], tmp_path: Path
) -> None:
    checkout.lock("github", (checkout.root / "requirements" / "action-core.txt").read_text())
    env = fast_env
    proc = run(checkout.script, env, "--lock", "github", "--version")
    assert proc.returncode == 0, proc.stderr
    (built,) = venvs(cache)
    assert "-github-" in built.name


# --- atomicity and repair ----------------------------------------------------------------


def test_incomplete_env_without_marker_is_rebuilt(
    checkout: Checkout, cache: Path, fast_env: dict[str, str], tmp_path: Path
) -> None:
    env = fast_env
    assert run(checkout.script, env, "--version").returncode == 0
    (built,) = venvs(cache)
    # A half-built venv: no marker, the package gone, junk left behind.
    (built / ".complete").unlink()
    shutil.rmtree(next(built.glob(f"lib/python*/site-packages/{PROBE}")))
    (built / "junk").write_text("half")
    proc = run(checkout.script, env, "--version")
    assert proc.returncode == 0, proc.stderr
    assert "rebuilt the incomplete environment" in proc.stderr
    assert venvs(cache) == [built]
    assert (built / ".complete").is_file()
    assert not (built / "junk").exists()
    assert probe_value(built) == "42"
    assert [p.name for p in (cache / "release-actions").iterdir()] == [built.name]


def test_env_whose_interpreter_is_gone_is_rebuilt(
    checkout: Checkout, cache: Path, fast_env: dict[str, str], tmp_path: Path
) -> None:
    env = fast_env
    assert run(checkout.script, env, "--version").returncode == 0
    (built,) = venvs(cache)
    python = built / "bin" / "python"
    python.unlink()
    python.symlink_to(tmp_path / "no-such-python")  # dangling, like a removed tool cache
    proc = run(checkout.script, env, "--version")
    assert proc.returncode == 0, proc.stderr
    assert probe_value(built) == "42"


def test_concurrent_cold_starts_publish_one_complete_env(
    checkout: Checkout, cache: Path, fast_env: dict[str, str], tmp_path: Path
) -> None:
    env = fast_env
    procs = [
        subprocess.Popen(
            [str(checkout.script), "--version"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
        assert out == version_line() + "\n"
    (built,) = venvs(cache)
    assert [p.name for p in (cache / "release-actions").iterdir()] == [built.name]


def test_uv_in_the_callers_checkout_is_not_run(
    checkout: Checkout, cache: Path, probe_index: Path, tmp_path: Path
) -> None:
    """An empty PATH entry means the working directory to a shell; not to run-action."""
    repo = tmp_path / "repo"
    repo.mkdir()
    fake = repo / "uv"
    fake.write_text("#!/bin/sh\ntouch ran\nexit 1\n")
    fake.chmod(0o755)
    env = offline_env(cache, probe_index, tmp_path)
    env["PATH"] = f"{os.pathsep}{env['PATH']}"
    proc = run(checkout.script, env, "--version", cwd=repo)
    assert proc.returncode == 0, proc.stderr
    assert not (repo / "ran").exists()
    (built,) = venvs(cache)
    assert marker(built)["installer"] == "pip"


# --- hashes ------------------------------------------------------------------------------


@pytest.mark.parametrize("with_uv", [False, True], ids=["pip", "uv-then-pip"])
def test_tampered_lock_entry_fails_and_publishes_nothing(
    checkout: Checkout,
    cache: Path,
    probe_index: Path,
    tmp_path: Path,
    request: pytest.FixtureRequest,
    with_uv: bool,
) -> None:
    checkout.lock("core", "ra-probe==1.0 \\\n    --hash=sha256:" + "0" * 64 + "\n")
    env = offline_env(cache, probe_index, tmp_path)
    if with_uv:
        uv_dir = request.getfixturevalue("uv_dir")
        env["PATH"] = f"{uv_dir}{os.pathsep}{env['PATH']}"
    proc = run(checkout.script, env, "--version")
    assert proc.returncode != 0
    assert proc.stdout == ""
    assert "error: installing action-core.txt (hash-locked, wheels only) failed" in proc.stderr
    assert "hash" in proc.stderr.lower()  # the installer names the mismatch
    if with_uv:
        assert "warning: uv pip install exited with" in proc.stderr
    assert venvs(cache) == []
    assert [p.name for p in (cache / "release-actions").iterdir()] == []  # temp dir removed


def test_unlocked_entry_is_refused(
    checkout: Checkout, cache: Path, probe_index: Path, tmp_path: Path
) -> None:
    checkout.lock("core", "ra-probe==1.0\n")  # no hash
    proc = run(checkout.script, offline_env(cache, probe_index, tmp_path), "--version")
    assert proc.returncode != 0
    assert venvs(cache) == []


# --- isolation ---------------------------------------------------------------------------


def site_listing(python: Path) -> dict[str, list[str]]:
    code = (
        "import json, site, sysconfig; "
        "dirs = set(site.getsitepackages()) | {sysconfig.get_path('purelib')}; "
        "import os; print(json.dumps({d: sorted(os.listdir(d)) for d in dirs if os.path.isdir(d)}))"
    )
    proc = subprocess.run([str(python), "-I", "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    import json

    return dict(json.loads(proc.stdout))


def test_callers_python_is_untouched(
    checkout: Checkout, cache: Path, probe_index: Path, tmp_path: Path
) -> None:
    """The caller's Python is a venv that sees the host's pip (system site packages):
    run-action reads that pip but installs only into its own venv."""
    caller = tmp_path / "caller"
    venv.create(caller, symlinks=True, system_site_packages=True)
    caller_python = caller / "bin" / "python"
    before = site_listing(caller_python)
    env = offline_env(cache, probe_index, tmp_path)
    env["RA_PYTHON"] = str(caller_python)
    proc = run(checkout.script, env, "--version")
    assert proc.returncode == 0, proc.stderr
    assert site_listing(caller_python) == before
    probe = subprocess.run([str(caller_python), "-c", f"import {PROBE}"], capture_output=True)
    assert probe.returncode != 0  # installed for the action only
    (built,) = venvs(cache)
    assert probe_value(built) == "42"
    assert os.path.realpath(built / "bin" / "python") == os.path.realpath(PYTHON)  # the base


def test_callers_checkout_cannot_shadow_the_library(
    checkout: Checkout, cache: Path, fast_env: dict[str, str], tmp_path: Path
) -> None:
    """A step runs in the caller's repository: its top-level packages stay off sys.path."""
    repo = tmp_path / "repo"
    for name in ("release_actions", PROBE, "venv", "hashlib"):
        (repo / name).mkdir(parents=True)
        (repo / name / "__init__.py").write_text("raise SystemExit('shadowed')\n")
    proc = run(checkout.script, fast_env, "--version", cwd=repo)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == version_line() + "\n"


# --- errors ------------------------------------------------------------------------------


@pytest.mark.parametrize("actions", [False, True], ids=["terminal", "github-actions"])
def test_unknown_lock_error_form(
    checkout: Checkout, cache: Path, probe_index: Path, tmp_path: Path, actions: bool
) -> None:
    env = offline_env(cache, probe_index, tmp_path)
    if actions:
        env["GITHUB_ACTIONS"] = "true"
    proc = run(checkout.script, env, "--lock", "nope", "--version")
    assert proc.returncode == 2
    assert proc.stdout == ""
    if actions:
        assert proc.stderr.startswith("::error title=release-actions::unknown lock 'nope'")
    else:
        assert proc.stderr.startswith("error: unknown lock 'nope' (no ")
        assert "::" not in proc.stderr


@pytest.mark.parametrize("actions", [False, True], ids=["terminal", "github-actions"])
def test_missing_python_error_form(
    checkout: Checkout, cache: Path, probe_index: Path, tmp_path: Path, actions: bool
) -> None:
    env = offline_env(cache, probe_index, tmp_path)
    env["RA_PYTHON"] = str(tmp_path / "no-python")
    if actions:
        env["GITHUB_ACTIONS"] = "true"
    proc = run(checkout.script, env, "--version")
    assert proc.returncode == 2
    assert proc.stdout == ""
    if actions:
        assert proc.stderr.startswith("::error title=Python 3.10+ required::")
        assert "Fix: run actions/setup-python first" in proc.stderr
    else:
        assert proc.stderr.startswith("error: ")
        assert "fix: run actions/setup-python first" in proc.stderr


def test_old_python_is_refused(
    checkout: Checkout, cache: Path, probe_index: Path, tmp_path: Path
) -> None:
    candidates = [shutil.which(f"python3.{minor}") for minor in (9, 8, 7)]
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"), "versions")
    candidates += sorted(str(p) for p in pyenv.glob("3.[789].*/bin/python3"))
    old = next(
        (
            found
            for found in candidates
            if found and subprocess.run([found, "-c", "pass"], capture_output=True).returncode == 0
        ),
        None,
    )
    if old is None:
        pytest.skip("no Python older than 3.10 on PATH")
    env = offline_env(cache, probe_index, tmp_path)
    env["RA_PYTHON"] = old
    proc = run(checkout.script, env, "--version")
    assert proc.returncode == 2
    assert "older than 3.10" in proc.stderr
    assert not (cache / "release-actions").exists()


# --- the real lock, through the configured index -----------------------------------------


def real_env(cache: Path) -> dict[str, str]:
    keep = ("UV_", "PIP_")  # the machine's index configuration
    env = {k: v for k, v in os.environ.items() if k.startswith(keep) or not k.startswith(_DROP)}
    env.update(PATH=path_without_uv(), RA_PYTHON=PYTHON, RA_VENV_CACHE=str(cache))
    return env


@pytest.mark.parametrize("with_uv", [False, True], ids=["no-uv", "uv"])
def test_real_core_lock_runs_the_cli(
    tmp_path: Path, cache: Path, request: pytest.FixtureRequest, with_uv: bool
) -> None:
    env = real_env(cache)
    if with_uv:
        uv_dir = request.getfixturevalue("uv_dir")
        env["PATH"] = f"{uv_dir}{os.pathsep}{env['PATH']}"
    script = ROOT / "scripts" / "run-action"
    proc = run(script, env, "--version")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == version_line() + "\n"
    (built,) = venvs(cache)
    assert marker(built)["installer"] == ("uv" if with_uv else "pip")
    repo = tmp_path / "repo"
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    args = ["compute-version", "--event", "workflow_dispatch", "--version", "1.2.3"]
    proc = run(script, env, *args, "--dry-run", "build-only", "--repo", str(repo))
    assert proc.returncode == 0, proc.stderr
    assert "version=1.2.3" in proc.stdout.splitlines()


def test_ensurepip_fallback_without_pip(
    checkout: Checkout, cache: Path, probe_index: Path, tmp_path: Path
) -> None:
    """A caller Python without pip: the venv bootstraps its own with ensurepip."""
    caller = tmp_path / "caller"
    venv.create(caller, symlinks=True)  # no pip, no system site packages
    env = offline_env(cache, probe_index, tmp_path)
    env["RA_PYTHON"] = str(caller / "bin" / "python")
    proc = run(checkout.script, env, "--version")
    if proc.returncode != 0 and "ensurepip" in proc.stderr and "No module named" in proc.stderr:
        pytest.skip("this Python has no ensurepip")
    assert proc.returncode == 0, proc.stderr
    (built,) = venvs(cache)
    assert marker(built)["installer"] == "ensurepip"
    assert probe_value(built) == "42"
