"""Route table of the fake GitHub: request/reply types, the ``@route`` decorator, paging."""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from . import shapes
from .shapes import Ctx

#: Path parameters whose values may contain ``/`` (refs, branch and tag names).
SLASHY_PARAMS = frozenset({"ref", "branch", "tag", "basehead"})


@dataclass
class Reply:
    status: int
    body: Any = None  # JSON-able; None means no body (204)
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Call:
    method: str
    path: str  # raw request path, no query
    params: dict[str, str]  # path parameters, percent-decoded
    query: dict[str, str]  # first value of each query parameter
    body: Any
    ctx: Ctx

    @property
    def state(self) -> Any:
        return self.ctx.state

    @property
    def git(self) -> Any:
        return self.ctx.git


Handler = Callable[[Call], Reply]


@dataclass(frozen=True)
class Route:
    method: str
    template: str  # OpenAPI path template, e.g. /repos/{owner}/{repo}/pulls/{pull_number}
    handler: Handler
    permission: str  # what GitHub names in x-accepted-github-permissions
    regex: re.Pattern[str]

    @property
    def literal_length(self) -> int:
        return len(re.sub(r"\{[^}]+\}", "", self.template))


ROUTES: list[Route] = []


def compile_template(template: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[^}]+\})", template)
    out = []
    for part in parts:
        if part.startswith("{"):
            name = part[1:-1]
            out.append(f"(?P<{name}>.+)" if name in SLASHY_PARAMS else f"(?P<{name}>[^/]+)")
        else:
            out.append(re.escape(part))
    return re.compile("^" + "".join(out) + "$")


def route(method: str, template: str, permission: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        ROUTES.append(Route(method, template, handler, permission, compile_template(template)))
        ROUTES.sort(key=lambda r: -r.literal_length)  # /releases/latest before /{release_id}
        return handler

    return register


def match(method: str, raw_path: str) -> tuple[Route, dict[str, str]] | None:
    for candidate in ROUTES:
        if candidate.method != method:
            continue
        found = candidate.regex.match(raw_path)
        if found:
            return candidate, {k: urllib.parse.unquote(v) for k, v in found.groupdict().items()}
    return None


def route_for_path(raw_path: str) -> Route | None:
    """Any route whose template matches the path (whatever the method)."""
    return next((r for r in ROUTES if r.regex.match(raw_path)), None)


# -- replies ------------------------------------------------------------------
def ok(body: Any, status: int = 200) -> Reply:
    return Reply(status, body)


def not_found(message: str = "Not Found") -> Reply:
    return Reply(404, shapes.error(message))


def invalid(
    resource: str, code: str, *, field: str | None = None, message: str | None = None
) -> Reply:
    return Reply(422, shapes.validation_failed(resource, code, field=field, message=message))


def unprocessable(message: str) -> Reply:
    return Reply(422, shapes.error(message))


def paginate(call: Call, items: Sequence[Any], render: Callable[[Any], Any]) -> Reply:
    """One page of ``items`` (``per_page``/``page`` as GitHub reads them) with a Link header."""
    per_page = max(1, min(100, int(call.query.get("per_page") or 30)))
    page = max(1, int(call.query.get("page") or 1))
    last = max(1, -(-len(items) // per_page))
    chunk = items[(page - 1) * per_page : page * per_page]
    links = []
    for rel, number in (("prev", page - 1), ("next", page + 1), ("first", 1), ("last", last)):
        if (rel in ("prev", "first") and page > 1) or (rel in ("next", "last") and page < last):
            query = {**call.query, "per_page": str(per_page), "page": str(number)}
            url = f"{call.ctx.api}{call.path}?{urllib.parse.urlencode(query)}"
            links.append(f'<{url}>; rel="{rel}"')
    headers = {"Link": ", ".join(links)} if links else {}
    return Reply(200, [render(item) for item in chunk], headers)
