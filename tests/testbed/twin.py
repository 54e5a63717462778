"""``twin``: a uv workspace of two members under ``packages/``, versioned from the repository root.

The root ``pyproject.toml`` holds the workspace and the configuration but no
``[tool.setuptools_scm]`` (and so no ``fallback_version``); each member has
``[tool.setuptools_scm] root = "../.."``. ``uv.lock`` locks the members as uv
writes a workspace with dynamic versions: editable, without a version.

History (built with :class:`~tests.testbed.scenario.Scenario`'s git helper):

main         : init (members without fallback_version) = v0.1.0, then
               "develop 0.2.0" (members' fallback_version = "0.2.0.dev0")
release-0.1.x: branched at v0.1.0
"""

from __future__ import annotations

from pathlib import Path

from tests.testbed.scenario import git

CORE = "packages/twin-core/pyproject.toml"
CLI = "packages/twin-cli/pyproject.toml"

ROOT_PYPROJECT = """[tool.uv.workspace]
members = ["packages/*"]

[tool.release-actions]
pins = ["twin-core"]
npm-package = ""
"""

MEMBER = """[build-system]
requires = ["setuptools>=64", "setuptools-scm>=8"]
build-backend = "setuptools.build_meta"

[project]
name = "{name}"
dynamic = ["version"]
requires-python = ">=3.10"
dependencies = [{deps}]
{sources}
[tool.setuptools_scm]
root = "../.."  # versioned from the repository's tags
{fallback}"""

UV_LOCK = """version = 1
revision = 3
requires-python = ">=3.10"

[manifest]
members = [
    "twin-cli",
    "twin-core",
]

[[package]]
name = "twin-cli"
source = { editable = "packages/twin-cli" }
dependencies = [
    { name = "twin-core" },
]

[package.metadata]
requires-dist = [{ name = "twin-core", editable = "packages/twin-core" }]

[[package]]
name = "twin-core"
source = { editable = "packages/twin-core" }
"""


def member(name: str, fallback: str | None) -> str:
    cli = name == "twin-cli"
    return MEMBER.format(
        name=name,
        deps='"twin-core>=0.1"' if cli else "",
        sources="\n[tool.uv.sources]\ntwin-core = { workspace = true }\n" if cli else "",
        fallback=f'fallback_version = "{fallback}"\n' if fallback else "",
    )


def write_members(repo: Path, fallback: str | None, core: str | None = None) -> None:
    for name, rel, value in (("twin-core", CORE, core or fallback), ("twin-cli", CLI, fallback)):
        path = repo / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(member(name, value))


def commit_all(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


def build_twin(repo: Path, *, origin: Path | None = None) -> Path:
    """The ``twin`` repository at ``repo`` (on main); with ``origin``, a bare origin too."""
    repo.mkdir(parents=True, exist_ok=True)
    git(repo, "init", "-q", "-b", "main")
    (repo / "pyproject.toml").write_text(ROOT_PYPROJECT)
    (repo / "uv.lock").write_text(UV_LOCK)
    for name in ("twin-core", "twin-cli"):
        package = repo / "packages" / name / "src" / name.replace("-", "_")
        package.mkdir(parents=True)
        (package / "__init__.py").write_text("")
    write_members(repo, None)
    commit_all(repo, "init")
    git(repo, "tag", "v0.1.0")
    git(repo, "branch", "release-0.1.x")
    write_members(repo, "0.2.0.dev0")
    commit_all(repo, "develop 0.2.0")
    if origin is not None:
        git(repo.parent, "init", "-q", "--bare", "-b", "main", str(origin))
        git(repo, "remote", "add", "origin", str(origin))
        git(repo, "push", "-q", "origin", "--all")
        git(repo, "push", "-q", "origin", "--tags")
        git(repo, "fetch", "-q", "origin")
    return repo
