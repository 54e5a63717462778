"""The triggering event's payload (``GITHUB_EVENT_PATH``): read and checked field by field.

Used by compute-version, post-release and the default-branch detection.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from release_actions.core.errors import InvalidValueError, ReleaseActionsError
from release_actions.core.text_inputs import control_free

__all__ = ["event_object", "event_text", "read_event_payload", "shown_json"]


def read_event_payload(env: Mapping[str, str]) -> dict[str, Any]:
    """The event payload at ``GITHUB_EVENT_PATH``; {} when no file is named or it is absent.

    A file that cannot be read or does not hold a JSON object is an error naming it:
    a lost payload must not quietly turn into defaults.
    """
    path = env.get("GITHUB_EVENT_PATH", "")
    if not path or not Path(path).is_file():
        return {}
    import json  # only when there is an event payload to read

    fix = "run inside GitHub Actions, or point GITHUB_EVENT_PATH at the event's JSON payload"
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise ReleaseActionsError(
            f"cannot read the event payload GITHUB_EVENT_PATH={path}: {type(exc).__name__}",
            fix=fix,
            title="Unreadable event payload",
        ) from None
    if not isinstance(data, dict):
        raise InvalidValueError(
            "event payload", type(data).__name__, "a JSON object (GITHUB_EVENT_PATH)", fix=fix
        )
    return data


def event_object(payload: Mapping[str, Any], key: str) -> dict[str, Any]:
    """``payload[key]`` when it is an object, {} when absent or null; else an error."""
    value = payload.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InvalidValueError(
            f"event field {key}",
            shown_json(value),
            "a JSON object",
            fix="check the event payload (GITHUB_EVENT_PATH) the workflow passes",
        )
    return value


def event_text(payload: Mapping[str, Any], key: str, where: str) -> str:
    """``payload[key]`` when it is a string, '' when absent or null; else an error."""
    value = payload.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidValueError(
            f"event field {where}.{key}",
            shown_json(value),
            "a JSON string",
            fix="check the event payload (GITHUB_EVENT_PATH): pass the value as a string",
        )
    return control_free(value.strip(" "), f"event field {where}.{key}")


def shown_json(value: object) -> str:
    import json

    text = json.dumps(value)
    return text if len(text) <= 40 else text[:37] + "..."
