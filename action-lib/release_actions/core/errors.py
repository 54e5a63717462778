"""Error types. Every user-facing failure carries the offending value and a fix."""

from __future__ import annotations


class ReleaseActionsError(Exception):
    """A failure that the user can act on.

    ``title`` is a short headline, ``message`` says what is wrong (naming the
    value), ``fix`` is one line telling the user what to do. ``actions_fix``, when
    given, replaces ``fix`` inside GitHub Actions, where the remedy is a workflow
    change (``fix`` then speaks to a person at a terminal).
    """

    def __init__(
        self, message: str, *, fix: str = "", title: str = "release-actions", actions_fix: str = ""
    ) -> None:
        super().__init__(message)
        self.message = message
        self.fix = fix
        self.title = title
        self.actions_fix = actions_fix

    def __str__(self) -> str:
        return f"{self.message} Fix: {self.fix}" if self.fix else self.message


class InvalidValueError(ReleaseActionsError, ValueError):
    """A malformed input value (version, tag, branch, date, mode...)."""

    def __init__(self, what: str, value: object, accepted: str, *, fix: str = "") -> None:
        super().__init__(
            f"invalid {what} {value!r}: expected {accepted}.",
            fix=fix or f"pass a {what} of the form {accepted}",
            title=f"Invalid {what}",
        )
        self.what = what
        self.value = value
        self.accepted = accepted


class GitError(ReleaseActionsError):
    """A git command failed."""
