"""The rehearsal engine: assemble the world, run act, report, clean up.

:func:`~.request.prepare` has checked everything; :func:`rehearse` then builds the
world in a fresh folder, snapshots it, runs the workflows under act
(:class:`~.act.runner.ActRunner`, its temporary files inside the world), snapshots
again and returns the report (:mod:`.report`). The world's servers stop, act's
process group and every step process left behind are killed, and the folder is
removed (unless kept) on success, on failure, on Ctrl-C and on SIGTERM (turned
into an orderly exit while a rehearsal runs).

What the run is given (vars, secrets, env, the step-summary hook) is in
:mod:`.run_settings`; how stray processes are found, in :mod:`.cleanup`.
"""

from __future__ import annotations

import shutil
import tempfile
import time
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from release_actions.core.errors import ReleaseActionsError

from .act.result import ActResult
from .act.runner import ActRunner, ActTimeout
from .cleanup import kill_marked, sigterm_as_exception
from .event import PlannedEvent
from .export import export_release_actions
from .project import run_prefill
from .report import build_report, read_summaries, redact_document, redact_secrets, snapshot
from .request import Plan, Request, cache_error, prepare
from .run_settings import SUMMARY_HOOK, run_settings, seed_release
from .world.assemble import running_world
from .world.world import World

__all__ = ["Plan", "Request", "failure_log", "prepare", "rehearse"]


def _checkout(world: World, planned: PlannedEvent) -> None:
    target = planned.checkout
    if target.startswith("refs/"):
        world.origin.git("checkout", "--quiet", "--detach", target)
    elif target != world.origin.git("rev-parse", "--abbrev-ref", "HEAD"):
        world.origin.git("checkout", "--quiet", target)


def _run_act(
    plan: Plan, world: World, settings: Mapping[str, Mapping[str, str]], export: Path
) -> list[ActResult]:
    runner = ActRunner(
        release_actions_dir=export,
        venv_cache=plan.cache / "venvs",
        tmp_dir=world.root / "act",
        act=plan.act,
        repository=plan.repository,
        timeout=plan.timeout,
    )
    for name, path in plan.checkout_sources.items():
        runner.add_checkout_source(name, path)
    chosen: list[str | None] = (
        [w.path for w in plan.workflows] if plan.explicit_workflows else [None]
    )
    return [
        runner.run(
            world.origin.work,
            plan.event.event,
            workflow=rel,
            payload=plan.event.payload,
            env=settings["env"],
            secrets=settings["secrets"],
            variables=settings["variables"],
            default_branch=plan.default_branch,
            check_inputs=False,  # typed and checked by plan_event
        )
        for rel in chosen
    ]


def failure_log(result: ActResult, tail: int = 40) -> str:
    """What a failed act run is worth showing: failed jobs, error annotations, the log's
    tail without act's echo of workflow commands (no ``::`` line reaches a terminal)."""
    failed = sorted(job for job, res in result.job_results.items() if res != "success")
    lines = [f"act exited {result.returncode}; failed jobs: {', '.join(failed) or 'none'}"]
    lines += [f"  error: {message}" for message in result.errors]
    log = [ln for ln in result.log.splitlines() if "::" not in ln]
    stderr = [ln for ln in result.stderr.splitlines() if "docker connection" not in ln]
    return "\n".join([*lines, "--- act log (tail) ---", *log[-tail:], *stderr[-10:]])


def rehearse(plan: Plan, log: Callable[[str], None] = lambda _m: None) -> dict[str, Any]:
    """Run the rehearsal of ``plan``; returns the report (see :mod:`.report`)."""
    start = time.monotonic()
    marker = f"RA_REHEARSAL_ID={uuid.uuid4().hex}"
    with sigterm_as_exception():
        root = Path(tempfile.mkdtemp(prefix="rehearsal-"))
        try:
            return _rehearse_in(root, plan, marker, start, log)
        except BaseException:
            if plan.keep:
                log(f"world kept in {root}")
            raise
        finally:
            if not plan.keep:
                shutil.rmtree(root, ignore_errors=True)


def _rehearse_in(
    root: Path, plan: Plan, marker: str, start: float, log: Callable[[str], None]
) -> dict[str, Any]:
    try:
        (plan.cache / "venvs").mkdir(parents=True, exist_ok=True)
    except OSError as exc:  # checked by prepare as far as it can without writing
        raise cache_error(plan.cache, exc.strerror or type(exc).__name__) from None
    export, fresh = export_release_actions(plan.source, plan.cache)
    if fresh:
        log(f"exported {plan.source} to {export}")
    (root / "summary-hook.sh").write_text(SUMMARY_HOOK)
    log(f"rehearsal world in {root}")
    with running_world(
        root, plan.repo, repository=plan.repository, default_branch=plan.default_branch,
        protected=plan.protect, rulesets=plan.ruleset,
    ) as world:  # fmt: skip
        _checkout(world, plan.event)
        if plan.event.release is not None:
            seed_release(world, plan.event.release)
        prefilled = run_prefill(world, plan.prefill, log) if plan.prefill else None
        summaries = root / "summaries"
        user = {"variables": plan.variables, "secrets": plan.secrets, "env": plan.env}
        settings = run_settings(world, summaries, marker.partition("=")[2], user)
        secrets = settings["secrets"]
        before = snapshot(world)
        setup = time.monotonic() - start
        log(f"world ready in {setup:.1f}s; running act ({plan.event.event})")
        act_start = time.monotonic()
        try:
            results = _run_act(plan, world, settings, export)
        except ActTimeout:
            raise ReleaseActionsError(
                f"act did not finish within {plan.timeout:g}s.",
                fix="pass a larger --timeout, or look for a step that waits",
                title="Rehearsal timed out",
            ) from None
        finally:
            kill_marked(marker)
        act_time = time.monotonic() - act_start
        report_start = time.monotonic()
        after = snapshot(world)
        jobs: dict[str, str] = {}
        for result in results:
            jobs.update(result.job_results)
        ok = all(r.returncode == 0 for r in results) and bool(jobs)
        ok = ok and all(v == "success" for v in jobs.values())
        for result in results:
            if result.returncode != 0:
                log(redact_secrets(failure_log(result), secrets))
        report = build_report(
            before, after, event=plan.event.event, ref=plan.event.ref,
            repository=plan.repository, workflows=[w.path for w in plan.workflows],
            jobs=jobs, summaries=read_summaries(summaries, list(jobs)),
            timings={}, world=str(root) if plan.keep else None, ok=ok,
        )  # fmt: skip
    report_time = time.monotonic() - report_start
    report["prefilled"] = prefilled
    report["timings"] = {
        "setup": round(setup, 3),
        "act": round(act_time, 3),
        # inside act: our commands (each step that runs scripts/run-action)
        "commands": round(sum(r.step_seconds("scripts/run-action") for r in results), 3),
        "report": round(report_time, 3),
        "total": round(time.monotonic() - start, 3),
    }
    redacted: dict[str, Any] = redact_document(report, secrets)
    return redacted
