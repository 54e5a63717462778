"""One declarative table of inputs per command: flag, ``RA_*`` variable, type, default.

Each command module lists its inputs as :class:`Opt` rows. From that table
:func:`~release_actions.interface.parser.build_parser` makes the argparse parser
(:func:`read_plain` reads a plain command line without it) and :func:`resolve` fills every
value, in this order: the flag when given (a flag always replaces the variable),
else the ``RA_*`` variable when set and not blank, else the default. Every value
is checked against its type and choices before the command runs, so a malformed
input is an error naming the flag or the variable, and nothing is written. A
boolean that cannot be read is an error, never "false": a safety flag such as
``--dry-run`` fails closed.

The composite actions pass their inputs as ``RA_*`` variables; ``Opt.input`` is
the action input a row stands for, which a test checks against every
``action.yml``.

>>> rows = (Opt("--pin", "RA_PINS", kind="list"), Opt("--dry-run", "RA_DRY_RUN", kind="flag"))
>>> from release_actions.interface.parser import build_parser
>>> parser = build_parser("demo", "", rows)
>>> ns = resolve(rows, parser.parse_args(["--pin", "c"]), {"RA_PINS": "a b"})
>>> ns.pin, ns.dry_run
(['c'], False)
>>> resolve(rows, parser.parse_args([]), {"RA_PINS": "a, b", "RA_DRY_RUN": "yes"}).pin
['a', 'b']
>>> try:
...     resolve(rows, parser.parse_args([]), {"RA_DRY_RUN": "maybe"})
... except InvalidValueError as err:
...     print(err.message)
...     print(err.fix)
invalid RA_DRY_RUN (--dry-run) 'maybe': expected true or false.
set RA_DRY_RUN (the dry-run input) to true or false
"""

import re
from collections.abc import Callable, Mapping, Sequence
from types import SimpleNamespace
from typing import Any, NamedTuple, NoReturn

from release_actions.core.errors import InvalidValueError, ReleaseActionsError
from release_actions.core.text_inputs import (
    check_branch_name,
    check_date,
    check_identity,
    check_url,
    control_free,
)

TRUE_WORDS = frozenset({"true", "yes", "1", "on"})
FALSE_WORDS = frozenset({"false", "no", "0", "off"})
KINDS = ("str", "flag", "tristate", "list", "int", "float")
MAX_NUMBER_CHARS = 20
# Compiled on first use (``re`` caches them): compute- and nightly-version take no numbers.
_INT = r"[+-]?[0-9]+"
_FLOAT = r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"


class Opt(NamedTuple):
    """One input of a command.

    ``name`` is the flag (``--pin``) or, without dashes, a positional argument.
    ``kind``: str | flag (``--x``, false by default) | tristate (``--x``/``--no-x``,
    None when not given) | list (repeatable flag; the variable is split on commas,
    spaces and newlines) | int | float (finite, within ``minimum``..``maximum``).
    ``input`` is the action input this row stands for (default: the flag's name;
    empty for flags no action passes).
    """

    name: str
    env: str = ""
    kind: str = "str"
    default: Any = None
    help: str = ""
    choices: tuple[str, ...] = ()
    metavar: str = ""
    dest: str = ""
    minimum: float | None = None
    maximum: float | None = None
    check: Callable[[Any], Any] | None = None  # converts/validates the final value
    input: str | None = None
    secret: bool = False  # its value is never shown in an error (``***``)

    @property
    def positional(self) -> bool:
        return not self.name.startswith("-")

    @property
    def key(self) -> str:
        return self.dest or self.name.lstrip("-").replace("-", "_")

    @property
    def action_input(self) -> str:
        if self.input is not None:
            return self.input
        return self.name.lstrip("-") if self.env else ""

    @property
    def initial(self) -> Any:
        if self.default is not None:
            return self.default
        return {"flag": False, "list": [], "tristate": None}.get(self.kind, "")

    def label(self, from_env: bool) -> str:
        if from_env:
            return f"{self.env} ({self.name})" if not self.positional else self.env
        return self.name


def single_line(value: str) -> str:
    """A name or identity: no control characters (a newline would forge a trailer)."""
    return check_identity(value, "value")


def date_input(value: str) -> str:
    """YYYYMMDD, ASCII digits, from 2000-01-01 to tomorrow (UTC)."""
    return check_date(value, "value")


def branch_input(value: str) -> str:
    """A branch name as ``git check-ref-format --branch`` accepts it."""
    name = check_branch_name(value.removeprefix("refs/heads/"), "value")
    if name.startswith("release-"):
        from release_actions.core.versions import parse_release_branch  # packaging, when needed

        try:
            parse_release_branch(name)
        except InvalidValueError as err:
            raise InvalidValueError("value", value, err.accepted) from None
    return value


def url_input(value: str) -> str:
    """An http(s) URL with a host (credentials never shown in the error)."""
    return check_url(value, "value")


# The inputs most commands share.
REPO = Opt(
    "--repo",
    "RA_REPO",
    default=".",
    help="repository directory (default: .)",
    input="working-directory",
)
JSON = Opt("--json", kind="flag", help="print the result as one JSON document")


def write_options(dry_run_help: str) -> tuple[Opt, ...]:
    """The inputs every writing command shares: delivery mode, push, dry run, identity."""
    return (
        Opt(
            "--mode",
            "RA_MODE",
            choices=("push", "pull-request", "auto"),
            help="push | pull-request | auto (default: [tool.release-actions] write-mode)",
        ),
        Opt("--no-push", "RA_NO_PUSH", kind="flag", help="commit (and tag) locally, push nothing"),
        Opt("--dry-run", "RA_DRY_RUN", kind="flag", help=dry_run_help),
        Opt(
            "--bot-name",
            "RA_BOT_NAME",
            check=single_line,
            help="commit author name (default: config bot-name; in Actions github-actions[bot],"
            " else your git identity)",
        ),
        Opt(
            "--bot-email",
            "RA_BOT_EMAIL",
            check=single_line,
            help="commit author email (see --bot-name)",
        ),
        Opt("--no-signoff", kind="flag", help="no Signed-off-by trailer"),
    )


class UsageError(ReleaseActionsError):
    """A command line argparse could not read (exit code 2)."""


def read_plain(rows: Sequence[Opt], args: Sequence[str]) -> dict[str, Any] | None:
    """What argparse would parse from ``args``, when they are plain; else None.

    Plain: only the rows' own ``--name value`` and ``--name=value`` (the value neither
    empty nor starting with ``-``) and flags, each at most once, no positional. The
    usual command lines of compute-version and nightly-version are, and are read
    without importing argparse (and gettext). Anything else (``--help``, an unknown
    or repeated option, a tristate, ``--``) is None: argparse reads it, or says what
    is wrong with it.

    >>> rows = (Opt("--repo", "RA_REPO"), Opt("--json", kind="flag"), Opt("--pin", kind="list"))
    >>> read_plain(rows, ["--repo", "r", "--json", "--pin=a"])
    {'repo': 'r', 'json': True, 'pin': ['a']}
    >>> read_plain(rows, ["--repo", "-r"]), read_plain(rows, ["--json=1"]), read_plain(rows, ["-h"])
    (None, None, None)
    """
    options = {row.name: row for row in rows if not row.positional}
    if len(options) != len(rows):
        return None
    values: dict[str, Any] = {row.key: None for row in rows}  # argparse's defaults
    seen: set[str] = set()
    rest = list(args)
    while rest:
        name, eq, value = rest.pop(0).partition("=")
        row = options.get(name)
        if row is None or name in seen or row.kind == "tristate":
            return None
        seen.add(name)
        if row.kind == "flag":
            if eq:
                return None  # argparse: "ignored explicit argument"
            values[row.key] = True
            continue
        if not eq:
            if not rest:
                return None  # argparse: "expected one argument"
            value = rest.pop(0)
        if not value or value.startswith("-"):
            return None
        values[row.key] = [value] if row.kind == "list" else value
    return values


class Options(SimpleNamespace):
    """A command's resolved inputs, by key (``options.repo``): what :func:`resolve` gives."""


def _given(row: Opt, value: Any) -> bool:
    if row.positional and row.kind == "list":
        return bool(value)
    return value is not None


def _bad(row: Opt, raw: object, from_env: bool, accepted: str) -> NoReturn:
    where = (
        f"set {row.env} (the {row.action_input} input) to"
        if from_env and row.action_input
        else f"set {row.env} to"
        if from_env
        else f"pass {row.name}"
    )
    raise InvalidValueError(row.label(from_env), raw, accepted, fix=f"{where} {accepted}")


def _convert(row: Opt, raw: Any, from_env: bool) -> Any:
    """The typed value of ``raw`` (a flag's parsed value or a variable's text)."""
    if row.kind in ("flag", "tristate"):
        if isinstance(raw, bool):
            return raw
        word = str(raw).strip(" ").lower()  # 'false\n' is not 'false': fail closed
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        _bad(row, raw, from_env, "true or false")
    if row.kind == "list":
        if isinstance(raw, list):
            items = [str(item).strip(" ") for item in raw]
        else:
            items = str(raw).replace(",", " ").split()
        for item in items:
            _text(row, item, from_env)
        return [item for item in items if item]
    text = str(raw)
    if row.kind in ("int", "float"):
        return _number(row, text.strip(" "), from_env)
    # Only spaces are trimmed: a trailing newline ('0.8.0\n') is refused, not dropped.
    value = _text(row, text.strip(" "), from_env)
    if row.choices and value and value not in row.choices:
        _bad(row, raw, from_env, " | ".join(row.choices))
    return value


def _text(row: Opt, value: str, from_env: bool) -> str:
    """``value`` if it is one line of at most MAX_TEXT_CHARS without control characters."""
    try:
        return control_free(value)
    except InvalidValueError as err:
        _bad(row, "***" if row.secret else err.value, from_env, err.accepted)


def _number(row: Opt, text: str, from_env: bool) -> float | int:
    import math  # only for number inputs (compute- and nightly-version have none)

    low = row.minimum if row.minimum is not None else 0
    accepted = f"a {'whole ' if row.kind == 'int' else ''}number"
    accepted += f" from {low:g}" + (f" to {row.maximum:g}" if row.maximum is not None else "")
    # Full match, ASCII digits, bounded before int(): no '5\n', '1_0', '0x10', full-width digits.
    form = _INT if row.kind == "int" else _FLOAT
    if len(text) > MAX_NUMBER_CHARS or not re.fullmatch(form, text):
        _bad(row, text, from_env, accepted)
    try:
        value: float | int = int(text) if row.kind == "int" else float(text)
    except ValueError:
        _bad(row, text, from_env, accepted)
    if not math.isfinite(value) or value < low:
        _bad(row, text, from_env, accepted)
    if row.maximum is not None and value > row.maximum:
        _bad(row, text, from_env, accepted)
    return value


def resolve(rows: Sequence[Opt], parsed: object, env: Mapping[str, str]) -> Options:
    """Every row's final value: flag, else variable, else default; checked.

    ``parsed``: what argparse parsed, or :func:`read_plain`'s values as an :class:`Options`.
    """
    values: dict[str, Any] = {}
    for row in rows:
        given = getattr(parsed, row.key, None)
        if _given(row, given):
            value = _convert(row, given, from_env=False)
            from_env = False
        elif row.env and env.get(row.env, "").strip():
            value = _convert(row, env[row.env], from_env=True)
            from_env = True
        else:
            values[row.key] = row.initial
            continue
        if row.check is not None:
            try:
                value = row.check(value)
            except InvalidValueError as err:
                _bad(row, err.value, from_env, err.accepted)
        values[row.key] = value
    return Options(**values)
