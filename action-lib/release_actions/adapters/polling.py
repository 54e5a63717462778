"""Bounded waiting for a registry to serve a version.

:func:`wait_until` runs a check a bounded number of times and, when it never
succeeded, raises a :class:`~release_actions.core.errors.ReleaseActionsError` saying
what was looked for, where, and how long.
"""

from __future__ import annotations

from collections.abc import Callable

from release_actions.core.errors import InvalidValueError, ReleaseActionsError

__all__ = ["wait_until"]


def _check_polling(attempts: int, interval: float) -> None:
    if attempts < 1:
        raise InvalidValueError("attempts", attempts, "a whole number of at least 1")
    if interval < 0:
        raise InvalidValueError("interval", interval, "a number of seconds, 0 or more")


def _poll(
    check: Callable[[], bool],
    *,
    attempts: int,
    interval: float,
    sleep: Callable[[float], None],
) -> tuple[bool, str]:
    """Run ``check`` up to ``attempts`` times, sleeping ``interval`` between tries.

    Errors count as "not yet"; the last one is returned for the final message.
    """
    _check_polling(attempts, interval)
    last_error = ""
    for attempt in range(attempts):
        if attempt:
            sleep(interval)
        try:
            if check():
                return True, ""
            last_error = ""
        except InvalidValueError:
            raise
        except ReleaseActionsError as exc:
            last_error = str(exc)
    return False, last_error


def wait_until(
    check: Callable[[], bool],
    *,
    subject: str,
    where: Callable[[], str],
    attempts: int,
    interval: float,
    sleep: Callable[[float], None],
    fix: str,
    title: str,
) -> None:
    """Return once ``check()`` is true; after ``attempts`` tries, raise an error saying that
    ``subject`` did not appear on ``where()`` (worked out only then), with ``fix`` and
    ``title``.

    An :class:`InvalidValueError` from ``check`` is raised at once; any other
    :class:`ReleaseActionsError` counts as "not yet" and the last one is quoted.
    """
    found, last_error = _poll(check, attempts=attempts, interval=interval, sleep=sleep)
    if found:
        return
    seconds = (attempts - 1) * interval
    detail = f" Last error: {last_error}" if last_error else ""
    raise ReleaseActionsError(
        f"{subject} did not appear on {where()} after {attempts} checks over {seconds:g} s."
        f"{detail}",
        fix=fix,
        title=title,
    )
