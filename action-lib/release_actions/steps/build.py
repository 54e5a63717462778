"""Build the packages of a release with the version forced, and prove it took.

Python projects are built with ``uv build`` (an sdist, and a wheel built from
it), one project at a time, with the version forced for that distribution only
through setuptools-scm's ``SETUPTOOLS_SCM_PRETEND_VERSION_FOR_<NAME>`` (the name
normalised as setuptools-scm does it: ``llama-stack`` -> ``LLAMA_STACK``). The
generic ``SETUPTOOLS_SCM_PRETEND_VERSION`` is removed from the build
environment, so it cannot leak into a project it was not meant for.
``SOURCE_DATE_EPOCH`` defaults to the commit time of ``HEAD``, which makes
wheels reproducible (a re-built wheel has the same sha256).

npm packages are packed with ``npm pack``. Every file built is then read back
(:func:`release_actions.adapters.dists.verify_dists`): a wheel, sdist or tarball that
does not carry exactly the release's version fails the build, before anything
can be uploaded.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from packaging.version import Version

from release_actions.adapters import git
from release_actions.adapters.dists import Dist, is_dist, verify_dists
from release_actions.adapters.manifests import read_json, read_pyproject
from release_actions.adapters.repo_files import check_inside
from release_actions.core.diagnostics import log_block
from release_actions.core.errors import ReleaseActionsError
from release_actions.core.scm_pretend import PRETEND, pretend_variable
from release_actions.steps.managed_files import find_managed_pyprojects

__all__ = [
    "BuildResult",
    "build",
    "default_projects",
    "find_tool",
    "pack_npm",
    "prepare_out_dir",
    "project_name",
]


def find_tool(name: str, override: str = "", env: Mapping[str, str] | None = None) -> str:
    """``override`` (a path or a name on PATH), else ``name`` on PATH (``env``'s PATH, else
    this process's); an error names the fix."""
    wanted = override or name
    path = (env or os.environ).get("PATH")
    found = (
        wanted if os.sep in wanted and Path(wanted).is_file() else shutil.which(wanted, path=path)
    )
    if not found:
        setup = {"uv": "astral-sh/setup-uv", "npm": "actions/setup-node"}.get(name, name)
        raise ReleaseActionsError(
            f"{wanted!r} was not found on PATH.",
            fix=f"install {name} before this step ({setup})",
            title=f"{name} not found",
        )
    return found


def prepare_out_dir(out_dir: Path, *, fix: str) -> None:
    """Create ``out_dir``; an error (with ``fix``) when it already holds a distribution."""
    if out_dir.exists() and not out_dir.is_dir():
        raise ReleaseActionsError(
            f"the output folder {out_dir} is an existing file, not a folder.",
            fix="pass --out a new or empty folder (e.g. dist/), not a file",
            title="Output folder is a file",
        )
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ReleaseActionsError(
            f"cannot create the output folder {out_dir}: {exc.strerror or exc}.",
            fix="pass --out a folder that can be created (its parents must be folders)",
            title="Output folder not writable",
        ) from None
    stale = [p.name for p in out_dir.iterdir() if is_dist(p)]
    if stale:
        raise ReleaseActionsError(
            f"{out_dir} already holds distributions: {', '.join(sorted(stale))}.",
            fix=fix,
            title="Output folder not empty",
        )


def project_name(pyproject: Path, repo: Path | None = None) -> str:
    """``[project].name`` of a pyproject.toml; an error when there is none.

    With ``repo``, the file must resolve inside it.
    """
    rel = ""
    if repo is not None:
        rel = os.path.relpath(pyproject, repo).replace(os.sep, "/")
    data = read_pyproject(pyproject, repo, rel)
    project = data.get("project")
    name = project.get("name") if isinstance(project, dict) else None
    if not isinstance(name, str) or not name.strip():
        raise ReleaseActionsError(
            f"{pyproject} has no [project] name.",
            fix="build only projects with a PEP 621 [project] table",
            title="No project name",
        )
    return name.strip()


def default_projects(repo: Path, configured: Sequence[str] = ()) -> list[Path]:
    """The project folders of every managed pyproject (``[tool.setuptools_scm]``), root first."""
    return [path.parent for path in find_managed_pyprojects(repo, configured)]


@dataclass(frozen=True)
class BuildResult:
    version: Version
    out_dir: Path
    dists: list[Dist]

    def as_dict(self) -> dict[str, object]:
        names = sorted({d.as_requirement() for d in self.dists if d.kind != "npm"})
        npm = sorted({d.spec for d in self.dists if d.kind == "npm"})
        return {
            "version": str(self.version),
            "out_dir": str(self.out_dir),
            "count": len(self.dists),
            "files": " ".join(d.filename for d in self.dists),
            "requirements": " ".join(names),
            "npm_packages": " ".join(npm),
        }


def _tail(text: str, lines: int = 15) -> str:
    kept = [line for line in text.strip().splitlines() if line.strip()]
    return "\n".join(kept[-lines:])


def _source_date_epoch(repo: Path) -> str:
    code, out, _ = git.try_run(repo, "log", "-1", "--format=%ct", "HEAD")
    return out.strip() if code == 0 and out.strip().isdigit() else ""


def build_env(
    base: Mapping[str, str], dist_name: str, version: Version, source_date_epoch: str
) -> dict[str, str]:
    """The environment of one project's build: only its own pretend version."""
    env = {k: v for k, v in base.items() if not k.startswith(PRETEND)}
    env[pretend_variable(dist_name)] = str(version)
    if source_date_epoch and not env.get("SOURCE_DATE_EPOCH"):
        env["SOURCE_DATE_EPOCH"] = source_date_epoch
    return env


def _run(argv: Sequence[str], *, cwd: Path, env: Mapping[str, str], what: str) -> str:
    proc = subprocess.run(
        list(argv),
        cwd=cwd,
        env=dict(env),
        capture_output=True,
        text=True,
        check=False,
    )
    output = (proc.stdout + proc.stderr).strip()
    log_block(" ".join([Path(argv[0]).name, *argv[1:]]), output)
    if proc.returncode != 0:
        raise ReleaseActionsError(
            f"{what} failed (exit code {proc.returncode}):\n{_tail(output)}",
            fix="fix the build error shown above; nothing was published",
            title="Build failed",
        )
    return output


def _new_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if is_dist(p))


def _build_python(
    project: Path,
    version: Version,
    dest: Path,
    *,
    uv: str,
    env: Mapping[str, str],
    source_date_epoch: str,
) -> list[Path]:
    pyproject = project / "pyproject.toml"
    if not pyproject.is_file():
        raise ReleaseActionsError(
            f"{project} has no pyproject.toml.",
            fix="pass the folder of a Python project (or its pyproject.toml)",
            title="Not a Python project",
        )
    name = project_name(pyproject)
    # An sdist, then the wheel from the sdist: a wheel that cannot be built from the
    # published sdist fails here. --no-sources: build as a user would, from the index.
    argv = [uv, "build", "--no-sources", "--out-dir", str(dest), "."]
    _run(
        argv,
        cwd=project,
        env=build_env(env, name, version, source_date_epoch),
        what=f"uv build of {name} ({project})",
    )
    files = _new_files(dest)
    kinds = sorted("wheel" if p.name.endswith(".whl") else "sdist" for p in files)
    if kinds.count("sdist") != 1 or "wheel" not in kinds:
        raise ReleaseActionsError(
            f"uv build of {name} wrote {', '.join(p.name for p in files) or 'nothing'};"
            " expected one sdist and at least one wheel.",
            fix="check the project's build configuration",
            title="Build failed",
        )
    return files


def pack_npm(package: Path, dest: Path, *, npm: str, env: Mapping[str, str]) -> list[Path]:
    if not (package / "package.json").is_file():
        raise ReleaseActionsError(
            f"{package} has no package.json.",
            fix="pass the folder of an npm package",
            title="Not an npm package",
        )
    _run(
        [npm, "pack", "--pack-destination", str(dest), "."],
        cwd=package,
        env=env,
        what=f"npm pack of {package}",
    )
    files = [p for p in _new_files(dest) if p.name.endswith(".tgz")]
    if len(files) != 1:
        raise ReleaseActionsError(
            f"npm pack of {package} wrote {len(files)} tarballs.",
            fix="check the package's prepack/prepare scripts",
            title="Build failed",
        )
    return files


def build(
    repo: Path,
    version: Version,
    out_dir: Path,
    *,
    projects: Sequence[Path] = (),
    npm_packages: Sequence[Path] = (),
    uv: str = "",
    npm: str = "",
    env: Mapping[str, str] | None = None,
    configured: Sequence[str] = (),
) -> BuildResult:
    """Build ``projects`` (default: :func:`default_projects`, or the ``configured``
    pyprojects of ``[tool.release-actions]``) and pack ``npm_packages``.

    Paths are relative to ``repo``. ``out_dir`` must not hold distributions
    already (a stale file would be uploaded with the new ones). Raises
    :class:`ReleaseActionsError` when a build fails or a file carries another
    version; nothing is left in ``out_dir`` then.
    """
    env = dict(os.environ if env is None else env)
    project_dirs = [repo / p for p in projects] if projects else []
    if not projects and not npm_packages:
        project_dirs = default_projects(repo, configured)
        if not project_dirs:
            raise ReleaseActionsError(
                f"no pyproject.toml with [tool.setuptools_scm] in {repo}.",
                fix="pass --package PATH for each project to build",
                title="Nothing to build",
            )
    project_dirs = [p.parent if p.name == "pyproject.toml" else p for p in project_dirs]
    for folder in [*project_dirs, *(repo / p for p in npm_packages)]:
        check_inside(repo, folder)
    for project in project_dirs:  # every manifest is read before the first file is written
        pyproject = project / "pyproject.toml"
        if pyproject.is_file() or pyproject.is_symlink():
            project_name(pyproject, repo)
    for package in npm_packages:
        manifest = repo / package / "package.json"
        if manifest.is_file() or manifest.is_symlink():
            read_json(repo, manifest, os.path.relpath(manifest, repo).replace(os.sep, "/"))
    prepare_out_dir(
        out_dir,
        fix="build into an empty folder, so that no stale file is published with the release",
    )
    uv_exe = find_tool("uv", uv, env) if project_dirs else ""
    npm_exe = find_tool("npm", npm, env) if npm_packages else ""
    epoch = _source_date_epoch(repo)
    built: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="ra-build-") as tmp:
        for index, project in enumerate(project_dirs):
            dest = Path(tmp) / f"py{index}"
            dest.mkdir()
            built += _build_python(
                project.resolve(), version, dest, uv=uv_exe, env=env, source_date_epoch=epoch
            )
        for index, package in enumerate(npm_packages):
            dest = Path(tmp) / f"npm{index}"
            dest.mkdir()
            built += pack_npm((repo / package).resolve(), dest, npm=npm_exe, env=env)
        names = [p.name for p in built]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ReleaseActionsError(
                f"two builds wrote the same file name: {', '.join(duplicates)}.",
                fix="each project must have its own distribution name",
                title="Build failed",
            )
        dists = verify_dists(built, version)
        moved = []
        for dist in dists:
            target = out_dir / dist.filename
            shutil.move(str(dist.path), target)
            moved.append(dataclasses.replace(dist, path=target))
    return BuildResult(version, out_dir, moved)
