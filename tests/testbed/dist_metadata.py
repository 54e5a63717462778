"""Reading the version out of built distributions, independently of the code under test."""

from __future__ import annotations

import tarfile
import zipfile
from email.parser import HeaderParser
from pathlib import Path


def metadata_version(path: Path) -> str:
    """The Version header inside a wheel or sdist, read independently of the code under test."""
    if path.name.endswith(".whl"):
        with zipfile.ZipFile(path) as archive:
            name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
            text = archive.read(name).decode()
    else:
        with tarfile.open(path) as archive:
            member = next(
                m
                for m in archive.getmembers()
                if m.name.count("/") == 1 and m.name.endswith("/PKG-INFO")
            )
            handle = archive.extractfile(member)
            assert handle is not None
            text = handle.read().decode()
    return str(HeaderParser().parsestr(text)["Version"])
