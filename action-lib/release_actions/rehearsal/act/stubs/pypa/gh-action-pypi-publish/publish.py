"""act stub for pypa/gh-action-pypi-publish: ``uv publish`` to a local index only."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


def fail(message: str) -> None:
    print(f"::error title=act stub pypa/gh-action-pypi-publish::{message}", flush=True)
    sys.exit(1)


def main() -> None:
    url = os.environ.get("STUB_URL", "").strip()
    if urlsplit(url).hostname not in LOCAL_HOSTS:
        fail(f"refusing to upload to {url!r}: tests upload only to a local index (repository-url)")
    folder = Path(os.environ.get("STUB_DIR", "").strip() or "dist")
    files = sorted(p for p in folder.glob("*") if p.is_file() and not p.name.startswith("."))
    if not files:
        fail(f"no distributions in {folder}/")
    uv = os.environ.get("ACT_STUB_UV") or shutil.which("uv")
    if not uv:
        fail("no uv: set ACT_STUB_UV or put uv on PATH")
    cmd = [uv, "publish", "--no-config", "--trusted-publishing", "never", "--publish-url", url]
    cmd += ["--username", os.environ.get("STUB_USER") or "__token__"]
    cmd += ["--password", os.environ.get("STUB_PASSWORD") or "act-stub"]
    if os.environ.get("STUB_VERBOSE", "").strip().lower() == "true":
        cmd += ["--verbose"]
    if os.environ.get("STUB_SKIP_EXISTING", "").strip().lower() == "true":
        cmd += ["--check-url", url.rstrip("/") + "/simple/"]
    if os.environ.get("STUB_PRINT_HASH", "").strip().lower() == "true":
        for path in files:
            print(f"{path.name} sha256={hashlib.sha256(path.read_bytes()).hexdigest()}")
    print(f"act stub: uploading {', '.join(p.name for p in files)} to {url}", flush=True)
    sys.exit(subprocess.run([*cmd, *map(str, files)], check=False).returncode)


if __name__ == "__main__":
    main()
