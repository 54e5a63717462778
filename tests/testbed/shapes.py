"""Six repository shapes (issue 15), each a bare ``origin`` and a working clone.

One builder per shape replays a small history with fixed dates (:class:`History`),
pushes every branch and tag to a bare repository whose ``HEAD`` names the shape's
default branch, and clones it (so the clone has ``origin/HEAD`` and the default
branch checked out), as ``actions/checkout`` would:

===========  =================================================================
``llama``    the Llama Stack monorepo of :mod:`tests.testbed.monorepo` with its
             configuration (pins and npm package ``llama-stack-client``), plus
             ``v0.8.0-dev`` on main and ``v0.8.0rc1`` on ``release-0.8.x``
``tinylib``  one package at the root, on ``master``, no ``fallback_version``, no
             npm, no configuration: v1.0.0, v1.1.0, ``release-1.1.x`` with v1.1.1
``twin``     a uv workspace, members ``packages/twin-core`` and
             ``packages/twin-cli`` versioned from the root (``root = "../.."``),
             ``fallback_version`` only in the members
``prefixed`` ``tag-prefix = "rel-"``: rel-0.5.0, ``release-0.6.x`` with rel-0.6.0,
             one npm package (``package.json`` at the root)
``pytestish`` unprefixed tags (9.1.0, 9.1.1 on ``9.1.x``), ``9.2.0.dev0`` on main,
             a stray ``v7.4.3``
``astropyish`` ``v8.0.0``/``v8.0.1`` on ``v8.0.x``, ``v7.2.0`` on ``v7.2.x``,
             ``v8.1.0.dev`` on main
===========  =================================================================

:data:`tests.testbed.shape_table.SHAPES` holds, per shape, what issue 15 asks every
command to produce (the target behaviour); :func:`run_cli` runs ``python -m release_actions``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from .monorepo import (
    DEFAULT_HISTORY,
    Branch,
    Commit,
    Tag,
    build_monorepo,
    bump_main,
    change,
    fixture_files,
    git,
    git_env,
    prepare_release,
)
from .origin import Origin, clone_work, make_bare

ROOT = Path(__file__).resolve().parents[2]
EPOCH = 1767603600  # 2026-01-05T09:00:00Z
DATE = "20261201"  # the date of every dev version the tests ask for
CLOSED_REGISTRY = "http://127.0.0.1:9/"  # nothing listens on the discard port
# A package index holding nothing, on this machine: uv lock finds no package there at
# once, so a prepare-release with --lock-policy skip skips the lock without the network
# (the repository shapes pin clients that only the e2e tests publish).
CLOSED_INDEX = "file:///nonexistent/release-actions-closed-index"


# --------------------------------------------------------------------------- running the CLI


class CliRun(NamedTuple):
    code: int
    document: Any  # the parsed JSON on stdout (None when stdout is not JSON)
    stderr: str
    stdout: str


def cli_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """This environment without Actions context or inputs, importing this tree's library,
    with uv resolving against :data:`CLOSED_INDEX`."""
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("RA_", "GITHUB_", "GIT_", "UV_"))
    }
    env.update(
        PYTHONPATH=str(ROOT / "action-lib"),
        UV_DEFAULT_INDEX=CLOSED_INDEX,
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_CONFIG_NOSYSTEM="1",
        GITHUB_TOKEN="",
        NO_COLOR="1",
    )
    return {**env, **(extra or {})}


def run_cli(
    repo: Path, command: str, *args: str, json_flag: bool = True, env: Mapping[str, str] = {}
) -> CliRun:
    """``python -m release_actions COMMAND --repo REPO ARGS [--json]`` at a terminal."""
    argv = [sys.executable, "-m", "release_actions", command, *args, "--repo", str(repo)]
    if json_flag:
        argv.append("--json")
    proc = subprocess.run(
        argv, capture_output=True, text=True, env=cli_env(env), cwd=repo, check=False
    )
    try:
        document = json.loads(proc.stdout)
    except ValueError:
        document = None
    return CliRun(proc.returncode, document, proc.stderr, proc.stdout)


# --------------------------------------------------------------------------- building


@dataclass
class History:
    """A repository built step by step with fixed dates (commit ids are stable)."""

    path: Path
    branch: str = "main"
    commits: int = 0

    def __post_init__(self) -> None:
        self.path.mkdir(parents=True, exist_ok=True)
        git(self.path, "init", "--quiet", f"--initial-branch={self.branch}")

    def commit(self, message: str, files: Mapping[str, str] | None = None) -> History:
        for rel, text in (files or {"notes.txt": f"{message}\n"}).items():
            target = self.path / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text)
        git(self.path, "add", "--all")
        when = EPOCH + self.commits * 86400
        git(self.path, "commit", "--quiet", "-m", message, env=git_env(when))
        self.commits += 1
        return self

    def tag(self, *names: str) -> History:
        for name in names:
            git(self.path, "tag", name)
        return self

    def checkout(self, name: str, *, new: bool = False) -> History:
        git(self.path, "checkout", "--quiet", *(["-b"] if new else []), name)
        return self


def publish(seed: Path, root: Path, default_branch: str) -> Origin:
    """Push ``seed`` to ``root/origin.git`` (HEAD -> ``default_branch``), clone to ``root/work``."""
    bare = make_bare(root / "origin.git")
    git(seed, "push", "--quiet", bare.as_uri(), "refs/heads/*:refs/heads/*", "refs/tags/*")
    git(bare, "symbolic-ref", "HEAD", f"refs/heads/{default_branch}")
    origin = Origin(bare=bare, work=root / "work")
    clone_work(origin.url, origin.work)
    return origin


def pyproject(
    name: str,
    *,
    fallback: str | None = None,
    scm: str | None = "",
    config: str = "",
    extra: str = "",
) -> str:
    """A setuptools-scm project; ``scm`` is the body of ``[tool.setuptools_scm]`` (None: no
    table), ``config`` the body of ``[tool.release-actions]`` (empty: no table)."""
    text = (
        '[build-system]\nrequires = ["setuptools>=64", "setuptools-scm>=8"]\n'
        'build-backend = "setuptools.build_meta"\n\n'
        f'[project]\nname = "{name}"\ndynamic = ["version"]\nrequires-python = ">=3.10"\n'
        f"{extra}"
    )
    if scm is not None:
        text += "\n[tool.setuptools_scm]\n" + scm
        if fallback is not None:
            text += f'fallback_version = "{fallback}"\n'
    if config:
        text += "\n[tool.release-actions]\n" + config
    return text


LLAMA_CONFIG = """
[tool.release-actions]
pins = ['llama-stack-client']
npm-package = 'llama-stack-client'
"""


def build_llama(root: Path) -> Origin:
    files = fixture_files()
    if "[tool.release-actions]" not in files["pyproject.toml"]:  # the fixture carries it
        files["pyproject.toml"] += LLAMA_CONFIG
    history = (
        *DEFAULT_HISTORY,
        change("feat: add the files API", 60),
        Tag("v0.8.0-dev", "main"),
        bump_main("0.7.1", "0.8.0.dev0"),
        Branch("release-0.8.x"),
        prepare_release("0.8.0rc1", "release-0.8.x"),
        Tag("v0.8.0rc1", "release-0.8.x"),
        Commit("fix: a main-only change (#61)", files={"docs/changelog.d/61.md": "fix\n"}),
    )
    seed = build_monorepo(root / "seed", history=history, files=files)
    return publish(seed.path, root, "main")


def build_tinylib(root: Path) -> Origin:
    files = {
        "pyproject.toml": pyproject("tinylib"),
        "src/tinylib/__init__.py": '"""tinylib."""\n',
    }
    repo = History(root / "seed", branch="master").commit("initial import", files)
    repo.commit("feat: parse").tag("v1.0.0").commit("feat: format").tag("v1.1.0")
    repo.checkout("release-1.1.x", new=True).commit("fix: a crash").tag("v1.1.1")
    repo.checkout("master").commit("feat: a new API")
    return publish(repo.path, root, "master")


def _twin_member(name: str, fallback: str) -> str:
    return pyproject(name, scm='root = "../.."\n', fallback=fallback)


TWIN_ROOT = """[project]
name = "twin"
version = "0"
requires-python = ">=3.10"
dependencies = ["twin-core", "twin-cli"]

[tool.uv.workspace]
members = ["packages/*"]

[tool.uv.sources]
twin-core = { workspace = true }
twin-cli = { workspace = true }
"""


def build_twin(root: Path) -> Origin:
    def members(fallback: str) -> dict[str, str]:
        return {
            "packages/twin-core/pyproject.toml": _twin_member("twin-core", fallback),
            "packages/twin-cli/pyproject.toml": _twin_member("twin-cli", fallback),
        }

    files = {
        "pyproject.toml": TWIN_ROOT,
        "packages/twin-core/src/twin_core/__init__.py": "",
        "packages/twin-cli/src/twin_cli/__init__.py": "",
        **members("0.2.0.dev0"),
    }
    repo = History(root / "seed").commit("initial import", files).commit("feat: core")
    repo.checkout("release-0.2.x", new=True).commit("release 0.2.0", members("0.2.0"))
    repo.tag("v0.2.0").commit("release 0.2.1", members("0.2.1")).tag("v0.2.1")
    repo.checkout("main").commit("bump after 0.2.1", members("0.3.0.dev0"))
    repo.commit("feat: cli")
    return publish(repo.path, root, "main")


PACKAGE_JSON = {"name": "relkit", "version": "0.6.0", "description": "relkit for JavaScript"}


def build_prefixed(root: Path) -> Origin:
    config = 'tag-prefix = "rel-"\npins = []\nnpm-package = "relkit"\n'

    def files(fallback: str) -> dict[str, str]:
        return {
            "pyproject.toml": pyproject("relkit", fallback=fallback, config=config),
            "package.json": json.dumps({**PACKAGE_JSON}, indent=2) + "\n",
        }

    repo = History(root / "seed").commit("initial import", files("0.5.0.dev0"))
    repo.commit("release 0.5.0", files("0.5.0")).tag("rel-0.5.0")
    repo.commit("feat: more", files("0.6.0.dev0"))
    repo.checkout("release-0.6.x", new=True).commit("release 0.6.0", files("0.6.0"))
    repo.tag("rel-0.6.0").checkout("main").commit("bump", files("0.6.1.dev0"))
    repo.commit("feat: after 0.6")
    return publish(repo.path, root, "main")


def build_pytestish(root: Path) -> Origin:
    files = {
        "pyproject.toml": pyproject("pytestish", scm='write_to = "src/_pytestish/_version.py"\n'),
        "src/_pytestish/__init__.py": "",
    }
    repo = History(root / "seed").commit("initial import", files).tag("v7.4.3")
    repo.commit("feat: 9.1 work").checkout("9.1.x", new=True).commit("release 9.1.0")
    repo.tag("9.1.0").commit("release 9.1.1").tag("9.1.1")
    repo.checkout("main").commit("start 9.2").tag("9.2.0.dev0").commit("feat: 9.2 work")
    return publish(repo.path, root, "main")


def build_astropyish(root: Path) -> Origin:
    files = {
        "pyproject.toml": pyproject("astropyish", scm='write_to = "astropyish/_version.py"\n'),
        "astropyish/__init__.py": "",
    }
    repo = History(root / "seed").commit("initial import", files).commit("feat: 7.2 work")
    repo.checkout("v7.2.x", new=True).commit("release 7.2.0").tag("v7.2.0")
    repo.checkout("main").commit("feat: 8.0 work").checkout("v8.0.x", new=True)
    repo.commit("release 8.0.0").tag("v8.0.0").commit("release 8.0.1").tag("v8.0.1")
    repo.checkout("main").commit("start 8.1").tag("v8.1.0.dev").commit("feat: 8.1 work")
    return publish(repo.path, root, "main")
