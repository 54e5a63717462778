"""What each automated release step would do right now: dry runs in a scratch snapshot.

:func:`snapshot` makes a temporary bare repository holding origin's branches
and ``v*`` tags; the ``probe_*`` functions run prepare-release
(:func:`release_actions.steps.prepare.prepare_release`), compute-version
(:func:`release_actions.steps.compute.compute`) and post-release
(:func:`release_actions.steps.post.release.post_release`) in it with ``dry_run``, and report
what they would do, or the error they would stop on, as plain data for the
plan. Nothing is written to the repository or to origin.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from release_actions.adapters import git
from release_actions.adapters.delivery import Identity
from release_actions.core.config import Config
from release_actions.core.errors import ReleaseActionsError
from release_actions.core.versions import ReleaseBranch, ReleaseTag, Version
from release_actions.steps.compute import Request, compute
from release_actions.steps.post.release import PostRequest, post_release
from release_actions.steps.prepare import PrepareRequest, prepare_release

__all__ = [
    "commits_between",
    "diff_summary",
    "probe_post",
    "probe_prepare",
    "probe_publish",
    "snapshot",
]


def _objects_dir(repo: Path) -> Path | None:
    """The repository's object store, if another repository may borrow from it."""
    code, common, _ = git.try_run(repo, "rev-parse", "--path-format=absolute", "--git-common-dir")
    if code != 0:
        raise ReleaseActionsError(
            f"{repo} is not a git repository", fix="pass --repo with a clone of the project"
        )
    shallow = git.try_run(repo, "rev-parse", "--is-shallow-repository")[1] == "true"
    partial = git.try_run(repo, "config", "--get", "remote.origin.promisor")[1] == "true"
    return None if shallow or partial else Path(common) / "objects"


@contextlib.contextmanager
def snapshot(repo: Path, branches: tuple[str, ...]) -> Iterator[tuple[Path, dict[str, str]]]:
    """A scratch bare repository with origin's ``branches`` (those that exist) and ``v*`` tags.

    Yields (path, {ref: sha}). Reads origin (``ls-remote``, ``fetch``) and never
    writes to it or to ``repo``; a repository without ``origin`` is its own source.
    """
    if git.has_remote(repo):
        source = git.run(repo, "remote", "get-url", "origin")
        auth = git.remote_env(repo)
    else:
        source, auth = str(repo.resolve()), {}
    objects = _objects_dir(repo)
    wanted = [f"refs/heads/{b}" for b in branches]
    code, out, err = git.try_run(repo, "ls-remote", source, *wanted, extra_env=auth)
    if code != 0:
        raise ReleaseActionsError(
            f"cannot read the branches of {source}: {err}",
            fix="check the remote URL and that the token (RA_TOKEN) may read the repository",
        )
    heads = {ref: sha for sha, ref in (line.split("\t") for line in git.lines(out))}
    tmp = Path(tempfile.mkdtemp(prefix="release-actions-plan-"))
    path = tmp / "snapshot.git"
    try:
        git.run(tmp, "init", "--quiet", "--bare", str(path))
        if objects is not None:
            (path / "objects" / "info" / "alternates").write_text(f"{objects}\n")
        # every tag: the repository's conventions may use another prefix than "v"
        specs = [f"+{ref}:{ref}" for ref in sorted(heads)] + ["+refs/tags/*:refs/tags/*"]
        code, _, err = git.try_run(
            path, "fetch", "--quiet", "--no-write-fetch-head", source, *specs, extra_env=auth
        )
        if code != 0:
            raise ReleaseActionsError(
                f"cannot fetch {', '.join(sorted(heads))} and the tags from {source}: {err}",
                fix="check the remote URL and that the token (RA_TOKEN) may read the repository",
            )
        yield path, heads
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def commits_between(snap: Path, since: str, head: str) -> int | None:
    """``git rev-list --count since..head``, or None when git cannot tell."""
    code, out, _ = git.try_run(snap, "rev-list", "--count", f"{since}..{head}")
    return int(out) if code == 0 else None


def diff_summary(diff: str) -> list[str]:
    """``path: +N -M`` per file, and every changed ``fallback_version`` line."""
    files: dict[str, list[int]] = {}
    current = ""
    fallbacks: list[str] = []
    for line in diff.splitlines():
        if line.startswith("+++ "):
            current = line[4:].removeprefix("b/")
            files.setdefault(current, [0, 0])
        elif line.startswith("--- "):
            continue
        elif line.startswith("+") and current:
            files[current][0] += 1
            if line[1:].startswith("fallback_version"):
                fallbacks.append(f"{current}: {line[1:].strip()}")
        elif line.startswith("-") and current:
            files[current][1] += 1
    return [f"{name}: +{a} -{d}" for name, (a, d) in files.items()] + fallbacks


def _try(what: str, run: Callable[[], Any]) -> tuple[Any, str]:
    try:
        return run(), ""
    except ReleaseActionsError as err:
        return None, f"{what} would fail: {err}"


def probe_prepare(
    snap: Path, version: Version, config: Config, identity: Identity, index_url: str, lock: str
) -> dict[str, Any]:
    """prepare-release's dry run: the commit it would make on the release branch."""
    request = PrepareRequest(
        version=str(version), dry_run=True, lock_policy=lock, index_url=index_url
    )
    result, error = _try(
        "prepare-release", lambda: prepare_release(snap, request, config, identity=identity)
    )
    if result is None:
        return {"error": error}
    write = result.write
    return {
        "status": write.status,
        "created_branch": write.created_branch,
        "base_sha": write.base_sha,
        "changed_files": list(write.changed_files),
        "pin_changes": list(result.pin_changes),
        "notes": list(result.notes),
        "lock": result.lock,
        "diff_summary": diff_summary(write.diff),
        "diff": write.diff,
        "error": "",
    }


def probe_publish(snap: Path, tag: ReleaseTag, config: Config) -> dict[str, Any]:
    """compute-version's plan for ``release: published`` of ``tag``."""
    # released from its line's branch, as the process has it (a hotfix must be)
    branch = ReleaseBranch.for_version(tag.version).name
    event = Request("release", tag=tag.name, prerelease=tag.is_prerelease, branch=branch)
    publish, error = _try(
        "compute-version",
        lambda: compute(event, repo=snap, config=config, fetch=False),
    )
    return publish.as_dict() if publish is not None else {"error": error}


def probe_post(
    snap: Path, tag: ReleaseTag, branch: ReleaseBranch, config: Config, identity: Identity
) -> dict[str, Any]:
    """post-release's dry run, once the snapshot has the tag (and the branch) it needs."""
    default = f"refs/heads/{config.default_branch}"
    branch_ref = f"refs/heads/{branch.name}"
    start = (
        git.try_run(snap, "rev-parse", "--verify", "--quiet", branch_ref)[1]
        or (git.try_run(snap, "rev-parse", "--verify", "--quiet", default)[1])
    )
    if not start:
        return {"error": f"post-release cannot be planned: {config.default_branch} not found"}
    git.run(snap, "update-ref", branch_ref, start)  # as prepare-release leaves it (new line)
    git.run(snap, "update-ref", f"refs/tags/{tag.name}", start)  # as publishing leaves it
    request = PostRequest(tag=tag.name, dry_run=True)
    result, error = _try(
        "post-release", lambda: post_release(snap, request, config, identity=identity)
    )
    if result is None:
        return {"error": error}
    return {
        "next_dev_version": result.next_dev,
        "dev_tag": result.conventions.dev_tag_name(result.next_dev) if result.next_dev else "",
        "steps": {
            name: {"status": step.status, "detail": step.detail, "text": step.as_text()}
            for name, step in result.steps.items()
        },
        "error": "",
    }
