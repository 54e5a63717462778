"""Issue 15's six repository shapes, each through the CLI, command by command.

Every shape (:mod:`tests.testbed.shapes`) runs compute-version for a release event
and for a manual dispatch, nightly-version, a minor and a patch prepare-release (and
one dry run), post-release, doctor, plan and maintained, and each test asserts what
the command produced (issue 15's target behaviour).

Each shape is built once per module; a test that writes works on a copy of its bare
origin and checks the world afterwards: refs on origin and files on the pushed branches.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import tomlkit

from tests.testbed.origin import Origin, copy_origin
from tests.testbed.shape_table import SHAPES, Shape
from tests.testbed.shapes import CLOSED_REGISTRY, DATE, CliRun, run_cli

LLAMA_ITEMS = ("Discord", "Docker Hub", "llamastack.github.io", "llama-stack-client")


#: One parameter per shape, named after it.
EVERY_SHAPE = [pytest.param(shape, id=shape.name) for shape in SHAPES]


@pytest.fixture(scope="module")
def templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[Shape], Origin]]:
    """Each shape's origin, built on first use and then only read."""
    built: dict[str, Origin] = {}

    def template(shape: Shape) -> Origin:
        if shape.name not in built:
            built[shape.name] = shape.build(tmp_path_factory.mktemp(shape.name))
        return built[shape.name]

    yield template


@pytest.fixture
def fresh(templates: Callable[[Shape], Origin], tmp_path: Path) -> Callable[[Shape], Origin]:
    """A writable copy of a shape's origin and a new clone of it."""
    return lambda shape: copy_origin(templates(shape), tmp_path / "copy")


def ok(run: CliRun) -> dict[str, object]:
    assert run.code == 0, (run.stdout, run.stderr)
    assert isinstance(run.document, dict), run.stdout
    return run.document


def fallback_versions(origin: Origin, ref: str, paths: tuple[str, ...]) -> set[str | None]:
    """The ``fallback_version`` of each managed pyproject at ``ref`` on origin."""
    found = set()
    for path in paths:
        document = tomlkit.parse(origin.show(ref, path)).unwrap()
        found.add(document.get("tool", {}).get("setuptools_scm", {}).get("fallback_version"))
    return found


# --- compute-version ------------------------------------------------------------------------


@pytest.mark.parametrize("shape", EVERY_SHAPE)
def test_compute_version_release_event(templates: Callable[[Shape], Origin], shape: Shape) -> None:
    work = templates(shape).work
    # The dist-tag from the tags (the registry's view is tests/test_npm_dist_tag.py's).
    argv = ["--event", "release", "--tag", shape.patch_tag, "--no-fetch", "--npm-registry", "none"]
    plan = ok(run_cli(work, "compute-version", *argv))
    assert (plan["version"], plan["tag"], plan["target"]) == (shape.patch, shape.patch_tag, "pypi")
    assert plan["release_branch"] == shape.release_branch
    assert (plan["publish_npm"], plan["npm_dist_tag"]) == (shape.publish_npm, shape.dist_tag)


@pytest.mark.parametrize("shape", EVERY_SHAPE)
def test_compute_version_workflow_dispatch(
    templates: Callable[[Shape], Origin], shape: Shape
) -> None:
    work = templates(shape).work
    argv = ["--event", "workflow_dispatch", "--version", shape.patch, "--dry-run", "off"]
    argv += ["--npm-registry", "none"]
    plan = ok(run_cli(work, "compute-version", *argv, "--no-fetch"))
    assert (plan["version"], plan["tag"], plan["publish_pypi"]) == (
        shape.patch,
        shape.patch_tag,
        True,
    )
    assert plan["release_branch"] == shape.release_branch
    assert (plan["publish_npm"], plan["npm_dist_tag"]) == (shape.publish_npm, shape.dist_tag)


# --- nightly-version ------------------------------------------------------------------------


@pytest.mark.parametrize("shape", EVERY_SHAPE)
def test_nightly_version(templates: Callable[[Shape], Origin], shape: Shape) -> None:
    result = ok(run_cli(templates(shape).work, "nightly-version", "--date", DATE, "--no-fetch"))
    assert result["version"] == shape.nightly


# --- prepare-release ------------------------------------------------------------------------


def prepare(origin: Origin, version: str, *extra: str) -> CliRun:
    argv = ["--version", version, "--lock-policy", "skip", "--mode", "push", *extra]
    return run_cli(origin.work, "prepare-release", *argv)


def check_prepared(origin: Origin, shape: Shape, version: str, branch: str) -> None:
    assert origin.ref(branch), f"{branch} is not on origin: {origin.branches()}"
    assert fallback_versions(origin, branch, shape.pyprojects) == {version}
    if shape.pins:
        assert f'"llama-stack-client=={version}"' in origin.show(branch, "pyproject.toml")


@pytest.mark.parametrize("shape", EVERY_SHAPE)
def test_prepare_release_minor(fresh: Callable[[Shape], Origin], shape: Shape) -> None:
    origin = fresh(shape)
    tags = origin.tags()
    result = ok(prepare(origin, shape.minor))
    assert result["release_branch"] == shape.minor_branch
    check_prepared(origin, shape, shape.minor, shape.minor_branch)
    assert origin.tags() == tags  # the GitHub Release makes the tag, not prepare-release


@pytest.mark.parametrize("shape", EVERY_SHAPE)
def test_prepare_release_patch(fresh: Callable[[Shape], Origin], shape: Shape) -> None:
    origin = fresh(shape)
    before = origin.ref(shape.release_branch)
    result = ok(prepare(origin, shape.patch))
    assert result["release_branch"] == shape.release_branch
    check_prepared(origin, shape, shape.patch, shape.release_branch)
    assert before and origin.is_ancestor(before, shape.release_branch)  # a fast-forward


@pytest.mark.parametrize("shape", EVERY_SHAPE)
def test_prepare_release_dry_run_changes_nothing(
    templates: Callable[[Shape], Origin], shape: Shape
) -> None:
    origin = templates(shape)
    refs = origin.bare_git("for-each-ref")
    result = ok(prepare(origin, shape.minor, "--dry-run"))
    assert result["status"] == "dry-run"
    assert result["release_branch"] == shape.minor_branch
    assert origin.bare_git("for-each-ref") == refs
    assert origin.git("status", "--porcelain") == ""


# --- post-release ---------------------------------------------------------------------------


@pytest.mark.parametrize("shape", EVERY_SHAPE)
def test_post_release(fresh: Callable[[Shape], Origin], shape: Shape) -> None:
    """The release of ``patch`` was tagged on its branch; post-release follows up."""
    origin = fresh(shape)
    origin.bare_git("tag", shape.patch_tag, shape.release_branch)
    origin.git("fetch", "--quiet", "--tags", "origin")
    tags = set(origin.tags())
    argv = ["--tag", shape.patch_tag, "--mode", "push", "--npm-registry", CLOSED_REGISTRY]
    argv += ["--npm-wait-attempts", "1", "--npm-wait-seconds", "0"]
    run = run_cli(origin.work, "post-release", *argv, env=shape.npm_env)
    assert run.code == shape.post_code, (run.stdout, run.stderr)
    assert isinstance(run.document, dict), run.stdout
    assert run.document["tag"] == shape.patch_tag
    assert set(origin.tags()) - tags == shape.post_tags
    if shape.post_fallback is not None:
        found = fallback_versions(origin, shape.default_branch, shape.pyprojects)
        assert found == {shape.post_fallback}
    if shape.publish_npm:
        assert run.document["branch_status"] in ("skipped", "failed")
    else:  # no npm: the step is skipped, and nothing names an npm package
        assert run.document["branch_status"] == "skipped"
        assert "llama-stack-client" not in run.stdout + run.stderr


# --- doctor, plan, maintained ---------------------------------------------------------------


@pytest.mark.parametrize("shape", EVERY_SHAPE)
def test_doctor(templates: Callable[[Shape], Origin], shape: Shape) -> None:
    """The repository's own tags and release branches are recognised as such."""
    run = run_cli(templates(shape).work, "doctor", "--count", "1")
    report = run.document
    assert isinstance(report, dict) and run.code in (0, 1), (run.stdout, run.stderr)
    assert report["branch"] == shape.default_branch
    assert "release-branches" not in report["failed"], report
    assert "tags" not in {*report["failed"], *report["warned"]}, report


@pytest.mark.parametrize("shape", EVERY_SHAPE)
def test_plan(templates: Callable[[Shape], Origin], shape: Shape) -> None:
    run = run_cli(templates(shape).work, "plan", shape.minor, "--lock-policy", "skip")
    plan = run.document
    assert isinstance(plan, dict), (run.stdout, run.stderr)
    assert (plan["version"], plan["release_branch"]) == (shape.minor, shape.minor_branch)
    assert plan["blockers"] == [] and run.code == 0
    if shape.generic_plan:
        assert not [item for item in LLAMA_ITEMS if item in run.stdout], run.stdout


@pytest.mark.parametrize("shape", EVERY_SHAPE)
def test_maintained(templates: Callable[[Shape], Origin], shape: Shape) -> None:
    count = str(len(shape.maintained))
    run = run_cli(templates(shape).work, "maintained", "--count", count, json_flag=False)
    assert run.code == 0, run.stderr
    assert isinstance(run.document, dict), run.stdout
    assert tuple(row["branch"] for row in run.document["include"]) == shape.maintained
    for row in run.document["include"]:
        assert re.fullmatch(r"\d+\.\d+", row["line"]), row
