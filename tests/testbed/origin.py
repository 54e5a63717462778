"""A local ``origin``: a bare repository holding the monorepo, with GitHub-like rules.

- :func:`make_origin` builds the monorepo (:mod:`tests.testbed.monorepo`), pushes
  every branch and tag to a bare repository and clones it (``file://`` URL, as
  ``actions/checkout`` would) into a working copy whose ``origin`` it is.
- :func:`protect` installs a ``pre-receive`` hook that refuses updates and
  deletions of protected branches with GitHub's own message::

      remote: error: GH006: Protected branch update failed for refs/heads/main.
      remote: error: Changes must be made through a pull request.
       ! [remote rejected] main -> main (pre-receive hook declined)

  (GitHub says "protected branch hook declined" in the last line; plain git
  cannot change that part.) Patterns are globs (``release-*``) kept in the bare
  repository's config (``releaseActions.protectedBranch``). As on GitHub, pushing
  a new branch that matches a pattern is allowed (``allow_create``).
- The bare repository allows partial and treeless fetches over ``file://``
  (``uploadpack.allowFilter``, ``uploadpack.allowAnySHA1InWant``).

- :func:`ruleset` installs a ``pre-receive`` hook that refuses updates of refs
  matching full-ref globs (``refs/heads/main``, ``refs/tags/*-dev``) the way a
  GitHub repository ruleset does (``GH013``)::

      remote: error: GH013: Repository rule violations found for refs/heads/main.
      remote: - Changes must be made through a pull request.
       ! [remote rejected] main -> main (pre-receive hook declined)

  It replaces any ``protect`` hook (one pre-receive hook per repository).

Fixtures: ``origin`` (function-scoped, unprotected) and ``protected_origin``
(``main`` and ``release-*`` protected). Both copy a session-wide template, so
each costs a copy and a clone.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from .monorepo import DEFAULT_HISTORY, Step, build_monorepo, git, git_env, refs

PROTECTED_KEY = "releaseActions.protectedBranch"
ALLOW_CREATE_KEY = "releaseActions.allowCreate"

PRE_RECEIVE_HOOK = r"""#!/bin/sh
# release-actions test bed: GitHub-style protected branches (tests/testbed/origin.py).
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
# release-actions test bed: a GitHub-style repository ruleset (tests/testbed/origin.py).
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


def _clone(origin_url: str, work: Path) -> None:
    git(work.parent, "clone", "--quiet", origin_url, str(work))
    for key, value in (
        ("user.name", "Release Tester"),
        ("user.email", "release-tester@llama-stack.test"),
        ("commit.gpgsign", "false"),
        ("tag.gpgsign", "false"),
    ):
        git(work, "config", key, value)


def make_origin(
    root: Path,
    *,
    history: Sequence[Step] = DEFAULT_HISTORY,
    index_url: str | None = None,
    protected: Iterable[str] = (),
) -> Origin:
    """Build the monorepo under ``root``, push it to ``root/origin.git``, clone it to
    ``root/work``. ``protected`` branch patterns are enforced from then on."""
    root.mkdir(parents=True, exist_ok=True)
    seed = build_monorepo(root / "seed", history=history, index_url=index_url)
    bare = make_bare(root / "origin.git")
    git(seed.path, "push", "--quiet", bare.as_uri(), "refs/heads/*:refs/heads/*", "refs/tags/*")
    shutil.rmtree(seed.path)
    origin = Origin(bare=bare, work=root / "work")
    _clone(origin.url, origin.work)
    if protected:
        origin.protect(protected)
    return origin


def copy_origin(template: Origin, root: Path, *, protected: Iterable[str] = ()) -> Origin:
    """A fresh origin + clone from a template's bare repository (fast)."""
    root.mkdir(parents=True, exist_ok=True)
    bare = root / "origin.git"
    shutil.copytree(template.bare, bare, symlinks=True)
    origin = Origin(bare=bare, work=root / "work")
    _clone(origin.url, origin.work)
    if protected:
        protect(bare, protected)
    return origin


@pytest.fixture(scope="session")
def origin_template(tmp_path_factory: pytest.TempPathFactory) -> Origin:
    """The default monorepo in a bare repository, built once per session (read-only)."""
    return make_origin(tmp_path_factory.mktemp("origin-template"))


@pytest.fixture
def origin(origin_template: Origin, tmp_path: Path) -> Iterator[Origin]:
    """A bare origin holding the monorepo and a working clone of it; nothing protected."""
    yield copy_origin(origin_template, tmp_path / "repo")


@pytest.fixture
def protected_origin(origin_template: Origin, tmp_path: Path) -> Iterator[Origin]:
    """Like ``origin``, with ``main`` and ``release-*`` protected as on GitHub."""
    yield copy_origin(origin_template, tmp_path / "repo", protected=["main", "release-*"])


__all__ = [
    "LogEntry",
    "Origin",
    "copy_origin",
    "git_env",
    "make_bare",
    "make_origin",
    "origin",
    "origin_template",
    "protect",
    "protected_origin",
    "ruleset",
]
