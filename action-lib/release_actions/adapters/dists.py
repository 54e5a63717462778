"""Built distributions: what a wheel, an sdist or an npm tarball says about itself.

The version check reads the metadata inside each file, never its name: a wheel's
``*.dist-info/METADATA``, an sdist's top-level ``PKG-INFO`` (both RFC 822 headers,
read with :mod:`email.parser`), an npm tarball's ``package/package.json``. A
build whose version override was ignored (Llama Stack #4782: no setuptools-scm
in the build environment, ``0.0.0`` went to TestPyPI) is caught here, whatever
the file is called.

:func:`verify_dists` collects every problem before failing, so one run names
them all.
"""

from __future__ import annotations

import base64
import email.parser
import hashlib
import json
import tarfile
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from email.message import Message
from pathlib import Path

from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import InvalidVersion, Version

from release_actions.core.errors import ReleaseActionsError
from release_actions.core.versions import npm_version

__all__ = [
    "DIST_SUFFIXES",
    "Dist",
    "find_dists",
    "is_dist",
    "read_dist",
    "sha256_of",
    "verify_dists",
]

PYTHON_SUFFIXES = (".whl", ".tar.gz")
NPM_SUFFIX = ".tgz"
DIST_SUFFIXES = (*PYTHON_SUFFIXES, NPM_SUFFIX)
_MAX_METADATA = 16 * 1024 * 1024  # a METADATA / package.json larger than this is not one


@dataclass(frozen=True)
class Dist:
    """One distribution file and what its metadata says.

    ``kind`` is ``wheel``, ``sdist`` or ``npm``; ``name`` is the metadata's name
    (``Name:`` / ``"name"``) as written, ``version`` its version string.
    ``filename_version`` and ``filename_name`` are what the file name says
    (Python only; the name normalised).
    """

    path: Path
    kind: str
    name: str
    version: str
    filename_version: str = ""
    filename_name: str = ""

    @property
    def filename(self) -> str:
        return self.path.name

    @property
    def project(self) -> str:
        """The PEP 503 normalised name (npm names are returned as they are)."""
        return self.name if self.kind == "npm" else canonicalize_name(self.name)

    def as_requirement(self) -> str:
        return f"{self.project}=={self.version}" if self.kind != "npm" else self.spec

    @property
    def spec(self) -> str:
        return f"{self.name}@{self.version}"


def is_dist(path: Path) -> bool:
    return path.is_file() and path.name.endswith(DIST_SUFFIXES) and not path.name.startswith(".")


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def npm_integrity(path: Path) -> tuple[str, str]:
    """``(shasum, integrity)`` of a tarball, as npm reports them (sha1 hex, sha512 SRI)."""
    data = path.read_bytes()
    shasum = hashlib.sha1(data, usedforsecurity=False).hexdigest()
    integrity = "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()
    return shasum, integrity


def find_dists(folders: Iterable[Path], *, kinds: Sequence[str] = DIST_SUFFIXES) -> list[Path]:
    """The distribution files directly inside ``folders`` (or the files given), sorted.

    A folder that does not exist, or holds no distribution, is an error: an empty
    upload must never pass for a successful one.
    """
    found: list[Path] = []
    for folder in folders:
        if folder.is_file():
            if not folder.name.endswith(tuple(kinds)):
                raise ReleaseActionsError(
                    f"{folder} is not a distribution ({', '.join(kinds)}).",
                    fix="pass folders of built distributions, or the files themselves",
                    title="Not a distribution",
                )
            found.append(folder)
            continue
        if not folder.is_dir():
            raise ReleaseActionsError(
                f"{folder} does not exist.",
                fix="pass the folder the build wrote its distributions to",
                title="No distributions",
            )
        here = sorted(p for p in folder.iterdir() if is_dist(p) and p.name.endswith(tuple(kinds)))
        if not here:
            raise ReleaseActionsError(
                f"{folder} holds no distributions ({', '.join(kinds)}).",
                fix="check that the build step ran and wrote into this folder",
                title="No distributions",
            )
        found.extend(here)
    return sorted(dict.fromkeys(found))


def _headers(data: bytes, where: str) -> Message:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _unreadable(where, f"not UTF-8 ({exc})") from exc
    return email.parser.HeaderParser().parsestr(text)


def _unreadable(where: str, why: str) -> ReleaseActionsError:
    return ReleaseActionsError(
        f"cannot read the metadata of {where}: {why}.",
        fix="rebuild the distribution; a truncated or foreign file must not be published",
        title="Unreadable distribution",
    )


def _wheel_metadata(path: Path) -> Message:
    try:
        with zipfile.ZipFile(path) as archive:
            names = [
                n
                for n in archive.namelist()
                if n.count("/") == 1 and n.endswith(".dist-info/METADATA")
            ]
            if len(names) != 1:
                raise _unreadable(path.name, f"{len(names)} top-level *.dist-info/METADATA files")
            info = archive.getinfo(names[0])
            if info.file_size > _MAX_METADATA:
                raise _unreadable(path.name, "METADATA is implausibly large")
            return _headers(archive.read(info), f"{path.name}:{names[0]}")
    except (zipfile.BadZipFile, OSError) as exc:
        raise _unreadable(path.name, str(exc)) from exc


def _tar_member(path: Path, wanted: str) -> tuple[str, bytes]:
    """The one member ``<top>/<wanted>`` of a tarball (``wanted`` at depth 1)."""
    try:
        with tarfile.open(path, "r:gz") as archive:
            members = [
                m
                for m in archive.getmembers()
                if m.isfile() and m.name.count("/") == 1 and m.name.split("/")[1] == wanted
            ]
            if len(members) != 1:
                raise _unreadable(path.name, f"{len(members)} top-level */{wanted} files")
            member = members[0]
            if member.size > _MAX_METADATA:
                raise _unreadable(path.name, f"{wanted} is implausibly large")
            handle = archive.extractfile(member)
            if handle is None:  # pragma: no cover - isfile() members always have data
                raise _unreadable(path.name, f"{member.name} has no data")
            return member.name, handle.read()
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise _unreadable(path.name, str(exc)) from exc


def _filename_info(path: Path) -> tuple[str, str]:
    """(normalised name, version) from a wheel or sdist file name."""
    try:
        if path.name.endswith(".whl"):
            name, version, _, _ = parse_wheel_filename(path.name)
        else:
            name, version = parse_sdist_filename(path.name)
    except (InvalidWheelFilename, InvalidSdistFilename) as exc:
        raise ReleaseActionsError(
            f"{path.name} is not a valid distribution file name: {exc}.",
            fix="publish only what the build backend wrote, under its own name",
            title="Invalid distribution file name",
        ) from exc
    return name, str(version)


def read_dist(path: Path) -> Dist:
    """Read name and version from the metadata inside ``path``."""
    name = path.name
    if name.endswith(NPM_SUFFIX):
        member, data = _tar_member(path, "package.json")
        try:
            manifest = json.loads(data)
        except ValueError as exc:
            raise _unreadable(f"{name}:{member}", f"invalid JSON ({exc})") from exc
        if not isinstance(manifest, dict):
            raise _unreadable(f"{name}:{member}", "not a JSON object")
        return Dist(path, "npm", str(manifest.get("name", "")), str(manifest.get("version", "")))
    if name.endswith(".whl"):
        kind, headers = "wheel", _wheel_metadata(path)
    elif name.endswith(".tar.gz"):
        member, data = _tar_member(path, "PKG-INFO")
        kind, headers = "sdist", _headers(data, f"{name}:{member}")
    else:
        raise ReleaseActionsError(
            f"{name} is not a wheel, an sdist (.tar.gz) or an npm tarball (.tgz).",
            fix="publish only wheels, .tar.gz sdists and npm tarballs",
            title="Not a distribution",
        )
    filename_name, filename_version = _filename_info(path)
    return Dist(
        path,
        kind,
        str(headers.get("Name", "") or ""),
        str(headers.get("Version", "") or ""),
        filename_version,
        filename_name,
    )


def _same(found: str, wanted: Version) -> bool:
    try:
        parsed = Version(found)
    except InvalidVersion:
        return False
    return parsed == wanted and str(parsed) == found


def _problems(dist: Dist, version: Version, expected_npm: str | None) -> list[str]:
    problems = []
    if not dist.name:
        problems.append(f"{dist.filename}: no name in its metadata")
    if dist.kind == "npm":
        if expected_npm is None:
            problems.append(f"{dist.filename}: {version} has no npm form")
        elif dist.version != expected_npm:
            problems.append(
                f"{dist.filename}: package.json says version {dist.version or '(none)'!s},"
                f" expected {expected_npm}"
            )
        return problems
    field = "METADATA" if dist.kind == "wheel" else "PKG-INFO"
    if not _same(dist.version, version):
        problems.append(
            f"{dist.filename}: {field} says Version {dist.version or '(none)'}, expected {version}"
        )
    elif dist.filename_version and Version(dist.filename_version) != version:
        problems.append(
            f"{dist.filename}: the file name says {dist.filename_version}"
            f" but {field} says {dist.version}"
        )
    if dist.name and dist.filename_name != canonicalize_name(dist.name):
        problems.append(f"{dist.filename}: the file name does not match the name {dist.name!r}")
    return problems


def verify_dists(paths: Sequence[Path], version: Version) -> list[Dist]:
    """Read every file and fail, naming each offender, unless all carry exactly ``version``.

    npm tarballs must carry the npm form of ``version`` (:func:`versions.npm_version`).
    """
    try:
        expected_npm: str | None = npm_version(version)
    except ReleaseActionsError:
        expected_npm = None
    dists = [read_dist(path) for path in paths]
    problems = [p for dist in dists for p in _problems(dist, version, expected_npm)]
    if problems:
        listing = "; ".join(problems)
        raise ReleaseActionsError(
            f"{len(problems)} distribution(s) do not carry version {version}: {listing}.",
            fix=(
                "the version override did not reach the build: for setuptools-scm projects check"
                " that setuptools-scm is installed where the build runs ([build-system] requires,"
                " or the build Python with --no-build-isolation) and that"
                " SETUPTOOLS_SCM_PRETEND_VERSION_FOR_<NAME> matches the project name; stamp static"
                " versions first (set-version). Nothing was published."
            ),
            title="Wrong version in a distribution",
        )
    return dists
