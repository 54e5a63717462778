"""act stub for actions/checkout: fetch from a local git repository.

The source of OWNER/NAME is ``$ACT_STUB_CHECKOUT_ROOT/OWNER/NAME`` (a work tree
or a bare repository); for the repository under test with no such source, the
work tree act was run on (``$ACT_STUB_WORKDIR``). Like actions/checkout it
fetches one ref (``--depth``, ``--no-tags``) unless ``fetch-depth`` is 0, and
checks a branch out as a local branch, a tag or SHA detached.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path


def fail(message: str) -> None:
    print(f"::error title=act stub actions/checkout::{message}", flush=True)
    sys.exit(1)


def git(*args: str, cwd: Path, check: bool = True) -> str:
    proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    if check and proc.returncode != 0:
        fail(f"git {' '.join(args)} failed in {cwd}: {proc.stderr.strip()}")
    return proc.stdout.strip() if proc.returncode == 0 else ""


def clone(source: Path, dest: Path, ref: str, depth: int, tags: bool) -> str:
    dest.mkdir(parents=True, exist_ok=True)
    for child in dest.iterdir():  # dest may be the workspace, the step's cwd: keep the folder
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()
    git("init", "-q", cwd=dest)
    git("remote", "add", "origin", source.as_uri(), cwd=dest)
    if not ref:
        ref = git("symbolic-ref", "-q", "--short", "HEAD", cwd=source, check=False)
        if not ref:
            fail(f"{source} has no branch checked out: pass `ref:`")
    branches = git("for-each-ref", "--format=%(refname:strip=2)", "refs/heads", cwd=source)
    is_branch = ref in branches.splitlines()
    is_tag = not is_branch and bool(git("tag", "-l", ref, cwd=source))
    fetch = ["-c", "uploadpack.allowAnySHA1InWant=true", "fetch", "-q"]
    fetch += ["--tags"] if tags else ["--no-tags"]
    specs = ["+refs/heads/*:refs/remotes/origin/*"] if depth == 0 else [f"--depth={depth}"]
    if is_branch:
        specs.append(f"+refs/heads/{ref}:refs/remotes/origin/{ref}")
    elif is_tag:
        specs.append(f"+refs/tags/{ref}:refs/tags/{ref}")
    else:
        specs.append(ref)
    git(*fetch, "origin", *specs, cwd=dest)
    if is_branch:
        git("checkout", "-q", "-B", ref, f"refs/remotes/origin/{ref}", cwd=dest)
    elif is_tag:
        git("checkout", "-q", "--detach", f"refs/tags/{ref}", cwd=dest)
    else:
        git("checkout", "-q", "--detach", "FETCH_HEAD", cwd=dest)
    return ref


def main() -> None:
    own = os.environ.get("GITHUB_REPOSITORY", "")
    repository = os.environ.get("STUB_REPOSITORY", "").strip() or own
    ref = os.environ.get("STUB_REF", "").strip()
    depth = int(os.environ.get("STUB_FETCH_DEPTH", "").strip() or "1")
    tags = os.environ.get("STUB_FETCH_TAGS", "").strip().lower() == "true" or depth == 0
    workspace = Path(os.environ["GITHUB_WORKSPACE"]).resolve()
    dest = (workspace / (os.environ.get("STUB_PATH", "").strip() or ".")).resolve()
    root = os.environ.get("ACT_STUB_CHECKOUT_ROOT", "")
    source = Path(root, repository) if root else None
    if (source is None or not source.is_dir()) and repository == own:
        # act runs this stub for its own repository only when `ref:` differs from
        # the event's, and then it has not copied the work tree: clone it.
        source = Path(os.environ.get("ACT_STUB_WORKDIR", "") or workspace)
    if source is None or not source.is_dir():
        fail(
            f"no source for {repository}: put a git repository at "
            f"$ACT_STUB_CHECKOUT_ROOT/{repository} (act_runner.add_checkout_source)"
        )
    ref = clone(source.resolve(), dest, ref, depth, tags)
    commit = git("rev-parse", "HEAD", cwd=dest)
    with open(os.environ["GITHUB_OUTPUT"], "a", encoding="utf-8") as out:
        out.write(f"ref={ref}\ncommit={commit}\n")
    print(f"act stub: checked out {repository}@{ref} ({commit[:12]}) into {dest}")


if __name__ == "__main__":
    main()
