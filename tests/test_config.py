"""[tool.release-actions]: neutral defaults; keys validated; inputs override."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from release_actions.adapters.manifests import load_config
from release_actions.core.config import Config
from release_actions.core.errors import InvalidValueError


def write(tmp_path: Path, body: str) -> Path:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n\n' + body)
    return tmp_path


def test_defaults_without_table(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, ""))
    assert config == Config()
    # Neutral: no sibling pins, no npm package, the default branch detected ("").
    assert (config.pins, config.npm_package, config.default_branch) == ((), "", "")
    assert (config.announce, config.docs_url, config.checklist) == ((), "", ())
    assert (config.rc_target, config.pin_style, config.write_mode) == ("testpypi", "exact", "push")


def test_missing_pyproject_gives_defaults(tmp_path: Path) -> None:
    assert load_config(tmp_path) == Config()


def test_table_overrides(tmp_path: Path) -> None:
    config = load_config(
        write(
            tmp_path,
            '[tool.release-actions]\nrc-target = "pypi"\n'
            'pins = ["a-client", "b-client"]\nnext-dev = "minor"\n',
        )
    )
    assert (config.rc_target, config.pins, config.next_dev) == (
        "pypi",
        ("a-client", "b-client"),
        "minor",
    )


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ('rc-target = "npm"', "'npm'"),
        ('unknown-key = "x"', "'unknown-key'"),
        ("pins = 3", "3"),
        ('pin-style = ["exact"]', "['exact']"),
        ('npm-package = "none"', "'none'"),
        ('docs-url = "docs.example.org"', "'docs.example.org'"),
        ('announce = ["#releases", " "]', "' '"),
        ('checklist = [""]', "''"),
        ("container-images = 3", "3"),
        ('default-branch = "a..b"', "'a..b'"),
    ],
)
def test_bad_table_values(tmp_path: Path, body: str, fragment: str) -> None:
    with pytest.raises(InvalidValueError) as info:
        load_config(write(tmp_path, f"[tool.release-actions]\n{body}\n"))
    assert fragment in str(info.value)


def test_checklist_keys_and_empty_values(tmp_path: Path) -> None:
    config = load_config(
        write(
            tmp_path,
            '[tool.release-actions]\nannounce = ["#news on Zulip"]\n'
            'docs-url = "https://docs.example.org/"\ncontainer-images = "ghcr.io/x/y"\n'
            'extra-artifacts = ["conda-forge feedstock"]\nchecklist = ["Tweet it"]\n'
            'npm-package = ""\ndefault-branch = ""\n',
        )
    )
    assert config.announce == ("#news on Zulip",)
    assert config.docs_url == "https://docs.example.org/"
    assert config.container_images == ("ghcr.io/x/y",)
    assert (config.extra_artifacts, config.checklist) == (("conda-forge feedstock",), ("Tweet it",))
    assert (config.npm_package, config.default_branch) == ("", "")


def test_npm_package_none_is_refused_with_the_fix(tmp_path: Path) -> None:
    with pytest.raises(InvalidValueError) as info:
        load_config(write(tmp_path, '[tool.release-actions]\nnpm-package = "none"\n'))
    assert "remove npm-package" in str(info.value.fix)


def test_protected_refs_default_empty_and_read(tmp_path: Path) -> None:
    assert (Config().protected_branches, Config().ruleset_refs) == ((), ())
    config = load_config(
        write(
            tmp_path,
            '[tool.release-actions]\nprotected-branches = ["main", "release-*"]\n'
            'ruleset-refs = ["refs/heads/main", "refs/tags/*-dev"]\n',
        )
    )
    assert config.protected_branches == ("main", "release-*")
    assert config.ruleset_refs == ("refs/heads/main", "refs/tags/*-dev")
    assert {"protected_branches", "ruleset_refs"} <= set(config.configured)
    # One string is a list of one, as for the other list keys.
    one = load_config(write(tmp_path, '[tool.release-actions]\nprotected-branches = "main"\n'))
    assert one.protected_branches == ("main",)


@pytest.mark.parametrize(
    ("body", "fragment", "fix"),
    [
        ("protected-branches = 3", "protected-branches", ""),
        ('protected-branches = ["main", 1]', "protected-branches", ""),
        ('protected-branches = ["release *"]', "'release *'", "without spaces"),
        ('protected-branches = [""]', "protected-branches item", "without spaces"),
        ('protected-branches = ["refs/heads/main"]', "'refs/heads/main'", "ruleset-refs"),
        ('ruleset-refs = ["main"]', "'main'", "refs/heads/main"),
        ('ruleset-refs = ["refs/tags/v* -dev"]', "'refs/tags/v* -dev'", "without spaces"),
        ("ruleset-refs = {main = true}", "ruleset-refs", ""),
    ],
)
def test_bad_protected_refs(tmp_path: Path, body: str, fragment: str, fix: str) -> None:
    with pytest.raises(InvalidValueError) as info:
        load_config(write(tmp_path, f"[tool.release-actions]\n{body}\n"))
    message = str(info.value)
    assert fragment in message
    assert ("ruleset-refs" if "ruleset" in body else "protected-branches") in message
    assert fix in str(info.value.fix)


def test_readme_configuration_table_lists_every_key() -> None:
    """README's Configuration table names exactly the keys Config reads."""
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    section = readme.split("\n## Configuration\n", 1)[1].split("\n### ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    documented = {key for row in rows for key in re.findall(r"`([a-z-]+)`", row.split(" | ")[0])}
    keys = {name.replace("_", "-") for name in Config._fields if name != "configured"}
    assert documented == keys
