"""The event a rehearsal sends, built from the options and checked before anything starts.

Everything here reads the source repository and its workflow files only; a
malformed event, input or ref is a :class:`ReleaseActionsError` naming the value,
raised before a world or act exists. Payloads are written with GitHub's types by
:mod:`release_actions.core.events`:

* ``release``: ``--tag`` (it must exist), ``--prerelease``, ``--target`` (default:
  the default branch when it holds the tag, else the first other branch that does,
  else the default branch); ``GITHUB_REF`` is ``refs/tags/TAG``; the work tree is
  the tag's commit;
* ``schedule``: the ``cron`` of the first schedule of the first workflow; the
  default branch;
* ``workflow_dispatch``: ``--input NAME=VALUE`` checked and typed against what the
  workflows declare (booleans as ``"true"``/``"false"``, choices among their
  options); ``--ref`` a branch (default: the default branch);
* ``push``: ``--ref`` a branch or ``refs/tags/TAG`` (default: the default branch).

``--event-file`` gives the payload as JSON; the flags then add to it, and the
result is checked the same way.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from release_actions.adapters.workflow_files import Workflow
from release_actions.core.errors import InvalidValueError, ReleaseActionsError
from release_actions.core.events import (
    EVENTS,
    DispatchInput,
    normalise_payload,
    push_payload,
    release_payload,
    schedule_payload,
)

from .world.origin import git

__all__ = ["PlannedEvent", "parse_pairs", "plan_event", "source_refs"]


@dataclass(frozen=True)
class PlannedEvent:
    """What act is given: the payload, ``GITHUB_REF``, and what the work tree checks out
    (a branch name, or ``refs/tags/TAG`` for a detached checkout)."""

    event: str
    payload: dict[str, Any]
    ref: str
    checkout: str
    release: dict[str, Any] | None = field(default=None)
    workflows: tuple[Workflow, ...] = ()  # as they are at the event's commit


def parse_pairs(values: Sequence[str], flag: str, *, secret: bool = False) -> dict[str, str]:
    """``NAME=VALUE`` items of a repeatable flag; the name must be non-empty. With
    ``secret`` a malformed item is shown as ``***`` (it may be the value alone)."""
    pairs: dict[str, str] = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            shown = "***" if secret else item
            raise InvalidValueError(flag, shown, "NAME=VALUE", fix=f"pass {flag} NAME=VALUE")
        pairs[name.strip()] = value
    return pairs


def source_refs(repo: Path) -> dict[str, str]:
    """``{full ref: commit}`` of what the world's origin will hold: tags, local branches,
    and ``origin/*`` branches without a local one (as ``refs/heads/*``)."""
    out = git(
        repo,
        "for-each-ref",
        "--format=%(refname)%00%(objectname)%00%(*objectname)",
        "refs/heads/",
        "refs/tags/",
        "refs/remotes/origin/",
    ).stdout
    found: dict[str, str] = {}
    remote: dict[str, str] = {}
    for line in out.splitlines():
        name, obj, peeled = line.split("\0")
        if name.startswith("refs/remotes/origin/"):
            branch = name.removeprefix("refs/remotes/origin/")
            if branch != "HEAD":
                remote[f"refs/heads/{branch}"] = obj
        else:
            found[name] = peeled or obj
    for name, sha in remote.items():
        found.setdefault(name, sha)
    return found


#: GitHub delivers no event payload above 25 MB; a bigger file is a mistake.
MAX_EVENT_FILE_BYTES = 25 * 1024 * 1024


def _read_event_file(path: str) -> dict[str, Any]:
    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_EVENT_FILE_BYTES + 1)
        if len(raw) > MAX_EVENT_FILE_BYTES:
            raise InvalidValueError(
                "--event-file", path, "a JSON file of at most 25 MB (GitHub's payload limit)",
                fix="write only the fields the workflows read",
            )  # fmt: skip
        text = raw.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidValueError(
            "--event-file", path, "a readable JSON file", fix=f"check the path ({exc})"
        ) from None
    try:
        data = json.loads(text)
    except RecursionError:
        raise InvalidValueError(
            "--event-file", path, "a JSON object", fix="fix the JSON (it is nested too deeply)"
        ) from None
    except ValueError as exc:
        raise InvalidValueError(
            "--event-file", path, "a JSON object", fix=f"fix the JSON ({exc})"
        ) from None
    if not isinstance(data, dict):
        raise InvalidValueError("--event-file", path, "a JSON object", fix="write it as {...}")
    return data


def _branches_holding(repo: Path, sha: str, refs: Mapping[str, str]) -> list[str]:
    holding = []
    for name, tip in refs.items():
        if not name.startswith("refs/heads/"):
            continue
        proc = git(repo, "merge-base", "--is-ancestor", sha, tip, check=False)
        if proc.returncode == 0:
            holding.append(name.removeprefix("refs/heads/"))
    return sorted(holding)


def _branch(refs: Mapping[str, str], ref: str, flag: str) -> str:
    name = ref.removeprefix("refs/heads/")
    if f"refs/heads/{name}" not in refs:
        branches = sorted(
            r.removeprefix("refs/heads/") for r in refs if r.startswith("refs/heads/")
        )
        raise InvalidValueError(
            flag,
            ref,
            f"a branch of the repository ({', '.join(branches[:8]) or 'none'})",
            fix=f"pass {flag} BRANCH, a local branch or one of origin's",
        )
    return name


def _declared(workflows: Sequence[Workflow]) -> dict[str, DispatchInput]:
    declared: dict[str, DispatchInput] = {}
    for found in workflows:
        for name, decl in found.inputs().items():
            declared.setdefault(name, decl)
    return declared


def _cron(workflows: Sequence[Workflow]) -> str:
    for found in workflows:
        entries = found.triggers.get("schedule") or []
        for entry in entries if isinstance(entries, list) else []:
            if isinstance(entry, Mapping) and isinstance(entry.get("cron"), str):
                return str(entry["cron"])
    return ""


#: The workflows of the event's commit, given its id (GitHub runs a release's
#: workflows from the tag's commit, a dispatch's from the branch's tip).
WorkflowsAt = Callable[[str], Sequence[Workflow]]


def plan_event(
    repo: Path,
    event: str,
    workflows_at: WorkflowsAt,
    *,
    repository: str,
    default_branch: str,
    tag: str = "",
    prerelease: bool = False,
    target: str = "",
    inputs: Mapping[str, str] | None = None,
    ref: str = "",
    event_file: str = "",
) -> PlannedEvent:
    """The checked event (see the module docstring); ``repo`` is the source repository."""
    if event not in EVENTS:
        raise InvalidValueError("--event", event, " | ".join(EVENTS))
    refs = source_refs(repo)
    given = _read_event_file(event_file) if event_file else {}
    if "repository" in given and not isinstance(given["repository"], Mapping):
        raise InvalidValueError(
            "event field repository", given["repository"], "a JSON object (full_name, ...)",
            fix="drop repository from the event file, or pass --repository OWNER/NAME",
        )  # fmt: skip
    if f"refs/heads/{default_branch}" not in refs:
        raise ReleaseActionsError(
            f"the default branch {default_branch!r} does not exist in {repo}.",
            fix="set default-branch in [tool.release-actions], or create the branch",
            title="Missing default branch",
        )
    if inputs and event != "workflow_dispatch":
        raise InvalidValueError(
            "--input", next(iter(inputs)), "inputs of workflow_dispatch only",
            fix="drop --input, or pass --event workflow_dispatch",
        )  # fmt: skip
    if tag and event != "release":
        raise InvalidValueError(
            "--tag", tag, "a tag of a release event (--event release)",
            fix="drop --tag, or pass --event release",
        )  # fmt: skip
    if prerelease and event != "release":
        raise InvalidValueError(
            "--prerelease", "given", "used with --event release",
            fix="drop --prerelease, or pass --event release",
        )  # fmt: skip
    if event == "release":
        planned = _release(repo, refs, given, repository, default_branch, tag, prerelease, target)
        workflows = tuple(workflows_at(refs[planned.ref]))
        return replace(planned, workflows=workflows)
    if target:
        raise InvalidValueError(
            "--target", target, "a target of a release event only",
            fix="drop --target, or pass --event release",
        )  # fmt: skip
    base = {"repository": push_payload("x", repository=repository,
                                       default_branch=default_branch)["repository"]}  # fmt: skip
    payload = {**base, **given}
    if "ref" in given and not isinstance(given["ref"], str):
        raise InvalidValueError(
            "event field ref", given["ref"], "a JSON string",
            fix="write ref as a JSON string in the event file",
        )  # fmt: skip
    if event == "push":
        full = ref or str(payload.get("ref") or f"refs/heads/{default_branch}")
        if not full.startswith("refs/"):
            full = f"refs/heads/{full}"
        if full not in refs:
            raise InvalidValueError(
                "--ref", full, "an existing branch or refs/tags/TAG",
                fix="pass --ref BRANCH or --ref refs/tags/TAG of the repository",
            )  # fmt: skip
        workflows = tuple(workflows_at(refs[full]))
        names = ", ".join(w.path for w in workflows)
        payload = normalise_payload("push", {**payload, "ref": full}, workflow=names)
        checkout = full if full.startswith("refs/tags/") else full.removeprefix("refs/heads/")
        return PlannedEvent(event, payload, full, checkout, workflows=workflows)
    if event == "schedule":
        if ref:
            raise InvalidValueError(
                "--ref", ref, "no --ref: a schedule runs on the default branch",
                fix="drop --ref (or set default-branch in [tool.release-actions])",
            )  # fmt: skip
        workflows = tuple(workflows_at(refs[f"refs/heads/{default_branch}"]))
        names = ", ".join(w.path for w in workflows)
        payload = {**schedule_payload(_cron(workflows), repository=repository,
                                      default_branch=default_branch), **given}  # fmt: skip
        payload = normalise_payload("schedule", payload, workflow=names)
        return PlannedEvent(
            event, payload, f"refs/heads/{default_branch}", default_branch, workflows=workflows
        )
    branch = _branch(refs, ref or str(given.get("ref") or default_branch), "--ref")
    workflows = tuple(workflows_at(refs[f"refs/heads/{branch}"]))
    body = {**payload, "ref": f"refs/heads/{branch}"}
    given_inputs = given.get("inputs") or {}
    if not isinstance(given_inputs, Mapping):
        raise InvalidValueError(
            "event field inputs", given_inputs, "a JSON object of NAME: VALUE",
            fix='write inputs as {"name": "value"} in the event file',
        )  # fmt: skip
    body["inputs"] = {**given_inputs, **(inputs or {})}
    first = workflows[0].path if workflows else "the workflow"
    payload = normalise_payload("workflow_dispatch", body, _declared(workflows), first)
    return PlannedEvent(event, payload, f"refs/heads/{branch}", branch, workflows=workflows)


def _release(
    repo: Path,
    refs: Mapping[str, str],
    given: dict[str, Any],
    repository: str,
    default_branch: str,
    tag: str,
    prerelease: bool,
    target: str,
) -> PlannedEvent:
    release = dict(given.get("release") or {}) if isinstance(given.get("release"), dict) else {}
    if tag:
        release["tag_name"] = tag
    if prerelease:
        release["prerelease"] = True
    if target:
        release["target_commitish"] = target
    if not release.get("tag_name"):
        raise InvalidValueError(
            "--tag", "", "the tag of the release", fix="pass --tag vX.Y.Z (an existing tag)"
        )
    payload = {**given, "release": release} if release or "release" in given else dict(given)
    payload = normalise_payload("release", payload)  # types checked before they are used
    name = str(payload["release"]["tag_name"])
    sha = refs.get(f"refs/tags/{name}")
    if sha is None:
        fix = (
            f"{name} is a branch: pass a tag, e.g. one that git tag --merged {name} lists"
            if f"refs/heads/{name}" in refs
            else f"create it: git tag {name}"
        )
        raise InvalidValueError("--tag", name, "an existing tag of the repository", fix=fix)
    chosen = payload["release"].get("target_commitish")
    if chosen and f"refs/heads/{chosen}" not in refs:
        # Not a branch: a commit (HEAD, HEAD~1, a tag, a short id) is sent as its full
        # id, as GitHub does; the world's HEAD is not the user's.
        found = git(
            repo, "rev-parse", "--verify", "--quiet", "--end-of-options",
            f"{chosen}^{{commit}}", check=False,
        )  # fmt: skip
        if found.returncode or chosen.startswith("-"):
            raise InvalidValueError(
                "--target",
                chosen,
                "an existing branch or commit",
                fix="pass --target BRANCH (or a commit id) of the repository",
            )
        chosen = found.stdout.strip()
    if not chosen:
        holding = _branches_holding(repo, sha, refs)
        others = [b for b in holding if b != default_branch]
        chosen = default_branch if default_branch in holding or not others else others[0]
    full = release_payload(name, prerelease=bool(payload["release"].get("prerelease", False)),
                           target=chosen, repository=repository,
                           default_branch=default_branch)  # fmt: skip
    merged = {**full, **payload, "release": {**full["release"], **payload["release"]}}
    merged["release"]["target_commitish"] = chosen
    return PlannedEvent(
        "release", merged, f"refs/tags/{name}", f"refs/tags/{name}", dict(merged["release"])
    )
