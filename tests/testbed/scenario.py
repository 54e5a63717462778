"""A tiny DSL for version scenarios on real git repositories (GitVersion-style).

repo = Scenario(tmp_path)
repo.commit("init", fallback="0.7.2.dev0")
repo.tag("v0.7.1-dev")
repo.branch("release-0.7.x")
repo.commit("prepare").tag("v0.7.0")
repo.checkout("main")
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.com",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.com",
    "GIT_AUTHOR_DATE": "2026-01-01T00:00:00Z",
    "GIT_COMMITTER_DATE": "2026-01-01T00:00:00Z",
    "GIT_CONFIG_GLOBAL": "/dev/null",
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git(cwd: Path, *args: str) -> str:
    env = {**os.environ, **GIT_ENV}
    proc = subprocess.run(
        ["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed: {proc.stderr}")
    return proc.stdout.strip()


PYPROJECT = """[project]
name = "demo"
dynamic = ["version"]

[tool.setuptools_scm]
fallback_version = "{fallback}"
"""


# The npm side of the Llama Stack set-up (release-actions' defaults are neutral): for
# scenarios whose assertions are about the npm package and its dist-tag.
NPM_CLIENT = '\n[tool.release-actions]\nnpm-package = "llama-stack-client"\n'


class Scenario:
    """``branch``: the first branch (``main``); ``config``: TOML appended to every
    pyproject.toml the scenario writes (e.g. :data:`NPM_CLIENT`)."""

    def __init__(
        self,
        path: Path,
        fallback: str | None = "0.1.0.dev0",
        *,
        branch: str = "main",
        config: str = "",
    ) -> None:
        self.path = path
        self.count = 0
        self.config = config
        self.first_branch = branch
        path.mkdir(parents=True, exist_ok=True)
        git(path, "init", "-q", "-b", branch)
        if fallback is not None:
            (path / "pyproject.toml").write_text(PYPROJECT.format(fallback=fallback) + config)
        else:
            (path / "pyproject.toml").write_text('[project]\nname = "demo"\n' + config)

    def commit(self, message: str = "", fallback: str | None = None) -> Scenario:
        self.count += 1
        if fallback is not None:
            text = PYPROJECT.format(fallback=fallback) + self.config
            (self.path / "pyproject.toml").write_text(text)
        (self.path / "file.txt").write_text(f"{self.count}\n")
        git(self.path, "add", "-A")
        git(self.path, "commit", "-q", "-m", message or f"commit {self.count}")
        return self

    def tag(self, name: str, annotated: bool = False) -> Scenario:
        if annotated:
            git(self.path, "tag", "-a", name, "-m", name)
        else:
            git(self.path, "tag", name)
        return self

    def branch(self, name: str) -> Scenario:
        git(self.path, "checkout", "-q", "-b", name)
        return self

    def checkout(self, name: str) -> Scenario:
        git(self.path, "checkout", "-q", name)
        return self

    def merge(self, name: str) -> Scenario:
        git(self.path, "merge", "-q", "--no-ff", "-m", f"merge {name}", name)
        return self

    def head(self) -> str:
        return git(self.path, "rev-parse", "HEAD")

    def add_bare_origin(self, bare: Path) -> Path:
        git(self.path.parent, "init", "-q", "--bare", "-b", self.first_branch, str(bare))
        git(bare, "config", "uploadpack.allowFilter", "true")
        git(bare, "config", "uploadpack.allowAnySHA1InWant", "true")
        git(self.path, "remote", "add", "origin", str(bare))
        git(self.path, "push", "-q", "origin", "--all")
        git(self.path, "push", "-q", "origin", "--tags")
        return bare
