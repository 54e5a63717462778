"""The version model: parsing, successors, and the npm form's order preservation."""

from __future__ import annotations

import pytest
import semver
from hypothesis import given, settings
from hypothesis import strategies as st
from packaging.version import Version

from release_actions.core.errors import InvalidValueError
from release_actions.core.versions import (
    DevTag,
    ReleaseBranch,
    ReleaseTag,
    dev_version,
    next_dev_base,
    npm_version,
    parse_release_branch,
    parse_release_tag,
    parse_release_version,
    parse_tag,
    successor_base,
)


@pytest.mark.parametrize(
    "text",
    ["0.4.5", "1.0.0", "0.6.0rc1", "0.6.0rc10", "2.0.0a1", "2.0.0b3", "0.2.10.1", "0.1.5.12"],
)
def test_release_versions_parse(text: str) -> None:
    assert str(parse_release_version(text)) == text


@pytest.mark.parametrize(
    ("text", "fix_fragment"),
    [
        ("v0.4.5", "drop the leading 'v'"),
        ("0.6.0-rc1", "canonical PEP 440 spelling 0.6.0rc1"),
        ("0.6.0.rc1", "canonical"),
        ("0.4.5.post1", "post releases"),
        ("0.4.5.dev0", "dev version"),
        ("0.4", "three numbers"),
        ("0.4.5.1.2", "three numbers"),
        ("0.4.5.0", "counts from 1"),
        ("0.4.5.1rc1", "drop the pre-release part"),
        ("0.4.5.01", "canonical PEP 440 spelling 0.4.5.1"),
        ("0.4.5.1.dev0", "dev version"),
    ],
)
def test_release_version_errors_suggest_a_fix(text: str, fix_fragment: str) -> None:
    with pytest.raises(InvalidValueError) as info:
        parse_release_version(text)
    assert text in str(info.value)
    assert fix_fragment in info.value.fix


@pytest.mark.parametrize(
    ("name", "kind", "version"),
    [
        ("v0.4.5", ReleaseTag, "0.4.5"),
        ("v0.5.0rc1", ReleaseTag, "0.5.0rc1"),
        ("refs/tags/v0.5.0", ReleaseTag, "0.5.0"),
        ("v0.4.6-dev", DevTag, "0.4.6"),
        ("v0.2.10.1", ReleaseTag, "0.2.10.1"),
    ],
)
def test_tags(name: str, kind: type, version: str) -> None:
    tag = parse_tag(name)
    assert isinstance(tag, kind)
    assert tag.version == Version(version)


@pytest.mark.parametrize(
    "name",
    [
        "0.4.5",
        "v1.2",
        "v0.2.10.0",
        "v0.2.10.1rc1",
        "v0.2.10.1.1",
        "v0.2.10.1-dev",
        "v0.5.0.post1",
        "v0.8.1-devX",
        "v0.8.1-dev1",
        "vv0.1.0",
    ],
)
def test_bad_tags(name: str) -> None:
    with pytest.raises(InvalidValueError) as info:
        parse_tag(name)
    assert repr(name) in str(info.value)


def test_release_tag_rejects_dev_tag() -> None:
    with pytest.raises(InvalidValueError, match="dev tags are not releases"):
        parse_release_tag("v0.4.6-dev")


def test_release_branch() -> None:
    assert parse_release_branch("release-0.4.x") == ReleaseBranch("release-0.4.x", 0, 4)
    assert ReleaseBranch.for_version(Version("0.10.2rc1")).name == "release-0.10.x"
    for bad in ["release-0.4", "release-0.4.1", "release/0.4.x", "main"]:
        with pytest.raises(InvalidValueError):
            parse_release_branch(bad)


@pytest.mark.parametrize(
    ("version", "successor"),
    [
        ("0.8.0", "0.8.1"),
        ("0.8.0rc1", "0.8.0rc2"),
        ("0.8.0rc9", "0.8.0rc10"),
        ("1.0.0a1", "1.0.0a2"),
        ("0.2.10.1", "0.2.10.2"),  # setuptools-scm's guess-next-dev after the tag v0.2.10.1
        ("0.2.10.9", "0.2.10.10"),
    ],
)
def test_successor_base(version: str, successor: str) -> None:
    assert successor_base(Version(version)) == Version(successor)
    assert successor_base(Version(version)) > Version(version)


def test_next_dev_base_policies() -> None:
    assert next_dev_base(Version("0.4.5")) == Version("0.4.6")
    assert next_dev_base(Version("0.5.0"), "minor") == Version("0.6.0")
    with pytest.raises(InvalidValueError):
        next_dev_base(Version("0.5.0"), "major")


@pytest.mark.parametrize(
    ("pep440", "npm"),
    [
        ("0.4.5", "0.4.5"),
        ("0.6.0rc1", "0.6.0-rc.1"),
        ("0.6.0rc10", "0.6.0-rc.10"),
        ("1.0.0a2", "1.0.0-alpha.2"),
        ("1.0.0b1", "1.0.0-beta.1"),
        ("0.4.5.dev20260202", "0.4.5-dev.20260202"),  # Llama Stack's pypi.yml nightly form
        ("0.8.0rc1.dev20261125", "0.8.0-rc.0.dev.20261125"),
        ("0.8.0rc2.dev5", "0.8.0-rc.1.dev.5"),
    ],
)
def test_npm_version_examples(pep440: str, npm: str) -> None:
    assert npm_version(Version(pep440)) == npm
    semver.Version.parse(npm)


def test_rc10_sorts_after_rc2_in_npm() -> None:
    rc2, rc10 = (semver.Version.parse(npm_version(Version(v))) for v in ("0.6.0rc2", "0.6.0rc10"))
    assert rc10 > rc2


def test_rc_dev_sorts_before_its_rc_in_npm() -> None:
    """Llama Stack's pypi.yml: `0.8.0-rc1-dev.X` sorted after 0.8.0-rc1; ours sorts before,
    as PEP 440."""
    dev = semver.Version.parse(npm_version(Version("0.8.0rc1.dev20261125")))
    assert dev < semver.Version.parse(npm_version(Version("0.8.0rc1")))


@pytest.mark.parametrize(
    "bad", ["0.4.5.post1", "0.4.5+local", "1!0.4.5", "0.4.5.1", "0.8.0rc0.dev1"]
)
def test_npm_version_errors(bad: str) -> None:
    with pytest.raises(InvalidValueError) as info:
        npm_version(Version(bad))
    assert bad in str(info.value)


def test_dev_version() -> None:
    assert dev_version(Version("0.4.6"), "20261125") == Version("0.4.6.dev20261125")


# Hypothesis: order preservation over final, aN, bN, rcN, .devN and rcN.devM.
_pre = st.one_of(
    st.none(),
    st.tuples(st.sampled_from(["a", "b", "rc"]), st.integers(min_value=0, max_value=30)),
)


@st.composite
def versions(draw: st.DrawFn) -> Version:
    release = draw(st.tuples(*(st.integers(min_value=0, max_value=3) for _ in range(3))))
    pre = draw(_pre)
    dev = draw(st.one_of(st.none(), st.integers(min_value=0, max_value=10**8)))
    if pre is not None and pre[1] == 0 and dev is not None:
        pre = (pre[0], 1)  # rc0.devM has no order-preserving npm form (tested separately)
    text = ".".join(map(str, release))
    if pre is not None:
        text += f"{pre[0]}{pre[1]}"
    if dev is not None:
        text += f".dev{dev}"
    return Version(text)


def is_documented_exception(a: Version, b: Version) -> bool:
    """X.Y.Z.devN vs X.Y.Z{a,b}M[.devK]: npm sorts 'dev' after 'alpha'/'beta'."""
    for x, y in ((a, b), (b, a)):
        if (
            x.release == y.release
            and x.pre is None
            and x.dev is not None
            and y.pre is not None
            and y.pre[0] in ("a", "b")
        ):
            return True
    return False


@settings(max_examples=600, deadline=None)
@given(versions(), versions())
def test_npm_form_preserves_pep440_order(a: Version, b: Version) -> None:
    na, nb = semver.Version.parse(npm_version(a)), semver.Version.parse(npm_version(b))
    if is_documented_exception(a, b):
        return
    assert (a < b) == (na < nb), (a, b, na, nb)
    assert (a == b) == (na == nb), (a, b, na, nb)


@pytest.mark.parametrize(
    ("dev", "pre"),
    [("1.0.0.dev5", "1.0.0a1"), ("1.0.0.dev5", "1.0.0b2"), ("1.0.0.dev5", "1.0.0b2.dev1")],
)
def test_documented_exception_dev_vs_alpha_beta(dev: str, pre: str) -> None:
    """The one inversion, kept for compatibility with Llama Stack's X.Y.Z-dev.N nightly npm form."""
    assert Version(dev) < Version(pre)
    assert semver.Version.parse(npm_version(Version(dev))) > semver.Version.parse(
        npm_version(Version(pre))
    )
    assert is_documented_exception(Version(dev), Version(pre))


def test_dev_vs_rc_is_not_an_exception() -> None:
    dev, rc = Version("1.0.0.dev5"), Version("1.0.0rc1")
    assert semver.Version.parse(npm_version(dev)) < semver.Version.parse(npm_version(rc))


@settings(max_examples=300, deadline=None)
@given(
    st.tuples(*(st.integers(min_value=0, max_value=40) for _ in range(3))),
    st.one_of(st.none(), st.tuples(st.sampled_from(["a", "b", "rc"]), st.integers(0, 30))),
    st.booleans(),
    st.one_of(st.none(), st.integers(min_value=1, max_value=30)),
)
def test_fast_tag_rank_agrees_with_the_version_model(
    release: tuple[int, int, int], pre: tuple[str, int] | None, dev_tag: bool, hotfix: int | None
) -> None:
    """nightly scans thousands of tags with tag_rank; it must order them as Versions do."""
    from release_actions.core.versions import base_rank, dev_version, tag_rank

    core = ".".join(map(str, release))
    name = f"v{core}-dev" if dev_tag else f"v{core}{pre[0]}{pre[1]}" if pre else f"v{core}"
    if hotfix is not None and not dev_tag and pre is None:
        name = f"v{core}.{hotfix}"
    tag = parse_tag(name)
    info = tag_rank(name)
    assert info is not None
    assert info[0] == base_rank(tag.base)
    assert info[1] is dev_tag and info[2] == release[:2]
    other = Version("1.2.3rc4")
    assert (info[0] < base_rank(other)) == (dev_version(tag.base, "0") < dev_version(other, "0"))


@pytest.mark.parametrize("name", ["v1.2", "vnext", "0.1.0", "v0.8.1-devX", "v0.5.0.post1", ""])
def test_fast_tag_rank_rejects_what_parse_tag_rejects(name: str) -> None:
    from release_actions.core.versions import tag_rank

    assert tag_rank(name) is None
    with pytest.raises(InvalidValueError):
        parse_tag(name)


def test_hotfix_tags_order_between_their_final_and_the_next_patch() -> None:
    """v0.2.10.1 is newer than v0.2.10 and older than v0.2.11 (and its pre-releases)."""
    from release_actions.core.versions import hotfix_guard, is_hotfix, tag_rank

    names = ["v0.2.10rc1", "v0.2.10", "v0.2.10.1", "v0.2.10.2", "v0.2.10.10", "v0.2.11rc1"]
    names.append("v0.2.11")
    versions = [parse_release_tag(n).version for n in names]
    assert versions == sorted(versions)
    assert [is_hotfix(v) for v in versions] == [False, False, True, True, True, False, False]
    # What the nightly stands on: a hotfix's own base X.Y.Z.(N+1) sits below its final's
    # base X.Y.(Z+1), so a hotfix never raises the default branch's floor ...
    ranks = {n: tag_rank(n) for n in names}
    assert ranks["v0.2.10.1"] is not None and ranks["v0.2.10"] is not None
    assert ranks["v0.2.10.1"][0] < ranks["v0.2.10.2"][0] < ranks["v0.2.10.10"][0]
    assert ranks["v0.2.10.10"][0] < ranks["v0.2.10"][0]
    assert ranks["v0.2.10.1"][2] == (0, 2) and ranks["v0.2.10.1"][1] is False
    # ... while, as the nearest tag, it stands for the final it fixes: only a later
    # release of the line (v0.2.11rc1, v0.2.11) outranks it.
    guard = hotfix_guard(ranks["v0.2.10.1"][0])
    assert guard == ranks["v0.2.10"][0]
    assert ranks["v0.2.11rc1"][0] > guard and ranks["v0.2.11"][0] > guard
    assert ranks["v0.2.10rc1"][0] < guard
    assert hotfix_guard(ranks["v0.2.11rc1"][0]) == ranks["v0.2.11rc1"][0]


def test_hotfix_has_no_npm_form() -> None:
    with pytest.raises(InvalidValueError, match="at most three release numbers"):
        npm_version(Version("0.2.10.1"))
