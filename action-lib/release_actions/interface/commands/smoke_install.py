"""``release-actions smoke-install``: install the built wheels in a fresh venv and check them."""

from __future__ import annotations

from pathlib import Path

from release_actions.core.versions import parse_any_version
from release_actions.interface.commands.common import open_repo, require
from release_actions.interface.output import Console, markdown_table
from release_actions.interface.spec import JSON, REPO, Opt, Options, url_input
from release_actions.steps.smoke import smoke_install

OPTIONS = (
    Opt("--version", "RA_VERSION", help="the version the wheels must carry"),
    Opt(
        "paths",
        "RA_PATHS",
        kind="list",
        metavar="DIR",
        help="folders of built wheels (also used as --find-links)",
    ),
    Opt(
        "--index-url",
        "RA_INDEX_URL",
        check=url_input,
        help="index for everything not built here (default: uv's default, PyPI)",
    ),
    Opt(
        "--extra-index-url",
        "RA_EXTRA_INDEX_URLS",
        kind="list",
        input="extra-index-urls",
        help="additional index (repeat)",
    ),
    Opt(
        "--pin",
        "RA_PINS",
        kind="list",
        input="pins",
        help="pinned sibling package whose pin must resolve (default: [tool.release-actions] pins)",
    ),
    Opt(
        "--module",
        "RA_MODULES",
        kind="list",
        input="modules",
        help="module whose __version__ must be the version (repeat)",
    ),
    Opt("--python", "RA_INSTALL_PYTHON", help="interpreter for the venv (default: uv's choice)"),
    REPO._replace(help="repository (for the configuration)"),
    JSON,
)


def run(options: Options, out: Console) -> int:
    require(
        bool(options.version),
        "no version given: smoke-install needs the version the wheels must report.",
        "pass --version V, e.g. 0.8.0",
    )
    require(
        bool(options.paths),
        "no folders given: smoke-install needs the built wheels.",
        "pass one or more folders of built wheels",
    )
    version = parse_any_version(options.version)
    pins = options.pin or list(open_repo(options.repo, need_git=False)[2].pins)
    result = smoke_install(
        [Path(p) for p in options.paths],
        version,
        index_url=options.index_url,
        extra_index_urls=options.extra_index_url,
        pins=pins,
        modules=options.module,
        python=options.python,
    )
    out.result(result.as_dict())
    rows = [(name, found) for name, found in sorted(result.installed.items())]
    rows += [(f"{module}.__version__", found) for module, found in result.modules.items()]
    pins_text = ", ".join(f"`{p}`" for p in result.pins) or "none"
    out.summary(
        f"### Install test of {version} (Python {result.python})\n\nPins checked: {pins_text}\n\n"
        + markdown_table(rows, ("installed", "version"))
    )
    return 0
