"""A hotfix X.Y.Z.N end to end, through the CLI as the workflows call it: prepare-release on
release-0.7.x, the tag, compute-version for its release event, the build with the version
forced, the upload to a pypiserver standing in for PyPI, wait-pypi, and post-release, with
npm skipped at every step (no npm registry runs: asking one would fail).

Versions are read back from the uploaded files, not from our code.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from release_actions.interface.cli import main
from tests.testbed.dist_metadata import metadata_version
from tests.testbed.monorepo import git, uv_env
from tests.testbed.origin import Origin
from tests.testbed.registries import PypiIndex, running_pypi_index, tool

pytestmark = pytest.mark.e2e

HOTFIX = "0.7.1.1"
NO_NPM = "http://127.0.0.1:9/"  # nothing listens there


def cli(*args: str) -> tuple[int, dict[str, object], str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([*args, "--json"])
    return code, (json.loads(out.getvalue()) if out.getvalue() else {}), err.getvalue()


def test_hotfix_goes_to_pypi_only(
    origin: Origin,
    client_index: Callable[..., PypiIndex],
    uv_on_index: Callable[[PypiIndex], None],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    index = client_index("0.7.1")
    uv_on_index(index)
    repo = str(origin.work)
    # prepare-release: the hotfix commit on the existing release branch
    code, prepared, err = cli("prepare-release", "--repo", repo, "--version", HOTFIX,
                              "--index-url", index.simple_url)  # fmt: skip
    assert code == 0, err
    assert (prepared["release_branch"], prepared["created_branch"]) == ("release-0.7.x", False)
    # publishing the GitHub Release tags the prepared commit
    origin.bare_git("tag", f"v{HOTFIX}", "release-0.7.x")
    git(origin.work, "fetch", "--quiet", "--tags", "origin")
    git(origin.work, "checkout", "--quiet", "--detach", f"v{HOTFIX}")
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"release": {"tag_name": f"v{HOTFIX}", "prerelease": False,
                                             "target_commitish": "release-0.7.x"}}))  # fmt: skip
    monkeypatch.setenv("GITHUB_EVENT_NAME", "release")
    monkeypatch.setenv("GITHUB_EVENT_PATH", str(event))
    code, plan, err = cli("compute-version", "--repo", repo)
    assert code == 0, err
    assert (plan["version"], plan["target"], plan["publish_pypi"]) == (HOTFIX, "pypi", True)
    assert (plan["publish_npm"], plan["npm_dist_tag"], plan["npm_version"]) == (False, "", "")
    assert "PyPI-only" in str(plan["npm_skip_reason"])
    # build: every managed project at the hotfix version (PEP 440 valid, four numbers)
    for key, value in uv_env("http://127.0.0.1:9/simple/").items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("PATH", f"{Path(tool('uv')).parent}{os.pathsep}{os.environ['PATH']}")
    dist = tmp_path / "dist"
    code, _, err = cli("build", "--repo", repo, "--version", HOTFIX, "--out", str(dist))
    assert code == 0, err
    files = sorted(p.name for p in dist.iterdir())
    assert files == [
        f"llama_stack-{HOTFIX}-py3-none-any.whl",
        f"llama_stack-{HOTFIX}.tar.gz",
        f"llama_stack_api-{HOTFIX}-py3-none-any.whl",
        f"llama_stack_api-{HOTFIX}.tar.gz",
    ]
    assert {metadata_version(dist / name) for name in files} == {HOTFIX}
    with running_pypi_index(tmp_path / "pypi") as pypi:
        upload = tmp_path / "upload"
        code, planned, err = cli("publish-pypi-plan", "--index-url", pypi.simple_url,
                                 "--version", HOTFIX, "--out", str(upload), str(dist))  # fmt: skip
        assert code == 0, err
        assert (planned["upload"], planned["upload_count"]) == (True, 4)
        pypi.upload(sorted(upload.iterdir()))
        code, _, err = cli("wait-pypi", "--index-url", pypi.simple_url, "--attempts", "5",
                           "--interval", "0.2", f"llama-stack=={HOTFIX}")  # fmt: skip
        assert code == 0, err
        assert pypi.versions("llama-stack") == pypi.versions("llama-stack-api") == [HOTFIX]
    # post-release: main untouched, npm skipped with the reason, nothing failed
    git(origin.work, "checkout", "--quiet", "main")
    main_before, tags_before = origin.ref("main"), set(origin.tags())
    code, post, err = cli("post-release", "--repo", repo, "--tag", f"v{HOTFIX}",
                          "--npm-registry", NO_NPM)  # fmt: skip
    assert code == 0, err
    assert (post["dev_tag_status"], post["main_status"], post["branch_status"]) == (
        "skipped", "skipped", "skipped",
    )  # fmt: skip
    assert f"hotfix {HOTFIX} is PyPI-only" in str(post["skipped"])
    assert origin.ref("main") == main_before and set(origin.tags()) == tags_before
