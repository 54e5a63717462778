"""Is a version already on a Python package index? Checks through the simple API.

The simple repository API is what PyPI, TestPyPI, pypiserver, devpi and most
private indexes serve. The check asks for PEP 691 JSON and accepts PEP 503 HTML
(``Accept: application/vnd.pypi.simple.v1+json, text/html;q=0.1``), reads every
file name of the project page with :mod:`packaging.utils` and compares
:class:`~packaging.version.Version` objects, so ``0.7.1`` and ``0.7.1.0`` are the
same release and ``0.7.10`` is not ``0.7.1``. A project the index does not know
(HTTP 404) has no versions. Yanked files count as published: their file names
can never be uploaded again.

:func:`wait_for_pypi_version` polls a bounded number of times and then fails with
a :class:`~release_actions.core.errors.ReleaseActionsError` saying what was looked
for, where, and how long.

>>> project_url("https://test.pypi.org/simple", "Llama_Stack.Client")
'https://test.pypi.org/simple/llama-stack-client/'
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    NormalizedName,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import InvalidVersion, Version

from release_actions import __version__
from release_actions.adapters.polling import wait_until
from release_actions.core.errors import InvalidValueError, ReleaseActionsError

__all__ = [
    "ACCEPT_HTML",
    "ACCEPT_JSON_OR_HTML",
    "PYPI_SIMPLE",
    "TESTPYPI_SIMPLE",
    "DistributionFile",
    "parse_dist_filename",
    "parse_requirement",
    "project_url",
    "pypi_files",
    "pypi_has_version",
    "pypi_project_files",
    "wait_for_pypi_version",
]

PYPI_SIMPLE = "https://pypi.org/simple/"
TESTPYPI_SIMPLE = "https://test.pypi.org/simple/"
ACCEPT_JSON_OR_HTML = "application/vnd.pypi.simple.v1+json, text/html;q=0.1"
ACCEPT_HTML = "application/vnd.pypi.simple.v1+html, text/html;q=0.1"
_JSON_TYPES = ("application/vnd.pypi.simple.v1+json", "application/json")
_HTML_TYPES = ("application/vnd.pypi.simple.v1+html", "text/html")
_USER_AGENT = f"release-actions/{__version__} (+https://github.com/llama-stack/release-actions)"


@dataclass(frozen=True)
class DistributionFile:
    """One file of a release on an index."""

    filename: str
    version: Version
    url: str
    sha256: str | None = None
    yanked: bool = False


def _index_url(index_url: str) -> str:
    """Validate an index URL and return it with one trailing slash."""
    parsed = urllib.parse.urlsplit(index_url.strip())
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise InvalidValueError(
            "index URL",
            index_url,
            "an http(s) URL of a simple index, e.g. https://pypi.org/simple/",
        )
    path = parsed.path.rstrip("/")
    if path.endswith("/legacy"):
        raise InvalidValueError(
            "index URL",
            index_url,
            "the simple index URL, not the upload URL",
            fix=f"use {urllib.parse.urlunsplit(parsed._replace(path=path[:-7] + '/simple/'))}",
        )
    if parsed.netloc in ("pypi.org", "test.pypi.org") and path in ("", "/pypi"):
        raise InvalidValueError(
            "index URL",
            index_url,
            "the simple index URL",
            fix=f"use https://{parsed.netloc}/simple/",
        )
    return urllib.parse.urlunsplit(parsed._replace(path=path + "/", query="", fragment=""))


def project_url(index_url: str, name: str) -> str:
    """The simple-API page of project ``name`` (PEP 503 normalised) on ``index_url``."""
    return _index_url(index_url) + canonicalize_name(name) + "/"


def _version(version: str | Version) -> Version:
    if isinstance(version, Version):
        return version
    try:
        return Version(version)
    except InvalidVersion:
        raise InvalidValueError(
            "version", version, "a PEP 440 version, e.g. 0.7.1 or 0.8.0rc1"
        ) from None


def parse_requirement(text: str) -> tuple[str, Version]:
    """``NAME==VERSION`` -> (name, version)."""
    name, sep, version = text.partition("==")
    if not sep or not name.strip() or not version.strip():
        raise InvalidValueError("requirement", text, "NAME==VERSION, e.g. llama-stack==0.8.0")
    try:
        return name.strip(), Version(version.strip())
    except ValueError:
        raise InvalidValueError(
            "requirement", text, "NAME==VERSION with a PEP 440 version"
        ) from None


def parse_dist_filename(filename: str) -> tuple[NormalizedName, Version] | None:
    """Project name and version from a wheel or sdist file name; None for other files."""
    try:
        if filename.endswith(".whl"):
            name, version, _, _ = parse_wheel_filename(filename)
            return name, version
        if filename.endswith((".tar.gz", ".zip")):
            return parse_sdist_filename(filename)
    except (InvalidWheelFilename, InvalidSdistFilename):
        return None
    return None


class _LinkParser(HTMLParser):
    """Collects the links (``<a>`` elements) of a PEP 503 simple index page (the Simple
    Repository API) and its PEP 629 ``pypi:repository-version`` meta tag."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, dict[str, str | None], str]] = []
        self.api_version: str | None = None
        self._open: tuple[str, dict[str, str | None]] | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "a":
            self._open = (attributes.get("href") or "", attributes)
            self._text = []
        elif tag == "meta" and attributes.get("name") == "pypi:repository-version":
            self.api_version = attributes.get("content")

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._open is not None:
            href, attributes = self._open
            self.links.append((href, attributes, "".join(self._text).strip()))
            self._open = None


def _check_api_version(api_version: object, url: str) -> None:
    if api_version is None:
        return
    if not isinstance(api_version, str) or api_version.split(".")[0] != "1":
        raise ReleaseActionsError(
            f"{url} speaks simple API version {api_version!r}; only 1.x is understood.",
            fix="upgrade release-actions or point it at a PEP 503/691 index",
            title="Unsupported index",
        )


def _files_from_json(doc: Any, base: str) -> list[tuple[str, str, str | None, bool]]:
    if not isinstance(doc, dict) or not isinstance(doc.get("files"), list):
        raise ReleaseActionsError(
            f"{base} did not return a PEP 691 project page (no 'files' list).",
            fix="check that the index URL points at a simple index, e.g. https://pypi.org/simple/",
            title="Unexpected index answer",
        )
    meta = doc.get("meta")
    _check_api_version(meta.get("api-version") if isinstance(meta, dict) else None, base)
    files = []
    for entry in doc["files"]:
        if not isinstance(entry, dict) or not isinstance(entry.get("filename"), str):
            continue
        hashes = entry.get("hashes")
        sha256 = hashes.get("sha256") if isinstance(hashes, dict) else None
        url = urllib.parse.urljoin(base, str(entry.get("url", "")))
        yanked = entry.get("yanked", False)
        files.append(
            (
                entry["filename"],
                url,
                sha256 if isinstance(sha256, str) else None,
                yanked is not False and yanked is not None,
            )
        )
    return files


def _files_from_html(text: str, base: str) -> list[tuple[str, str, str | None, bool]]:
    parser = _LinkParser()
    parser.feed(text)
    parser.close()
    _check_api_version(parser.api_version, base)
    files = []
    for href, attributes, label in parser.links:
        url = urllib.parse.urljoin(base, href)
        parts = urllib.parse.urlsplit(url)
        filename = urllib.parse.unquote(parts.path.rsplit("/", 1)[-1]) or label
        sha256 = None
        if parts.fragment.startswith("sha256="):
            sha256 = parts.fragment[len("sha256=") :]
        files.append(
            (
                filename,
                urllib.parse.urlunsplit(parts._replace(fragment="")),
                sha256,
                "data-yanked" in attributes,
            )
        )
    return files


def _fetch(url: str, accept: str, timeout: float) -> tuple[str, bytes, str] | None:
    """GET ``url``; returns (content type, body, final URL), or None on 404/410."""
    request = urllib.request.Request(  # noqa: S310 (http(s) only: see _index_url)
        url,
        headers={"Accept": accept, "User-Agent": _USER_AGENT, "Cache-Control": "max-age=0"},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.headers.get_content_type(), response.read(), response.geturl()
    except urllib.error.HTTPError as exc:
        if exc.code in (404, 410):
            return None
        raise ReleaseActionsError(
            f"{url} answered HTTP {exc.code} {exc.reason}.",
            fix="check the index URL and, for a private index, its credentials",
            title="Package index error",
        ) from exc
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise ReleaseActionsError(
            f"could not reach {url}: {reason}.",
            fix="check the index URL and the network; retry if the index was briefly down",
            title="Package index unreachable",
        ) from exc


def pypi_project_files(
    index_url: str,
    name: str,
    *,
    timeout: float = 10,
    accept: str = ACCEPT_JSON_OR_HTML,
) -> list[DistributionFile] | None:
    """Every wheel and sdist of project ``name`` on the simple index ``index_url``, or
    None when the index does not know the project (HTTP 404/410).

    ``accept`` is sent as the Accept header; :data:`ACCEPT_HTML` forces the PEP
    503 HTML form. The answer's Content-Type decides how it is read. Files of
    another project, and files that are not wheels or sdists, are left out.
    """
    wanted_name = canonicalize_name(name)
    url = project_url(index_url, name)
    fetched = _fetch(url, accept, timeout)
    if fetched is None:
        return None
    content_type, body, final_url = fetched
    if content_type in _JSON_TYPES or content_type.endswith("+json"):
        try:
            doc = json.loads(body)
        except ValueError as exc:
            raise ReleaseActionsError(
                f"{final_url} sent invalid JSON ({exc}).",
                fix="check the index URL",
                title="Unexpected index answer",
            ) from exc
        entries = _files_from_json(doc, final_url)
    elif content_type in _HTML_TYPES:
        entries = _files_from_html(body.decode("utf-8", errors="replace"), final_url)
    else:
        raise ReleaseActionsError(
            f"{final_url} answered with Content-Type {content_type!r}, not a simple index page.",
            fix="point index-url at a simple index, e.g. https://pypi.org/simple/",
            title="Unexpected index answer",
        )
    result = []
    for filename, file_url, sha256, yanked in entries:
        parsed = parse_dist_filename(filename)
        if parsed is None or parsed[0] != wanted_name:
            continue
        result.append(DistributionFile(filename, parsed[1], file_url, sha256, yanked))
    return result


def pypi_files(
    index_url: str,
    name: str,
    version: str | Version,
    *,
    timeout: float = 10,
    accept: str = ACCEPT_JSON_OR_HTML,
) -> list[DistributionFile]:
    """The files of ``name`` ``version`` on the simple index ``index_url`` ([] if none).

    ``accept`` is sent as the Accept header; :data:`ACCEPT_HTML` forces the PEP
    503 HTML form. The answer's Content-Type decides how it is read.
    """
    wanted = _version(version)
    files = pypi_project_files(index_url, name, timeout=timeout, accept=accept) or []
    return [f for f in files if f.version == wanted]


def pypi_has_version(
    index_url: str,
    name: str,
    version: str | Version,
    *,
    timeout: float = 10,
    accept: str = ACCEPT_JSON_OR_HTML,
) -> bool:
    """Whether the index has at least one file of ``name`` ``version`` (yanked ones too)."""
    return bool(pypi_files(index_url, name, version, timeout=timeout, accept=accept))


def wait_for_pypi_version(
    index_url: str,
    name: str,
    version: str | Version,
    *,
    attempts: int = 30,
    interval: float = 10,
    sleep: Callable[[float], None] = time.sleep,
    timeout: float = 10,
) -> None:
    """Return once the index serves ``name`` ``version``; raise after ``attempts`` checks."""
    wanted = _version(version)
    url = project_url(index_url, name)
    wait_until(
        lambda: pypi_has_version(index_url, name, wanted, timeout=timeout),
        subject=f"{canonicalize_name(name)} {wanted}",
        where=lambda: url,
        attempts=attempts,
        interval=interval,
        sleep=sleep,
        fix=(
            "check that the publish step uploaded this version to this index, then re-run;"
            " if the index is slow to serve new files, raise the attempts or interval"
        ),
        title="Version not on the package index",
    )
