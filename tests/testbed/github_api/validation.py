"""Validate every request and response against GitHub's OpenAPI description (our subset).

openapi-core with ``Config(spec_validator_cls=None)`` understands OpenAPI 3.0's
``nullable`` (plain jsonschema does not). Error statuses an operation does not
document (a 502, a 404 GitHub sends anyway) are checked against GitHub's
generic ``basic-error``/``validation-error`` bodies instead.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from openapi_core import Config, OpenAPI
from openapi_core.testing import MockRequest, MockResponse
from openapi_schema_validator import OAS30Validator

SPEC_PATH = Path(__file__).with_name("openapi-subset.json")
HOST = "https://api.github.com"  # the spec's server; our host is irrelevant to the shapes


def describe(exc: BaseException) -> str:
    """One line per schema error, from an openapi-core exception chain."""
    text = str(exc)
    parts = [f"{type(exc).__name__}: {text[:300]}{'...' if len(text) > 300 else ''}"]
    cause: BaseException | None = exc.__cause__
    while cause is not None:
        errors = getattr(cause, "schema_errors", None)
        if errors:
            parts += [
                f"  at {'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}"
                for e in errors
            ]
        else:
            parts.append(f"  {type(cause).__name__}: {cause}")
        cause = cause.__cause__
    return "\n".join(parts)


class SpecValidator:
    def __init__(self, spec_path: Path = SPEC_PATH) -> None:
        self.spec: dict[str, Any] = json.loads(spec_path.read_text(encoding="utf-8"))
        self.app = OpenAPI.from_dict(self.spec, config=Config(spec_validator_cls=None))
        schemas = self.spec["components"]["schemas"]
        # GitHub's basic-error requires nothing; every real error body has a message (and
        # clients read it, e.g. PyGithub's retry looks for "secondary rate limit"), so we do.
        basic = {**schemas["basic-error"], "required": ["message"]}
        self._generic = {
            "basic-error": OAS30Validator(basic),
            "validation-error": OAS30Validator(schemas["validation-error"]),
        }

    def has_operation(self, method: str, template: str) -> bool:
        return method.lower() in self.spec["paths"].get(template, {})

    def documented(self, method: str, template: str, status: int) -> bool:
        operation = self.spec["paths"][template][method.lower()]
        return str(status) in operation["responses"]

    @staticmethod
    def request(
        method: str,
        template: str,
        raw_path: str,
        params: dict[str, str],
        query: list[tuple[str, str]],
        headers: dict[str, str],
        body: bytes,
    ) -> MockRequest:
        content_type = headers.get("Content-Type", headers.get("content-type", ""))
        return MockRequest(
            HOST,
            method,
            raw_path,
            path_pattern=template,
            view_args=params,
            args=query,  # type: ignore[arg-type]  # a list of pairs keeps repeated keys
            headers=headers,
            data=body or None,
            content_type=content_type.split(";")[0].strip() if body else "application/json",
        )

    def request_errors(self, request: MockRequest) -> list[str]:
        try:
            self.app.validate_request(request)
        except Exception as exc:
            return [f"request {request.method.upper()} {request.path} invalid: {describe(exc)}"]
        return []

    def response_errors(
        self, request: MockRequest, template: str, status: int, body: bytes, headers: dict[str, str]
    ) -> list[str]:
        where = f"response {status} to {request.method.upper()} {request.path}"
        if self.documented(request.method, template, status):
            response = MockResponse(body, status, headers=headers, content_type="application/json")
            try:
                self.app.validate_response(request, response)
            except Exception as exc:
                return [f"{where} invalid: {describe(exc)}"]
            return []
        if status < 400:
            return [f"{where}: status {status} is not documented for {template}"]
        try:
            data = json.loads(body)
        except ValueError as exc:
            return [f"{where}: error body is not JSON: {exc}"]
        validator = self._generic["validation-error" if status == 422 else "basic-error"]
        problems = [f"  at {'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}"
                    for e in validator.iter_errors(data)]  # fmt: skip
        return (
            [f"{where} invalid (generic error body):\n" + "\n".join(problems)] if problems else []
        )
