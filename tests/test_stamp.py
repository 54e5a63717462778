"""set-version: stamping a version into client package checkouts (release_actions.steps.stamp).

What Llama Stack's sed patching got wrong, one row each: a ``version =`` key outside
``[project]`` rewritten, the ``# x-release-please-version`` comment dropped, a renamed
package silently stamped nowhere, ``src/version.ts`` never updated. Edits are checked
byte for byte against copies of the fixture clients and real-shaped Stainless files.
"""

from __future__ import annotations

import contextlib
import io
import json
import runpy
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml
from packaging.version import Version

from release_actions.core.errors import InvalidValueError, ReleaseActionsError
from release_actions.interface.cli import main
from release_actions.steps.stamp import (
    default_import_name,
    plan_stamp,
    stamp_pyproject,
    stamp_version_py,
    stamp_version_ts,
    write_stamp,
)

try:  # an independent parser to re-read what tomlkit wrote (Python 3.11+)
    import tomllib

    def project_version(text: str) -> object:
        return tomllib.loads(text)["project"]["version"]
except ImportError:  # pragma: no cover - Python 3.10
    import tomlkit

    def project_version(text: str) -> object:
        return tomlkit.parse(text)["project"]["version"]  # type: ignore[index]


ROOT = Path(__file__).resolve().parent.parent
CLIENTS = ROOT / "tests" / "fixtures" / "clients"
V = Version("0.8.0rc1")

# A pyproject.toml shaped like llama-stack-client-python's (Stainless, hatchling, rye):
# a non-canonical static version, other tables with version-like keys.
STAINLESS_PYPROJECT = """\
[project]
name = "llama_stack_client"
version = "@@V@@"
description = "The official Python library for the llama-stack-client API"
dynamic = ["readme"]
license = "MIT"
authors = [
{ name = "Meta Llama", email = "llama-oss@meta.com" },
]
dependencies = [
    "httpx>=0.23.0, <1",
    "pydantic>=1.9.0, <3",
    "typing-extensions>=4.7, <5",
]
requires-python = ">= 3.12"

[project.scripts]
llama-stack-client = "llama_stack_client.lib.cli.llama_stack_client:main"

[tool.rye]
managed = true
# version pins used by the Stainless tooling
dev-dependencies = [
    "pyright==1.1.399",
]

[tool.something]
version = "0.8.0-alpha.1"   # not the package version: must stay

[build-system]
requires = ["hatchling==1.26.3", "hatch-fancy-pypi-readme"]
build-backend = "hatchling.build"

[tool.hatch.build.targets.wheel]
packages = ["src/llama_stack_client"]

[tool.pyright]
pythonVersion = "3.12"
"""

PACKAGE_LOCK = """\
{
  "name": "llama-stack-client",
  "version": "0.7.1",
  "lockfileVersion": 3,
  "requires": true,
  "packages": {
    "": {
      "name": "llama-stack-client",
      "version": "0.7.1",
      "license": "MIT",
      "dependencies": {
        "left-pad": "0.7.1"
      }
    },
    "node_modules/left-pad": {
      "version": "0.7.1",
      "resolved": "https://registry.npmjs.org/left-pad/-/left-pad-0.7.1.tgz",
      "license": "WTFPL"
    }
  }
}
"""


@pytest.fixture(autouse=True)
def _no_action_env(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    for name in list(os.environ):
        if name.startswith("RA_") or name in ("GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY"):
            monkeypatch.delenv(name)


@pytest.fixture
def py_client(tmp_path: Path) -> Path:
    """A copy of the fixture Python client (Stainless-style _version.py)."""
    return Path(shutil.copytree(CLIENTS / "python", tmp_path / "client-python"))


@pytest.fixture
def ts_client(tmp_path: Path) -> Path:
    """A copy of the fixture TypeScript client, plus a lockfileVersion 3 package-lock.json."""
    path = Path(shutil.copytree(CLIENTS / "typescript", tmp_path / "client-typescript"))
    (path / "package-lock.json").write_text(PACKAGE_LOCK)
    return path


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def replaced(data: bytes, old: str, new: str) -> bytes:
    """``data`` with the one occurrence of ``old`` replaced (asserting there is exactly one)."""
    assert data.count(old.encode()) == 1, old
    return data.replace(old.encode(), new.encode())


def cli(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        code = main(["set-version", *args])
    return code, out.getvalue()


# --------------------------------------------------------------------------- pure edits


PYPROJECT_ROWS: list[tuple[str, str, str]] = [
    # (id, before, after) for version 0.8.0rc1
    (
        "plain",
        '[project]\nname = "c"\nversion = "0.7.1"\n',
        '[project]\nname = "c"\nversion = "0.8.0rc1"\n',
    ),
    ("single quotes", "[project]\nversion='0.7.1'\n", "[project]\nversion='0.8.0rc1'\n"),
    (
        "comment and spacing kept",
        '[project]\nversion   =   "0.7.1"   # x-release-please-version\n',
        '[project]\nversion   =   "0.8.0rc1"   # x-release-please-version\n',
    ),
    (
        "non-canonical old value",
        '[project]\nversion = "0.8.0-alpha.1"\n',
        '[project]\nversion = "0.8.0rc1"\n',
    ),
    (
        "other tables untouched (before and after)",
        '[tool.a]\nversion = "0.7.1"\n[project]\nversion = "0.7.1"\n[tool.b]\nversion = "1"\n',
        '[tool.a]\nversion = "0.7.1"\n[project]\nversion = "0.8.0rc1"\n[tool.b]\nversion = "1"\n',
    ),
    (
        "same literal elsewhere",
        '[project]\nversion = "0.7.1"\ndependencies = ["x==0.7.1"]\n[x]\ny = "0.7.1"\n',
        '[project]\nversion = "0.8.0rc1"\ndependencies = ["x==0.7.1"]\n[x]\ny = "0.7.1"\n',
    ),
    ("CRLF", '[project]\r\nversion = "0.7.1"\r\n\r\n', '[project]\r\nversion = "0.8.0rc1"\r\n\r\n'),
    (
        "dotted keys",
        'project.name = "x"\nproject.version = "1" # c\n',
        'project.name = "x"\nproject.version = "0.8.0rc1" # c\n',
    ),
    (
        "inline table",
        'project = {name = "x", version = "1"}\n',
        'project = {name = "x", version = "0.8.0rc1"}\n',
    ),
    (
        "out-of-order tables",
        '[project]\nversion = "1"\n[tool.x]\nversion = "1"\n[project.urls]\nh = "u"\n',
        '[project]\nversion = "0.8.0rc1"\n[tool.x]\nversion = "1"\n[project.urls]\nh = "u"\n',
    ),
    ("already stamped", '[project]\nversion = "0.8.0rc1"\n', '[project]\nversion = "0.8.0rc1"\n'),
]


@pytest.mark.parametrize(
    ("before", "after"), [r[1:] for r in PYPROJECT_ROWS], ids=[r[0] for r in PYPROJECT_ROWS]
)
def test_stamp_pyproject(before: str, after: str) -> None:
    new, _old = stamp_pyproject(before, V)
    assert new == after
    assert project_version(new) == str(V)


VERSION_PY_ROWS: list[tuple[str, str, str]] = [
    (
        "stainless",
        '__title__ = "c"\n__version__ = "0.7.1"  # x-release-please-version\n',
        '__title__ = "c"\n__version__ = "0.8.0rc1"  # x-release-please-version\n',
    ),
    ("single quotes", "__version__ = '0.7.1'\n", "__version__ = '0.8.0rc1'\n"),
    ("annotated", '__version__: str = "0.7.1"\n', '__version__: str = "0.8.0rc1"\n'),
    ("triple quotes", '__version__ = """0.7.1"""\n', '__version__ = """0.8.0rc1"""\n'),
    ("no marker, no newline", '__version__="0.7.1"', '__version__="0.8.0rc1"'),
    (
        "CRLF",
        '__version__ = "0.7.1"  # x-release-please-version\r\n',
        '__version__ = "0.8.0rc1"  # x-release-please-version\r\n',
    ),
    (
        "only the module-level line",
        'x = "0.7.1"\n__version__ = "0.7.1"\ndef f():\n    __version__ = "1"\n',
        'x = "0.7.1"\n__version__ = "0.8.0rc1"\ndef f():\n    __version__ = "1"\n',
    ),
]


@pytest.mark.parametrize(
    ("before", "after"), [r[1:] for r in VERSION_PY_ROWS], ids=[r[0] for r in VERSION_PY_ROWS]
)
def test_stamp_version_py(before: str, after: str) -> None:
    assert stamp_version_py(before, V)[0] == after


VERSION_TS_ROWS: list[tuple[str, str, str]] = [
    (
        "stainless",
        "export const VERSION = '0.7.1'; // x-release-please-version\n",
        "export const VERSION = '0.8.0-rc.1'; // x-release-please-version\n",
    ),
    (
        "double quotes",
        'export const VERSION = "0.7.1";\n',
        'export const VERSION = "0.8.0-rc.1";\n',
    ),
    ("backticks", "export const VERSION = `0.7.1`;\n", "export const VERSION = `0.8.0-rc.1`;\n"),
    (
        "typed",
        "export const VERSION: string = '0.7.1';\n",
        "export const VERSION: string = '0.8.0-rc.1';\n",
    ),
    ("commonjs", "exports.VERSION = '0.7.1';\r\n", "exports.VERSION = '0.8.0-rc.1';\r\n"),
]


@pytest.mark.parametrize(
    ("before", "after"), [r[1:] for r in VERSION_TS_ROWS], ids=[r[0] for r in VERSION_TS_ROWS]
)
def test_stamp_version_ts(before: str, after: str) -> None:
    assert stamp_version_ts(before, "0.8.0-rc.1")[0] == after


# (id, function, text, substrings of the message, substring of the fix)
TEXT_ERRORS: list[tuple[str, Callable[[str], object], str, list[str], str]] = [
    (
        "no [project]",
        lambda t: stamp_pyproject(t, V, path_for_errors="c/pyproject.toml"),
        '[tool.poetry]\nversion = "0.7.1"\n',
        ["c/pyproject.toml", "[project]"],
        "add [project]",
    ),
    (
        "dynamic version",
        lambda t: stamp_pyproject(t, V, path_for_errors="pyproject.toml"),
        '[project]\nname = "llama-stack"\ndynamic = ["version"]\n',
        ["pyproject.toml", "dynamic"],
        "SETUPTOOLS_SCM_PRETEND_VERSION_FOR_LLAMA_STACK=0.8.0rc1",
    ),
    (
        "no version",
        lambda t: stamp_pyproject(t, V),
        '[project]\nname = "c"\n',
        ["pyproject.toml", "no version"],
        'version = "0.8.0rc1"',
    ),
    (
        "version not a string",
        lambda t: stamp_pyproject(t, V),
        "[project]\nversion = 1\n",
        ["pyproject.toml", "not a string"],
        'version = "0.8.0rc1"',
    ),
    (
        "invalid TOML",
        lambda t: stamp_pyproject(t, V),
        "[project\n",
        ["pyproject.toml", "not valid TOML"],
        "fix the TOML syntax",
    ),
    (
        "no __version__ (renamed)",
        lambda t: stamp_version_py(t, V, path_for_errors="src/x/_version.py"),
        'VERSION = "0.7.1"\n',
        ["src/x/_version.py", "__version__"],
        '__version__ = "0.8.0rc1"',
    ),
    (
        "two __version__ lines",
        lambda t: stamp_version_py(t, V),
        '__version__ = "1"\n__version__ = "2"\n',
        ["_version.py", "2 "],
        "single",
    ),
    (
        "__version__ not a literal",
        lambda t: stamp_version_py(t, V),
        "__version__ = VERSION  # x-release-please-version\n",
        ["_version.py", "__version__ = VERSION"],
        '__version__ = "0.8.0rc1"',
    ),
    (
        "__version__ f-string",
        lambda t: stamp_version_py(t, V),
        '__version__ = f"{x}"\n',
        ["_version.py", "plain string literal"],
        '__version__ = "0.8.0rc1"',
    ),
    (
        "no VERSION",
        lambda t: stamp_version_ts(t, "0.8.0-rc.1"),
        "export const NAME = 'x';\n",
        ["src/version.ts", "VERSION"],
        "export const VERSION = '0.8.0-rc.1'",
    ),
    (
        "VERSION not a literal",
        lambda t: stamp_version_ts(t, "0.8.0-rc.1"),
        "export const VERSION = pkg.version;\n",
        ["src/version.ts", "pkg.version"],
        "export const VERSION = '0.8.0-rc.1'",
    ),
    (
        "VERSION template with ${}",
        lambda t: stamp_version_ts(t, "0.8.0-rc.1"),
        "export const VERSION = `${x}`;\n",
        ["src/version.ts", "plain string literal"],
        "export const VERSION",
    ),
]


@pytest.mark.parametrize(
    ("func", "text", "message", "fix"),
    [r[1:] for r in TEXT_ERRORS],
    ids=[r[0] for r in TEXT_ERRORS],
)
def test_text_errors(
    func: Callable[[str], object], text: str, message: list[str], fix: str
) -> None:
    with pytest.raises(ReleaseActionsError) as info:
        func(text)
    for part in message:
        assert part in info.value.message, info.value.message
    assert fix in info.value.fix, info.value.fix


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("llama-stack-client", "llama_stack_client"),
        ("llama_stack_client", "llama_stack_client"),
        ("Llama.Stack--Client", "llama_stack_client"),
    ],
)
def test_default_import_name(name: str, expected: str) -> None:
    assert default_import_name(name) == expected


# --------------------------------------------------------------------------- fixture clients


VERSIONS = [
    ("0.8.0", "0.8.0"),
    ("0.8.0rc1", "0.8.0-rc.1"),
    ("0.4.5.dev20260202", "0.4.5-dev.20260202"),
    ("1.0.0a2", "1.0.0-alpha.2"),
]


@pytest.mark.parametrize(("version", "npm"), VERSIONS)
def test_python_client_byte_for_byte(py_client: Path, version: str, npm: str) -> None:
    before = snapshot(py_client)
    plan = plan_stamp(py_client, Version(version))
    assert plan.kind == "python" and plan.npm_version == npm
    assert write_stamp(plan) == ["pyproject.toml", "src/llama_stack_client/_version.py"]
    after = snapshot(py_client)
    expected = dict(before)
    expected["pyproject.toml"] = replaced(
        before["pyproject.toml"], 'version = "0.7.1"', f'version = "{version}"'
    )
    expected["src/llama_stack_client/_version.py"] = replaced(
        before["src/llama_stack_client/_version.py"],
        '__version__ = "0.7.1"  # x-release-please-version',
        f'__version__ = "{version}"  # x-release-please-version',
    )
    assert after == expected
    # and the results still parse, with the version where tools read it
    assert project_version(after["pyproject.toml"].decode()) == version
    module = runpy.run_path(str(py_client / "src/llama_stack_client/_version.py"))
    assert module["__version__"] == version


@pytest.mark.parametrize(("version", "npm"), VERSIONS)
def test_typescript_client_byte_for_byte(ts_client: Path, version: str, npm: str) -> None:
    before = snapshot(ts_client)
    plan = plan_stamp(ts_client, Version(version))
    assert plan.kind == "npm" and plan.npm_version == npm
    assert write_stamp(plan) == ["package.json", "package-lock.json", "src/version.ts"]
    after = snapshot(ts_client)
    lock = before["package-lock.json"].decode()
    lock = lock.replace(
        '"llama-stack-client",\n  "version": "0.7.1"',
        f'"llama-stack-client",\n  "version": "{npm}"',
    )
    lock = lock.replace(
        '"llama-stack-client",\n      "version": "0.7.1"',
        f'"llama-stack-client",\n      "version": "{npm}"',
    )
    expected = dict(before)
    expected["package.json"] = replaced(
        before["package.json"], '"version": "0.7.1"', f'"version": "{npm}"'
    )
    expected["package-lock.json"] = lock.encode()
    expected["src/version.ts"] = replaced(
        before["src/version.ts"],
        "export const VERSION = '0.7.1'; // x-release-please-version",
        f"export const VERSION = '{npm}'; // x-release-please-version",
    )
    assert after == expected
    locked = json.loads(after["package-lock.json"])
    assert locked["version"] == locked["packages"][""]["version"] == npm
    assert locked["packages"]["node_modules/left-pad"]["version"] == "0.7.1"


def test_stainless_pyproject_other_tables_untouched(tmp_path: Path) -> None:
    pkg = tmp_path / "client"
    (pkg / "src" / "llama_stack_client").mkdir(parents=True)
    (pkg / "pyproject.toml").write_text(STAINLESS_PYPROJECT.replace("@@V@@", "0.8.0-alpha.1"))
    (pkg / "src/llama_stack_client/_version.py").write_bytes(
        (CLIENTS / "python/src/llama_stack_client/_version.py").read_bytes()
    )
    plan = plan_stamp(pkg, V)
    write_stamp(plan)
    assert (pkg / "pyproject.toml").read_text() == STAINLESS_PYPROJECT.replace("@@V@@", "0.8.0rc1")
    assert [(f.rel, f.old, f.new) for f in plan.files] == [
        ("pyproject.toml", "0.8.0-alpha.1", "0.8.0rc1"),
        ("src/llama_stack_client/_version.py", "0.7.1", "0.8.0rc1"),
    ]


def test_crlf_files_keep_crlf(py_client: Path, ts_client: Path) -> None:
    for path in [
        py_client / "pyproject.toml",
        py_client / "src/llama_stack_client/_version.py",
        ts_client / "package.json",
        ts_client / "src/version.ts",
    ]:
        path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    for root in (py_client, ts_client):
        before = snapshot(root)
        write_stamp(plan_stamp(root, V))
        for rel, data in snapshot(root).items():
            if b"\r\n" in before[rel]:
                assert data.count(b"\r\n") == before[rel].count(b"\r\n"), rel
                assert b"\n" not in data.replace(b"\r\n", b""), rel


def test_flat_layout_and_import_name(tmp_path: Path) -> None:
    pkg = tmp_path / "repo"
    (pkg / "ls_client").mkdir(parents=True)
    (pkg / "pyproject.toml").write_text('[project]\nname = "llama-stack-client"\nversion = "0"\n')
    (pkg / "ls_client/_version.py").write_text('__version__ = "0"\n')
    plan = plan_stamp(pkg, V, import_name="ls_client")
    assert [f.rel for f in plan.files] == ["pyproject.toml", "ls_client/_version.py"]


def test_package_dir_and_version_file(tmp_path: Path) -> None:
    repo = tmp_path / "mono"
    pkg = repo / "clients" / "py"
    (pkg / "lib").mkdir(parents=True)
    (pkg / "pyproject.toml").write_text('[project]\nname = "x"\nversion = "0.1.0"\n')
    (pkg / "lib" / "meta.py").write_text('__version__ = "0.1.0"  # x-release-please-version\n')
    plan = plan_stamp(repo, V, package_dir="clients/py", version_file="lib/meta.py")
    assert write_stamp(plan) == ["clients/py/pyproject.toml", "clients/py/lib/meta.py"]
    assert (pkg / "lib" / "meta.py").read_text() == (
        '__version__ = "0.8.0rc1"  # x-release-please-version\n'
    )


def test_version_file_none_stamps_only_manifests(py_client: Path, ts_client: Path) -> None:
    (py_client / "src/llama_stack_client/_version.py").unlink()
    (ts_client / "src/version.ts").unlink()
    assert [f.rel for f in plan_stamp(py_client, V, version_file="none").files] == [
        "pyproject.toml"
    ]
    assert [f.rel for f in plan_stamp(ts_client, V, version_file="none").files] == [
        "package.json",
        "package-lock.json",
    ]


def test_explicit_npm_version_file(ts_client: Path) -> None:
    plan = plan_stamp(ts_client, V, kind="npm", version_file="src/version.ts")
    assert [f.rel for f in plan.files][-1] == "src/version.ts"
    assert (
        plan.files[-1].after == "export const VERSION = '0.8.0-rc.1'; // x-release-please-version\n"
    )


def test_python_only_version_without_npm_form(py_client: Path) -> None:
    plan = plan_stamp(py_client, Version("0.8.0.post1"))
    assert plan.npm_version == "" and plan.as_dict()["npm_version"] == ""


def test_idempotent(py_client: Path, ts_client: Path) -> None:
    for root in (py_client, ts_client):
        write_stamp(plan_stamp(root, V))
        before = snapshot(root)
        again = plan_stamp(root, V)
        assert not again.changed and again.changed_files == [] and again.diff() == ""
        assert again.as_dict()["status"] == "unchanged"
        assert all("already" in f.describe() for f in again.files)
        assert write_stamp(again) == []
        assert snapshot(root) == before


# --------------------------------------------------------------------------- plan errors


def _rename_package(root: Path) -> None:
    (root / "src/llama_stack_client").rename(root / "src/llama_stack")


def _drop_version_line(root: Path) -> None:
    (root / "src/llama_stack_client/_version.py").write_text('__title__ = "x"\n')


def _dynamic(root: Path) -> None:
    path = root / "pyproject.toml"
    path.write_text(path.read_text().replace('version = "0.7.1"', 'dynamic = ["version"]'))


def _add_package_json(root: Path) -> None:
    (root / "package.json").write_text('{"name": "x", "version": "0.0.0"}\n')


def _drop_version_ts(root: Path) -> None:
    (root / "src/version.ts").unlink()


def _empty_version_ts(root: Path) -> None:
    (root / "src/version.ts").write_text("export const NAME = 'x';\n")


def _package_json_without_version(root: Path) -> None:
    (root / "package.json").write_text('{\n  "name": "x"\n}\n')


def _lock_without_root_version(root: Path) -> None:
    (root / "package-lock.json").write_text(
        PACKAGE_LOCK.replace(
            '"name": "llama-stack-client",\n      "version": "0.7.1",',
            '"name": "llama-stack-client",',
        )
    )


def _nameless(root: Path) -> None:
    path = root / "pyproject.toml"
    path.write_text(path.read_text().replace('name = "llama-stack-client"\n', ""))


def _broken_package_json(root: Path) -> None:
    (root / "package.json").write_text('{"version": "0.7.1",}\n')


def _latin1_version_py(root: Path) -> None:
    path = root / "src/llama_stack_client/_version.py"
    path.write_bytes(b"# caf\xe9\n" + path.read_bytes())


def _noop(root: Path) -> None:
    pass


PY, TS = "python", "typescript"
# (id, client, mutation, plan kwargs, version, error type, substrings of the message, of the fix)
PLAN_ERRORS: list[
    tuple[str, str, Callable[[Path], None], dict[str, str], str, type, list[str], str]
] = [
    (
        "renamed package: _version.py missing",
        PY,
        _rename_package,
        {},
        "0.8.0",
        ReleaseActionsError,
        ["src/llama_stack_client/_version.py", "llama_stack_client/_version.py", "renamed"],
        "--import-name",
    ),
    (
        "import name points nowhere",
        PY,
        _noop,
        {"import_name": "other"},
        "0.8.0",
        ReleaseActionsError,
        ["src/other/_version.py", "other/_version.py"],
        "--version-file",
    ),
    (
        "_version.py without __version__",
        PY,
        _drop_version_line,
        {},
        "0.8.0",
        ReleaseActionsError,
        ["src/llama_stack_client/_version.py", "__version__"],
        '__version__ = "0.8.0"',
    ),
    (
        "dynamic version",
        PY,
        _dynamic,
        {},
        "0.8.0",
        ReleaseActionsError,
        ["pyproject.toml", "dynamic"],
        "SETUPTOOLS_SCM_PRETEND_VERSION_FOR_LLAMA_STACK_CLIENT=0.8.0",
    ),
    (
        "no project name",
        PY,
        _nameless,
        {},
        "0.8.0",
        ReleaseActionsError,
        ["pyproject.toml", "name"],
        "--import-name",
    ),
    (
        "invalid import name",
        PY,
        _noop,
        {"import_name": "llama-stack-client"},
        "0.8.0",
        InvalidValueError,
        ["import-name", "llama-stack-client"],
        "import",
    ),
    (
        "auto with both manifests",
        PY,
        _add_package_json,
        {},
        "0.8.0",
        ReleaseActionsError,
        ["pyproject.toml", "package.json", "ambiguous"],
        "--kind python or --kind npm",
    ),
    (
        "auto with no manifest",
        PY,
        _noop,
        {"package_dir": "src"},
        "0.8.0",
        ReleaseActionsError,
        ["src", "neither pyproject.toml nor package.json"],
        "--package-dir",
    ),
    (
        "kind python on an npm package",
        TS,
        _noop,
        {"kind": "python"},
        "0.8.0",
        ReleaseActionsError,
        ["no pyproject.toml"],
        "--kind npm",
    ),
    (
        "kind npm on a python package",
        PY,
        _noop,
        {"kind": "npm"},
        "0.8.0",
        ReleaseActionsError,
        ["no package.json"],
        "--kind python",
    ),
    (
        "unknown kind",
        PY,
        _noop,
        {"kind": "pypi"},
        "0.8.0",
        InvalidValueError,
        ["kind", "pypi"],
        "auto | python | npm",
    ),
    (
        "src/version.ts missing",
        TS,
        _drop_version_ts,
        {},
        "0.8.0",
        ReleaseActionsError,
        ["src/version.ts"],
        "--version-file none",
    ),
    (
        "src/version.ts without VERSION",
        TS,
        _empty_version_ts,
        {},
        "0.8.0",
        ReleaseActionsError,
        ["src/version.ts", "VERSION"],
        "export const VERSION = '0.8.0'",
    ),
    (
        "package.json without version",
        TS,
        _package_json_without_version,
        {},
        "0.8.0",
        ReleaseActionsError,
        ["package.json", '"version"'],
        '"version": "0.8.0"',
    ),
    (
        "lock without packages[''] version",
        TS,
        _lock_without_root_version,
        {},
        "0.8.0",
        ReleaseActionsError,
        ["package-lock.json", 'packages[""]'],
        "npm install --package-lock-only",
    ),
    (
        "npm kind with a post release",
        TS,
        _noop,
        {},
        "0.8.0.post1",
        InvalidValueError,
        ["npm version", "0.8.0.post1"],
        "next patch",
    ),
    (
        "version file missing",
        PY,
        _noop,
        {"version_file": "src/nope.py"},
        "0.8.0",
        ReleaseActionsError,
        ["src/nope.py", "does not exist"],
        "--version-file",
    ),
    (
        "version file outside the repository",
        PY,
        _noop,
        {"version_file": "../x.py"},
        "0.8.0",
        InvalidValueError,
        ["version-file", "../x.py"],
        "relative to --package-dir",
    ),
    (
        "python version file with a .ts suffix",
        PY,
        _noop,
        {"version_file": "src/version.ts"},
        "0.8.0",
        InvalidValueError,
        ["src/version.ts", ".py"],
        "--kind npm",
    ),
    (
        "npm version file with a .py suffix",
        TS,
        _noop,
        {"version_file": "v.py"},
        "0.8.0",
        InvalidValueError,
        ["v.py", ".ts"],
        "--kind python",
    ),
    (
        "version file computing the version",
        TS,
        _noop,
        {"version_file": "index.js"},
        "0.8.0",
        ReleaseActionsError,
        ["index.js", "require('./package.json').version", "plain string literal"],
        "--version-file none",
    ),
    (
        "package.json not JSON",
        TS,
        _broken_package_json,
        {},
        "0.8.0",
        ReleaseActionsError,
        ["package.json", "not valid JSON"],
        "fix the JSON syntax of package.json",
    ),
    (
        "_version.py not UTF-8",
        PY,
        _latin1_version_py,
        {},
        "0.8.0",
        ReleaseActionsError,
        ["src/llama_stack_client/_version.py", "not UTF-8"],
        "save src/llama_stack_client/_version.py as UTF-8",
    ),
    (
        "package dir missing",
        PY,
        _noop,
        {"package_dir": "nope"},
        "0.8.0",
        InvalidValueError,
        ["package-dir", "nope"],
        "--package-dir",
    ),
    (
        "package dir outside the repository",
        PY,
        _noop,
        {"package_dir": ".."},
        "0.8.0",
        InvalidValueError,
        ["package-dir", ".."],
        "--package-dir",
    ),
]


@pytest.mark.parametrize(
    ("client", "mutate", "kwargs", "version", "error", "message", "fix"),
    [r[1:] for r in PLAN_ERRORS],
    ids=[r[0] for r in PLAN_ERRORS],
)
def test_plan_errors(
    tmp_path: Path,
    client: str,
    mutate: Callable[[Path], None],
    kwargs: dict[str, str],
    version: str,
    error: type,
    message: list[str],
    fix: str,
) -> None:
    root = Path(shutil.copytree(CLIENTS / client, tmp_path / "client"))
    if client == TS:
        (root / "package-lock.json").write_text(PACKAGE_LOCK)
    mutate(root)
    with pytest.raises(error) as info:
        plan_stamp(root, Version(version), **kwargs)
    err = info.value
    assert isinstance(err, ReleaseActionsError)
    for part in message:
        assert part in err.message, err.message
    assert fix in err.fix, err.fix


def test_repo_missing(tmp_path: Path) -> None:
    with pytest.raises(InvalidValueError, match="nope"):
        plan_stamp(tmp_path / "nope", V)


# --------------------------------------------------------------------------- CLI / action


@pytest.fixture
def gha(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Path, Path]]:
    out, summary = tmp_path / "github_output", tmp_path / "step_summary"
    out.write_text("")
    monkeypatch.setenv("GITHUB_OUTPUT", str(out))
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    yield out, summary


def outputs(path: Path) -> dict[str, str]:
    return dict(line.split("=", 1) for line in path.read_text().splitlines())


def test_cli_as_the_action_runs_it(
    ts_client: Path, gha: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Inputs only through RA_* (as action.yml passes them), outputs to GITHUB_OUTPUT."""
    out, summary = gha
    action = yaml.safe_load((ROOT / "actions/set-version/action.yml").read_text())
    env = action["runs"]["steps"][0]["env"]
    inputs = {"version": "0.8.0rc1", "working-directory": str(ts_client), "dry-run": "false"}
    for name, spec in action["inputs"].items():
        value = inputs.get(name, spec["default"])
        var = next(k for k, v in env.items() if v == f"${{{{ inputs.{name} }}}}")
        monkeypatch.setenv(var, value)
    code, printed = cli()
    assert code == 0, printed
    got = outputs(out)
    assert set(got) == set(action["outputs"])
    assert got["version"] == "0.8.0rc1" and got["npm-version"] == "0.8.0-rc.1"
    assert got["changed-files"] == "package.json package-lock.json src/version.ts"
    assert got["status"] == "changed" and got["kind"] == "npm"
    assert 'package.json: "version" 0.7.1 -> 0.8.0-rc.1' in printed
    assert "```diff" in summary.read_text()
    # again: nothing changes, and it says so
    out.write_text("")
    before = snapshot(ts_client)
    code, printed = cli()
    assert code == 0 and outputs(out)["status"] == "unchanged"
    assert outputs(out)["changed-files"] == ""
    assert "already 0.8.0-rc.1 (unchanged)" in printed
    assert snapshot(ts_client) == before


def test_cli_dry_run_prints_the_diff_and_writes_nothing(
    py_client: Path, gha: tuple[Path, Path]
) -> None:
    out, _summary = gha
    before = snapshot(py_client)
    code, printed = cli("--repo", str(py_client), "--version", "0.8.0rc1", "--dry-run")
    assert code == 0, printed
    assert snapshot(py_client) == before
    assert '-__version__ = "0.7.1"  # x-release-please-version' in printed
    assert '+__version__ = "0.8.0rc1"  # x-release-please-version' in printed
    assert "--- a/pyproject.toml" in printed and '+version = "0.8.0rc1"' in printed
    got = outputs(out)
    assert got["status"] == "dry-run"
    assert got["changed-files"] == "pyproject.toml src/llama_stack_client/_version.py"


def test_cli_json(py_client: Path) -> None:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        code = main(
            ["set-version", "--repo", str(py_client), "--version", "0.8.0", "--json", "--dry-run"]
        )
    assert code == 0
    assert json.loads(out.getvalue()) == {
        "version": "0.8.0",
        "npm_version": "0.8.0",
        "kind": "python",
        "status": "dry-run",
        "changed_files": "pyproject.toml src/llama_stack_client/_version.py",
        "stamped_files": "pyproject.toml src/llama_stack_client/_version.py",
    }


CLI_ERRORS: list[tuple[list[str], str, str]] = [
    # (flags, value named by the ::error, fix)
    ([], "no version given", "--version"),
    (["--version", "v0.8.0"], "v0.8.0", "write it as 0.8.0"),
    (["--version", "0.8.0-rc1"], "0.8.0-rc1", "write it as 0.8.0rc1"),
    (["--version", "banana"], "banana", "PEP 440"),
    (
        ["--version", "0.8.0", "--import-name", "renamed_client"],
        "src/renamed_client/_version.py",
        "--import-name",
    ),
    (["--version", "0.8.0", "--kind", "npm"], "no package.json", "--kind python"),
]


@pytest.mark.parametrize(
    ("flags", "value", "fix"), CLI_ERRORS, ids=[" ".join(r[0]) for r in CLI_ERRORS]
)
def test_cli_errors_write_nothing(
    py_client: Path, gha: tuple[Path, Path], flags: list[str], value: str, fix: str
) -> None:
    out, summary = gha
    before = snapshot(py_client)
    code, printed = cli("--repo", str(py_client), *flags)
    assert code == 1
    errors = [line for line in printed.splitlines() if line.startswith("::error")]
    assert len(errors) == 1, printed
    assert value in errors[0] and fix in errors[0], errors[0]
    assert out.read_text() == ""
    assert "**Fix:**" in summary.read_text() or "expected" in summary.read_text()
    assert snapshot(py_client) == before


def test_action_passes_every_input_through_env() -> None:
    action = yaml.safe_load((ROOT / "actions/set-version/action.yml").read_text())
    (step,) = action["runs"]["steps"]
    assert action["runs"]["using"] == "composite"
    assert "${{" not in step["run"] and "set-version" in step["run"]
    from release_actions.interface.commands.set_version import OPTIONS

    variables = {row.env for row in OPTIONS}
    for name in action["inputs"]:
        (var,) = [k for k, v in step["env"].items() if v == f"${{{{ inputs.{name} }}}}"]
        assert var.startswith("RA_") and var in variables, (name, var)
    for name, spec in action["outputs"].items():
        assert spec["value"] == f"${{{{ steps.{step['id']}.outputs.{name} }}}}"
