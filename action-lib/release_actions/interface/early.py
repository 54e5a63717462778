"""A head start for ``python -m release_actions nightly-version``: git before argparse.

Before it knows the repository, a run imports argparse, ``re``, typing and the
interface, tens of milliseconds; in a large history ``git describe`` takes as
long again. So ``__main__`` calls :func:`begin` first: it guesses the repository
the simple way (the last ``--repo DIR``/``--repo=DIR``, else ``RA_REPO``, else
``.``) and starts git's reads (:class:`~release_actions.steps.tag_state.TagRead`).
The command takes them with :func:`take` only when the parsed command line names
the same directory; otherwise they are stopped and the command reads again. A
wrong guess (an abbreviated ``--rep``, say) costs time, never a different answer.

Imports only ``os`` until it starts the reads; other commands import nothing more.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False  # not typing's: importing typing here would cost more than git's start
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from release_actions.steps.tag_state import TagRead

_pending: TagRead | None = None


def guess_repo(args: Sequence[str], env: Mapping[str, str]) -> str:
    """The ``--repo`` that nightly-version's arguments most likely resolve to.

    >>> guess_repo(["--date", "20261125", "--repo", " r1 ", "--repo=r2"], {})
    'r2'
    >>> guess_repo([], {"RA_REPO": "work"}), guess_repo([], {"RA_REPO": " "})
    ('work', '.')
    """
    repo = None
    for i, arg in enumerate(args):
        if arg == "--repo" and i + 1 < len(args):
            repo = args[i + 1]
        elif arg.startswith("--repo="):
            repo = arg.removeprefix("--repo=")
    if repo is None:
        repo = env.get("RA_REPO", "")
    return repo.strip() or "."


def begin(argv: Sequence[str], env: Mapping[str, str] | None = None) -> None:
    """Start nightly-version's git reads for the guessed repository (other commands: no-op)."""
    global _pending
    if not argv or argv[0] != "nightly-version" or "-h" in argv or "--help" in argv:
        return
    from release_actions.steps.tag_state import TagRead

    discard()
    repo = guess_repo(argv[1:], os.environ if env is None else env)
    if os.path.isdir(repo):
        # A shallow clone waits for the parsed --no-fetch (TagRead starts nothing then).
        _pending = TagRead(repo, fetch=True)


def take(repo: str, *, fetch: bool) -> TagRead | None:
    """The reads :func:`begin` started, if they are of ``repo``; else None (and stopped)."""
    global _pending
    pending, _pending = _pending, None
    if pending is not None and pending.repo == repo:
        pending.fetch = fetch
        return pending
    if pending is not None:
        pending.close()
    return None


def discard() -> None:
    """Stop reads that no command took (a usage error, another command)."""
    global _pending
    pending, _pending = _pending, None
    if pending is not None:
        pending.close()
