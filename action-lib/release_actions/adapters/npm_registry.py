"""Is a version already on an npm registry? Checks through the real ``npm view``.

Running npm itself means ``.npmrc`` auth and scoped registries work as in a
publish; ``E404`` means absent. Every check takes the :class:`NpmOptions`
keywords (``npm``, ``env``, ``cwd``, ``timeout``) that say how npm runs.

:func:`wait_for_npm_version` polls a bounded number of times and then fails with
a :class:`~release_actions.core.errors.ReleaseActionsError` saying what was looked
for, where, and how long.

>>> npm_registry_url("https://registry.npmjs.org")
'https://registry.npmjs.org/'
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
import urllib.parse
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict

from release_actions.adapters.polling import wait_until
from release_actions.core.errors import InvalidValueError, ReleaseActionsError

if TYPE_CHECKING:
    from typing_extensions import Unpack

__all__ = [
    "NpmOptions",
    "npm_dist_tags",
    "npm_has_version",
    "npm_latest",
    "npm_registry_args",
    "npm_registry_url",
    "npm_version_dist",
    "wait_for_npm_version",
]

_NPM_NAME_RE = re.compile(r"^(?:@[a-z0-9][a-z0-9._~-]*/)?[a-z0-9][a-z0-9._~-]*$")
_SEMVER_RE = re.compile(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
    r"(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$"
)


class NpmOptions(TypedDict, total=False):
    """How ``npm view`` runs; every key is optional."""

    npm: str  # the executable, a name on PATH or an absolute path (default "npm")
    env: Mapping[str, str] | None  # its environment (default: this process's)
    cwd: Path | None  # its working folder, where a project .npmrc is read (default: this one)
    timeout: float  # seconds for one npm view (default 60)


def _npm_name(name: str) -> str:
    if len(name) > 214 or not _NPM_NAME_RE.match(name):
        raise InvalidValueError(
            "npm package name", name, "a lowercase npm name, e.g. llama-stack-client or @org/pkg"
        )
    return name


def _npm_version(version: str) -> str:
    if not _SEMVER_RE.match(version):
        raise InvalidValueError(
            "npm version", version, "a SemVer 2 version, e.g. 0.7.1 or 0.8.0-rc.1"
        )
    return version


def _spec(name: str, version: str) -> str:
    """``name@version``, both checked."""
    return f"{_npm_name(name)}@{_npm_version(version)}"


def npm_registry_url(registry: str) -> str:
    """``registry`` checked to be an http(s) URL, with one trailing slash."""
    parsed = urllib.parse.urlsplit(registry.strip())
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise InvalidValueError(
            "npm registry URL", registry, "an http(s) URL, e.g. https://registry.npmjs.org/"
        )
    return urllib.parse.urlunsplit(parsed._replace(path=parsed.path.rstrip("/") + "/"))


def npm_registry_args(spec: str, registry: str) -> list[str]:
    """The npm flags that send ``spec`` (a package name, maybe ``@scope/``) to ``registry``."""
    args = ["--registry", registry]
    if spec.startswith("@"):
        # A scope's own registry setting would otherwise win over --registry.
        args.append(f"--{spec.split('/', 1)[0]}:registry={registry}")
    return args


def _npm_view(
    registry: str,
    spec: str,
    field: str,
    *,
    npm: str = "npm",
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float = 60,
    extra: tuple[str, ...] = (),
) -> Any:
    """``npm view SPEC FIELD --json``; returns the parsed value, or None for E404."""
    executable = shutil.which(npm) if not Path(npm).is_absolute() else npm
    if executable is None:
        raise ReleaseActionsError(
            f"{npm!r} was not found on PATH.",
            fix="install Node.js and npm (actions/setup-node) before this step",
            title="npm not found",
        )
    registry = npm_registry_url(registry)
    argv = [executable, "view", spec, field, "--json", "--prefer-online"]
    argv += npm_registry_args(spec, registry)
    argv += extra
    try:
        proc = subprocess.run(
            argv,
            capture_output=True,
            text=True,
            env=dict(env) if env is not None else None,
            cwd=cwd,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise ReleaseActionsError(
            f"npm view {spec} against {registry} took longer than {timeout:g} s.",
            fix="check the registry URL and the network",
            title="npm registry unreachable",
        ) from exc
    stdout = proc.stdout.strip()
    parsed: Any = None
    if stdout:
        try:
            parsed = json.loads(stdout)
        except ValueError:
            parsed = None
    if proc.returncode == 0:
        return parsed
    error = parsed.get("error") if isinstance(parsed, dict) else None
    code = error.get("code") if isinstance(error, dict) else None
    if code == "E404" or (code is None and re.search(r"\bE404\b", proc.stderr)):
        return None
    summary = error.get("summary") if isinstance(error, dict) else None
    if not isinstance(summary, str) or not summary:
        lines = [
            line
            for line in proc.stderr.strip().splitlines()
            if line.strip() and "complete log of this run" not in line
        ]
        summary = " / ".join(lines[:3]) or f"exit code {proc.returncode}"
    raise ReleaseActionsError(
        f"npm view {spec} against {registry} failed: {summary}",
        fix="check the registry URL and, for a private registry, the token in .npmrc",
        title="npm registry error",
    )


def _object(value: Any, what: str) -> dict[str, Any]:
    """``value`` if npm printed a JSON object for ``what``, else an error."""
    if not isinstance(value, dict):
        raise ReleaseActionsError(
            f"npm view {what} returned {value!r}, not an object.",
            fix="check the registry URL",
            title="npm registry error",
        )
    return value


def npm_has_version(registry: str, name: str, version: str, **options: Unpack[NpmOptions]) -> bool:
    """Whether ``name@version`` (exact SemVer) is published on ``registry``."""
    value = _npm_view(registry, _spec(name, version), "version", **options)
    if isinstance(value, list):
        return version in value
    return isinstance(value, str) and value == version


def npm_version_dist(
    registry: str, name: str, version: str, **options: Unpack[NpmOptions]
) -> dict[str, Any] | None:
    """The ``dist`` object of ``name@version`` (``shasum``, ``integrity``, ``tarball``), or
    None when that version is not published."""
    spec = _spec(name, version)
    value = _npm_view(registry, spec, "dist", **options)
    if isinstance(value, list):  # several versions matched: take the exact one's
        value = value[-1] if value else None
    if value is None or value == "":
        return None
    return _object(value, f"{spec} dist")


def npm_dist_tags(registry: str, name: str, **options: Unpack[NpmOptions]) -> dict[str, str]:
    """The dist-tags of ``name`` (e.g. ``{"latest": "0.7.1", "rc": "0.8.0-rc.1"}``); {} if
    the package does not exist."""
    value = _npm_view(registry, _npm_name(name), "dist-tags", **options)
    if value is None:
        return {}
    return {str(tag): str(v) for tag, v in _object(value, f"{name} dist-tags").items()}


def npm_latest(registry: str, name: str, *, timeout: float = 30, **options: Any) -> str | None:
    """The ``latest`` dist-tag of ``name`` on ``registry`` (None: not published, or no
    ``latest``). One bounded read: no retries, ``timeout`` seconds in all; an unreachable
    registry raises :class:`ReleaseActionsError` (the caller decides whether that is fatal).
    """
    fetch_ms = str(max(1000, int(timeout * 1000) - 2000))
    extra = ("--fetch-retries=0", f"--fetch-timeout={fetch_ms}")
    value = _npm_view(
        registry, _npm_name(name), "dist-tags", timeout=timeout, extra=extra, **options
    )
    if value is None:
        return None
    latest = _object(value, f"{name} dist-tags").get("latest")
    return latest if isinstance(latest, str) and latest else None


def wait_for_npm_version(
    registry: str,
    name: str,
    version: str,
    *,
    attempts: int = 30,
    interval: float = 10,
    sleep: Callable[[float], None] = time.sleep,
    **options: Unpack[NpmOptions],
) -> None:
    """Return once ``registry`` serves ``name@version``; raise after ``attempts`` checks."""
    spec = _spec(name, version)
    wait_until(
        lambda: npm_has_version(registry, name, version, **options),
        subject=spec,
        where=lambda: npm_registry_url(registry),
        attempts=attempts,
        interval=interval,
        sleep=sleep,
        fix=(
            "check that the publish step published this version to this registry, then"
            " re-run; if the registry is slow to serve it, raise the attempts or interval"
        ),
        title="Version not on the npm registry",
    )
