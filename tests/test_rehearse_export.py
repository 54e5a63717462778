"""The clean export ``llama-stack/release-actions@v1`` maps to (release_actions.rehearsal.export):
only what a consumer's ``uses:`` reaches, never a ``.venv``, written once per content."""

from __future__ import annotations

from pathlib import Path

import pytest

from release_actions.core.errors import ReleaseActionsError
from release_actions.rehearsal.export import (
    cache_dir,
    export_release_actions,
    exported_files,
    find_source,
)
from tests.testbed.rehearse_repo import ROOT, make_repo

SOURCE_FILES = {
    ".gitignore": ".venv/\n*.log\n",
    "actions/compute-version/action.yml": "name: x\n",
    ".github/workflows/release.yml": "on: push\n",
    ".github/dependabot.yml": "version: 2\n",
    "scripts/run-action": "#!/bin/sh\n",
    "scripts/_run_action.py": "",
    "scripts/bootstrap": "#!/bin/sh\n",
    "requirements/action-core.txt": "x==1\n",
    "action-lib/release_actions/__init__.py": "",
    "pyproject.toml": "[project]\n",
    "README.md": "# readme\n",
    "tests/test_x.py": "",
}


@pytest.fixture
def source(tmp_path: Path) -> Path:
    repo = make_repo(tmp_path / "src", SOURCE_FILES)
    (repo / ".venv" / "lib").mkdir(parents=True)
    (repo / ".venv" / "lib" / "big.py").write_text("x")
    (repo / "actions" / "compute-version" / "debug.log").write_text("ignored")
    (repo / "actions" / "new").mkdir()
    (repo / "actions" / "new" / "action.yml").write_text("untracked, not ignored\n")
    (repo / "scripts" / "run-action").chmod(0o755)
    return repo


def test_only_what_uses_needs(source: Path) -> None:
    files = exported_files(source)
    assert files == [
        ".github/workflows/release.yml",
        "action-lib/release_actions/__init__.py",
        "actions/compute-version/action.yml",
        "actions/new/action.yml",
        "pyproject.toml",
        "requirements/action-core.txt",
        "scripts/_run_action.py",
        "scripts/run-action",
    ]


def test_export_has_no_venv_and_is_reused(source: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    dest, written = export_release_actions(source, cache)
    assert written and dest.parent == cache / "exports"
    assert not (dest / ".venv").exists()
    assert not (dest / "README.md").exists()
    assert (dest / "scripts" / "run-action").stat().st_mode & 0o111
    assert (dest / "actions" / "new" / "action.yml").is_file()
    stamp = (dest / "pyproject.toml").stat().st_mtime_ns
    again, written_again = export_release_actions(source, cache)
    assert (again, written_again) == (dest, False)
    assert (dest / "pyproject.toml").stat().st_mtime_ns == stamp
    (source / "actions" / "compute-version" / "action.yml").write_text("name: changed\n")
    changed, written_changed = export_release_actions(source, cache)
    assert written_changed and changed != dest
    assert (changed / "actions/compute-version/action.yml").read_text() == "name: changed\n"


def test_the_cache_follows_xdg(tmp_path: Path) -> None:
    assert cache_dir({"XDG_CACHE_HOME": str(tmp_path)}) == tmp_path / "release-actions"
    assert cache_dir({}) == Path.home() / ".cache" / "release-actions"


def test_the_source(tmp_path: Path) -> None:
    assert find_source(None) == ROOT.resolve()  # the checkout this package runs from
    assert find_source(str(ROOT)) == ROOT.resolve()
    with pytest.raises(ReleaseActionsError, match="--release-actions") as err:
        find_source(str(tmp_path))
    assert "--release-actions DIR" in err.value.fix


def test_this_checkout_exports_what_run_action_needs() -> None:
    files = set(exported_files(ROOT))
    assert {"scripts/run-action", "scripts/_run_action.py", "pyproject.toml"} <= files
    assert any(f.startswith("requirements/action-") for f in files)
    assert "action-lib/release_actions/interface/cli.py" in files
    assert not any(".venv" in f or f.startswith("tests/") for f in files)


def test_old_exports_are_pruned_when_a_new_one_is_written(source: Path, tmp_path: Path) -> None:
    import os

    cache = tmp_path / "cache"
    old, _ = export_release_actions(source, cache)
    kept, _ = export_release_actions(source, tmp_path / "other")  # another cache: untouched
    os.utime(old / ".export-complete", (0, 0))
    (source / "pyproject.toml").write_text("[project]\nname = 'changed'\n")
    new, written = export_release_actions(source, cache)
    assert written and new.is_dir()
    assert not old.exists()
    assert kept.is_dir()


# --------------------------------------------------------------------------- installed


def test_every_action_is_installed_with_the_wheel() -> None:
    """pyproject.toml's data-files carry every action folder (a new action needs a row)."""
    import tomllib

    data_files = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"][
        "data-files"
    ]
    actions = sorted(p.name for p in (ROOT / "actions").iterdir() if p.is_dir())
    rows = {k.removeprefix("share/release-actions/actions/"): v for k, v in data_files.items()}
    for name in actions:
        assert rows.get(name) == [f"actions/{name}/*"], f"no data-files row for actions/{name}"


def test_a_pip_installed_release_actions_exports_what_a_checkout_does(tmp_path: Path) -> None:
    """Without a checkout, ``rehearse`` maps @v1 to an export of the installed wheel: the
    same files, byte for byte, as the export of this checkout (the launcher executable)."""
    import shutil
    import subprocess
    import sys

    uv = shutil.which("uv", path=str(Path(sys.executable).parent)) or shutil.which("uv")
    assert uv, "uv is part of the dev environment"
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
         "--wheel-dir", str(wheels), str(ROOT)],
        check=True, capture_output=True, cwd=tmp_path,
    )  # fmt: skip
    venv = tmp_path / "venv"
    env = {"PATH": "/usr/bin:/bin", "UV_NO_CONFIG": "1", "UV_PYTHON_DOWNLOADS": "never"}
    subprocess.run([uv, "venv", "--quiet", "--python", sys.executable, str(venv)],
                   check=True, capture_output=True, env=env)  # fmt: skip
    [wheel] = wheels.glob("*.whl")
    subprocess.run(
        [uv, "pip", "install", "--quiet", "--no-deps", "--python", str(venv / "bin/python"),
         str(wheel)],
        check=True, capture_output=True, env=env,
    )  # fmt: skip
    probe = (
        "import sys; from pathlib import Path\n"
        "from release_actions.rehearsal.export import export_release_actions, find_source\n"
        "source = find_source(None)\n"
        "dest, _ = export_release_actions(source, Path(sys.argv[1]))\n"
        "print(source); print(dest)\n"
    )
    out = subprocess.run(
        [str(venv / "bin/python"), "-I", "-c", probe, str(tmp_path / "cache-installed")],
        check=True, capture_output=True, text=True, cwd=tmp_path,
    ).stdout.split("\n")  # fmt: skip
    source, installed = Path(out[0]), Path(out[1])
    assert source == venv / "share" / "release-actions"
    checkout, _ = export_release_actions(ROOT, tmp_path / "cache-checkout")

    def files(root: Path) -> dict[str, bytes]:
        return {
            p.relative_to(root).as_posix(): p.read_bytes()
            for p in root.rglob("*")
            if p.is_file() and p.name != ".export-complete"
        }

    assert files(installed) == files(checkout)
    assert (installed / "scripts" / "run-action").stat().st_mode & 0o111
