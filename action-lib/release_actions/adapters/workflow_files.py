"""The repository's workflow files: which events each handles, and its dispatch inputs.

Read with PyYAML (the ``rehearse`` extra), imported when a workflow is read.
YAML 1.1 reads the key ``on`` as ``True``; both spellings are understood. The
files are read from the work tree, or with ``commit`` from that commit (as GitHub
runs a release's workflows from the tag's commit); a symbolic link there is not
a workflow.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple

from release_actions.adapters import git as gitops
from release_actions.adapters.repo_files import decode_text, read_repo_bytes
from release_actions.core.errors import ReleaseActionsError
from release_actions.core.events import DispatchInput, declared_inputs

__all__ = ["Workflow", "parse_workflow", "read_workflow", "workflows_for"]

WORKFLOWS_DIR = ".github/workflows"


class Workflow(NamedTuple):
    """A workflow file: its path relative to the repository and its ``on:`` triggers."""

    path: str
    triggers: dict[str, Any]

    def handles(self, event: str) -> bool:
        return event in self.triggers

    def inputs(self) -> dict[str, DispatchInput]:
        """What ``on.workflow_dispatch.inputs`` declares (none: empty)."""
        return declared_inputs(self.triggers.get("workflow_dispatch"), self.path)


def _yaml() -> Any:
    try:
        import yaml  # type: ignore[import-untyped]  # no stubs in the dev extra
    except ImportError:
        raise ReleaseActionsError(
            "reading workflow files needs PyYAML, which is not installed.",
            fix="pip install 'release-actions[rehearse]'",
            title="Missing extra",
        ) from None
    return yaml


def _triggers(on: object, rel: str) -> dict[str, Any]:
    if isinstance(on, str):
        return {on: None}
    if isinstance(on, list) and all(isinstance(e, str) for e in on):
        return dict.fromkeys(on)
    if isinstance(on, Mapping) and all(isinstance(e, str) for e in on):
        return dict(on)
    raise ReleaseActionsError(
        f"{rel}: 'on:' is neither an event name, a list of names nor a mapping.",
        fix=f"fix the 'on:' section of {rel}",
        title="Invalid workflow",
    )


def read_workflow(repo: Path, rel: str) -> Workflow:
    """Parse ``repo/rel``; a file that is not a workflow is an error naming it."""
    return parse_workflow(decode_text(read_repo_bytes(repo, repo / rel, rel), rel), rel)


def parse_workflow(text: str, rel: str) -> Workflow:
    """Parse a workflow's text; one that is not a workflow is an error naming ``rel``."""
    yaml = _yaml()
    try:
        data = yaml.safe_load(text)
    except RecursionError:
        raise ReleaseActionsError(
            f"{rel} is not a workflow GitHub reads: it is nested too deeply.",
            fix=f"fix the YAML of {rel}",
            title="Invalid workflow",
        ) from None
    except yaml.YAMLError as exc:
        detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ReleaseActionsError(
            f"{rel} is not valid YAML: {detail}",
            fix=f"fix the YAML syntax of {rel}",
            title="Invalid workflow",
        ) from None
    if not isinstance(data, Mapping) or ("on" not in data and True not in data):
        raise ReleaseActionsError(
            f"{rel} is not a workflow: it has no 'on:' section.",
            fix=f"pass a workflow file under {WORKFLOWS_DIR}",
            title="Invalid workflow",
        )
    on = data["on"] if "on" in data else data[True]
    return Workflow(rel, _triggers(on, rel))


def _files_at(repo: Path, commit: str) -> dict[str, str]:
    """``{path: blob id}`` of the regular files under ``.github/workflows`` at ``commit``."""
    out = gitops.run(repo, "ls-tree", "-z", commit, f"{WORKFLOWS_DIR}/")
    found = {}
    for entry in out.split("\0"):
        meta, _, rel = entry.partition("\t")
        if rel and meta.split(" ")[:2] in (["100644", "blob"], ["100755", "blob"]):
            found[rel] = meta.split(" ")[2]
    return found


def _read_at(repo: Path, blob: str, rel: str) -> Workflow:
    return parse_workflow(decode_text(gitops.run_bytes(repo, "cat-file", "blob", blob), rel), rel)


def workflows_for(
    repo: Path, event: str, workflow: str | None = None, *, commit: str | None = None
) -> list[Workflow]:
    """The workflows that handle ``event``: ``workflow`` alone when given (it must
    handle the event), else every file under ``.github/workflows`` that does; read
    from the work tree, or at ``commit``."""
    where = f"{repo}" if commit is None else f"{repo} at {commit}"
    at = _files_at(repo, commit) if commit is not None else {}
    if workflow:
        rel = Path(workflow).as_posix()
        if not ((repo / rel).is_file() if commit is None else rel in at):
            raise ReleaseActionsError(
                f"workflow file {rel} does not exist in {where}.",
                fix=f"pass a file under {WORKFLOWS_DIR}, e.g. {WORKFLOWS_DIR}/release.yml",
                title="Missing workflow",
            )
        found = read_workflow(repo, rel) if commit is None else _read_at(repo, at[rel], rel)
        if not found.handles(event):
            handled = ", ".join(found.triggers) or "no event"
            raise ReleaseActionsError(
                f"{rel} does not run on {event} (it runs on {handled}).",
                fix="pick another --event or another --workflow",
                title="Workflow not triggered",
            )
        return [found]
    if commit is None:
        folder = repo / WORKFLOWS_DIR
        files = sorted(
            p.relative_to(repo).as_posix()
            for p in (folder.iterdir() if folder.is_dir() else ())
            if p.suffix in (".yml", ".yaml") and p.is_file()
        )
        read = [read_workflow(repo, rel) for rel in files]
    else:
        read = [
            _read_at(repo, at[rel], rel) for rel in sorted(at) if rel.endswith((".yml", ".yaml"))
        ]
    matching = [w for w in read if w.handles(event)]
    if not matching:
        raise ReleaseActionsError(
            f"no workflow under {WORKFLOWS_DIR} of {where} runs on {event}.",
            fix="pass --workflow FILE, or another --event",
            title="No workflow for the event",
        )
    return matching
