"""``release-actions build``: build the release's packages with the version forced, verified."""

from __future__ import annotations

from pathlib import Path

from release_actions.core.versions import parse_artifact_version
from release_actions.interface.commands.common import open_repo, require
from release_actions.interface.output import Console, markdown_table
from release_actions.interface.spec import JSON, REPO, Opt, Options
from release_actions.steps.build import build

OPTIONS = (
    Opt("--version", "RA_VERSION", help="the version to build (PEP 440)"),
    REPO._replace(help="repository checkout (default: .)"),
    Opt(
        "--out",
        "RA_OUT_DIR",
        default="dist",
        input="out-dir",
        help="empty folder for the distributions (default: dist)",
    ),
    Opt(
        "--package",
        "RA_PACKAGES",
        kind="list",
        input="packages",
        help="Python project folder, relative to --repo (repeat; default: every pyproject.toml"
        " with [tool.setuptools_scm])",
    ),
    Opt(
        "--npm-package",
        "RA_NPM_PACKAGES",
        kind="list",
        input="npm-packages",
        help="npm package folder to pack, relative to --repo (repeat)",
    ),
    JSON,
)


def run(options: Options, out: Console) -> int:
    require(
        bool(options.version),
        "no version given: build needs the version to force.",
        "pass --version V (the version input / RA_VERSION), e.g. 0.8.0",
    )
    version = parse_artifact_version(options.version)
    repo_path, configured = Path(options.repo), tuple[str, ...]()
    if not options.package:  # the managed pyprojects of the repository's top level
        repo_path, _pyproject, config = open_repo(options.repo, need_git=False)
        configured = config.pyprojects
    result = build(
        repo_path,
        version,
        Path(options.out),
        projects=[Path(p) for p in options.package],
        npm_packages=[Path(p) for p in options.npm_package],
        configured=configured,
    )
    out.result(result.as_dict())
    rows = [(d.filename, f"{d.name} {d.version}") for d in result.dists]
    out.summary(
        f"### Built {version}\n\nEvery file's metadata carries {version}.\n\n"
        + markdown_table(rows, ("file", "metadata"))
    )
    return 0
