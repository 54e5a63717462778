"""post-release's ``branch`` step: the npm client dependency and lockfile on release-X.Y.x.

Skipped, with one line, when the project configures no ``npm-package``.

Writes exactly the released version in npm form (``0.6.0-rc.1``), keeps the
range style (``^`` stays ``^``), never adds a dependency, and refreshes
``package-lock.json`` with a real ``npm install --package-lock-only``, after
waiting (bounded) for the registry to serve the version.
"""

from __future__ import annotations

from pathlib import Path

from release_actions.adapters.delivery import PR_BRANCH_PREFIX, Identity, PullRequests, write_change
from release_actions.adapters.npm_cli import update_lockfile
from release_actions.adapters.npm_registry import npm_has_version, wait_for_npm_version
from release_actions.core.config import Config
from release_actions.core.version_plan import hotfix_npm_reason
from release_actions.core.versions import Version, is_hotfix, npm_version
from release_actions.edits.npm_manifest import lockfile_dependency_version, set_npm_dependency
from release_actions.steps.managed_files import find_package_jsons
from release_actions.steps.post.step import Step, step_from_write


class _NotOnNpm(Exception):
    """A pre-release that npm does not have: the step is skipped, not failed."""


def npm_step(
    repo: Path,
    config: Config,
    identity: Identity,
    pulls: PullRequests | None,
    version: Version,
    branch: str,
    *,
    registry: str,
    mode: str,
    push: bool,
    dry_run: bool,
    wait_attempts: int,
    wait_seconds: float,
) -> Step:
    """The ``branch`` step on ``branch``; ``registry`` is waited for (a final release) or
    asked once (a pre-release) before the lockfile is refreshed."""
    if is_hotfix(version):  # no npm form: the release went to PyPI only
        return Step("branch", "skipped", hotfix_npm_reason(version))
    package = config.npm_package
    if not package:
        return Step("branch", "skipped", "no npm package configured (npm-package)")
    wanted = npm_version(version)
    found: list[str] = []
    available: list[bool] = []

    def edit(wt: Path, _new: bool) -> list[str]:
        found.clear()
        changed = []
        for path in find_package_jsons(wt, package, config.package_jsons):
            rel = str(path.relative_to(wt))
            found.append(rel)
            text = path.read_bytes().decode("utf-8")
            new, _old, _range = set_npm_dependency(text, package, wanted, path_for_errors=rel)
            lock = path.parent / "package-lock.json"
            if new == text and _lock_agrees(lock, package, wanted):
                continue
            path.write_text(new, encoding="utf-8")
            changed.append(rel)
            if dry_run:
                continue
            if not available:
                available.append(
                    _npm_available(registry, package, wanted, version, wait_attempts, wait_seconds)
                )
            if not available[0]:
                raise _NotOnNpm
            lock_before = lock.read_bytes() if lock.exists() else b""
            update_lockfile(path.parent, registry=registry)
            if lock.exists() and lock.read_bytes() != lock_before:
                changed.append(str(lock.relative_to(wt)))
        return changed

    title = f"chore: update {package} to {wanted} in the npm lockfile"
    try:
        write = write_change(
            repo,
            branch=branch,
            edit=edit,
            message=title,
            identity=identity,
            mode=mode,
            push=push,
            dry_run=dry_run,
            pr_branch=f"{PR_BRANCH_PREFIX}post-release-{config.tag_prefix}{version}-npm",
            pr_title=title,
            pr_body="Opened by llama-stack/release-actions post-release.",
            pulls=pulls,
        )
    except _NotOnNpm:
        return Step(
            "branch",
            "skipped",
            f"{package}@{wanted} is not on {registry} (release candidates are not "
            "published to npm unless rc-target is pypi)",
        )
    if not found:
        return Step("branch", "skipped", f"no package.json depends on {package}")
    return step_from_write("branch", write, f"{package} {wanted}")


def _lock_agrees(lock: Path, package: str, wanted: str) -> bool:
    if not lock.exists():
        return False
    return lockfile_dependency_version(lock.read_text(encoding="utf-8"), package) == wanted


def _npm_available(
    registry: str, package: str, wanted: str, version: Version, attempts: int, interval: float
) -> bool:
    if version.is_prerelease:
        return npm_has_version(registry, package, wanted)
    wait_for_npm_version(registry, package, wanted, attempts=attempts, interval=interval)
    return True
