"""Publishing without surprises: upload only what is missing, never a different artifact.

PyPI (:func:`plan_pypi_upload`): every distribution file is looked up on the
target index through the simple API (:func:`release_actions.registry.pypi_files`,
sha256 included; a file the index lists without a hash is downloaded and
hashed). The same file name with the same sha256 is skipped, so a re-run after a
partial failure uploads only what is missing; the same file name with another
sha256 is an error (a version is never published twice with different contents,
and never silently bumped); a file that is absent is copied into the upload
folder. A second sdist for a version that already has one is an error too (PyPI
refuses it). With ``skip_existing`` (nightlies: a same-day re-run builds the same
version again) a different file under an existing name is skipped with a warning.

npm (:func:`npm_publish`): the tarball's ``name@version`` is looked up on the
registry; an identical tarball (same ``integrity``/``shasum``) is skipped, a
different one is an error, an absent one is published with an explicit
``--tag`` (npm 11 refuses a prerelease without one, and refuses to move
``latest`` below the newest version), and then waited for, bounded.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import semver
from packaging.version import Version

from . import registry as reg
from .build import find_tool, log_block, pack_npm
from .dists import Dist, is_dist, npm_integrity, read_dist, sha256_of, verify_dists
from .errors import InvalidValueError, ReleaseActionsError
from .gha import annotation

__all__ = [
    "FileDecision",
    "NpmPublishResult",
    "PypiPlan",
    "check_dist_tag",
    "npm_publish",
    "plan_pypi_upload",
]

UPLOAD, SKIP, SKIP_DIFFERENT = "upload", "skip", "skip-different"
Lookup = Callable[[str, str, str], list[reg.DistributionFile]]
Download = Callable[[str], str]


# --------------------------------------------------------------------------- PyPI


@dataclass(frozen=True)
class FileDecision:
    dist: Dist
    sha256: str
    action: str  # upload | skip | skip-different
    reason: str
    index_sha256: str = ""


@dataclass
class PypiPlan:
    index_url: str
    out_dir: Path
    decisions: list[FileDecision] = field(default_factory=list)

    def count(self, action: str) -> int:
        return sum(1 for d in self.decisions if d.action == action)

    def as_dict(self) -> dict[str, object]:
        uploads = [d.dist.filename for d in self.decisions if d.action == UPLOAD]
        return {
            "upload": bool(uploads),
            "upload_count": len(uploads),
            "skip_count": self.count(SKIP),
            "skip_different_count": self.count(SKIP_DIFFERENT),
            "upload_files": " ".join(uploads),
            "requirements": " ".join(sorted({d.dist.as_requirement() for d in self.decisions})),
            "out_dir": str(self.out_dir),
            "index_url": self.index_url,
        }

    def rows(self) -> list[tuple[str, str]]:
        return [(d.dist.filename, f"{d.action}: {d.reason}") for d in self.decisions]


def download_sha256(url: str, *, timeout: float = 60) -> str:
    """sha256 of the file at ``url`` (for indexes that list files without hashes)."""
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise InvalidValueError("file URL", url, "an http(s) URL")
    request = urllib.request.Request(url, headers={"User-Agent": "release-actions"})  # noqa: S310
    digest = hashlib.sha256()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            for block in iter(lambda: response.read(1 << 20), b""):
                digest.update(block)
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise ReleaseActionsError(
            f"could not download {url} to compare it: {getattr(exc, 'reason', exc)}.",
            fix="check the index and retry",
            title="Package index unreachable",
        ) from exc
    return digest.hexdigest()


def _default_lookup(index_url: str, name: str, version: str) -> list[reg.DistributionFile]:
    return reg.pypi_files(index_url, name, version)


def _decide(
    dist: Dist,
    sha: str,
    remote: list[reg.DistributionFile],
    download: Download,
) -> tuple[str, str, str]:
    """(action, reason, index sha256) for one file; action ``conflict`` is an error."""
    same_name = [f for f in remote if f.filename == dist.filename]
    if same_name:
        found = same_name[0]
        index_sha = found.sha256 or download(found.url)
        if index_sha.lower() == sha:
            return SKIP, "the identical file is already on the index", index_sha
        return (
            "conflict",
            f"the index has {dist.filename} with sha256 {index_sha[:12]}…, this build's is"
            f" {sha[:12]}…",
            index_sha,
        )
    if dist.kind == "sdist":
        others = [f.filename for f in remote if f.filename.endswith((".tar.gz", ".zip"))]
        if others:
            return (
                "conflict",
                f"the index already has the sdist {others[0]} for {dist.version}",
                "",
            )
    if remote:
        return UPLOAD, f"missing ({len(remote)} other file(s) of {dist.version} are there)", ""
    return UPLOAD, "not on the index", ""


def plan_pypi_upload(
    index_url: str,
    paths: Sequence[Path],
    out_dir: Path,
    *,
    version: Version | None = None,
    skip_existing: bool = False,
    lookup: Lookup = _default_lookup,
    download: Download = download_sha256,
) -> PypiPlan:
    """Decide, file by file, what to upload to the index at ``index_url`` (simple API).

    Files to upload are copied to ``out_dir`` (created; it must hold no
    distribution already). With ``version``, every file must carry it
    (:func:`verify_dists`). Raises :class:`ReleaseActionsError` naming every
    conflicting file, unless ``skip_existing``; nothing is copied then.
    """
    dists = verify_dists(paths, version) if version else [read_dist(p) for p in paths]
    npm = [d.filename for d in dists if d.kind == "npm"]
    if npm:
        raise ReleaseActionsError(
            f"npm tarballs cannot go to a Python index: {', '.join(npm)}.",
            fix="pass only folders of wheels and sdists",
            title="Not a Python distribution",
        )
    plan = PypiPlan(index_url, out_dir)
    remote_cache: dict[tuple[str, str], list[reg.DistributionFile]] = {}
    conflicts: list[str] = []
    for dist in dists:
        key = (dist.project, dist.version)
        if key not in remote_cache:
            remote_cache[key] = lookup(index_url, dist.project, dist.version)
        sha = sha256_of(dist.path)
        action, reason, index_sha = _decide(dist, sha, remote_cache[key], download)
        if action == "conflict":
            if not skip_existing:
                conflicts.append(f"{dist.filename}: {reason}")
                continue
            action = SKIP_DIFFERENT
            annotation(
                "warning",
                f"{dist.filename} is not uploaded: {reason} (skip-existing).",
                title="Existing file skipped",
            )
        plan.decisions.append(FileDecision(dist, sha, action, reason, index_sha))
    if conflicts:
        raise ReleaseActionsError(
            f"{len(conflicts)} file(s) are already on {index_url} with different contents: "
            + "; ".join(conflicts)
            + ".",
            fix=(
                "never publish a different artifact under the same version, and never a silent"
                " patch bump: if the published files are right, there is nothing to do (re-run"
                " only the failed jobs, which reuses the built artifacts); otherwise release a"
                " new version"
            ),
            title="Version already published with other files",
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    stale = [p.name for p in out_dir.iterdir() if is_dist(p)]
    if stale:
        raise ReleaseActionsError(
            f"{out_dir} already holds distributions: {', '.join(sorted(stale))}.",
            fix="give the plan an empty upload folder",
            title="Output folder not empty",
        )
    for decision in plan.decisions:
        if decision.action == UPLOAD:
            shutil.copy2(decision.dist.path, out_dir / decision.dist.filename)
    return plan


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


# --------------------------------------------------------------------------- npm

NPMJS = "registry.npmjs.org"


def check_dist_tag(tag: str) -> str:
    """A dist-tag npm accepts: not empty, no spaces, and not a version or range."""
    stripped = tag.strip()
    valid = (
        bool(stripped)
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
class NpmPublishResult:
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


def _registry_url(registry: str) -> str:
    parsed = urllib.parse.urlsplit(registry.strip())
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise InvalidValueError(
            "npm registry URL", registry, "an http(s) URL, e.g. https://registry.npmjs.org/"
        )
    return urllib.parse.urlunsplit(parsed._replace(path=parsed.path.rstrip("/") + "/"))


def _provenance(mode: str, registry: str, env: Mapping[str, str]) -> bool:
    if mode not in ("auto", "true", "false"):
        raise InvalidValueError("provenance", mode, "auto | true | false")
    if mode != "auto":
        return mode == "true"
    host = urllib.parse.urlsplit(registry).hostname or ""
    return host == NPMJS and bool(env.get("ACTIONS_ID_TOKEN_REQUEST_URL"))


def npm_publish(
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
) -> NpmPublishResult:
    """Publish one npm package (folder or tarball) idempotently; see the module docstring."""
    env = dict(os.environ if env is None else env)
    tag = check_dist_tag(dist_tag)
    if access not in ("", "public", "restricted"):
        raise InvalidValueError("access", access, "public | restricted (or nothing)")
    npm_exe = find_tool("npm", npm, env)
    registry_url = _registry_url(registry)
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
        published = reg.npm_version_dist(
            registry_url, dist.name, dist.version, npm=npm_exe, env=env
        )
        tags = reg.npm_dist_tags(registry_url, dist.name, npm=npm_exe, env=env)

        def result(status: str, tags_now: dict[str, str]) -> NpmPublishResult:
            return NpmPublishResult(
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
            theirs_integrity = str(published.get("integrity") or "")
            theirs_shasum = str(published.get("shasum") or "")
            same = (theirs_integrity and theirs_integrity == integrity) or (
                not theirs_integrity and theirs_shasum == shasum
            )
            if not same:
                raise ReleaseActionsError(
                    f"{dist.spec} is already on {registry_url} with a different tarball"
                    f" (integrity {theirs_integrity or theirs_shasum}, this build's {integrity}).",
                    fix=(
                        "never publish a different artifact under the same version, and never a"
                        " silent patch bump: if the published package is right there is nothing"
                        " to do; otherwise release a new version"
                    ),
                    title="Version already published with another tarball",
                )
            if tags.get(tag) != dist.version:
                annotation(
                    "notice",
                    f"{dist.spec} is already published; dist-tag {tag} points to"
                    f" {tags.get(tag, '(nothing)')} and is left alone.",
                    title="npm dist-tag unchanged",
                )
            return result("exists", tags)
        _check_latest(dist.name, dist.version, tag, tags)
        argv = [npm_exe, "publish", str(tarball), "--tag", tag, "--registry", registry_url]
        if dist.name.startswith("@"):
            argv.append(f"--{dist.name.split('/', 1)[0]}:registry={registry_url}")
        if access:
            argv += ["--access", access]
        if _provenance(provenance, registry_url, env):
            argv.append("--provenance")
        if dry_run:
            argv.append("--dry-run")
        proc = subprocess.run(argv, capture_output=True, text=True, env=env, check=False)
        output = (proc.stdout + proc.stderr).strip()
        log_block(f"npm publish {dist.spec} --tag {tag}", output)
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
        reg.wait_for_npm_version(
            registry_url,
            dist.name,
            dist.version,
            attempts=wait_attempts,
            interval=wait_seconds,
            sleep=sleep,
            npm=npm_exe,
            env=env,
        )
        tags_now = reg.npm_dist_tags(registry_url, dist.name, npm=npm_exe, env=env)
        if tags_now.get(tag) != dist.version:
            raise ReleaseActionsError(
                f"{dist.spec} was published but dist-tag {tag} points to"
                f" {tags_now.get(tag, '(nothing)')}.",
                fix=f"set it by hand: npm dist-tag add {dist.spec} {tag}",
                title="npm dist-tag not set",
            )
        return result("published", tags_now)
