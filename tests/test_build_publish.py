"""Building, verifying, install-testing and publishing, against the local registries.

* build: the monorepo fixture (``llama-stack`` + ``llama-stack-api``, setuptools-scm
  with a ``root = "../.."`` subproject) built at a forced version; the Llama
  Stack #4782 failure (no setuptools-scm in the build environment, ``0.0.0``
  built) reproduced with a build Python that has setuptools only.
* verify: hand-made wheels, sdists and npm tarballs whose file names lie.
* smoke-install: the built stack with this run's client, or an index's.
* publish-pypi-plan against a pypiserver; publish-npm against verdaccio.

Every version is read back from the files (zipfile/tarfile), not from our code.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from packaging.version import Version

from release_actions.adapters.dists import find_dists, read_dist, verify_dists
from release_actions.adapters.pypi_index import DistributionFile, pypi_files
from release_actions.core.errors import ReleaseActionsError
from release_actions.interface import cli
from release_actions.steps.build import build, pretend_variable
from release_actions.steps.build import build_env as build_env_of
from release_actions.steps.publish.npm import check_dist_tag, publish_npm
from release_actions.steps.publish.pypi import plan_pypi_upload
from release_actions.steps.smoke import smoke_install
from tests.testbed.dist_metadata import metadata_version
from tests.testbed.monorepo import git, uv_env
from tests.testbed.origin import Origin
from tests.testbed.registries import (
    NpmRegistry,
    PypiIndex,
    build_python_client,
    publish_python_client,
    tool,
    write_npm_client,
    write_python_client,
)

NO_INDEX = "http://127.0.0.1:9/simple/"  # nothing listens there: builds must not need an index
STACK_NAMES = ("llama-stack", "llama-stack-api")


#: The tests that run the real build tools (uv build, npm pack, uv pip install of the
#: wheels) are end-to-end (e2e): about a second each, so ``scripts/test --fast`` leaves
#: them to the full suite.
BUILDS = pytest.mark.e2e


def build_env(python: str | None = None) -> dict[str, str]:
    """uv against no index, builds without isolation in a Python with setuptools(-scm)."""
    env = uv_env(NO_INDEX, build_python=python)
    env["PATH"] = f"{Path(tool('uv')).parent}{os.pathsep}{env.get('PATH', '')}"
    return env


@pytest.fixture(autouse=True)
def uv_on_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """The tools of this venv (uv) on PATH, as setup-uv puts them in a workflow."""
    monkeypatch.setenv("PATH", f"{Path(tool('uv')).parent}{os.pathsep}{os.environ['PATH']}")


def checkout(origin_template: Origin, dest: Path, ref: str) -> Path:
    git(dest.parent, "clone", "--quiet", origin_template.url, str(dest))
    git(dest, "checkout", "--quiet", "--detach", ref)
    return dest


# --------------------------------------------------------------------------- build


@pytest.mark.parametrize(
    ("name", "variable"),
    [
        ("llama-stack", "SETUPTOOLS_SCM_PRETEND_VERSION_FOR_LLAMA_STACK"),
        ("llama_stack_api", "SETUPTOOLS_SCM_PRETEND_VERSION_FOR_LLAMA_STACK_API"),
        ("Llama.Stack--Client", "SETUPTOOLS_SCM_PRETEND_VERSION_FOR_LLAMA_STACK_CLIENT"),
    ],
)
def test_pretend_variable_is_named_as_setuptools_scm_reads_it(name: str, variable: str) -> None:
    assert pretend_variable(name) == variable
    vcs = pytest.importorskip("vcs_versioning._overrides")  # setuptools-scm's own spelling
    assert vcs.env_var_name("SETUPTOOLS_SCM", "PRETEND_VERSION", name) == variable


@pytest.fixture(scope="module")
def release_checkout(origin_template: Origin, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The monorepo at v0.7.1 (client pinned ==0.7.1), read-only."""
    return checkout(origin_template, tmp_path_factory.mktemp("v071") / "repo", "v0.7.1")


@pytest.fixture(scope="module")
def built_071(release_checkout: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """llama-stack and llama-stack-api built at 0.7.1 from v0.7.1."""
    out = tmp_path_factory.mktemp("dist-071")
    build(release_checkout, Version("0.7.1"), out, env=build_env())
    return out


@BUILDS
def test_build_forces_the_version_of_every_managed_project(built_071: Path) -> None:
    files = sorted(p.name for p in built_071.iterdir())
    assert files == [
        "llama_stack-0.7.1-py3-none-any.whl",
        "llama_stack-0.7.1.tar.gz",
        "llama_stack_api-0.7.1-py3-none-any.whl",
        "llama_stack_api-0.7.1.tar.gz",
    ]
    # Inside the files, not only in their names.
    assert {metadata_version(built_071 / f) for f in files} == {"0.7.1"}


def test_each_build_gets_only_its_own_pretend_version() -> None:
    base = {
        "PATH": "/bin",
        "SETUPTOOLS_SCM_PRETEND_VERSION": "9.9.9",  # would apply to any project without its own
        "SETUPTOOLS_SCM_PRETEND_VERSION_FOR_LLAMA_STACK_API": "9.9.9",
    }
    env = build_env_of(base, "llama-stack", Version("0.8.0"), "1767603600")
    assert {k: v for k, v in env.items() if k.startswith("SETUPTOOLS_SCM")} == {
        "SETUPTOOLS_SCM_PRETEND_VERSION_FOR_LLAMA_STACK": "0.8.0"
    }
    assert env["SOURCE_DATE_EPOCH"] == "1767603600"  # the commit time: reproducible wheels
    assert (
        build_env_of({"SOURCE_DATE_EPOCH": "1"}, "x", Version("1.0"), "2")["SOURCE_DATE_EPOCH"]
        == "1"
    )


@BUILDS
def test_build_at_a_dev_commit_gets_the_nightly_version_not_the_scm_guess(
    origin_template: Origin, tmp_path: Path
) -> None:
    repo = checkout(origin_template, tmp_path / "repo", "main")  # scm would say 0.7.2.devN+g…
    out = tmp_path / "dist"
    result = build(repo, Version("0.7.2.dev20261125"), out, env=build_env())
    assert {metadata_version(p) for p in out.iterdir()} == {"0.7.2.dev20261125"}
    assert result.as_dict()["requirements"] == (
        "llama-stack-api==0.7.2.dev20261125 llama-stack==0.7.2.dev20261125"
    )


@BUILDS
def test_rebuilt_wheels_are_identical(release_checkout: Path, tmp_path: Path) -> None:
    """SOURCE_DATE_EPOCH defaults to the commit time: a re-run's wheel has the same sha256,
    so a re-run after a partial upload can tell "already published" from "different"."""
    env = {k: v for k, v in build_env().items() if k != "SOURCE_DATE_EPOCH"}
    wheels = []
    for attempt in ("a", "b"):
        repo = shutil.copytree(release_checkout, tmp_path / attempt / "repo", symlinks=True)
        os.utime(repo / "src" / "llama_stack_api" / "__init__.py", (1e9, 1e9 + len(attempt)))
        result = build(repo, Version("0.7.1"), tmp_path / attempt / "dist",
                       projects=[Path("src/llama_stack_api")], env=env)  # fmt: skip
        wheels += [d.path.read_bytes() for d in result.dists if d.kind == "wheel"]
    assert len(wheels) == 2 and wheels[0] == wheels[1]


@pytest.fixture(scope="module")
def python_without_setuptools_scm(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A Python with setuptools but no setuptools-scm: the environment of #4782."""
    import setuptools

    venv = tmp_path_factory.mktemp("no-scm") / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            capture_output=True, text=True, check=True,
        ).stdout.strip()
    )  # fmt: skip
    source = Path(setuptools.__file__).parent.parent
    for item in source.iterdir():
        if item.name in ("setuptools", "_distutils_hack", "distutils-precedence.pth") or (
            item.name.startswith("setuptools-") and item.name.endswith(".dist-info")
        ):
            (shutil.copytree if item.is_dir() else shutil.copy2)(item, site / item.name)
    check = "import setuptools, importlib.util as u; print(u.find_spec('setuptools_scm') is None)"
    probe = subprocess.run([str(python), "-c", check], capture_output=True, text=True, check=False)
    assert probe.stdout.strip() == "True", probe.stderr
    return str(python)


@BUILDS
def test_build_fails_loudly_when_the_pretend_version_is_ignored(
    release_checkout: Path, tmp_path: Path, python_without_setuptools_scm: str
) -> None:
    """Llama Stack #4782: without setuptools-scm the override was ignored and 0.0.0 went out."""
    out = tmp_path / "dist"
    with pytest.raises(ReleaseActionsError) as caught:
        build(release_checkout, Version("0.7.1"), out, env=build_env(python_without_setuptools_scm))
    message = str(caught.value)
    assert (
        "llama_stack-0.0.0-py3-none-any.whl: METADATA says Version 0.0.0, expected 0.7.1" in message
    )
    assert "llama_stack_api-0.0.0.tar.gz: PKG-INFO says Version 0.0.0, expected 0.7.1" in message
    assert "setuptools-scm" in caught.value.fix
    assert list(out.iterdir()) == []  # nothing left behind to be uploaded


def test_build_refuses_an_out_dir_with_stale_distributions(
    release_checkout: Path, tmp_path: Path
) -> None:
    out = tmp_path / "dist"
    out.mkdir()
    (out / "llama_stack-0.7.0-py3-none-any.whl").write_bytes(b"stale")
    with pytest.raises(ReleaseActionsError, match="already holds distributions"):
        build(release_checkout, Version("0.7.1"), out, env=build_env())


@BUILDS
def test_build_a_static_version_client_checks_its_stamp(tmp_path: Path) -> None:
    """An explicit --package without setuptools-scm: the pretend variable does nothing, the
    check still reads the metadata (an unstamped client fails)."""
    repo = write_python_client(tmp_path / "client", "0.7.1")
    out = tmp_path / "dist"
    with pytest.raises(ReleaseActionsError, match=r"says Version 0\.7\.1, expected 0\.8\.0"):
        build(repo, Version("0.8.0"), out, projects=[Path(".")], env=build_env())
    result = build(repo, Version("0.7.1"), out, projects=[Path(".")], env=build_env())
    assert [d.filename for d in result.dists] == [
        "llama_stack_client-0.7.1-py3-none-any.whl",
        "llama_stack_client-0.7.1.tar.gz",
    ]


@BUILDS
def test_build_packs_npm_packages_and_checks_the_npm_form(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    write_npm_client(repo / "ts", "0.8.0-rc.1")
    result = build(repo, Version("0.8.0rc1"), tmp_path / "dist", npm_packages=[Path("ts")])
    assert [(d.kind, d.name, d.version) for d in result.dists] == [
        ("npm", "llama-stack-client", "0.8.0-rc.1")
    ]
    write_npm_client(repo / "ts", "0.8.0rc1")  # the loose form npm version used to write
    with pytest.raises(ReleaseActionsError, match=r"package\.json says version 0\.8\.0rc1"):
        build(repo, Version("0.8.0rc1"), tmp_path / "dist2", npm_packages=[Path("ts")])


@BUILDS
def test_build_cli_writes_outputs(
    release_checkout: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key, value in build_env().items():
        monkeypatch.setenv(key, value)
    outputs, summary = tmp_path / "out.txt", tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_OUTPUT", str(outputs))
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    monkeypatch.setenv("RA_PACKAGES", "src/llama_stack_api")
    code = cli.main(
        [
            "build",
            "--version",
            "0.7.1",
            "--repo",
            str(release_checkout),
            "--out",
            str(tmp_path / "d"),
        ]
    )
    assert code == 0
    text = outputs.read_text()
    assert "count=2\n" in text
    assert "requirements=llama-stack-api==0.7.1\n" in text
    assert "llama_stack_api-0.7.1.tar.gz" in summary.read_text()


# --------------------------------------------------------------------------- verify


def make_wheel(folder: Path, filename: str, name: str, version: str) -> Path:
    path = folder / filename
    with zipfile.ZipFile(path, "w") as archive:
        dist_info = f"{name.replace('-', '_')}-{version}.dist-info"
        archive.writestr(
            f"{dist_info}/METADATA", f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n\n"
        )
        archive.writestr(f"{dist_info}/WHEEL", "Wheel-Version: 1.0\n")
    return path


def make_tarball(folder: Path, filename: str, member: str, data: bytes) -> Path:
    path = folder / filename
    with tarfile.open(path, "w:gz") as archive:
        info = tarfile.TarInfo(member)
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    return path


def make_sdist(folder: Path, filename: str, name: str, version: str) -> Path:
    top = filename.removesuffix(".tar.gz")
    body = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n\n".encode()
    return make_tarball(folder, filename, f"{top}/PKG-INFO", body)


def make_npm(folder: Path, filename: str, name: str, version: str) -> Path:
    body = json.dumps({"name": name, "version": version}).encode()
    return make_tarball(folder, filename, "package/package.json", body)


def test_verify_reads_the_metadata_not_the_file_name(tmp_path: Path) -> None:
    good = [
        make_wheel(tmp_path, "llama_stack-0.8.0rc1-py3-none-any.whl", "llama-stack", "0.8.0rc1"),
        make_sdist(tmp_path, "llama_stack-0.8.0rc1.tar.gz", "llama-stack", "0.8.0rc1"),
        make_npm(tmp_path, "llama-stack-client-0.8.0-rc.1.tgz", "llama-stack-client", "0.8.0-rc.1"),
    ]
    assert [d.version for d in verify_dists(good, Version("0.8.0rc1"))] == [
        "0.8.0rc1", "0.8.0rc1", "0.8.0-rc.1",
    ]  # fmt: skip
    liars = tmp_path / "liars"
    liars.mkdir()
    make_wheel(liars, "llama_stack-0.8.0-py3-none-any.whl", "llama-stack", "0.0.0")
    make_sdist(liars, "llama_stack_api-0.8.0.tar.gz", "llama-stack-api", "0.8.0.dev0")
    make_npm(liars, "llama-stack-client-0.8.0.tgz", "llama-stack-client", "0.7.1")
    make_wheel(liars, "other-0.8.0-py3-none-any.whl", "llama-stack", "0.8.0")
    with pytest.raises(ReleaseActionsError) as caught:
        verify_dists(find_dists([liars]), Version("0.8.0"))
    message = str(caught.value)
    assert message.startswith("4 distribution(s) do not carry version 0.8.0")
    assert "llama_stack-0.8.0-py3-none-any.whl: METADATA says Version 0.0.0" in message
    assert "llama_stack_api-0.8.0.tar.gz: PKG-INFO says Version 0.8.0.dev0" in message
    assert (
        "llama-stack-client-0.8.0.tgz: package.json says version 0.7.1, expected 0.8.0" in message
    )
    assert (
        "other-0.8.0-py3-none-any.whl: the file name does not match the name 'llama-stack'"
        in message
    )


def test_verify_rejects_a_non_canonical_spelling_and_broken_files(tmp_path: Path) -> None:
    odd = make_wheel(tmp_path, "x-0.8.0-py3-none-any.whl", "x", "0.8.00")
    with pytest.raises(ReleaseActionsError, match=r"says Version 0\.8\.00"):
        verify_dists([odd], Version("0.8.0"))
    broken = tmp_path / "y-0.8.0-py3-none-any.whl"
    broken.write_bytes(b"not a zip")
    with pytest.raises(ReleaseActionsError, match=r"cannot read the metadata of y-0\.8\.0"):
        read_dist(broken)
    (tmp_path / "empty").mkdir()
    with pytest.raises(ReleaseActionsError, match="holds no distributions"):
        find_dists([tmp_path / "empty"])


def test_verify_dists_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GITHUB_OUTPUT", raising=False)
    make_wheel(tmp_path, "x-0.8.0-py3-none-any.whl", "x", "0.8.0")
    assert cli.main(["verify-dists", "--version", "0.8.0", str(tmp_path)]) == 0
    assert cli.main(["verify-dists", "--version", "0.8.1", str(tmp_path)]) == 1


# --------------------------------------------------------------------------- smoke install


@pytest.fixture(scope="module")
def client_071(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("client-071")
    for path in build_python_client(out / "work", "0.7.1"):
        shutil.move(path, out / path.name)
    shutil.rmtree(out / "work")
    return out


@BUILDS
def test_smoke_install_with_this_runs_client(built_071: Path, client_071: Path) -> None:
    # The sibling pin Llama Stack configures (pins = ["llama-stack-client"]).
    result = smoke_install([built_071, client_071], Version("0.7.1"), index_url=NO_INDEX,
                           modules=["llama_stack_client"],
                           pins=("llama-stack-client",))  # fmt: skip
    assert result.installed == {
        "llama-stack": "0.7.1", "llama-stack-api": "0.7.1", "llama-stack-client": "0.7.1",
    }  # fmt: skip
    assert result.pins == ["llama-stack-client==0.7.1"]  # the stack's own pin, from its METADATA
    assert result.modules == {"llama_stack_client": "0.7.1"}


@BUILDS
def test_smoke_install_fails_when_the_pin_cannot_be_met(
    built_071: Path, tmp_path: Path, fresh_pypi_index: PypiIndex
) -> None:
    # The stack pins llama-stack-client==0.7.1; the index only has 0.7.2.
    publish_python_client(fresh_pypi_index, "0.7.2")
    pins = ("llama-stack-client",)  # Llama Stack's sibling pin
    with pytest.raises(ReleaseActionsError, match="uv pip install of the built wheels failed"):
        smoke_install(
            [built_071], Version("0.7.1"), index_url=fresh_pypi_index.simple_url, pins=pins
        )
    # With the pinned client on the index, the same install passes.
    publish_python_client(fresh_pypi_index, "0.7.1")
    result = smoke_install(
        [built_071], Version("0.7.1"), index_url=fresh_pypi_index.simple_url, pins=pins
    )
    assert result.installed["llama-stack-client"] == "0.7.1"


@BUILDS
def test_smoke_install_rejects_an_unstamped_module(built_071: Path, tmp_path: Path) -> None:
    src = write_python_client(tmp_path / "client", "0.7.1")
    version_py = src / "src" / "llama_stack_client" / "_version.py"
    version_py.write_text(version_py.read_text().replace('"0.7.1"', '"0.0.0"'))
    out = tmp_path / "dist"
    subprocess.run([tool("uv"), "build", "--no-config", "--quiet", "--out-dir", str(out), str(src)],
                   check=True)  # fmt: skip
    with pytest.raises(ReleaseActionsError, match=r"llama_stack_client.__version__ is 0.0.0"):
        smoke_install([built_071, out], Version("0.7.1"), index_url=NO_INDEX,
                      modules=["llama_stack_client"])  # fmt: skip


# --------------------------------------------------------------------------- PyPI plan


def client_variant(tmp_path: Path, version: str, name: str, readme: str = "") -> list[Path]:
    """The fake client, built; a different ``readme`` gives files with other sha256s."""
    src = write_python_client(tmp_path / "src", version, name=name)
    if readme:
        (src / "README.md").write_text(readme)
    out = tmp_path / "dist"
    subprocess.run([tool("uv"), "build", "--no-config", "--quiet", "--out-dir", str(out), str(src)],
                   check=True)  # fmt: skip
    return find_dists([out])


def plan_dict(
    index: PypiIndex, files: list[Path], out: Path, **kwargs: object
) -> dict[str, object]:
    return plan_pypi_upload(index.simple_url, files, out, **kwargs).as_dict()  # type: ignore[arg-type]


def test_plan_uploads_what_is_absent_and_skips_identical_files(
    pypi_index: PypiIndex, tmp_path: Path
) -> None:
    name = "ra-plan-idempotent"
    files = client_variant(tmp_path / "a", "0.8.0", name)
    first = plan_dict(pypi_index, files, tmp_path / "up1", version=Version("0.8.0"))
    assert first["upload"] is True and first["upload_count"] == 2
    assert sorted(p.name for p in (tmp_path / "up1").iterdir()) == [f.name for f in files]
    pypi_index.upload((tmp_path / "up1").iterdir())
    # A re-run with the same artifacts: nothing to do, and nothing copied.
    again = plan_dict(pypi_index, files, tmp_path / "up2", version=Version("0.8.0"))
    assert (again["upload"], again["upload_count"], again["skip_count"]) == (False, 0, 2)
    assert list((tmp_path / "up2").iterdir()) == []
    assert again["requirements"] == f"{name}==0.8.0"


def test_plan_uploads_only_the_missing_file_after_a_partial_upload(
    pypi_index: PypiIndex, tmp_path: Path
) -> None:
    files = client_variant(tmp_path / "a", "0.8.0", "ra-plan-partial")
    wheel = next(f for f in files if f.name.endswith(".whl"))
    pypi_index.upload([wheel])
    plan = plan_dict(pypi_index, files, tmp_path / "up")
    assert plan["upload_files"] == "ra_plan_partial-0.8.0.tar.gz"
    assert (plan["upload_count"], plan["skip_count"]) == (1, 1)


def test_plan_refuses_a_different_file_under_a_published_name(
    pypi_index: PypiIndex, tmp_path: Path
) -> None:
    name = "ra-plan-different"
    pypi_index.upload(client_variant(tmp_path / "published", "0.8.0", name))
    rebuilt = client_variant(tmp_path / "rebuilt", "0.8.0", name, readme="changed\n")
    with pytest.raises(ReleaseActionsError) as caught:
        plan_dict(pypi_index, rebuilt, tmp_path / "up")
    assert "2 file(s) are already on" in str(caught.value)
    assert "ra_plan_different-0.8.0-py3-none-any.whl: the index has" in str(caught.value)
    assert "never publish a different artifact" in caught.value.fix
    assert not (tmp_path / "up").exists() or list((tmp_path / "up").iterdir()) == []


def test_plan_skips_different_files_with_skip_existing(
    pypi_index: PypiIndex, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    name = "ra-plan-nightly"
    pypi_index.upload(client_variant(tmp_path / "first", "0.8.0.dev20261125", name))
    rerun = client_variant(tmp_path / "rerun", "0.8.0.dev20261125", name, readme="rebuilt\n")
    plan = plan_dict(pypi_index, rerun, tmp_path / "up", skip_existing=True)
    assert (plan["upload"], plan["skip_different_count"]) == (False, 2)
    assert "is not uploaded: the index has" in capsys.readouterr().err


def test_plan_refuses_a_second_sdist_for_a_version(pypi_index: PypiIndex, tmp_path: Path) -> None:
    sdist = make_sdist(tmp_path, "ra_plan_sdist-0.8.0.tar.gz", "ra-plan-sdist", "0.8.0")
    pypi_index.upload([sdist])
    other = tmp_path / "other"
    other.mkdir()
    renamed = make_sdist(other, "ra-plan-sdist-0.8.0.tar.gz", "ra-plan-sdist", "0.8.0")
    with pytest.raises(
        ReleaseActionsError, match=r"already has the sdist ra_plan_sdist-0\.8\.0\.tar\.gz"
    ):
        plan_dict(pypi_index, [renamed], tmp_path / "up")


def test_plan_hashes_files_the_index_lists_without_a_sha256(
    pypi_index: PypiIndex, tmp_path: Path
) -> None:
    name = "ra-plan-nohash"
    pypi_index.upload(client_variant(tmp_path / "published", "0.8.0", name))
    files = find_dists([tmp_path / "published" / "dist"])
    downloaded: list[str] = []

    def lookup(index: str, project: str, version: str) -> list[DistributionFile]:
        found = pypi_files(index, project, version)
        return [DistributionFile(f.filename, f.version, f.url) for f in found]

    def download(url: str) -> str:
        downloaded.append(url.rsplit("/", 1)[-1])
        from release_actions.steps.publish.pypi import download_sha256

        return download_sha256(url)

    plan = plan_pypi_upload(
        pypi_index.simple_url, files, tmp_path / "up", lookup=lookup, download=download
    )
    assert plan.as_dict()["skip_count"] == 2
    assert sorted(downloaded) == [f.name for f in files]


def test_plan_cli_outputs(
    pypi_index: PypiIndex, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = client_variant(tmp_path / "a", "0.8.0", "ra-plan-cli")
    outputs = tmp_path / "outputs.txt"
    monkeypatch.setenv("GITHUB_OUTPUT", str(outputs))
    args = ["publish-pypi-plan", "--index-url", pypi_index.simple_url, "--version", "0.8.0",
            "--out", str(tmp_path / "up"), str(files[0].parent)]  # fmt: skip
    assert cli.main(args) == 0
    assert "upload=true\nupload-count=2\n" in outputs.read_text()
    wrong = [*args[:-3], "--out", str(tmp_path / "up2"), "--version", "0.9.0", str(files[0].parent)]
    assert cli.main(wrong) == 1  # a file not carrying the version: nothing planned


def test_wait_pypi_cli(pypi_index: PypiIndex, tmp_path: Path) -> None:
    publish_python_client(pypi_index, "0.8.0", name="ra-wait-cli")
    base = ["wait-pypi", "--index-url", pypi_index.simple_url, "--attempts", "2", "--interval", "0"]
    assert cli.main([*base, "ra-wait-cli==0.8.0"]) == 0
    assert cli.main([*base, "ra-wait-cli==0.8.0", "ra-wait-cli==0.8.1"]) == 1
    assert cli.main([*base, "ra-wait-cli>=0.8.0"]) == 1


# --------------------------------------------------------------------------- npm


@pytest.fixture
def npm_env(npm_registry: NpmRegistry) -> Iterator[dict[str, str]]:
    yield npm_registry.env()


def publish(registry: NpmRegistry, folder: Path, tag: str, **kwargs: object) -> dict[str, object]:
    result = publish_npm(folder, dist_tag=tag, registry=registry.url, env=registry.env(),
                         wait_attempts=5, wait_seconds=0.2, **kwargs)  # type: ignore[arg-type]  # fmt: skip
    return result.as_dict()


def test_npm_publish_is_idempotent_and_tags_explicitly(
    npm_registry: NpmRegistry, tmp_path: Path
) -> None:
    name = "ra-npm-idem"
    stable = write_npm_client(tmp_path / "stable", "0.7.1", name=name)
    assert publish(npm_registry, stable, "latest")["status"] == "published"
    rc = write_npm_client(tmp_path / "rc", "0.8.0-rc.1", name=name)
    result = publish(npm_registry, rc, "rc", expected_version="0.8.0-rc.1")
    assert result["status"] == "published"
    assert npm_registry.dist_tags(name) == {"latest": "0.7.1", "rc": "0.8.0-rc.1"}
    # Re-run: npm pack of the same folder is byte-identical, so nothing happens.
    assert publish(npm_registry, rc, "rc")["status"] == "exists"
    assert npm_registry.versions(name) == ["0.7.1", "0.8.0-rc.1"]


def test_npm_publish_refuses_a_different_tarball_for_a_published_version(
    npm_registry: NpmRegistry, tmp_path: Path
) -> None:
    name = "ra-npm-different"
    folder = write_npm_client(tmp_path / "a", "0.8.0", name=name)
    publish(npm_registry, folder, "latest")
    (folder / "index.js").write_text("module.exports = 'changed';\n")
    with pytest.raises(ReleaseActionsError, match=r"already on .* with a different tarball"):
        publish(npm_registry, folder, "latest")


def test_npm_publish_keeps_latest_on_the_newest_line(
    npm_registry: NpmRegistry, tmp_path: Path
) -> None:
    name = "ra-npm-older-line"
    publish(npm_registry, write_npm_client(tmp_path / "new", "0.7.1", name=name), "latest")
    old = write_npm_client(tmp_path / "old", "0.6.2", name=name)
    with pytest.raises(ReleaseActionsError, match="would move it backwards") as caught:
        publish(npm_registry, old, "latest")
    assert "latest-0.6" in caught.value.fix
    assert publish(npm_registry, old, "latest-0.6")["status"] == "published"
    assert npm_registry.dist_tags(name) == {"latest": "0.7.1", "latest-0.6": "0.6.2"}


def test_npm_publish_guards(npm_registry: NpmRegistry, tmp_path: Path) -> None:
    name = "ra-npm-guards"
    rc = write_npm_client(tmp_path / "rc", "0.8.0-rc.1", name=name)
    with pytest.raises(ReleaseActionsError, match="prerelease and cannot be published as latest"):
        publish(npm_registry, rc, "latest")
    with pytest.raises(
        ReleaseActionsError, match=r"carries ra-npm-guards@0\.8\.0-rc\.1, not 0\.8\.0"
    ):
        publish(npm_registry, rc, "rc", expected_version="0.8.0")
    assert publish(npm_registry, rc, "rc", dry_run=True)["status"] == "dry-run"
    assert npm_registry.versions(name) == []
    for bad in ("", "1.2", "v1", "has space"):
        with pytest.raises(ReleaseActionsError):
            check_dist_tag(bad)
    assert check_dist_tag("latest-0.6") == "latest-0.6"


def test_npm_publish_of_a_packed_tarball_folder(npm_registry: NpmRegistry, tmp_path: Path) -> None:
    name = "ra-npm-tarball"
    folder = write_npm_client(tmp_path / "pkg", "1.0.0", name=name)
    out = tmp_path / "packed"
    out.mkdir()
    subprocess.run(["npm", "pack", "--pack-destination", str(out), str(folder)], check=True,
                   capture_output=True, env=npm_registry.env())  # fmt: skip
    assert publish(npm_registry, out, "latest")["status"] == "published"
    packed = next(out.iterdir())
    doc = npm_registry.packument(name)
    assert doc is not None
    shasum = hashlib.sha1(packed.read_bytes(), usedforsecurity=False).hexdigest()
    assert doc["versions"]["1.0.0"]["dist"]["shasum"] == shasum
