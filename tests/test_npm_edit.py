"""Format-preserving package.json / package-lock.json edits, discovery, and a real npm re-lock.

Every edit is checked byte for byte: the output is the input with exactly one
quoted value replaced.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from release_actions.adapters.npm_cli import update_lockfile
from release_actions.core.errors import InvalidValueError, ReleaseActionsError
from release_actions.edits.npm_manifest import (
    lockfile_dependency_version,
    set_lockfile_root_version,
    set_npm_dependency,
    set_package_version,
)
from release_actions.steps.managed_files import find_package_jsons
from tests.testbed.scenario import git

CLIENT = "llama-stack-client"


def ui_manifest(client_range: str, indent: int | str = 2) -> str:
    """A package.json shaped like Llama Stack's UI app, in npm's own formatting."""
    manifest = {
        "name": "ui",
        "version": "0.1.0",
        "private": True,
        "scripts": {
            "dev": "next dev --turbopack --port ${LLAMA_STACK_UI_PORT:-8322}",
            "build": "next build",
            "llama-stack-client": "echo not a dependency",
        },
        "dependencies": {
            "@radix-ui/react-collapsible": "^1.1.12",
            "framer-motion": "^12.23.24",
            "llama-stack-client": client_range,
            "next": "15.5.7",
            "react": "19.2.1",
        },
        "devDependencies": {
            "@types/node": "^24",
            "typescript": "^5",
        },
        "overrides": {"llama-stack-client": {"form-data": "4.0.4"}},
        "engines": {"node": ">=20"},
    }
    return json.dumps(manifest, indent=indent, ensure_ascii=False) + "\n"


def set_dep(text: str, npm_version: str = "0.6.0") -> tuple[str, str, str]:
    return set_npm_dependency(text, CLIENT, npm_version, path_for_errors="src/ui/package.json")


# --------------------------------------------------------------------------- range styles


@pytest.mark.parametrize(
    ("old", "npm_version", "new"),
    [
        ("^0.5.0", "0.6.0", "^0.6.0"),
        ("~0.5.0", "0.6.0", "~0.6.0"),
        ("0.5.0", "0.6.0", "0.6.0"),
        (">=0.5.0", "0.6.0", ">=0.6.0"),
        ("=0.5.0", "0.6.0", "=0.6.0"),
        (">= 0.5.0", "0.6.0", ">= 0.6.0"),
        ("^0.5", "0.6.0", "^0.6.0"),
        ("~0.5", "0.6.0", "~0.6.0"),
        ("^0.5.0-rc.1", "0.6.0", "^0.6.0"),
        ("^0.5.0", "0.6.0-rc.1", "^0.6.0-rc.1"),
        ("0.5.0-alpha.1", "0.6.0-dev.20260202", "0.6.0-dev.20260202"),
        ("^0.6.0", "0.6.0", "^0.6.0"),
    ],
)
def test_range_styles(old: str, npm_version: str, new: str) -> None:
    text = ui_manifest(old)
    result, old_range, new_range = set_dep(text, npm_version)
    assert (old_range, new_range) == (old, new)
    assert result == ui_manifest(new)
    # only the dependency value changed: everything else is byte-identical
    assert result == text.replace(
        f'"llama-stack-client": "{old}"', f'"llama-stack-client": "{new}"'
    )


@pytest.mark.parametrize(
    "value",
    [
        "^0.5 || ^0.6",
        ">=0.5.0 <0.7.0",
        "0.5.0 - 0.6.0",
        "*",
        "",
        "latest",
        "next",
        "0.5.x",
        "^0.x",
        "file:../llama-stack-client-typescript",
        "git+https://github.com/llamastack/llama-stack-client-typescript.git",
        "github:llamastack/llama-stack-client-typescript",
        "workspace:*",
        "workspace:^0.5.0",
        "npm:other-client@^0.5.0",
        "https://example.com/llama-stack-client-0.5.0.tgz",
        "v0.5.0",
    ],
)
def test_complex_range_is_an_error_naming_file_and_value(value: str) -> None:
    with pytest.raises(ReleaseActionsError) as info:
        set_dep(ui_manifest(value))
    assert "src/ui/package.json" in info.value.message
    assert repr(value) in info.value.message
    assert "^0.6.0" in info.value.fix


def test_non_string_range_is_an_error() -> None:
    text = ui_manifest("^0.5.0").replace('"^0.5.0"', '{"version": "^0.5.0"}')
    with pytest.raises(ReleaseActionsError):
        set_dep(text)


def test_missing_dependency_is_an_error_and_never_added() -> None:
    text = ui_manifest("^0.5.0").replace(
        '"llama-stack-client": "^0.5.0"', '"@llama/client": "^0.5.0"'
    )
    with pytest.raises(ReleaseActionsError) as info:
        set_dep(text)
    assert "src/ui/package.json" in info.value.message
    assert repr(CLIENT) in info.value.message
    assert "renamed" in info.value.message
    assert info.value.fix


def test_key_elsewhere_is_not_a_dependency() -> None:
    # "llama-stack-client" is a script name and an overrides key, not a dependency
    text = ui_manifest("^0.5.0").replace('"llama-stack-client": "^0.5.0",\n', "")
    assert '"llama-stack-client"' in text
    with pytest.raises(ReleaseActionsError):
        set_dep(text)


@pytest.mark.parametrize("bad", ["0.6.0rc1", "v0.6.0", "0.6", "0.6.0.dev1", ""])
def test_invalid_npm_version_is_an_error(bad: str) -> None:
    with pytest.raises(InvalidValueError) as info:
        set_dep(ui_manifest("^0.5.0"), bad)
    assert info.value.value == bad


def test_invalid_json_names_the_file() -> None:
    with pytest.raises(ReleaseActionsError) as info:
        set_dep('{"dependencies": {"llama-stack-client": "^0.5.0",}}')
    assert "src/ui/package.json" in info.value.message


def test_every_section_is_updated_first_is_returned() -> None:
    manifest = {
        "name": "lib",
        "devDependencies": {"llama-stack-client": "~0.5.0"},
        "peerDependencies": {"llama-stack-client": ">=0.5.0"},
        "dependencies": {"other": "1.0.0"},
    }
    text = json.dumps(manifest, indent=2) + "\n"
    result, old, new = set_dep(text)
    assert (old, new) == ("~0.5.0", "~0.6.0")
    assert result == text.replace('"~0.5.0"', '"~0.6.0"').replace('">=0.5.0"', '">=0.6.0"')


# --------------------------------------------------------------------------- preservation


@pytest.mark.parametrize("indent", [2, 4, "\t"], ids=["2-spaces", "4-spaces", "tab"])
def test_indentation_and_key_order_preserved(indent: int | str) -> None:
    text = ui_manifest("^0.5.0", indent)
    result, _, _ = set_dep(text)
    assert result == ui_manifest("^0.6.0", indent)
    assert list(json.loads(result)) == list(json.loads(text))
    assert list(json.loads(result)["dependencies"]) == list(json.loads(text)["dependencies"])


def test_hand_formatting_crlf_and_no_trailing_newline_preserved() -> None:
    text = (
        '{\r\n  "name":"ui" ,\r\n  "files": ["dist", "src"],\r\n'
        '  "dependencies" : { "next": "15.5.7",  "llama-stack-client" :  "^0.5.0" },\r\n'
        '  "description": "caf\u00e9 \\u00e9 \\"quoted\\""\r\n}'
    )
    result, _, _ = set_dep(text)
    assert result == text.replace('"^0.5.0"', '"^0.6.0"')


def test_duplicate_key_edits_the_one_json_uses() -> None:
    text = '{"dependencies": {"llama-stack-client": "^0.4.0", "llama-stack-client": "^0.5.0"}}'
    result, old, _ = set_dep(text)
    assert old == "^0.5.0"
    assert result == text.replace('"^0.5.0"', '"^0.6.0"')
    assert json.loads(result)["dependencies"][CLIENT] == "^0.6.0"


# --------------------------------------------------------------------------- version stamping


def test_set_package_version_only_top_level() -> None:
    text = ui_manifest("^0.5.0").replace(
        '"engines": {', '"config": {\n    "version": "0.1.0"\n  },\n  "engines": {'
    )
    result = set_package_version(text, "0.6.0-rc.1")
    assert result == text.replace('"version": "0.1.0",', '"version": "0.6.0-rc.1",', 1)
    assert json.loads(result)["config"]["version"] == "0.1.0"
    assert set_package_version(result, "0.6.0-rc.1") == result


def test_set_package_version_missing_is_an_error() -> None:
    with pytest.raises(ReleaseActionsError) as info:
        set_package_version('{"name": "x"}\n', "0.6.0", path_for_errors="clients/ts/package.json")
    assert "clients/ts/package.json" in info.value.message
    with pytest.raises(InvalidValueError):
        set_package_version('{"version": "0.1.0"}\n', "0.6.0rc1")


LOCK_V3 = """\
{
  "name": "ui",
  "version": "0.1.0",
  "lockfileVersion": 3,
  "requires": true,
  "packages": {
    "": {
      "name": "ui",
      "version": "0.1.0",
      "dependencies": {
        "llama-stack-client": "^0.5.0"
      }
    },
    "node_modules/llama-stack-client": {
      "version": "0.5.3",
      "resolved": "https://registry.npmjs.org/llama-stack-client/-/llama-stack-client-0.5.3.tgz",
      "integrity": "sha512-AAAA",
      "license": "MIT",
      "dependencies": {
        "form-data": "^4.0.0"
      }
    },
    "node_modules/llama-stack-client/node_modules/form-data": {
      "version": "0.1.0"
    }
  }
}
"""


def test_set_lockfile_root_version() -> None:
    result = set_lockfile_root_version(LOCK_V3, "0.6.0")
    assert result == LOCK_V3.replace('"version": "0.1.0",', '"version": "0.6.0",', 2)
    document = json.loads(result)
    assert document["version"] == "0.6.0"
    assert document["packages"][""]["version"] == "0.6.0"
    assert document["packages"]["node_modules/llama-stack-client/node_modules/form-data"] == {
        "version": "0.1.0"
    }
    assert lockfile_dependency_version(result, CLIENT) == "0.5.3"


def test_set_lockfile_root_version_v1_and_errors() -> None:
    v1 = '{\n    "name": "ui",\n    "version": "0.1.0",\n    "lockfileVersion": 1\n}\n'
    assert set_lockfile_root_version(v1, "0.6.0") == v1.replace("0.1.0", "0.6.0")
    broken = LOCK_V3.replace('      "version": "0.1.0",\n', "", 1)
    with pytest.raises(ReleaseActionsError) as info:
        set_lockfile_root_version(broken, "0.6.0", path_for_errors="ui/package-lock.json")
    assert "ui/package-lock.json" in info.value.message
    assert 'packages[""]' in info.value.message


def test_lockfile_dependency_version() -> None:
    assert lockfile_dependency_version(LOCK_V3, CLIENT) == "0.5.3"
    assert lockfile_dependency_version(LOCK_V3, "form-data") is None
    assert lockfile_dependency_version(LOCK_V3, "react") is None
    v1 = json.dumps({"lockfileVersion": 1, "dependencies": {CLIENT: {"version": "0.5.1"}}})
    assert lockfile_dependency_version(v1, CLIENT) == "0.5.1"


# --------------------------------------------------------------------------- discovery


def _write(path: Path, manifest: dict[str, object]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(manifest, indent=2) + "\n")


def _tree(root: Path) -> None:
    _write(root / "package.json", {"name": "root", "devDependencies": {CLIENT: "^0.5.0"}})
    _write(root / "src/llama_stack_ui/package.json", {"dependencies": {CLIENT: "^0.5.0"}})
    _write(root / "docs/package.json", {"dependencies": {"react": "19"}})
    _write(root / "examples/peer/package.json", {"peerDependencies": {CLIENT: ">=0.5.0"}})
    _write(root / "examples/opt/package.json", {"optionalDependencies": {CLIENT: "0.5.0"}})
    _write(root / "examples/other/package.json", {"dependencies": {"llama-stack-client-x": "1"}})
    _write(root / "node_modules/x/package.json", {"dependencies": {CLIENT: "^0.5.0"}})
    _write(root / "src/llama_stack_ui/node_modules/y/package.json", {"dependencies": {CLIENT: "1"}})


EXPECTED = [
    "package.json",
    "examples/opt/package.json",
    "examples/peer/package.json",
    "src/llama_stack_ui/package.json",
]


def test_find_package_jsons_tracked(tmp_path: Path) -> None:
    _tree(tmp_path)
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-f", ".")  # node_modules tracked too: still skipped
    _write(tmp_path / "untracked/package.json", {"dependencies": {CLIENT: "^0.5.0"}})
    assert find_package_jsons(tmp_path, CLIENT) == [tmp_path / p for p in EXPECTED]


def test_find_package_jsons_outside_git(tmp_path: Path) -> None:
    _tree(tmp_path)
    assert find_package_jsons(tmp_path, CLIENT) == [tmp_path / p for p in EXPECTED]


def test_find_package_jsons_configured(tmp_path: Path) -> None:
    _tree(tmp_path)
    assert find_package_jsons(tmp_path, CLIENT, ["src/llama_stack_ui", "docs/package.json"]) == [
        tmp_path / "src/llama_stack_ui/package.json",
        tmp_path / "docs/package.json",
    ]
    with pytest.raises(ReleaseActionsError) as info:
        find_package_jsons(tmp_path, CLIENT, ["src/ui/package.json"])
    assert "src/ui/package.json" in info.value.message


# --------------------------------------------------------------------------- real npm


def test_update_lockfile_dry_run_runs_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    update_lockfile(tmp_path / "missing", registry="http://127.0.0.1:9/", dry_run=True)
    out = capsys.readouterr().err
    assert "npm install --package-lock-only --ignore-scripts --no-audit --no-fund" in out
    assert "--registry http://127.0.0.1:9/" in out
    assert not (tmp_path / "missing").exists()


def test_update_lockfile_without_package_json_is_an_error(tmp_path: Path) -> None:
    if shutil.which("npm") is None:
        pytest.skip("npm is not installed")
    with pytest.raises(ReleaseActionsError) as info:
        update_lockfile(tmp_path)
    assert str(tmp_path) in info.value.message


needs_npm = pytest.mark.skipif(
    shutil.which("npm") is None or shutil.which("node") is None, reason="needs node and npm"
)


@pytest.fixture
def npm_env(npm_registry: object, monkeypatch: pytest.MonkeyPatch) -> object:
    """Point npm (as update_lockfile runs it: the process environment) at the test registry."""
    for key, value in npm_registry.env().items():  # type: ignore[attr-defined]
        if key.lower().startswith("npm_config_") and os.environ.get(key) != value:
            monkeypatch.setenv(key, value)
    return npm_registry


@pytest.mark.e2e
@needs_npm
def test_update_lockfile_against_a_local_registry(npm_env: object, tmp_path: Path) -> None:
    from tests.testbed.registries import NpmRegistry, publish_npm_client

    registry = npm_env
    assert isinstance(registry, NpmRegistry)
    name = "npm-edit-test-client"
    for version in ("0.5.0", "0.6.0"):
        publish_npm_client(registry, version, name=name, skip_existing=True)
    app = tmp_path / "ui"
    app.mkdir()
    manifest = json.dumps(
        {"name": "ui", "version": "0.1.0", "private": True, "dependencies": {name: "^0.5.0"}},
        indent=2,
    )
    (app / "package.json").write_text(manifest + "\n")
    update_lockfile(app, registry=registry.url)
    lock = (app / "package-lock.json").read_text()
    assert lockfile_dependency_version(lock, name) == "0.5.0"
    assert not (app / "node_modules").exists()

    # the release flow: edit the range, re-lock, check that the lock agrees
    text, _, _ = set_npm_dependency(
        (app / "package.json").read_text(), name, "0.6.0", path_for_errors="ui/package.json"
    )
    (app / "package.json").write_text(text)
    update_lockfile(app, registry=registry.url)
    lock = (app / "package-lock.json").read_text()
    assert lockfile_dependency_version(lock, name) == "0.6.0"
    assert json.loads(lock)["packages"][""]["dependencies"] == {name: "^0.6.0"}
    assert (app / "package.json").read_text() == text  # npm left package.json alone

    # a version that is not published: the error carries npm's reason and a fix
    text, _, _ = set_npm_dependency(text, name, "0.9.0", path_for_errors="ui/package.json")
    (app / "package.json").write_text(text)
    with pytest.raises(ReleaseActionsError) as info:
        update_lockfile(app, registry=registry.url)
    assert "ETARGET" in info.value.message or "No matching version" in info.value.message
    assert "published" in info.value.fix
    assert lockfile_dependency_version((app / "package-lock.json").read_text(), name) == "0.6.0"
