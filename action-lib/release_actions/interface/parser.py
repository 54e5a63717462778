"""The argparse parser of a command's inputs (:class:`~release_actions.interface.spec.Opt` rows).

Imported only when it is needed: ``--help``, a usage error, or a command line that
:func:`~release_actions.interface.spec.read_plain` leaves to argparse (the plain
command lines of compute-version and nightly-version are read without argparse).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any, NoReturn

from release_actions.interface.spec import Opt, UsageError


class UsageParser(argparse.ArgumentParser):
    """Errors are :class:`~release_actions.interface.spec.UsageError` (exit code 2), not an exit."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message}", fix=f"see `{self.prog} --help`", title="Usage")


def build_parser(prog: str, description: str, rows: Sequence[Opt]) -> argparse.ArgumentParser:
    parser = UsageParser(
        prog=prog,
        description=description,
        # no prefixes: ``--jso`` would set --json while the CLI, which looks for the
        # literal ``--json`` before parsing, printed text (and errors) instead
        allow_abbrev=False,
        # a fixed width: argparse would import shutil to measure the terminal
        formatter_class=lambda prog: argparse.HelpFormatter(prog, width=100),
    )
    for row in rows:
        help_text = row.help + (f" [env: {row.env}]" if row.env else "")
        kwargs: dict[str, Any] = {"help": help_text, "default": None}
        if row.positional:
            kwargs["nargs"] = "*" if row.kind == "list" else "?"
            kwargs["metavar"] = row.metavar or row.name.upper()
            parser.add_argument(row.key, **kwargs)
            continue
        kwargs["dest"] = row.key
        if row.metavar:
            kwargs["metavar"] = row.metavar
        if row.kind == "flag":
            parser.add_argument(row.name, action="store_true", **kwargs)
        elif row.kind == "tristate":
            parser.add_argument(row.name, action=argparse.BooleanOptionalAction, **kwargs)
        elif row.kind == "list":
            parser.add_argument(row.name, action="append", **kwargs)
        else:
            parser.add_argument(row.name, **kwargs)
    return parser
