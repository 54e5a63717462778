"""release doctor: read-only checks that a repository is in a releasable state.

Each check reports ``ok``, ``warn`` or ``fail`` with a detail and a one-line
fix; any ``fail`` makes the doctor fail (exit 1). Nothing is written.

=====================  =================================================================
check                  what it verifies
=====================  =================================================================
scm-config             every managed pyproject.toml has ``dynamic = ["version"]`` and a
                       ``[tool.setuptools_scm]`` table
scm-build-requires     ... and ``setuptools-scm`` in ``[build-system] requires`` (without
                       it the pretend version is ignored: Llama Stack #4782 built 0.0.0)
fallback-version       the ``fallback_version`` values agree, and fit the branch: a
                       ``.dev0`` above the newest release on the default branch; the
                       prepared X.Y.Z (or an RC of it) on ``release-X.Y.x``
python-pins            every requirement on a configured sibling package is satisfied by
                       the version ``uv.lock`` locks, and the lock was resolved for the
                       requirements as written (not stale, Llama Stack #6460)
npm-lock               every ``package.json`` range on the npm client is satisfied by the
                       version ``package-lock.json`` locks, and the lock records that range
tags                   every ``v<digit>...`` tag parses as a release or dev tag
release-branches       every released line X.Y has ``release-X.Y.x`` (local or origin);
                       a missing branch fails for a maintained line, warns for older ones
dev-tag                main's dev tag is above the newest final release (else post-release
                       did not run for it)
workflows              ``.github/workflows`` calls prepare-release, post-release and
                       compute-version (ours, a local copy, our reusable ``release.yml``
                       (with ``post-release: true`` for post-release), or a workflow of
                       that name)
scm-inference          informs: the version setuptools-scm would infer on the default
                       branch next to nightly-version's base (agreeing: the pretend
                       version could be dropped for nightlies)
=====================  =================================================================

The checks live by subject: :mod:`.scm` (scm-config, scm-build-requires,
fallback-version), :mod:`.locks` (python-pins, npm-lock), :mod:`.release_refs`
(tags, release-branches, dev-tag), :mod:`.workflows` and :mod:`.inference`; :mod:`.context` reads
what they check, :mod:`.report` holds the results.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

from release_actions.core.config import Config
from release_actions.core.errors import InvalidValueError, ReleaseActionsError
from release_actions.steps.default_branch import with_default_branch
from release_actions.steps.doctor.context import Context, current_branch, doctor_pyprojects
from release_actions.steps.doctor.inference import check_scm_inference
from release_actions.steps.doctor.locks import check_npm_lock, check_python_pins
from release_actions.steps.doctor.release_refs import (
    check_conventions,
    check_dev_tag,
    check_release_branches,
    check_tags,
)
from release_actions.steps.doctor.report import FAIL, OK, WARN, Check, DoctorReport
from release_actions.steps.doctor.scm import (
    check_build_requires,
    check_fallback_version,
    check_scm_config,
)
from release_actions.steps.doctor.workflows import check_workflows
from release_actions.steps.maintained import DEFAULT_COUNT
from release_actions.steps.managed_files import find_package_jsons

__all__ = [
    "CHECKS",
    "FAIL",
    "OK",
    "WARN",
    "Check",
    "DoctorReport",
    "current_branch",
    "doctor",
    "doctor_pyprojects",
]

CHECKS = (
    "scm-config",
    "scm-build-requires",
    "fallback-version",
    "python-pins",
    "npm-lock",
    "conventions",
    "tags",
    "release-branches",
    "dev-tag",
    "workflows",
    "scm-inference",
)


CHECK_FUNCTIONS: dict[str, Callable[[Context], Check]] = {
    "scm-config": check_scm_config,
    "scm-build-requires": check_build_requires,
    "fallback-version": check_fallback_version,
    "python-pins": check_python_pins,
    "npm-lock": check_npm_lock,
    "conventions": check_conventions,
    "tags": check_tags,
    "release-branches": check_release_branches,
    "dev-tag": check_dev_tag,
    "workflows": check_workflows,
    "scm-inference": check_scm_inference,
}
assert tuple(CHECK_FUNCTIONS) == CHECKS


def _run(name: str, function: Callable[[Context], Check], ctx: Context) -> Check:
    try:
        return function(ctx)
    except ReleaseActionsError as err:
        return Check(name, FAIL, err.message, err.fix or "fix the problem above and re-run")
    except (ValueError, OSError) as err:  # malformed JSON/TOML values, unreadable files
        return Check(name, FAIL, f"{type(err).__name__}: {err}", "fix the file named above")


def doctor(
    repo: Path,
    config: Config,
    *,
    branch: str = "",
    count: int = DEFAULT_COUNT,
    env: Mapping[str, str] | None = None,
) -> DoctorReport:
    """Run every check on ``repo``; ``branch`` defaults to HEAD's branch."""
    if count < 1:
        raise InvalidValueError("count", count, "a whole number of lines, 1 or more")
    branch = branch.removeprefix("refs/heads/") if branch else current_branch(repo, env)
    config = with_default_branch(repo, config, env)
    ctx = Context(repo, config, branch, count)
    # The managed files are read first: one that cannot be read (outside the repository,
    # not UTF-8, unreadable, malformed) is one error, not a failure of every check.
    _ = ctx.pyprojects
    if config.npm_package:
        find_package_jsons(repo, config.npm_package, config.package_jsons)
    return DoctorReport(branch, tuple(_run(name, fn, ctx) for name, fn in CHECK_FUNCTIONS.items()))
