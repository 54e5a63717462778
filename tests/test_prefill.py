"""A rehearsal's world pre-filled from the "real" indexes (here: local servers as sources).

The sources are a pypiserver and a verdaccio filled the way a release fills them
(``uv publish``, ``npm publish``); the world is a second, empty set. After
:func:`prefill`, the world answers like the source: the same versions on its
simple index, the same npm versions and dist-tags, and a placeholder installs.
"""

from __future__ import annotations

import json
import threading
import time
import zipfile
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from release_actions.adapters.pypi_index import pypi_project_files
from release_actions.rehearsal.world.placeholders import placeholder_wheel, summary
from release_actions.rehearsal.world.prefill import (
    Prefilled,
    PrefillSources,
    anonymous,
    prefill,
    prefill_targets,
)
from release_actions.rehearsal.world.world import World
from tests.testbed.registries import (
    NpmRegistry,
    Pep691Index,
    PypiIndex,
    closed_url,
    publish_npm_client,
    publish_python_client,
    run,
    running_npm_registry,
    running_pypi_index,
    tool,
    uv_env,
)

pytestmark = pytest.mark.e2e

PYTHON_NAME = "prefill-probe"
NPM_NAME = "prefill-probe"
SCOPED = "@probe/scoped-client"


def simple_versions(index_url: str, name: str) -> list[str]:
    files = pypi_project_files(index_url, name)
    assert files is not None, f"{name} unknown at {index_url}"
    return sorted({str(f.version) for f in files})


def npm_view(registry: NpmRegistry, name: str, field: str) -> object:
    return json.loads(registry.npm("view", name, field, "--json").stdout)


@pytest.fixture
def world_targets(tmp_path: Path) -> Iterator[tuple[PypiIndex, PypiIndex, NpmRegistry]]:
    """The world's PyPI, TestPyPI and npm: empty, started for this test."""
    with (
        running_pypi_index(tmp_path / "world-pypi") as pypi,
        running_pypi_index(tmp_path / "world-testpypi") as testpypi,
        running_npm_registry(tmp_path / "world-npm") as npm,
    ):
        yield pypi, testpypi, npm


def test_world_answers_like_the_sources(
    fresh_pypi_index: PypiIndex,
    fresh_npm_registry: NpmRegistry,
    world_targets: tuple[PypiIndex, PypiIndex, NpmRegistry],
    tmp_path: Path,
) -> None:
    source_pypi, source_npm = fresh_pypi_index, fresh_npm_registry
    for version in ("0.1.0", "0.2.0rc1", "0.2.0"):
        publish_python_client(source_pypi, version, name=PYTHON_NAME)
    publish_npm_client(source_npm, "1.0.0", name=NPM_NAME)
    publish_npm_client(source_npm, "1.1.0-rc.1", "next", name=NPM_NAME)
    publish_npm_client(source_npm, "1.1.0", name=NPM_NAME)
    publish_npm_client(source_npm, "0.9.1", "legacy", name=NPM_NAME)  # below latest
    publish_npm_client(source_npm, "2.0.0-alpha.0", "alpha", name=SCOPED)
    source_npm.npm("dist-tag", "add", f"{SCOPED}@2.0.0-alpha.0", "beta")
    pypi, testpypi, npm = world_targets
    world = World(
        root=tmp_path,
        origin=None,  # type: ignore[arg-type]  # prefill reads only the indexes
        pypi=pypi,
        testpypi=testpypi,
        npm=npm,
        github=None,  # type: ignore[arg-type]
        repository="example/probe",
        default_branch="main",
    )
    # Source for TestPyPI: the same server (a second source would show nothing more).
    sources = PrefillSources(
        pypi=source_pypi.simple_url, testpypi=source_pypi.simple_url, npm=source_npm.url
    )

    result = prefill(
        world, python_names=[PYTHON_NAME], npm_names=[NPM_NAME, SCOPED], sources=sources
    )

    assert result.problems == []
    expected = ["0.1.0", "0.2.0", "0.2.0rc1"]
    assert simple_versions(pypi.simple_url, PYTHON_NAME) == expected
    assert simple_versions(testpypi.simple_url, PYTHON_NAME) == expected
    assert simple_versions(source_pypi.simple_url, PYTHON_NAME) == expected
    assert result.pypi == result.testpypi == {PYTHON_NAME: ["0.1.0", "0.2.0rc1", "0.2.0"]}
    assert pypi.packages() == [
        "prefill_probe-0.1.0-py3-none-any.whl",
        "prefill_probe-0.1.0.tar.gz",
        "prefill_probe-0.2.0-py3-none-any.whl",
        "prefill_probe-0.2.0.tar.gz",
        "prefill_probe-0.2.0rc1-py3-none-any.whl",
        "prefill_probe-0.2.0rc1.tar.gz",
    ]

    for name in (NPM_NAME, SCOPED):
        assert npm_view(npm, name, "dist-tags") == npm_view(source_npm, name, "dist-tags")
        assert npm_view(npm, name, "versions") == npm_view(source_npm, name, "versions")
    assert npm.dist_tags(NPM_NAME) == {"latest": "1.1.0", "next": "1.1.0-rc.1", "legacy": "0.9.1"}
    # verdaccio (the source here) names its only version "latest" when no tag does.
    scoped_tags = {"latest": "2.0.0-alpha.0", "alpha": "2.0.0-alpha.0", "beta": "2.0.0-alpha.0"}
    assert npm.dist_tags(SCOPED) == scoped_tags
    assert result.npm[SCOPED] == {"versions": ["2.0.0-alpha.0"], "dist_tags": scoped_tags}
    assert result.npm[NPM_NAME]["versions"] == ["0.9.1", "1.0.0", "1.1.0-rc.1", "1.1.0"]

    # A placeholder installs as name==version, from the world's index, and says what it is.
    target = tmp_path / "installed"
    run(
        [tool("uv"), "pip", "install", "--no-config", "--no-cache", "--index-url",
         pypi.simple_url, "--target", str(target), f"{PYTHON_NAME}==0.2.0rc1"],
        env=uv_env(),
    )  # fmt: skip
    metadata = (target / "prefill_probe-0.2.0rc1.dist-info" / "METADATA").read_text()
    assert f"Summary: {summary(PYTHON_NAME, '0.2.0rc1')}" in metadata
    assert "rehearsal placeholder" in metadata
    # npm installs the placeholder tarball too.
    project = tmp_path / "npm-project"
    project.mkdir()
    (project / "package.json").write_text('{"name": "consumer", "version": "0.0.0"}\n')
    npm.npm("install", f"{SCOPED}@beta", "--ignore-scripts", cwd=project)
    installed = json.loads((project / "node_modules" / SCOPED / "package.json").read_text())
    assert installed["version"] == "2.0.0-alpha.0"
    assert "rehearsal placeholder" in installed["description"]

    # Again: nothing changes, nothing fails (files and versions already there are kept).
    again = prefill(
        world, python_names=[PYTHON_NAME], npm_names=[NPM_NAME, SCOPED], sources=sources
    )
    assert (again.problems, again.pypi, again.npm) == ([], result.pypi, result.npm)


def test_a_pep691_json_source(
    pypi_index: PypiIndex, pep691_index: Pep691Index, fresh_pypi_index: PypiIndex
) -> None:
    """A source speaking PEP 691 JSON (as PyPI does) is read as well as pypiserver's HTML."""
    publish_python_client(pypi_index, "3.1.4", name="prefill-json-probe")
    result = prefill_targets(
        pypi=fresh_pypi_index,
        testpypi=None,
        npm=None,
        python_names=["Prefill_JSON.Probe"],  # any spelling: the index page is normalised
        npm_names=[],
        sources=PrefillSources(pypi=pep691_index.simple_url),
    )
    assert (result.problems, result.pypi) == ([], {"Prefill_JSON.Probe": ["3.1.4"]})
    assert [kind for path, _, kind in pep691_index.requests if "prefill-json-probe" in path] == [
        "application/vnd.pypi.simple.v1+json"
    ]
    assert simple_versions(fresh_pypi_index.simple_url, "prefill-json-probe") == ["3.1.4"]


def test_placeholder_wheel_installs_with_pip(tmp_path: Path) -> None:
    """pip (not only uv) accepts the placeholder wheel: RECORD hashes, WHEEL, METADATA."""
    wheel = tmp_path / "llama_stack_client-0.7.1-py3-none-any.whl"
    wheel.write_bytes(placeholder_wheel("llama-stack-client", "0.7.1"))
    with zipfile.ZipFile(wheel) as archive:
        assert archive.testzip() is None
    target = tmp_path / "site"
    run(
        [tool("python"), "-m", "pip", "install", "--no-index", "--no-deps",
         "--disable-pip-version-check", "--target", str(target), str(wheel)],
    )  # fmt: skip
    assert (target / "llama_stack_client-0.7.1.dist-info" / "METADATA").is_file()


def test_unreachable_sources_and_unknown_names_are_problems(
    fresh_pypi_index: PypiIndex,
    fresh_npm_registry: NpmRegistry,
) -> None:
    closed = closed_url()
    unreachable = prefill_targets(
        pypi=fresh_pypi_index,
        testpypi=fresh_pypi_index,
        npm=fresh_npm_registry,
        python_names=["first", "second"],
        npm_names=["first", "second"],
        sources=PrefillSources(
            pypi=closed_url("/simple/", credentials="user:s3cret@"),
            testpypi=closed + "simple/",
            npm=closed.replace("http://", "http://token:s3cret@"),
        ),
        timeout=5,
    )
    text = "\n".join(unreachable.problems)
    assert "s3cret" not in text
    assert len(unreachable.problems) == 8, (
        text
    )  # PyPI and npm: credentials, reach, skipped; TestPyPI: 2
    assert any(p.startswith("PyPI (http://***@127.0.0.1:") for p in unreachable.problems)
    assert "PyPI: not asked for second (unreachable)" in unreachable.problems
    assert "npm: not asked for second (unreachable)" in unreachable.problems
    for label in ("PyPI", "TestPyPI", "npm"):
        reach = f"{label}: first not pre-filled: could not reach http://127.0.0.1:"
        assert [p for p in unreachable.problems if p.startswith(reach)], text
    assert (unreachable.pypi, unreachable.npm, fresh_pypi_index.packages()) == ({}, {}, [])

    unknown = prefill_targets(
        pypi=fresh_pypi_index,
        testpypi=None,
        npm=fresh_npm_registry,
        python_names=["no-such-project", "bad name!"],
        npm_names=["no-such-package", "@no/such-package", "Bad Name"],
        sources=PrefillSources(pypi=fresh_pypi_index.simple_url, npm=fresh_npm_registry.url),
    )
    assert unknown.problems == [
        f"PyPI has no project no-such-project ({fresh_pypi_index.simple_url}no-such-project/);"
        " not pre-filled",
        "PyPI: 'bad name!' is not a Python project name; not pre-filled",
        f"npm has no package no-such-package ({fresh_npm_registry.url}no-such-package);"
        " not pre-filled",
        f"npm has no package @no/such-package ({fresh_npm_registry.url}@no%2fsuch-package);"
        " not pre-filled",
        "npm: 'Bad Name' is not an npm package name; not pre-filled",
    ]
    assert unknown == Prefilled(problems=unknown.problems)


class FakeSource(BaseHTTPRequestHandler):
    """npm and simple-index answers a real registry should not give; records each request."""

    seen: ClassVar[list[dict[str, str]]] = []

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        FakeSource.seen.append({"path": self.path, **dict(self.headers)})
        answers: dict[str, tuple[int, bytes]] = {
            "/dangling": (200, b'{"versions": {"1.0.0": {}}, "dist-tags": {"latest": "1.0.0",'
                          b' "gone": "0.1.0"}}'),
            "/broken": (500, b"oops"),
            "/text": (200, b"<html>not a packument</html>"),
        }  # fmt: skip
        status, body = answers.get(self.path, (404, b"not found"))
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def test_odd_sources_and_no_credentials_sent(
    fresh_pypi_index: PypiIndex, fresh_npm_registry: NpmRegistry
) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeSource)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://me:s3cret@127.0.0.1:{server.server_address[1]}/"
    try:
        result = prefill_targets(
            pypi=fresh_pypi_index,
            testpypi=None,
            npm=fresh_npm_registry,
            python_names=["absent"],
            npm_names=["dangling", "broken", "text"],
            sources=PrefillSources(pypi=base + "simple/", npm=base),
        )
    finally:
        server.shutdown()
        server.server_close()
    plain = base.replace("me:s3cret@", "")
    assert result.problems == [
        f"PyPI (http://***@{plain[7:]}simple/): credentials in the source URL are not sent;"
        " it is read anonymously",
        f"PyPI has no project absent ({plain}simple/absent/); not pre-filled",
        f"npm (http://***@{plain[7:]}): credentials in the source URL are not sent;"
        " it is read anonymously",
        "npm: dangling: dist-tags gone not in versions; left out",
        f"npm: broken not pre-filled: {plain}broken answered HTTP 500 Internal Server Error",
        f"npm: text not pre-filled: {plain}text sent no JSON packument",
    ]
    assert result.npm == {"dangling": {"versions": ["1.0.0"], "dist_tags": {"latest": "1.0.0"}}}
    paths = ["/simple/absent/", "/dangling", "/broken", "/text"]
    assert [r["path"] for r in FakeSource.seen] == paths
    assert not [r for r in FakeSource.seen if "authorization" in {k.lower() for k in r}]
    assert fresh_npm_registry.dist_tags("dangling") == {"latest": "1.0.0"}


def test_unusable_source_urls_are_problems(fresh_npm_registry: NpmRegistry) -> None:
    result = prefill_targets(
        pypi=None,
        testpypi=None,
        npm=fresh_npm_registry,
        python_names=[],
        npm_names=["x"],
        sources=PrefillSources(npm="file:///etc/"),
    )
    assert result.problems == ["npm: source 'file:///etc/' is not an http(s) URL; not read"]
    bad_port = prefill_targets(
        pypi=None,
        testpypi=None,
        npm=fresh_npm_registry,
        python_names=[],
        npm_names=["x"],
        sources=PrefillSources(npm="http://u:s3cret@127.0.0.1:port/"),
    )
    assert len(bad_port.problems) == 1
    assert bad_port.problems[0].startswith("npm: source 'http://***@127.0.0.1:port/' is not a URL")


def test_anonymous_drops_credentials() -> None:
    assert anonymous("https://u:p@[::1]:8080/simple/") == ("https://[::1]:8080/simple/", True)
    assert anonymous("https://pypi.org/simple/") == ("https://pypi.org/simple/", False)


def test_npm_prefill_of_a_hundred_versions_is_fast(
    fresh_npm_registry: NpmRegistry, tmp_path: Path
) -> None:
    """100 versions and 3 dist-tags in a few seconds (``npm publish`` takes >1 s each)."""
    from release_actions.rehearsal.world import prefill as module

    source = fresh_npm_registry
    versions = [f"1.{minor}.{patch}" for minor in range(20) for patch in range(4)]
    versions += [f"2.0.0-rc.{n}" for n in range(20)]
    tags = {"latest": "1.19.3", "next": "2.0.0-rc.19", "v1-legacy": "1.0.0"}
    module._place_npm(source, "hundred", versions, tags)  # fill the source fast, the same way
    assert source.dist_tags("hundred") == tags
    with running_npm_registry(tmp_path / "world-npm") as world_npm:
        start = time.monotonic()
        result = prefill_targets(
            pypi=None,
            testpypi=None,
            npm=world_npm,
            python_names=[],
            npm_names=["hundred"],
            sources=PrefillSources(npm=source.url),
        )
        elapsed = time.monotonic() - start
        assert result.problems == []
        assert len(world_npm.versions("hundred")) == 100
        assert world_npm.dist_tags("hundred") == tags
    print(f"prefill of 100 npm versions: {elapsed:.2f}s")
    assert elapsed < 20, elapsed
