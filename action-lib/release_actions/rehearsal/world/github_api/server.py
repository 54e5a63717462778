"""A local, stateful GitHub REST API, backed by a bare git repository.

    server = GitHubAPIServer(bare_repo, "llama-stack/llama-stack").start()
    gh = github.Github(auth=github.Auth.Token("t"), base_url=server.url)
    ...
    server.stop(); assert not server.errors

Refs and commits are read from / written to the bare repository with the git
CLI on every request. Unknown routes land in ``server.errors``. With a
``validator`` (the test suite's, ``tests/testbed/github_api/validation.py``),
every request and response is also checked against GitHub's OpenAPI
description, and mismatches land there too (the pytest fixture fails the test
on them). A rehearsal runs it without one.
"""

from __future__ import annotations

import json
import re
import threading
import time
import traceback
import urllib.parse
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Protocol

from . import api_git, api_issues, api_pulls, api_releases, shapes  # noqa: F401  (routes)
from .gitrepo import BareRepo
from .routes import ROUTES, Call, Reply, match, route_for_path
from .state import Protection, State, WorkflowRun, now


class Validator(Protocol):
    """What the server asks of an OpenAPI validator (the test suite's SpecValidator):
    ``request(method, template, raw_path, params, query, headers, body)`` builds the
    request it checks with ``request_errors``, and ``response_errors(request,
    template, status, body, headers)`` checks the answer."""

    def has_operation(self, method: str, template: str) -> bool: ...

    def request(self, *parts: Any) -> Any: ...

    def request_errors(self, request: Any) -> list[str]: ...

    def response_errors(self, request: Any, *parts: Any) -> list[str]: ...


SECONDARY_RATE_LIMIT = (
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."
)
DEFAULT_FAULT_MESSAGES = {
    401: "Bad credentials",
    403: "Resource not accessible by integration",
    404: "Not Found",
    409: "Conflict",
    422: "Validation Failed",
    500: "Server Error",
    502: "Server Error",
    503: "Service Unavailable",
}


@dataclass
class Fault:
    method: str  # "*" for any
    path_regex: str
    status: int
    times: int | None  # None: every time
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None
    after: bool = False  # carry the request out, then answer with the fault
    hits: int = 0


@dataclass(frozen=True)
class Record:
    method: str
    path: str
    status: int
    query: str = ""
    body: Any = None


class GitHubAPIServer:
    def __init__(
        self,
        bare_repo: Path,
        full_name: str = "llama-stack/llama-stack",
        *,
        require_auth: bool = True,
        tokens: set[str] | None = None,
        path_prefix: str = "",
        validator: Validator | None = None,
    ) -> None:
        self.git = BareRepo(bare_repo)
        self.full_name = full_name
        self.state = State()
        self.require_auth = require_auth
        self.tokens = tokens  # None: any token is accepted
        self.path_prefix = path_prefix.rstrip("/")
        self.validator = validator
        self.errors: list[str] = []
        self.log: list[Record] = []
        self._faults: list[Fault] = []
        self._lock = threading.RLock()
        for r in ROUTES:
            if validator is not None and not validator.has_operation(r.method, r.template):
                raise RuntimeError(f"{r.method} {r.template} is not in the OpenAPI subset")
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._httpd.daemon_threads = True
        self._httpd.api = self  # type: ignore[attr-defined]
        self._thread: threading.Thread | None = None
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}{self.path_prefix}"
        self.ctx = shapes.Ctx(api=self.url, full_name=full_name, git=self.git, state=self.state)

    # -- lifecycle ------------------------------------------------------------
    def start(self) -> GitHubAPIServer:
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> GitHubAPIServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- test controls -----------------------------------------------------------
    def protect(
        self, branch: str, *, required_reviews: int = 1, checks: tuple[str, ...] = ()
    ) -> None:
        with self._lock:
            self.state.protected[branch] = Protection(required_reviews, True, list(checks))

    def unprotect(self, branch: str) -> None:
        with self._lock:
            self.state.protected.pop(branch, None)

    def add_workflow_run(
        self,
        *,
        name: str = "Release",
        path: str = ".github/workflows/release.yml",
        head_branch: str | None = None,
        head_sha: str | None = None,
        event: str = "workflow_dispatch",
        status: str = "completed",
        conclusion: str | None = "success",
        run_id: int | None = None,
        display_title: str = "",
    ) -> WorkflowRun:
        """Seed a run; ``head_sha`` defaults to the tip of ``head_branch`` (the default branch)."""
        with self._lock:
            branch = head_branch or self.git.default_branch()
            sha = head_sha or self.git.branch_sha(branch)
            if sha is None:
                raise ValueError(f"branch {branch!r} does not exist in {self.git.path}")
            workflow_id = self.state.workflow_id(path)
            number = 1 + sum(r.workflow_id == workflow_id for r in self.state.runs.values())
            run = WorkflowRun(
                id=run_id or 9_000_000_000 + self.state.next_id(),
                name=name,
                path=path,
                head_branch=branch,
                head_sha=sha,
                event=event,
                status=status,
                conclusion=conclusion,
                run_number=number,
                workflow_id=workflow_id,
                display_title=display_title,
            )
            self.state.runs[run.id] = run
            return run

    def set_milestone(self, number: int, milestone: int | None) -> None:
        """Put an issue or pull request on a milestone (the API for that is not modelled)."""
        with self._lock:
            item = self.state.issues.get(number) or self.state.pulls.get(number)
            if item is None:
                raise KeyError(f"no issue or pull request #{number}")
            item.milestone = milestone
            item.updated_at = now()

    def inject(
        self,
        method: str,
        path_regex: str,
        status: int,
        times: int | None = 1,
        headers: dict[str, str] | None = None,
        body: Any = None,
        *,
        after: bool = False,
    ) -> Fault:
        """Answer the next ``times`` matching requests with ``status`` (None: all of them).

        Defaults follow GitHub: a 403 names the route's permission in
        ``x-accepted-github-permissions`` and says "Resource not accessible by integration".
        ``after=True`` carries the request out first (GitHub acted, then answered 502).
        """
        if body is None:
            message = DEFAULT_FAULT_MESSAGES.get(status, "Error")
            body = shapes.error(message)
            if status == 422:
                body["errors"] = [{"resource": "Unknown", "code": "custom", "message": message}]
        fault = Fault(method.upper(), path_regex, status, times, dict(headers or {}), body, after)
        with self._lock:
            self._faults.append(fault)
        return fault

    def inject_secondary_rate_limit(
        self, method: str, path_regex: str, *, retry_after: int | None = 1, times: int | None = 1
    ) -> Fault:
        headers = {} if retry_after is None else {"retry-after": str(retry_after)}
        return self.inject(
            method, path_regex, 403, times, headers, shapes.error(SECONDARY_RATE_LIMIT)
        )

    def count(self, method: str | None = None, path_regex: str | None = None) -> int:
        with self._lock:
            return sum(
                (method is None or r.method == method.upper())
                and (path_regex is None or re.search(path_regex, r.path) is not None)
                for r in self.log
            )

    @property
    def requests(self) -> list[tuple[str, str, int]]:
        with self._lock:
            return [(r.method, r.path, r.status) for r in self.log]

    def take_errors(self) -> list[str]:
        """Return and clear ``errors`` (for tests that provoke them on purpose)."""
        with self._lock:
            taken, self.errors = self.errors, []
            return taken

    def reset_counts(self) -> None:
        with self._lock:
            self.log.clear()

    # -- request handling ------------------------------------------------------------
    def handle(
        self, method: str, raw_url: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        with self._lock:
            parts = urllib.parse.urlsplit(raw_url)
            query = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
            reply, route_perm = self._dispatch(method, parts.path, query, headers, body)
            data = b"" if reply.body is None else json.dumps(reply.body).encode()
            out = {
                "Content-Type": "application/json; charset=utf-8",
                "X-GitHub-Media-Type": "github.v3; format=json",
                "X-GitHub-Api-Version-Selected": "2022-11-28",
                "X-GitHub-Request-Id": uuid.uuid4().hex[:20].upper(),
                "X-RateLimit-Limit": "5000",
                "X-RateLimit-Remaining": "4999",
                "X-RateLimit-Reset": str(int(time.time()) + 3600),
                "X-RateLimit-Resource": "core",
            }
            if route_perm:
                out["x-accepted-github-permissions"] = route_perm
            for key, value in reply.headers.items():  # header names are case-insensitive
                out = {k: v for k, v in out.items() if k.lower() != key.lower()}
                out[key] = value
            if reply.body is None:
                out.pop("Content-Type")
            try:
                parsed_body = json.loads(body) if body else None
            except ValueError:
                parsed_body = body.decode(errors="replace")
            self.log.append(Record(method, parts.path, reply.status, parts.query, parsed_body))
            return reply.status, out, data

    def _dispatch(
        self,
        method: str,
        path: str,
        query: list[tuple[str, str]],
        headers: dict[str, str],
        body: bytes,
    ) -> tuple[Reply, str]:
        api_path = path
        if self.path_prefix:
            if not path.startswith(self.path_prefix + "/"):
                self.errors.append(
                    f"request outside the API prefix {self.path_prefix}: {method} {path}"
                )
                return Reply(404, shapes.error("Not Found")), ""
            api_path = path[len(self.path_prefix) :]
        found = match(method, api_path)
        if found is None:
            other = route_for_path(api_path)
            what = (
                f"method {method} not implemented for {other.template}"
                if other
                else "unknown route"
            )
            self.errors.append(f"{what}: {method} {path}")
            return Reply(404, shapes.error("Not Found")), ""
        route, params = found
        if self.validator is None:
            return self._answer(method, path, route, params, query, headers, body), route.permission
        request = self.validator.request(
            method, route.template, api_path, params, query, headers, body
        )
        problems = self.validator.request_errors(request)
        if problems:
            self.errors.extend(problems)
            return Reply(
                422, shapes.validation_failed("Request", "invalid", message=problems[0])
            ), ""
        reply = self._answer(method, path, route, params, query, headers, body)
        data = b"" if reply.body is None else json.dumps(reply.body).encode()
        problems = self.validator.response_errors(
            request, route.template, reply.status, data, reply.headers
        )
        if problems:
            self.errors.extend(problems)
            return Reply(
                500, shapes.error("test server produced an invalid response")
            ), route.permission
        return reply, route.permission

    def _answer(
        self,
        method: str,
        path: str,
        route: Any,
        params: dict[str, str],
        query: list[tuple[str, str]],
        headers: dict[str, str],
        body: bytes,
    ) -> Reply:
        token = _token(headers)
        if self.require_auth and token is None:
            return Reply(401, shapes.error("Requires authentication"))
        if self.tokens is not None and token not in self.tokens:
            return Reply(401, shapes.error("Bad credentials"))
        fault = self._fault_for(method, path)
        if fault is not None and not fault.after:
            return self._fault_reply(fault, route.permission)
        reply = self._run(method, path, route, params, query, body)
        return self._fault_reply(fault, route.permission) if fault is not None else reply

    def _fault_for(self, method: str, path: str) -> Fault | None:
        for fault in self._faults:
            if fault.times is not None and fault.hits >= fault.times:
                continue
            if fault.method in ("*", method) and re.search(fault.path_regex, path):
                fault.hits += 1
                return fault
        return None

    @staticmethod
    def _fault_reply(fault: Fault, permission: str) -> Reply:
        extra = dict(fault.headers)
        if fault.status == 403 and not any(k.lower() == "retry-after" for k in extra):
            extra.setdefault("x-accepted-github-permissions", permission)
        return Reply(fault.status, fault.body, extra)

    def _run(
        self,
        method: str,
        path: str,
        route: Any,
        params: dict[str, str],
        query: list[tuple[str, str]],
        body: bytes,
    ) -> Reply:
        if f"{params['owner']}/{params['repo']}".lower() != self.full_name.lower():
            return Reply(404, shapes.error("Not Found"))
        try:
            payload = json.loads(body) if body else None
        except ValueError:
            return Reply(400, shapes.error("Problems parsing JSON"))
        call = Call(method, path, params, dict(reversed(query)), payload, self.ctx)
        try:
            reply: Reply = route.handler(call)
            return reply
        except Exception:
            self.errors.append(f"handler crashed on {method} {path}:\n{traceback.format_exc()}")
            return Reply(500, shapes.error("Server Error"))


def _token(headers: dict[str, str]) -> str | None:
    value = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
    scheme, _, token = value.partition(" ")
    return token.strip() or None if scheme.lower() in ("token", "bearer") else None


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 10  # idle keep-alive connections end after this
    disable_nagle_algorithm = True  # keep-alive + small writes would wait for delayed ACKs
    wbufsize = 64 * 1024  # headers and body leave in one write (flushed per request)

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        api: GitHubAPIServer = self.server.api  # type: ignore[attr-defined]
        status, headers, data = api.handle(
            self.command, self.path, dict(self.headers.items()), body
        )
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if data and self.command != "HEAD":
            self.wfile.write(data)

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve

    def log_message(self, format: str, *args: Any) -> None:
        pass
