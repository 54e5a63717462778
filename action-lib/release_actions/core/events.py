"""The event payload a workflow run receives, with GitHub's types.

A rehearsal (act, locally) must hand a workflow the JSON GitHub would send, or
inputs are lost: act reads ``inputs.X`` of a ``workflow_dispatch`` from the
payload's ``"inputs"`` object, where GitHub puts strings (``"true"``), and types
them by the workflow's declaration. A JSON boolean there (``"dry_run": true``)
reads as ``false`` in ``${{ inputs.dry_run }}``: a "dry run" that writes.

So every value is checked against what the workflow declares and written in
GitHub's form before anything runs:

* ``workflow_dispatch``: ``inputs`` holds strings; a boolean input takes a JSON
  boolean or the text ``true``/``false`` and is written ``"true"``/``"false"``
  (anything else, ``"yes"`` or ``1``, is refused); a choice must be one of its
  options; a number must be a number; unknown names and missing required inputs
  are errors; declared defaults fill the rest, as the Actions tab does;
* ``release``: ``release.tag_name`` (string), ``release.prerelease`` (a JSON
  boolean), ``release.target_commitish`` (string), ``action`` ``published``;
* ``push``: ``ref`` (``refs/heads/...`` or ``refs/tags/...``);
* ``schedule``: ``schedule`` (the cron line, when known).

>>> decl = {"dry_run": DispatchInput("dry_run", "boolean", default="false")}
>>> dispatch_inputs(decl, {"dry_run": True}, "release.yml")
{'dry_run': 'true'}
>>> release_payload("v0.7.1", prerelease=False, target="release-0.7.x")["release"]["prerelease"]
False
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, NamedTuple

from release_actions.core.errors import InvalidValueError, ReleaseActionsError

__all__ = [
    "EVENTS",
    "INPUT_TYPES",
    "DispatchInput",
    "declared_inputs",
    "dispatch_inputs",
    "normalise_payload",
    "push_payload",
    "release_payload",
    "schedule_payload",
]

EVENTS = ("release", "schedule", "workflow_dispatch", "push")
INPUT_TYPES = ("string", "boolean", "choice", "number", "environment")
_BOOLEAN_TEXT = {"true": "true", "false": "false"}


class DispatchInput(NamedTuple):
    """One input a workflow declares under ``on.workflow_dispatch.inputs``."""

    name: str
    type: str = "string"
    required: bool = False
    default: str | None = None  # in GitHub's string form
    options: tuple[str, ...] = ()


def _bad_declaration(workflow: str, name: str, problem: str) -> ReleaseActionsError:
    return ReleaseActionsError(
        f"{workflow}: workflow_dispatch input {name!r} {problem}.",
        fix=f"fix the declaration of input {name!r} in {workflow}",
        title="Invalid workflow_dispatch input",
    )


def declared_inputs(dispatch: object, workflow: str) -> dict[str, DispatchInput]:
    """The inputs of a parsed ``on.workflow_dispatch`` value (``None``: no inputs)."""
    if dispatch is None:
        return {}
    if not isinstance(dispatch, Mapping):
        raise _bad_declaration(workflow, "workflow_dispatch", "is not a mapping")
    inputs = dispatch.get("inputs") or {}
    if not isinstance(inputs, Mapping):
        raise _bad_declaration(workflow, "inputs", "is not a mapping")
    result: dict[str, DispatchInput] = {}
    for name, spec in inputs.items():
        spec = spec or {}
        if not isinstance(name, str) or not isinstance(spec, Mapping):
            raise _bad_declaration(workflow, str(name), "is not a mapping of settings")
        kind = spec.get("type", "string")
        if kind not in INPUT_TYPES:
            raise _bad_declaration(workflow, name, f"has unknown type {kind!r}")
        options = spec.get("options") or ()
        if not isinstance(options, list | tuple) or not all(
            isinstance(o, str | int | float | bool) for o in options
        ):
            raise _bad_declaration(workflow, name, "has options that are not a list of values")
        decl = DispatchInput(
            name,
            kind,
            bool(spec.get("required", False)),
            None,
            tuple(_scalar_text(o) for o in options),
        )
        if kind == "choice" and not decl.options:
            raise _bad_declaration(workflow, name, "is a choice without options")
        default = spec.get("default")
        if default is not None:
            decl = decl._replace(default=_convert(decl, default, f"{workflow} default"))
        result[name] = decl
    return result


def _scalar_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _convert(decl: DispatchInput, value: object, source: str) -> str:
    """``value`` (a flag's text or an event file's JSON) in GitHub's string form."""
    what = f"input {decl.name} ({source})"
    if decl.type == "boolean":
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, str) and value in _BOOLEAN_TEXT:
            return value
        raise InvalidValueError(what, value, "true or false", fix=f"pass {decl.name}=true or false")
    if isinstance(value, bool) or value is None or isinstance(value, list | dict):
        raise InvalidValueError(what, value, f"a {decl.type} value")
    text = _scalar_text(value)
    if decl.type == "number":
        try:
            number = float(text)
        except ValueError:
            number = math.nan
        if not math.isfinite(number):
            raise InvalidValueError(what, value, "a finite number")
    if decl.type == "choice" and text not in decl.options:
        raise InvalidValueError(what, value, " | ".join(decl.options))
    if "\0" in text or "\n" in text or "\r" in text:
        raise InvalidValueError(what, value, "one line of text")
    return text


def dispatch_inputs(
    declared: Mapping[str, DispatchInput], given: Mapping[str, object], workflow: str
) -> dict[str, str]:
    """The ``inputs`` of a ``workflow_dispatch`` payload: ``given`` checked and typed,
    defaults filled in. Unknown names and missing required inputs are errors."""
    unknown = sorted(set(given) - set(declared))
    if unknown:
        names = ", ".join(sorted(declared)) or "none"
        raise InvalidValueError(
            f"input of {workflow}",
            unknown[0],
            f"one of the inputs it declares ({names})",
            fix=f"drop --input {unknown[0]}=... or declare it under on.workflow_dispatch.inputs",
        )
    result: dict[str, str] = {}
    for name, decl in declared.items():
        if name in given:
            result[name] = _convert(decl, given[name], "--input or the event file")
        elif decl.default is not None:
            result[name] = decl.default
        elif decl.required:
            raise ReleaseActionsError(
                f"{workflow} requires the input {name!r} and declares no default.",
                fix=f"pass --input {name}=VALUE",
                title="Missing workflow_dispatch input",
            )
        elif decl.type == "boolean":
            result[name] = "false"
    return result


def _repository(full_name: str, default_branch: str) -> dict[str, Any]:
    owner, _, name = full_name.partition("/")
    return {
        "full_name": full_name,
        "name": name,
        "owner": {"login": owner},
        "default_branch": default_branch,
    }


def release_payload(
    tag: str,
    *,
    prerelease: bool,
    target: str,
    repository: str = "owner/repo",
    default_branch: str = "main",
) -> dict[str, Any]:
    """A ``release: published`` payload for ``tag``."""
    return {
        "action": "published",
        "release": {
            "tag_name": tag,
            "name": tag,
            "prerelease": prerelease,
            "draft": False,
            "target_commitish": target,
        },
        "repository": _repository(repository, default_branch),
    }


def push_payload(
    ref: str, *, repository: str = "owner/repo", default_branch: str = "main"
) -> dict[str, Any]:
    """A ``push`` payload for ``ref`` (a branch name or a full ``refs/...`` name)."""
    full = ref if ref.startswith("refs/") else f"refs/heads/{ref}"
    return {"ref": full, "repository": _repository(repository, default_branch)}


def schedule_payload(
    cron: str = "", *, repository: str = "owner/repo", default_branch: str = "main"
) -> dict[str, Any]:
    """A ``schedule`` payload (``cron``: the workflow's schedule line, when known)."""
    payload: dict[str, Any] = {"repository": _repository(repository, default_branch)}
    if cron:
        payload["schedule"] = cron
    return payload


def _field(payload: Mapping[str, Any], key: str, kind: type, where: str) -> Any:
    value = payload.get(key)
    if value is not None and not isinstance(value, kind):
        expected = {bool: "a JSON boolean (true or false)", str: "a JSON string"}[kind]
        raise InvalidValueError(
            f"event field {where}{key}",
            value,
            expected,
            fix=f"write {where}{key} as {expected} in the event file",
        )
    return value


def normalise_payload(
    event: str,
    payload: object,
    declared: Mapping[str, DispatchInput] | None = None,
    workflow: str = "the workflow",
) -> dict[str, Any]:
    """A user's event file, checked and written in GitHub's types (see the module doc)."""
    if event not in EVENTS:
        raise InvalidValueError("event", event, " | ".join(EVENTS))
    if not isinstance(payload, Mapping):
        raise InvalidValueError(
            "event file", type(payload).__name__, "a JSON object", fix="write the event as {...}"
        )
    result = dict(payload)
    if event == "workflow_dispatch":
        given = result.get("inputs") or {}
        if not isinstance(given, Mapping):
            raise InvalidValueError("event field inputs", given, "a JSON object")
        result["inputs"] = dispatch_inputs(declared or {}, given, workflow)
    elif event == "release":
        release = result.get("release")
        if not isinstance(release, Mapping):
            raise InvalidValueError(
                "event field release",
                release,
                "a JSON object with tag_name",
                fix="pass --tag, or write release.tag_name in the event file",
            )
        if not _field(release, "tag_name", str, "release."):
            raise InvalidValueError("event field release.tag_name", None, "the release tag")
        _field(release, "prerelease", bool, "release.")
        _field(release, "target_commitish", str, "release.")
        result.setdefault("action", "published")
    elif event == "push":
        ref = _field(result, "ref", str, "")
        if ref is not None and not ref.startswith(("refs/heads/", "refs/tags/")):
            raise InvalidValueError("event field ref", ref, "refs/heads/NAME or refs/tags/NAME")
    return result
