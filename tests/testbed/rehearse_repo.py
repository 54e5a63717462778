"""Small repositories for ``release-actions rehearse`` tests, and how to run the command.

``make_repo`` writes a git repository with the given files, commits them on
``main`` and adds tags and branches; ``SINGLE_PACKAGE`` is a single-package
project (setuptools-scm, one module, ``write-mode = "auto"``) whose
``.github/workflows/release.yml`` calls our reusable release workflow as a
consumer does. ``rehearse`` runs ``python -m release_actions rehearse`` in a
subprocess with its own ``TMPDIR`` (where the world's folder is made), and
``processes_mentioning`` finds processes whose command line or environment name a
path (servers and steps left behind).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PYPROJECT = """\
[build-system]
requires = ["setuptools>=64", "setuptools-scm>=8"]
build-backend = "setuptools.build_meta"

[project]
name = "rehearsal-demo"
dynamic = ["version"]
requires-python = ">=3.10"

[tool.setuptools_scm]
fallback_version = "0.1.0"

[tool.release-actions]
write-mode = "auto"
"""

RELEASE_WORKFLOW = """\
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
      pull-requests: write
      id-token: write
    with:
      packages: local
      post-release: ${{ vars.RELEASE_POST_RELEASE == 'true' }}
      pypi-index-url: ${{ vars.PYPI_INDEX_URL }}
      pypi-repository-url: ${{ vars.PYPI_REPOSITORY_URL }}
      testpypi-index-url: ${{ vars.TESTPYPI_INDEX_URL }}
      testpypi-repository-url: ${{ vars.TESTPYPI_REPOSITORY_URL }}
      npm-registry: ${{ vars.NPM_REGISTRY }}
      wait-attempts: ${{ vars.RELEASE_WAIT_ATTEMPTS || '30' }}
      wait-seconds: ${{ vars.RELEASE_WAIT_SECONDS || '10' }}
    secrets:
      npm_token: ${{ secrets.NPM_TOKEN }}
      token: ${{ secrets.RELEASE_TOKEN }}
"""

SINGLE_PACKAGE = {
    "pyproject.toml": PYPROJECT,
    "src/rehearsal_demo/__init__.py": '"""A package to rehearse releases with."""\n',
    ".github/workflows/release.yml": RELEASE_WORKFLOW,
}


def git(repo: Path, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_CONFIG_NOSYSTEM="1",
        GIT_AUTHOR_NAME="Dev",
        GIT_AUTHOR_EMAIL="dev@example.test",
        GIT_COMMITTER_NAME="Dev",
        GIT_COMMITTER_EMAIL="dev@example.test",
    )
    return subprocess.run(
        ["git", "-C", str(repo), *args], check=True, capture_output=True, text=True, env=env
    ).stdout.strip()


def make_repo(
    path: Path,
    files: Mapping[str, str],
    *,
    tags: Sequence[str] = (),
    branches: Sequence[str] = (),
) -> Path:
    """A repository with ``files`` committed on main, then ``tags`` and ``branches`` there."""
    path.mkdir(parents=True)
    git(path, "init", "--quiet", "--initial-branch=main")
    for rel, text in files.items():
        (path / rel).parent.mkdir(parents=True, exist_ok=True)
        (path / rel).write_text(text)
    git(path, "add", "--all")
    git(path, "commit", "--quiet", "-m", "initial")
    for tag in tags:
        git(path, "tag", tag)
    for branch in branches:
        git(path, "branch", branch)
    return path


def workflow(on: str, steps: str, *, job: str = "main", extra_jobs: str = "") -> str:
    """A one-job workflow: ``on`` (YAML), the job's ``steps`` (YAML, indented 6)."""
    return (
        f"name: test\non:\n{on}\npermissions: {{}}\njobs:\n  {job}:\n"
        f"    runs-on: ubuntu-latest\n    steps:\n{steps}{extra_jobs}"
    )


def rehearse(
    args: Sequence[str], tmp: Path, *, timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    """``python -m release_actions rehearse ARGS`` with ``TMPDIR=tmp``."""
    return subprocess.run(
        [sys.executable, "-m", "release_actions", "rehearse", *args],
        capture_output=True,
        text=True,
        env=rehearse_env(tmp),
        timeout=timeout,
        check=False,
    )


def rehearse_env(tmp: Path) -> dict[str, str]:
    tmp.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RA_", "GITHUB_"))}
    env["PYTHONPATH"] = str(ROOT / "action-lib")
    env["TMPDIR"] = str(tmp)
    return env


def processes_mentioning(text: str) -> dict[int, bytes]:
    """Processes (not this one) whose command line or environment contains ``text``:
    pid -> command line (NUL-separated), read once (a process may end meanwhile)."""
    found = {}
    needle = text.encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
            environ = (entry / "environ").read_bytes()
        except OSError:  # it ended
            continue
        if needle in cmdline + environ:
            found[int(entry.name)] = cmdline
    return found
