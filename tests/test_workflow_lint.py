"""Static checks of our workflows and actions: schema, injection, pinning, hygiene.

Files checked: ``.github/workflows/*.yml`` (ours), the example consumer
workflows (``tests/fixtures/consumer-workflows``), ``actions/*/action.yml`` and,
for the rules that apply to them, the act stubs (``release_actions/rehearsal/act/stubs``); for the
pins, also the READMEs and SECURITY.md (their examples are copied by users).
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.testbed.act import load_pins

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
OWN_WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.y*ml"))
CONSUMER_WORKFLOWS = sorted((ROOT / "tests" / "fixtures" / "consumer-workflows").glob("*.y*ml"))
WORKFLOWS = OWN_WORKFLOWS + CONSUMER_WORKFLOWS
ACTIONS = sorted((ROOT / "actions").glob("*/action.y*ml"))
STUBS_DIR = ROOT / "action-lib" / "release_actions" / "rehearsal" / "act" / "stubs"
STUBS = sorted(STUBS_DIR.glob("*/*/action.y*ml"))
SELFTEST = ROOT / "tests" / "fixtures" / "act-stubs-selftest.yml"
STUBS_README = STUBS_DIR / "README.md"
DOCS = [
    ROOT / "README.md",
    ROOT / "SECURITY.md",
    *sorted((ROOT / "actions").glob("*/README.md")),
    STUBS_README,
]
# Every file whose `owner/name@<sha>` must be a pin of rehearsal/act/pins.py. CHANGELOG.md
# is left out: it may name the releases we moved away from.
PIN_SCANNED = WORKFLOWS + ACTIONS + [SELFTEST] + DOCS
OWN_PREFIX = "llama-stack/release-actions/"
OWN_REF = "v1"
SHA_RE = re.compile(r"^[0-9a-f]{40}$")
# `uses: X` as written, with its trailing comment; cross-checked against the YAML parse.
USES_LINE_RE = re.compile(
    r"""^\s*(?:-\s+)?uses:\s*(?P<q>['"]?)(?P<uses>[^'"\s#]+)(?P=q)\s*(?:#\s*(?P<comment>.*?))?\s*$"""
)
# `owner/name[/path]@<40 hex>` anywhere in a line, with the `# vX.Y.Z` after it if any.
ACTION_AT_SHA_RE = re.compile(
    r"(?P<action>[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+)(?:/[^@\s`'\"]*)?@(?P<sha>[0-9a-f]{40})\b"
    r"(?:['\"]?\s*#\s*(?P<comment>\S+))?"
)
HEX40_RE = re.compile(r"(?<![0-9a-f])[0-9a-f]{40}(?![0-9a-f])")


def rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


def load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), f"{rel(path)} is not a YAML mapping"
    return data


def triggers(workflow: dict[str, Any]) -> Any:
    # YAML 1.1 reads the key `on` as True.
    return workflow.get("on", workflow.get(True))


def steps_of(path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    """(where, step) for every step of a workflow's jobs or an action's composite run."""
    doc = load(path)
    if "jobs" in doc:
        for job_id, job in (doc["jobs"] or {}).items():
            for i, step in enumerate(job.get("steps") or []):
                yield f"{rel(path)} jobs.{job_id}.steps[{i}]", step
    runs = doc.get("runs") or {}
    for i, step in enumerate(runs.get("steps") or []):
        yield f"{rel(path)} runs.steps[{i}]", step


def uses_of(path: Path) -> Iterator[tuple[str, str]]:
    """(where, uses) for every `uses:` of steps and of reusable-workflow jobs."""
    doc = load(path)
    for job_id, job in (doc.get("jobs") or {}).items():
        if "uses" in job:
            yield f"{rel(path)} jobs.{job_id}", job["uses"]
    for where, step in steps_of(path):
        if "uses" in step:
            yield where, step["uses"]


def is_own(uses: str) -> bool:
    return uses.startswith(OWN_PREFIX)


def is_remote(uses: str) -> bool:
    return not uses.startswith(("./", "docker://"))


def test_the_file_sets_are_not_empty() -> None:
    names = {p.name for p in OWN_WORKFLOWS} | {p.parent.name for p in ACTIONS}
    assert {"compute-version.yml", "compute-version", "nightly-version"} <= names
    assert {p.name for p in CONSUMER_WORKFLOWS} >= {"release-version.yml", "nightly-version.yml"}
    assert len(STUBS) == len(load_pins().PINS)


def check_jsonschema(schema: str, files: list[Path]) -> None:
    proc = subprocess.run(
        [str(BIN / "check-jsonschema"), "--builtin-schema", schema, *map(str, files)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_workflows_match_the_github_workflow_schema() -> None:
    check_jsonschema("vendor.github-workflows", WORKFLOWS)


def test_actions_match_the_github_action_schema() -> None:
    check_jsonschema("vendor.github-actions", ACTIONS + STUBS)


@pytest.mark.parametrize("path", ACTIONS + STUBS, ids=rel)
def test_composite_run_steps_have_a_shell(path: Path) -> None:
    # act runs such a step; GitHub rejects the action ("Required property is missing: shell").
    missing = [where for where, step in steps_of(path) if "run" in step and "shell" not in step]
    assert not missing


@pytest.mark.parametrize("path", WORKFLOWS + ACTIONS + STUBS, ids=rel)
def test_no_expressions_inside_run(path: Path) -> None:
    # Script injection: pass values through `env:` and read "$VAR" in the script.
    found = [where for where, step in steps_of(path) if "${{" in str(step.get("run", ""))]
    assert not found


def test_zizmor_finds_nothing() -> None:
    # The pedantic persona: also permissions without a comment, workflows without
    # concurrency and jobs without a name. The example workflows are named one by
    # one: zizmor reads a directory as a repository (only its .github/workflows).
    proc = subprocess.run(
        [str(BIN / "zizmor"), "--offline", "--persona=pedantic", "--no-progress",
         "--color=never", "actions/", ".github/", *(rel(p) for p in CONSUMER_WORKFLOWS)],
        capture_output=True, text=True, cwd=ROOT, check=False,
    )  # fmt: skip
    # The configuration is .github/zizmor.yml (found by zizmor): our own @v1 may be ref-pinned.
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "No findings to report" in proc.stdout, proc.stdout + proc.stderr


@pytest.mark.parametrize("path", WORKFLOWS, ids=rel)
def test_workflow_grants_no_permissions_at_the_top(path: Path) -> None:
    doc = load(path)
    assert "permissions" in doc and doc["permissions"] == {}, "add `permissions: {}` at the top"


@pytest.mark.parametrize("path", WORKFLOWS, ids=rel)
def test_every_job_has_a_timeout(path: Path) -> None:
    # A job that calls a reusable workflow cannot have timeout-minutes (GitHub
    # rejects it); the called workflow's own jobs carry theirs (checked here too).
    jobs = load(path)["jobs"]
    missing = [j for j, job in jobs.items() if "uses" not in job and "timeout-minutes" not in job]
    assert not missing


@pytest.mark.parametrize("path", WORKFLOWS + ACTIONS, ids=rel)
def test_remote_actions_are_pinned_by_sha(path: Path) -> None:
    for where, uses in uses_of(path):
        if not is_remote(uses):
            continue
        name, _, ref = uses.partition("@")
        if is_own(uses):
            assert ref == OWN_REF, f"{where}: call our own {name} at @{OWN_REF}, not @{ref}"
        else:
            assert SHA_RE.match(ref), f"{where}: pin {name} by its full commit SHA, not @{ref}"


@pytest.mark.parametrize("path", WORKFLOWS + ACTIONS, ids=rel)
def test_pinned_actions_have_a_stub_and_a_version_comment(path: Path) -> None:
    """Every pinned action is in rehearsal/act/pins.py, so act can run the workflow offline."""
    pins = {pin.ref: pin for pin in load_pins().PINS}
    written = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        match = USES_LINE_RE.match(line)
        if match:
            written[match["uses"]] = match["comment"] or ""
    parsed = dict(uses_of(path))
    assert set(written) == set(parsed.values()), "a `uses:` the line scan did not understand"
    for where, uses in parsed.items():
        if not is_remote(uses) or is_own(uses):
            continue
        owner_name_path, _, ref = uses.partition("@")
        owner, name, *subpath = owner_name_path.split("/")
        pin = pins.get(f"{owner}/{name}@{ref}")
        assert pin is not None, f"{where}: {uses} has no stub: add it to rehearsal/act/pins.py"
        assert written[uses] == pin.version, f"{where}: comment `# {pin.version}` after {uses}"
        assert (pin.stub_dir.joinpath(*subpath) / "action.yml").is_file(), f"{where}: no stub"


def test_every_pin_has_its_stub() -> None:
    for pin in load_pins().PINS:
        assert SHA_RE.match(pin.sha), pin
        assert re.fullmatch(r"v\d+\.\d+\.\d+", pin.version), pin
        assert (pin.stub_dir / "action.yml").is_file(), pin


def all_pins() -> list[Any]:
    pins = load_pins()
    return [*pins.PINS, *pins.DOC_PINS]


@pytest.mark.parametrize("pin", all_pins(), ids=lambda pin: f"{pin.action}@{pin.version}")
def test_pinned_releases_run_on_node24(pin: Any) -> None:
    """No pin is a node20 release: runs.using of the pinned release is node24 (or composite).

    The runtime is recorded in rehearsal/act/pins.py from the release's action.yml
    (there is no network here to read it); a bump must update it.
    """
    assert SHA_RE.match(pin.sha), pin
    assert re.fullmatch(r"v\d+\.\d+\.\d+", pin.version), pin
    assert pin.runtime in load_pins().RUNTIMES, f"{pin.ref} # {pin.version} runs on {pin.runtime}"


def test_pins_py_lists_each_action_once_and_nothing_unused() -> None:
    pins = load_pins()
    actions = [pin.action for pin in all_pins()]
    assert len(actions) == len(set(actions)), "one pin per action"
    used = {
        uses.split("@")[0] for path in WORKFLOWS + ACTIONS + [SELFTEST] for _, uses in uses_of(path)
    }
    written = "\n".join(path.read_text(encoding="utf-8") for path in DOCS)
    for pin in pins.PINS:
        assert pin.action in used, f"{pin.action} is in pins.py but no workflow or action uses it"
    for pin in pins.DOC_PINS:
        assert pin.action not in used, (
            f"{pin.action} is used by a workflow: move it to PINS, with a stub"
        )
        assert pin.ref in written, f"{pin.ref} is in DOC_PINS but no README shows it"


@pytest.mark.parametrize("path", PIN_SCANNED, ids=rel)
def test_every_sha_written_is_the_pinned_release(path: Path) -> None:
    """Workflows, actions, READMEs and examples name only the SHAs of rehearsal/act/pins.py.

    So a SHA of an older release (of a node20 release, say) left in a README example
    fails here, as does a `# vX.Y.Z` comment that does not name the pinned release.
    """
    by_action = {pin.action: pin for pin in all_pins()}
    shas = {pin.sha for pin in all_pins()}
    problems = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        where = f"{rel(path)}:{number}"
        for match in ACTION_AT_SHA_RE.finditer(line):
            action, sha, comment = match["action"], match["sha"], match["comment"]
            pin = by_action.get(action)
            if pin is None:
                problems.append(f"{where}: {action} is not in rehearsal/act/pins.py")
            elif sha != pin.sha:
                problems.append(
                    f"{where}: {action}@{sha} is not the pinned {pin.ref} # {pin.version}"
                )
            elif (comment or USES_LINE_RE.match(line)) and comment != pin.version:
                problems.append(f"{where}: write `# {pin.version}` after {pin.ref}")
        for sha in HEX40_RE.findall(line):
            if sha not in shas:
                problems.append(f"{where}: {sha} is not the SHA of a pinned release")
    assert not problems, "\n".join(problems)


def test_stub_readme_table_lists_the_pins() -> None:
    rows = re.findall(
        r"^\| `([^`]+)` \| `([0-9a-f]{40})` \| (v\d+\.\d+\.\d+) \|",
        STUBS_README.read_text(encoding="utf-8"),
        re.M,
    )
    assert sorted(rows) == sorted((p.action, p.sha, p.version) for p in load_pins().PINS)


@pytest.mark.parametrize("path", WORKFLOWS + ACTIONS + [SELFTEST], ids=rel)
def test_inputs_passed_to_pinned_actions_exist(path: Path) -> None:
    """Every `with:` key given to a pinned action is an input of its stub.

    The stubs declare the inputs of the pinned release (the stubs' README),
    so an input a release renamed or removed, or a typo, fails here rather than
    being ignored with a warning on GitHub.
    """
    pins = {pin.ref: pin for pin in load_pins().PINS}
    for where, step in steps_of(path):
        pin = pins.get(str(step.get("uses", "")))
        if pin is None:
            continue
        declared = set(load(pin.stub_dir / "action.yml").get("inputs") or {})
        unknown = set(step.get("with") or {}) - declared
        assert not unknown, f"{where}: {pin.action} {pin.version} has no input {sorted(unknown)}"


def steps_using(action: str) -> Iterator[tuple[str, dict[str, Any]]]:
    for path in WORKFLOWS + ACTIONS:
        for where, step in steps_of(path):
            if str(step.get("uses", "")).startswith(f"{action}@"):
                yield where, step


def test_setup_node_never_caches_npm() -> None:
    # setup-node v5+ caches npm by default when package.json names npm; our jobs
    # build, publish (id-token: write) or push. Decision recorded in CHANGELOG.md.
    steps = list(steps_using("actions/setup-node"))
    assert steps
    for where, step in steps:
        assert (step.get("with") or {}).get("package-manager-cache") is False, where


def test_downloads_fail_on_a_digest_mismatch() -> None:
    # download-artifact v8's default, written out: what is published is what was built.
    steps = list(steps_using("actions/download-artifact"))
    assert steps
    for where, step in steps:
        assert (step.get("with") or {}).get("digest-mismatch") == "error", where


def test_pypi_uploads_set_their_log_verbosity() -> None:
    # pypi-publish v1.14 turns verbose and print-hash on; ours are explicit either way.
    steps = list(steps_using("pypa/gh-action-pypi-publish"))
    assert steps
    for where, step in steps:
        with_ = step.get("with") or {}
        assert with_.get("print-hash") is True and with_.get("verbose") is False, where


@pytest.mark.parametrize("path", WORKFLOWS, ids=rel)
def test_reusable_workflows_call_our_actions_by_repository(path: Path) -> None:
    # Inside a called workflow, ./actions/x resolves against the CALLER's repository.
    if "workflow_call" not in (triggers(load(path)) or {}):
        return
    local = [where for where, uses in uses_of(path) if uses.startswith("./")]
    assert not local, f"use {OWN_PREFIX}actions/NAME@{OWN_REF}"


@pytest.mark.parametrize("path", WORKFLOWS, ids=rel)
def test_checkouts_do_not_persist_credentials(path: Path) -> None:
    # Only a job allowed to push (contents: write) may keep the token in .git/config.
    for job_id, job in load(path)["jobs"].items():
        if (job.get("permissions") or {}).get("contents") == "write":
            continue
        for i, step in enumerate(job.get("steps") or []):
            if str(step.get("uses", "")).startswith("actions/checkout@"):
                with_ = step.get("with") or {}
                assert with_.get("persist-credentials") is False, f"jobs.{job_id}.steps[{i}]"
