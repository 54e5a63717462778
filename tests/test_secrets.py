"""A token planted in every input channel never reaches what the tool prints.

The channels that carry secrets: the token variables (GITHUB_TOKEN, GH_TOKEN,
RA_TOKEN, NODE_AUTH_TOKEN) and credentials inside every URL input: flags, RA_*
variables, the origin's URL and the configuration ([tool.release-actions]
npm-registry). A value that is not a secret (a tag, a version) is named in its
error as it should be, so it carries none here.
Each command runs at a terminal and inside Actions, on success and on failure;
stdout, stderr and the step summary are scanned.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from release_actions.interface.cli import main
from tests.testbed.scenario import Scenario, git

TOKEN = "ghp_PLANTEDsecret0123456789"
URL = f"https://user:{TOKEN}@127.0.0.1:9/simple/"
REGISTRY = f"https://npm:{TOKEN}@127.0.0.1:9/"

CHANNELS = {
    "GITHUB_TOKEN": TOKEN,
    "GH_TOKEN": TOKEN,
    "RA_TOKEN": TOKEN,
    "NODE_AUTH_TOKEN": TOKEN,
    "RA_INDEX_URL": URL,
    "RA_NPM_REGISTRY": REGISTRY,
    "RA_REGISTRY": REGISTRY,
}

RUNS = [
    ["nightly-version", "--date", "20261201"],
    ["compute-version", "--event", "schedule", "--date", "20261201"],
    ["compute-version", "--event", "workflow_dispatch"],
    ["compute-version", "--event", "release", "--tag", "v0.8"],
    ["doctor"],
    ["maintained", "--format", "mergify"],
    ["plan", "0.7.2", "--index-url", URL],
    ["prepare-release", "--version", "0.7.2", "--index-url", URL, "--dry-run"],
    ["post-release", "--tag", "v0.7.1", "--npm-registry", REGISTRY, "--dry-run"],
    ["publish-pypi-plan", "--index-url", URL, "nonexistent-dir"],
    ["wait-pypi", "--index-url", URL, "--attempts", "1", "--interval", "0", "x==1.0"],
    ["publish-npm", "nonexistent.tgz", "--dist-tag", "latest", "--registry", REGISTRY],
    ["release-notes", "--tag", "v0.7.1"],
]


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("secrets")
    r = Scenario(root / "repo", fallback="0.7.2.dev0")
    (r.path / "pyproject.toml").write_text(
        (r.path / "pyproject.toml").read_text()
        + f'\n[tool.release-actions]\nnpm-registry = "{REGISTRY}"\n'
    )
    r.commit().tag("v0.7.0").commit().tag("v0.7.1").tag("v0.7.2-dev")
    git(r.path, "remote", "add", "origin", f"https://x-access-token:{TOKEN}@127.0.0.1:9/o/r.git")
    return r.path


@pytest.mark.parametrize("mode", ["terminal", "actions"])
@pytest.mark.parametrize("argv", RUNS, ids=[" ".join(a[:2]) for a in RUNS])
def test_no_planted_token_is_printed(
    repo: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    mode: str,
) -> None:
    for name in list(os.environ):
        if name.startswith(("RA_", "GITHUB_")):
            monkeypatch.delenv(name)
    for name, value in CHANNELS.items():
        monkeypatch.setenv(name, value)
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"inputs": {"version": "0.8.0", "dry_run": "build-only"}}))
    monkeypatch.setenv("GITHUB_EVENT_PATH", str(event))
    monkeypatch.setenv("GITHUB_EVENT_NAME", "workflow_dispatch")
    summary = tmp_path / "summary.md"
    if mode == "actions":
        monkeypatch.setenv("GITHUB_ACTIONS", "true")
        monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
        monkeypatch.setenv("GITHUB_OUTPUT", str(tmp_path / "output"))
    monkeypatch.setenv("RELEASE_ACTIONS_MAX_RETRY_WAIT", "0")
    monkeypatch.chdir(tmp_path)
    command = [*argv]
    if argv[0] not in ("publish-pypi-plan", "wait-pypi"):
        command += ["--repo", str(repo)]
    for as_json in (False, True):
        code = main([*command, "--json"] if as_json else command)
        out, err = capsys.readouterr()
        printed = out + err + (summary.read_text() if summary.exists() else "")
        assert code != 3, err  # never an internal error
        assert TOKEN not in printed, (code, printed)
