"""The repository's tag and branch conventions: parsing, detection, configuration (pure)."""

from __future__ import annotations

import pytest

from release_actions.core.config import (
    Config,
    config_from_pyproject,
    convention_settings,
    with_conventions,
)
from release_actions.core.conventions import (
    DEFAULT,
    Conventions,
    ConventionSettings,
    detect,
)
from release_actions.core.errors import InvalidValueError
from release_actions.core.main_line import main_develops
from release_actions.core.versions import (
    DevTag,
    ReleaseBranch,
    ReleaseTag,
    Version,
    parse_release_branch,
    parse_release_tag,
    parse_tag,
)

PYTEST = Conventions("", "{version}.dev0", "{major}.{minor}.x")
ASTROPY = Conventions("v", "v{version}.dev", "v{major}.{minor}.x")
REL = Conventions("rel-", "rel-{version}-dev", "release-{major}.{minor}.x")


@pytest.mark.parametrize(
    ("conventions", "name", "expected"),
    [
        (DEFAULT, "v1.2.3", ReleaseTag("v1.2.3", Version("1.2.3"))),
        (DEFAULT, "v1.2.3rc1", ReleaseTag("v1.2.3rc1", Version("1.2.3rc1"))),
        (DEFAULT, "v0.4.6-dev", DevTag("v0.4.6-dev", Version("0.4.6"))),
        (PYTEST, "9.1.1", ReleaseTag("9.1.1", Version("9.1.1"))),
        (PYTEST, "9.2.0.dev0", DevTag("9.2.0.dev0", Version("9.2.0"))),
        (PYTEST, "9.2.0.dev3", DevTag("9.2.0.dev3", Version("9.2.0"))),
        (ASTROPY, "v8.0.1", ReleaseTag("v8.0.1", Version("8.0.1"))),
        (ASTROPY, "v8.1.0.dev", DevTag("v8.1.0.dev", Version("8.1.0"))),
        (REL, "rel-0.6.0", ReleaseTag("rel-0.6.0", Version("0.6.0"))),
        (REL, "rel-0.6.0b2", ReleaseTag("rel-0.6.0b2", Version("0.6.0b2"))),
        (REL, "rel-0.7.0-dev", DevTag("rel-0.7.0-dev", Version("0.7.0"))),
    ],
)
def test_parse_tag_in_each_convention(
    conventions: Conventions, name: str, expected: object
) -> None:
    assert parse_tag(name, conventions) == expected


@pytest.mark.parametrize(
    ("conventions", "name", "fix"),
    [
        (DEFAULT, "9.1.1", "release tags start with 'v': use v9.1.1"),
        (PYTEST, "v9.1.1", "this repository's release tags have no prefix: use 9.1.1"),
        (REL, "v0.6.0", "pass a tag of the form rel-X.Y.Z, rel-X.Y.ZrcN or the dev tag"),
        (REL, "0.6.0", "release tags start with 'rel-': use rel-0.6.0"),
        (PYTEST, "9.1", "give three numbers X.Y.Z (or four for a hotfix X.Y.Z.N)"),
        (
            ASTROPY,
            "v8.0.1.post1",
            "post releases are not supported: release the next patch instead",
        ),
    ],
)
def test_tags_outside_the_convention_are_errors_naming_the_fix(
    conventions: Conventions, name: str, fix: str
) -> None:
    with pytest.raises(InvalidValueError) as err:
        parse_release_tag(name, conventions)
    assert err.value.value == name
    assert err.value.fix.startswith(fix)


@pytest.mark.parametrize(
    ("conventions", "names", "ranked", "strays"),
    [
        # the stray v7.4.3 of an unprefixed repository is not ours; "nightly" is no version
        (
            PYTEST,
            ["9.1.1", "v7.4.3", "9.2.0.dev0", "nightly"],
            ["9.1.1", "9.2.0.dev0"],
            ["v7.4.3"],
        ),
        (DEFAULT, ["9.1.1", "v7.4.3", "v1.0", "latest"], ["v7.4.3"], ["9.1.1", "v1.0"]),
        (REL, ["rel-0.6.0", "v0.5.0", "rel-x", "other"], ["rel-0.6.0"], ["v0.5.0", "rel-x"]),
        (
            ASTROPY,
            ["v8.0.1", "v8.1.0.dev", "v8.1.0-dev"],
            ["v8.0.1", "v8.1.0.dev", "v8.1.0-dev"],
            [],
        ),
    ],
)
def test_scanning_ignores_tags_that_do_not_fit(
    conventions: Conventions, names: list[str], ranked: list[str], strays: list[str]
) -> None:
    assert [n for n in names if conventions.rank(n) is not None] == ranked
    assert conventions.strays(names) == strays


def test_dev_tag_ranks_at_its_own_version_and_above_the_release_before() -> None:
    dev, release = PYTEST.rank("9.2.0.dev0"), PYTEST.rank("9.1.1")
    assert dev is not None and release is not None
    assert dev[1] and not release[1]
    assert dev[0] > release[0]  # 9.2.0 (dev tag) above 9.1.2 (after 9.1.1)


@pytest.mark.parametrize(
    ("conventions", "version", "dev_tag", "branch", "match"),
    [
        (DEFAULT, "0.4.6", "v0.4.6-dev", "release-0.4.x", "v[0-9]*"),
        (PYTEST, "9.2.0", "9.2.0.dev0", "9.2.x", "[0-9]*"),
        (ASTROPY, "8.1.0", "v8.1.0.dev", "v8.1.x", "v[0-9]*"),
        (REL, "0.7.0", "rel-0.7.0-dev", "release-0.7.x", "rel-[0-9]*"),
    ],
)
def test_names_written_in_each_convention(
    conventions: Conventions, version: str, dev_tag: str, branch: str, match: str
) -> None:
    assert conventions.dev_tag_name(version) == dev_tag
    assert ReleaseBranch.for_version(Version(version), conventions).name == branch
    assert conventions.describe_match == match
    # what is written parses back
    assert parse_tag(dev_tag, conventions) == DevTag(dev_tag, Version(version))
    assert parse_release_branch(branch, conventions).line == Version(version).release[:2]


def test_release_branches_of_the_configured_form_only() -> None:
    configured = ASTROPY._replace(sources=("configured",) * 3)
    assert configured.branch_line("v8.0.x") == (8, 0)
    assert configured.branch_line("release-8.0.x") is None
    assert configured.branch_line("8.0.x") is None
    # detected or default: the other accepted forms count too (nightly on such a branch)
    assert ASTROPY.branch_line("release-8.0.x") == (8, 0)
    assert ASTROPY.branch_line("feature-8.0.x") is None
    assert DEFAULT.branch_line("main") is None


@pytest.mark.parametrize(
    ("tags", "branches", "expected"),
    [
        # Llama Stack: no refs at all -> its forms
        ([], [], ("v", "v{version}-dev", "release-{major}.{minor}.x")),
        (
            ["v0.4.5", "v0.4.6-dev", "v0.5.0rc1"],
            ["main", "release-0.4.x"],
            ("v", "v{version}-dev", "release-{major}.{minor}.x"),
        ),
        (
            ["9.1.0", "9.1.1", "9.2.0.dev0", "v7.4.3"],
            ["main", "9.1.x", "7.4.x"],
            ("", "{version}.dev0", "{major}.{minor}.x"),
        ),
        (
            ["v8.0.0", "v8.0.1", "v8.1.0.dev"],
            ["main", "v8.0.x", "v7.2.x"],
            ("v", "v{version}.dev", "v{major}.{minor}.x"),
        ),
        (
            ["rel-0.5.0", "rel-0.6.0"],
            ["main"],
            ("rel-", "rel-{version}-dev", DEFAULT.release_branch),
        ),
        # only a dev tag: its prefix and form
        (["1.0.0.dev0"], [], ("", "{version}.dev0", DEFAULT.release_branch)),
    ],
)
def test_detect_from_the_newest_refs(
    tags: list[str], branches: list[str], expected: tuple[str, str, str]
) -> None:
    assert detect(ConventionSettings(), tags, branches)[:3] == expected


def test_detection_reports_its_sources_and_configuration_wins() -> None:
    found = detect(ConventionSettings(), ["9.1.1", "9.2.0.dev0"], ["9.1.x"])
    assert found.sources == (
        "detected from 9.1.1",
        "detected from 9.2.0.dev0",
        "detected from 9.1.x",
    )
    assert "tag-prefix '' (detected from 9.1.1)" in found.summary()
    configured = detect(ConventionSettings("v", None, None), ["9.1.1"], [])
    assert configured.tag_prefix == "v" and configured.sources[0] == "configured"
    assert configured.dev_tag == "v{version}-dev"  # the unprefixed dev tags are not ours
    from_dev = detect(ConventionSettings(None, "{version}.dev0", None), ["v1.0.0"], [])
    assert from_dev.tag_prefix == "" and from_dev.sources[0] == "configured (from dev-tag)"
    assert detect(ConventionSettings(), [], []).sources == ("default",) * 3


def test_config_keys_validated_and_marked_configured() -> None:
    table = {"tag-prefix": "", "dev-tag": "{version}.dev0", "release-branch": "{major}.{minor}.x"}
    config = config_from_pyproject({"tool": {"release-actions": table}})
    assert convention_settings(config) == ConventionSettings(
        "", "{version}.dev0", "{major}.{minor}.x"
    )
    assert convention_settings(Config()) == ConventionSettings()
    assert config_from_pyproject({}).tag_prefix == "v"


@pytest.mark.parametrize(
    ("key", "value", "accepted"),
    [
        ("tag-prefix", "release/", "'NAME-'"),
        ("tag-prefix", "v1", "'NAME-'"),
        ("dev-tag", "v{version}", "'{prefix}{version}-dev'"),
        ("dev-tag", "{version}-alpha", "'{prefix}{version}.dev0'"),
        ("dev-tag", "r/{version}-dev", "'{prefix}{version}-dev'"),
        ("dev-tag", "rel{version}-dev", "'NAME-'"),  # the prefix part is checked as tag-prefix
        ("release-branch", "release-{major}.x", "'{major}.{minor}.x'"),
        ("release-branch", "release-{version}", "'release-{major}.{minor}.x'"),
        ("release-branch", "../{major}.{minor}.x", "'v{major}.{minor}.x'"),
        ("configured", ["tag-prefix"], "tag-prefix"),
    ],
)
def test_bad_config_values_name_the_accepted_forms(key: str, value: object, accepted: str) -> None:
    with pytest.raises(InvalidValueError) as err:
        config_from_pyproject({"tool": {"release-actions": {key: value}}})
    assert accepted in err.value.accepted
    assert key in err.value.what or key == "configured"


def test_dev_tag_must_carry_the_tag_prefix() -> None:
    table = {"tag-prefix": "rel-", "dev-tag": "v{version}-dev"}
    with pytest.raises(InvalidValueError) as err:
        config_from_pyproject({"tool": {"release-actions": table}})
    assert "rel-{version}-dev" in err.value.accepted


def test_main_develops_reads_dev_tags_of_the_convention() -> None:
    develops = main_develops(["9.1.1", "9.2.0.dev0", "v9.9.9-dev"], {}, PYTEST)
    assert develops.version == Version("9.2.0") and develops.source == "9.2.0.dev0"
    assert main_develops(["v8.1.0.dev"], {}, ASTROPY).version == Version("8.1.0")
    assert main_develops(["9.2.0.dev0"], {}).version is None  # not a v-prefixed dev tag


def test_with_conventions_fixes_them_as_configured() -> None:
    config = with_conventions(Config(pins=("x",)), PYTEST)
    assert convention_settings(config) == ConventionSettings(*PYTEST[:3])
    assert detect(convention_settings(config), ["v10.0.0"], ["release-10.0.x"])[:3] == PYTEST[:3]
    assert config.pins == ("x",)
