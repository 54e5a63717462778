"""The ``release-actions`` command line. Each subcommand lives in ``commands/``.

Command modules are imported lazily, so ``compute-version`` and
``nightly-version`` never import the GitHub client. Every flag also has an
``RA_*`` environment variable (how the composite actions pass their inputs).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from release_actions import __version__
from release_actions.core.errors import ReleaseActionsError
from release_actions.interface.output import report_error

COMMANDS: dict[str, tuple[str, str]] = {
    "compute-version": ("compute_version", "version and publish plan for the triggering event"),
    "nightly-version": ("nightly_version", "the nightly {base}.devYYYYMMDD version"),
    "prepare-release": ("prepare_release", "prepare release-X.Y.x for vX.Y.Z (pins, lock)"),
    "post-release": ("post_release", "dev tag and fallback bump on main, npm lock on the branch"),
    "plan": ("plan", "the release owner's checklist for a version, with dry runs of each step"),
    "release-notes": ("release_notes", "GitHub-generated release notes (Markdown) for a tag"),
    "doctor": ("doctor", "read-only checks that the repository is releasable (exit 1 on failure)"),
    "maintained": ("maintained", "release branches of the last N stable lines (matrix, Mergify)"),
    "set-version": ("set_version", "stamp a version into a client package (pyproject/npm files)"),
    "build": ("build", "build the release's packages with the version forced, then verify it"),
    "verify-dists": ("verify_dists", "fail unless every wheel/sdist/tarball carries the version"),
    "smoke-install": ("smoke_install", "install the built wheels in a fresh venv and check them"),
    "publish-pypi-plan": ("publish_pypi_plan", "upload plan: skip identical, refuse changed files"),
    "npm-publish": ("npm_publish", "publish an npm package once, with an explicit dist-tag"),
    "wait-pypi": ("wait_pypi", "wait (bounded) until an index serves NAME==VERSION"),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="release-actions",
        description="Release automation for Python + npm monorepos versioned with setuptools-scm.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, (_module, help_text) in COMMANDS.items():
        sub.add_parser(name, help=help_text, add_help=False)
    return parser


def _formatter(prog: str) -> argparse.HelpFormatter:
    return argparse.HelpFormatter(prog, width=100)


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] not in COMMANDS:
        build_parser().parse_args(args)  # prints help or an error and exits
        return 2
    module_name, help_text = COMMANDS[args[0]]
    module = importlib.import_module(f"release_actions.interface.commands.{module_name}")
    parser = argparse.ArgumentParser(
        prog=f"release-actions {args[0]}",
        description=help_text,
        formatter_class=_formatter,  # a fixed width: argparse would import shutil for it
    )
    try:
        module.add_arguments(parser)
        options = parser.parse_args(args[1:])
        return int(module.run(options))
    except ReleaseActionsError as err:
        report_error(err)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
