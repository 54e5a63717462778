"""``release-actions release-notes``: GitHub's generated notes for a release tag, as Markdown.

The Release Checklist's "Generate release notes": prints the notes GitHub would
put into the release (merged pull requests since the previous release), which
need not exist as a release or even as a tag yet (``--target``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from release_actions.core.errors import ReleaseActionsError
from release_actions.core.versions import ReleaseBranch, parse_release_tag
from release_actions.interface.commands.common import add_repo_and_json, emit, env_default
from release_actions.interface.output import write_outputs, write_summary
from release_actions.steps.governance import previous_release_tag


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_repo_and_json(parser)
    parser.add_argument(
        "--tag", default=env_default("RA_TAG"), help="the release tag, vX.Y.Z or vX.Y.ZrcN"
    )
    parser.add_argument(
        "--previous-tag",
        default=env_default("RA_PREVIOUS_TAG"),
        help="where the notes start (default: the latest final release below the tag, on its "
        "line if it has one, else the previous line's; an RC also counts earlier RCs)",
    )
    parser.add_argument(
        "--target",
        default=env_default("RA_TARGET"),
        help="branch or commit of a tag that does not exist yet (default: release-X.Y.x)",
    )


def run(options: argparse.Namespace) -> int:
    tag = parse_release_tag(options.tag)
    previous = options.previous_tag.strip()
    if not previous:
        from release_actions.adapters.tags import known_release_tags

        try:
            tags = known_release_tags(Path(options.repo))
        except ReleaseActionsError as err:  # not a git repository: GitHub picks
            print(f"note: cannot list the release tags ({err.message})", file=sys.stderr)
            tags = []
        previous = previous_release_tag(tag.version, tags) or ""
    target = options.target.strip() or ReleaseBranch.for_version(tag.version).name

    from release_actions.adapters.github_repo import pull_requests_from_env

    notes = pull_requests_from_env().generate_notes(tag.name, target, previous or None)
    data = {"tag": tag.name, "previous_tag": previous, "target": target, "notes": notes}
    if options.json:
        emit(data, True)
    else:
        print(notes)
        write_outputs(data)
    since = f" (since {previous})" if previous else ""
    write_summary(f"### Release notes for {tag.name}{since}\n\n{notes}\n")
    return 0
