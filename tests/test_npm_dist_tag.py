"""compute-version's npm dist-tag from the package's own versions on the registry (verdaccio).

Issue 15, item 7: after Llama Stack renamed its client at 0.8.0, a 0.7.3 of the old
package must take ``latest`` (the old package has no 0.8), while a package whose
registry ``latest`` is 0.8.1 gives a 0.7.3 ``latest-0.7``. Unreachable registries and
dry runs decide from the git tags, and say so.
"""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest

from release_actions.interface.cli import main
from tests.testbed.registries import NpmRegistry, closed_url, write_npm_client
from tests.testbed.scenario import Scenario


def repo_with_08_tags(path: Path, npm_package: str) -> Path:
    """release-0.7.x: v0.7.0..v0.7.2; main: v0.8.0, v0.8.1 (the rename happened at 0.8.0)."""
    r = Scenario(path, fallback="0.8.2.dev0")
    pyproject = r.path / "pyproject.toml"
    config = f'\n[tool.release-actions]\nnpm-package = "{npm_package}"\n'
    pyproject.write_text(pyproject.read_text() + config)
    r.commit().branch("release-0.7.x").commit().tag("v0.7.0").commit().tag("v0.7.1")
    r.commit().tag("v0.7.2").checkout("main").commit().tag("v0.8.0").commit().tag("v0.8.1")
    return r.path


def publish(registry: NpmRegistry, tmp: Path, name: str, *versions: str) -> None:
    for version in versions:
        registry.publish(write_npm_client(tmp / f"{name}-{version}", version, name=name))
    assert registry.dist_tags(name)["latest"] == versions[-1]


def compute(repo: Path, *args: str) -> tuple[dict[str, object], str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["compute-version", "--repo", str(repo), "--json", "--no-fetch", *args])
    assert code == 0, err.getvalue()
    return json.loads(out.getvalue()), err.getvalue()


RELEASE_073 = ("--event", "release", "--tag", "v0.7.3")


@pytest.mark.e2e
def test_renamed_package_patch_takes_latest(
    npm_registry: NpmRegistry, tmp_path: Path, clean_env: None
) -> None:
    """The old package's latest is 0.7.2 and it has no 0.8: its 0.7.3 is its latest."""
    publish(npm_registry, tmp_path, "ra-renamed-client", "0.7.1", "0.7.2")
    repo = repo_with_08_tags(tmp_path / "repo", "ra-renamed-client")
    plan, log = compute(repo, *RELEASE_073, "--npm-registry", npm_registry.url)
    assert (plan["npm_dist_tag"], plan["publish_npm"]) == ("latest", True)
    assert f"ra-renamed-client latest on {npm_registry.url} is 0.7.2" in log
    # The tags alone would have said latest-0.7: the registry is what decided.
    plan, log = compute(repo, *RELEASE_073, "--npm-registry", "none")
    assert plan["npm_dist_tag"] == "latest-0.7"
    assert "from the repository's release tags: the registry was not asked" in log


@pytest.mark.e2e
def test_older_line_patch_gets_its_line_tag(
    npm_registry: NpmRegistry, tmp_path: Path, clean_env: None
) -> None:
    publish(npm_registry, tmp_path, "ra-older-line-client", "0.7.2", "0.8.1")
    repo = repo_with_08_tags(tmp_path / "repo", "ra-older-line-client")
    plan, _ = compute(repo, *RELEASE_073, "--npm-registry", npm_registry.url)
    assert plan["npm_dist_tag"] == "latest-0.7"
    # The next 0.8 patch is at least the registry's latest: latest.
    plan, _ = compute(repo, "--event", "release", "--tag", "v0.8.2", "--npm-registry",
                      npm_registry.url)  # fmt: skip
    assert plan["npm_dist_tag"] == "latest"


@pytest.mark.e2e
def test_unpublished_package_takes_latest(
    npm_registry: NpmRegistry, tmp_path: Path, clean_env: None
) -> None:
    repo = repo_with_08_tags(tmp_path / "repo", "ra-never-published-client")
    plan, log = compute(repo, *RELEASE_073, "--npm-registry", npm_registry.url)
    assert plan["npm_dist_tag"] == "latest"
    assert "is none (not published yet)" in log


def test_unreachable_registry_decides_from_tags(tmp_path: Path, clean_env: None) -> None:
    repo = repo_with_08_tags(tmp_path / "repo", "ra-renamed-client")
    closed = closed_url()
    plan, log = compute(repo, *RELEASE_073, "--npm-registry", closed)
    assert (plan["npm_dist_tag"], plan["publish_npm"]) == ("latest-0.7", True)
    assert f"npm dist-tag from the repository's release tags: {closed} could not be read" in log


def test_registry_credentials_are_not_printed(tmp_path: Path, clean_env: None) -> None:
    repo = repo_with_08_tags(tmp_path / "repo", "ra-renamed-client")
    closed = closed_url(credentials="user:s3cret-token@")
    plan, log = compute(repo, *RELEASE_073, "--npm-registry", closed)
    assert plan["npm_dist_tag"] == "latest-0.7"
    assert "could not be read" in log and "s3cret-token" not in log


@pytest.mark.e2e
def test_dry_run_decides_from_tags(
    npm_registry: NpmRegistry, tmp_path: Path, clean_env: None
) -> None:
    """A dispatch test upload never asks the registry, even a reachable one."""
    publish(npm_registry, tmp_path, "ra-dry-run-client", "0.7.2")
    repo = repo_with_08_tags(tmp_path / "repo", "ra-dry-run-client")
    args = ("--event", "workflow_dispatch", "--dry-run", "test-pypi", "--version", "0.7.3")
    plan, log = compute(repo, *args, "--npm-registry", npm_registry.url)
    assert (plan["npm_dist_tag"], plan["publish_npm"], plan["target"]) == (
        "latest-0.7", False, "testpypi",
    )  # fmt: skip
    assert "from the repository's release tags: dry run, npm is not published" in log


def test_bad_registry_value_is_refused(tmp_path: Path, clean_env: None) -> None:
    repo = repo_with_08_tags(tmp_path / "repo", "ra-renamed-client")
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(["compute-version", "--repo", str(repo), *RELEASE_073,
                     "--npm-registry", "ftp://registry.example/"])  # fmt: skip
    assert code != 0
    assert "ftp://registry.example/" in err.getvalue() and "Traceback" not in err.getvalue()
