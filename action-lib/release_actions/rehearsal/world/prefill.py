"""Pre-fill a rehearsal's indexes with the versions the real ones already hold.

``release-actions rehearse --prefill-from-registries``: before the run, the world's
PyPI and TestPyPI hold a placeholder wheel and sdist for every version of each
Python project that the real index holds, and its npm registry every version and
dist-tag of each npm package, as placeholder tarballs
(:mod:`.placeholders`). A rehearsed release then meets what the real one would:
a version already out, npm's ``latest``, ``skip-existing``.

Reading a source never fails the rehearsal: an unreachable source or a name it
does not know is one line in :attr:`Prefilled.problems`, and an unreachable
source is not asked again. Sources are read anonymously: credentials written in
a source URL are dropped before any request (and redacted in problems), no
``Authorization`` header, ``.netrc`` or ``.npmrc`` is used.

Placing is direct: pypiserver serves the files of its ``packages_dir`` as they
appear there, so the placeholders are written into it; verdaccio takes one
version per ``PUT`` (as ``npm publish`` sends it, about 15 ms each, where an
``npm publish`` process takes over a second) and all dist-tags in one ``POST``.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import semver

from release_actions import __version__
from release_actions.adapters.pypi_index import project_url, pypi_project_files
from release_actions.core.errors import ReleaseActionsError
from release_actions.core.text_inputs import redact_url

from .npm_registry import NpmRegistry
from .placeholders import (
    npm_publish_body,
    placeholder_sdist,
    placeholder_wheel,
    sdist_filename,
    wheel_filename,
)
from .pypi_index import PypiIndex
from .world import World

_USER_AGENT = (
    f"release-actions/{__version__} rehearse (+https://github.com/llama-stack/release-actions)"
)
_NPM_ACCEPT = "application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8"
_PYTHON_NAME = re.compile(r"[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?")
_NPM_NAME = re.compile(r"(@[a-z0-9][a-z0-9._~-]*/)?[a-z0-9._~-][a-z0-9._~-]*")
_WORLD_TIMEOUT = 30.0


@dataclass(frozen=True)
class PrefillSources:
    """Where the versions are read: the simple indexes of PyPI and TestPyPI, npm's registry."""

    pypi: str = "https://pypi.org/simple/"
    testpypi: str = "https://test.pypi.org/simple/"
    npm: str = "https://registry.npmjs.org/"


@dataclass
class Prefilled:
    """What the world holds from its sources (versions sorted), and what went wrong."""

    pypi: dict[str, list[str]] = field(default_factory=dict)  # project -> versions
    testpypi: dict[str, list[str]] = field(default_factory=dict)
    npm: dict[str, dict[str, Any]] = field(default_factory=dict)  # versions, dist_tags
    problems: list[str] = field(default_factory=list)  # one line each, not fatal


def prefill(
    world: World,
    *,
    python_names: Sequence[str],
    npm_names: Sequence[str],
    sources: PrefillSources = PrefillSources(),
    timeout: float = 20,
) -> Prefilled:
    """Place in ``world`` the versions its sources hold of ``python_names`` (on PyPI and
    on TestPyPI) and of ``npm_names`` (npm, with their dist-tags)."""
    return prefill_targets(
        pypi=world.pypi,
        testpypi=world.testpypi,
        npm=world.npm,
        python_names=python_names,
        npm_names=npm_names,
        sources=sources,
        timeout=timeout,
    )


def prefill_targets(
    *,
    pypi: PypiIndex | None,
    testpypi: PypiIndex | None,
    npm: NpmRegistry | None,
    python_names: Sequence[str],
    npm_names: Sequence[str],
    sources: PrefillSources = PrefillSources(),
    timeout: float = 20,
) -> Prefilled:
    """:func:`prefill` into the given stand-ins; a target that is None is left out."""
    result = Prefilled()
    python_targets = (
        ("PyPI", sources.pypi, pypi, result.pypi),
        ("TestPyPI", sources.testpypi, testpypi, result.testpypi),
    )
    for label, source, index, placed in python_targets:
        if index is not None and python_names:
            _prefill_python(label, source, index, python_names, timeout, placed, result.problems)
    if npm is not None and npm_names:
        _prefill_npm(sources.npm, npm, npm_names, timeout, result)
    return result


def anonymous(url: str) -> tuple[str, bool]:
    """``url`` without ``user:password@``, and whether it had any.

    >>> anonymous("https://me:secret@pypi.example/simple/")
    ('https://pypi.example/simple/', True)
    """
    parts = urllib.parse.urlsplit(url.strip())
    if parts.username is None and parts.password is None:
        return url.strip(), False
    netloc = parts.hostname or ""
    if ":" in netloc:
        netloc = f"[{netloc}]"
    if parts.port is not None:
        netloc += f":{parts.port}"
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc)), True


def _source(label: str, url: str, problems: list[str]) -> str | None:
    """The source URL to read, without credentials; None (and a problem) if unusable."""
    try:
        base, had_credentials = anonymous(url)
    except ValueError as exc:
        problems.append(f"{label}: source {redact_url(url)!r} is not a URL ({exc}); not read")
        return None
    if urllib.parse.urlsplit(base).scheme not in ("http", "https"):
        problems.append(f"{label}: source {redact_url(url)!r} is not an http(s) URL; not read")
        return None
    if had_credentials:
        problems.append(
            f"{label} ({redact_url(url)}): credentials in the source URL are not sent;"
            " it is read anonymously"
        )
    return base


def _skip_rest(label: str, names: Sequence[str], problems: list[str]) -> None:
    if names:
        problems.append(f"{label}: not asked for {', '.join(names)} (unreachable)")


# --------------------------------------------------------------------------- Python


def _prefill_python(
    label: str,
    source: str,
    index: PypiIndex,
    names: Sequence[str],
    timeout: float,
    placed: dict[str, list[str]],
    problems: list[str],
) -> None:
    base = _source(label, source, problems)
    if base is None:
        return
    for position, name in enumerate(names):
        if not _PYTHON_NAME.fullmatch(name):
            problems.append(f"{label}: {name!r} is not a Python project name; not pre-filled")
            continue
        try:
            files = pypi_project_files(base, name, timeout=timeout)
        except ReleaseActionsError as exc:
            reason = redact_url(exc.message).rstrip(".")
            problems.append(f"{label}: {name} not pre-filled: {reason}")
            if exc.title == "Package index unreachable":
                _skip_rest(label, names[position + 1 :], problems)
                return
            continue
        if files is None:
            where = redact_url(project_url(base, name))
            problems.append(f"{label} has no project {name} ({where}); not pre-filled")
            continue
        versions = sorted({f.version for f in files})
        for version in versions:
            _place_python(index, name, str(version))
        placed[name] = [str(v) for v in versions]


def _place_python(index: PypiIndex, name: str, version: str) -> None:
    """Write the placeholder wheel and sdist of ``name`` ``version`` into the index's folder
    (each file renamed into place whole; a file already there is kept)."""
    builds: tuple[tuple[str, Callable[[str, str], bytes]], ...] = (
        (wheel_filename(name, version), placeholder_wheel),
        (sdist_filename(name, version), placeholder_sdist),
    )
    for filename, build in builds:
        path = index.packages_dir / filename
        if path.exists():
            continue
        partial = index.workdir / f".{filename}.part"
        partial.write_bytes(build(name, version))
        partial.replace(path)


# --------------------------------------------------------------------------- npm


class _Unreachable(Exception):
    pass


def _npm_path(name: str) -> str:
    """The registry path of a package: a scoped name's slash encoded, as npm sends it."""
    return urllib.parse.quote(name, safe="@").replace("%2F", "%2f")


def _get_json(url: str, timeout: float) -> dict[str, Any] | None:
    """GET a packument anonymously; None on 404. Raises :class:`_Unreachable`, or
    ``ValueError`` with one line for any other answer."""
    request = urllib.request.Request(
        url, headers={"Accept": _NPM_ACCEPT, "User-Agent": _USER_AGENT}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read()
    except urllib.error.HTTPError as exc:
        if exc.code in (404, 410):
            return None
        raise ValueError(f"{url} answered HTTP {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise _Unreachable(f"could not reach {url}: {getattr(exc, 'reason', exc)}") from None
    try:
        doc = json.loads(body)
    except ValueError:
        raise ValueError(f"{url} sent no JSON packument") from None
    if not isinstance(doc, dict):
        raise ValueError(f"{url} sent no JSON packument")
    return doc


def _semver_key(version: str) -> tuple[int, semver.Version | None, str]:
    try:
        return (0, semver.Version.parse(version), version)
    except ValueError:
        return (1, None, version)


def _prefill_npm(
    source: str, registry: NpmRegistry, names: Sequence[str], timeout: float, result: Prefilled
) -> None:
    label, problems = "npm", result.problems
    base = _source(label, source, problems)
    if base is None:
        return
    base = base if base.endswith("/") else base + "/"
    for position, name in enumerate(names):
        if not _NPM_NAME.fullmatch(name):
            problems.append(f"{label}: {name!r} is not an npm package name; not pre-filled")
            continue
        url = base + _npm_path(name)
        try:
            doc = _get_json(url, timeout)
        except _Unreachable as exc:
            problems.append(f"{label}: {name} not pre-filled: {redact_url(str(exc))}")
            _skip_rest(label, names[position + 1 :], problems)
            return
        except ValueError as exc:
            problems.append(f"{label}: {name} not pre-filled: {redact_url(str(exc))}")
            continue
        if doc is None:
            problems.append(f"{label} has no package {name} ({redact_url(url)}); not pre-filled")
            continue
        raw_versions = doc.get("versions")
        versions = sorted(
            (v for v in (raw_versions if isinstance(raw_versions, dict) else {}) if v),
            key=_semver_key,
        )
        if not versions:
            problems.append(f"{label}: {name} has no versions at {redact_url(url)}; not pre-filled")
            continue
        raw_tags = doc.get("dist-tags")
        raw_tags = raw_tags if isinstance(raw_tags, dict) else {}
        tags = {str(t): v for t, v in raw_tags.items() if isinstance(v, str) and v in versions}
        if len(tags) < len(raw_tags):
            dropped = ", ".join(sorted(str(t) for t in raw_tags if t not in tags))
            problems.append(f"{label}: {name}: dist-tags {dropped} not in versions; left out")
        try:
            _place_npm(registry, name, versions, tags)
        except (OSError, ValueError) as exc:
            problems.append(f"{label}: {name} not pre-filled: the world's registry refused: {exc}")
            continue
        result.npm[name] = {"versions": versions, "dist_tags": tags}


def _send(registry: NpmRegistry, method: str, path: str, body: Any) -> None:
    """One JSON request to the world's verdaccio: anonymous (it lets anyone publish),
    with the world's own token if it asks for one."""
    data = json.dumps(body).encode()
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    for attempt in ("anonymous", "token"):
        if attempt == "token":
            headers["Authorization"] = f"Bearer {registry.token}"
        request = urllib.request.Request(registry.url + path, data, headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=_WORLD_TIMEOUT) as response:
                response.read()
                return
        except urllib.error.HTTPError as exc:
            if exc.code in (401, 403) and attempt == "anonymous":
                continue
            detail = exc.read().decode(errors="replace").strip()
            raise ValueError(f"{method} {path}: HTTP {exc.code} {detail}") from None


def _place_npm(
    registry: NpmRegistry, name: str, versions: Sequence[str], tags: dict[str, str]
) -> None:
    """Publish a placeholder of every version the world's registry lacks, then make its
    dist-tags exactly ``tags`` (a tag the source does not have is removed)."""
    path = _npm_path(name)
    held = set((registry.packument(name) or {}).get("versions") or {})
    for version in versions:
        if version not in held:
            _send(registry, "PUT", path, npm_publish_body(name, version, registry.url))
    current = registry.dist_tags(name)
    update: dict[str, str | None] = {tag: None for tag in current if tag not in tags}
    update.update(tags)
    if update:
        _send(registry, "POST", f"-/package/{path}/dist-tags", update)
