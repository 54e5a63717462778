"""[tool.release-actions]: defaults fit Llama Stack; keys validated; inputs override."""

from __future__ import annotations

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
    assert config.pins == ("llama-stack-client",)
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
    ],
)
def test_bad_table_values(tmp_path: Path, body: str, fragment: str) -> None:
    with pytest.raises(InvalidValueError) as info:
        load_config(write(tmp_path, f"[tool.release-actions]\n{body}\n"))
    assert fragment in str(info.value)
