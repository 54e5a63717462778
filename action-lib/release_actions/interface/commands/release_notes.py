"""``release-actions release-notes``: GitHub's generated notes for a release tag, as Markdown.

The Release Checklist's "Generate release notes": prints the notes GitHub would
put into the release (merged pull requests since the previous release), which
need not exist as a release or even as a tag yet (``--target``).
"""

from __future__ import annotations

from release_actions.core.errors import ReleaseActionsError
from release_actions.core.versions import ReleaseBranch, parse_release_tag
from release_actions.interface.commands.common import open_repo
from release_actions.interface.output import Console
from release_actions.interface.spec import JSON, REPO, Opt, Options
from release_actions.steps.governance import previous_release_tag

OPTIONS = (
    REPO,
    JSON,
    Opt("--tag", "RA_TAG", help="the release tag, vX.Y.Z or vX.Y.ZrcN"),
    Opt(
        "--previous-tag",
        "RA_PREVIOUS_TAG",
        help="where the notes start (default: the latest final release below the tag, on its "
        "line if it has one, else the previous line's; an RC also counts earlier RCs)",
    ),
    Opt(
        "--target",
        "RA_TARGET",
        help="branch or commit of a tag that does not exist yet (default: release-X.Y.x)",
    ),
)


def run(options: Options, out: Console) -> int:
    from release_actions.adapters.tags import known_release_tags, repo_conventions

    # The configured conventions, the rest detected (outside git: the defaults).
    repo, _pyproject, config = open_repo(options.repo, need_git=False)
    conventions = repo_conventions(repo, config)
    tag = parse_release_tag(options.tag, conventions)
    previous = options.previous_tag
    if not previous:
        try:
            tags = known_release_tags(repo, conventions)
        except ReleaseActionsError as err:  # not a git repository: GitHub picks
            out.notice(f"cannot list the release tags ({err.message})", title="release-notes")
            tags = []
        previous = previous_release_tag(tag.version, tags) or ""
    target = options.target or ReleaseBranch.for_version(tag.version, conventions).name

    from release_actions.adapters.github_repo import pull_requests_from_env

    notes = pull_requests_from_env().generate_notes(tag.name, target, previous or None)
    data = {"tag": tag.name, "previous_tag": previous, "target": target, "notes": notes}
    if out.as_json:
        out.result(data)
    else:
        out.text(notes)
        out.outputs(data)
    since = f" (since {previous})" if previous else ""
    out.summary(f"### Release notes for {tag.name}{since}\n\n{notes}\n")
    return 0
