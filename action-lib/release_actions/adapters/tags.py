"""Which release tags exist: locally and on origin (a checkout often has few or none)."""

from __future__ import annotations

from pathlib import Path

from release_actions.adapters import git
from release_actions.core.errors import InvalidValueError
from release_actions.core.versions import ReleaseTag, parse_release_tag


def known_tag_names(repo: Path) -> set[str]:
    """Names of ``v*`` tags in ``repo`` and, when it has one, on ``origin`` (no fetch)."""
    names = set(git.tag_targets(repo))
    if git.has_remote(repo):
        code, out, _ = git.try_run(
            repo,
            "ls-remote",
            "--tags",
            "--refs",
            "origin",
            "v*",
            extra_env=git.remote_env(repo),
        )
        if code == 0:
            names.update(line.split("refs/tags/", 1)[1] for line in git.lines(out))
    return names


def known_release_tags(repo: Path) -> list[ReleaseTag]:
    """Parseable release tags (finals and pre-releases), sorted by version."""
    tags = []
    for name in known_tag_names(repo):
        try:
            tags.append(parse_release_tag(name))
        except InvalidValueError:
            continue
    return sorted(tags, key=lambda t: t.version)
