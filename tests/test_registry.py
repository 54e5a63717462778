"""release_actions.adapters.pypi_index and .npm_registry against real local registries (pypiserver,
verdaccio).

pypiserver answers the simple API in HTML only; the PEP 691 JSON form is served by
``pep691_index`` over the same files. Each test uses its own project name or
version, because the servers are shared by the session.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from release_actions.adapters.npm_registry import (
    npm_dist_tags,
    npm_has_version,
    wait_for_npm_version,
)
from release_actions.adapters.pypi_index import (
    ACCEPT_HTML,
    PYPI_SIMPLE,
    project_url,
    pypi_files,
    pypi_has_version,
    wait_for_pypi_version,
)
from release_actions.core.errors import InvalidValueError, ReleaseActionsError
from tests.testbed.registries import (
    SIMPLE_HTML,
    SIMPLE_JSON,
    NpmRegistry,
    Pep691Index,
    PypiIndex,
    RegistryCommandError,
    closed_url,
    publish_npm_client,
    publish_python_client,
)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --------------------------------------------------------------------------- PyPI


def test_published_version_is_found_and_others_are_not(pypi_index: PypiIndex) -> None:
    publish_python_client(pypi_index, "1.2.0", name="ra-reg-found")
    url = pypi_index.simple_url
    assert pypi_has_version(url, "ra-reg-found", "1.2.0")
    assert pypi_has_version(url, "ra-reg-found", "1.2.0.0")  # the same PEP 440 version
    for other in ("1.2.1", "1.2.0rc1", "1.2.0.post1", "1.20.0", "1.2.0.dev0", "1.2.0+local"):
        assert not pypi_has_version(url, "ra-reg-found", other), other


def test_a_prefix_of_a_published_version_is_not_published(pypi_index: PypiIndex) -> None:
    publish_python_client(pypi_index, "3.1.10", name="ra-reg-prefix")
    assert not pypi_has_version(pypi_index.simple_url, "ra-reg-prefix", "3.1.1")
    assert pypi_has_version(pypi_index.simple_url, "ra-reg-prefix", "3.1.10")


def test_unknown_project_is_absent(pypi_index: PypiIndex) -> None:
    assert pypi_files(pypi_index.simple_url, "ra-reg-never-published", "1.0") == []
    assert not pypi_has_version(pypi_index.simple_url, "ra-reg-never-published", "1.0")


def test_files_come_with_their_sha256_from_pypiserver_html(pypi_index: PypiIndex) -> None:
    built = publish_python_client(pypi_index, "0.3.0", name="ra-reg-hashes")
    files = pypi_files(pypi_index.simple_url, "ra-reg-hashes", "0.3.0")
    assert sorted(f.filename for f in files) == sorted(p.name for p in built)
    assert {f.filename: f.sha256 for f in files} == {p.name: _sha256(p) for p in built}
    assert all(f.url.startswith(pypi_index.url + "packages/") for f in files)
    assert not any(f.yanked for f in files)


def test_names_are_normalised(pypi_index: PypiIndex) -> None:
    publish_python_client(pypi_index, "2.0.0", name="Ra_Reg.Odd-Name")
    assert pypi_index.versions("ra-reg-odd-name") == ["2.0.0"]
    for spelling in ("ra-reg-odd-name", "RA_REG_ODD_NAME", "Ra.Reg--Odd_Name", "ra_reg.odd.name"):
        assert pypi_has_version(pypi_index.simple_url, spelling, "2.0.0"), spelling
    assert project_url(pypi_index.simple_url, "Llama_Stack.Client").endswith(
        "/simple/llama-stack-client/"
    )


def test_llama_stack_client_spelled_oddly_on_a_strict_json_index(
    pypi_index: PypiIndex, pep691_index: Pep691Index
) -> None:
    # The PEP 691 test index only answers the normalised URL: unnormalised requests 404.
    publish_python_client(pypi_index, "0.7.1", skip_existing=True)
    assert pypi_has_version(pep691_index.simple_url, "Llama_Stack.Client", "0.7.1")
    assert pep691_index.requests[-1][0] == "/simple/llama-stack-client/"
    assert not pypi_has_version(pep691_index.simple_url, "Llama_Stack.Client", "0.7.99")


def test_json_form_is_asked_for_and_read(pypi_index: PypiIndex, pep691_index: Pep691Index) -> None:
    built = publish_python_client(pypi_index, "4.0.0", name="ra-reg-json")
    files = pypi_files(pep691_index.simple_url, "ra-reg-json", "4.0.0")
    _, accept, served = pep691_index.requests[-1]
    assert accept == "application/vnd.pypi.simple.v1+json, text/html;q=0.1"
    assert served == SIMPLE_JSON
    assert {f.filename: f.sha256 for f in files} == {p.name: _sha256(p) for p in built}
    assert not pypi_has_version(pep691_index.simple_url, "ra-reg-json", "4.0.1")


def test_html_form_when_forced(pypi_index: PypiIndex, pep691_index: Pep691Index) -> None:
    built = publish_python_client(pypi_index, "4.1.0", name="ra-reg-html")
    files = pypi_files(pep691_index.simple_url, "ra-reg-html", "4.1.0", accept=ACCEPT_HTML)
    assert pep691_index.requests[-1][2] == SIMPLE_HTML
    assert {f.filename: f.sha256 for f in files} == {p.name: _sha256(p) for p in built}
    assert not pypi_has_version(pep691_index.simple_url, "ra-reg-html", "4.1.1", accept=ACCEPT_HTML)


@pytest.mark.parametrize("accept", [None, ACCEPT_HTML], ids=["json", "html"])
def test_yanked_files_still_count_as_published(
    pypi_index: PypiIndex, pep691_index: Pep691Index, accept: str | None
) -> None:
    name = f"ra-reg-yanked-{'html' if accept else 'json'}"
    built = publish_python_client(pypi_index, "5.0.0", name=name)
    pep691_index.yanked = {p.name: "broken" for p in built}
    kwargs = {"accept": accept} if accept else {}
    files = pypi_files(pep691_index.simple_url, name, "5.0.0", **kwargs)
    assert pep691_index.requests[-1][2] == (SIMPLE_HTML if accept else SIMPLE_JSON)
    assert len(files) == 2
    assert all(f.yanked for f in files)
    assert pypi_has_version(pep691_index.simple_url, name, "5.0.0", **kwargs)


def test_a_server_error_is_an_error_not_absence(pep691_index: Pep691Index) -> None:
    pep691_index.fail_with = 503
    with pytest.raises(ReleaseActionsError, match="HTTP 503"):
        pypi_has_version(pep691_index.simple_url, "llama-stack-client", "0.7.1")


def test_an_unreachable_index_is_an_error() -> None:
    url = closed_url("/simple/")
    with pytest.raises(ReleaseActionsError, match="could not reach"):
        pypi_has_version(url, "llama-stack-client", "0.7.1", timeout=2)


@pytest.mark.parametrize(
    ("index_url", "fix"),
    [
        ("https://test.pypi.org/legacy/", "https://test.pypi.org/simple/"),
        ("https://upload.pypi.org/legacy", "https://upload.pypi.org/simple/"),
        ("https://pypi.org", "https://pypi.org/simple/"),
        ("file:///etc/", "http(s)"),
        ("pypi.org/simple", "http(s)"),
    ],
)
def test_wrong_index_urls_are_refused_with_a_fix(index_url: str, fix: str) -> None:
    with pytest.raises(InvalidValueError) as info:
        pypi_has_version(index_url, "llama-stack-client", "0.7.1")
    assert fix in str(info.value)


def test_an_invalid_version_is_refused() -> None:
    with pytest.raises(InvalidValueError, match="PEP 440"):
        pypi_has_version(PYPI_SIMPLE, "llama-stack-client", "v0.7.1-final!")


def test_wait_returns_once_the_version_appears(pypi_index: PypiIndex) -> None:
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:  # the upload "lands" during the first wait
        sleeps.append(seconds)
        if len(sleeps) == 1:
            publish_python_client(pypi_index, "6.0.0", name="ra-reg-wait")

    wait_for_pypi_version(
        pypi_index.simple_url, "ra-reg-wait", "6.0.0", attempts=5, interval=7, sleep=sleep
    )
    assert sleeps == [7]


def test_wait_gives_up_with_a_clear_error(pypi_index: PypiIndex) -> None:
    sleeps: list[float] = []
    with pytest.raises(ReleaseActionsError) as info:
        wait_for_pypi_version(
            pypi_index.simple_url,
            "Ra_Reg.Never",
            "0.9.0",
            attempts=4,
            interval=15,
            sleep=sleeps.append,
        )
    assert sleeps == [15, 15, 15]
    message = str(info.value)
    assert "ra-reg-never 0.9.0 did not appear on" in message
    assert f"{pypi_index.simple_url}ra-reg-never/" in message
    assert "after 4 checks over 45 s" in message
    assert info.value.fix and "re-run" in info.value.fix


def test_wait_reports_the_last_error() -> None:
    url = closed_url("/simple/")
    with pytest.raises(ReleaseActionsError, match="Last error: could not reach"):
        wait_for_pypi_version(url, "x", "1.0", attempts=2, interval=0, sleep=lambda _: None)


def test_wait_refuses_nonsense_bounds() -> None:
    with pytest.raises(InvalidValueError, match="attempts"):
        wait_for_pypi_version(PYPI_SIMPLE, "x", "1.0", attempts=0, interval=1)
    with pytest.raises(InvalidValueError, match="interval"):
        wait_for_pypi_version(PYPI_SIMPLE, "x", "1.0", attempts=1, interval=-1)


@pytest.mark.skipif(
    os.environ.get("RA_LIVE_INDEX_TESTS") != "1",
    reason="talks to pypi.org; set RA_LIVE_INDEX_TESTS=1 to run",
)
@pytest.mark.parametrize("accept", [None, ACCEPT_HTML], ids=["json", "html"])
def test_live_pypi(accept: str | None) -> None:
    kwargs = {"accept": accept} if accept else {}
    files = pypi_files(PYPI_SIMPLE, "Llama_Stack.Client", "0.7.1", **kwargs)
    assert {f.filename for f in files} >= {"llama_stack_client-0.7.1.tar.gz"}
    assert all(f.sha256 and len(f.sha256) == 64 for f in files)
    assert not pypi_has_version(PYPI_SIMPLE, "llama-stack-client", "0.7.99", **kwargs)


# --------------------------------------------------------------------------- npm


def test_npm_has_version(npm_registry: NpmRegistry) -> None:
    publish_npm_client(npm_registry, "1.0.0", name="ra-reg-npm-has")
    env = npm_registry.env()
    assert npm_has_version(npm_registry.url, "ra-reg-npm-has", "1.0.0", env=env)
    assert not npm_has_version(npm_registry.url, "ra-reg-npm-has", "1.0.1", env=env)
    assert not npm_has_version(npm_registry.url, "ra-reg-npm-has", "1.0.0-rc.1", env=env)
    assert not npm_has_version(npm_registry.url, "ra-reg-npm-never", "1.0.0", env=env)


def test_npm_scoped_package(npm_registry: NpmRegistry) -> None:
    publish_npm_client(npm_registry, "0.1.0", name="@llamastack/ra-reg-scoped")
    env = npm_registry.env()
    assert npm_has_version(npm_registry.url, "@llamastack/ra-reg-scoped", "0.1.0", env=env)
    assert npm_dist_tags(npm_registry.url, "@llamastack/ra-reg-scoped", env=env) == {
        "latest": "0.1.0"
    }


def test_npm_dist_tags_after_publishing_an_rc(npm_registry: NpmRegistry) -> None:
    name = "ra-reg-npm-tags"
    publish_npm_client(npm_registry, "0.7.1", name=name)
    publish_npm_client(npm_registry, "0.8.0-rc.1", tag="rc", name=name)
    env = npm_registry.env()
    assert npm_dist_tags(npm_registry.url, name, env=env) == {
        "latest": "0.7.1",
        "rc": "0.8.0-rc.1",
    }
    assert npm_has_version(npm_registry.url, name, "0.8.0-rc.1", env=env)
    assert npm_dist_tags(npm_registry.url, "ra-reg-npm-never", env=env) == {}


def test_npm_11_refuses_a_lower_version_or_a_prerelease_without_a_tag(
    npm_registry: NpmRegistry,
) -> None:
    name = "ra-reg-npm-lower"
    publish_npm_client(npm_registry, "0.7.1", name=name)
    with pytest.raises(RegistryCommandError, match='Cannot implicitly apply the "latest" tag'):
        publish_npm_client(npm_registry, "0.6.5", name=name)
    with pytest.raises(RegistryCommandError, match="You must specify a tag using --tag"):
        publish_npm_client(npm_registry, "0.8.0-rc.1", name=name)
    env = npm_registry.env()
    assert not npm_has_version(npm_registry.url, name, "0.6.5", env=env)
    publish_npm_client(npm_registry, "0.6.5", tag="release-0-6", name=name)
    assert npm_has_version(npm_registry.url, name, "0.6.5", env=env)
    assert npm_dist_tags(npm_registry.url, name, env=env) == {
        "latest": "0.7.1",
        "release-0-6": "0.6.5",
    }


def test_npm_wait_returns_once_published(npm_registry: NpmRegistry) -> None:
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        if len(sleeps) == 2:
            publish_npm_client(npm_registry, "2.0.0", name="ra-reg-npm-wait")

    wait_for_npm_version(
        npm_registry.url,
        "ra-reg-npm-wait",
        "2.0.0",
        attempts=5,
        interval=3,
        sleep=sleep,
        env=npm_registry.env(),
    )
    assert sleeps == [3, 3]


def test_npm_wait_gives_up_with_a_clear_error(npm_registry: NpmRegistry) -> None:
    sleeps: list[float] = []
    with pytest.raises(ReleaseActionsError) as info:
        wait_for_npm_version(
            npm_registry.url,
            "ra-reg-npm-never",
            "1.0.0",
            attempts=2,
            interval=30,
            sleep=sleeps.append,
            env=npm_registry.env(),
        )
    assert sleeps == [30]
    assert str(info.value).startswith(
        f"ra-reg-npm-never@1.0.0 did not appear on {npm_registry.url} after 2 checks over 30 s."
    )
    assert info.value.fix


def test_npm_unreachable_registry_is_an_error_not_absence(npm_registry: NpmRegistry) -> None:
    env = dict(npm_registry.env(), npm_config_fetch_retries="0")
    dead = closed_url()
    with pytest.raises(ReleaseActionsError, match=r"ECONNREFUSED|request to"):
        npm_has_version(dead, "llama-stack-client", "0.7.1", env=env)


@pytest.mark.parametrize(
    ("name", "version", "what"),
    [
        ("--registry=http://evil", "1.0.0", "npm package name"),
        ("Llama-Stack-Client", "1.0.0", "npm package name"),
        ("llama-stack-client", "0.7", "npm version"),
        ("llama-stack-client", "0.8.0rc1", "npm version"),
        ("llama-stack-client", "latest", "npm version"),
    ],
)
def test_npm_inputs_are_validated(name: str, version: str, what: str) -> None:
    with pytest.raises(InvalidValueError) as info:
        npm_has_version("http://127.0.0.1:9/", name, version)
    assert info.value.what == what


def test_npm_missing_binary_is_a_clear_error() -> None:
    with pytest.raises(ReleaseActionsError, match="not found on PATH"):
        npm_has_version(
            "http://127.0.0.1:9/", "llama-stack-client", "0.7.1", npm="npm-does-not-exist"
        )
