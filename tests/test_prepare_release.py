"""prepare-release on the Llama-Stack-shaped monorepo, against a bare origin and a local index."""

from __future__ import annotations

import contextlib
import difflib
import io
import json
from collections.abc import Callable

import pytest

from release_actions.adapters.delivery import Identity
from release_actions.core.config import LLAMA_STACK
from release_actions.core.errors import ReleaseActionsError
from release_actions.interface.cli import main
from release_actions.steps.prepare import PrepareRequest, prepare_release
from tests.testbed.origin import Origin
from tests.testbed.registries import PypiIndex

BOT = Identity("release-bot", "bot@example.com")
ROOT = "pyproject.toml"
API = "src/llama_stack_api/pyproject.toml"


@pytest.fixture(scope="module")
def index(client_index: Callable[..., PypiIndex]) -> PypiIndex:
    return client_index("0.7.2", "0.8.0rc1", "0.8.0")


@pytest.fixture(autouse=True)
def uv_against_index(index: PypiIndex, uv_on_index: Callable[[PypiIndex], None]) -> None:
    """uv builds the dynamic-version projects' metadata without isolation (no setuptools
    on the test index), as tests/testbed/monorepo.py explains."""
    uv_on_index(index)


def prepare(origin: Origin, index: PypiIndex, version: str, **kw: object) -> object:
    request = PrepareRequest(version=version, index_url=index.simple_url, **kw)  # type: ignore[arg-type]
    return prepare_release(origin.work, request, LLAMA_STACK, identity=BOT)


def changed_lines(before: str, after: str) -> list[str]:
    return [
        line
        for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]


def test_patch_release_push_mode(origin: Origin, index: PypiIndex) -> None:
    before_root = origin.show("release-0.7.x", ROOT)
    result = prepare(origin, index, "0.7.2")
    assert result.write.status == "pushed"  # type: ignore[attr-defined]
    tip = origin.log("release-0.7.x", max_count=1)[0]
    assert tip.subject == "chore: prepare release v0.7.2"
    assert tip.author == "release-bot <bot@example.com>"
    after_root = origin.show("release-0.7.x", ROOT)
    # Only the version bytes changed: comments, quotes and order preserved.
    assert changed_lines(before_root, after_root) == [
        '-    "llama-stack-client==0.7.1", # Optional for library-only usage',
        '-    "llama-stack-client==0.7.1", # Typed client for the integration tests',
        '-fallback_version = "0.7.1"',
        '+    "llama-stack-client==0.7.2", # Optional for library-only usage',
        '+    "llama-stack-client==0.7.2", # Typed client for the integration tests',
        '+fallback_version = "0.7.2"',
    ] or sorted(changed_lines(before_root, after_root)) == sorted(
        [
            '-    "llama-stack-client==0.7.1", # Optional for library-only usage',
            '+    "llama-stack-client==0.7.2", # Optional for library-only usage',
            '-    "llama-stack-client==0.7.1", # Typed client for the integration tests',
            '+    "llama-stack-client==0.7.2", # Typed client for the integration tests',
            '-fallback_version = "0.7.1"',
            '+fallback_version = "0.7.2"',
        ]
    )
    assert 'fallback_version = "0.7.2"' in origin.show("release-0.7.x", API)
    lock = origin.show("release-0.7.x", "uv.lock")
    assert 'name = "llama-stack-client"\nversion = "0.7.2"' in lock
    assert 'specifier = "==0.7.2"' in lock
    # A re-run after success changes nothing and reports the existing state.
    again = prepare(origin, index, "0.7.2")
    assert again.write.status == "unchanged"  # type: ignore[attr-defined]
    assert again.write.commit_sha == origin.ref("release-0.7.x")  # type: ignore[attr-defined]


def test_minor_release_creates_its_branch(origin: Origin, index: PypiIndex) -> None:
    assert origin.ref("release-0.8.x") is None
    main_sha = origin.ref("main")
    result = prepare(origin, index, "0.8.0")
    assert result.write.created_branch  # type: ignore[attr-defined]
    assert origin.log("release-0.8.x", max_count=2)[1].sha == main_sha
    assert 'fallback_version = "0.8.0"' in origin.show("release-0.8.x", ROOT)
    assert '"llama-stack-client==0.8.0", # Optional' in origin.show("release-0.8.x", ROOT)
    assert origin.ref("main") == main_sha


def test_rc(origin: Origin, index: PypiIndex) -> None:
    result = prepare(origin, index, "0.8.0rc1")
    assert result.write.status == "pushed"  # type: ignore[attr-defined]
    assert 'fallback_version = "0.8.0rc1"' in origin.show("release-0.8.x", ROOT)
    assert 'version = "0.8.0rc1"' in origin.show("release-0.8.x", "uv.lock")


@pytest.mark.parametrize(
    ("version", "branch", "fragment"),
    [
        ("0.7.1", "", "tag v0.7.1 already exists"),
        ("0.7.0", "", "already exists"),
        ("0.6.0rc2", "", "not above 0.6.1"),
        ("0.8.0", "release-0.7.x", "release-0.8.x for version 0.8.0"),
        ("0.9.1", "", "release branch release-0.9.x does not exist"),
    ],
)
def test_rejected_without_writing(
    origin: Origin, index: PypiIndex, version: str, branch: str, fragment: str
) -> None:
    refs = origin.bare_git("for-each-ref")
    with pytest.raises(ReleaseActionsError) as info:
        prepare(origin, index, version, release_branch=branch)
    assert fragment in str(info.value)
    assert origin.bare_git("for-each-ref") == refs


def test_dry_run_prints_plan_and_diff(origin: Origin, index: PypiIndex) -> None:
    refs = origin.bare_git("for-each-ref"), origin.git("for-each-ref")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(
            [
                "prepare-release",
                "--repo",
                str(origin.work),
                "--version",
                "0.7.2",
                "--index-url",
                index.simple_url,
                "--dry-run",
            ]
        )
    assert code == 0
    text = out.getvalue()
    assert "status=dry-run" in text
    assert '+fallback_version = "0.7.2"' in text
    assert (origin.bare_git("for-each-ref"), origin.git("for-each-ref")) == refs
    assert origin.git("status", "--porcelain") == ""


def test_unpublished_pin_policies(origin: Origin, index: PypiIndex) -> None:
    with pytest.raises(ReleaseActionsError, match=r"not published|cannot resolve"):
        prepare(origin, index, "0.7.3")
    assert origin.log("release-0.7.x", max_count=1)[0].subject != "chore: prepare release v0.7.3"
    with pytest.raises(ReleaseActionsError, match="still not resolvable after 2 tries"):
        prepare(
            origin, index, "0.7.3", lock_policy="wait", lock_wait_attempts=2, lock_wait_seconds=0
        )
    result = prepare(origin, index, "0.7.3", lock_policy="skip")
    assert result.lock == "skipped"  # type: ignore[attr-defined]
    assert any("uv.lock NOT updated" in n for n in result.notes)  # type: ignore[attr-defined]
    assert 'fallback_version = "0.7.3"' in origin.show("release-0.7.x", ROOT)
    assert "uv.lock" not in result.write.changed_files  # type: ignore[attr-defined]


def test_no_push_commits_locally(origin: Origin, index: PypiIndex) -> None:
    remote_before = origin.ref("release-0.7.x")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(
            [
                "prepare-release",
                "--repo",
                str(origin.work),
                "--version",
                "0.7.2",
                "--index-url",
                index.simple_url,
                "--no-push",
                "--json",
            ]
        )
    assert code == 0
    data = json.loads(out.getvalue())
    assert data["status"] == "committed" and data["changed"] is True
    assert origin.ref("release-0.7.x") == remote_before
    assert origin.git("rev-parse", "refs/heads/release-0.7.x") == data["commit_sha"]
    assert data["changed_files"] == f"{ROOT} {API} uv.lock"


def test_pin_style_minimum(origin: Origin, index: PypiIndex) -> None:
    prepare(origin, index, "0.7.2", pin_style="minimum")
    assert '"llama-stack-client>=0.7.2", # Optional' in origin.show("release-0.7.x", ROOT)
