"""Which release tags exist: locally and on origin (a checkout often has few or none)."""

from __future__ import annotations

from pathlib import Path

from release_actions.adapters import git
from release_actions.core.config import Config, convention_settings
from release_actions.core.conventions import DEFAULT, Conventions, detect
from release_actions.core.errors import InvalidValueError
from release_actions.core.versions import ReleaseTag, parse_release_tag


def repo_conventions(repo: Path | None, config: Config) -> Conventions:
    """The repository's conventions: the configured keys, the others detected from its
    refs (one ``git for-each-ref``), else the defaults."""
    settings = convention_settings(config)
    if settings.complete or repo is None:
        return detect(settings, (), ())
    tags, branches = git.ref_names(repo)
    return detect(settings, tags, branches)


def known_tag_names(repo: Path, conventions: Conventions = DEFAULT) -> set[str]:
    """Names of the repository's version tags (by their prefix) in ``repo`` and, when it has
    one, on ``origin`` (no fetch)."""
    match = conventions.describe_match
    names = set(git.tag_targets(repo, (f"refs/tags/{match}",)))
    if git.has_remote(repo):
        code, out, _ = git.try_run(
            repo,
            "ls-remote",
            "--tags",
            "--refs",
            "origin",
            match,
            extra_env=git.remote_env(repo),
        )
        if code == 0:
            names.update(line.split("refs/tags/", 1)[1] for line in git.lines(out))
    return names


def origin_tag_targets(repo: Path, *names: str, match: str = "refs/tags/v*") -> dict[str, str]:
    """Tag name -> commit (annotated tags peeled) on ``origin`` for ``names`` (all tags
    matching ``match`` without names), read with the action's token; an unreachable origin
    raises."""
    patterns = [f"refs/tags/{n}" for n in names] or [match]
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


def known_release_tags(repo: Path, conventions: Conventions = DEFAULT) -> list[ReleaseTag]:
    """Parseable release tags (finals and pre-releases), sorted by version."""
    tags = []
    for name in known_tag_names(repo, conventions):
        try:
            tags.append(parse_release_tag(name, conventions))
        except InvalidValueError:
            continue
    return sorted(tags, key=lambda t: t.version)
