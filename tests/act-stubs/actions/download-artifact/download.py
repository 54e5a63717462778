"""act stub for actions/download-artifact: copy from ``$ACT_STUB_ARTIFACT_DIR``."""

from __future__ import annotations

import os
import shutil
import sys
from fnmatch import fnmatch
from pathlib import Path


def fail(message: str) -> None:
    print(f"::error title=act stub actions/download-artifact::{message}", flush=True)
    sys.exit(1)


def main() -> None:
    root_dir = os.environ.get("ACT_STUB_ARTIFACT_DIR", "")
    if not root_dir:
        fail("ACT_STUB_ARTIFACT_DIR is not set (run under tests/testbed/act.py)")
    if os.environ.get("STUB_RUN_ID", "").strip():
        fail("run-id (artifacts of another run) is not supported by the stub")
    root = Path(root_dir)
    name = os.environ.get("STUB_NAME", "").strip()
    dest = Path(os.environ["GITHUB_WORKSPACE"], os.environ.get("STUB_PATH", "").strip()).resolve()
    if name:
        if not (root / name).is_dir():
            fail(f"Artifact not found for name: {name}")
        chosen = {name: dest}
    else:
        pattern = os.environ.get("STUB_PATTERN", "").strip() or "*"
        merge = os.environ.get("STUB_MERGE", "").strip().lower() == "true"
        names = sorted(p.name for p in root.iterdir() if p.is_dir()) if root.is_dir() else []
        chosen = {n: dest if merge else dest / n for n in names if fnmatch(n, pattern)}
    for artifact, target in chosen.items():
        shutil.copytree(root / artifact, target, dirs_exist_ok=True)
        print(f"act stub: artifact {artifact!r} -> {target}")
    with open(os.environ["GITHUB_OUTPUT"], "a", encoding="utf-8") as out:
        out.write(f"download-path={dest}\n")


if __name__ == "__main__":
    main()
