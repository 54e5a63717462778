"""Assemble one rehearsal's world in a folder, and take it down again.

    with running_world(root, source, repository="acme/widget", default_branch="main") as world:
        ...  # world.origin.bare, world.pypi.url, world.npm.token, world.github.url

What ``root`` holds (``--keep`` leaves it for inspection):

* ``origin.git/``: a bare copy of the source repository: every tag, every local
  branch, and every ``refs/remotes/origin/*`` branch without a local branch of the
  same name (never ``origin/HEAD``); its HEAD names the default branch; the
  protection hooks (GH006 branch globs, GH013 full-ref globs) are installed after
  the copy, so the copy itself is never refused;
* ``work/``: a clone of it (:func:`~.origin.clone_work`), the tree act runs in;
* ``pypi/`` and ``testpypi/`` (pypiserver, files in ``packages/``), ``npm/``
  (verdaccio, packages in ``storage/``);
* the GitHub API runs in this process, over ``origin.git`` (no OpenAPI validator).

The three servers start concurrently, while origin is copied (each waits for its
own port): 1.4-1.5 s instead of 1.7-1.9 s one after the other on the project's
2-core machine. Whatever started is stopped when the block ends, on an error too.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from release_actions.core.errors import ReleaseActionsError

from .github_api.server import GitHubAPIServer
from .npm_registry import NpmRegistry, start_npm_registry
from .origin import (
    PRE_RECEIVE_HOOK,
    RULESET_HOOK,
    Origin,
    clone_work,
    git,
    make_bare,
    protect,
    ruleset,
)
from .pypi_index import PypiIndex, start_pypi_index
from .world import World

__all__ = ["copy_refs", "install_rules", "running_world"]

#: One pre-receive hook running both rule sets when both are configured.
_BOTH_HOOK = """#!/bin/sh
# release-actions: protected branches (GH006) and a ruleset (GH013) together.
input=$(cat)
status=0
printf '%s\\n' "$input" | sh "$(dirname "$0")/ra-protect" || status=1
printf '%s\\n' "$input" | sh "$(dirname "$0")/ra-ruleset" || status=1
exit $status
"""


def copy_refs(source: Path, bare: Path, default_branch: str) -> None:
    """Fetch ``source``'s tags, local branches and remote-only ``origin/*`` branches into
    ``bare`` (see the module docstring) and point its HEAD at ``default_branch``."""
    local = git(source, "for-each-ref", "--format=%(refname)", "refs/heads/").stdout.split()
    remote = git(source, "for-each-ref", "--format=%(refname)", "refs/remotes/origin/").stdout
    have = {name.removeprefix("refs/heads/") for name in local}
    specs = ["+refs/tags/*:refs/tags/*", "+refs/heads/*:refs/heads/*"]
    for ref in remote.split():
        branch = ref.removeprefix("refs/remotes/origin/")
        if branch != "HEAD" and branch not in have:
            specs.append(f"+{ref}:refs/heads/{branch}")
    git(bare, "fetch", "--quiet", "--no-tags", str(source), *specs)
    git(bare, "symbolic-ref", "HEAD", f"refs/heads/{default_branch}")


def install_rules(bare: Path, protected: Sequence[str], rulesets: Sequence[str]) -> None:
    """GH006 protection for branch globs, GH013 rules for full-ref globs (both: one hook
    that runs each)."""
    if protected:
        protect(bare, protected)
    if rulesets:
        ruleset(bare, rulesets)
    if protected and rulesets:
        hooks = bare / "hooks"
        for name, text in (("ra-protect", PRE_RECEIVE_HOOK), ("ra-ruleset", RULESET_HOOK)):
            (hooks / name).write_text(text)
            (hooks / name).chmod(0o755)
        (hooks / "pre-receive").write_text(_BOTH_HOOK)
        (hooks / "pre-receive").chmod(0o755)


def _start_error(exc: BaseException) -> BaseException:
    """A server that would not start, as one error line with its fix (never a traceback)."""
    if not isinstance(exc, (RuntimeError, OSError)):
        return exc
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return ReleaseActionsError(
        f"the rehearsal's world could not start: {first}",
        fix="the first rehearsal installs verdaccio with npm ci (npm must reach its"
        " registry once, or set RA_VERDACCIO_DIR to an installed copy); pypi-server"
        " comes with the rehearse extra; --keep keeps the servers' logs",
        title="Rehearsal world",
    )


def _stop(server: Any) -> None:
    with contextlib.suppress(Exception):
        server.stop()


@contextlib.contextmanager
def running_world(
    root: Path,
    source_repo: Path,
    *,
    repository: str,
    default_branch: str,
    protected: Sequence[str] = (),
    rulesets: Sequence[str] = (),
) -> Iterator[World]:
    """The world of one rehearsal in ``root`` (see the module docstring). The caller
    owns ``root``: it is left in place, the servers are stopped on exit."""
    root.mkdir(parents=True, exist_ok=True)
    started: list[Any] = []
    # The servers die with the thread that started them (PR_SET_PDEATHSIG is per
    # thread): the pool's threads live, idle, until the servers are stopped.
    pool = ThreadPoolExecutor(max_workers=3, thread_name_prefix="world")
    try:
        futures: list[Future[Any]] = [
            pool.submit(start_pypi_index, root / "pypi"),
            pool.submit(start_pypi_index, root / "testpypi"),
            pool.submit(start_npm_registry, root / "npm"),
        ]
        try:
            bare = make_bare(root / "origin.git")
            copy_refs(source_repo, bare, default_branch)
            install_rules(bare, protected, rulesets)
            clone_work(bare.as_uri(), root / "work")
            github = GitHubAPIServer(bare, repository).start()
            started.append(github)
        finally:
            errors: list[BaseException] = []
            for future in futures:
                try:
                    started.append(future.result())
                except BaseException as exc:
                    errors.append(exc)
        if errors:
            raise _start_error(errors[0])
        pypi: PypiIndex = started[1]
        testpypi: PypiIndex = started[2]
        npm: NpmRegistry = started[3]
        yield World(
            root=root,
            origin=Origin(bare=bare, work=root / "work"),
            pypi=pypi,
            testpypi=testpypi,
            npm=npm,
            github=github,
            repository=repository,
            default_branch=default_branch,
        )
    finally:
        for server in started:
            _stop(server)
        pool.shutdown(wait=True, cancel_futures=True)
