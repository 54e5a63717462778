"""Uploading to a Python index without surprises: upload only what is missing.

Every distribution file is looked up on the target index through the simple API
(:func:`release_actions.adapters.pypi_index.pypi_files`, sha256 included; a file the
index lists without a hash is downloaded and hashed). The same file name with
the same sha256 is skipped, so a re-run after a partial failure uploads only what
is missing; the same file name with another sha256 is an error (a version is
never published twice with different contents, and never silently bumped); a
file that is absent is copied into the upload folder. A second sdist for a
version that already has one is an error too (PyPI refuses it). With
``skip_existing`` (nightlies: a same-day re-run builds the same version again) a
different file under an existing name is skipped with a warning.
"""

from __future__ import annotations

import hashlib
import shutil
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from packaging.version import Version

from release_actions.adapters.dists import Dist, read_dist, sha256_of, verify_dists
from release_actions.adapters.pypi_index import DistributionFile, pypi_files
from release_actions.core import diagnostics
from release_actions.core.errors import InvalidValueError, ReleaseActionsError
from release_actions.steps.build import prepare_out_dir

__all__ = [
    "FileDecision",
    "PypiPlan",
    "download_sha256",
    "plan_pypi_upload",
]

UPLOAD, SKIP, SKIP_DIFFERENT = "upload", "skip", "skip-different"
Lookup = Callable[[str, str, str], list[DistributionFile]]
Download = Callable[[str], str]


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


def _default_lookup(index_url: str, name: str, version: str) -> list[DistributionFile]:
    return pypi_files(index_url, name, version)


def _decide(
    dist: Dist,
    sha: str,
    remote: list[DistributionFile],
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
    remote_cache: dict[tuple[str, str], list[DistributionFile]] = {}
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
            diagnostics.warning(
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
    prepare_out_dir(out_dir, fix="give the plan an empty upload folder")
    for decision in plan.decisions:
        if decision.action == UPLOAD:
            shutil.copy2(decision.dist.path, out_dir / decision.dist.filename)
    return plan
