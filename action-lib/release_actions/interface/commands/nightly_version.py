"""``release-actions nightly-version``.

git's reads start first (:class:`~release_actions.steps.tag_state.TagRead`; under
``python -m release_actions`` even before the command line is parsed, see
:mod:`release_actions.interface.early`), and the rest of the command (the TOML
reader, the version modules and ``packaging``) is imported and run while git
works: in a large history ``git describe`` takes longer than all of that.
"""

from __future__ import annotations

from release_actions.interface import early
from release_actions.interface.commands.common import managed_data, repo_dir, repo_manifests
from release_actions.interface.output import Console, markdown_table
from release_actions.interface.spec import JSON, REPO, Opt, Options, branch_input, date_input
from release_actions.steps.tag_state import TagRead

OPTIONS = (
    REPO,
    JSON,
    Opt(
        "--date",
        "RA_DATE",
        check=date_input,
        help="YYYYMMDD (default: SOURCE_DATE_EPOCH or today, UTC)",
    ),
    Opt(
        "--branch",
        "RA_BRANCH",
        check=branch_input,
        help="branch the build belongs to (default: from the event or HEAD)",
    ),
    Opt("--no-fetch", kind="flag", help="never fetch tags or history from origin"),
)


def run(options: Options, out: Console) -> int:
    repo_path, fetch = repo_dir(options.repo), not options.no_fetch
    started = early.take(repo_path, fetch=fetch)
    with started or TagRead(repo_path, fetch=fetch) as tags:
        from release_actions.core.config import convention_settings
        from release_actions.steps.nightly import nightly_version  # while git works

        pyproject, config = repo_manifests(repo_path)
        result = nightly_version(
            repo_path,
            date=options.date or None,
            branch=options.branch or None,
            default_branch=config.default_branch,
            pyproject=pyproject,
            fetch=fetch,
            tags=tags,
            pyprojects=managed_data(repo_path, config, pyproject),
            settings=convention_settings(config),
        )
    conventions = f"conventions: {result.conventions.summary()}"
    out.log(conventions)  # a log line, not an annotation on every nightly
    for note in result.notes:
        out.notice(note, title="nightly-version")
    data = result.as_dict()
    out.result(data)
    rows = [(k, str(v)) for k, v in data.items()] + [("branch", result.branch)]
    summary = "### Nightly version\n\n" + markdown_table(rows, ("", "value"))
    summary += f"\nBase {result.base.version} comes from the {result.base.reason}.\n"
    for note in (conventions, *result.notes):
        summary += f"\n- {note}"
    out.summary(summary + "\n")
    return 0
