"""A rehearsal's ``origin``: a bare repository with GitHub-like rules.

- :func:`protect` installs a ``pre-receive`` hook that refuses updates and
  deletions of protected branches with GitHub's own message::

      remote: error: GH006: Protected branch update failed for refs/heads/main.
      remote: error: Changes must be made through a pull request.
       ! [remote rejected] main -> main (pre-receive hook declined)

  (GitHub says "protected branch hook declined" in the last line; plain git
  cannot change that part.) Patterns are globs (``release-*``) kept in the bare
  repository's config (``releaseActions.protectedBranch``). As on GitHub, pushing
  a new branch that matches a pattern is allowed (``allow_create``).
- :func:`ruleset` installs a ``pre-receive`` hook that refuses updates of refs
  matching full-ref globs (``refs/heads/main``, ``refs/tags/*-dev``) the way a
  GitHub repository ruleset does (``GH013``)::

      remote: error: GH013: Repository rule violations found for refs/heads/main.
      remote: - Changes must be made through a pull request.
       ! [remote rejected] main -> main (pre-receive hook declined)

  It replaces any ``protect`` hook (one pre-receive hook per repository).
- :func:`make_bare` makes a bare repository that allows partial and treeless
  fetches over ``file://`` (``uploadpack.allowFilter``,
  ``uploadpack.allowAnySHA1InWant``); :func:`clone_work` clones it into a
  working copy whose ``origin`` it is, with a fixed identity.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path


def git_env() -> dict[str, str]:
    """git without the user's or system's configuration, in the C locale."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1", LC_ALL="C")
    return env


def git(
    repo: Path, *args: str, env: Mapping[str, str] | None = None, check: bool = True
) -> subprocess.CompletedProcess[str]:
    """Run git in ``repo``; on failure raise with git's output."""
    proc = subprocess.run(
        ["git", "-C", str(repo), *args],
        capture_output=True,
        text=True,
        env=dict(env) if env is not None else git_env(),
        check=False,
    )
    if check and proc.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)} failed in {repo}:\n{proc.stdout}{proc.stderr}")
    return proc


def refs(repo: Path, prefix: str) -> dict[str, str]:
    """``{short name: commit id}`` of the refs under ``prefix`` (tags peeled)."""
    out = git(
        repo, "for-each-ref", "--format=%(refname)%00%(objectname)%00%(*objectname)", prefix
    ).stdout
    result = {}
    for line in out.splitlines():
        name, obj, peeled = line.split("\0")
        result[name[len(prefix) :]] = peeled or obj
    return result


PROTECTED_KEY = "releaseActions.protectedBranch"
ALLOW_CREATE_KEY = "releaseActions.allowCreate"

PRE_RECEIVE_HOOK = r"""#!/bin/sh
# release-actions: GitHub-style protected branches (release_actions.rehearsal.world.origin).
# Patterns: git config --get-all releaseActions.protectedBranch (shell globs).
set -f
zero=0000000000000000000000000000000000000000
patterns=$(git config --get-all releaseActions.protectedBranch)
allow_create=$(git config --bool --get releaseActions.allowCreate || echo true)
status=0
while read -r old new ref; do
    case "$ref" in
        refs/heads/*) branch=${ref#refs/heads/} ;;
        *) continue ;;
    esac
    for pattern in $patterns; do
        # GitHub matches with fnmatch(FNM_PATHNAME): '*' does not cross '/'.
        case "$pattern" in */*) ;; *) case "$branch" in */*) continue ;; esac ;; esac
        case "$branch" in
            $pattern) ;;
            *) continue ;;
        esac
        if [ "$old" = "$zero" ] && [ "$allow_create" = "true" ]; then
            break
        fi
        echo "error: GH006: Protected branch update failed for $ref." >&2
        if [ "$new" = "$zero" ]; then
            echo "error: Cannot delete this protected branch" >&2
        else
            echo "error: Changes must be made through a pull request." >&2
        fi
        status=1
        break
    done
done
exit $status
"""


RULESET_KEY = "releaseActions.rulesetRef"

RULESET_HOOK = r"""#!/bin/sh
# release-actions: a GitHub-style repository ruleset (release_actions.rehearsal.world.origin).
# Patterns: git config --get-all releaseActions.rulesetRef (full-ref shell globs).
set -f
patterns=$(git config --get-all releaseActions.rulesetRef)
status=0
while read -r old new ref; do
    for pattern in $patterns; do
        case "$ref" in
            $pattern) ;;
            *) continue ;;
        esac
        echo "error: GH013: Repository rule violations found for $ref." >&2
        echo "Review all repository rules at https://github.com/OWNER/REPO/rules?ref=$ref" >&2
        echo "" >&2
        case "$ref" in
            refs/tags/*) echo "- Cannot create ref due to creations being restricted." >&2 ;;
            *) echo "- Changes must be made through a pull request." >&2 ;;
        esac
        status=1
        break
    done
done
exit $status
"""


@dataclass(frozen=True)
class LogEntry:
    sha: str
    subject: str
    author: str  # "Name <email>"


@dataclass
class Origin:
    """The bare ``origin`` and a working clone of it."""

    bare: Path
    work: Path

    @property
    def url(self) -> str:
        """The ``file://`` URL the clone uses (partial fetches need a URL, not a path)."""
        return self.bare.as_uri()

    def git(self, *args: str, check: bool = True) -> str:
        """git in the working clone; returns stdout (stripped)."""
        return git(self.work, *args, check=check).stdout.strip()

    def bare_git(self, *args: str, check: bool = True) -> str:
        return git(self.bare, *args, check=check).stdout.strip()

    def ref(self, name: str) -> str | None:
        """Commit id of a branch or tag on origin (``main``, ``v0.7.1``, ``refs/...``)."""
        candidates = [name] if name.startswith("refs/") else [f"refs/heads/{name}"]
        if not name.startswith("refs/"):
            candidates.append(f"refs/tags/{name}")
        for candidate in candidates:
            proc = git(
                self.bare,
                "rev-parse",
                "--verify",
                "--quiet",
                f"{candidate}^{{commit}}",
                check=False,
            )
            if proc.returncode == 0:
                return proc.stdout.strip()
        return None

    def show(self, ref: str, path: str) -> str:
        """A file's text at ``ref`` on origin."""
        return git(self.bare, "show", f"{ref}:{path}").stdout

    def tags(self) -> dict[str, str]:
        """``{tag: commit id}`` on origin."""
        return refs(self.bare, "refs/tags/")

    def branches(self) -> dict[str, str]:
        return refs(self.bare, "refs/heads/")

    def tag_type(self, name: str) -> str:
        """``commit`` for a lightweight tag, ``tag`` for an annotated one."""
        return git(self.bare, "cat-file", "-t", f"refs/tags/{name}").stdout.strip()

    def log(self, ref: str, *, max_count: int | None = None) -> list[LogEntry]:
        """Commits reachable from ``ref`` on origin, newest first."""
        args = ["log", "--format=%H%x00%s%x00%an <%ae>"]
        if max_count is not None:
            args.append(f"--max-count={max_count}")
        out = git(self.bare, *args, ref, "--").stdout
        return [LogEntry(*line.split("\0")) for line in out.splitlines()]

    def is_ancestor(self, ancestor: str, descendant: str) -> bool:
        proc = git(self.bare, "merge-base", "--is-ancestor", ancestor, descendant, check=False)
        return proc.returncode == 0

    def protect(self, patterns: Iterable[str], *, allow_create: bool = True) -> None:
        protect(self.bare, patterns, allow_create=allow_create)

    def ruleset(self, ref_patterns: Iterable[str]) -> None:
        ruleset(self.bare, ref_patterns)

    def set_ref(self, name: str, target: str) -> None:
        """Move a ref on origin directly, bypassing hooks (what merging a PR does)."""
        ref = name if name.startswith("refs/") else f"refs/heads/{name}"
        sha = git(self.bare, "rev-parse", "--verify", f"{target}^{{commit}}").stdout.strip()
        git(self.bare, "update-ref", ref, sha)

    def merge_file_on_main(self, source: Path, path: str, message: str) -> None:
        """Commit a copy of ``source`` as ``path`` on main of the clone; the bare repository
        fetches it (no hooks run, as when a pull request is merged), and the clone's
        origin/main follows."""
        dest = self.work / path
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, dest)
        self.git("add", path)
        self.git("commit", "--quiet", "-m", message)
        self.bare_git("fetch", "--quiet", str(self.work), "refs/heads/main:refs/heads/main")
        self.git("fetch", "--quiet", "origin")

    def clone(self, dest: Path, *args: str) -> Path:
        """Another clone of origin, e.g. ``origin.clone(p, "--filter=tree:0")``."""
        git(dest.parent, "clone", "--quiet", *args, self.url, str(dest))
        return dest


def protect(bare: Path, patterns: Iterable[str], *, allow_create: bool = True) -> None:
    """Protect branches of ``bare`` matching ``patterns`` (globs, e.g. ``release-*``).

    Replaces any earlier list; an empty list lifts the protection.
    """
    git(bare, "config", "--unset-all", PROTECTED_KEY, check=False)
    for pattern in patterns:
        if not pattern or any(c.isspace() for c in pattern):
            raise ValueError(f"invalid branch pattern {pattern!r}")
        git(bare, "config", "--add", PROTECTED_KEY, pattern)
    git(bare, "config", "--bool", ALLOW_CREATE_KEY, "true" if allow_create else "false")
    hook = bare / "hooks" / "pre-receive"
    hook.parent.mkdir(exist_ok=True)
    hook.write_text(PRE_RECEIVE_HOOK)
    hook.chmod(0o755)


def ruleset(bare: Path, ref_patterns: Iterable[str]) -> None:
    """Refuse pushes to refs of ``bare`` matching ``ref_patterns`` (full-ref globs such as
    ``refs/heads/main`` or ``refs/tags/*-dev``) with GitHub's GH013 ruleset message.

    Replaces any earlier hook (:func:`protect`'s too); an empty list lifts the rules.
    """
    git(bare, "config", "--unset-all", RULESET_KEY, check=False)
    for pattern in ref_patterns:
        if not pattern.startswith("refs/") or any(c.isspace() for c in pattern):
            raise ValueError(f"invalid ref pattern {pattern!r}")
        git(bare, "config", "--add", RULESET_KEY, pattern)
    hook = bare / "hooks" / "pre-receive"
    hook.parent.mkdir(exist_ok=True)
    hook.write_text(RULESET_HOOK)
    hook.chmod(0o755)


def make_bare(bare: Path) -> Path:
    git(bare.parent, "init", "--quiet", "--bare", "--initial-branch=main", str(bare))
    for key, value in (
        ("uploadpack.allowFilter", "true"),
        ("uploadpack.allowAnySHA1InWant", "true"),
        ("receive.advertisePushOptions", "true"),
    ):
        git(bare, "config", key, value)
    return bare


def clone_work(origin_url: str, work: Path) -> None:
    git(work.parent, "clone", "--quiet", origin_url, str(work))
    for key, value in (
        ("user.name", "Release Tester"),
        ("user.email", "release-tester@llama-stack.test"),
        ("commit.gpgsign", "false"),
        ("tag.gpgsign", "false"),
    ):
        git(work, "config", key, value)
