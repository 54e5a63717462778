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


def origin_tag_targets(repo: Path, *names: str) -> dict[str, str]:
    """Tag name -> commit (annotated tags peeled) on ``origin`` for ``names`` (all ``v*``
    tags without names), read with the action's token; an unreachable origin raises."""
    patterns = [f"refs/tags/{n}" for n in names] or ["refs/tags/v*"]
    peel = [f"{p}^{{}}" for p in patterns]
    out = git.remote(repo, "ls-remote", "origin", *patterns, *peel, what="read its tags")
    result: dict[str, str] = {}
    for line in git.lines(out):
        sha, _, ref = line.partition("\t")
        name = ref.removeprefix("refs/tags/")
        if name.endswith("^{}"):
            result[name[:-3]] = sha
        else:
            result.setdefault(name, sha)
    return result


def known_release_tags(repo: Path) -> list[ReleaseTag]:
    """Parseable release tags (finals and pre-releases), sorted by version."""
    tags = []
    for name in known_tag_names(repo):
        try:
            tags.append(parse_release_tag(name))
        except InvalidValueError:
            continue
    return sorted(tags, key=lambda t: t.version)
