"""The shape of the release workflow: what the e2e tests cannot see by running it.

``tests/test_e2e_release.py`` runs the workflow; these checks pin down the rules
that only show on GitHub: who may mint OIDC tokens, what post-release waits for,
where the upload step sits, and what the example caller triggers on.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
RELEASE = ROOT / ".github" / "workflows" / "release.yml"
EXAMPLE = ROOT / "tests" / "fixtures" / "consumer-workflows" / "release.yml"
PYPA = "pypa/gh-action-pypi-publish@"


def load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data


def jobs() -> dict[str, Any]:
    jobs: dict[str, Any] = load(RELEASE)["jobs"]
    return jobs


def test_only_the_publish_job_may_request_an_oidc_token() -> None:
    granted = {
        name: job.get("permissions", {}).get("id-token")
        for name, job in jobs().items()
        if job.get("permissions", {}).get("id-token")
    }
    assert granted == {"publish": "write"}
    assert load(RELEASE)["permissions"] == {}


def test_post_release_needs_only_the_publish_job() -> None:
    # A failing job elsewhere (containers, docs) must not block post-release.
    post = jobs()["post-release"]
    assert post["needs"] in ("publish", ["publish"])
    assert post["uses"] == "llama-stack/release-actions/.github/workflows/post-release.yml@v1"


def test_publish_order_client_then_npm_then_local_packages() -> None:
    steps = jobs()["publish"]["steps"]
    names = [s.get("id") or s.get("uses", "").split("@")[0] for s in steps]
    client, npm, local = names.index("client-python"), names.index("npm"), names.index("local")
    assert client < npm < local
    # Each PyPI plan is followed by the upload and then the wait, in the job itself
    # (pypa/gh-action-pypi-publish cannot run inside a composite action).
    for plan in (client, local):
        upload, wait = steps[plan + 1], steps[plan + 2]
        assert upload["uses"].startswith(PYPA)
        assert upload["if"] == f"steps.{steps[plan]['id']}.outputs.upload == 'true'"
        assert upload["with"]["attestations"] == "${{ needs.version.outputs.target == 'pypi' }}"
        assert "repository-url" in upload["with"]
        assert wait["uses"].startswith("llama-stack/release-actions/actions/wait-pypi@")
    npm_step = steps[npm]
    assert npm_step["with"]["dist-tag"] == "${{ needs.version.outputs.npm-dist-tag }}"


def test_publish_is_serialised_and_never_cancelled() -> None:
    concurrency = jobs()["publish"]["concurrency"]
    assert concurrency["cancel-in-progress"] is False
    assert "needs.version.outputs.version" in concurrency["group"]


def test_a_release_builds_the_tags_commit() -> None:
    checkout = jobs()["build"]["steps"][0]
    assert checkout["uses"].startswith("actions/checkout@")
    ref = " ".join(checkout["with"]["ref"].split())
    # A release event, or any publish to production (dispatch dry_run=off), builds the tag.
    assert ref == (
        "${{ inputs.ref || ((github.event_name == 'release' || needs.version.outputs.target =="
        " 'pypi') && needs.version.outputs.tag) || github.sha }}"
    )
    assert jobs()["smoke"]["steps"][0]["with"]["ref"] == checkout["with"]["ref"]
    assert checkout["with"]["persist-credentials"] is False


def test_the_example_caller_has_the_workflow_modes_triggers() -> None:
    example = load(EXAMPLE)
    on = example.get("on", example.get(True))
    assert on["release"] == {"types": ["published"]}
    assert on["schedule"]
    dispatch = on["workflow_dispatch"]["inputs"]
    assert dispatch["dry_run"]["options"] == ["test-pypi", "build-only", "off"]
    assert dispatch["packages"]["options"] == ["all", "local", "clients"]
    assert "version" in dispatch
    call = example["jobs"]["release"]
    assert call["uses"] == "llama-stack/release-actions/.github/workflows/release.yml@v1"
    assert call["permissions"]["id-token"] == "write"
