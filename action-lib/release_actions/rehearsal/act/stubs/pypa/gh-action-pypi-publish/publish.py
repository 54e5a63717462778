"""act stub for pypa/gh-action-pypi-publish: ``uv publish`` to a local index only.

In a rehearsal, an upload aimed at PyPI (upload.pypi.org) goes to
``ACT_STUB_PYPI_UPLOAD_URL`` and one aimed at TestPyPI (test.pypi.org) to
``ACT_STUB_TESTPYPI_UPLOAD_URL``, when set (local indexes only); every other
non-local URL is refused.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
# host of the real upload URL -> (what it is, the variable naming the world's stand-in)
REDIRECTS = {
    "upload.pypi.org": ("PyPI", "ACT_STUB_PYPI_UPLOAD_URL"),
    "test.pypi.org": ("TestPyPI", "ACT_STUB_TESTPYPI_UPLOAD_URL"),
}


def fail(message: str) -> None:
    print(f"::error title=act stub pypa/gh-action-pypi-publish::{message}", flush=True)
    sys.exit(1)


def redirected(url: str) -> tuple[str, bool]:
    """The URL to upload to, and whether it is a rehearsal's stand-in for PyPI/TestPyPI."""
    host = urlsplit(url).hostname
    if host in LOCAL_HOSTS:
        return url, False
    what, variable = REDIRECTS.get(host or "", ("", ""))
    target = os.environ.get(variable, "").strip() if variable else ""
    if not target:
        fail(f"refusing to upload to {url!r}: tests upload only to a local index (repository-url)")
    if urlsplit(target).hostname not in LOCAL_HOSTS:
        fail(f"refusing {variable}: {urlsplit(target).hostname!r} is not a local index")
    print(f"rehearsal: {what} upload sent to {target}", flush=True)
    return target, True


def main() -> None:
    url, rehearsal = redirected(os.environ.get("STUB_URL", "").strip())
    folder = Path(os.environ.get("STUB_DIR", "").strip() or "dist")
    files = sorted(p for p in folder.glob("*") if p.is_file() and not p.name.startswith("."))
    if not files:
        fail(f"no distributions in {folder}/")
    uv = os.environ.get("ACT_STUB_UV") or shutil.which("uv")
    if not uv:
        fail("no uv: set ACT_STUB_UV or put uv on PATH")
    cmd = [uv, "publish", "--no-config", "--trusted-publishing", "never", "--publish-url", url]
    cmd += ["--username", os.environ.get("STUB_USER") or "__token__"]
    # The workflow's password (a PyPI token) never goes to a rehearsal's stand-in.
    password = "" if rehearsal else os.environ.get("STUB_PASSWORD", "")
    cmd += ["--password", password or "act-stub"]
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
