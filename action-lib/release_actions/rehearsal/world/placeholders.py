"""Placeholder releases for a rehearsal's pre-filled indexes: valid, installable, empty.

A placeholder stands for a version the real index already holds, so that the
rehearsed workflows see it taken (``skip-existing``, "is this version out?",
npm's ``latest``). It carries no code: its summary (PyPI) or description (npm)
says it is a rehearsal placeholder. Files are byte-for-byte reproducible (fixed
timestamps, sorted entries).

>>> wheel_filename("Llama_Stack.Client", "0.7.1rc1")
'llama_stack_client-0.7.1rc1-py3-none-any.whl'
>>> sdist_filename("llama-stack-client", "0.7.1")
'llama_stack_client-0.7.1.tar.gz'
>>> npm_tarball_name("@scope/client", "1.0.0-rc.1")
'client-1.0.0-rc.1.tgz'
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import json
import tarfile
import zipfile
from typing import Any

from packaging.utils import canonicalize_name
from packaging.version import Version

ZIP_TIME = (1980, 1, 1, 0, 0, 0)
TAR_TIME = 315532800  # 1980-01-01, as in the wheels


def summary(name: str, version: str) -> str:
    return (
        f"rehearsal placeholder: release-actions rehearse put it here because the real index"
        f" holds {name} {version}; it is not that release"
    )


def _dist_name(name: str) -> str:
    return canonicalize_name(name).replace("-", "_")


def wheel_filename(name: str, version: str) -> str:
    return f"{_dist_name(name)}-{Version(version)}-py3-none-any.whl"


def sdist_filename(name: str, version: str) -> str:
    return f"{_dist_name(name)}-{Version(version)}.tar.gz"


def core_metadata(name: str, version: str) -> str:
    return (
        f"Metadata-Version: 2.1\nName: {name}\nVersion: {Version(version)}\n"
        f"Summary: {summary(name, version)}\n"
    )


def _record_hash(data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"sha256={digest}"


def placeholder_wheel(name: str, version: str) -> bytes:
    """A pure-Python wheel with only its ``.dist-info``: METADATA, WHEEL and RECORD."""
    info = f"{_dist_name(name)}-{Version(version)}.dist-info"
    files = {
        f"{info}/METADATA": core_metadata(name, version).encode(),
        f"{info}/WHEEL": (
            b"Wheel-Version: 1.0\nGenerator: release-actions rehearse\n"
            b"Root-Is-Purelib: true\nTag: py3-none-any\n"
        ),
    }
    record = "".join(f"{path},{_record_hash(data)},{len(data)}\n" for path, data in files.items())
    files[f"{info}/RECORD"] = (record + f"{info}/RECORD,,\n").encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, data in files.items():
            entry = zipfile.ZipInfo(path, ZIP_TIME)
            entry.external_attr = 0o644 << 16
            entry.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(entry, data)
    return buffer.getvalue()


def _tar_gz(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    # gzip's own header carries a time too: GzipFile writes the fixed one.
    with (
        gzip.GzipFile(fileobj=buffer, mode="wb", mtime=TAR_TIME) as gz,
        tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tar,
    ):
        for path, data in sorted(files.items()):
            entry = tarfile.TarInfo(path)
            entry.size, entry.mtime, entry.mode = len(data), TAR_TIME, 0o644
            tar.addfile(entry, io.BytesIO(data))
    return buffer.getvalue()


def placeholder_sdist(name: str, version: str) -> bytes:
    """An sdist with ``PKG-INFO`` and a ``pyproject.toml`` naming the same project."""
    root = f"{_dist_name(name)}-{Version(version)}"
    pyproject = (
        f'[project]\nname = "{canonicalize_name(name)}"\nversion = "{Version(version)}"\n'
        f'description = "{summary(name, version)}"\n'
    )
    return _tar_gz(
        {
            f"{root}/PKG-INFO": core_metadata(name, version).encode(),
            f"{root}/pyproject.toml": pyproject.encode(),
        }
    )


def npm_tarball_name(name: str, version: str) -> str:
    """The tarball's file name as npm writes it: the unscoped name, then the version."""
    return f"{name.rsplit('/', 1)[-1]}-{version}.tgz"


def placeholder_npm_tarball(name: str, version: str) -> bytes:
    manifest = {"name": name, "version": version, "description": summary(name, version)}
    return _tar_gz({"package/package.json": (json.dumps(manifest, indent=2) + "\n").encode()})


def npm_publish_body(name: str, version: str, registry_url: str) -> dict[str, Any]:
    """The document ``npm publish`` PUTs for one version: its manifest and the tarball
    (base64) as the one attachment verdaccio accepts per request."""
    data = placeholder_npm_tarball(name, version)
    filename = npm_tarball_name(name, version)
    integrity = "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()
    manifest = {
        "name": name,
        "version": version,
        "description": summary(name, version),
        "dist": {
            "tarball": f"{registry_url}{name}/-/{filename}",
            "shasum": hashlib.sha1(data).hexdigest(),  # noqa: S324 (npm's own checksum)
            "integrity": integrity,
        },
    }
    return {
        "_id": name,
        "name": name,
        "description": manifest["description"],
        "dist-tags": {},
        "versions": {version: manifest},
        "_attachments": {
            f"{name}-{version}.tgz": {
                "content_type": "application/octet-stream",
                "data": base64.b64encode(data).decode(),
                "length": len(data),
            }
        },
    }
