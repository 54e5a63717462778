#!/usr/bin/env python3
"""Extract the GitHub REST operations our test server implements from @octokit/openapi.

The test server in ``tests/testbed/github_api`` validates every request and
response against GitHub's own OpenAPI description. The full description is
large (``@octokit/openapi`` is 385 MB installed, the dereferenced JSON 73 MB),
so we keep only the operations the server implements, in
``tests/testbed/github_api/openapi-subset.json``.

Regenerate the subset (e.g. after adding a route to the server)::

    tmp=$(mktemp -d)
    npm install --prefix "$tmp" --no-audit --no-fund @octokit/openapi
    python scripts/extract-openapi-subset.py \\
        "$tmp/node_modules/@octokit/openapi/generated/api.github.com.deref.json" \\
        tests/testbed/github_api/openapi-subset.json
    rm -rf "$tmp"

What the subset keeps: the listed paths and methods, fully dereferenced (so the
schemas are GitHub's, not ours), the ``openapi``/``info``/``servers`` headers,
and GitHub's generic error bodies under ``components/schemas`` (``basic-error``,
``validation-error``) for error statuses an operation does not document. To
keep it small it drops prose (``description``/``summary`` on schemas and
parameters; a Response Object keeps its required ``description``), examples,
and GitHub's ``x-github``/``externalDocs`` annotations, and moves schemas that
occur more than once (same ``title`` and content) to ``components/schemas``,
referenced with ``$ref``. Nothing about what is accepted changes.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from pathlib import Path
from typing import Any

REPO = "/repos/{owner}/{repo}"

#: path -> methods; keep in sync with the routes in tests/testbed/github_api/handlers.py
OPERATIONS: dict[str, tuple[str, ...]] = {
    REPO: ("get",),
    f"{REPO}/branches/{{branch}}": ("get",),
    f"{REPO}/branches/{{branch}}/protection": ("get",),
    f"{REPO}/git/ref/{{ref}}": ("get",),
    f"{REPO}/git/matching-refs/{{ref}}": ("get",),
    f"{REPO}/git/refs": ("post",),
    f"{REPO}/git/refs/{{ref}}": ("patch", "delete"),
    f"{REPO}/git/tags": ("post",),
    f"{REPO}/git/commits/{{commit_sha}}": ("get",),
    f"{REPO}/pulls": ("get", "post"),
    f"{REPO}/pulls/{{pull_number}}": ("get", "patch"),
    f"{REPO}/pulls/{{pull_number}}/merge": ("put",),
    f"{REPO}/releases": ("get", "post"),
    f"{REPO}/releases/tags/{{tag}}": ("get",),
    f"{REPO}/releases/{{release_id}}": ("get", "patch"),
    f"{REPO}/releases/generate-notes": ("post",),
    f"{REPO}/releases/latest": ("get",),
    f"{REPO}/milestones": ("get", "post"),
    f"{REPO}/issues": ("get", "post"),
    f"{REPO}/actions/runs": ("get",),
    f"{REPO}/actions/runs/{{run_id}}": ("get",),
    f"{REPO}/actions/workflows/{{workflow_id}}/runs": ("get",),
    f"{REPO}/compare/{{basehead}}": ("get",),
}

#: Generic error bodies, taken from operations that document them.
ERROR_SCHEMAS = {
    "basic-error": (REPO, "get", "404"),
    "validation-error": (f"{REPO}/pulls", "post", "422"),
}

DROP_KEYS = frozenset({"example", "examples", "externalDocs", "x-github", "x-octokit"})
PROSE_KEYS = frozenset({"description", "summary"})
MIN_SHARED_SIZE = 400  # bytes of JSON; smaller repeated schemas stay inline


def strip(node: Any, *, keep_description: bool = False) -> Any:
    """Drop prose and examples; ``properties`` maps keep every property name."""
    if isinstance(node, list):
        return [strip(item) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in DROP_KEYS or key.startswith("x-"):
            continue
        if key in PROSE_KEYS and isinstance(value, str):
            if key == "description" and keep_description:
                out[key] = value.split("\n", 1)[0][:120]
            continue
        if key in ("properties", "patternProperties") and isinstance(value, dict):
            out[key] = {name: strip(schema) for name, schema in value.items()}
        elif key == "responses" and isinstance(value, dict):
            out[key] = {code: strip(resp, keep_description=True) for code, resp in value.items()}
        else:
            out[key] = strip(value)
    return out


def _digest(node: Any) -> str:
    return hashlib.sha256(json.dumps(node, sort_keys=True).encode()).hexdigest()


def _slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-") or "schema"


def share_schemas(paths: dict[str, Any], components: dict[str, Any]) -> None:
    """Move titled schemas that occur more than once to ``components`` (by content)."""
    counts: dict[str, int] = {}

    def count(node: Any) -> None:
        if isinstance(node, dict):
            if "title" in node and isinstance(node["title"], str) and "type" in node:
                key = _digest(node)
                counts[key] = counts.get(key, 0) + 1
            for value in node.values():
                count(value)
        elif isinstance(node, list):
            for item in node:
                count(item)

    count(paths)
    names: dict[str, str] = {}

    def replace(node: Any) -> Any:
        if isinstance(node, list):
            return [replace(item) for item in node]
        if not isinstance(node, dict):
            return node
        if "title" in node and isinstance(node["title"], str) and "type" in node:
            key = _digest(node)
            if counts.get(key, 0) > 1 and len(json.dumps(node)) >= MIN_SHARED_SIZE:
                if key not in names:
                    name = base = _slug(node["title"])
                    n = 2
                    while name in components:
                        name, n = f"{base}-{n}", n + 1
                    names[key] = name
                    components[name] = {}  # reserve before recursing
                    components[name] = {k: replace(v) for k, v in node.items()}
                return {"$ref": f"#/components/schemas/{names[key]}"}
        return {k: replace(v) for k, v in node.items()}

    for path, item in paths.items():
        paths[path] = replace(item)


def extract(spec: dict[str, Any]) -> dict[str, Any]:
    paths: dict[str, Any] = {}
    for path, methods in OPERATIONS.items():
        if path not in spec["paths"]:
            raise SystemExit(f"error: {path} is not in the OpenAPI description")
        item = spec["paths"][path]
        missing = [m for m in methods if m not in item]
        if missing:
            raise SystemExit(f"error: {path} has no {', '.join(missing)} operation")
        paths[path] = {m: strip(item[m]) for m in methods}
        if "parameters" in item:
            paths[path]["parameters"] = strip(item["parameters"])
    components: dict[str, Any] = {}
    for name, (path, method, status) in ERROR_SCHEMAS.items():
        response = spec["paths"][path][method]["responses"][status]
        components[name] = strip(response["content"]["application/json"]["schema"])
    share_schemas(paths, components)
    return {
        "openapi": spec["openapi"],
        "info": {
            "title": f"{spec['info']['title']} (subset for tests)",
            "version": spec["info"]["version"],
        },
        "servers": spec.get("servers", [{"url": "https://api.github.com"}]),
        "paths": paths,
        "components": {"schemas": components},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("deref_json", type=Path, help="generated/api.github.com.deref.json")
    parser.add_argument(
        "output",
        type=Path,
        nargs="?",
        default=Path(__file__).resolve().parent.parent
        / "tests/testbed/github_api/openapi-subset.json",
        help="where to write the subset (default: %(default)s)",
    )
    args = parser.parse_args(argv)
    spec = json.loads(args.deref_json.read_text(encoding="utf-8"))
    subset = extract(spec)
    text = json.dumps(subset, indent=1, sort_keys=False) + "\n"
    args.output.write_text(text, encoding="utf-8")
    print(
        f"wrote {args.output}: {sum(len(m) for m in OPERATIONS.values())} operations, "
        f"{len(subset['components']['schemas'])} shared schemas, {len(text) // 1024} KiB",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
