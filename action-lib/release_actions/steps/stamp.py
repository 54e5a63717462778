"""Planning and writing a version stamp over a package checkout.

:func:`plan_stamp` finds the files of the package (``pyproject.toml`` and its
``_version.py``; or ``package.json``, its lockfile and ``src/version.ts``),
reads them and computes every edit with :mod:`release_actions.edits.stamps`
before anything is written, so an error writes nothing. :func:`write_stamp`
then writes the planned bytes. :mod:`release_actions.steps.stamp` is the public face.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from packaging.version import Version

from release_actions.adapters.repo_files import read_repo_text, write_repo_text
from release_actions.core.errors import InvalidValueError, ReleaseActionsError
from release_actions.core.versions import npm_version as to_npm_version
from release_actions.edits.pyproject import parse_toml, toml_table
from release_actions.edits.stamps import (
    NO_VERSION_FILE,
    TS_VERSION_FILE,
    stamp_package_json,
    stamp_package_lock,
    stamp_pyproject,
    stamp_version_py,
    stamp_version_ts,
)

__all__ = [
    "KINDS",
    "FileStamp",
    "StampPlan",
    "default_import_name",
    "plan_stamp",
    "write_stamp",
]

KINDS = ("auto", "python", "npm")
"""``auto`` picks python for a ``pyproject.toml``, npm for a ``package.json``."""

NPM_LOCKFILES = ("package-lock.json", "npm-shrinkwrap.json")
PY_VERSION_SUFFIXES = (".py",)
JS_VERSION_SUFFIXES = (".ts", ".mts", ".cts", ".js", ".mjs", ".cjs")

_IMPORT_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")


@dataclass(frozen=True)
class FileStamp:
    """One file to stamp: ``rel`` is its path relative to the repository."""

    path: Path
    rel: str
    what: str
    old: str
    new: str
    before: str
    after: str
    repo: Path | None = None

    @property
    def changed(self) -> bool:
        return self.before != self.after

    def describe(self) -> str:
        if self.changed:
            return f"{self.rel}: {self.what} {self.old} -> {self.new}"
        return f"{self.rel}: {self.what} already {self.new} (unchanged)"

    def diff(self) -> str:
        if not self.changed:
            return ""
        lines = difflib.unified_diff(
            self.before.splitlines(keepends=True),
            self.after.splitlines(keepends=True),
            f"a/{self.rel}",
            f"b/{self.rel}",
        )
        return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


@dataclass(frozen=True)
class StampPlan:
    """Every file a stamp touches, with its text before and after."""

    version: Version
    npm_version: str
    kind: str
    files: tuple[FileStamp, ...]

    @property
    def changed_files(self) -> list[str]:
        return [f.rel for f in self.files if f.changed]

    @property
    def changed(self) -> bool:
        return any(f.changed for f in self.files)

    def diff(self) -> str:
        return "".join(f.diff() for f in self.files)

    def as_dict(self, *, dry_run: bool = False) -> dict[str, object]:
        status = ("dry-run" if dry_run else "changed") if self.changed else "unchanged"
        return {
            "version": str(self.version),
            "npm_version": self.npm_version,
            "kind": self.kind,
            "status": status,
            "changed_files": " ".join(self.changed_files),
            "stamped_files": " ".join(f.rel for f in self.files),
        }


def default_import_name(project_name: str) -> str:
    """The import name a project name implies: ``llama-stack-client`` -> ``llama_stack_client``.

    >>> default_import_name("Llama-Stack.Client")
    'llama_stack_client'
    """
    return re.sub(r"[-_.]+", "_", project_name).lower()


def _present(path: Path) -> bool:
    """A file, or a symlink (which reading then checks: a loop or a way out is an error)."""
    return path.is_file() or path.is_symlink()


def _inside(root: Path, path: Path) -> bool:
    try:
        return path.resolve().is_relative_to(root.resolve())
    except (RuntimeError, OSError):  # a symlink loop
        return False


def _rel(repo: Path, path: Path) -> str:
    """How messages name ``path``: relative to the repository, symlinks not followed."""
    return Path(os.path.relpath(path, repo)).as_posix()


def _where(repo: Path, package: Path) -> str:
    """How errors name the package directory: relative to the repository, or the repository."""
    rel = _rel(repo, package)
    return str(repo) if rel == "." else rel


Stamper = Callable[..., tuple[str, str]]


def _file_stamp(
    repo: Path, path: Path, what: str, value: str, stamper: Stamper, arg: object
) -> FileStamp:
    rel = _rel(repo, path)
    before = read_repo_text(repo, path, rel)
    after, old = stamper(before, arg, path_for_errors=rel)
    return FileStamp(path, rel, what, old, value, before, after, repo)


def _resolve_version_file(repo: Path, package: Path, version_file: str, what: str) -> Path:
    path = package / version_file
    if Path(version_file).is_absolute() or not _inside(repo, path):
        raise InvalidValueError(
            "version-file",
            version_file,
            "a path relative to the package directory, inside the repository",
            fix="pass --version-file relative to --package-dir, e.g. src/pkg/_version.py",
        )
    if not _present(path):
        raise ReleaseActionsError(
            f"the version file {_rel(repo, path)} does not exist (looked for {what}).",
            fix="fix --version-file (relative to --package-dir), or pass --version-file"
            f" {NO_VERSION_FILE} if the package has no version file",
            title="Missing version file",
        )
    return path


def _check_suffix(version_file: str, suffixes: tuple[str, ...], kind: str) -> None:
    if not version_file.endswith(suffixes):
        raise InvalidValueError(
            f"version-file for a {kind} package",
            version_file,
            "a file ending in " + " / ".join(suffixes),
            fix=f"point --version-file at the {kind} file that holds the version, or pass"
            f" --kind {'npm' if kind == 'python' else 'python'}",
        )


def _python_files(
    repo: Path, package: Path, version: Version, import_name: str, version_file: str
) -> list[FileStamp]:
    pyproject = package / "pyproject.toml"
    if not _present(pyproject):
        raise ReleaseActionsError(
            f"{_where(repo, package)} has no pyproject.toml, so there is no Python package"
            " to stamp.",
            fix="pass --package-dir pointing at the directory of pyproject.toml, or --kind npm",
            title="No pyproject.toml",
        )
    stamp = _file_stamp(
        repo, pyproject, "[project] version", str(version), stamp_pyproject, version
    )
    files = [stamp]
    if version_file == NO_VERSION_FILE:
        return files
    if version_file:
        _check_suffix(version_file, PY_VERSION_SUFFIXES, "python")
        path = _resolve_version_file(repo, package, version_file, "__version__")
    else:
        if not import_name:
            project = toml_table(parse_toml(stamp.before, stamp.rel), "project")
            project_name = project.get("name") if project is not None else None
            if not isinstance(project_name, str) or not project_name:
                raise ReleaseActionsError(
                    f"{stamp.rel}: [project] has no name to derive the import name from.",
                    fix="pass --import-name NAME (the package's import name) or --version-file",
                    title="Missing [project] name",
                )
            import_name = default_import_name(project_name)
        elif not _IMPORT_NAME_RE.fullmatch(import_name):
            raise InvalidValueError(
                "import-name",
                import_name,
                "a Python import name such as llama_stack_client",
                fix="pass the name used in `import ...`, not the distribution name",
            )
        module = Path(*import_name.split("."))
        candidates = [package / "src" / module / "_version.py", package / module / "_version.py"]
        found = [p for p in candidates if _present(p)]
        if not found:
            looked = " and ".join(_rel(repo, p.parent) + "/_version.py" for p in candidates)
            raise ReleaseActionsError(
                f"no _version.py for the import name {import_name!r}: looked for {looked}."
                " Nothing stamped: was the package renamed, or is its import name not the"
                " project name with - replaced by _?",
                fix="pass --import-name with the package's import name, or --version-file PATH"
                f" (relative to the package directory), or --version-file {NO_VERSION_FILE} if"
                " the package has no version file",
                title="No _version.py",
            )
        path = found[0]
    files.append(_file_stamp(repo, path, "__version__", str(version), stamp_version_py, version))
    return files


def _npm_files(repo: Path, package: Path, npm: str, version_file: str) -> list[FileStamp]:
    manifest = package / "package.json"
    if not _present(manifest):
        raise ReleaseActionsError(
            f"{_where(repo, package)} has no package.json, so there is no npm package to stamp.",
            fix="pass --package-dir pointing at the directory of package.json, or --kind python",
            title="No package.json",
        )
    files = [_file_stamp(repo, manifest, '"version"', npm, stamp_package_json, npm)]
    for name in NPM_LOCKFILES:
        lock = package / name
        if _present(lock):
            what = 'version and packages[""].version'
            files.append(_file_stamp(repo, lock, what, npm, stamp_package_lock, npm))
    if version_file == NO_VERSION_FILE:
        return files
    if version_file:
        _check_suffix(version_file, JS_VERSION_SUFFIXES, "npm")
        path = _resolve_version_file(repo, package, version_file, "export const VERSION")
    else:
        path = package / TS_VERSION_FILE
        if not _present(path):
            raise ReleaseActionsError(
                f"no version file: looked for {_rel(repo, package / 'src')}/version.ts"
                " (export const VERSION = '...'). Nothing stamped.",
                fix="pass --version-file PATH (relative to the package directory), or"
                f" --version-file {NO_VERSION_FILE} if the package has no version file",
                title="No src/version.ts",
            )
    files.append(_file_stamp(repo, path, "VERSION", npm, stamp_version_ts, npm))
    return files


def plan_stamp(
    repo: Path,
    version: Version,
    *,
    kind: str = "auto",
    package_dir: str = ".",
    import_name: str = "",
    version_file: str = "",
) -> StampPlan:
    """Work out every edit that stamps ``version`` into the package; write nothing.

    ``package_dir`` is relative to ``repo``; ``version_file`` relative to
    ``package_dir`` (``"none"``: stamp the manifests only). ``kind="auto"``
    takes python when the package directory has a ``pyproject.toml``, npm
    when it has a ``package.json``, and asks to choose when it has both.
    """
    if kind not in KINDS:
        raise InvalidValueError("kind", kind, " | ".join(KINDS))
    if not repo.is_dir():
        raise InvalidValueError(
            "repo", str(repo), "an existing directory", fix="pass --repo DIR (the checkout)"
        )
    package = repo / (package_dir or ".")
    if Path(package_dir).is_absolute() or not _inside(repo, package) or not package.is_dir():
        raise InvalidValueError(
            "package-dir",
            package_dir,
            "an existing directory relative to the repository",
            fix="pass --package-dir relative to --repo, e.g. . or packages/client",
        )
    if kind == "auto":
        has_py = _present(package / "pyproject.toml")
        has_npm = _present(package / "package.json")
        where = _where(repo, package)
        if has_py and has_npm:
            raise ReleaseActionsError(
                f"{where} has both pyproject.toml and package.json; which one to stamp is"
                " ambiguous.",
                fix="pass --kind python or --kind npm (run twice to stamp both)",
                title="Ambiguous package kind",
            )
        if not has_py and not has_npm:
            raise ReleaseActionsError(
                f"{where} has neither pyproject.toml nor package.json: nothing to stamp.",
                fix="pass --package-dir (relative to --repo) pointing at the package",
                title="No package to stamp",
            )
        kind = "python" if has_py else "npm"
    try:
        npm = to_npm_version(version)
    except InvalidValueError:
        if kind == "npm":
            raise
        npm = ""  # a Python-only version with no npm form (e.g. .postN): nothing uses it
    if kind == "python":
        files = _python_files(repo, package, version, import_name, version_file)
    else:
        files = _npm_files(repo, package, npm, version_file)
    return StampPlan(version, npm, kind, tuple(files))


def write_stamp(plan: StampPlan) -> list[str]:
    """Write the changed files (bytes as planned); return their relative paths."""
    for stamp in plan.files:
        if stamp.changed:
            repo = stamp.repo if stamp.repo is not None else stamp.path.parent
            write_repo_text(repo, stamp.path, stamp.after, stamp.rel)
    return plan.changed_files
