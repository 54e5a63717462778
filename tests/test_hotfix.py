"""Hotfix versions X.Y.Z.N (Llama Stack published 0.2.10.1 and 0.1.5.1): through the CLI on
real git repositories, for compute-version, nightlies, maintained, doctor, prepare- and
post-release.

The repository (``hotfixed``)::

    main           0.3.0.dev0 ... v0.2.11-dev ... (HEAD)
    release-0.1.x  v0.1.5  v0.1.5.1
    release-0.2.x  v0.2.10  v0.2.10.1  (one commit after it)
"""

from __future__ import annotations

import contextlib
import io
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from release_actions.adapters.delivery import Identity
from release_actions.adapters.manifests import load_config
from release_actions.core.config import LLAMA_STACK, Config
from release_actions.core.errors import InvalidValueError, ReleaseActionsError
from release_actions.core.nightly_base import TagState, compute_base
from release_actions.core.version_plan import Request, decide
from release_actions.core.versions import Version, tag_rank
from release_actions.interface.cli import main
from release_actions.steps.doctor import OK, doctor
from release_actions.steps.post.release import PostRequest, post_release
from release_actions.steps.prepare import PrepareRequest, prepare_release
from tests.testbed.origin import Origin
from tests.testbed.registries import PypiIndex
from tests.testbed.scenario import Scenario, git

DATE = "20261203"
BOT = Identity("release-bot", "bot@example.com")
NO_NPM = "http://127.0.0.1:9/"  # nothing listens: a hotfix must never ask npm


@pytest.fixture(scope="module")
def hotfixed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    r = Scenario(tmp_path_factory.mktemp("hotfix") / "repo", fallback="0.1.5.dev0").commit()
    r.branch("release-0.1.x").commit(fallback="0.1.5").tag("v0.1.5")
    r.commit(fallback="0.1.5.1").tag("v0.1.5.1").checkout("main")
    r.commit(fallback="0.2.10.dev0").branch("release-0.2.x").commit(fallback="0.2.10")
    r.tag("v0.2.10").commit(fallback="0.2.10.1").tag("v0.2.10.1").commit()
    r.checkout("main").commit(fallback="0.2.11.dev0").tag("v0.2.11-dev").commit()
    return r.path


def cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()


def compute(repo: Path, *args: str) -> dict[str, object]:
    code, out, err = cli("compute-version", "--repo", str(repo), "--json", "--date", DATE, *args)
    assert code == 0, err
    data: dict[str, object] = json.loads(out)
    return data


# --------------------------------------------------------------------------- compute-version


def test_release_event_of_a_hotfix_is_pypi_only(
    hotfixed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    data = compute(
        hotfixed, "--event", "release", "--tag", "v0.2.10.1", "--branch", "release-0.2.x"
    )
    assert {k: data[k] for k in ("version", "tag", "target", "publish_pypi", "npm_version")} == {
        "version": "0.2.10.1",
        "tag": "v0.2.10.1",
        "target": "pypi",
        "publish_pypi": True,
        "npm_version": "",
    }
    assert (data["publish_npm"], data["npm_dist_tag"]) == (False, "")
    assert data["release_branch"] == "release-0.2.x"
    reason = str(data["npm_skip_reason"])
    assert reason.startswith("hotfix 0.2.10.1 is PyPI-only") and "four release numbers" in reason
    assert f"- {reason}" in summary.read_text()


def test_release_event_reads_the_branch_from_the_payload(hotfixed: Path, tmp_path: Path) -> None:
    payload = tmp_path / "event.json"
    release = {"tag_name": "v0.1.5.1", "target_commitish": "release-0.1.x", "prerelease": False}
    payload.write_text(json.dumps({"release": release}))
    env = {"GITHUB_EVENT_NAME": "release", "GITHUB_EVENT_PATH": str(payload)}
    from release_actions.steps.compute import compute as compute_plan
    from release_actions.steps.compute import request_from_event

    request = request_from_event(env=env)
    assert request.branch == "release-0.1.x"
    plan = compute_plan(request, repo=hotfixed, config=Config(), env={})
    assert (plan.version, plan.publish_npm, plan.npm_dist_tag) == ("0.1.5.1", False, "")
    # A commit SHA as target_commitish names no branch: the hotfix is then refused.
    release["target_commitish"] = "0123456789abcdef0123456789abcdef01234567"
    payload.write_text(json.dumps({"release": release}))
    with pytest.raises(InvalidValueError, match=r"release-0\.1\.x"):
        compute_plan(request_from_event(env=env), repo=hotfixed, config=Config(), env={})


@pytest.mark.parametrize(
    ("branch", "fix"),
    [
        ("main", "release 0.2.10.1 from release-0.2.x"),
        ("release-0.1.x", "release 0.2.10.1 from release-0.2.x"),
        ("", "pass --branch release-0.2.x"),
    ],
)
def test_hotfix_off_its_release_branch_is_refused(hotfixed: Path, branch: str, fix: str) -> None:
    args = ["--event", "release", "--tag", "v0.2.10.1"] + (["--branch", branch] if branch else [])
    code, out, err = cli("compute-version", "--repo", str(hotfixed), *args)
    assert code == 1 and out == ""
    lines = [line for line in err.splitlines() if not line.startswith("conventions: ")]
    assert lines[0].startswith("error: ") and "0.2.10.1" in lines[0]
    assert lines[1] == f"fix: {fix}" or lines[1].startswith(f"fix: {fix}")
    assert "Traceback" not in err and len(lines) == 2


def test_manual_dispatch_of_a_hotfix_from_its_release_branch(
    hotfixed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_REF", "refs/heads/release-0.2.x")
    args = ("--event", "workflow_dispatch", "--dry-run", "off", "--version", "0.2.10.1")
    data = compute(hotfixed, *args)
    assert (data["target"], data["tag"], data["publish_npm"], data["npm_dist_tag"]) == (
        "pypi",
        "v0.2.10.1",
        False,
        "",
    )
    assert str(data["npm_skip_reason"]).startswith("hotfix 0.2.10.1 is PyPI-only")
    test_upload = compute(hotfixed, "--event", "workflow_dispatch", "--version", "0.2.10.1")
    assert (test_upload["target"], test_upload["publish_npm"]) == ("testpypi", False)
    monkeypatch.setenv("GITHUB_REF", "refs/heads/main")
    code, _, err = cli("compute-version", "--repo", str(hotfixed), *args)
    assert code == 1 and "release-0.2.x" in err


def test_only_finals_have_hotfixes() -> None:
    for bad in ("0.2.10.1rc1", "0.2.10.0", "0.2.10.1.1"):
        request = Request("workflow_dispatch", dry_run="off", version=bad, branch="release-0.2.x")
        with pytest.raises(InvalidValueError):
            decide(request, Config())


# --------------------------------------------------------------------------- nightlies


def test_nightly_after_a_hotfix_follows_setuptools_scm(hotfixed: Path, tmp_path: Path) -> None:
    """A checkout of release-0.2.x after v0.2.10.1: 0.2.10.2.devN, what guess-next-dev infers."""
    repo = tmp_path / "repo"
    shutil.copytree(hotfixed, repo)
    git(repo, "checkout", "-q", "release-0.2.x")
    data = compute(repo, "--event", "schedule", "--no-fetch")
    assert data["version"] == f"0.2.10.2.dev{DATE}"
    assert data["npm_version"] == ""  # no npm form for four numbers; nightlies skip npm anyway
    assert (data["base_source"], data["publish_npm"]) == ("release-tag", False)
    code, out, _ = cli("nightly-version", "--repo", str(repo), "--date", DATE, "--no-fetch")
    assert code == 0 and f"version=0.2.10.2.dev{DATE}" in out and "tag=v0.2.10.1" in out


def test_a_hotfix_never_moves_the_default_branch(hotfixed: Path) -> None:
    data = compute(hotfixed, "--event", "schedule", "--branch", "main", "--no-fetch")
    assert data["version"] == f"0.2.11.dev{DATE}"
    assert data["base_source"] == "dev-tag"


def _state(*names: str, nearest: str) -> TagState:
    ranked = tuple((n, info) for n in names if (info := tag_rank(n)) is not None)
    return TagState(ranked=ranked, nearest=(nearest,))


@pytest.mark.parametrize(
    ("tags", "nearest", "base", "tag"),
    [
        (("v0.2.10", "v0.2.10.1"), "v0.2.10.1", "0.2.10.2", "v0.2.10.1"),
        (("v0.2.10", "v0.2.10.1", "v0.2.10.2"), "v0.2.10.2", "0.2.10.3", "v0.2.10.2"),
        # a later release of the line tagged elsewhere outranks the hotfix
        (("v0.2.10", "v0.2.10.1", "v0.2.11rc1"), "v0.2.10.1", "0.2.11rc2", "v0.2.11rc1"),
        (("v0.2.10", "v0.2.10.1", "v0.2.11"), "v0.2.10.1", "0.2.12", "v0.2.11"),
        # the hotfix is not reachable (HEAD before it): its final's base is above it
        (("v0.2.10", "v0.2.10.1"), "v0.2.10", "0.2.11", "v0.2.10"),
    ],
)
def test_nightly_base_on_the_release_branch(
    tags: tuple[str, ...], nearest: str, base: str, tag: str
) -> None:
    chosen = compute_base(_state(*tags, nearest=nearest), "release-0.2.x", None)
    assert (str(chosen.version), chosen.tag) == (base, tag)
    assert Version(f"{chosen.version}.dev0") > max(Version(t[1:]) for t in tags)


def test_fallback_ahead_of_a_hotfix_still_wins() -> None:
    state = _state("v0.2.10", "v0.2.10.1", nearest="v0.2.10.1")
    assert compute_base(state, "release-0.2.x", Version("0.2.11")).source == "fallback"
    assert compute_base(state, "release-0.2.x", Version("0.2.10.1")).tag == "v0.2.10.1"


# --------------------------------------------------------------------------- maintained, doctor


def test_maintained_shows_the_hotfix_as_the_lines_latest(hotfixed: Path) -> None:
    code, out, _ = cli("maintained", "--repo", str(hotfixed), "--count", "2")
    assert code == 0
    assert json.loads(out)["include"] == [
        {"branch": "release-0.2.x", "line": "0.2", "latest": "v0.2.10.1"},
        {"branch": "release-0.1.x", "line": "0.1", "latest": "v0.1.5.1"},
    ]


def test_doctor_takes_hotfix_tags_as_releases(hotfixed: Path) -> None:
    report = doctor(hotfixed, load_config(hotfixed), branch="main", count=2, env={})
    tags = report.check("tags")
    assert tags.status == OK and tags.fix == ""
    assert tags.detail == "4 release and 1 dev tag(s), all parse"
    dev = report.check("dev-tag")  # a hotfix is never "the newest release" main must pass
    assert dev.status == OK and "v0.2.10 " in f"{dev.detail} "
    assert report.check("release-branches").status == OK


def test_doctor_warns_only_about_tags_it_cannot_place(tmp_path: Path) -> None:
    r = Scenario(tmp_path / "repo").commit().tag("v0.1.0").tag("v0.1.0.1").tag("v0.1.0.0")
    git(r.path, "branch", "release-0.1.x")
    report = doctor(r.path, load_config(r.path), branch="main", count=2, env={})
    tags = report.check("tags")
    assert "1 tag(s)" in tags.detail and "v0.1.0.0" in tags.detail
    assert "v0.1.0.1" not in tags.detail
    assert "keep any that name a published release" in tags.fix


# --------------------------------------------------------------------------- prepare, post


@pytest.fixture
def index(
    client_index: Callable[..., PypiIndex], uv_on_index: Callable[[PypiIndex], None]
) -> PypiIndex:
    index = client_index("0.7.1")
    uv_on_index(index)
    return index


def test_prepare_a_hotfix_on_its_release_branch(origin: Origin, index: PypiIndex) -> None:
    main_before = origin.ref("main")
    request = PrepareRequest(version="0.7.1.1", index_url=index.simple_url)
    result = prepare_release(origin.work, request, LLAMA_STACK, identity=BOT)
    assert (result.tag, result.release_branch, result.write.status) == (
        "v0.7.1.1",
        "release-0.7.x",
        "pushed",
    )
    assert not result.write.created_branch
    assert origin.log("release-0.7.x", max_count=1)[0].subject == "chore: prepare release v0.7.1.1"
    root = origin.show("release-0.7.x", "pyproject.toml")
    assert 'fallback_version = "0.7.1.1"' in root
    assert root.count('"llama-stack-client==0.7.1"') == 2  # siblings are not re-released
    assert "hotfix 0.7.1.1: sibling pins stay at 0.7.1" in result.notes
    assert origin.ref("main") == main_before


@pytest.mark.parametrize(
    ("version", "message"),
    [
        ("0.7.2.1", "0.7.2, which has no release tag v0.7.2"),
        ("0.8.0.1", "0.8.0, which has no release tag v0.8.0"),
        ("0.7.0.1", "not above 0.7.1"),
    ],
)
def test_prepare_refuses_a_hotfix_it_cannot_place(
    origin: Origin, version: str, message: str
) -> None:
    refs = origin.bare_git("for-each-ref")
    with pytest.raises(ReleaseActionsError, match=message):
        prepare_release(origin.work, PrepareRequest(version=version), Config(), identity=BOT)
    assert origin.bare_git("for-each-ref") == refs


def test_post_release_of_a_hotfix_leaves_main_and_npm_alone(origin: Origin) -> None:
    origin.bare_git("tag", "v0.7.1.1", "release-0.7.x")
    refs = origin.bare_git("for-each-ref")
    request = PostRequest(tag="v0.7.1.1", npm_registry=NO_NPM, npm_wait_attempts=1)
    result = post_release(origin.work, request, Config(), identity=BOT)
    steps = {name: (s.status, s.detail) for name, s in result.steps.items()}
    assert steps["dev-tag"][0] == steps["main"][0] == steps["branch"][0] == "skipped", steps
    assert "a hotfix never moves the default branch's dev line" in steps["main"][1]
    assert steps["branch"][1].startswith("hotfix 0.7.1.1 is PyPI-only")
    assert result.as_dict()["next_dev_version"] == "" and not result.failed
    assert origin.bare_git("for-each-ref") == refs


def test_plan_of_a_hotfix(origin: Origin, index: PypiIndex) -> None:
    """plan 0.7.1.1: a patch-kind release on release-0.7.x, PyPI-only, main left alone."""
    argv = ["plan", "0.7.1.1", "--repo", str(origin.work), "--index-url", index.simple_url]
    code, out, err = cli(*argv, "--json")
    assert code == 0, err
    data = json.loads(out)
    assert (data["kind"], data["release_branch"], data["creates_branch"]) == (
        "patch",
        "release-0.7.x",
        False,
    )
    publish = data["publish"]
    assert (publish["version"], publish["publish_npm"], publish["npm_dist_tag"]) == (
        "0.7.1.1",
        False,
        "",
    )
    assert publish["npm_skip_reason"].startswith("hotfix 0.7.1.1 is PyPI-only")
    steps = data["post_release"]["steps"]
    assert {name: step["status"] for name, step in steps.items()} == dict.fromkeys(
        ("dev-tag", "main", "branch"), "skipped"
    )
