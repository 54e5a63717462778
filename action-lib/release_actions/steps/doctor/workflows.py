"""The workflows check: ``.github/workflows`` calls prepare-release, post-release, compute-version.

A call is our action or reusable workflow (remote, or a local copy under
``./``), or a workflow file of the expected name. Our reusable ``release.yml``
publishes, and runs post-release when called ``with: post-release: true``. The
workflows that run are the default branch's, so on another branch they are read
from the default branch.
"""

from __future__ import annotations

import re
from pathlib import Path

from release_actions.adapters import git
from release_actions.steps.doctor.context import Context
from release_actions.steps.doctor.report import OK, WARN, Check

__all__ = ["ALSO_DONE_BY", "OWN_REPOSITORY", "REQUIRED_WORKFLOWS", "check_workflows"]

OWN_REPOSITORY = "llama-stack/release-actions/"
REQUIRED_WORKFLOWS: dict[str, tuple[str, tuple[str, ...]]] = {
    # kind -> (what our action/workflow is called, workflow file names of local copies)
    "prepare-release": ("prepare-release", ("prepare-release.yml", "prepare-release.yaml")),
    "post-release": ("post-release", ("post-release.yml", "post-release.yaml")),
    "publish": (
        "compute-version",
        ("compute-version.yml", "compute-version.yaml", "pypi.yml", "publish.yml"),
    ),
}
#: kind -> (our reusable workflow that also does it, the ``with:`` it needs, or '')
ALSO_DONE_BY: dict[str, tuple[str, str]] = {
    "publish": ("release", ""),
    "post-release": ("release", "post-release: true"),
}
_USES_RE = re.compile(r"""^\s*(?:-\s+)?uses:\s*(['"]?)(?P<uses>[^'"\s#]+)\1""", re.M)
_POST_RELEASE_ON_RE = re.compile(
    r"""^\s+post-release:\s*(['"]?)true\1\s*(?:#.*)?$""", re.M | re.IGNORECASE
)
#: Marks a ``uses:`` whose ``with:`` turns on post-release (see :func:`_scan_uses`).
_WITH_POST_RELEASE = " with post-release: true"


def _scan_uses(name: str, text: str) -> list[tuple[str, str]]:
    """(file, uses) pairs; a call followed by ``post-release: true`` (before the next
    ``uses:``) is marked with :data:`_WITH_POST_RELEASE`."""
    found = [(name, "")]
    matches = list(_USES_RE.finditer(text))
    for i, match in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        on = _POST_RELEASE_ON_RE.search(text, match.end(), end)
        found.append((name, match["uses"] + (_WITH_POST_RELEASE if on else "")))
    return found


def _workflow_uses(repo: Path) -> list[tuple[str, str]]:
    """(workflow file, uses value) for every ``uses:`` in the checkout's ``.github/workflows``.

    Each file also yields ``(file, "")``, so that files are known by name.
    """
    folder = repo / ".github" / "workflows"
    found: list[tuple[str, str]] = []
    if not folder.is_dir():
        return found
    for path in sorted(folder.iterdir()):
        if path.suffix in (".yml", ".yaml") and path.is_file():
            found += _scan_uses(path.name, path.read_text(encoding="utf-8", errors="replace"))
    return found


def _workflow_uses_at(repo: Path, ref: str) -> list[tuple[str, str]]:
    """Like :func:`_workflow_uses`, for the tree of ``ref``."""
    out = git.run(repo, "ls-tree", "--name-only", f"{ref}:.github/workflows", check=False)
    found: list[tuple[str, str]] = []
    for name in sorted(git.lines(out)):
        if name.endswith((".yml", ".yaml")):
            text = git.run(repo, "show", f"{ref}:.github/workflows/{name}", check=False)
            found += _scan_uses(name, text)
    return found


def _default_branch_ref(repo: Path, branch: str) -> str:
    """A local ref for the default ``branch`` (local or remote-tracking), or ''."""
    for ref in (f"refs/heads/{branch}", f"refs/remotes/origin/{branch}"):
        code, _, _ = git.try_run(repo, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
        if code == 0:
            return ref
    return ""


def _does(uses: str, kind: str) -> bool:
    """Does the call ``uses`` do ``kind``: our action for it, or a reusable workflow that
    also does it (with the ``with:`` that turns it on)?"""
    action = REQUIRED_WORKFLOWS[kind][0]
    if _calls(uses.removesuffix(_WITH_POST_RELEASE), action):
        return True
    if kind not in ALSO_DONE_BY:
        return False
    workflow, needs = ALSO_DONE_BY[kind]
    return _calls(uses.removesuffix(_WITH_POST_RELEASE), workflow) and (
        not needs or uses.endswith(_WITH_POST_RELEASE)
    )


def _calls(uses: str, action: str) -> bool:
    """Does ``uses`` call our action or reusable workflow ``action`` (remote or a local copy)?"""
    target = uses.split("@", 1)[0].rstrip("/")
    if not (target.startswith(OWN_REPOSITORY) or target.startswith("./")):
        return False
    last = target.rsplit("/", 1)[-1]
    return last in (action, f"{action}.yml", f"{action}.yaml")


def check_workflows(ctx: Context) -> Check:
    name = "workflows"
    default = ctx.config.default_branch
    source = ""
    if ctx.branch == default:
        uses = _workflow_uses(ctx.repo)
    else:  # workflows run from the default branch: read them there
        ref = _default_branch_ref(ctx.repo, default)
        if not ref:
            return Check(
                name,
                OK,
                f"not checked: the workflows that run are {default}'s, and {default} is not in"
                " this checkout (the doctor checks them when run on it)",
            )
        uses = _workflow_uses_at(ctx.repo, ref)
        source = f" (read from {ref.removeprefix('refs/')})"
    found: dict[str, str] = {}
    for kind, (_, file_names) in REQUIRED_WORKFLOWS.items():
        for file_name, value in uses:
            if value and _does(value, kind):
                found[kind] = f"{file_name} uses {value}"
                break
        else:
            for file_name, _ in uses:
                if file_name in file_names:
                    found[kind] = file_name
                    break
    missing = [kind for kind in REQUIRED_WORKFLOWS if kind not in found]
    if missing:
        calls = ", ".join(
            f"{OWN_REPOSITORY}.github/workflows/{REQUIRED_WORKFLOWS[k][0]}.yml" for k in missing
        )
        return Check(
            name,
            WARN,
            f"no workflow in .github/workflows{source} for " + ", ".join(missing),
            f"add workflows calling {calls} (see the release-actions README)",
        )
    listed = "; ".join(f"{kind}: {where}" for kind, where in found.items())
    return Check(name, OK, listed + source)
