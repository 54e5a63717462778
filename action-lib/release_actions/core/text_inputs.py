"""Checks for text inputs, without I/O: dates, branch names, URLs, identities.

Every check matches the whole text (``re.fullmatch``: a ``$`` anchor would accept
a trailing newline), accepts ASCII digits only (``\\d`` and ``str.isdigit`` accept
full-width and other Unicode digits), and bounds the length before any ``int()``
(Python refuses to convert more than 4300 digits, with a traceback).

>>> check_date("20261125", today=date(2026, 11, 25))
'20261125'
>>> check_branch_name("release-0.7.x")
'release-0.7.x'
>>> redact_url("https://user:secret@example.com/simple/")
'https://***@example.com/simple/'
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

from release_actions.core.errors import InvalidValueError

__all__ = [
    "DATE_FORMS",
    "EARLIEST_DATE",
    "MAX_TEXT_CHARS",
    "check_branch_name",
    "check_date",
    "check_identity",
    "check_url",
    "control_free",
    "date_from_epoch",
    "redact_url",
]

MAX_TEXT_CHARS = 1024
MAX_BRANCH_CHARS = 255
MAX_EPOCH_CHARS = 12
EARLIEST_DATE = date(2000, 1, 1)
DATE_FORMS = "YYYYMMDD, a real UTC date from 20000101 to tomorrow, such as 20261125"
# Patterns, compiled on first use (``re`` caches them): most runs check a date, no URL.
_DATE = r"[0-9]{8}"
_EPOCH = r"[0-9]{1,12}"
_HOST = r"[A-Za-z0-9._~-]+|xn--[A-Za-z0-9.-]+"
_IPV6 = r"[0-9A-Fa-f:.]+"
_PORT = r"[0-9]{1,5}"
_URL = r"(?is)(?P<scheme>[a-z][a-z0-9+.-]*)://(?P<rest>.*)"


def has_control(text: str) -> bool:
    """True if ``text`` holds a C0/C1 control character or a line/paragraph separator."""
    return any(ord(ch) < 32 or 127 <= ord(ch) < 160 or ch in "\u2028\u2029\ufeff" for ch in text)


def control_free(text: str, what: str = "value") -> str:
    """One line of text without control characters, at most :data:`MAX_TEXT_CHARS`."""
    if has_control(text):
        raise InvalidValueError(what, text, "one line of text without control characters")
    if len(text) > MAX_TEXT_CHARS:
        raise InvalidValueError(what, _short(text), f"at most {MAX_TEXT_CHARS} characters")
    return text


def _short(text: str) -> str:
    return text if len(text) <= 64 else f"{text[:20]}...({len(text)} characters)"


def _today_utc() -> date:
    return datetime.now(timezone.utc).date()


def check_date(text: str, what: str = "date", *, today: date | None = None) -> str:
    """A YYYYMMDD date (ASCII digits) from 2000-01-01 to tomorrow (UTC).

    >>> check_date("19691231", today=date(2026, 1, 1))
    Traceback (most recent call last):
    ...
    release_actions.core.errors.InvalidValueError: invalid date '19691231': ...
    """
    if not isinstance(text, str) or not re.fullmatch(_DATE, text):
        raise InvalidValueError(what, _short(str(text)), DATE_FORMS)
    try:
        day = date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        raise InvalidValueError(what, text, DATE_FORMS) from None
    latest = (today or _today_utc()) + timedelta(days=1)
    if not EARLIEST_DATE <= day <= latest:
        raise InvalidValueError(
            what,
            text,
            DATE_FORMS,
            fix=f"pass a date from {EARLIEST_DATE:%Y%m%d} to {latest:%Y%m%d}",
        )
    return text


def date_from_epoch(text: str, *, today: date | None = None) -> str:
    """``SOURCE_DATE_EPOCH`` (seconds since 1970, ASCII digits) as a checked YYYYMMDD."""
    what = "SOURCE_DATE_EPOCH"
    accepted = "a Unix timestamp in seconds, from 2000-01-01 to tomorrow (UTC)"
    if not isinstance(text, str) or not re.fullmatch(_EPOCH, text):
        raise InvalidValueError(what, _short(str(text)), accepted)
    try:
        day = datetime.fromtimestamp(int(text), timezone.utc).date()
    except (OverflowError, OSError, ValueError):
        raise InvalidValueError(what, text, accepted) from None
    try:
        return check_date(f"{day:%Y%m%d}", what, today=today)
    except InvalidValueError:
        raise InvalidValueError(what, text, accepted) from None


def check_branch_name(text: str, what: str = "branch") -> str:
    """A branch name as ``git check-ref-format --branch`` accepts it (plus: no '@{-N}').

    >>> check_branch_name("feature/x..y")
    Traceback (most recent call last):
    ...
    release_actions.core.errors.InvalidValueError: invalid branch 'feature/x..y': ...
    """
    accepted = "a valid git branch name (see `git check-ref-format --branch`)"
    if not isinstance(text, str) or not text or len(text) > MAX_BRANCH_CHARS:
        raise InvalidValueError(what, _short(str(text)), accepted)
    bad = (
        has_control(text)
        or any(ch in text for ch in " ~^:?*[\\")
        or text.startswith(("-", "/"))
        or text.endswith(("/", ".", ".lock"))
        or ".." in text
        or "//" in text
        or "@{" in text
        or text == "@"
        or text == "HEAD"
        or any(part.startswith(".") or part.endswith(".lock") for part in text.split("/"))
    )
    if bad:
        raise InvalidValueError(what, text, accepted)
    return text


def redact_url(text: str) -> str:
    """``text`` with any ``user:password@`` of a URL replaced by ``***@``: up to the last
    ``@`` of the authority, as a URL parser reads it (``u@x:pw@host`` hides ``pw``).

    >>> redact_url("https://us@er:pw@host/simple/ and https://host/a@b")
    'https://***@host/simple/ and https://host/a@b'
    """
    return re.sub(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s]*@", r"\1***@", text)


def _shown_url(text: str) -> str:
    """A rejected URL as an error shows it: a malformed one may still hold a password
    (``https://u:pa ss@host``, ``https://u:pa/ss@host``), so everything before its last
    ``@`` is hidden."""
    scheme, sep, rest = text.partition("://")
    if "@" in (rest if sep else text):
        tail = (rest if sep else text).rpartition("@")[2]
        return _short(f"{scheme}://***@{tail}" if sep else f"***@{tail}")
    return _short(text)


def check_url(text: str, what: str = "URL") -> str:
    """An http(s) URL with a host, without whitespace or control characters.

    The error never shows credentials (``user:password@`` is redacted).

    >>> check_url("ftp://example.com/")
    Traceback (most recent call last):
    ...
    release_actions.core.errors.InvalidValueError: invalid URL 'ftp://example.com/': ...
    """
    accepted = "an http:// or https:// URL with a host, e.g. https://pypi.org/simple/"
    shown = _shown_url(text) if isinstance(text, str) else str(text)
    if not isinstance(text, str) or len(text) > MAX_TEXT_CHARS:
        raise InvalidValueError(what, shown, accepted)
    match = re.fullmatch(_URL, text)
    if (
        match is None
        or has_control(text)
        or any(ch.isspace() for ch in text)
        or match.group("scheme").lower() not in ("http", "https")
    ):
        raise InvalidValueError(what, shown, accepted)
    authority = re.split(r"[/?#]", match.group("rest"), maxsplit=1)[0]
    host_port = authority.rpartition("@")[2]
    if host_port.startswith("["):
        host, bracket, port = host_port[1:].partition("]")
        valid_host = bool(bracket) and bool(re.fullmatch(_IPV6, host))
        if port and not port.startswith(":"):
            valid_host = False
        port = port.removeprefix(":")
    else:
        host, _, port = host_port.partition(":")
        valid_host = bool(re.fullmatch(_HOST, host))
    if not valid_host or (port and not (re.fullmatch(_PORT, port) and 0 < int(port) < 65536)):
        raise InvalidValueError(what, shown, accepted)
    return text


def check_identity(text: str, what: str = "identity") -> str:
    """A commit author name or email: one line, no control characters, no '<' or '>'."""
    control_free(text, what)
    if any(ch in text for ch in "<>"):
        raise InvalidValueError(what, text, "a name or email without '<' or '>'")
    return text
