"""``release-actions rehearse``: run the project's own release workflows under act, offline,
against a throwaway world (origin, PyPI, TestPyPI, npm, GitHub's API), and report every
push and upload.

Every input is checked before anything starts (no world, no act). Exit codes: 0
when every job succeeded, 1 when a job failed or an input was refused (with the
fix), 130 on Ctrl-C; the world is taken down in every case, unless ``--keep``.
With ``--json`` stdout holds exactly one JSON document: the report (keys in
:mod:`release_actions.rehearsal.report`) or the error; act's output goes to
stderr only when a job fails, with secrets masked.
"""

from __future__ import annotations

from release_actions.core.events import EVENTS
from release_actions.interface.output import Console
from release_actions.interface.spec import REPO, Opt, Options

OPTIONS = (
    REPO,
    Opt("--event", choices=EVENTS, help="the event to rehearse: " + " | ".join(EVENTS)),
    Opt("--tag", help="release: the tag released (it must exist)"),
    Opt("--prerelease", kind="flag", help="release: the GitHub release is a prerelease"),
    Opt("--target", help="release: target_commitish (default: the branch holding the tag)"),
    Opt("--input", kind="list", metavar="NAME=VALUE",
        help="workflow_dispatch: an input, typed by the workflow's declaration (repeatable)"),
    Opt("--ref", help="push: the branch or refs/tags/TAG; workflow_dispatch: the branch"),
    Opt("--event-file", metavar="PATH",
        help="the event payload as JSON (flags add to it); checked like the flags"),
    Opt("--workflow", kind="list", metavar="FILE",
        help="a workflow file to run (repeatable; default: every workflow handling the event)"),
    Opt("--repository", metavar="OWNER/NAME",
        help="GITHUB_REPOSITORY (default: from origin's github.com URL, else local/DIR)"),
    Opt("--protect", kind="list", metavar="GLOB",
        help="protect branches matching GLOB on origin (GH006; repeatable)"),
    Opt("--ruleset", kind="list", metavar="REFGLOB",
        help="refuse pushes to refs matching REFGLOB, e.g. refs/heads/main (GH013; repeatable)"),
    Opt("--checkout-source", kind="list", metavar="OWNER/NAME=PATH",
        help="actions/checkout of repository OWNER/NAME clones PATH (repeatable)"),
    Opt("--var", kind="list", metavar="NAME=VALUE", help="a vars.NAME value (repeatable)"),
    Opt("--secret", kind="list", metavar="NAME=VALUE", secret=True,
        help="a secrets.NAME value (repeatable; never printed)"),
    Opt("--env", kind="list", metavar="NAME=VALUE",
        help="an environment variable of every step (repeatable)"),
    Opt("--prefill-from-registries", kind="flag",
        help="the world's PyPI, TestPyPI and npm hold placeholders of every version the real"
        " ones hold of the project's packages, pins and npm package"),
    Opt("--prefill-pypi", metavar="URL", help="the simple index read for PyPI's versions"
        " (default: https://pypi.org/simple/)"),
    Opt("--prefill-testpypi", metavar="URL", help="the simple index read for TestPyPI's"
        " versions (default: https://test.pypi.org/simple/)"),
    Opt("--prefill-npm", metavar="URL", help="the npm registry read for versions and"
        " dist-tags (default: https://registry.npmjs.org/)"),
    Opt("--keep", kind="flag", help="keep the world's folder for inspection (servers stop)"),
    Opt("--timeout", "RA_REHEARSE_TIMEOUT", kind="float", default=900.0, minimum=1,
        maximum=86400, help="seconds act may run (default: 900)"),
    Opt("--release-actions", "RA_RELEASE_ACTIONS_DIR", metavar="DIR",
        help="the release-actions checkout llama-stack/release-actions@v1 maps to"
        " (default: the one this package runs from)"),
    Opt("--json", kind="flag", help="print the report as one JSON document"),
)  # fmt: skip


def run(options: Options, out: Console) -> int:
    from release_actions.core.errors import InvalidValueError
    from release_actions.rehearsal.engine import Request, prepare, rehearse
    from release_actions.rehearsal.report import render

    if not options.event:
        raise InvalidValueError(
            "--event", "", " | ".join(EVENTS), fix="pass --event release --tag vX.Y.Z, say"
        )
    request = Request(
        event=options.event,
        repo=options.repo,
        tag=options.tag,
        prerelease=options.prerelease,
        target=options.target,
        inputs=tuple(options.input),
        ref=options.ref,
        event_file=options.event_file,
        workflows=tuple(options.workflow),
        repository=options.repository,
        protect=tuple(options.protect),
        ruleset=tuple(options.ruleset),
        checkout_sources=tuple(options.checkout_source),
        variables=tuple(options.var),
        secrets=tuple(options.secret),
        env=tuple(options.env),
        keep=options.keep,
        timeout=options.timeout,
        release_actions=options.release_actions,
        prefill=options.prefill_from_registries,
        prefill_pypi=options.prefill_pypi or "",
        prefill_testpypi=options.prefill_testpypi or "",
        prefill_npm=options.prefill_npm or "",
    )
    plan = prepare(request)
    try:
        report = rehearse(plan, log=out.log)
    except KeyboardInterrupt:  # Ctrl-C or SIGTERM: the world is gone; the CLI exits 130
        if out.as_json:
            out.json({"error": "the rehearsal was interrupted; its world was removed.",
                      "fix": "", "title": "Interrupted"})  # fmt: skip
        raise
    if out.as_json:
        out.json(report)
    else:
        out.text(render(report))
    return 0 if report["ok"] else 1
