"""Publishing to an npm registry without surprises: never a different artifact.

The tarball's ``name@version`` is looked up on the registry; an identical
tarball (same ``integrity``/``shasum``) is skipped, a different one is an error,
an absent one is published with an explicit ``--tag`` (npm 11 refuses a
prerelease without one, and refuses to move ``latest`` below the newest
version), and then waited for, bounded.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import semver

from release_actions.adapters.dists import npm_integrity, read_dist
from release_actions.adapters.npm_registry import (
    npm_dist_tags,
    npm_registry_args,
    npm_registry_url,
    npm_version_dist,
    wait_for_npm_version,
)
from release_actions.core import diagnostics
from release_actions.core.errors import InvalidValueError, ReleaseActionsError
from release_actions.steps.build import find_tool, pack_npm

__all__ = ["PublishNpmResult", "check_dist_tag", "publish_npm"]

NPMJS = "registry.npmjs.org"


def check_dist_tag(tag: str) -> str:
    """A dist-tag npm accepts: not empty, no spaces, and not a version or range."""
    stripped = tag.strip()
    valid = (
        bool(stripped)
        and stripped.isascii()
        and all(c.isalnum() or c in "-._" for c in stripped)
        and not stripped[0].isdigit()
        and not (stripped[0] in "vV" and stripped[1:2].isdigit())
    )
    if not valid:
        raise InvalidValueError(
            "npm dist-tag",
            tag,
            "a tag name such as latest, latest-0.6, rc, next or dev (not a version)",
        )
    return stripped


@dataclass(frozen=True)
class PublishNpmResult:
    status: str  # published | exists | dry-run
    name: str
    version: str
    dist_tag: str
    registry: str
    tarball: str  # file name
    shasum: str
    integrity: str
    dist_tags: dict[str, str]

    def as_dict(self) -> dict[str, object]:
        return {
            "status": self.status,
            "name": self.name,
            "version": self.version,
            "dist_tag": self.dist_tag,
            "registry": self.registry,
            "tarball": self.tarball,
            "integrity": self.integrity,
            "dist_tags": " ".join(f"{k}={v}" for k, v in sorted(self.dist_tags.items())),
        }


def _tarball(target: Path, work: Path, npm: str, env: Mapping[str, str]) -> Path:
    if target.is_file():
        return target
    if not target.is_dir():
        raise ReleaseActionsError(
            f"{target} does not exist.",
            fix="pass an npm package folder or the .tgz npm pack wrote",
            title="Nothing to publish",
        )
    if (target / "package.json").is_file():
        return pack_npm(target, work, npm=npm, env=env)[0]
    tarballs = sorted(p for p in target.iterdir() if p.is_file() and p.name.endswith(".tgz"))
    if len(tarballs) != 1:
        raise ReleaseActionsError(
            f"{target} holds {len(tarballs)} .tgz files and no package.json.",
            fix="pass the package folder, or a folder with exactly one packed tarball",
            title="Nothing to publish",
        )
    return tarballs[0]


def _semver(text: str) -> semver.Version | None:
    try:
        return semver.Version.parse(text)
    except (ValueError, TypeError):
        return None


def _check_latest(name: str, version: str, tag: str, tags: Mapping[str, str]) -> None:
    if tag != "latest":
        return
    parsed = _semver(version)
    if parsed is not None and parsed.prerelease:
        raise ReleaseActionsError(
            f"{name}@{version} is a prerelease and cannot be published as latest.",
            fix="publish it with the rc/next/dev dist-tag compute-version plans",
            title="Prerelease as latest",
        )
    current = _semver(tags.get("latest", ""))
    if parsed is not None and current is not None and parsed < current:
        line = f"latest-{parsed.major}.{parsed.minor}"
        raise ReleaseActionsError(
            f"latest of {name} is {tags['latest']}, above {version}: publishing {version} as"
            " latest would move it backwards (npm 11 refuses this).",
            fix=f"publish an older line's patch with the dist-tag {line}",
            title="latest would move backwards",
        )


def _check_same_tarball(
    spec: str, registry: str, published: Mapping[str, object], shasum: str, integrity: str
) -> None:
    """An error unless ``published`` (the registry's ``dist``) is this very tarball."""
    theirs_integrity = str(published.get("integrity") or "")
    theirs_shasum = str(published.get("shasum") or "")
    same = (theirs_integrity and theirs_integrity == integrity) or (
        not theirs_integrity and theirs_shasum == shasum
    )
    if not same:
        raise ReleaseActionsError(
            f"{spec} is already on {registry} with a different tarball"
            f" (integrity {theirs_integrity or theirs_shasum}, this build's {integrity}).",
            fix=(
                "never publish a different artifact under the same version, and never a"
                " silent patch bump: if the published package is right there is nothing"
                " to do; otherwise release a new version"
            ),
            title="Version already published with another tarball",
        )


def _provenance(mode: str, registry: str, env: Mapping[str, str]) -> bool:
    if mode not in ("auto", "true", "false"):
        raise InvalidValueError("provenance", mode, "auto | true | false")
    if mode != "auto":
        return mode == "true"
    host = urllib.parse.urlsplit(registry).hostname or ""
    return host == NPMJS and bool(env.get("ACTIONS_ID_TOKEN_REQUEST_URL"))


def publish_npm(
    target: Path,
    *,
    dist_tag: str,
    registry: str,
    expected_version: str = "",
    dry_run: bool = False,
    provenance: str = "auto",
    access: str = "",
    npm: str = "",
    env: Mapping[str, str] | None = None,
    wait_attempts: int = 30,
    wait_seconds: float = 10,
    sleep: Callable[[float], None] = time.sleep,
) -> PublishNpmResult:
    """Publish one npm package (folder or tarball) idempotently; see the module docstring."""
    env = dict(os.environ if env is None else env)
    tag = check_dist_tag(dist_tag)
    if access not in ("", "public", "restricted"):
        raise InvalidValueError("access", access, "public | restricted (or nothing)")
    npm_exe = find_tool("npm", npm, env)
    registry_url = npm_registry_url(registry)
    with tempfile.TemporaryDirectory(prefix="ra-npm-") as tmp:
        work = Path(tmp)
        tarball = _tarball(target, work, npm_exe, env)
        dist = read_dist(tarball)
        if not dist.name or not dist.version:
            raise ReleaseActionsError(
                f"{tarball.name} has no name or version in package.json.",
                fix="pack a valid npm package",
                title="Invalid npm package",
            )
        if expected_version and dist.version != expected_version:
            raise ReleaseActionsError(
                f"{tarball.name} carries {dist.name}@{dist.version}, not {expected_version}.",
                fix="stamp the package with the release version (set-version) before packing",
                title="Wrong version in the npm package",
            )
        shasum, integrity = npm_integrity(tarball)
        published = npm_version_dist(registry_url, dist.name, dist.version, npm=npm_exe, env=env)
        tags = npm_dist_tags(registry_url, dist.name, npm=npm_exe, env=env)

        def result(status: str, tags_now: dict[str, str]) -> PublishNpmResult:
            return PublishNpmResult(
                status,
                dist.name,
                dist.version,
                tag,
                registry_url,
                tarball.name,
                shasum,
                integrity,
                tags_now,
            )

        if published is not None:
            _check_same_tarball(dist.spec, registry_url, published, shasum, integrity)
            if tags.get(tag) != dist.version:
                diagnostics.notice(
                    f"{dist.spec} is already published; dist-tag {tag} points to"
                    f" {tags.get(tag, '(nothing)')} and is left alone.",
                    title="npm dist-tag unchanged",
                )
            return result("exists", tags)
        _check_latest(dist.name, dist.version, tag, tags)
        argv = [npm_exe, "publish", str(tarball), "--tag", tag]
        argv += npm_registry_args(dist.name, registry_url)
        if access:
            argv += ["--access", access]
        if _provenance(provenance, registry_url, env):
            argv.append("--provenance")
        if dry_run:
            argv.append("--dry-run")
        proc = subprocess.run(argv, capture_output=True, text=True, env=env, check=False)
        output = (proc.stdout + proc.stderr).strip()
        diagnostics.log_block(f"npm publish {dist.spec} --tag {tag}", output)
        if proc.returncode != 0:
            lines = [ln for ln in output.splitlines() if "ERR!" in ln or "error" in ln.lower()]
            raise ReleaseActionsError(
                f"npm publish of {dist.spec} to {registry_url} failed (exit code"
                f" {proc.returncode}): {' / '.join(lines[:4]) or output[-400:]}",
                fix="check the registry token (NODE_AUTH_TOKEN) or trusted-publisher setup,"
                " then re-run: what is already published is skipped",
                title="npm publish failed",
            )
        if dry_run:
            return result("dry-run", tags)
        wait_for_npm_version(
            registry_url,
            dist.name,
            dist.version,
            attempts=wait_attempts,
            interval=wait_seconds,
            sleep=sleep,
            npm=npm_exe,
            env=env,
        )
        tags_now = npm_dist_tags(registry_url, dist.name, npm=npm_exe, env=env)
        if tags_now.get(tag) != dist.version:
            raise ReleaseActionsError(
                f"{dist.spec} was published but dist-tag {tag} points to"
                f" {tags_now.get(tag, '(nothing)')}.",
                fix=f"set it by hand: npm dist-tag add {dist.spec} {tag}",
                title="npm dist-tag not set",
            )
        return result("published", tags_now)
