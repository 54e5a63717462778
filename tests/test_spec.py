"""The declarative input tables: argparse, the environment and every action.yml agree.

Each command declares its inputs once (``OPTIONS``). The composite actions pass
their inputs as ``RA_*`` variables; these tests hold the two together, and check
the precedence (a flag replaces its variable) and the fail-closed reading of
booleans.
"""

from __future__ import annotations

import importlib
import random
import re
from pathlib import Path
from types import ModuleType

import pytest
import yaml

from release_actions.core.errors import InvalidValueError
from release_actions.interface.cli import COMMANDS
from release_actions.interface.parser import build_parser
from release_actions.interface.spec import Opt, read_plain, resolve

ROOT = Path(__file__).resolve().parent.parent
ACTIONS = sorted(ROOT.glob("actions/*/action.yml"))
# Variables read below the interface, not by a command's table: the token of remote
# git calls and GitHub API calls (adapters.git.remote_env, adapters.github_client).
ADAPTER_VARIABLES = {"RA_TOKEN"}


def command_module(name: str) -> ModuleType:
    return importlib.import_module(f"release_actions.interface.commands.{COMMANDS[name][0]}")


def action_step(path: Path) -> tuple[str, dict[str, str], dict[str, object]]:
    """(command, env of the step that runs it, the action's inputs)."""
    action = yaml.safe_load(path.read_text())
    for step in action["runs"]["steps"]:
        match = re.search(r"run-action\"?(?: --lock \w+)? ([a-z-]+)", str(step.get("run", "")))
        if match:
            return match[1], dict(step.get("env") or {}), dict(action.get("inputs") or {})
    raise AssertionError(f"{path}: no step runs scripts/run-action")


@pytest.mark.parametrize("path", ACTIONS, ids=[p.parent.name for p in ACTIONS])
def test_action_inputs_match_the_command_table(path: Path) -> None:
    command, env, inputs = action_step(path)
    assert path.parent.name == command, "one name per command: action folder = CLI command"
    rows = {row.env: row for row in command_module(command).OPTIONS if row.env}
    passed = set()
    for variable, value in env.items():
        match = re.match(r"\$\{\{ inputs\.([a-z0-9-]+)\b", str(value))
        if not match:
            continue
        passed.add(match[1])
        if not variable.startswith("RA_") or variable in ADAPTER_VARIABLES:
            continue  # e.g. NODE_AUTH_TOKEN for npm itself
        assert variable in rows, f"{command}: {variable} is read by no row of the table"
        assert rows[variable].action_input == match[1], (variable, rows[variable].action_input)
    assert passed == set(inputs), f"{command}: inputs never passed: {set(inputs) - passed}"


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_table_builds_a_parser(command: str) -> None:
    rows = command_module(command).OPTIONS
    keys = [row.key for row in rows]
    assert len(keys) == len(set(keys)), "two rows share a destination"
    envs = [row.env for row in rows if row.env]
    assert len(envs) == len(set(envs)), "two rows share a variable"
    parser = build_parser(command, "", rows)
    assert "[env: RA_" in parser.format_help() or not envs
    options = resolve(rows, parser.parse_args([]), {})
    for row in rows:
        assert getattr(options, row.key) == row.initial


def test_the_module_name_is_the_command_name() -> None:
    for name, (module, _help) in COMMANDS.items():
        assert module == name.replace("-", "_")
        assert (ROOT / "action-lib/release_actions/interface/commands" / f"{module}.py").is_file()


ROWS = (
    Opt("--pin", "RA_PINS", kind="list"),
    Opt("--dry-run", "RA_DRY_RUN", kind="flag"),
    Opt("--prerelease", "RA_PRERELEASE", kind="tristate"),
    Opt("--attempts", "RA_ATTEMPTS", kind="int", default=30, maximum=1000),
    Opt("--seconds", "RA_SECONDS", kind="float", default=10.0, maximum=3600),
    Opt("--mode", "RA_MODE", choices=("push", "pull-request")),
    Opt("--repo", "RA_REPO", default="."),
)


def parse(argv: list[str], env: dict[str, str]) -> dict[str, object]:
    return vars(resolve(ROWS, build_parser("t", "", ROWS).parse_args(argv), env))


def test_a_flag_replaces_its_variable() -> None:
    assert parse(["--pin", "c"], {"RA_PINS": "a b"})["pin"] == ["c"]
    assert parse([], {"RA_PINS": "a,b\nc"})["pin"] == ["a", "b", "c"]
    assert parse(["--mode", "push"], {"RA_MODE": "pull-request"})["mode"] == "push"
    assert parse(["--no-prerelease"], {"RA_PRERELEASE": "true"})["prerelease"] is False
    assert parse([], {"RA_PRERELEASE": "true"})["prerelease"] is True
    assert parse([], {})["prerelease"] is None
    assert parse([], {"RA_REPO": "  "})["repo"] == "."
    values = parse([], {"RA_ATTEMPTS": "5", "RA_SECONDS": "0.5"})
    assert (values["attempts"], values["seconds"]) == (5, 0.5)


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"RA_DRY_RUN": "maybe"}, "RA_DRY_RUN"),
        ({"RA_DRY_RUN": "tru"}, "RA_DRY_RUN"),
        ({"RA_DRY_RUN": '"true"'}, "RA_DRY_RUN"),
        ({"RA_PRERELEASE": "2"}, "RA_PRERELEASE"),
        ({"RA_ATTEMPTS": "inf"}, "RA_ATTEMPTS"),
        ({"RA_ATTEMPTS": "-1"}, "RA_ATTEMPTS"),
        ({"RA_ATTEMPTS": "1e3"}, "RA_ATTEMPTS"),
        ({"RA_ATTEMPTS": "9" * 5000}, "RA_ATTEMPTS"),
        ({"RA_ATTEMPTS": "\uff11\uff12"}, "RA_ATTEMPTS"),  # full-width digits
        ({"RA_ATTEMPTS": "1001"}, "RA_ATTEMPTS"),
        ({"RA_SECONDS": "nan"}, "RA_SECONDS"),
        ({"RA_SECONDS": "inf"}, "RA_SECONDS"),
        ({"RA_SECONDS": "-0.5"}, "RA_SECONDS"),
        ({"RA_MODE": "yolo"}, "RA_MODE"),
    ],
)
def test_unreadable_values_fail_closed_and_name_the_variable(
    env: dict[str, str], named: str
) -> None:
    with pytest.raises(InvalidValueError) as info:
        parse([], env)
    assert named in info.value.message and info.value.fix


def test_flag_values_are_checked_too() -> None:
    with pytest.raises(InvalidValueError, match="--attempts"):
        parse(["--attempts", "nan"], {})
    with pytest.raises(InvalidValueError, match="--mode"):
        parse(["--mode", "yolo"], {})


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_plain_command_line_reads_as_argparse_reads_it(command: str) -> None:
    """read_plain (no argparse on compute- and nightly-version's path) gives argparse's
    values whenever it reads a command line; what it leaves (None) goes to argparse."""
    rows = command_module(command).OPTIONS
    parser = build_parser(command, "", rows)
    names = [row.name for row in rows if not row.positional]
    words = ["x", "-x", "", "a=b", "--", "-h", "--help", "--jso", " -y", "v 1", "-5"]
    rnd = random.Random(command)
    read = 0
    for _ in range(400):
        args: list[str] = []
        for _ in range(rnd.randint(0, 4)):
            name = rnd.choice([*names, *words])
            if rnd.random() < 0.3:
                args.append(f"{name}={rnd.choice(['v', '', '-v', 'a=b'])}")
            else:
                args.append(name)
                if rnd.random() < 0.8:
                    args.append(rnd.choice(["v", "w 1", "", "-v", "--json", *names]))
        plain = read_plain(rows, args)
        if plain is None:
            continue
        read += 1
        assert plain == vars(parser.parse_args(args)), args
    assert read > 20 or any(row.positional for row in rows)  # positionals: argparse
