"""``release-actions wait-pypi``: wait (bounded) until an index serves NAME==VERSION."""

from __future__ import annotations

import argparse
import sys

from release_actions.adapters.pypi_index import parse_requirement, wait_for_pypi_version
from release_actions.interface.commands.common import emit, env_default, env_list, require


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--index-url",
        default=env_default("RA_INDEX_URL"),
        help="simple index, e.g. https://pypi.org/simple/",
    )
    parser.add_argument(
        "requirements",
        nargs="*",
        metavar="NAME==VERSION",
        default=env_list("RA_REQUIREMENTS"),
    )
    parser.add_argument("--attempts", type=int, default=int(env_default("RA_WAIT_ATTEMPTS", "30")))
    parser.add_argument(
        "--interval", type=float, default=float(env_default("RA_WAIT_SECONDS", "10"))
    )
    parser.add_argument("--json", action="store_true", help="print the result as JSON")


def run(options: argparse.Namespace) -> int:
    require(
        bool(options.index_url),
        "no index URL given.",
        "pass --index-url, e.g. https://pypi.org/simple/",
    )
    require(
        bool(options.requirements),
        "nothing to wait for.",
        "pass NAME==VERSION arguments, e.g. llama-stack-client==0.8.0",
    )
    wanted = [parse_requirement(text) for text in options.requirements]
    for name, version in wanted:
        wait_for_pypi_version(
            options.index_url,
            name,
            version,
            attempts=options.attempts,
            interval=options.interval,
        )
        print(f"{name}=={version} is served by {options.index_url}", file=sys.stderr, flush=True)
    emit({"served": " ".join(f"{n}=={v}" for n, v in wanted)}, options.json)
    return 0
