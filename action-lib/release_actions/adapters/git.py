"""A thin wrapper over the git CLI. Every git call in the library goes through here.

On the import path of compute-version and nightly-version, before their git
reads start: ``pathlib``, ``shutil`` and ``tempfile`` (only for :func:`worktree`)
are imported where they are used.
"""

from __future__ import annotations

import contextlib
import os
import subprocess

from release_actions.core.errors import GitError

TYPE_CHECKING = False  # not typing's: nightly-version starts git before importing typing
if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence
    from pathlib import Path

_ENV = {
    "LC_ALL": "C",
    "GIT_TERMINAL_PROMPT": "0",
    "GIT_PAGER": "cat",
    "GIT_OPTIONAL_LOCKS": "0",
}


def git_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(_ENV)
    return env


def run(repo: Path | str, *args: str, check: bool = True, input_text: str | None = None) -> str:
    """Run ``git -C repo args...`` and return stdout without the trailing newline."""
    proc = subprocess.run(
        ["git", "-C", str(repo), *args],
        capture_output=True,
        text=True,
        env=git_env(),
        input=input_text,
        check=False,
    )
    if check and proc.returncode != 0:
        raise GitError(
            f"git {' '.join(args)} failed in {repo}: {proc.stderr.strip() or proc.stdout.strip()}",
            fix="check that the directory is a git repository with the expected refs",
            title="git failed",
        )
    return proc.stdout.rstrip("\n")


def run_bytes(repo: Path | str, *args: str) -> bytes:
    """Run ``git -C repo args...`` and return stdout as bytes (a blob, as stored)."""
    proc = subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, env=git_env(), check=False
    )
    if proc.returncode != 0:
        why = proc.stderr.decode(errors="replace").strip()
        raise GitError(
            f"git {' '.join(args)} failed in {repo}: {why}",
            fix="check that the directory is a git repository with the expected refs",
            title="git failed",
        )
    return proc.stdout


def try_run(
    repo: Path | str, *args: str, extra_env: dict[str, str] | None = None
) -> tuple[int, str, str]:
    """Run git and return (returncode, stdout, stderr) without raising."""
    env = git_env()
    env.update(extra_env or {})
    proc = subprocess.run(
        ["git", "-C", str(repo), *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    return proc.returncode, proc.stdout.rstrip("\n"), proc.stderr.strip()


def toplevel(path: str) -> tuple[str | None, str]:
    """The top level of the work tree holding ``path``, and git's message when there is none.

    ``path`` itself when it has a ``.git`` directory (no git call: nightly-version's
    start); else ``git rev-parse --show-toplevel``, which never walks above the
    repository's own top level and stops at file-system boundaries.
    """
    if os.path.isdir(os.path.join(path, ".git")):
        return path, ""
    code, out, err = try_run(path, "rev-parse", "--show-toplevel")
    return (out, "") if code == 0 and out else (None, err)


def lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if line]


def has_remote(repo: Path | str, remote: str = "origin") -> bool:
    code, out, _ = try_run(repo, "remote")
    return code == 0 and remote in out.split()


def head_branch(repo: Path | str) -> str:
    """The branch HEAD is on; ``""`` when HEAD is detached or this is no repository."""
    code, out, _ = try_run(repo, "symbolic-ref", "--quiet", "--short", "HEAD")
    return out if code == 0 else ""


def origin_head_branch(repo: Path | str) -> str:
    """origin's default branch as this clone recorded it (``refs/remotes/origin/HEAD``),
    else ``""``."""
    code, out, _ = try_run(repo, "symbolic-ref", "--quiet", "refs/remotes/origin/HEAD")
    prefix = "refs/remotes/origin/"
    return out.removeprefix(prefix) if code == 0 and out.startswith(prefix) else ""


def remote_head_branch(repo: Path | str) -> str:
    """origin's default branch as origin says it (``git ls-remote --symref origin HEAD``);
    ``""`` without an origin, when it cannot be reached, or when its HEAD is detached."""
    if not has_remote(repo):
        return ""
    code, out, _ = try_run(
        repo, "ls-remote", "--symref", "origin", "HEAD", extra_env=remote_env(repo)
    )
    for line in lines(out) if code == 0 else []:
        ref, _, name = line.partition("\t")
        if ref.startswith("ref: refs/heads/") and name == "HEAD":
            return ref.removeprefix("ref: refs/heads/")
    return ""


def tag_targets(repo: Path | str, patterns: Sequence[str] = ("refs/tags/v*",)) -> dict[str, str]:
    """Map tag name -> commit sha (annotated tags peeled) for tags matching ``patterns``."""
    out = run(
        repo,
        "for-each-ref",
        "--format=%(refname:strip=2) %(objectname) %(*objectname)",
        *patterns,
    )
    result: dict[str, str] = {}
    for line in lines(out):
        parts = line.split()
        result[parts[0]] = parts[2] if len(parts) > 2 else parts[1]
    return result


def ref_names(repo: Path | str) -> tuple[list[str], list[str]]:
    """(tag names, branch names) of ``repo`` in one call: local branches and remote-tracking
    ones without ``refs/heads/`` or ``refs/remotes/REMOTE/`` (no HEAD symrefs)."""
    code, out, _ = try_run(
        repo, "for-each-ref", "--format=%(refname)", "refs/tags", "refs/heads", "refs/remotes"
    )
    tags: list[str] = []
    branches: list[str] = []
    for ref in lines(out) if code == 0 else []:
        if ref.startswith("refs/tags/"):
            tags.append(ref[len("refs/tags/") :])
        elif ref.startswith("refs/heads/"):
            branches.append(ref[len("refs/heads/") :])
        elif ref.startswith("refs/remotes/") and not ref.endswith("/HEAD"):
            branches.append(ref[len("refs/remotes/") :].partition("/")[2])
    return tags, branches


def remote_env(repo: Path | str) -> dict[str, str]:
    """Authenticate a remote git call with the action's token (``RA_TOKEN``), if any.

    Checkouts made with ``persist-credentials: false`` carry no credentials, so
    every fetch, ls-remote and push of the library goes through this.
    """
    return auth_env(repo, os.environ.get("RA_TOKEN", ""))


def auth_env(repo: Path | str, token: str, remote: str = "origin") -> dict[str, str]:
    """Environment that authenticates git over HTTPS with ``token`` for one command.

    The token goes through ``GIT_CONFIG_*`` variables, never the command line, so
    it does not show in process listings or error messages.
    """
    if not token:
        return {}
    code, url, _ = try_run(repo, "remote", "get-url", remote)
    if code != 0 or not url.startswith("https://"):
        return {}
    import base64

    basic = base64.b64encode(f"x-access-token:{token}".encode()).decode()
    return {
        "GIT_CONFIG_COUNT": "1",
        "GIT_CONFIG_KEY_0": "http.extraHeader",
        "GIT_CONFIG_VALUE_0": f"AUTHORIZATION: basic {basic}",
    }


def remote(repo: Path | str, *args: str, what: str = "") -> str:
    """Run a remote git command (ls-remote, fetch, push) authenticated with the action's
    token (:func:`remote_env`); a failure raises with a fix instead of being swallowed.

    Every remote call of the library goes through here or through :func:`remote_env`.
    """
    code, out, err = try_run(repo, *args, extra_env=remote_env(repo))
    if code != 0:
        url = try_run(repo, "remote", "get-url", "origin")[1]
        raise GitError(
            f"cannot reach origin{f' ({url})' if url else ''} to "
            f"{what or 'run git ' + args[0]}: {err or out or f'exit {code}'}",
            fix="check the remote URL, the network, and that the token (RA_TOKEN or the"
            " checkout's credentials) may read the repository, then re-run",
            title="Origin unreachable",
        )
    return out


def start(repo: Path | str, *args: str) -> subprocess.Popen[str]:
    """Start a read-only ``git -C repo args...``; collect it with :func:`finish`."""
    return subprocess.Popen(
        ["git", "-C", str(repo), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=git_env(),
    )


def finish(proc: subprocess.Popen[str]) -> tuple[int, str, str]:
    """Wait for a command from :func:`start`: (returncode, stdout, stderr)."""
    out, err = proc.communicate()
    return proc.returncode, out.rstrip("\n"), err.strip()


def run_concurrently(repo: Path | str, *commands: Sequence[str]) -> list[tuple[int, str, str]]:
    """Run independent read-only git commands at the same time; (code, out, err) each."""
    procs = [start(repo, *args) for args in commands]
    return [finish(proc) for proc in procs]


SHOW_TAGS = ("show-ref", "-d", "--tags")


def parse_peeled_tags(code: int, out: str) -> dict[str, str]:
    """Tag name -> commit from ``git show-ref -d --tags`` output (tags peeled).

    show-ref reads peeled values straight from packed-refs, unlike
    ``for-each-ref %(*objectname)``, which opens every tag object. An annotated
    tag's peeled line (``NAME^{}``) follows its own line, so it wins below. Ref
    names hold no spaces, control characters or ``^``, so plain string splits
    parse the output (much faster than a loop over thousands of lines).

    >>> out = ["a1 refs/tags/v1.0.0", "b2 refs/tags/v1.1.0", "c3 refs/tags/v1.1.0^{}"]
    >>> parse_peeled_tags(0, chr(10).join([*out, "d4 refs/tags/x"]))
    {'v1.0.0': 'a1', 'v1.1.0': 'c3', 'x': 'd4'}
    """
    if code != 0:  # exit 1: no tags at all
        return {}
    # "SHA refs/tags/NAME" lines -> [SHA, NAME, SHA, NAME, ..., ""]; peeled lines lose "^{}".
    parts = (out + "\n").replace("^{}\n", "\n").replace(" refs/tags/", "\n").split("\n")
    pairs = zip(parts[::2], parts[1::2], strict=False)  # the trailing "" has no pair
    return {name: sha for sha, name in pairs if name}


def peeled_tags(repo: Path | str) -> dict[str, str]:
    code, out, _ = try_run(repo, *SHOW_TAGS)
    return parse_peeled_tags(code, out)


#: Our temporary worktrees live in ``<tmp>/release-actions-wt-<pid>-<random>/wt``: the
#: owner's pid tells a stale one (its process was killed) from a live one.
WORKTREE_PREFIX = "release-actions-wt-"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _stale_dir(path: Path) -> bool:
    """Whether ``path`` is one of our worktree directories whose process is gone."""
    rest = path.name.removeprefix(WORKTREE_PREFIX)
    pid = rest.split("-", 1)[0]
    return path.name.startswith(WORKTREE_PREFIX) and pid.isdigit() and not _pid_alive(int(pid))


def clean_stale_worktrees(repo: Path | str) -> list[str]:
    """Remove what a killed run left: our temporary directories whose process is gone,
    and ``repo``'s registrations of worktrees in them (or of worktrees that vanished).

    Live runs (their pid is alive, e.g. a concurrent job) are left alone. Returns the
    directories removed.
    """
    import shutil
    import tempfile
    from pathlib import Path

    removed = []
    code, out, _ = try_run(repo, "worktree", "list", "--porcelain")
    for line in lines(out) if code == 0 else []:
        if not line.startswith("worktree "):
            continue
        path = Path(line.removeprefix("worktree "))
        if _stale_dir(path.parent):
            try_run(repo, "worktree", "remove", "--force", str(path))
    root = Path(tempfile.gettempdir())
    with contextlib.suppress(OSError):
        for child in root.iterdir():
            if child.is_dir() and not child.is_symlink() and _stale_dir(child):
                shutil.rmtree(child, ignore_errors=True)
                removed.append(str(child))
    try_run(repo, "worktree", "prune")
    return removed


@contextlib.contextmanager
def worktree(repo: Path, sha: str) -> Iterator[Path]:
    """A temporary detached worktree of ``repo`` at ``sha``, removed afterwards.

    Debris of killed runs is cleaned up first (:func:`clean_stale_worktrees`).
    """
    import shutil
    import tempfile
    from pathlib import Path

    clean_stale_worktrees(repo)
    tmp = Path(tempfile.mkdtemp(prefix=f"{WORKTREE_PREFIX}{os.getpid()}-"))
    path = tmp / "wt"
    run(repo, "worktree", "add", "--quiet", "--detach", str(path), sha)
    try:
        yield path
    finally:
        try_run(repo, "worktree", "remove", "--force", str(path))
        shutil.rmtree(tmp, ignore_errors=True)
        try_run(repo, "worktree", "prune")
