"""A miniature Llama Stack monorepo with a realistic release history, built in seconds.

The files come from ``tests/fixtures/monorepo`` (root ``llama-stack`` project,
``src/llama_stack_api`` project, ``src/llama_stack_ui`` npm app, ``uv.lock`` and
``package-lock.json``). :func:`build_monorepo` turns them into a git repository
by replaying a :data:`DEFAULT_HISTORY` of commits, branches and lightweight tags
with fixed dates, so commit ids are the same on every run:

main         : initial import ... v0.6.1-dev ... v0.6.2-dev ... v0.7.2-dev, bump to 0.7.2.dev0
release-0.6.x: v0.6.0rc1, v0.6.0, v0.6.1   ("chore: prepare release vX.Y.Z" commits)
release-0.7.x: v0.7.0, v0.7.1

At the tip of ``main`` every fixture file is byte-for-byte the committed one.
Release commits pin the client ``==X.Y.Z`` and set ``fallback_version`` to the
release, as Llama Stack's prepare-release workflow does; main's bump commits set
``fallback_version = "X.Y.(Z+1).dev0"`` and the pin ``>=X.Y.Z``. ``uv.lock`` and
``package-lock.json`` are the same in every commit (as in Llama Stack, where
release tags carry a lock that disagrees with the pin).

``uv.lock`` and the index URL: the committed lock was made against a pypiserver
on the fixed address :data:`FIXTURE_INDEX_URL` serving the fake client 0.7.1
(regenerate with ``python -m tests.testbed.monorepo regenerate-locks``). Tests
pass their own server's URL as ``build_monorepo(..., index_url=...)``: the lock
is then rewritten to that URL and re-locked with ``uv lock --default-index`` (no
build needed: uv reads the projects' static metadata) before the history is
replayed, so every commit's lock points at the test's index. The fake client's
archives are byte-for-byte reproducible, so their hashes match the committed
lock (``tests/test_testbed_registries.py`` checks this). The npm lockfile has no
``resolved`` URLs (``omit-lockfile-registry-resolved``), so no port is in it.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from release_actions.rehearsal.world.origin import git as world_git
from release_actions.rehearsal.world.origin import refs

TESTS = Path(__file__).resolve().parent.parent
FIXTURE = TESTS / "fixtures" / "monorepo"
CLIENT = "llama-stack-client"
FIXTURE_INDEX_PORT = 36541
FIXTURE_INDEX_ORIGIN = f"http://127.0.0.1:{FIXTURE_INDEX_PORT}/"
FIXTURE_INDEX_URL = FIXTURE_INDEX_ORIGIN + "simple/"
ROOT_PYPROJECT = "pyproject.toml"
API_PYPROJECT = "src/llama_stack_api/pyproject.toml"
UI_DIR = "src/llama_stack_ui"

DEV = "Llama Dev <dev@llama-stack.test>"
BOT = "github-actions[bot] <41898282+github-actions[bot]@users.noreply.github.com>"
EPOCH = 1767603600  # 2026-01-05T09:00:00Z: first commit; each next commit is a day later
STEP_SECONDS = 86400

_FALLBACK_RE = re.compile(r'^(fallback_version = )"[^"]*"', re.M)
_PIN_RE = re.compile(rf'"{CLIENT}[<>=!~][^"]*"')


# --------------------------------------------------------------------------- history DSL


@dataclass(frozen=True)
class Commit:
    """A commit on ``branch``; rewrites the release-relevant lines when asked.

    ``fallback_version`` is written into ``[tool.setuptools_scm]`` of both
    pyproject files, ``client_pin`` (e.g. ``">=0.7.1"``) into both client
    requirements of the root pyproject; ``files`` are written as given (path
    relative to the repository -> text).
    """

    message: str
    branch: str = "main"
    fallback_version: str | None = None
    client_pin: str | None = None
    files: Mapping[str, str] = field(default_factory=dict)
    author: str = DEV


@dataclass(frozen=True)
class Branch:
    """``git branch NAME START``."""

    name: str
    start: str = "main"


@dataclass(frozen=True)
class Tag:
    """A lightweight tag on the tip of ``ref`` (as Llama Stack's tags are)."""

    name: str
    ref: str = "main"


Step = Commit | Branch | Tag


def change(message: str, number: int, branch: str = "main", *, backport_of: int = 0) -> Commit:
    """An ordinary PR merge: adds a changelog fragment (``docs/changelog.d/N.md``)."""
    title = f"{message} (#{backport_of}) (#{number})" if backport_of else f"{message} (#{number})"
    return Commit(title, branch, files={f"docs/changelog.d/{number}.md": f"{message}\n"})


def prepare_release(version: str, branch: str) -> Commit:
    """What Llama Stack's prepare-release workflow commits on the release branch."""
    return Commit(
        f"chore: prepare release v{version}",
        branch,
        fallback_version=version,
        client_pin=f"=={version}",
        author=BOT,
    )


def bump_main(released: str, next_dev: str) -> Commit:
    """What post-release commits on main after ``released`` (fallback and pin)."""
    return Commit(
        f"chore: bump fallback_version to {next_dev} after {released} release",
        "main",
        fallback_version=next_dev,
        client_pin=f">={released}",
        author=BOT,
    )


DEFAULT_HISTORY: tuple[Step, ...] = (
    Commit(
        "feat: initial import of the Llama Stack server (#1)",
        fallback_version="0.6.0.dev0",
        client_pin=">=0.5.0",
    ),
    change("feat: add the inference API", 12),
    change("fix: stream responses without buffering", 15),
    Branch("release-0.6.x"),
    change("fix: handle empty tool calls", 22, "release-0.6.x", backport_of=21),
    Tag("v0.6.0rc1", "release-0.6.x"),
    prepare_release("0.6.0", "release-0.6.x"),
    Tag("v0.6.0", "release-0.6.x"),
    change("feat: add the vector store API", 25),
    Tag("v0.6.1-dev", "main"),
    bump_main("0.6.0", "0.6.1.dev0"),
    change("fix: retry on HTTP 429", 31, "release-0.6.x", backport_of=30),
    prepare_release("0.6.1", "release-0.6.x"),
    Tag("v0.6.1", "release-0.6.x"),
    Tag("v0.6.2-dev", "main"),
    bump_main("0.6.1", "0.6.2.dev0"),
    change("feat: add the responses API", 40),
    change("feat!: drop the legacy agents API", 44),
    Branch("release-0.7.x"),
    prepare_release("0.7.0", "release-0.7.x"),
    Tag("v0.7.0", "release-0.7.x"),
    change("feat: add batches", 50),
    change("fix: close sessions on shutdown", 53, "release-0.7.x", backport_of=52),
    prepare_release("0.7.1", "release-0.7.x"),
    Tag("v0.7.1", "release-0.7.x"),
    change("docs: describe the release process", 55),
    Tag("v0.7.2-dev", "main"),
    bump_main("0.7.1", "0.7.2.dev0"),
)
"""The history described in the module docstring."""

EXPECTED_TAGS: tuple[str, ...] = (
    "v0.6.0rc1",
    "v0.6.0",
    "v0.6.1-dev",
    "v0.6.1",
    "v0.6.2-dev",
    "v0.7.0",
    "v0.7.1",
    "v0.7.2-dev",
)
EXPECTED_BRANCHES = ("main", "release-0.6.x", "release-0.7.x")


# --------------------------------------------------------------------------- git


def git_env(when: int | None = None, author: str = DEV) -> dict[str, str]:
    """An environment for reproducible git: no user/system config, fixed identity/dates."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1", LC_ALL="C")
    name, _, email = author.partition(" <")
    env.update(
        GIT_AUTHOR_NAME=name,
        GIT_AUTHOR_EMAIL=email.rstrip(">"),
        GIT_COMMITTER_NAME=name,
        GIT_COMMITTER_EMAIL=email.rstrip(">"),
    )
    if when is not None:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = f"@{when} +0000"
    return env


def git(
    repo: Path, *args: str, env: Mapping[str, str] | None = None, check: bool = True
) -> subprocess.CompletedProcess[str]:
    """Run git in ``repo`` (with :func:`git_env`'s fixed identity unless ``env`` is given);
    on failure raise with git's output."""
    return world_git(repo, *args, env=env if env is not None else git_env(), check=check)


# --------------------------------------------------------------------------- files


def fixture_files(index_url: str | None = None) -> dict[str, str]:
    """The fixture tree as ``{relative path: text}``; with ``index_url``, ``uv.lock``
    re-locked against that index (see the module docstring)."""
    files = {
        p.relative_to(FIXTURE).as_posix(): p.read_text()
        for p in sorted(FIXTURE.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }
    if index_url is not None:
        files["uv.lock"] = relock(files, index_url)
    return files


def relock(files: Mapping[str, str], index_url: str) -> str:
    """``uv.lock`` of the fixture re-locked against ``index_url`` (which must serve
    the client version the lock names)."""
    with tempfile.TemporaryDirectory(prefix="monorepo-lock-") as tmp:
        root = Path(tmp)
        _write_files(root, files)
        lock = root / "uv.lock"
        origin = re.match(r"^[a-z]+://[^/]+/", index_url)
        text = lock.read_text().replace(FIXTURE_INDEX_URL, index_url)
        if origin:
            text = text.replace(FIXTURE_INDEX_ORIGIN, origin[0])
        lock.write_text(text)
        uv_lock(root, index_url)
        return lock.read_text()


def uv_env(index_url: str, *, build_python: str | None = None) -> dict[str, str]:
    """Environment for uv commands (``uv lock``, ``uv sync``) run against a test index.

    The index is the only one (``UV_DEFAULT_INDEX``); builds, when uv needs one
    (e.g. after a pin change, to read the dynamic-version projects' metadata),
    happen without isolation in ``build_python`` (default: this interpreter),
    which needs ``setuptools>=70.1`` (or ``wheel``) and ``setuptools-scm``.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("UV_")}
    env.update(
        UV_DEFAULT_INDEX=index_url,
        UV_NO_BUILD_ISOLATION="1",
        UV_PYTHON=build_python or sys.executable,
        UV_NO_CONFIG="1",
        UV_NO_PROGRESS="1",
        UV_PYTHON_DOWNLOADS="never",
    )
    return env


def uv_vars(index_url: str) -> dict[str, str]:
    """Only the ``UV_*`` variables of :func:`uv_env`: what a test sets (or hands to a
    step under act) so that uv resolves against the test index."""
    return {k: v for k, v in uv_env(index_url).items() if k.startswith("UV_")}


def uv_executable() -> str:
    candidate = Path(sys.executable).parent / "uv"
    return str(candidate) if candidate.exists() else (shutil.which("uv") or "uv")


def uv_lock(
    project: Path, index_url: str, *args: str, build_python: str | None = None
) -> subprocess.CompletedProcess[str]:
    """``uv lock ARGS`` in ``project`` against ``index_url`` only (see :func:`uv_env`)."""
    argv = [uv_executable(), "lock", *args]
    proc = subprocess.run(
        argv,
        cwd=project,
        env=uv_env(index_url, build_python=build_python),
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        hint = ""
        if "bdist_wheel" in proc.stderr or "setuptools" in proc.stderr:
            python = build_python or sys.executable
            hint = (
                f"\nhint: uv had to build the projects' metadata in {python}"
                " without isolation; that environment needs setuptools>=70.1 (or wheel) and"
                " setuptools-scm."
            )
        raise RuntimeError(f"{' '.join(argv)} failed in {project}:\n{proc.stderr}{hint}")
    return proc


def _write_files(root: Path, files: Mapping[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def _rewrite(root: Path, commit: Commit) -> None:
    if commit.fallback_version is not None:
        for rel in (ROOT_PYPROJECT, API_PYPROJECT):
            path = root / rel
            text, count = _FALLBACK_RE.subn(rf'\g<1>"{commit.fallback_version}"', path.read_text())
            assert count == 1, f"{rel}: expected one fallback_version line, found {count}"
            path.write_text(text)
    if commit.client_pin is not None:
        path = root / ROOT_PYPROJECT
        text, count = _PIN_RE.subn(f'"{CLIENT}{commit.client_pin}"', path.read_text())
        assert count == 2, f"{ROOT_PYPROJECT}: expected two client pins, found {count}"
        path.write_text(text)
    _write_files(root, commit.files)


# --------------------------------------------------------------------------- builder


@dataclass(frozen=True)
class Monorepo:
    path: Path
    branches: dict[str, str]  # name -> commit id
    tags: dict[str, str]  # name -> commit id


def build_monorepo(
    dest: Path,
    *,
    history: Sequence[Step] = DEFAULT_HISTORY,
    index_url: str | None = None,
    files: Mapping[str, str] | None = None,
) -> Monorepo:
    """Create a git repository at ``dest`` from the fixture files and ``history``.

    ``history`` must start with a :class:`Commit` on ``main`` (it commits the
    whole tree). ``index_url`` re-locks ``uv.lock`` against a test index first;
    ``files`` replaces the fixture tree. ``main`` is checked out at the end and
    the repository has a local identity for further commits.
    """
    if not history or not isinstance(history[0], Commit) or history[0].branch != "main":
        raise ValueError("history must start with a Commit on main")
    tree = dict(files) if files is not None else fixture_files(index_url)
    dest.mkdir(parents=True, exist_ok=True)
    if any(dest.iterdir()):
        raise ValueError(f"{dest} is not empty")
    env = git_env()
    git(dest, "init", "--quiet", "--initial-branch=main", env=env)
    for key, value in (
        ("user.name", "Llama Dev"),
        ("user.email", "dev@llama-stack.test"),
        ("commit.gpgsign", "false"),
        ("tag.gpgsign", "false"),
        ("core.autocrlf", "false"),
    ):
        git(dest, "config", key, value, env=env)
    _write_files(dest, tree)

    current = "main"
    commits = 0
    for step in history:
        if isinstance(step, Commit):
            if step.branch != current:
                git(dest, "checkout", "--quiet", step.branch, env=env)
                current = step.branch
            _rewrite(dest, step)
            git(dest, "add", "--all", env=env)
            when = EPOCH + commits * STEP_SECONDS
            git(dest, "commit", "--quiet", "-m", step.message, env=git_env(when, step.author))
            commits += 1
        elif isinstance(step, Branch):
            git(dest, "branch", step.name, step.start, env=env)
        else:
            git(dest, "tag", step.name, step.ref, env=env)
    if current != "main":
        git(dest, "checkout", "--quiet", "main", env=env)
    return Monorepo(dest, refs(dest, "refs/heads/"), refs(dest, "refs/tags/"))


# --------------------------------------------------------------------------- lock regeneration


def regenerate_fixture_locks(*, build_python: str | None = None, fresh: bool = False) -> None:
    """Rewrite ``uv.lock`` and ``src/llama_stack_ui/package-lock.json`` of the fixture.

    Starts pypiserver on :data:`FIXTURE_INDEX_URL` and a verdaccio, publishes the
    fake clients at 0.7.1, and locks against them. ``fresh`` drops the old
    ``uv.lock`` first; uv then builds the projects' metadata in
    ``build_python``, which needs setuptools>=70.1 and setuptools-scm.
    """
    from . import registries

    with tempfile.TemporaryDirectory(prefix="regenerate-locks-") as tmp:
        work = Path(tmp)
        with registries.running_pypi_index(work / "pypi", port=FIXTURE_INDEX_PORT) as index:
            registries.publish_python_client(index, "0.7.1")
            project = work / "project"
            _write_files(project, fixture_files())
            if fresh:
                (project / "uv.lock").unlink(missing_ok=True)
            uv_lock(project, FIXTURE_INDEX_URL, build_python=build_python)
            shutil.copyfile(project / "uv.lock", FIXTURE / "uv.lock")
        with registries.running_npm_registry(work / "npm") as registry:
            registries.publish_npm_client(registry, "0.7.1")
            ui = work / "ui"
            ui.mkdir()
            shutil.copyfile(FIXTURE / UI_DIR / "package.json", ui / "package.json")
            registry.npm("install", "--package-lock-only", "--ignore-scripts", cwd=ui)
            shutil.copyfile(ui / "package-lock.json", FIXTURE / UI_DIR / "package-lock.json")
    print(f"wrote {FIXTURE / 'uv.lock'} and {FIXTURE / UI_DIR / 'package-lock.json'}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.testbed.monorepo")
    sub = parser.add_subparsers(dest="command", required=True)
    regen = sub.add_parser("regenerate-locks", help="re-lock the fixture against local registries")
    regen.add_argument("--build-python", help="interpreter with setuptools>=70.1, setuptools-scm")
    regen.add_argument("--fresh", action="store_true", help="lock from scratch")
    build = sub.add_parser("build", help="build the monorepo into DEST (to look at it)")
    build.add_argument("dest", type=Path)
    args = parser.parse_args(argv)
    if args.command == "regenerate-locks":
        regenerate_fixture_locks(build_python=args.build_python, fresh=args.fresh)
    else:
        repo = build_monorepo(args.dest)
        print(f"built {repo.path}: branches {sorted(repo.branches)}, tags {sorted(repo.tags)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
