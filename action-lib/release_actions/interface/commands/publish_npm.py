"""``release-actions publish-npm``: publish one npm package with an explicit dist-tag, once."""

from __future__ import annotations

from pathlib import Path

from release_actions.interface.commands.common import open_repo, require
from release_actions.interface.output import Console, markdown_table, summary_rows
from release_actions.interface.spec import JSON, REPO, Opt, Options, url_input
from release_actions.steps.publish.npm import publish_npm

OPTIONS = (
    Opt(
        "package",
        "RA_PACKAGE",
        metavar="PATH",
        help="package folder (packed with npm pack), a .tgz, or a folder holding one .tgz",
    ),
    Opt(
        "--dist-tag",
        "RA_DIST_TAG",
        help="latest | latest-X.Y | rc | next | dev ... (always passed as --tag)",
    ),
    Opt(
        "--registry",
        "RA_REGISTRY",
        check=url_input,
        help="npm registry (default: [tool.release-actions] npm-registry, else npmjs)",
    ),
    Opt(
        "--npm-version",
        "RA_NPM_VERSION",
        help="the version the tarball must carry, npm form (e.g. 0.8.0-rc.1)",
    ),
    Opt(
        "--provenance",
        "RA_PROVENANCE",
        default="auto",
        choices=("auto", "true", "false"),
        help="auto (on npmjs with GitHub OIDC) | true | false",
    ),
    Opt(
        "--access",
        "RA_ACCESS",
        choices=("public", "restricted"),
        help="public | restricted (scoped packages)",
    ),
    Opt("--wait-attempts", "RA_WAIT_ATTEMPTS", kind="int", default=30, maximum=1000),
    Opt("--wait-seconds", "RA_WAIT_SECONDS", kind="float", default=10.0, maximum=3600),
    Opt(
        "--dry-run",
        "RA_DRY_RUN",
        kind="flag",
        help="npm publish --dry-run: check everything, upload nothing",
    ),
    REPO._replace(help="repository (for the configuration)"),
    JSON,
)


def run(options: Options, out: Console) -> int:
    require(
        bool(options.package),
        "no package given: publish-npm needs a package folder or tarball.",
        "pass PATH (the package input / RA_PACKAGE)",
    )
    require(
        bool(options.dist_tag),
        "no dist-tag given: publish-npm always publishes with an explicit --tag.",
        "pass --dist-tag (compute-version's npm-dist-tag output), e.g. latest or rc",
    )
    registry = options.registry or open_repo(options.repo, need_git=False)[2].npm_registry
    result = publish_npm(
        Path(options.package),
        dist_tag=options.dist_tag,
        registry=registry,
        expected_version=options.npm_version,
        dry_run=options.dry_run,
        provenance=options.provenance,
        access=options.access,
        wait_attempts=options.wait_attempts,
        wait_seconds=options.wait_seconds,
    )
    data = result.as_dict()
    out.result(data)
    out.summary(
        f"### npm: {result.name}@{result.version} ({result.status})\n\n"
        + markdown_table(summary_rows(data), ("", "value"))
    )
    return 0
