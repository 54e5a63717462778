#!/usr/bin/env python3
"""Check that every reference to our own actions names the major version being released.

    scripts/check-self-refs.py --tag v1.4.0 [--prerelease false] [--root DIR]

Every ``uses: llama-stack/release-actions/<path>@<ref>`` (also in YAML comments and
Markdown examples) must have ``<ref>`` == ``vN``, the major of the released tag
``vN.x.y``: our reusable workflows call our actions at the moving major tag, and
the documentation tells consumers to do the same, so a v2.0.0 that still says
``@v1`` would run v1's actions. Files checked (relative to ``--root``):
``actions/**/action.y*ml``, ``actions/**/*.md``, ``.github/workflows/*.y*ml``, the
example consumer workflows ``tests/fixtures/consumer-workflows/**/*.y*ml`` and
``README.md``.

With ``--verify-head`` (the self-release workflow), the checkout's HEAD must be
the tag's commit; its id is written as the ``sha`` output.

Outputs (``$GITHUB_OUTPUT``, when set): ``tag``, ``major`` (``vN``), ``sha`` and
``move``: ``true`` for a final release, ``false`` for a pre-release (a tag with a
suffix such as ``v2.0.0rc1``, or a GitHub pre-release): the major tag only ever
points at a final release. Exit status: 0 when every reference agrees, 1 when
one does not (an ``::error`` annotation for each, with file and line), 2 for a
tag that is not a release tag. Standard library only: it runs on the runner's
``python3``.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

OWN = "llama-stack/release-actions"
PATTERNS = (
    "actions/**/action.yml",
    "actions/**/action.yaml",
    "actions/**/*.md",
    ".github/workflows/*.yml",
    ".github/workflows/*.yaml",
    "tests/fixtures/consumer-workflows/**/*.yml",
    "tests/fixtures/consumer-workflows/**/*.yaml",
    "README.md",
)
TAG_RE = re.compile(r"^v(?P<major>0|[1-9]\d*)\.(?:0|[1-9]\d*)\.(?:0|[1-9]\d*)(?P<pre>\S*)$")
# In YAML, in YAML comments and in Markdown (inline code ends at a backtick; a sentence
# may end right after the ref).
USES_RE = re.compile(
    r"""uses:\s*["']?(?P<uses>llama-stack/release-actions(?=[/@\s"'`]|$)(?P<path>/[^@\s"'#`]*)?"""
    r"""(?:@(?P<ref>[^\s"'#`,;)]*[^\s"'#`,;).]))?)""",
    re.IGNORECASE,
)
TRUE_WORDS = ("true", "1", "yes", "on")


class UsageError(Exception):
    """A bad tag or option (exit status 2)."""


@dataclass(frozen=True)
class Reference:
    path: str  # relative to the root
    line: int
    uses: str  # as written: llama-stack/release-actions/<path>@<ref>
    ref: str  # "" when the reference has no @ref


@dataclass(frozen=True)
class Release:
    tag: str
    major: str  # vN
    final: bool


def parse_tag(tag: str, *, prerelease: bool = False) -> Release:
    """``v1.4.0`` -> Release("v1.4.0", "v1", final=True); anything but vN.x.y[suffix] is an error.

    >>> parse_tag("v2.0.0rc1")
    Release(tag='v2.0.0rc1', major='v2', final=False)
    """
    name = tag.strip().removeprefix("refs/tags/")
    match = TAG_RE.match(name)
    if match is None:
        raise UsageError(
            f"{tag!r} is not a release tag vN.x.y (e.g. v1.4.0): there is no major tag to move"
        )
    return Release(name, f"v{match['major']}", final=not match["pre"] and not prerelease)


def files(root: Path, patterns: Sequence[str] = PATTERNS) -> list[Path]:
    found = {path for pattern in patterns for path in root.glob(pattern) if path.is_file()}
    return sorted(found)


def references(root: Path, paths: Iterable[Path]) -> Iterator[Reference]:
    for path in paths:
        text = path.read_text(encoding="utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), start=1):
            for match in USES_RE.finditer(line):
                rel = str(path.relative_to(root))
                yield Reference(rel, number, match["uses"], match["ref"] or "")


def problems(refs: Iterable[Reference], major: str) -> list[tuple[Reference, str]]:
    """(reference, what is wrong) for every reference that does not name ``major``."""
    wrong = []
    for ref in refs:
        if ref.ref == major:
            continue
        if not ref.ref:
            why = f"{ref.uses} has no @ref: call our own actions at @{major}"
        else:
            why = f"{ref.uses} names @{ref.ref}, but this release is {major}: use @{major}"
        wrong.append((ref, why))
    return wrong


def escape(value: str, *, prop: bool = False) -> str:
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return value.replace(":", "%3A").replace(",", "%2C") if prop else value


def write_outputs(values: dict[str, str]) -> None:
    target = os.environ.get("GITHUB_OUTPUT", "")
    if target:
        with open(target, "a", encoding="utf-8") as out:
            out.writelines(f"{key}={value}\n" for key, value in values.items())


def write_summary(text: str) -> None:
    target = os.environ.get("GITHUB_STEP_SUMMARY", "")
    if target:
        with open(target, "a", encoding="utf-8") as out:
            out.write(text)


def head_matches_tag(root: Path, tag: str) -> str:
    """The tag's commit, after checking that the checkout's HEAD is that commit."""

    def rev(ref: str) -> str:
        proc = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--verify", "--quiet", ref],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        return proc.stdout.strip()

    sha, head = rev(f"refs/tags/{tag}^{{commit}}"), rev("HEAD^{commit}")
    if not sha:
        raise UsageError(f"tag {tag} is not in the checkout at {root}")
    if sha != head:
        raise UsageError(f"the checkout is at {head[:12]}, not at {tag} ({sha[:12]})")
    return sha


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tag", required=True, help="the release tag, vN.x.y")
    parser.add_argument(
        "--prerelease", default="false", help="true for a GitHub pre-release (vN is not moved)"
    )
    parser.add_argument("--root", default=".", help="the repository (default: .)")
    parser.add_argument(
        "--verify-head", action="store_true", help="HEAD must be the tag's commit (output: sha)"
    )
    options = parser.parse_args(argv)
    root = Path(options.root).resolve()
    try:
        release = parse_tag(
            options.tag, prerelease=options.prerelease.strip().lower() in TRUE_WORDS
        )
        sha = head_matches_tag(root, release.tag) if options.verify_head else ""
    except UsageError as err:
        print(f"::error title=Not a release of this repository::{escape(str(err))}")
        return 2
    refs = list(references(root, files(root)))
    wrong = problems(refs, release.major)
    for ref, why in wrong:
        props = f"file={escape(ref.path, prop=True)},line={ref.line}"
        print(f"::error {props},title=Wrong major in uses::{escape(why)}")
    checked = len({ref.path for ref in refs})
    print(f"{len(refs)} references to {OWN} in {checked} files; {len(wrong)} wrong")
    summary = f"### Self-references for {release.tag}\n\n"
    summary += f"{len(refs)} `uses: {OWN}/...` in {checked} files, expected `@{release.major}`"
    summary += "".join(f"\n- :x: `{r.path}:{r.line}`: {why}" for r, why in wrong) + "\n"
    write_summary(summary)
    if wrong:
        return 1
    move = release.final
    if not move:
        print(f"::notice title=Pre-release::{release.tag} is a pre-release: {release.major} stays")
    write_outputs(
        {"tag": release.tag, "major": release.major, "sha": sha, "move": str(move).lower()}
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
