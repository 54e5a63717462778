"""Install test: the built wheels in a fresh virtual environment, before anything is uploaded.

:func:`smoke_install` makes a new venv (``uv venv``), installs every wheel found
(by path, so it is this build's file that gets installed, not an index's copy),
with the folders as ``--find-links`` and an index for everything else, then
asks the venv's own ``importlib.metadata`` what got installed:

* every built distribution must report exactly the release version;
* every requirement of a built wheel on a *pinned* package (``pins`` of the
  configuration, e.g. Llama Stack's ``llama-stack-client``), in any extra, is installed too:
  so ``llama-stack==0.8.0`` with ``llama-stack-client==0.8.0; extra == "client"``
  proves that the client pin resolves, against this run's client wheel when the
  client was built too, else against the index;
* optionally, modules' ``__version__`` must be the release version too (a
  client whose ``_version.py`` was not stamped is rejected by the server).
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from email.parser import HeaderParser
from pathlib import Path

from packaging.markers import UndefinedEnvironmentName
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from release_actions.adapters.dists import Dist, find_dists, verify_dists
from release_actions.core.diagnostics import log_block
from release_actions.core.errors import ReleaseActionsError
from release_actions.steps.build import find_tool

__all__ = ["SmokeResult", "pinned_requirements", "smoke_install"]

_PROBE = """
import importlib, importlib.metadata as md, json, sys
names, modules = json.loads(sys.argv[1]), json.loads(sys.argv[2])
out = {"python": "%d.%d.%d" % sys.version_info[:3], "dists": {}, "modules": {}}
for name in names:
    try:
        out["dists"][name] = md.version(name)
    except md.PackageNotFoundError:
        out["dists"][name] = None
for module in modules:
    try:
        out["modules"][module] = str(getattr(importlib.import_module(module), "__version__", None))
    except Exception as exc:
        out["modules"][module] = "import failed: %s" % exc
print(json.dumps(out))
"""


_MARKERS_PROBE = """
import json, os, platform, sys
info = sys.implementation
iver = "%d.%d.%d" % info.version[:3]
if info.version.releaselevel != "final":
    iver += info.version.releaselevel[0] + str(info.version.serial)
print(json.dumps({
    "implementation_name": info.name,
    "implementation_version": iver,
    "os_name": os.name,
    "platform_machine": platform.machine(),
    "platform_release": platform.release(),
    "platform_system": platform.system(),
    "platform_version": platform.version(),
    "python_full_version": platform.python_version(),
    "platform_python_implementation": platform.python_implementation(),
    "python_version": ".".join(platform.python_version_tuple()[:2]),
    "sys_platform": sys.platform,
}))
"""


@dataclass
class SmokeResult:
    version: Version
    python: str
    installed: dict[str, str] = field(default_factory=dict)  # canonical name -> version
    pins: list[str] = field(default_factory=list)  # requirements on pinned packages
    modules: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return {
            "version": str(self.version),
            "python": self.python,
            "installed": " ".join(f"{k}=={v}" for k, v in sorted(self.installed.items())),
            "pins": " ".join(self.pins),
        }


def _wheel_requires(dist: Dist) -> tuple[list[str], list[str]]:
    """(Requires-Dist, Provides-Extra) of a wheel."""
    with zipfile.ZipFile(dist.path) as archive:
        name = next(
            n for n in archive.namelist() if n.count("/") == 1 and n.endswith(".dist-info/METADATA")
        )
        headers = HeaderParser().parsestr(archive.read(name).decode("utf-8"))
    return headers.get_all("Requires-Dist") or [], headers.get_all("Provides-Extra") or []


def _applies(req: Requirement, extras: Sequence[str], environment: Mapping[str, str]) -> bool:
    if req.marker is None:
        return True
    for extra in ["", *extras]:
        try:
            if req.marker.evaluate({**environment, "extra": extra}):
                return True
        except UndefinedEnvironmentName:
            continue
    return False


def pinned_requirements(
    wheels: Sequence[Dist], pins: Sequence[str], environment: Mapping[str, str] | None = None
) -> list[str]:
    """The built wheels' requirements on ``pins`` (any extra), markers dropped, sorted.

    ``environment``: marker variables of the target Python (default: this one's).
    """
    wanted = {canonicalize_name(p) for p in pins}
    found = set()
    for dist in wheels:
        requires, extras = _wheel_requires(dist)
        for text in requires:
            try:
                req = Requirement(text)
            except InvalidRequirement as exc:
                raise ReleaseActionsError(
                    f"{dist.filename} has an invalid requirement {text!r}: {exc}.",
                    fix="fix the dependency in pyproject.toml",
                    title="Invalid requirement",
                ) from exc
            if canonicalize_name(req.name) not in wanted:
                continue
            if not _applies(req, extras, environment or {}):
                continue
            req.marker = None
            found.add(str(req))
    return sorted(found)


def _run(argv: Sequence[str], env: Mapping[str, str], what: str) -> str:
    proc = subprocess.run(list(argv), capture_output=True, text=True, env=dict(env), check=False)
    output = (proc.stdout + proc.stderr).strip()
    log_block(" ".join([Path(argv[0]).name, *argv[1:]]), output)
    if proc.returncode != 0:
        tail = "\n".join(output.splitlines()[-15:])
        raise ReleaseActionsError(
            f"{what} failed:\n{tail}",
            fix=(
                "the packages cannot be installed together: check the pins on the clients (a"
                " client built in this run must satisfy the stack's pin) and the index URL"
            ),
            title="Install test failed",
        )
    return proc.stdout


def smoke_install(
    folders: Sequence[Path],
    version: Version,
    *,
    index_url: str = "",
    extra_index_urls: Sequence[str] = (),
    pins: Sequence[str] = (),
    modules: Sequence[str] = (),
    python: str = "",
    uv: str = "",
    env: Mapping[str, str] | None = None,
) -> SmokeResult:
    """Install the wheels of ``folders`` in a fresh venv and check what got installed."""
    env = dict(os.environ if env is None else env)
    env.pop("VIRTUAL_ENV", None)
    env["UV_NO_PROGRESS"] = "1"
    uv_exe = find_tool("uv", uv, env)
    wheels = [d for d in verify_dists(find_dists(folders), version) if d.kind == "wheel"]
    if not wheels:
        raise ReleaseActionsError(
            f"no wheels in {', '.join(map(str, folders))}.",
            fix="build wheels before the install test",
            title="Nothing to install",
        )
    with tempfile.TemporaryDirectory(prefix="ra-smoke-") as tmp:
        venv = Path(tmp) / "venv"
        argv = [uv_exe, "venv", "--no-config", "--quiet", str(venv)]
        if python:
            argv += ["--python", python]
        _run(argv, env, "creating the virtual environment")
        venv_python = str(venv / "bin" / "python")
        markers = _run([venv_python, "-c", _MARKERS_PROBE], env, "reading the venv's markers")
        environment = json.loads(markers.strip().splitlines()[-1])
        pinned = pinned_requirements(wheels, pins, environment)
        argv = [uv_exe, "pip", "install", "--no-config", "--python", venv_python]
        for folder in folders:
            argv += ["--find-links", str(folder if folder.is_dir() else folder.parent)]
        if index_url:
            argv += ["--index-url", index_url]
        for url in extra_index_urls:
            argv += ["--extra-index-url", url]
        argv += [str(d.path) for d in wheels] + pinned
        _run(argv, env, "uv pip install of the built wheels")
        _run([uv_exe, "pip", "check", "--python", venv_python], env, "uv pip check")
        names = sorted({d.project for d in wheels} | {Requirement(p).name for p in pinned})
        out = _run(
            [venv_python, "-c", _PROBE, json.dumps(names), json.dumps(list(modules))],
            env,
            "reading the installed versions",
        )
    report = json.loads(out.strip().splitlines()[-1])
    result = SmokeResult(version, str(report["python"]), pins=pinned)
    problems = []
    built = {d.project for d in wheels}
    for name, found in report["dists"].items():
        result.installed[canonicalize_name(name)] = str(found)
        if found is None:
            problems.append(f"{name} is not installed")
        elif canonicalize_name(name) in built and found != str(version):
            problems.append(f"{name} reports {found}, expected {version}")
    for pin in pinned:
        req = Requirement(pin)
        found = report["dists"].get(req.name)
        if found is not None and not req.specifier.contains(found, prereleases=True):
            problems.append(f"{found} of {req.name} does not satisfy {pin}")
    for module, found in report["modules"].items():
        result.modules[module] = str(found)
        if found != str(version):
            problems.append(f"{module}.__version__ is {found}, expected {version}")
    if problems:
        raise ReleaseActionsError(
            "the install test found: " + "; ".join(problems) + ".",
            fix="fix the version stamping or the pins; nothing was published",
            title="Install test failed",
        )
    return result
