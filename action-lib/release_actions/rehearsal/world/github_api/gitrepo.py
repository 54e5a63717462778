"""The git side of the fake GitHub: every ref and commit is read from the bare repository.

Nothing here caches: each call runs the git CLI, so what the API answers and
what ``git`` sees in the bare repository can never disagree.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

ZERO_SHA = "0" * 40
SHA_RE = re.compile(r"^[0-9a-f]{40}$")
GITHUB_IDENTITY = ("GitHub", "noreply@github.com")


class GitFailed(Exception):
    def __init__(self, args: list[str], proc: subprocess.CompletedProcess[str]) -> None:
        super().__init__(f"git {' '.join(args)} exited {proc.returncode}: {proc.stderr.strip()}")
        self.returncode = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr


@dataclass(frozen=True)
class Person:
    name: str
    email: str
    date: str  # ISO 8601, UTC, "Z"


@dataclass(frozen=True)
class CommitInfo:
    sha: str
    tree: str
    parents: tuple[str, ...]
    author: Person
    committer: Person
    message: str


def _person(line: str) -> Person:
    match = re.match(r"^(?P<name>.*) <(?P<email>[^>]*)> (?P<ts>\d+) (?P<tz>[+-]\d{4})$", line)
    if not match:
        raise ValueError(f"cannot parse git identity {line!r}")
    when = dt.datetime.fromtimestamp(int(match["ts"]), dt.timezone.utc)
    return Person(match["name"], match["email"], when.strftime("%Y-%m-%dT%H:%M:%SZ"))


class BareRepo:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        if not (self.path / "HEAD").exists():
            raise ValueError(f"{self.path} is not a bare git repository")

    def run(
        self, *args: str, input: str | None = None, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        full_env = {
            **os.environ,
            "GIT_DIR": str(self.path),
            "GIT_TERMINAL_PROMPT": "0",
            **(env or {}),
        }
        for key in ("GIT_WORK_TREE", "GIT_INDEX_FILE"):
            full_env.pop(key, None)
        return subprocess.run(
            ["git", *args], capture_output=True, text=True, input=input, env=full_env, check=False
        )

    def git(
        self,
        *args: str,
        input: str | None = None,
        check: bool = True,
        env: dict[str, str] | None = None,
    ) -> str:
        proc = self.run(*args, input=input, env=env)
        if check and proc.returncode != 0:
            raise GitFailed(list(args), proc)
        return proc.stdout

    # -- refs ---------------------------------------------------------------
    def ref_sha(self, ref: str) -> str | None:
        """The object a full ref name (``refs/heads/main``) points at, or None."""
        return self.git("show-ref", "--verify", "--hash", ref, check=False).strip() or None

    def refs(self, prefix: str = "refs/") -> dict[str, str]:
        out = self.git("for-each-ref", "--format=%(refname) %(objectname)")
        pairs = (line.split(" ", 1) for line in out.splitlines() if line)
        return {name: sha for name, sha in pairs if name.startswith(prefix)}

    def branch_sha(self, branch: str) -> str | None:
        return self.ref_sha(f"refs/heads/{branch}")

    def valid_ref_name(self, ref: str) -> bool:
        return self.run("check-ref-format", ref).returncode == 0

    def update_ref(self, ref: str, new: str, old: str | None = None) -> None:
        """Set ``ref``; ``old`` is a compare-and-swap guard (ZERO_SHA: must not exist)."""
        self.git("update-ref", "-m", "github-api", ref, new, *([old] if old is not None else []))

    def delete_ref(self, ref: str, old: str | None = None) -> None:
        self.git("update-ref", "-d", ref, *([old] if old is not None else []))

    def default_branch(self) -> str:
        head = self.git("symbolic-ref", "--quiet", "HEAD", check=False).strip()
        return head.removeprefix("refs/heads/") if head else "main"

    # -- objects ------------------------------------------------------------
    def object_type(self, sha: str) -> str | None:
        if not SHA_RE.match(sha):
            return None
        out = self.git("cat-file", "-t", sha, check=False).strip()
        return out or None

    def resolve_commit(self, rev: str) -> str | None:
        """A branch name, tag name, full ref or sha -> commit sha (None when unknown)."""
        if not rev or rev.startswith("-"):
            return None
        for candidate in (f"refs/heads/{rev}", f"refs/tags/{rev}", rev):
            if candidate == rev and not (SHA_RE.match(rev) or rev.startswith("refs/")):
                continue
            out = self.git(
                "rev-parse", "--verify", "--quiet", f"{candidate}^{{commit}}", check=False
            )
            if out.strip():
                return out.strip()
        return None

    def commit(self, sha: str) -> CommitInfo | None:
        if self.object_type(sha) != "commit":
            return None
        raw = self.git("cat-file", "commit", sha)
        header, _, message = raw.partition("\n\n")
        fields: dict[str, list[str]] = {}
        for line in header.splitlines():
            key, _, value = line.partition(" ")
            fields.setdefault(key, []).append(value)
        return CommitInfo(
            sha=sha,
            tree=fields["tree"][0],
            parents=tuple(fields.get("parent", [])),
            author=_person(fields["author"][0]),
            committer=_person(fields["committer"][0]),
            message=message.rstrip("\n"),
        )

    def rev_list(self, include: str, exclude: str | None = None) -> list[str]:
        """Commits reachable from ``include`` but not ``exclude``, newest first."""
        args = ["rev-list", include] + ([f"^{exclude}"] if exclude else [])
        return self.git(*args).split()

    def is_ancestor(self, ancestor: str, descendant: str) -> bool:
        return self.run("merge-base", "--is-ancestor", ancestor, descendant).returncode == 0

    def merge_base(self, a: str, b: str) -> str | None:
        return self.git("merge-base", a, b, check=False).strip() or None

    def diff_numstat(self, base: str, head: str) -> tuple[int, int, int]:
        """(additions, deletions, changed files) of ``base...head``."""
        out = self.git("diff", "--numstat", f"{base}...{head}")
        adds = dels = files = 0
        for line in out.splitlines():
            a, d, _ = line.split("\t", 2)
            adds += int(a) if a.isdigit() else 0
            dels += int(d) if d.isdigit() else 0
            files += 1
        return adds, dels, files

    def merge_tree(self, base: str, head: str) -> str | None:
        """The tree of merging ``head`` into ``base``, or None on conflicts (git >= 2.38)."""
        proc = self.run("merge-tree", "--write-tree", "--no-messages", base, head)
        if proc.returncode == 1:
            return None
        if proc.returncode != 0:
            raise GitFailed(["merge-tree", base, head], proc)
        return proc.stdout.split("\n", 1)[0].strip()

    def commit_tree(self, tree: str, parents: list[str], message: str, author: Person) -> str:
        env = {
            "GIT_AUTHOR_NAME": author.name,
            "GIT_AUTHOR_EMAIL": author.email,
            "GIT_COMMITTER_NAME": GITHUB_IDENTITY[0],
            "GIT_COMMITTER_EMAIL": GITHUB_IDENTITY[1],
        }
        args = ["commit-tree", tree]
        for parent in parents:
            args += ["-p", parent]
        return self.git(*args, input=message + "\n", env=env).strip()

    def make_tag(self, tag: str, obj: str, obj_type: str, message: str, tagger: Person) -> str:
        when = dt.datetime.strptime(tagger.date, "%Y-%m-%dT%H:%M:%SZ").replace(
            tzinfo=dt.timezone.utc
        )
        text = (
            f"object {obj}\ntype {obj_type}\ntag {tag}\n"
            f"tagger {tagger.name} <{tagger.email}> {int(when.timestamp())} +0000\n\n{message}\n"
        )
        return self.git("mktag", input=text).strip()

    def tag_object(self, sha: str) -> dict[str, str] | None:
        """Fields of an annotated tag object."""
        if self.object_type(sha) != "tag":
            return None
        raw = self.git("cat-file", "tag", sha)
        header, _, message = raw.partition("\n\n")
        fields = dict(line.split(" ", 1) for line in header.splitlines() if " " in line)
        fields["message"] = message
        return fields
