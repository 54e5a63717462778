"""What a rehearsal did: the world before and after, as a JSON document and as text.

:func:`snapshot` reads the world (refs of ``origin.git``; the GitHub API's pull
requests, releases and milestones; the files of each index; every npm package's
versions and dist-tags); :func:`build_report` compares two snapshots. The JSON
document has exactly these keys (``docs``: ``release-actions rehearse --help``)::

    ok, event, ref, repository, workflows, jobs, refs, pull_requests, releases,
    uploads, npm, summaries, timings, world

and the engine adds ``prefilled`` (null, or what ``--prefill-from-registries`` placed:
``pypi``/``testpypi`` ``{project: [versions]}``, ``npm`` ``{name: {versions,
dist_tags}}``, ``problems``), placed before the "before" snapshot: uploads and npm
list only what the workflows published.

:func:`render` is the terminal form: jobs, refs before -> after, pull requests,
releases, uploads per index, npm, step summaries.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .world.origin import git
from .world.world import World

__all__ = [
    "Snapshot",
    "build_report",
    "npm_packages",
    "read_summaries",
    "redact_document",
    "redact_secrets",
    "render",
    "snapshot",
]


@dataclass
class Snapshot:
    refs: dict[str, str] = field(default_factory=dict)
    pulls: dict[int, dict[str, Any]] = field(default_factory=dict)
    releases: dict[int, dict[str, Any]] = field(default_factory=dict)
    milestones: dict[int, dict[str, Any]] = field(default_factory=dict)
    files: dict[str, list[str]] = field(default_factory=dict)
    npm: dict[str, dict[str, Any]] = field(default_factory=dict)


def npm_packages(storage: Path) -> list[str]:
    """The package names verdaccio stores (``name`` and ``@scope/name`` folders)."""
    names: list[str] = []
    if not storage.is_dir():
        return names
    for entry in sorted(storage.iterdir()):
        if not entry.is_dir() or entry.name.startswith("."):
            continue
        if entry.name.startswith("@"):
            names += [f"{entry.name}/{sub.name}" for sub in sorted(entry.iterdir()) if sub.is_dir()]
        else:
            names.append(entry.name)
    return names


def _refs(bare: Path) -> dict[str, str]:
    out = git(bare, "for-each-ref", "--format=%(refname)%00%(objectname)").stdout
    return dict(line.split("\0", 1) for line in out.splitlines() if line)


def snapshot(world: World) -> Snapshot:
    """The world's state now (see the module docstring)."""
    state = world.github.state
    with state.lock:
        pulls = {
            n: {"title": p.title, "head": p.head, "base": p.base, "state": p.state,
                "body": p.body, "draft": p.draft, "merged": p.merged, "head_sha": p.head_sha}
            for n, p in state.pulls.items()
        }  # fmt: skip
        releases = {
            i: {"tag": r.tag_name, "name": r.name or "", "prerelease": r.prerelease,
                "draft": r.draft, "body": r.body, "target": r.target_commitish,
                "make_latest": r.make_latest}
            for i, r in state.releases.items()
        }  # fmt: skip
        milestones = {n: {"title": m.title, "state": m.state} for n, m in state.milestones.items()}
    npm: dict[str, dict[str, Any]] = {}
    for name in npm_packages(world.npm.workdir / "storage"):
        doc = world.npm.packument(name) or {}
        npm[name] = {
            "versions": sorted(doc.get("versions", {})),
            "dist_tags": dict(doc.get("dist-tags", {})),
        }
    return Snapshot(
        refs=_refs(world.origin.bare),
        pulls=pulls,
        releases=releases,
        milestones=milestones,
        files={"pypi": world.pypi.packages(), "testpypi": world.testpypi.packages()},
        npm=npm,
    )


def read_summaries(folder: Path, jobs: Sequence[str] = ()) -> list[dict[str, str]]:
    """``[{job, markdown}]`` from the per-job files the summary hook wrote (job order first,
    then any other job by name); empty summaries are left out."""
    found = {p.stem: p for p in folder.glob("*.md")} if folder.is_dir() else {}
    order = [j for j in jobs if j in found] + sorted(set(found) - set(jobs))
    result = []
    for job in order:
        text = found[job].read_text(encoding="utf-8", errors="replace")
        if text.strip():
            result.append({"job": job, "markdown": text})
    return result


def _ref_changes(before: Mapping[str, str], after: Mapping[str, str]) -> list[dict[str, Any]]:
    changes = []
    for ref in sorted(set(before) | set(after)):
        old, new = before.get(ref), after.get(ref)
        if old == new:
            continue
        change = "created" if old is None else "deleted" if new is None else "moved"
        changes.append({"ref": ref, "before": old, "after": new, "change": change})
    return changes


def build_report(
    before: Snapshot,
    after: Snapshot,
    *,
    event: str,
    ref: str,
    repository: str,
    workflows: Sequence[str],
    jobs: Mapping[str, str],
    summaries: Sequence[Mapping[str, str]],
    timings: Mapping[str, float],
    world: str | None,
    ok: bool | None = None,
) -> dict[str, Any]:
    """The report document (exactly the keys of the module docstring)."""
    pulls = []
    for number in sorted(after.pulls):
        pull = after.pulls[number]
        if number in before.pulls and before.pulls[number] == pull:
            continue
        pulls.append(
            {"number": number, "title": pull["title"], "head": pull["head"],
             "base": pull["base"], "state": pull["state"],
             "change": "edited" if number in before.pulls else "opened"}
        )  # fmt: skip
    releases = []
    for ident in sorted(after.releases):
        rel = after.releases[ident]
        if ident in before.releases and before.releases[ident] == rel:
            continue
        releases.append(
            {"tag": rel["tag"], "name": rel["name"], "prerelease": rel["prerelease"],
             "draft": rel["draft"],
             "change": "edited" if ident in before.releases else "created"}
        )  # fmt: skip
    npm = []
    for name in sorted(after.npm):
        now, then = after.npm[name], before.npm.get(name, {})
        published = [v for v in now["versions"] if v not in set(then.get("versions", []))]
        if published or now["dist_tags"] != then.get("dist_tags", {}):
            npm.append({"name": name, "published": published, "dist_tags": now["dist_tags"]})
    uploads = {
        index: [f for f in after.files.get(index, []) if f not in set(before.files.get(index, []))]
        for index in ("pypi", "testpypi")
    }
    return {
        "ok": bool(jobs) and all(r == "success" for r in jobs.values()) if ok is None else ok,
        "event": event,
        "ref": ref,
        "repository": repository,
        "workflows": list(workflows),
        "jobs": dict(jobs),
        "refs": _ref_changes(before.refs, after.refs),
        "pull_requests": pulls,
        "releases": releases,
        "uploads": uploads,
        "npm": npm,
        "summaries": [dict(s) for s in summaries],
        "timings": {k: round(v, 3) for k, v in timings.items()},
        "world": world,
    }


def _short(sha: str | None) -> str:
    return sha[:10] if sha else "(none)"


def render(report: Mapping[str, Any]) -> str:
    """The report for a terminal (see the module docstring)."""
    verdict = "every job succeeded" if report["ok"] else "a job FAILED"
    lines = [
        f"Rehearsal of {report['event']} ({report['ref']}) in {report['repository']}: {verdict}",
        f"workflows: {', '.join(report['workflows'])}",
        "",
        "Jobs:",
    ]
    lines += [f"  {job}: {result}" for job, result in report["jobs"].items()] or ["  (none ran)"]
    lines += ["", "Refs on origin (before -> after):"]
    lines += [
        f"  {r['ref']}: {_short(r['before'])} -> {_short(r['after'])} ({r['change']})"
        for r in report["refs"]
    ] or ["  (unchanged)"]
    lines += ["", "Pull requests:"]
    lines += [
        f"  #{p['number']} {p['title']!r} {p['head']} -> {p['base']} [{p['state']}] ({p['change']})"
        for p in report["pull_requests"]
    ] or ["  (none)"]
    lines += ["", "GitHub releases:"]
    lines += [
        f"  {r['tag']} {r['name']!r}{' prerelease' if r['prerelease'] else ''}"
        f"{' draft' if r['draft'] else ''} ({r['change']})"
        for r in report["releases"]
    ] or ["  (none)"]
    lines += ["", "Uploads:"]
    for index, files in report["uploads"].items():
        lines.append(f"  {index}: {', '.join(files) if files else '(none)'}")
    lines += ["", "npm:"]
    lines += [
        f"  {p['name']}: published {', '.join(p['published']) or '(none)'};"
        f" dist-tags {', '.join(f'{t}={v}' for t, v in sorted(p['dist_tags'].items()))}"
        for p in report["npm"]
    ] or ["  (nothing published)"]
    lines += ["", "Step summaries:"]
    for summary in report["summaries"]:
        lines += [f"--- {summary['job']}", summary["markdown"].rstrip("\n")]
    if not report["summaries"]:
        lines.append("  (none)")
    prefilled = report.get("prefilled")
    if prefilled:
        counts = [
            f"{name} ({index}) {len(held['versions'] if index == 'npm' else held)}"
            for index in ("pypi", "testpypi", "npm")
            for name, held in prefilled[index].items()
        ]
        lines += ["", f"Pre-filled, versions per name: {', '.join(counts) or 'nothing'}"]
        lines += [f"  problem: {problem}" for problem in prefilled["problems"]]
    timings = report["timings"]
    lines += ["", "Timings: " + ", ".join(f"{k} {v:.1f}s" for k, v in timings.items())]
    if report["world"]:
        lines.append(f"World kept in {report['world']}")
    return "\n".join(lines) + "\n"


def redact_secrets(text: str, secrets: Mapping[str, str]) -> str:
    """``text`` with the value of every secret (3 characters or more) as ``***``."""
    for value in sorted(secrets.values(), key=len, reverse=True):
        if len(value) >= 3:
            text = text.replace(value, "***")
    return text


def redact_document(document: Any, secrets: Mapping[str, str]) -> Any:
    """``document`` with every user secret's value replaced in its strings."""
    if isinstance(document, str):
        return redact_secrets(document, secrets)
    if isinstance(document, list):
        return [redact_document(item, secrets) for item in document]
    if isinstance(document, dict):
        return {k: redact_document(v, secrets) for k, v in document.items()}
    return document
