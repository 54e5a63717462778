"""Format-preserving pyproject.toml edits: pins, fallback_version, scm config, file discovery.

The central property: an edit changes only the bytes it names. Every case
compares the whole output text with the input, with just the expected lines
replaced.
"""

from __future__ import annotations

import difflib
import sys
from pathlib import Path

import pytest
import tomlkit
from packaging.requirements import Requirement
from packaging.version import Version

from release_actions.core.errors import InvalidValueError, ReleaseActionsError
from release_actions.edits.pins import PinChange, set_pins
from release_actions.edits.pyproject import (
    ensure_scm_config,
    read_fallback_version,
    set_fallback_version,
)
from release_actions.steps.managed_files import find_managed_pyprojects
from tests.testbed.scenario import git

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    tomllib = None

CLIENT = "llama-stack-client"
V = Version("0.8.0")
OPS = {"exact": "==", "compatible": "~=", "minimum": ">="}
STYLES = list(OPS)


def changed_lines(old: str, new: str) -> list[str]:
    """The -/+ lines of a diff (no headers, no context)."""
    return [
        line
        for line in difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=0)
        if line[:1] in "-+" and not line.startswith(("---", "+++"))
    ]


# --------------------------------------------------------------------------- requirement forms

# (TOML string as written, expected TOML string with {op} for the style's operator).
# Expected None: the entry must stay byte-for-byte as it is.
FORMS: list[tuple[str, str | None]] = [
    # operators the styles replace
    ('"llama-stack-client==0.7.1"', '"llama-stack-client{op}0.8.0"'),
    ('"llama-stack-client>=0.7.1"', '"llama-stack-client{op}0.8.0"'),
    ('"llama-stack-client>0.7.1"', '"llama-stack-client{op}0.8.0"'),
    ('"llama-stack-client~=0.7.1"', '"llama-stack-client{op}0.8.0"'),
    ('"llama-stack-client===0.7.1"', '"llama-stack-client{op}0.8.0"'),
    ('"llama-stack-client==0.7.*"', '"llama-stack-client{op}0.8.0"'),
    ('"llama-stack-client>=0.4.0.dev0"', '"llama-stack-client{op}0.8.0"'),
    ('"llama-stack-client>=0.8.0rc1"', '"llama-stack-client{op}0.8.0"'),
    # two-part versions
    ('"llama-stack-client>=0.7"', '"llama-stack-client{op}0.8.0"'),
    ('"llama-stack-client~=0.7"', '"llama-stack-client{op}0.8.0"'),
    # spacing around the operator is kept
    ('"llama-stack-client >= 0.7.1"', '"llama-stack-client {op} 0.8.0"'),
    ('"llama-stack-client>= 0.7.1"', '"llama-stack-client{op} 0.8.0"'),
    ('"llama-stack-client  >=0.7.1"', '"llama-stack-client  {op}0.8.0"'),
    # extras
    ('"llama-stack-client[extra1,extra2]>=0.7.1"', '"llama-stack-client[extra1,extra2]{op}0.8.0"'),
    (
        '"llama-stack-client[extra1, extra2] >=0.7.1"',
        '"llama-stack-client[extra1, extra2] {op}0.8.0"',
    ),
    # environment markers (with TOML escapes in a basic string, kept as written)
    (
        r'"llama-stack-client>=0.7.1; python_version >= \"3.12\""',
        r'"llama-stack-client{op}0.8.0; python_version >= \"3.12\""',
    ),
    (
        """'llama-stack-client>=0.7.1; python_version >= "3.12"'""",
        """'llama-stack-client{op}0.8.0; python_version >= "3.12"'""",
    ),
    (
        "\"llama-stack-client>=0.7.1;python_version>='3.12'\"",
        "\"llama-stack-client{op}0.8.0;python_version>='3.12'\"",
    ),
    # quote styles
    ("'llama-stack-client>=0.7.1'", "'llama-stack-client{op}0.8.0'"),
    ("'''llama-stack-client>=0.7.1'''", "'''llama-stack-client{op}0.8.0'''"),
    ('"""llama-stack-client>=0.7.1"""', '"""llama-stack-client{op}0.8.0"""'),
    # upper bounds and exclusions are kept
    ('"llama-stack-client>=0.7.1,<0.9"', '"llama-stack-client{op}0.8.0,<0.9"'),
    ('"llama-stack-client>=0.7.1, <0.9"', '"llama-stack-client{op}0.8.0, <0.9"'),
    ('"llama-stack-client>=0.7.1,<=0.9.5"', '"llama-stack-client{op}0.8.0,<=0.9.5"'),
    ('"llama-stack-client>=0.7.1,!=0.7.3"', '"llama-stack-client{op}0.8.0,!=0.7.3"'),
    ('"llama-stack-client<0.9,>=0.7.1"', '"llama-stack-client<0.9,{op}0.8.0"'),
    ('"llama-stack-client<0.9"', '"llama-stack-client{op}0.8.0,<0.9"'),
    ('"llama-stack-client < 0.9"', '"llama-stack-client {op} 0.8.0, < 0.9"'),
    # several replaced clauses collapse into one
    ('"llama-stack-client>=0.7,>=0.7.1,<0.9"', '"llama-stack-client{op}0.8.0,<0.9"'),
    # parenthesised specifiers (old PEP 508 style)
    ('"llama-stack-client (>=0.7.1)"', '"llama-stack-client ({op}0.8.0)"'),
    # bare names get the pin
    ('"llama-stack-client"', '"llama-stack-client{op}0.8.0"'),
    ('"llama-stack-client[extra1]"', '"llama-stack-client[extra1]{op}0.8.0"'),
    (
        "\"llama-stack-client ; python_version >= '3.12'\"",
        "\"llama-stack-client{op}0.8.0 ; python_version >= '3.12'\"",
    ),
    # other spellings of the name match (PEP 503) and keep their spelling
    ('"Llama_Stack.Client>=0.7.1"', '"Llama_Stack.Client{op}0.8.0"'),
    ('"LLAMA-STACK-CLIENT>=0.7.1"', '"LLAMA-STACK-CLIENT{op}0.8.0"'),
    # an escape inside the edited span: re-escaped, same value
    (r'"llama-stack-client\u003e=0.7.1"', '"llama-stack-client{op}0.8.0"'),
    # other packages never change
    ('"llama-stack-client-extra>=1"', None),
    ('"llama-stack>=0.7"', None),
    ('"llama-stack-api"', None),
    ('"llama-stack-clients>=0.7.1"', None),
    # URL requirements are left alone (and reported as skipped)
    ('"llama-stack-client @ https://example.com/llama_stack_client-0.7.1-py3-none-any.whl"', None),
]


def _doc(entry: str) -> str:
    return (
        "[project]\n"
        'name = "demo"\n'
        'dynamic = ["version"]\n'
        "dependencies = [\n"
        '    "fire",\n'
        f"    {entry}, # keep this comment\n"
        '    "httpx>=0.27",\n'
        "]\n"
    )


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize(("written", "expected"), FORMS, ids=[f[0] for f in FORMS])
def test_requirement_forms(written: str, expected: str | None, style: str) -> None:
    text = _doc(written)
    new, changes = set_pins(text, [CLIENT], V, style)
    if expected is None:
        assert new == text
        assert all(not c.changed for c in changes)
        return
    want = expected.format(op=OPS[style])
    assert new == _doc(want)
    assert changed_lines(text, new) == (
        []
        if want == written
        else [f"-    {written}, # keep this comment", f"+    {want}, # keep this comment"]
    )
    # the result is a valid requirement that accepts the version
    parsed = tomlkit.parse(new)["project"]["dependencies"][1]  # type: ignore[index]
    assert Requirement(str(parsed)).specifier.contains(V, prereleases=True)
    [change] = changes
    assert change.table == "project.dependencies"
    assert change.index == 1
    assert change.new == str(parsed)
    assert change.changed == (want != written)


def test_form_table_is_large_enough() -> None:
    assert len(FORMS) >= 30


def test_url_requirement_is_reported_as_skipped() -> None:
    written = '"llama-stack-client @ https://example.com/c.whl"'
    new, changes = set_pins(_doc(written), [CLIENT], V, "exact")
    assert new == _doc(written)
    assert changes == [
        PinChange(
            "project.dependencies",
            1,
            "llama-stack-client @ https://example.com/c.whl",
            "llama-stack-client @ https://example.com/c.whl",
            "URL requirement",
        )
    ]


def test_decoys_report_nothing() -> None:
    _, changes = set_pins(_doc('"llama-stack-client-extra>=1"'), [CLIENT], V, "exact")
    assert changes == []


def test_already_pinned_is_reported_unchanged() -> None:
    text = _doc('"llama-stack-client==0.8.0"')
    new, changes = set_pins(text, [CLIENT], V, "exact")
    assert new == text
    assert [(c.old, c.new, c.changed) for c in changes] == [
        ("llama-stack-client==0.8.0", "llama-stack-client==0.8.0", False)
    ]


@pytest.mark.parametrize(
    ("version", "style", "expected"),
    [
        ("0.8.0rc1", "exact", "==0.8.0rc1"),
        ("0.8.0rc1", "compatible", "~=0.8.0rc1"),
        ("0.8.0rc1", "minimum", ">=0.8.0rc1"),
        ("0.8.1.dev0", "minimum", ">=0.8.1.dev0"),
        ("1.2", "compatible", "~=1.2"),
    ],
)
def test_prerelease_and_dev_versions(version: str, style: str, expected: str) -> None:
    new, _ = set_pins(_doc('"llama-stack-client>=0.7.1"'), [CLIENT], Version(version), style)
    assert new == _doc(f'"llama-stack-client{expected}"')


def test_several_packages_at_once() -> None:
    text = _doc('"llama-stack-client>=0.7.1"').replace('"fire"', '"llama_stack_api>=0.1"')
    new, changes = set_pins(text, ["llama-stack-client", "Llama-Stack-API"], V, "exact")
    assert [(c.index, c.new) for c in changes] == [
        (0, "llama_stack_api==0.8.0"),
        (1, "llama-stack-client==0.8.0"),
    ]
    assert '"llama_stack_api==0.8.0",' in new


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize(
    ("written", "bound"),
    [
        ('"llama-stack-client>=0.7.1,<0.8"', "<0.8"),
        ('"llama-stack-client>=0.7.1,<=0.7.9"', "<=0.7.9"),
        ('"llama-stack-client!=0.8.0"', "!=0.8.0"),
    ],
)
def test_kept_bound_that_excludes_the_version_is_an_error(
    written: str, bound: str, style: str
) -> None:
    with pytest.raises(ReleaseActionsError) as info:
        set_pins(_doc(written), [CLIENT], V, style, path_for_errors="sub/pyproject.toml")
    message = str(info.value)
    assert bound in message
    assert "0.8.0" in message
    assert "sub/pyproject.toml" in message
    assert "[project.dependencies]" in message
    assert info.value.fix


def test_invalid_matching_requirement_is_an_error() -> None:
    with pytest.raises(ReleaseActionsError) as info:
        set_pins(_doc('"llama-stack-client>="'), [CLIENT], V, "exact")
    assert "'llama-stack-client>='" in str(info.value)
    assert info.value.fix


def test_invalid_unrelated_requirement_is_ignored() -> None:
    text = _doc('"llama-stack-client>=0.7.1"').replace('"fire"', '"other>="')
    new, _ = set_pins(text, [CLIENT], V, "exact")
    assert '"other>=",' in new
    assert '"llama-stack-client==0.8.0"' in new


def test_unknown_style_is_an_error() -> None:
    with pytest.raises(InvalidValueError) as info:
        set_pins(_doc('"llama-stack-client"'), [CLIENT], V, "compatible-minor")
    assert info.value.value == "compatible-minor"
    assert "exact | compatible | minimum" in str(info.value)


def test_compatible_needs_two_release_numbers() -> None:
    with pytest.raises(InvalidValueError):
        set_pins(_doc('"llama-stack-client"'), [CLIENT], Version("1"), "compatible")


def test_invalid_toml_names_the_file() -> None:
    with pytest.raises(ReleaseActionsError) as info:
        set_pins("[project\n", [CLIENT], V, "exact", path_for_errors="a/pyproject.toml")
    assert "a/pyproject.toml" in str(info.value)


# --------------------------------------------------------------------------- tables

MULTI = """\
[project]
name = "demo"
dependencies = ["llama-stack-client>=0.7.1"]

[project.optional-dependencies]
client = [
    "llama-stack-client>=0.7.1", # Optional for library-only usage
]
ui = ['llama-stack-client[ui] >= 0.7', "other"]
empty = []

[dependency-groups]
type_checking = [
    {include-group = "dev"},
    "llama-stack-client>=0.7.1",  # Typed client
]
dev = [{ include-group = "lint" }, "pytest>=8"]
lint = ["ruff"]

[tool.uv]
dev-dependencies = ["llama-stack-client>=0.7.1"]

[build-system]
requires = ["setuptools", "llama-stack-client>=0.7.1"]
"""


def test_same_package_in_every_table() -> None:
    new, changes = set_pins(MULTI, [CLIENT], V, "exact")
    assert [(c.table, c.index, c.new) for c in changes] == [
        ("project.dependencies", 0, "llama-stack-client==0.8.0"),
        ("project.optional-dependencies.client", 0, "llama-stack-client==0.8.0"),
        ("project.optional-dependencies.ui", 0, "llama-stack-client[ui] == 0.8.0"),
        ("dependency-groups.type_checking", 1, "llama-stack-client==0.8.0"),
    ]
    assert changed_lines(MULTI, new) == [
        '-dependencies = ["llama-stack-client>=0.7.1"]',
        '+dependencies = ["llama-stack-client==0.8.0"]',
        '-    "llama-stack-client>=0.7.1", # Optional for library-only usage',
        '+    "llama-stack-client==0.8.0", # Optional for library-only usage',
        "-ui = ['llama-stack-client[ui] >= 0.7', \"other\"]",
        "+ui = ['llama-stack-client[ui] == 0.8.0', \"other\"]",
        '-    "llama-stack-client>=0.7.1",  # Typed client',
        '+    "llama-stack-client==0.8.0",  # Typed client',
    ]


def test_include_group_tables_are_kept() -> None:
    new, _ = set_pins(MULTI, [CLIENT], V, "minimum")
    assert '    {include-group = "dev"},\n' in new
    assert 'dev = [{ include-group = "lint" }, "pytest>=8"]' in new


# A pyproject shaped like Llama Stack's root file (comments, odd spacing, order).
LLAMA_STACK = """\
[build-system]
requires = ["setuptools>=61.0", "setuptools-scm>=8"]
build-backend = "setuptools.build_meta"

[project]
name = "llama_stack"
dynamic = ["version"]
authors = [{ name = "Meta Llama", email = "llama-oss@meta.com" }]
description = "Llama Stack"
readme = "README.md"
requires-python = ">=3.12"
license = { "text" = "MIT" }
classifiers = [
    "License :: OSI Approved :: MIT License",
    "Programming Language :: Python :: 3",
]
dependencies = [
    "PyYAML>=6.0",
    "aiohttp",
    "fastapi>=0.115.0,<1.0",    # server
    "fire",                     # for MCP in LLS client
    "httpx",
    "jinja2>=3.1.6",
    "llama-stack-api",          # API and provider specifications (local dev via tool.uv.sources)
    "openai>=2.5.0",
    'tiktoken',
]

[project.optional-dependencies]
client = [
    "llama-stack-client>=0.7.1", # Optional for library-only usage
]

[dependency-groups]
dev = [
    "pytest>=8.4",
    "pytest-asyncio>=1.0",
    "ruff",
]
# Type checking dependencies - includes type stubs and optional runtime dependencies
# needed for complete mypy coverage across all optional features
type_checking = [
    "types-requests",
    "llama-stack-client>=0.7.1",
    "pandas",
]
unit = [
    "sqlite-vec",
    "llama-stack-client-extra>=1",   # decoy: a different package
    { include-group = "dev" },
]

[project.urls]
Homepage = "https://github.com/llamastack/llama-stack"

[project.scripts]
llama = "llama_stack.cli.llama:main"

[tool.setuptools.packages.find]
where = ["src"]
include = ["llama_stack", "llama_stack.*"]

[tool.uv.sources]
llama-stack-api = { path = "src/llama_stack_api", editable = true }

[tool.ruff]
line-length = 120
exclude = [
    "./.git",
    "./docs/*",
]

[tool.setuptools_scm]
# Versions come from git tags; this is used without git metadata.
fallback_version = "0.7.2.dev0"
"""


def test_realistic_root_pyproject_only_version_bytes_change() -> None:
    new, changes = set_pins(LLAMA_STACK, [CLIENT], V, "exact")
    assert changed_lines(LLAMA_STACK, new) == [
        '-    "llama-stack-client>=0.7.1", # Optional for library-only usage',
        '+    "llama-stack-client==0.8.0", # Optional for library-only usage',
        '-    "llama-stack-client>=0.7.1",',
        '+    "llama-stack-client==0.8.0",',
    ]
    assert [c.table for c in changes] == [
        "project.optional-dependencies.client",
        "dependency-groups.type_checking",
    ]
    # Byte level: the file is the original with exactly those two strings replaced.
    assert LLAMA_STACK.count('"llama-stack-client>=0.7.1"') == 2
    assert new == LLAMA_STACK.replace('"llama-stack-client>=0.7.1"', '"llama-stack-client==0.8.0"')

    again = set_fallback_version(new, "0.8.0")
    assert changed_lines(new, again) == [
        '-fallback_version = "0.7.2.dev0"',
        '+fallback_version = "0.8.0"',
    ]


def test_llama_stack_v0_6_0_prepare_release() -> None:
    """The real v0.6.0 prepare-release result: only these bytes changed."""
    before = (
        "[project.optional-dependencies]\n"
        "client = [\n"
        '    "llama-stack-client>=0.4.0.dev0", # Optional for library-only usage\n'
        "]\n"
        "[dependency-groups]\n"
        "type_checking = [\n"
        '    "llama-stack-client>=0.3.0",\n'
        "]\n"
        "[tool.setuptools_scm]\n"
        'fallback_version = "0.5.3.dev0"\n'
    )
    after, _ = set_pins(before, [CLIENT], Version("0.6.0"), "exact")
    after = set_fallback_version(after, "0.6.0")
    assert after == (
        before.replace(">=0.4.0.dev0", "==0.6.0")
        .replace(">=0.3.0", "==0.6.0")
        .replace("0.5.3.dev0", "0.6.0")
    )


# --------------------------------------------------------------------------- fallback_version


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ('fallback_version = "0.7.2.dev0"', 'fallback_version = "0.8.0"'),
        ('fallback_version="0.7.2.dev0"', 'fallback_version="0.8.0"'),
        ('  fallback_version  =  "0.7.2.dev0"', '  fallback_version  =  "0.8.0"'),
        ("\tfallback_version = '0.7.2.dev0'", "\tfallback_version = '0.8.0'"),
        (
            'fallback_version = "0.7.2.dev0"   # bumped by post-release',
            'fallback_version = "0.8.0"   # bumped by post-release',
        ),
        ("fallback_version = '''0.7.2.dev0'''", "fallback_version = '''0.8.0'''"),
    ],
)
def test_fallback_version_spacing_and_quotes(line: str, expected: str) -> None:
    text = f'[tool.setuptools_scm]\nroot = "../.."\n{line}\nlocal_scheme = "no-local-version"\n'
    new = set_fallback_version(text, "0.8.0")
    assert new == text.replace(line, expected)
    assert read_fallback_version(new) == "0.8.0"


DECOYS = """\
[project]
name = "demo"
dynamic = ["version"]

[tool.hatch.version]
fallback_version = "9.9.9"

[tool.setuptools_scm]
fallback_version = "0.7.2.dev0" # real one

[tool.other]
fallback_version = "1.2.3"
setuptools_scm = { fallback_version = "4.5.6" }
"""


def test_fallback_version_is_scoped_to_setuptools_scm() -> None:
    new = set_fallback_version(DECOYS, "0.8.0")
    assert changed_lines(DECOYS, new) == [
        '-fallback_version = "0.7.2.dev0" # real one',
        '+fallback_version = "0.8.0" # real one',
    ]
    assert read_fallback_version(DECOYS) == "0.7.2.dev0"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '[tool]\nsetuptools_scm.root = ".."\nsetuptools_scm.fallback_version = "0.1" # c\n',
            '[tool]\nsetuptools_scm.root = ".."\nsetuptools_scm.fallback_version = "0.8.0" # c\n',
        ),
        (
            '[tool]\nsetuptools_scm = { fallback_version = "0.1", root = ".." }\n',
            '[tool]\nsetuptools_scm = { fallback_version = "0.8.0", root = ".." }\n',
        ),
    ],
)
def test_fallback_version_in_dotted_and_inline_tables(text: str, expected: str) -> None:
    assert set_fallback_version(text, "0.8.0") == expected


def test_missing_scm_table_is_an_error() -> None:
    text = '[project]\nname = "x"\n[tool.other]\nfallback_version = "0.1.0"\n'
    with pytest.raises(ReleaseActionsError) as info:
        set_fallback_version(text, "0.8.0", path_for_errors="src/api/pyproject.toml")
    assert "[tool.setuptools_scm]" in info.value.message
    assert "src/api/pyproject.toml" in info.value.message
    assert "fallback_version" in info.value.fix


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '[tool.setuptools_scm]\nroot = "../.."\n\n[project]\nname = "x"\n',
            '[tool.setuptools_scm]\nroot = "../.."\nfallback_version = "0.8.0"\n\n'
            '[project]\nname = "x"\n',
        ),
        (
            '[tool.setuptools_scm]\r\nroot = "../.."  # c\r\n',
            '[tool.setuptools_scm]\r\nroot = "../.."  # c\r\nfallback_version = "0.8.0"\r\n',
        ),
        ("[tool.setuptools_scm]", '[tool.setuptools_scm]\nfallback_version = "0.8.0"'),
    ],
)
def test_missing_fallback_key_is_added_to_the_table(text: str, expected: str) -> None:
    """A patch prepare and post-release add the key the same way a minor prepare does."""
    assert set_fallback_version(text, "0.8.0") == expected
    assert read_fallback_version(expected) == "0.8.0"


def test_non_string_fallback_is_an_error() -> None:
    text = "[tool.setuptools_scm]\nfallback_version = 1\n"
    with pytest.raises(ReleaseActionsError):
        set_fallback_version(text, "0.8.0")
    with pytest.raises(ReleaseActionsError):
        read_fallback_version(text)


@pytest.mark.parametrize(
    "text",
    ["", '[project]\nname = "x"\n', '[tool.setuptools_scm]\nroot = ".."\n', "[tool.x]\na = 1\n"],
)
def test_read_fallback_version_missing(text: str) -> None:
    assert read_fallback_version(text) is None


# --------------------------------------------------------------------------- ensure_scm_config


def test_ensure_scm_config_already_configured() -> None:
    text = LLAMA_STACK
    assert ensure_scm_config(text, fallback_version="0.7.2.dev0") == (text, [])


def test_ensure_scm_config_converts_a_static_version() -> None:
    text = (
        "[project]\n"
        'name = "llama_stack_client"\n'
        'version = "0.8.0-alpha.1"\n'
        'description = "client"\n'
        "\n"
        "[tool.ruff]\n"
        "line-length = 120\n"
    )
    new, changes = ensure_scm_config(text, fallback_version="0.8.0.dev0")
    assert changes == [
        "removed the static [project] version = '0.8.0-alpha.1'",
        'added [project] dynamic = ["version"]',
        "added [tool.setuptools_scm] with fallback_version = '0.8.0.dev0'",
    ]
    assert new == (
        "[project]\n"
        'name = "llama_stack_client"\n'
        'description = "client"\n'
        'dynamic = ["version"]\n'
        "\n"
        "[tool.ruff]\n"
        "line-length = 120\n"
        "\n"
        "[tool.setuptools_scm]\n"
        'fallback_version = "0.8.0.dev0"\n'
    )
    assert ensure_scm_config(new, fallback_version="0.8.0.dev0") == (new, [])


def test_ensure_scm_config_extends_dynamic_and_adds_root() -> None:
    text = '[project]\nname = "api"\ndynamic = ["readme"]  # from README\n'
    new, changes = ensure_scm_config(text, fallback_version="0.1.0.dev0", root="../..")
    assert changes == [
        'added "version" to [project] dynamic',
        "added [tool.setuptools_scm] with fallback_version = '0.1.0.dev0', root = '../..'",
    ]
    assert new.startswith(
        '[project]\nname = "api"\ndynamic = ["readme", "version"]  # from README\n'
    )
    if tomllib is not None:
        assert tomllib.loads(new)["tool"] == {
            "setuptools_scm": {"fallback_version": "0.1.0.dev0", "root": "../.."}
        }


def test_ensure_scm_config_updates_existing_values() -> None:
    text = "[project]\nname = \"x\"\ndynamic = ['version']\n[tool.setuptools_scm]\nroot = '..'\n"
    new, changes = ensure_scm_config(text, fallback_version="0.2.0.dev0", root="../..")
    assert changes == [
        "set [tool.setuptools_scm] fallback_version = '0.2.0.dev0'",
        "set [tool.setuptools_scm] root = '../..' (was '..')",
    ]
    assert "root = '../..'\n" in new  # literal quotes kept
    assert 'fallback_version = "0.2.0.dev0"' in new
    assert new.startswith("[project]\nname = \"x\"\ndynamic = ['version']\n")


def test_ensure_scm_config_removes_a_static_version_next_to_dynamic() -> None:
    text = '[project]\nname = "x"\nversion = "1.0"\ndynamic = ["version"]\n'
    text += '[tool.setuptools_scm]\nfallback_version = "1.0"\n'
    new, changes = ensure_scm_config(text, fallback_version="1.0")
    assert changes == ["removed the static [project] version = '1.0'"]
    assert new == text.replace('version = "1.0"\n', "", 1)


def test_ensure_scm_config_errors() -> None:
    with pytest.raises(ReleaseActionsError) as info:
        ensure_scm_config("[tool.x]\na = 1\n", fallback_version="0.1.0", path_for_errors="p.toml")
    assert "p.toml" in str(info.value)
    assert "[project]" in str(info.value)
    with pytest.raises(ReleaseActionsError):
        ensure_scm_config('[project]\nname = "x"\ndynamic = "version"\n', fallback_version="0.1")


# --------------------------------------------------------------------------- discovery

SCM = (
    '[project]\nname = "{name}"\ndynamic = ["version"]\n'
    '[tool.setuptools_scm]\nfallback_version = "0.1.0"\n'
)
NO_SCM = '[project]\nname = "{name}"\nversion = "1.0"\n'


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def _tree(root: Path) -> None:
    _write(root / "pyproject.toml", SCM.format(name="root"))
    _write(root / "src/llama_stack_api/pyproject.toml", SCM.format(name="api"))
    _write(root / "a_first/pyproject.toml", SCM.format(name="a"))
    _write(root / "tools/pyproject.toml", NO_SCM.format(name="tools"))
    _write(root / "docs/notpyproject.toml", SCM.format(name="decoy"))
    _write(root / "node_modules/pkg/pyproject.toml", SCM.format(name="nm"))
    _write(root / ".venv/lib/pyproject.toml", SCM.format(name="venv"))


def test_find_in_git_uses_tracked_files_root_first(tmp_path: Path) -> None:
    _tree(tmp_path)
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "pyproject.toml", "src", "a_first", "tools", "docs")
    _write(tmp_path / "untracked/pyproject.toml", SCM.format(name="untracked"))
    found = find_managed_pyprojects(tmp_path)
    assert found == [
        tmp_path / "pyproject.toml",
        tmp_path / "a_first/pyproject.toml",
        tmp_path / "src/llama_stack_api/pyproject.toml",
    ]


def test_find_outside_git_walks_and_skips(tmp_path: Path) -> None:
    _tree(tmp_path)
    found = find_managed_pyprojects(tmp_path)
    assert found == [
        tmp_path / "pyproject.toml",
        tmp_path / "a_first/pyproject.toml",
        tmp_path / "src/llama_stack_api/pyproject.toml",
    ]


def test_find_configured_paths_in_order(tmp_path: Path) -> None:
    _tree(tmp_path)
    found = find_managed_pyprojects(tmp_path, ["src/llama_stack_api", "tools/pyproject.toml"])
    assert found == [
        tmp_path / "src/llama_stack_api/pyproject.toml",
        tmp_path / "tools/pyproject.toml",
    ]


def test_find_configured_missing_is_an_error(tmp_path: Path) -> None:
    _tree(tmp_path)
    with pytest.raises(ReleaseActionsError) as info:
        find_managed_pyprojects(tmp_path, ["pyproject.toml", "src/renamed/pyproject.toml"])
    assert "src/renamed/pyproject.toml" in info.value.message
    assert info.value.fix


@pytest.mark.parametrize("bad", ["../outside/pyproject.toml", "/etc/pyproject.toml"])
def test_find_configured_outside_the_repo_is_an_error(tmp_path: Path, bad: str) -> None:
    _tree(tmp_path / "repo")
    _write(tmp_path / "outside/pyproject.toml", SCM.format(name="out"))
    with pytest.raises(InvalidValueError) as info:
        find_managed_pyprojects(tmp_path / "repo", [bad])
    assert info.value.value == bad


def test_find_invalid_toml_names_the_file(tmp_path: Path) -> None:
    _tree(tmp_path)
    _write(tmp_path / "broken/pyproject.toml", "[project\n")
    with pytest.raises(ReleaseActionsError) as info:
        find_managed_pyprojects(tmp_path)
    assert "broken/pyproject.toml" in info.value.message


def test_multiline_string_with_leading_newline_keeps_it() -> None:
    text = '[project]\ndependencies = ["""\nllama-stack-client>=0.7.1"""]\n'
    new, _ = set_pins(text, [CLIENT], V, "exact")
    assert new == '[project]\ndependencies = ["""\nllama-stack-client==0.8.0"""]\n'
