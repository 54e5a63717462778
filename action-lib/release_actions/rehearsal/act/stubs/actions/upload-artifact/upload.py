"""act stub for actions/upload-artifact: copy into ``$ACT_STUB_ARTIFACT_DIR/NAME``.

As upload-artifact v4 to v7: paths are relative to the workspace; the
artifact's root is the least common ancestor of the search paths (a glob's
search path is the part before its first wildcard); hidden files are left out
unless asked for; a second upload of the same name fails unless ``overwrite`` is
true. The artifact's digest (output ``artifact-digest``) is also written to
``$ACT_STUB_ARTIFACT_DIR/NAME.sha256``, where the download-artifact stub checks
it as download-artifact v8 does. ``archive: false`` (v7: one file, unzipped) is
not supported.
"""

from __future__ import annotations

import glob
import hashlib
import os
import shutil
import sys
from fnmatch import fnmatch
from pathlib import Path


def fail(message: str) -> None:
    print(f"::error title=act stub actions/upload-artifact::{message}", flush=True)
    sys.exit(1)


def flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() == "true"


def search_path(pattern: str) -> Path:
    parts = Path(pattern).parts
    for i, part in enumerate(parts):
        if glob.has_magic(part):
            return Path(*parts[:i]) if i else Path(".")
    path = Path(pattern)
    return path.parent if path.is_file() else path


def tree_digest(folder: Path) -> str:
    """sha256 over each file's path (relative to ``folder``) and contents, in path order.

    The download-artifact stub computes the same (keep the two in step).
    """
    digest = hashlib.sha256()
    for item in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(f"{item.relative_to(folder)}\0".encode() + item.read_bytes())
    return digest.hexdigest()


def hidden(path: Path, base: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(base).parts)


def main() -> None:
    root_dir = os.environ.get("ACT_STUB_ARTIFACT_DIR", "")
    if not root_dir:
        fail("ACT_STUB_ARTIFACT_DIR is not set (run under tests/testbed/act.py)")
    archive = os.environ.get("STUB_ARCHIVE", "").strip().lower() or "true"
    if archive != "true":
        fail(f"archive: {archive} (an unzipped single-file upload) is not supported by the stub")
    name = os.environ.get("STUB_NAME", "").strip() or "artifact"
    if "/" in name or name in {".", ".."}:
        fail(f"invalid artifact name {name!r}")
    lines = [ln.strip() for ln in os.environ.get("STUB_PATH", "").splitlines() if ln.strip()]
    includes = [ln for ln in lines if not ln.startswith("!")]
    excludes = [os.path.abspath(ln[1:]) for ln in lines if ln.startswith("!")]
    include_hidden = flag("STUB_INCLUDE_HIDDEN")
    files: dict[Path, Path] = {}  # absolute path -> its search path
    # glob's include_hidden is Python 3.11+; setup-python may have put 3.10 first.
    hidden_kw = {"include_hidden": True} if include_hidden and sys.version_info >= (3, 11) else {}
    for pattern in includes:
        base = search_path(pattern).resolve()
        for match in glob.glob(pattern, recursive=True, **hidden_kw):
            path = Path(match).resolve()
            found = [p for p in path.rglob("*") if p.is_file()] if path.is_dir() else [path]
            for item in found:
                if not include_hidden and hidden(item, base):
                    continue
                if any(fnmatch(str(item), ex) for ex in excludes):
                    continue
                files[item] = base
    if not files:
        mode = os.environ.get("STUB_IF_NO_FILES_FOUND", "").strip() or "warn"
        message = f"No files were found with the provided path: {' '.join(lines)}."
        if mode == "error":
            fail(message)
        if mode == "warn":
            print(f"::warning title=act stub actions/upload-artifact::{message}")
        return
    root = Path(os.path.commonpath([str(base) for base in files.values()]))
    target = Path(root_dir, name)
    if target.exists():
        if not flag("STUB_OVERWRITE"):
            fail(f"an artifact with the name {name!r} already exists in this run")
        shutil.rmtree(target)
    for item in sorted(files):
        rel = item.relative_to(root)
        (target / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(item, target / rel)
    digest = tree_digest(target)
    Path(root_dir, f"{name}.sha256").write_text(digest + "\n", encoding="utf-8")
    artifact_id = len([p for p in Path(root_dir).iterdir() if p.is_dir()])
    with open(os.environ["GITHUB_OUTPUT"], "a", encoding="utf-8") as out:
        out.write(f"artifact-id={artifact_id}\nartifact-url={target.as_uri()}\n")
        out.write(f"artifact-digest={digest}\n")
    print(f"act stub: artifact {name!r} <- {len(files)} file(s) under {root}")


if __name__ == "__main__":
    main()
