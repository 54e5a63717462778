"""The GitHub REST client of the release commands: PyGithub with bounded retries and
errors that say what to fix.

Only commands that talk to GitHub import this module (it imports PyGithub);
the version computations never do.

    gh = connect()                     # GITHUB_TOKEN/GH_TOKEN, GITHUB_API_URL
    repo = Repo.open(gh, "llama-stack/llama-stack")   # github_repo's facade
    pr = repo.create_pull("release-0.5.x", "main", "Release 0.5.0", body)

Retries: 5xx answers and rate limits (403/429 with ``Retry-After`` or GitHub's
"secondary rate limit" message) are retried ``retries`` times with exponential
backoff, honouring ``Retry-After``. Every single wait is capped at ``max_wait``
seconds (``RELEASE_ACTIONS_MAX_RETRY_WAIT``; tests set it low), and so are
PyGithub's pauses between requests. A POST that failed with a 5xx may have been
carried out by GitHub, so it is not resent blindly: the creating methods look
for what they meant to create first, then try again.

Every PyGithub or network failure leaves this module as a :class:`GitHubError`
(a :class:`~release_actions.core.errors.ReleaseActionsError`) naming the operation,
the cause and the fix; the token never appears in it.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import requests
from github import Auth, Github, GithubException, GithubRetry
from urllib3.response import BaseHTTPResponse

from release_actions.core.errors import InvalidValueError, ReleaseActionsError

DEFAULT_API_URL = "https://api.github.com"
TOKEN_ENVS = ("GITHUB_TOKEN", "GH_TOKEN")
MAX_WAIT_ENV = "RELEASE_ACTIONS_MAX_RETRY_WAIT"
DEFAULT_TIMEOUT = 30
DEFAULT_RETRIES = 4
DEFAULT_MAX_WAIT = 60.0
PR_SETTING = (
    "Settings → Actions → General → Workflow permissions → "
    "'Allow GitHub Actions to create and approve pull requests'"
)
#: Names ``permissions:`` accepts in a workflow job (GitHub's use ``_``, YAML ``-``).
JOB_PERMISSIONS = frozenset(
    {
        "actions",
        "attestations",
        "checks",
        "contents",
        "deployments",
        "discussions",
        "id-token",
        "issues",
        "models",
        "packages",
        "pages",
        "pull-requests",
        "repository-projects",
        "security-events",
        "statuses",
    }
)
T = TypeVar("T")


class GitHubError(ReleaseActionsError):
    """A GitHub API call failed; ``status`` is the HTTP status (None: no answer)."""

    def __init__(
        self,
        message: str,
        *,
        fix: str,
        title: str,
        status: int | None = None,
        actions_fix: str = "",
    ) -> None:
        super().__init__(message, fix=fix, title=title, actions_fix=actions_fix)
        self.status = status


class _Retry(GithubRetry):
    """GithubRetry whose every wait (backoff, Retry-After) is capped at ``backoff_max``.

    POST is not idempotent: it is retried only on rate limits (403/429), where
    GitHub rejected it without acting; after a 5xx the caller decides.
    """

    def get_retry_after(self, response: BaseHTTPResponse) -> float | None:
        value = super().get_retry_after(response)
        return None if value is None else min(value, self.backoff_max)

    def is_retry(self, method: str, status_code: int, has_retry_after: bool = False) -> bool:
        if method.upper() == "POST":
            if status_code not in (403, 429):
                return False
            method = "GET"
        return bool(super().is_retry(method, status_code, has_retry_after))


def _env_float(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if value < 0:
        raise InvalidValueError(name, raw, "a number of seconds >= 0")
    return value


def connect(
    token: str | None = None,
    api_url: str | None = None,
    *,
    timeout: int = DEFAULT_TIMEOUT,
    retries: int = DEFAULT_RETRIES,
    max_wait: float | None = None,
) -> GitHubClient:
    """A client for ``api_url`` (``GITHUB_API_URL``, else api.github.com; GHES works too)."""
    token = token or next((os.environ[n] for n in TOKEN_ENVS if os.environ.get(n)), "")
    if not token.strip():
        raise GitHubError(
            "no GitHub token: GITHUB_TOKEN (or GH_TOKEN) is not set.",
            fix="export GITHUB_TOKEN with a token for the repository "
            "(e.g. GITHUB_TOKEN=$(gh auth token))",
            actions_fix="pass `env: GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}` (or a GitHub App "
            "token) to the step",
            title="GitHub token missing",
        )
    url = (api_url or os.environ.get("GITHUB_API_URL", "").strip() or DEFAULT_API_URL).rstrip("/")
    wait = _env_float(MAX_WAIT_ENV, DEFAULT_MAX_WAIT) if max_wait is None else max_wait
    retry = _Retry(
        total=retries,
        backoff_factor=1.0,
        backoff_max=wait,
        secondary_rate_wait=min(60.0, wait),
        status_forcelist=[*range(500, 600), 429],
        allowed_methods=frozenset({"GET", "HEAD", "OPTIONS", "PUT", "PATCH", "DELETE"}),
        raise_on_status=False,
    )
    gh = Github(
        auth=Auth.Token(token.strip()),
        base_url=url,
        timeout=timeout,
        retry=retry,
        seconds_between_requests=min(0.25, wait),
        seconds_between_writes=min(1.0, wait),
    )
    return GitHubClient(gh, url, token.strip(), retries, wait)


class GitHubClient:
    def __init__(self, gh: Github, api_url: str, token: str, retries: int, max_wait: float) -> None:
        self.gh = gh
        self.api_url = api_url
        self.retries = retries
        self.max_wait = max_wait
        self.__token = token

    @contextmanager
    def call(self, action: str, *, resource: str = "", pr_create: bool = False) -> Iterator[None]:
        """Translate PyGithub and network failures inside the block into GitHubError."""
        try:
            yield
        except GithubException as exc:
            raise self._scrub(
                translate(
                    exc,
                    action,
                    resource=resource,
                    api_url=self.api_url,
                    retries=self.retries,
                    pr_create=pr_create,
                )
            ) from exc
        except requests.RequestException as exc:
            raise self._scrub(
                GitHubError(
                    f"could not reach the GitHub API at {self.api_url} while {action} "
                    f"({type(exc).__name__}).",
                    fix="check GITHUB_API_URL and the runner's network, then re-run the job",
                    title="GitHub unreachable",
                )
            ) from exc

    def _scrub(self, error: GitHubError) -> GitHubError:
        if self.__token and (self.__token in error.message or self.__token in error.fix):
            error.message = error.message.replace(self.__token, "***")
            error.fix = error.fix.replace(self.__token, "***")
            error.args = (error.message,)
        return error

    def create_once(
        self, action: str, find: Callable[[], T | None], create: Callable[[], T], **kwargs: Any
    ) -> T:
        """``create()``, unless ``find()`` has it; after a 5xx, look again before retrying."""
        for attempt in range(self.retries + 1):
            with self.call(action, **kwargs):
                try:
                    return create()
                except GithubException as exc:
                    if exc.status < 500 or attempt == self.retries:
                        raise
            found = find()
            if found is not None:
                return found
            time.sleep(min(self.max_wait, 2.0**attempt))
        raise AssertionError("unreachable")  # pragma: no cover


def _permissions(header: str) -> list[list[tuple[str, str]]]:
    """``contents=write,issues=read; pull_requests=write`` -> alternatives of requirement sets."""
    sets = []
    for alternative in header.split(";"):
        pairs = [p.strip().partition("=") for p in alternative.split(",") if p.strip()]
        if pairs:
            sets.append([(name.strip(), level.strip() or "read") for name, _, level in pairs])
    return sets


def _permission_advice(header: str) -> tuple[str, str]:
    """(what the token lacks, how to grant it) from ``x-accepted-github-permissions``."""
    sets = _permissions(header)
    if not sets:
        return "", ""
    lacks = " or ".join(", ".join(f"{n}: {lvl}" for n, lvl in s) for s in sets)
    first = [(n.replace("_", "-"), lvl) for n, lvl in sets[0]]
    if all(n in JOB_PERMISSIONS for n, _ in first):
        yaml = ", ".join(f"{n}: {lvl}" for n, lvl in first)
        grant = f"grant `permissions: {{{yaml}}}` to the job, or use a GitHub App token that has it"
    else:
        grant = (
            f"use a GitHub App token or fine-grained PAT with {lacks} (GITHUB_TOKEN cannot get it)"
        )
    return lacks, grant


def translate(
    exc: GithubException,
    action: str,
    *,
    resource: str = "",
    api_url: str = DEFAULT_API_URL,
    retries: int = DEFAULT_RETRIES,
    pr_create: bool = False,
) -> GitHubError:
    """A PyGithub exception as a GitHubError that says what is wrong and how to fix it."""
    status = exc.status
    data = exc.data if isinstance(exc.data, dict) else {}
    said = str(data.get("message") or exc.message or "").strip()
    details = "; ".join(
        str(
            e.get("message")
            or " ".join(str(e.get(k)) for k in ("resource", "field", "code") if e.get(k))
        )
        for e in data.get("errors") or []
        if isinstance(e, dict)
    )
    headers = {k.lower(): v for k, v in (exc.headers or {}).items()}
    quoted = f" ({status}: {said})" if said else f" ({status})"

    def err(message: str, fix: str, title: str, actions_fix: str = "") -> GitHubError:
        return GitHubError(message, fix=fix, title=title, status=status, actions_fix=actions_fix)

    if status == 401:
        return err(
            f"GitHub rejected the token while {action}{quoted}: it is missing, expired or revoked.",
            "export a valid token in GITHUB_TOKEN (e.g. GITHUB_TOKEN=$(gh auth token))",
            "GitHub token rejected",
            actions_fix="provide a valid token in GITHUB_TOKEN (`secrets.GITHUB_TOKEN` of the "
            "running job, or a fresh GitHub App installation token)",
        )
    lowered = said.lower()
    if status in (403, 429) and ("rate limit" in lowered or "retry-after" in headers):
        return err(
            f"GitHub's rate limit stopped {action}{quoted}, still after {retries} retries.",
            "wait a few minutes and re-run the job; avoid running many release jobs at once",
            "GitHub rate limit",
        )
    if status == 403:
        lacks, grant = _permission_advice(headers.get("x-accepted-github-permissions", ""))
        message = f"GitHub refused {action}{quoted}"
        message += f": the token lacks {lacks}." if lacks else "."
        fix = grant or "give the token write access to the repository (job `permissions:`)"
        if pr_create or "pull request" in lowered:
            message += (
                " GitHub Actions may also be forbidden to create pull requests in this "
                "repository or organization."
            )
            fix += f"; and enable {PR_SETTING} (repository and organization settings)"
        return err(message, fix, "GitHub permission denied")
    if status == 404:
        what = resource or "the resource"
        return err(
            f"GitHub answered 404 while {action}: {what} does not exist, "
            "or the token cannot see it.",
            f"check the name; a private repository needs `contents: read`; for GitHub Enterprise "
            f"Server set GITHUB_API_URL (now {api_url})",
            "GitHub resource not found",
        )
    if status == 422:
        reason = ": ".join(p for p in (said, details) if p) or "validation failed"
        return err(
            f"GitHub refused {action}: {reason}.",
            "change what GitHub's message names (an existing object may have to be reused "
            "or removed first) and re-run",
            "GitHub rejected the request",
        )
    if status >= 500:
        return err(
            f"GitHub answered {status} while {action}, still after {retries} retries.",
            "GitHub may be having an incident (https://www.githubstatus.com); re-run the job later",
            "GitHub unavailable",
        )
    return err(
        f"GitHub answered {status} while {action}{': ' + said if said else ''}.",
        "see GitHub's message; re-run once it is resolved",
        f"GitHub error {status}",
    )
