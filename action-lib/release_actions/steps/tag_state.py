"""Reading what git says about version tags: the input of the nightly base.

:class:`TagRead` starts git's reads at once and collects them when asked, so a
command can start it first and import the rest of its modules (TOML, versions)
while git works. Two reads run side by side: ``git describe`` (the nearest tag
reachable from HEAD; the slower one, as it opens every tagged commit) and
``git show-ref -d --tags`` (every tag, peeled, straight from packed-refs); the
tags are ranked while describe still runs. HEAD's branch and whether the clone
is shallow come from the git directory's files. A shallow or tagless clone gets
one fetch of tags (and, when shallow, the history without trees) first.

Light on purpose: the version modules (and ``packaging``) are imported only when
the result is collected, and paths are plain strings (``os.path``), so nothing
but ``subprocess`` stands between the command line and git's start.
"""

from __future__ import annotations

import os

from release_actions.adapters import git
from release_actions.core.errors import ReleaseActionsError

TYPE_CHECKING = False  # not typing's: this module runs before typing is imported
if TYPE_CHECKING:
    import subprocess
    from collections.abc import Mapping
    from pathlib import Path

    from release_actions.core.conventions import (
        Conventions,
        ConventionSettings,
        Shape,
        TagInfo,
    )
    from release_actions.core.nightly_base import TagState

__all__ = ["DESCRIBE", "TagRead", "read_tag_state"]

# Started before the configuration is read: the two usual forms (``v1.2.3``, ``1.2.3``).
# When the nearest of those is not one of the repository's tags, describe runs again
# with the repository's own pattern (Conventions.describe_match).
DESCRIBE = ("describe", "--tags", "--abbrev=0", "--match", "v[0-9]*", "--match", "[0-9]*", "HEAD")


def _describe(match: str) -> tuple[str, ...]:
    return ("describe", "--tags", "--abbrev=0", "--match", match, "HEAD")


def _head_from_files(repo: Path | str) -> tuple[bool, str] | None:
    """(shallow, branch) from the git directory's files; None when it is unusual."""
    dot_git = os.path.join(repo, ".git")
    if os.path.isdir(dot_git):
        try:
            with open(os.path.join(dot_git, "HEAD"), encoding="utf-8") as fh:
                head = fh.read().strip()
        except OSError:
            head = ""
        if head:
            branch = head.removeprefix("ref: refs/heads/") if head.startswith("ref: ") else "HEAD"
            return os.path.exists(os.path.join(dot_git, "shallow")), branch
    return None


def _head_info(repo: Path | str) -> tuple[bool, str]:
    """(shallow, branch): from the git directory's files, or one git call when it is unusual."""
    known = _head_from_files(repo)
    if known is not None:
        return known
    out = git.lines(git.run(repo, "rev-parse", "--is-shallow-repository", "--abbrev-ref", "HEAD"))
    return out[0] == "true", (out[1] if len(out) > 1 else "HEAD")


def _fetch_history(repo: Path | str, *, shallow: bool) -> str:
    """Fetch tags (and, for a shallow clone, the history without trees) from origin."""
    args = ["fetch", "--quiet", "--no-recurse-submodules", "--tags", "--force"]
    if shallow:
        args += ["--filter=tree:0", "--unshallow"]
    code, _, err = git.try_run(repo, *args, "origin", extra_env=git.remote_env(repo))
    if code != 0:
        raise ReleaseActionsError(
            f"could not fetch tags and history from origin: {err}",
            fix="check out with `fetch-depth: 0`, or give the job `contents: read`",
            title="Fetching tags failed",
        )
    return "history (treeless) and tags" if shallow else "tags"


class TagRead:
    """The tag state of ``repo`` being read; :meth:`result` collects it, once.

    In an ordinary checkout (a ``.git`` directory, not shallow or not to be
    fetched) git's reads start in the constructor, which raises nothing: anything
    unusual (a worktree's ``.git`` file, a shallow clone to deepen, no git at all)
    waits for :meth:`result`, so errors come in the same order as without the
    head start. :meth:`close` stops reads that were never collected (a command
    that failed on another input meanwhile).
    """

    def __init__(self, repo: Path | str, *, fetch: bool = True) -> None:
        self.repo = repo
        self.fetch = fetch
        self._head = _head_from_files(repo)
        self._procs: list[subprocess.Popen[str]] = []
        self._state: TagState | None = None
        if self._head is not None and not (fetch and self._head[0]):
            try:
                self._start()
            except OSError:  # no git: result() starts again and raises then
                self._procs = []

    def _start(self) -> None:
        # describe first: it is the one that takes long in a big history
        describe = git.start(self.repo, *DESCRIBE)
        try:
            show = git.start(self.repo, *git.SHOW_TAGS)
        except BaseException:
            _stop(describe)
            raise
        self._procs = [describe, show]

    def _collect(
        self, settings: ConventionSettings, given: Conventions | None, head: str
    ) -> tuple[
        dict[str, str], Conventions, list[tuple[str, TagInfo]], list[str], tuple[int, str, str]
    ]:
        """(tag -> commit, the conventions, our ranked version tags, strays, describe's result);
        the conventions are detected and the tags ranked while describe runs."""
        from release_actions.core.conventions import detect, version_shapes

        describe, show = self._procs
        self._procs = []
        try:
            targets = git.parse_peeled_tags(*git.finish(show)[:2])
            shapes = version_shapes(targets)  # one match per tag, for detection and ranking
            if given is None:
                given = detect(settings, targets, (head,), shapes)
            conventions = given
            ranked, ignored = _rank(targets, conventions, shapes)
        except BaseException:
            _stop(describe)
            raise
        return targets, conventions, ranked, ignored, git.finish(describe)

    def result(
        self, settings: ConventionSettings | None = None, conventions: Conventions | None = None
    ) -> TagState:
        """Version tags and the nearest tagged commit, as :class:`TagState`; tags ranked
        by ``conventions`` when given, else by those ``settings`` fix, the others detected
        from the tags."""
        if self._state is not None:
            return self._state
        from release_actions.core.conventions import ConventionSettings
        from release_actions.core.nightly_base import TagState

        repo, fetched = self.repo, ""
        shallow, head = self._head if self._head is not None else _head_info(repo)
        if not self._procs:
            if self.fetch and shallow and git.has_remote(repo):
                fetched = _fetch_history(repo, shallow=True)
            self._start()
        args = (settings or ConventionSettings(), conventions, head)
        targets, conventions, ranked, ignored, described = self._collect(*args)
        if self.fetch and not targets and not fetched and git.has_remote(repo):
            fetched = _fetch_history(repo, shallow=False)
            self._start()
            targets, conventions, ranked, ignored, described = self._collect(*args)
        code, name, _ = described
        other_prefix = conventions.tag_prefix not in ("", "v")  # not in DESCRIBE's patterns
        if (code == 0 and conventions.rank(name) is None) or (code != 0 and other_prefix):
            # the nearest v*/digit tag is not ours, or ours have another prefix: ask again
            code, name, _ = git.try_run(repo, *_describe(conventions.describe_match))
        nearest: tuple[str, ...] = ()
        if code == 0 and name in targets:
            commit = targets[name]
            nearest = tuple(n for n, sha in targets.items() if sha == commit)
        ignored_names = tuple(sorted(ignored))
        self._state = TagState(tuple(ranked), nearest, ignored_names, head, fetched, conventions)
        return self._state

    def close(self) -> None:
        """Stop and reap reads that were started and never collected."""
        for proc in self._procs:
            _stop(proc)
        self._procs = []

    def __enter__(self) -> TagRead:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _rank(
    targets: dict[str, str], conventions: Conventions, shapes: Mapping[str, Shape] | None = None
) -> tuple[list[tuple[str, TagInfo]], list[str]]:
    """(our version tags with their rank, version-shaped tags that are not ours);
    ``shapes``: the :func:`~release_actions.core.conventions.version_shapes` of the tags."""
    if shapes is None:
        from release_actions.core.conventions import version_shapes

        shapes = version_shapes(targets)
    ranked = conventions.rank_shapes(shapes)
    ours = {name for name, _ in ranked}
    return ranked, conventions.strays((t for t in targets if t not in ours), shapes)


def _stop(proc: subprocess.Popen[str]) -> None:
    if proc.poll() is None:
        proc.kill()
    proc.communicate()


def read_tag_state(
    repo: Path | str,
    *,
    fetch: bool = True,
    settings: ConventionSettings | None = None,
    conventions: Conventions | None = None,
) -> TagState:
    """Read version tags and the nearest tagged commit; deepen a shallow clone if needed."""
    with TagRead(repo, fetch=fetch) as reading:
        return reading.result(settings, conventions)
