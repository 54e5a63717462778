"""The ``release-actions`` command line. Each subcommand lives in ``commands/``.

Command modules are imported lazily, so ``compute-version`` and
``nightly-version`` never import the GitHub client, and argparse only when a
command line is not plain (:func:`~release_actions.interface.spec.read_plain`).
Each module declares its inputs as a table (``OPTIONS``, see
:mod:`release_actions.interface.spec`) and a ``run(options, out)`` that prints
through a :class:`~release_actions.interface.output.Console`.

Exit codes: 0 success; 1 a failure the tool explains (with a fix); 2 a command
line it cannot read; 3 an unexpected internal error (a bug: one ``error:`` line
naming the command and the exception type; ``RA_DEBUG=1`` shows the traceback);
130 interrupted; 141 stdout closed early (``| head``), quietly.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from release_actions import __version__
from release_actions.core import diagnostics
from release_actions.core.errors import ReleaseActionsError
from release_actions.interface import early
from release_actions.interface.output import Console
from release_actions.interface.spec import Options, UsageError, read_plain, resolve

if TYPE_CHECKING:
    import argparse

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
    "publish-npm": ("publish_npm", "publish an npm package once, with an explicit dist-tag"),
    "wait-pypi": ("wait_pypi", "wait (bounded) until an index serves NAME==VERSION"),
    "rehearse": ("rehearse", "run the project's release workflows under act, offline; report"),
}
EXIT_FAILURE, EXIT_USAGE, EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_PIPE = 1, 2, 3, 130, 141


def build_top_parser() -> argparse.ArgumentParser:
    import argparse  # only for a command line without a known command

    parser = argparse.ArgumentParser(
        prog="release-actions",
        description="Release automation for Python + npm projects versioned with setuptools-scm.",
        epilog="Run `release-actions COMMAND --help` for a command's inputs. Results go to "
        "stdout (--json: one JSON document), diagnostics to stderr.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, (_module, help_text) in COMMANDS.items():
        sub.add_parser(name, help=help_text, add_help=False)
    return parser


def _quiet_broken_pipe() -> None:
    """stdout was closed early: point it at /dev/null so the final flush is silent."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # not a real file (tests capture it)
        pass


def run_command(name: str, args: Sequence[str], out: Console) -> int:
    module_name, help_text = COMMANDS[name]
    module = importlib.import_module(f"release_actions.interface.commands.{module_name}")
    plain = read_plain(module.OPTIONS, args)
    if plain is not None:
        parsed: object = Options(**plain)
    else:
        from release_actions.interface.parser import build_parser  # argparse, when needed

        parsed = build_parser(f"release-actions {name}", help_text, module.OPTIONS).parse_args(
            list(args)
        )
    options = resolve(module.OPTIONS, parsed, os.environ)
    return int(module.run(options, out))


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] not in COMMANDS:
        build_top_parser().parse_args(args)  # prints help or an error and exits
        return EXIT_USAGE
    name, rest = args[0], args[1:]
    out = Console(as_json="--json" in rest)
    previous = diagnostics.set_sink(out.diagnostic)
    try:
        return run_command(name, rest, out)
    except UsageError as err:
        out.error(err)
        return EXIT_USAGE
    except ReleaseActionsError as err:
        out.error(err)
        return EXIT_FAILURE
    except BrokenPipeError:
        _quiet_broken_pipe()
        return EXIT_PIPE
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:
        if os.environ.get("RA_DEBUG", "").strip().lower() in ("1", "true", "yes", "on"):
            raise
        out.error(
            ReleaseActionsError(
                f"release-actions {name} failed unexpectedly: {type(exc).__name__}: {exc}",
                fix="this is a bug in release-actions: re-run with RA_DEBUG=1 to see the "
                "traceback, and report it with the command line",
                title="Internal error",
            )
        )
        return EXIT_INTERNAL
    finally:
        diagnostics.set_sink(previous)
        early.discard()  # git reads started for a command line that did not use them


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
