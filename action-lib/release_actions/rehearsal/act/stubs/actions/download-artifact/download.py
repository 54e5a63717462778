"""act stub for actions/download-artifact: copy from ``$ACT_STUB_ARTIFACT_DIR``.

As download-artifact v8: each artifact's digest is checked against the one the
upload-artifact stub recorded (``NAME.sha256`` next to the artifact), and a
mismatch does what ``digest-mismatch`` says: ``error`` (the default) fails the
step, ``warn`` and ``info`` report it, ``ignore`` says nothing.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
from fnmatch import fnmatch
from pathlib import Path

TITLE = "act stub actions/download-artifact"
DIGEST_MODES = ("ignore", "info", "warn", "error")


def fail(message: str) -> None:
    print(f"::error title={TITLE}::{message}", flush=True)
    sys.exit(1)


def tree_digest(folder: Path) -> str:
    """As the upload-artifact stub's (keep the two in step)."""
    digest = hashlib.sha256()
    for item in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(f"{item.relative_to(folder)}\0".encode() + item.read_bytes())
    return digest.hexdigest()


def check_digest(root: Path, artifact: str, mode: str) -> None:
    recorded = root / f"{artifact}.sha256"
    if not recorded.is_file():
        return  # not uploaded by the stub (put there by a test): nothing to compare
    expected, actual = recorded.read_text(encoding="utf-8").strip(), tree_digest(root / artifact)
    if expected == actual or mode == "ignore":
        return
    message = (
        f"Digest validation failed for artifact {artifact!r}: expected {expected}, got {actual}"
    )
    if mode == "error":
        fail(message)
    if mode == "warn":
        print(f"::warning title={TITLE}::{message}", flush=True)
    else:
        print(message, flush=True)


def main() -> None:
    root_dir = os.environ.get("ACT_STUB_ARTIFACT_DIR", "")
    if not root_dir:
        fail("ACT_STUB_ARTIFACT_DIR is not set (run under tests/testbed/act.py)")
    if os.environ.get("STUB_RUN_ID", "").strip():
        fail("run-id (artifacts of another run) is not supported by the stub")
    if (os.environ.get("STUB_SKIP_DECOMPRESS", "").strip().lower() or "false") != "false":
        fail("skip-decompress is not supported by the stub")
    mode = os.environ.get("STUB_DIGEST_MISMATCH", "").strip().lower() or "error"
    if mode not in DIGEST_MODES:
        fail(f"digest-mismatch must be one of {', '.join(DIGEST_MODES)}, not {mode!r}")
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
        check_digest(root, artifact, mode)
        shutil.copytree(root / artifact, target, dirs_exist_ok=True)
        print(f"act stub: artifact {artifact!r} -> {target}")
    with open(os.environ["GITHUB_OUTPUT"], "a", encoding="utf-8") as out:
        out.write(f"download-path={dest}\n")


if __name__ == "__main__":
    main()
