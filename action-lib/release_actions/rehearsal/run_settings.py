"""What a rehearsal's run is given: the world's URLs and tokens as vars, secrets and env,
the step-summary hook, and the GitHub release a ``release`` event is about.

Step summaries: act (host mode) points ``$GITHUB_STEP_SUMMARY`` at one file per
job, empties it before every step and collects nothing (``--env`` cannot move
it: act sets it after the step's environment). So ``BASH_ENV`` names a small
hook (:data:`SUMMARY_HOOK`): in every ``bash`` step's top-level shell it appends
the step's summary, on exit, to ``$RA_REHEARSAL_SUMMARIES/<job>.md``. Steps in
other shells, and steps whose script sets its own ``EXIT`` trap, are not
collected.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .world.github_api.state import Release, now
from .world.world import World

__all__ = ["SUMMARY_HOOK", "run_settings", "seed_release"]

SUMMARY_HOOK = """# release-actions rehearse: keep each bash step's $GITHUB_STEP_SUMMARY, which act
# empties before the next step, in $RA_REHEARSAL_SUMMARIES/<job>.md.
if [ -z "${RA_SUMMARY_SHELL:-}" ] && [ -n "${RA_REHEARSAL_SUMMARIES:-}" ]; then
  export RA_SUMMARY_SHELL=$$
  __ra_keep_summary() {
    if [ -n "${GITHUB_STEP_SUMMARY:-}" ] && [ -s "$GITHUB_STEP_SUMMARY" ]; then
      mkdir -p "$RA_REHEARSAL_SUMMARIES" 2>/dev/null || true
      cat "$GITHUB_STEP_SUMMARY" >> "$RA_REHEARSAL_SUMMARIES/${GITHUB_JOB:-job}.md" || true
      : > "$GITHUB_STEP_SUMMARY" || true
    fi
  }
  trap __ra_keep_summary EXIT
fi
"""


def seed_release(world: World, release: Mapping[str, Any]) -> None:
    """The GitHub release a ``release`` event is about, in the world's GitHub API."""
    state = world.github.state
    with state.lock:
        rel = Release(
            id=state.next_id(),
            tag_name=str(release["tag_name"]),
            target_commitish=str(release.get("target_commitish") or world.default_branch),
            name=str(release.get("name") or release["tag_name"]),
            body=release.get("body") or "",
            draft=False,
            prerelease=bool(release.get("prerelease", False)),
        )
        rel.published_at = now()
        state.releases[rel.id] = rel


def run_settings(
    world: World,
    summaries: Path,
    marker: str,
    user: Mapping[str, Mapping[str, str]],
) -> dict[str, dict[str, str]]:
    """The vars, secrets and env a rehearsal's run gets (user values added on top)."""
    variables = {
        "PYPI_INDEX_URL": world.pypi.simple_url,
        "PYPI_REPOSITORY_URL": world.pypi.url,
        "TESTPYPI_INDEX_URL": world.testpypi.simple_url,
        "TESTPYPI_REPOSITORY_URL": world.testpypi.url,
        "NPM_REGISTRY": world.npm.url,
        "RELEASE_WAIT_ATTEMPTS": "10",
        "RELEASE_WAIT_SECONDS": "0.5",
    }
    secrets = {
        "NPM_TOKEN": world.npm.token,
        "RELEASE_TOKEN": "rehearsal-release-token",
        "GITHUB_TOKEN": "rehearsal-github-token",
    }
    env = {
        "GITHUB_API_URL": world.github.url,
        "RELEASE_ACTIONS_MAX_RETRY_WAIT": "0",
        "RA_NPM_REGISTRY": world.npm.url,
        "npm_config_registry": world.npm.url,
        "UV_NO_BUILD_ISOLATION": "1",
        "UV_PYTHON": sys.executable,
        "UV_PYTHON_DOWNLOADS": "never",
        "npm_config_fetch_retries": "0",
        "npm_config_update_notifier": "false",
        "ACT_STUB_PYPI_UPLOAD_URL": world.pypi.url,
        "ACT_STUB_TESTPYPI_UPLOAD_URL": world.testpypi.url,
        "BASH_ENV": str(world.root / "summary-hook.sh"),
        "RA_REHEARSAL_SUMMARIES": str(summaries),
    }
    return {
        "variables": {**variables, **user.get("variables", {})},
        "secrets": {**secrets, **user.get("secrets", {})},
        "env": {**env, **user.get("env", {}), "RA_REHEARSAL_ID": marker},
    }
