#!/usr/bin/env python3
"""Run the bad-input corpus (tests/bad_input_corpus.py) and print the figures per family.

    .venv/bin/python scripts/bad-input-report.py            # the table
    .venv/bin/python scripts/bad-input-report.py --verbose  # and every case not refused
    .venv/bin/python scripts/bad-input-report.py -k url     # only cases whose id holds 'url'

Each case runs through the CLI entry point in a clone of the test-bed origin
(tests/testbed/origin.py), as a GitHub Actions step. Columns: tried, refused
cleanly, traceback, wrote (refs of the clone or origin, files, .git/config),
accepted wrongly (exit 0), unclear (refused without writing but not with exactly
one error line and a fix). Exit status 1 unless every case was refused cleanly.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "action-lib"), str(ROOT)]

from tests.bad_input_corpus import FAMILIES, Bed, all_cases, run_case  # noqa: E402
from tests.testbed.origin import make_origin  # noqa: E402

COLUMNS = ("refused", "traceback", "wrote", "accepted", "unclear")
HEADERS = (
    "family",
    "tried",
    "refused cleanly",
    "traceback",
    "wrote",
    "accepted wrongly",
    "unclear",
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="list every case not refused")
    parser.add_argument("-k", default="", help="only cases whose id contains this text")
    args = parser.parse_args()
    cases = [case for case in all_cases() if args.k in case.id]
    started = time.monotonic()
    counts: dict[str, Counter[str]] = {family: Counter() for family in FAMILIES}
    bad = []
    with tempfile.TemporaryDirectory(prefix="bad-input-") as tmp:
        root = Path(tmp)
        bed = Bed(make_origin(root / "template"), root / "beds")
        for number, case in enumerate(cases):
            outcome = run_case(case, bed, root / "scratch" / str(number))
            if outcome.wrote:
                bed.reset()
            counts[case.family][outcome.verdict] += 1
            if outcome.verdict != "refused":
                bad.append(outcome)
    rows = [
        (family, str(sum(c.values())), *(str(c[col]) for col in COLUMNS))
        for family, c in counts.items()
    ]
    total = Counter[str]()
    for c in counts.values():
        total.update(c)
    rows.append(("total", str(sum(total.values())), *(str(total[col]) for col in COLUMNS)))
    print("| " + " | ".join(HEADERS) + " |")
    print("|" + "---|" * len(HEADERS))
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print(f"\n{len(cases)} cases in {time.monotonic() - started:.0f} s")
    if args.verbose:
        for outcome in bad:
            last = (outcome.error_lines or outcome.stderr.strip().splitlines() or [""])[-1]
            detail = f"exit {outcome.code}" + (f", wrote {outcome.wrote}" if outcome.wrote else "")
            print(f"\n[{outcome.verdict}] {outcome.case.id} ({detail})\n    {last[:300]}")
    return 0 if not bad else 1


if __name__ == "__main__":
    sys.exit(main())
