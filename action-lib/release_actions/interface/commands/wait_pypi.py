"""``release-actions wait-pypi``: wait (bounded) until an index serves NAME==VERSION."""

from __future__ import annotations

from release_actions.adapters.pypi_index import parse_requirement, wait_for_pypi_version
from release_actions.interface.commands.common import require
from release_actions.interface.output import Console
from release_actions.interface.spec import JSON, Opt, Options, url_input

OPTIONS = (
    Opt(
        "--index-url",
        "RA_INDEX_URL",
        check=url_input,
        help="simple index, e.g. https://pypi.org/simple/",
    ),
    Opt(
        "requirements",
        "RA_REQUIREMENTS",
        kind="list",
        metavar="NAME==VERSION",
        help="what to wait for",
    ),
    Opt(
        "--attempts",
        "RA_WAIT_ATTEMPTS",
        kind="int",
        default=30,
        maximum=1000,
        input="wait-attempts",
        help="how often to look",
    ),
    Opt(
        "--interval",
        "RA_WAIT_SECONDS",
        kind="float",
        default=10.0,
        maximum=3600,
        input="wait-seconds",
        help="seconds between the looks",
    ),
    JSON,
)


def run(options: Options, out: Console) -> int:
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
        out.log(f"{name}=={version} is served by {options.index_url}")
    out.result({"served": " ".join(f"{n}=={v}" for n, v in wanted)})
    return 0
