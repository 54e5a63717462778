"""doctor's judgement (issue 15, item 10): the reusable release.yml, a line's newest final,
and the version setuptools-scm would infer next to nightly-version's base."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from release_actions.steps.doctor import CHECKS, OK, WARN
from release_actions.steps.doctor.inference import check_scm_inference, emulated_inference
from tests.test_doctor import (
    commit,
    healthy_template,  # noqa: F401 (the fixture)
    run_doctor,
)
from tests.testbed.monorepo import git
from tests.testbed.scenario import Scenario


@pytest.fixture
def repo_copy(healthy_template: Path, tmp_path: Path) -> Path:  # noqa: F811
    """A private copy of test_doctor.py's healthy repository, on main."""
    return Path(shutil.copytree(healthy_template, tmp_path / "repo", symlinks=True))


RELEASE_YML = """\
name: Release
on:
  release:
    types: [published]
permissions: {}
jobs:
  release:
    uses: llama-stack/release-actions/.github/workflows/release.yml@v1
    permissions:
      contents: write
    with:
      packages: all
      post-release: %s # after the publish
"""
PRETEND = "SETUPTOOLS_SCM_PRETEND_VERSION"
REUSABLE = "llama-stack/release-actions/.github/workflows/release.yml@v1"


def only_release_yml(repo: Path, post_release: str) -> None:
    commit(
        repo,
        {
            ".github/workflows/post-release.yml": None,
            ".github/workflows/release-version.yml": None,
            ".github/workflows/release.yml": RELEASE_YML % post_release,
        },
    )


@pytest.mark.parametrize("value", ["true", "'true'"])
def test_reusable_release_yml_publishes_and_post_releases(repo_copy: Path, value: str) -> None:
    only_release_yml(repo_copy, value)
    report = run_doctor(repo_copy)
    check = report.check("workflows")
    assert check.status == OK, report.text()
    assert f"publish: release.yml uses {REUSABLE}" in check.detail
    assert f"post-release: release.yml uses {REUSABLE} with post-release: true" in check.detail
    assert {c.name: c.status for c in report.checks} == dict.fromkeys(CHECKS, OK)


def test_reusable_release_yml_without_post_release_publishes_only(repo_copy: Path) -> None:
    only_release_yml(repo_copy, "false")
    check = run_doctor(repo_copy).check("workflows")
    assert check.status == WARN
    assert check.detail == "no workflow in .github/workflows for post-release"


def test_a_lines_latest_is_its_newest_final_not_an_rc(repo_copy: Path) -> None:
    git(repo_copy, "branch", "-D", "release-0.6.x")
    git(repo_copy, "tag", "v0.6.2rc1", "v0.6.1^{commit}")  # an RC above the line's newest final
    check = run_doctor(repo_copy).check("release-branches")
    assert "release-0.6.x (maintained, latest v0.6.1)" in check.detail
    assert "git push origin 'v0.6.1^{commit}:refs/heads/release-0.6.x'" in check.fix


def test_a_line_with_only_an_rc_names_the_rc(repo_copy: Path) -> None:
    git(repo_copy, "tag", "v0.9.0rc1", "main")
    check = run_doctor(repo_copy).check("release-branches")
    assert "release-0.9.x (maintained, latest v0.9.0rc1)" in check.detail


# --------------------------------------------------------------------------- scm-inference


def inference_detail(repo: Path, env: dict[str, str]) -> str:
    from release_actions.adapters.manifests import load_config
    from release_actions.steps.doctor.context import Context

    check = check_scm_inference(Context(repo, load_config(repo), "main", 2), env)
    assert check.status == OK
    return check.detail


def test_scm_inference_agrees_with_the_dev_tag_base(repo_copy: Path) -> None:
    """main carries v0.7.2-dev: setuptools-scm and nightly-version agree on 0.7.2."""
    distance = git(repo_copy, "rev-list", "--count", "v0.7.2-dev..main").stdout.strip()
    native = inference_detail(repo_copy, {})
    expected = f"setuptools-scm infers 0.7.2.dev{distance} on main (setuptools-scm "
    assert native.startswith(expected), native
    assert "nightly-version's base is 0.7.2 (dev-tag)" in native
    assert native.endswith("they agree: nightlies on main could drop " + PRETEND)
    # With a pretend version set, setuptools-scm itself would answer it: emulated instead.
    emulated = inference_detail(repo_copy, {"SETUPTOOLS_SCM_PRETEND_VERSION": "9.9.9"})
    assert emulated.startswith(
        f"setuptools-scm infers 0.7.2.dev{distance} on main (emulated git describe +"
        f" guess-next-dev: nearest tag v0.7.2-dev, {distance} commit(s) since)"
    ), emulated


def test_scm_inference_differs_on_a_released_commit(repo_copy: Path) -> None:
    """main's HEAD tagged v0.7.5 (a release cut from main): setuptools-scm says 0.7.5."""
    git(repo_copy, "tag", "v0.7.5", "main")
    detail = inference_detail(repo_copy, {})
    assert "setuptools-scm infers 0.7.5 on main" in detail
    assert detail.endswith("they differ: keep SETUPTOOLS_SCM_PRETEND_VERSION (our actions set it)")


def test_scm_inference_only_on_the_default_branch(repo_copy: Path) -> None:
    git(repo_copy, "checkout", "--quiet", "release-0.7.x")
    check = run_doctor(repo_copy).check("scm-inference")
    assert check.detail == "not checked on release-0.7.x: run the doctor checked out on main"


def scenario(tmp_path: Path, *tags: str) -> Path:
    r = Scenario(tmp_path / "r").commit()
    for tag in tags:
        r.tag(tag).commit().commit()
    return r.path


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        ((), "0.1.dev1"),
        (("v1.1.1",), "1.1.2.dev2"),
        (("9.1.1", "9.2.0.dev0"), "9.2.0.dev2"),  # pytest's form
        (("v8.0.1", "v8.1.0.dev"), "8.1.0.dev2"),  # astropy's form
        (("v0.7.1", "v0.7.2-dev"), "0.7.2.dev2"),  # Llama Stack's form
        (("v0.8.0rc1",), "0.8.0rc2.dev2"),
        (("release-2.0.0",), "2.0.1.dev2"),  # a prefix the default tag regex strips
    ],
)
def test_emulation_matches_setuptools_scm(
    tmp_path: Path, tags: tuple[str, ...], expected: str
) -> None:
    import setuptools_scm

    path = scenario(tmp_path, *tags)
    emulated, _ = emulated_inference(path)
    native = setuptools_scm.get_version(
        root=str(path), version_scheme="guess-next-dev", local_scheme="no-local-version"
    )
    assert (emulated, native) == (expected, expected)
