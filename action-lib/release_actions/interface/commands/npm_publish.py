"""``release-actions npm-publish``: publish one npm package with an explicit dist-tag, once."""

from __future__ import annotations

import argparse
from pathlib import Path

from release_actions.interface.commands.common import (
    emit,
    env_default,
    env_tristate,
    open_repo,
    require,
)
from release_actions.interface.output import markdown_table, write_summary
from release_actions.steps.publish.npm import npm_publish


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "package",
        nargs="?",
        metavar="PATH",
        default=env_default("RA_PACKAGE"),
        help="package folder (packed with npm pack), a .tgz, or a folder holding one .tgz",
    )
    parser.add_argument(
        "--dist-tag",
        default=env_default("RA_DIST_TAG"),
        help="latest | latest-X.Y | rc | next | dev ... (always passed as --tag)",
    )
    parser.add_argument(
        "--registry",
        default=env_default("RA_REGISTRY"),
        help="npm registry (default: [tool.release-actions] npm-registry, else npmjs)",
    )
    parser.add_argument(
        "--npm-version",
        default=env_default("RA_NPM_VERSION"),
        help="the version the tarball must carry, npm form (e.g. 0.8.0-rc.1)",
    )
    parser.add_argument(
        "--provenance",
        default=env_default("RA_PROVENANCE", "auto"),
        help="auto (on npmjs with GitHub OIDC) | true | false",
    )
    parser.add_argument(
        "--access", default=env_default("RA_ACCESS"), help="public | restricted (scoped packages)"
    )
    parser.add_argument(
        "--wait-attempts", type=int, default=int(env_default("RA_WAIT_ATTEMPTS", "30"))
    )
    parser.add_argument(
        "--wait-seconds", type=float, default=float(env_default("RA_WAIT_SECONDS", "10"))
    )
    parser.add_argument(
        "--dry-run",
        action="store_true",
        default=env_tristate("RA_DRY_RUN") or False,
        help="npm publish --dry-run: check everything, upload nothing",
    )
    parser.add_argument(
        "--repo", default=env_default("RA_REPO", "."), help="repository (for the configuration)"
    )
    parser.add_argument("--json", action="store_true", help="print the result as JSON")


def run(options: argparse.Namespace) -> int:
    require(
        bool(options.package),
        "no package given: npm-publish needs a package folder or tarball.",
        "pass PATH (the package input / RA_PACKAGE)",
    )
    require(
        bool(options.dist_tag),
        "no dist-tag given: npm-publish always publishes with an explicit --tag.",
        "pass --dist-tag (compute-version's npm-dist-tag output), e.g. latest or rc",
    )
    registry = options.registry or open_repo(options.repo)[2].npm_registry
    result = npm_publish(
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
    emit(data, options.json)
    write_summary(
        f"### npm: {result.name}@{result.version} ({result.status})\n\n"
        + markdown_table([(k, str(v)) for k, v in data.items()], ("", "value"))
    )
    return 0
