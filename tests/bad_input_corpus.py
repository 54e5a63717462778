"""The bad-input corpus: hostile text inputs x the five command families, and its runner.

Cases are generated from category lists (versions and tags, branches, dates,
numbers, identities, URLs, event payloads, ``RA_*`` inputs) crossed with the
commands that take each input, through the flag and through the ``RA_*``
variable the composite actions set. :func:`run_case` runs one case through the
real CLI entry point with the environment of an action step, in a clone of the
test-bed origin, and classifies the outcome:

* ``refused``: nonzero exit (not 3, the internal-error code), one ``::error`` line
  holding ``Fix:``, no traceback, nothing written (refs of the clone and of origin,
  the working tree, ``.git/config``, worktrees, step outputs);
* ``traceback``: exit 3 or a Python traceback in the output;
* ``wrote``: anything written, whatever the exit code;
* ``accepted``: exit 0 on bad input (a wrong acceptance);
* ``unclear``: refused without writing, but not with exactly one error line and a fix.

``tests/test_bad_input.py`` asserts every case is ``refused``;
``scripts/bad-input-report.py`` prints the figures per family.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

from release_actions.interface.cli import main
from tests.testbed.monorepo import git
from tests.testbed.origin import Origin, copy_origin

FAMILIES = (
    "compute/nightly-version",
    "prepare-release",
    "post-release",
    "set-version/build/verify-dists/publish-pypi-plan/publish-npm",
    "doctor/plan/maintained",
)
FAMILY_OF = {
    "compute-version": FAMILIES[0],
    "nightly-version": FAMILIES[0],
    "prepare-release": FAMILIES[1],
    "post-release": FAMILIES[2],
    "set-version": FAMILIES[3],
    "build": FAMILIES[3],
    "verify-dists": FAMILIES[3],
    "publish-pypi-plan": FAMILIES[3],
    "publish-npm": FAMILIES[3],
    "doctor": FAMILIES[4],
    "plan": FAMILIES[4],
    "maintained": FAMILIES[4],
}
SECRET = "s3cr3t-t0ken"
UNREACHABLE = "http://127.0.0.1:9"


@dataclass(frozen=True)
class Case:
    """One hostile input: ``args`` after the command, ``env`` as the action sets it,
    ``event`` the payload file's bytes (None: no GITHUB_EVENT_PATH)."""

    category: str
    command: str
    args: tuple[str, ...] = ()
    env: tuple[tuple[str, str], ...] = ()
    event: bytes | None = None
    needle: str | None = None  # text the error line must contain ('' for no check)
    label: str = ""

    @property
    def family(self) -> str:
        return FAMILY_OF[self.command]

    @property
    def id(self) -> str:
        shown = self.label or " ".join([*self.args, *(f"{k}={v}" for k, v in self.env)])
        shown = shown if len(shown) <= 60 else shown[:40] + f"...[{len(shown)}]"
        return f"{self.category}:{self.command}:{shown!r}"


# --------------------------------------------------------------------------- the values

CONTROL = ["\n", "\r", "\r\n", "\t", "\x1b[31m", "\x7f", "\u2028", "\x85"]
HUGE_DIGITS = "9" * 10_000


def _days_from_now(days: int) -> str:
    return f"{datetime.now(timezone.utc) + timedelta(days=days):%Y%m%d}"


# Today at 00:00 UTC: a date derived from it gives the same test id all day, in every
# pytest-xdist worker (which must collect the same tests).
MIDNIGHT = datetime.now(timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)

# Bad for every command that takes a version (set-version and build accept dev versions).
VERSIONS = [
    "0.8.0\n",
    "0.8.0\r\n",
    "\n0.8.0",
    "0.8.0\t",
    "0.8.0\x1b[0m",
    "0.8.0\u2028",
    "latest",
    "latest\n",
    "\uff10.\uff18.\uff10",  # full-width 0.8.0
    "0.\uff18.0",
    "\u0660.\u0668.\u0660",  # Arabic-Indic 0.8.0
    "0.8.\u0661",
    "1" + HUGE_DIGITS + ".0.0",
    "0.0." + HUGE_DIGITS,
    "0.8.0rc" + HUGE_DIGITS,
    HUGE_DIGITS,
    "0.8.0; rm -rf /",
    "$(id)",
    "0.8.0`id`",
    "0.8.0-rc1",
    "0.8.0+local",
    "1!0.8.0",
    "v0.8.0",
    "08.0.0",
    "0.8.0 && curl x",
]
# Also bad where only a release version X.Y.Z[rcN] is accepted.
RELEASE_ONLY = ["0.8", "0.8.0.0", "0.8.0.post1", "0.8.0.dev1", "0.8.0rc1.dev2", "0.8.0.DEV1"]
TAGS = [
    "v0.7.1\n",
    "v0.7.1\r",
    "\nv0.7.1",
    "v0.7.1\x1b",
    "0.7.1",
    "V0.7.1",
    "v0.7",
    "v\uff10.7.1",
    "v0.\u0667.1",
    "v0.7.1.post1",
    "v" + HUGE_DIGITS + ".0.0",
    "v0.7." + HUGE_DIGITS,
    "refs/tags/v0.7.1\n",
    "v0.7.1 && id",
    "latest\n",
]
BRANCHES = [
    "release-0.7.x\n",
    "release-0.7.x\r",
    "\nrelease-0.7.x",
    "release-0.7.x\x1b[0m",
    "release-\uff10.7.x",
    "release-0.\u0667.x",
    "release-" + HUGE_DIGITS + ".0.x",
    "main..x",
    "a b",
    "-main",
    "/main",
    "main/",
    "main.lock",
    "a//b",
    "main@{1}",
    "@",
    ".hidden",
    "a/.b",
    "main~1",
    "main^",
    "a:b",
    "a?",
    "a*",
    "a[",
    "a\\b",
    "x" * 300,
    "release-0.7.x;id",
]
MISSING_BRANCHES = ["release-0.9.x", "release-1.0.x", "no-such-branch", "feature/gone"]
DATES = [
    "19691231",
    "19991231",
    "99991231",
    _days_from_now(2),
    _days_from_now(400),
    "20261201\n",
    "\n20261201",
    "\uff12\uff10\uff12\uff16\uff11\uff12\uff10\uff11",  # full-width 20261201
    "2026120\u0661",
    "20261301",
    "20260230",
    "20261200",
    "2026-12-01",
    "2026121",
    "202612011",
    "today",
    "0x1234",
    HUGE_DIGITS,
    "+20261201",
]
EPOCHS = [
    "-1",
    "0",
    "946684799",  # 1999-12-31T23:59:59Z
    "1e9",
    "99999999999999999999",
    HUGE_DIGITS,
    "\uff11\uff17\uff16\uff17\uff12\uff12\uff15\uff16\uff10\uff10",
    "1767225600\n",
    "253402300800",  # year 10000
    str(int(MIDNIGHT.timestamp()) + 5 * 86400),  # five days ahead
    "nan",
    "1767225600.5",
    "yesterday",
]
INTS = [
    "inf",
    "nan",
    "-1",
    "1e400",
    "1001",
    "\uff11\uff10",
    "1_0",
    HUGE_DIGITS,
    "0x10",
    "5\n",
    "2.5",
]
FLOATS = ["inf", "-inf", "nan", "-1", "1e400", "3601", "\uff11\uff10", HUGE_DIGITS, "5\n", "1_0"]
COUNTS = ["0", "-1", "1.5", "\uff13", HUGE_DIGITS, "1001", "3\n", "two", "1_0"]
IDENTITIES = [
    "Release Bot\nSigned-off-by: Evil <evil@example.com>",
    "bot@example.com\nSigned-off-by: Evil <evil@example.com>",
    "bot\r",
    "bot\x1b[31m",
    "bot\u2028Signed-off-by: x",
    "Evil <evil@example.com>",
    "bot>",
    "x" * 2000,
    "bot\x85",
]
URLS = [
    "ftp://example.com/simple/",
    "file:///etc/",
    "http://",
    "https:///simple/",
    "http://exa mple.com/simple/",
    "https://example.com/simple/\n",
    "\nhttps://example.com/simple/",
    f"https://user:{SECRET}@exa mple.com/simple/",
    f"ftp://user:{SECRET}@example.com/",
    "javascript:alert(1)",
    "example.com/simple/",
    "//example.com/simple/",
    "http://[::1/simple/",
    "http://example.com:99999/",
    "http://example.com:abc/",
    "https://ex\x1bample.com/",
    'http://ex"ample.com/',
    "https://pypi.org/simple/ https://evil.example/",
    "https://" + "a" * 2000 + ".example/",
]

# --------------------------------------------------------------------------- the commands

# A valid command line for each command, with {} where the hostile value goes.
BASE = {
    "compute-version:version": ("--event", "workflow_dispatch", "--dry-run", "off", "--version"),
    "compute-version:tag": ("--event", "release", "--tag"),
    "compute-version:date": ("--event", "schedule", "--no-fetch", "--date"),
    "compute-version:branch": ("--event", "push", "--no-fetch", "--date", "20261201", "--branch"),
    "nightly-version:date": ("--no-fetch", "--date"),
    "nightly-version:branch": ("--no-fetch", "--date", "20261201", "--branch"),
    "prepare-release:version": ("--version",),
    "post-release:tag": ("--tag",),
    "set-version:version": ("--package-dir", "src/llama_stack_ui", "--version"),
    "build:version": ("--out", "dist-bad", "--version"),
    "verify-dists:version": (".", "--version"),
    "publish-pypi-plan:version": ("--index-url", UNREACHABLE + "/simple/", ".", "--version"),
    "plan:version": (),
}
VERSION_ENV = {
    "compute-version": ("RA_VERSION", ("--event", "workflow_dispatch", "--dry-run", "off")),
    "prepare-release": ("RA_VERSION", ()),
    "set-version": ("RA_VERSION", ("--package-dir", "src/llama_stack_ui")),
    "build": ("RA_VERSION", ("--out", "dist-bad")),
    "verify-dists": ("RA_VERSION", (".",)),
    "publish-pypi-plan": ("RA_VERSION", ("--index-url", UNREACHABLE + "/simple/", ".")),
}


def _shown(value: str) -> str:
    """How an error shows a value: its repr without the quotes, or a truncated form."""
    if len(value) > 64 or value.startswith("-"):
        return ""  # shortened in the message, or an option to argparse: not checked
    return repr(value)[1:-1]


def _flag(category: str, command: str, base: str, value: str, **kw: object) -> Case:
    args = BASE[f"{command}:{base}"]
    if command == "plan":
        return Case(category, command, (value,), needle=_shown(value), **kw)  # type: ignore[arg-type]
    return Case(category, command, (*args, value), needle=_shown(value), **kw)  # type: ignore[arg-type]


def _env(category: str, command: str, args: Iterable[str], name: str, value: str) -> Case:
    return Case(category, command, tuple(args), env=((name, value),), needle=_shown(value))


def version_cases() -> Iterator[Case]:
    for value in VERSIONS:
        for command in ("compute-version", "prepare-release", "set-version", "build"):
            yield _flag("version", command, "version", value)
        for command in ("verify-dists", "publish-pypi-plan", "plan"):
            yield _flag("version", command, "version", value)
    for value in VERSIONS[:12]:
        for command, (name, args) in VERSION_ENV.items():
            yield _env("version/RA_VERSION", command, args, name, value)
    for value in RELEASE_ONLY:
        for command in ("compute-version", "prepare-release", "plan"):
            yield _flag("version", command, "version", value)
    for value in TAGS:
        yield _flag("tag", "compute-version", "tag", value)
        yield _flag("tag", "post-release", "tag", value)
        yield _env("tag/RA_TAG", "post-release", (), "RA_TAG", value)
    for value in ("v0.9.9", "v0.7.9", "v0.6.0rc9"):  # well-formed, but no such tag
        yield Case("tag", "post-release", ("--tag", value), needle=value)


def branch_cases() -> Iterator[Case]:
    for value in BRANCHES:
        yield _flag("branch", "nightly-version", "branch", value)
        yield _flag("branch", "compute-version", "branch", value)
        yield Case("branch", "doctor", ("--branch", value), needle=_shown(value))
        yield Case(
            "branch", "maintained", ("--format", "mergify", "--base", value), needle=_shown(value)
        )
        yield Case(
            "branch",
            "prepare-release",
            ("--version", "0.7.2", "--release-branch", value),
            needle=_shown(value),
        )
    for value in BRANCHES[:8]:
        yield _env(
            "branch/RA_BRANCH", "nightly-version", ("--date", "20261201"), "RA_BRANCH", value
        )
        yield _env(
            "branch/RA_RELEASE_BRANCH",
            "prepare-release",
            ("--version", "0.7.2"),
            "RA_RELEASE_BRANCH",
            value,
        )
    for value in MISSING_BRANCHES:
        yield Case(
            "branch", "nightly-version", ("--date", "20261201", "--branch", value), needle=value
        )
        yield Case(
            "branch",
            "compute-version",
            ("--event", "push", "--date", "20261201", "--branch", value),
            needle=value,
        )
    yield Case(
        "branch",
        "prepare-release",
        ("--version", "0.7.2", "--release-branch", "release-0.8.x"),
        needle="release-0.8.x",
    )


# origin unreachable, through the environment only (nothing written to .git/config)
UNREACHABLE_ORIGIN = (
    ("GIT_CONFIG_COUNT", "1"),
    ("GIT_CONFIG_KEY_0", "url./nonexistent/.insteadOf"),
    ("GIT_CONFIG_VALUE_0", "file:///"),
)


def unreachable_origin_cases() -> Iterator[Case]:
    """A missing branch with origin unreachable: an error about origin, not a version."""
    for value in MISSING_BRANCHES:
        yield Case(
            "branch/origin unreachable",
            "nightly-version",
            ("--date", "20261201", "--branch", value),
            env=UNREACHABLE_ORIGIN,
            needle="Origin unreachable",
        )
        yield Case(
            "branch/origin unreachable",
            "compute-version",
            ("--event", "push", "--date", "20261201", "--branch", value),
            env=UNREACHABLE_ORIGIN,
            needle="Origin unreachable",
        )
        yield Case(
            "branch/origin unreachable",
            "doctor",
            ("--branch", value),
            env=UNREACHABLE_ORIGIN,
            needle="Origin unreachable",
        )


def date_cases() -> Iterator[Case]:
    for value in DATES:
        yield _flag("date", "nightly-version", "date", value)
        yield _flag("date", "compute-version", "date", value)
    for value in DATES[:10]:
        yield _env("date/RA_DATE", "nightly-version", ("--no-fetch",), "RA_DATE", value)
    for value in EPOCHS:
        for command, args in (
            ("nightly-version", ("--no-fetch",)),
            ("compute-version", ("--event", "schedule", "--no-fetch")),
        ):
            yield Case(
                "date/SOURCE_DATE_EPOCH",
                command,
                args,
                env=(("SOURCE_DATE_EPOCH", value),),
                needle=_shown(value),
            )


def number_cases() -> Iterator[Case]:
    for value in INTS:
        yield Case(
            "number",
            "post-release",
            ("--tag", "v0.7.1", "--npm-wait-attempts", value),
            needle=_shown(value),
        )
        yield _env(
            "number/RA_*", "post-release", ("--tag", "v0.7.1"), "RA_NPM_WAIT_ATTEMPTS", value
        )
        yield Case(
            "number",
            "publish-npm",
            ("src/llama_stack_ui", "--dist-tag", "dev", "--wait-attempts", value),
            needle=_shown(value),
        )
    for value in FLOATS:
        yield Case(
            "number",
            "post-release",
            ("--tag", "v0.7.1", "--npm-wait-seconds", value),
            needle=_shown(value),
        )
        yield _env("number/RA_*", "post-release", ("--tag", "v0.7.1"), "RA_NPM_WAIT_SECONDS", value)
        yield _env(
            "number/RA_*",
            "publish-npm",
            ("src/llama_stack_ui", "--dist-tag", "dev"),
            "RA_WAIT_SECONDS",
            value,
        )
    for value in COUNTS:
        yield Case("number", "doctor", ("--count", value), needle=_shown(value))
        yield Case("number", "maintained", ("--count", value), needle=_shown(value))
        yield _env("number/RA_*", "maintained", (), "RA_COUNT", value)


def identity_cases() -> Iterator[Case]:
    for value in IDENTITIES:
        for command, args in (
            ("prepare-release", ("--version", "0.7.2")),
            ("post-release", ("--tag", "v0.7.1")),
        ):
            yield Case("identity", command, (*args, "--bot-name", value), needle=_shown(value))
            yield Case("identity", command, (*args, "--bot-email", value), needle=_shown(value))
            yield _env("identity/RA_*", command, args, "RA_BOT_EMAIL", value)


def url_cases() -> Iterator[Case]:
    for value in URLS:
        needle = "" if SECRET in value else _shown(value)
        for command, args in (
            ("prepare-release", ("--version", "0.7.2", "--index-url")),
            ("plan", ("0.7.2", "--index-url")),
            ("publish-pypi-plan", (".", "--version", "0.7.2", "--index-url")),
            ("publish-npm", ("src/llama_stack_ui", "--dist-tag", "dev", "--registry")),
            ("post-release", ("--tag", "v0.7.1", "--npm-registry")),
        ):
            yield Case("url", command, (*args, value), needle=needle)
    for value in URLS[:6]:
        needle = "" if SECRET in value else _shown(value)
        yield Case(
            "url/RA_*",
            "post-release",
            ("--tag", "v0.7.1"),
            env=(("RA_NPM_REGISTRY", value),),
            needle=needle,
        )
        yield Case(
            "url/RA_*",
            "prepare-release",
            ("--version", "0.7.2"),
            env=(("RA_INDEX_URL", value),),
            needle=needle,
        )


def secret_cases() -> Iterator[Case]:
    """Well-formed URLs holding a token, to commands that then fail: the token never shows."""
    url = f"http://user:{SECRET}@127.0.0.1:9/simple/"
    for command, args in (
        ("prepare-release", ("--version", "0.7.2", "--index-url", url)),
        ("publish-pypi-plan", (".", "--version", "0.7.2", "--index-url", url)),
    ):
        yield Case("url/secret", command, args, needle="")
    yield Case(
        "url/secret",
        "prepare-release",
        ("--version", "0.7.2"),
        env=(("RA_INDEX_URL", url),),
        needle="",
    )


def _json(value: object) -> bytes:
    return json.dumps(value).encode()


RELEASE_PAYLOADS: list[tuple[str, bytes]] = [
    ("not JSON", b"{not json"),
    ("non-UTF-8", b"\xff\xfe{\x00}"),
    ("a list", b"[1, 2, 3]"),
    ("a string", b'"release"'),
    ("null", b"null"),
    ("deep nesting", b"[" * 100_000),
    ("release is a string", _json({"release": "v0.7.1"})),
    ("release is a list", _json({"release": ["v0.7.1"]})),
    ("tag_name is a number", _json({"release": {"tag_name": 71}})),
    ("tag_name is true", _json({"release": {"tag_name": True}})),
    ("tag_name is an object", _json({"release": {"tag_name": {"name": "v0.7.1"}}})),
    ("tag_name missing", _json({"release": {}})),
    ("tag_name null", _json({"release": {"tag_name": None}})),
    ("tag_name with a newline", _json({"release": {"tag_name": "v0.7.1\n"}})),
    ("no release", _json({})),
]
DISPATCH_PAYLOADS: list[tuple[str, bytes]] = [
    ("dry_run is true", _json({"inputs": {"dry_run": True, "version": "0.7.2"}})),
    ("dry_run is false", _json({"inputs": {"dry_run": False, "version": "0.7.2"}})),
    ("dry_run is a list", _json({"inputs": {"dry_run": ["off"], "version": "0.7.2"}})),
    ("dry_run is OFF", _json({"inputs": {"dry_run": "OFF", "version": "0.7.2"}})),
    ("dry_run is off\\n", _json({"inputs": {"dry_run": "off\n", "version": "0.7.2"}})),
    ("version is a number", _json({"inputs": {"dry_run": "off", "version": 72}})),
    ("version missing", _json({"inputs": {"dry_run": "off"}})),
    ("version with a newline", _json({"inputs": {"dry_run": "off", "version": "0.7.2\n"}})),
    ("version full-width", _json({"inputs": {"dry_run": "off", "version": "\uff10.7.2"}})),
    ("inputs is a string", _json({"inputs": "dry_run=off"})),
    ("inputs is a list", _json({"inputs": [["dry_run", "off"]]})),
    ("not JSON", b"dry_run=off"),
]
RUN_PAYLOADS: list[tuple[str, bytes]] = [
    ("workflow_run is a string", _json({"workflow_run": "x"})),
    ("failed run", _json({"workflow_run": {"conclusion": "failure", "event": "release"}})),
    ("push run", _json({"workflow_run": {"conclusion": "success", "event": "push"}})),
    ("no head_sha", _json({"workflow_run": {"conclusion": "success", "event": "release"}})),
    (
        "head_sha is a number",
        _json({"workflow_run": {"conclusion": "success", "event": "release", "head_sha": 5}}),
    ),
    (
        "head_sha is short",
        _json(
            {"workflow_run": {"conclusion": "success", "event": "release", "head_sha": "deadbeef"}}
        ),
    ),
    (
        "head_sha with a newline",
        _json(
            {
                "workflow_run": {
                    "conclusion": "success",
                    "event": "release",
                    "head_sha": "a" * 40 + "\n",
                }
            }
        ),
    ),
    (
        "head_sha of no tag",
        _json(
            {"workflow_run": {"conclusion": "success", "event": "release", "head_sha": "0" * 40}}
        ),
    ),
    ("conclusion is true", _json({"workflow_run": {"conclusion": True, "event": "release"}})),
    ("not JSON", b"<html>"),
]


def event_cases() -> Iterator[Case]:
    for label, payload in RELEASE_PAYLOADS:
        for command in ("compute-version", "post-release"):
            yield Case(
                "event payload",
                command,
                env=(("GITHUB_EVENT_NAME", "release"),),
                event=payload,
                needle="",
                label=f"release: {label}",
            )
    for label, payload in DISPATCH_PAYLOADS:
        yield Case(
            "event payload",
            "compute-version",
            env=(("GITHUB_EVENT_NAME", "workflow_dispatch"),),
            event=payload,
            needle="",
            label=f"workflow_dispatch: {label}",
        )
    for label, payload in RUN_PAYLOADS:
        yield Case(
            "event payload",
            "post-release",
            env=(("GITHUB_EVENT_NAME", "workflow_run"),),
            event=payload,
            needle="",
            label=f"workflow_run: {label}",
        )
    release_ok = _json({"release": {"tag_name": "v0.7.1", "prerelease": False}})
    for value in ("false", 0, 1, "yes", [], {}):
        payload = _json({"release": {"tag_name": "v0.7.1", "prerelease": value}})
        yield Case(
            "event payload",
            "compute-version",
            env=(("GITHUB_EVENT_NAME", "release"),),
            event=payload,
            needle="",
            label=f"release: prerelease is {value!r}",
        )
    for name, value in (
        ("GITHUB_BASE_REF", "release-0.7.x\n"),
        ("GITHUB_BASE_REF", "release-\uff10.7.x"),
        ("GITHUB_BASE_REF", "main..x"),
        ("GITHUB_REF", "refs/heads/release-0.7.x\n"),
        ("GITHUB_REF", "refs/heads/a b"),
        ("GITHUB_REF", "refs/heads/release-0.7"),
    ):
        for command, args in (
            ("nightly-version", ("--no-fetch", "--date", "20261201")),
            ("compute-version", ("--event", "pull_request", "--no-fetch", "--date", "20261201")),
        ):
            yield Case(
                "event payload/GITHUB_*",
                command,
                args,
                env=((name, value),),
                needle="",
                label=f"{name}={value!r}",
            )
    for name in ("deploy", "release\n", "Release", "release;id", "workflow_dispatch\r"):
        yield Case(
            "event payload",
            "compute-version",
            env=(("GITHUB_EVENT_NAME", name),),
            event=release_ok,
            needle="",
            label=f"GITHUB_EVENT_NAME={name!r}",
        )


# RA_* inputs as the actions pass them: choices and safety flags.
RA_INPUTS: list[tuple[str, tuple[str, ...], str, list[str]]] = [
    (
        "prepare-release",
        ("--version", "0.7.2"),
        "RA_MODE",
        ["yolo", "push\n", "PUSH", "pull_request", "auto;id"],
    ),
    ("post-release", ("--tag", "v0.7.1"), "RA_MODE", ["yolo", "push\n", "auto\r"]),
    (
        "prepare-release",
        ("--version", "0.7.2"),
        "RA_DRY_RUN",
        ["maybe", "false\n", "true\n", "tru", "2", "\uff54\uff52\uff55\uff45", "False;id"],
    ),
    (
        "post-release",
        ("--tag", "v0.7.1"),
        "RA_DRY_RUN",
        ["maybe", "false\n", "nope", "\u0661", "off\r"],
    ),
    ("prepare-release", ("--version", "0.7.2"), "RA_NO_PUSH", ["maybe", "true\n", "y"]),
    ("post-release", ("--tag", "v0.7.1"), "RA_NO_PUSH", ["maybe", "false\n"]),
    ("prepare-release", ("--version", "0.7.2"), "RA_LOCK_POLICY", ["yolo", "skip\n", "Skip"]),
    ("prepare-release", ("--version", "0.7.2"), "RA_PIN_STYLE", ["loose", "exact\n"]),
    ("prepare-release", ("--version", "0.7.2"), "RA_MILESTONE_GATE", ["maybe", "off\n"]),
    ("prepare-release", ("--version", "0.7.2"), "RA_DRAFT_RELEASE", ["maybe", "true\n"]),
    ("prepare-release", ("--version", "0.7.2"), "RA_PINS", ["llama-stack-client\x1b[0m"]),
    ("post-release", ("--tag", "v0.7.1"), "RA_NEXT_DEV", ["major", "minor\n", "Patch"]),
    ("post-release", ("--tag", "v0.7.1"), "RA_RC_POLICY", ["yolo", "skip\n"]),
    ("post-release", ("--tag", "v0.7.1"), "RA_MAIN_PIN_STYLE", ["exact", "minimum\n"]),
    ("set-version", ("--version", "0.7.2"), "RA_KIND", ["rust", "npm\n"]),
    (
        "set-version",
        ("--version", "0.7.2", "--package-dir", "src/llama_stack_ui"),
        "RA_DRY_RUN",
        ["maybe", "false\n"],
    ),
    (
        "publish-npm",
        ("src/llama_stack_ui",),
        "RA_DIST_TAG",
        ["0.8.0", "v0.8.0", "latest\n", "la test", "l\uff41test", "\u0661rc"],
    ),
    ("publish-npm", ("src/llama_stack_ui", "--dist-tag", "dev"), "RA_PROVENANCE", ["maybe"]),
    ("publish-npm", ("src/llama_stack_ui", "--dist-tag", "dev"), "RA_ACCESS", ["private"]),
    ("publish-npm", ("src/llama_stack_ui", "--dist-tag", "dev"), "RA_DRY_RUN", ["maybe"]),
    ("maintained", (), "RA_FORMAT", ["xml", "json\n"]),
    ("compute-version", ("--event", "workflow_dispatch"), "RA_DRY_RUN", ["yes", "off\n"]),
    ("compute-version", ("--event", "release", "--tag", "v0.7.1"), "RA_PRERELEASE", ["maybe"]),
    ("compute-version", ("--event", "release", "--tag", "v0.8.0rc1"), "RA_RC_TARGET", ["npm"]),
    ("compute-version", (), "RA_EVENT", ["deploy", "release\n"]),
]


def ra_input_cases() -> Iterator[Case]:
    for command, args, name, values in RA_INPUTS:
        for value in values:
            yield _env("RA_* input", command, args, name, value)
    for value in ("yolo", "Push", "push\n"):
        yield Case(
            "RA_* input",
            "prepare-release",
            ("--version", "0.7.2", "--mode", value),
            needle=_shown(value),
        )


def all_cases() -> list[Case]:
    cases = [
        *version_cases(),
        *branch_cases(),
        *unreachable_origin_cases(),
        *date_cases(),
        *number_cases(),
        *identity_cases(),
        *url_cases(),
        *secret_cases(),
        *event_cases(),
        *ra_input_cases(),
    ]
    seen: set[tuple[object, ...]] = set()
    unique = []
    for case in cases:
        key = (case.command, case.args, case.env, case.event)
        if key not in seen:
            seen.add(key)
            unique.append(case)
    return unique


# --------------------------------------------------------------------------- the runner


@dataclass
class Outcome:
    case: Case
    code: int
    stdout: str
    stderr: str
    summary: str
    outputs: str
    wrote: list[str] = field(default_factory=list)

    @property
    def error_lines(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if line.startswith("::error")]

    @property
    def traceback(self) -> bool:
        text = self.stdout + self.stderr
        return self.code == 3 or "Traceback (most recent call last)" in text

    @property
    def leaked(self) -> bool:
        return SECRET in self.stdout + self.stderr + self.summary + self.outputs

    @property
    def verdict(self) -> str:
        if self.traceback:
            return "traceback"
        if self.wrote:
            return "wrote"
        if self.code == 0:
            return "accepted"
        lines = self.error_lines
        if len(lines) != 1 or "Fix: " not in lines[0] or self.leaked or self.stdout:
            return "unclear"
        return "refused"


class Bed:
    """A clone of the test-bed origin; :meth:`snapshot` is everything a case must not change."""

    def __init__(self, template: Origin, root: Path) -> None:
        self.template, self.root, self.count = template, root, 0
        self.origin = self._fresh()
        self.before = self.snapshot()

    def _fresh(self) -> Origin:
        self.count += 1
        return copy_origin(self.template, self.root / f"bed-{self.count}")

    @property
    def work(self) -> Path:
        return self.origin.work

    def snapshot(self) -> dict[str, str]:
        """Three git calls a case (the corpus runs a thousand): ``show-ref --head`` holds
        HEAD and every ref, ``refs/stash`` included; a linked worktree is a folder in
        ``.git/worktrees`` (the bed starts with none)."""
        work = self.origin.work
        linked = work / ".git" / "worktrees"
        return {
            "clone refs": git(work, "show-ref", "--head").stdout,
            "origin refs": git(self.origin.bare, "for-each-ref").stdout,
            "working tree": git(work, "status", "--porcelain", "--ignored").stdout,
            ".git/config": (work / ".git" / "config").read_text(encoding="utf-8"),
            "worktrees": " ".join(sorted(os.listdir(linked))) if linked.is_dir() else "",
        }

    def changes(self) -> list[str]:
        after = self.snapshot()
        return [key for key, value in after.items() if self.before.get(key) != value]

    def reset(self) -> None:
        """A new bed after a case wrote something (the next case must start clean)."""
        shutil.rmtree(self.origin.work.parent, ignore_errors=True)
        self.origin = self._fresh()
        self.before = self.snapshot()


BASE_ENV = {
    "GITHUB_ACTIONS": "true",
    "GITHUB_API_URL": UNREACHABLE,
    "GITHUB_REPOSITORY": "llama-stack/llama-stack",
    "GIT_TERMINAL_PROMPT": "0",
    "NO_COLOR": "1",
    "RELEASE_ACTIONS_MAX_RETRY_WAIT": "0",
    "UV_HTTP_RETRIES": "0",  # uv lock against an unreachable index fails at once
}


@contextlib.contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    saved = dict(os.environ)
    for name in list(os.environ):
        if name.startswith(("RA_", "GITHUB_", "RUNNER_", "GIT_CONFIG_")) or name in (
            "SOURCE_DATE_EPOCH",
            "CI",
        ):
            del os.environ[name]
    os.environ.update(values)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def run_case(case: Case, bed: Bed, scratch: Path, *, actions: bool = True) -> Outcome:
    """Run ``case`` in ``bed`` (cwd: the clone); ``scratch`` is an empty folder for files."""
    scratch.mkdir(parents=True, exist_ok=True)
    outputs, summary = scratch / "github_output", scratch / "step_summary"
    outputs.write_text("")
    summary.write_text("")
    env = dict(BASE_ENV, GITHUB_OUTPUT=str(outputs), GITHUB_STEP_SUMMARY=str(summary))
    if not actions:
        del env["GITHUB_ACTIONS"]
    if case.event is not None:
        event_file = scratch / "event.json"
        event_file.write_bytes(case.event)
        env["GITHUB_EVENT_PATH"] = str(event_file)
    env.update(case.env)
    args = [case.command, *case.args]
    if case.command not in ("verify-dists", "publish-pypi-plan"):
        args[1:1] = ["--repo", str(bed.work)]
    stdout, stderr = io.StringIO(), io.StringIO()
    cwd = os.getcwd()
    os.chdir(bed.work)
    try:
        with (
            _environment(env),
            contextlib.redirect_stdout(stdout),
            contextlib.redirect_stderr(stderr),
        ):
            try:
                code = main(args)
            except SystemExit as exc:  # argparse --help / --version
                code = exc.code if isinstance(exc.code, int) else 1
    finally:
        os.chdir(cwd)
    return Outcome(
        case,
        code,
        stdout.getvalue(),
        stderr.getvalue(),
        summary.read_text(),
        outputs.read_text(),
        bed.changes(),
    )
