"""What one act run did, read from act's ``--json`` log: jobs and their results, each
step's outputs and result, annotations, the steps' output, timings."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["ActResult"]


def _step_key(step: str | Sequence[str]) -> tuple[str, ...]:
    """``"compute"`` or ``("compute", "inner")`` (a step inside a composite action)."""
    return (step,) if isinstance(step, str) else tuple(step)


@dataclass
class ActResult:
    """What one act run did. ``events`` are the parsed ``--json`` lines."""

    args: list[str]
    returncode: int
    stdout: str
    stderr: str
    duration: float
    run_dir: Path
    artifacts_dir: Path
    events: list[dict[str, Any]] = field(default_factory=list)
    unparsed: list[str] = field(default_factory=list)

    @classmethod
    def parse(cls, stdout: str, **kwargs: Any) -> ActResult:
        events, unparsed = [], []
        for line in stdout.splitlines():
            try:
                event = json.loads(line)
            except ValueError:
                event = None
            if isinstance(event, dict):
                events.append(event)
            elif line.strip():
                unparsed.append(line)
        return cls(stdout=stdout, events=events, unparsed=unparsed, **kwargs)

    @property
    def job_results(self) -> dict[str, str]:
        """``{job id: "success" | "failure"}`` for every job that ran.

        A job of a reusable workflow shows under its own id in the called
        workflow; the calling ``uses:`` job has no entry of its own.
        """
        return {e["jobID"]: e["jobResult"] for e in self.events if "jobResult" in e}

    def step_outputs(self, job: str, step: str | Sequence[str]) -> dict[str, str]:
        """Outputs of step ``step`` (its ``id``) of ``job``, as GitHub would give them.

        For a ``uses:`` step of a composite action these are the action's
        declared ``outputs:``. act 0.2.89 then also copies every output the
        action's inner steps wrote into the step's outputs, overriding declared
        ones of the same name (so later steps and job outputs under act see
        those); they are logged after the step's result and left out here.
        Raises KeyError, naming the steps seen, if the step never ran.
        """
        key = _step_key(step)
        events = [e for e in self.events if e.get("jobID") == job]
        seen = {tuple(e.get("stepID") or ()) for e in events}
        if key not in seen:
            raise KeyError(f"no step {key} in job {job!r}; steps seen: {sorted(seen)}")
        composite = any(len(k) > len(key) and k[: len(key)] == key for k in seen)
        outputs: dict[str, str] = {}
        for e in events:
            if tuple(e.get("stepID") or ()) != key:
                continue
            if composite and "stepResult" in e and e.get("stage", "Main") == "Main":
                break
            if e.get("command") == "set-output":
                outputs[e["name"]] = e.get("arg", "")
        return outputs

    def step_result(self, job: str, step: str | Sequence[str]) -> str | None:
        """``success``/``failure``/``skipped`` of the step's main stage, None if it never ran."""
        key, result = _step_key(step), None
        for e in self.events:
            here = e.get("jobID") == job and tuple(e.get("stepID") or ()) == key
            if here and "stepResult" in e and e.get("stage", "Main") == "Main":
                result = e["stepResult"]
        return result

    def step_seconds(self, contains: str) -> float:
        """Seconds spent in the main stage of the steps whose name contains ``contains``
        (act's ``executionTime`` of each finished step; parallel jobs add up)."""
        total = 0
        for e in self.events:
            msg = str(e.get("msg", ""))
            if "stepResult" in e and e.get("stage", "Main") == "Main" and contains in msg:
                total += int(e.get("executionTime") or 0)
        return total / 1e9

    def annotations(self, level: str = "error") -> list[str]:
        """Messages of the ``::error``/``::warning``/``::notice`` commands the steps printed."""
        return [str(e.get("arg", "")) for e in self.events if e.get("command") == level]

    @property
    def errors(self) -> list[str]:
        return self.annotations("error")

    def output(self, job: str | None = None) -> str:
        """What the steps printed (all jobs, or one)."""
        return "".join(
            str(e.get("msg", ""))
            for e in self.events
            if e.get("raw_output") and (job is None or e.get("jobID") == job)
        )

    @property
    def log(self) -> str:
        """act's log as text: one line per event, prefixed with the job id."""
        lines = [f"[{e.get('jobID', '-')}] {str(e.get('msg', '')).rstrip()}" for e in self.events]
        return "\n".join(lines + self.unparsed)

    def describe(self, tail: int = 60) -> str:
        """A failure message for asserts: exit code, jobs, errors, the log's tail, stderr."""
        log = self.log.splitlines()[-tail:]
        stderr = [ln for ln in self.stderr.splitlines() if "docker connection" not in ln]
        return "\n".join(
            [
                f"act exited {self.returncode} after {self.duration:.1f}s: {' '.join(self.args)}",
                f"jobs: {self.job_results}",
                f"errors: {self.errors}",
                "--- log (tail) ---",
                *log,
                "--- stderr ---",
                *stderr[-20:],
            ]
        )
