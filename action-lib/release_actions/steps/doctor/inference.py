"""The scm-inference check: the version setuptools-scm would infer on the default branch.

Our actions build with ``SETUPTOOLS_SCM_PRETEND_VERSION`` set to nightly-version's
(or compute-version's) answer. Once setuptools-scm's own inference on the default
branch agrees with nightly-version's base (a dev tag is the nearest tag, e.g.
``v0.7.2-dev`` gives ``0.7.2.devN``), a project may let setuptools-scm infer
nightlies natively and drop the pretend version there. This check shows both,
side by side; it informs and never fails.

The inference is setuptools-scm's own when it is importable here (nothing is
installed for it), else an emulation of its defaults: ``git describe --tags --long
--match *[0-9]*``, the default tag regex, and the ``guess-next-dev`` scheme.
"""

from __future__ import annotations

import importlib.util
import os
import re
from collections.abc import Mapping
from pathlib import Path

from packaging.version import InvalidVersion

from release_actions.adapters import git
from release_actions.core.versions import Version
from release_actions.steps.doctor.context import Context, current_branch
from release_actions.steps.doctor.report import OK, Check
from release_actions.steps.nightly import nightly_version

__all__ = ["check_scm_inference", "emulated_inference", "guess_next_dev"]

#: setuptools-scm's default ``tag_regex``.
TAG_REGEX = re.compile(r"^(?:[\w-]+-)?(?P<version>[vV]?\d+(?:\.\d+){0,2}[^\+]*)(?:\+.*)?$")
_DESCRIBE_RE = re.compile(r"^(?P<tag>.+)-(?P<distance>\d+)-g[0-9a-f]+$")
PRETEND = "SETUPTOOLS_SCM_PRETEND_VERSION"


def guess_next_dev(tag_version: Version, distance: int) -> str:
    """setuptools-scm's ``guess-next-dev`` scheme for a tag and the commits since it.

    >>> guess_next_dev(Version("0.7.2.dev0"), 5), guess_next_dev(Version("0.7.1"), 3)
    ('0.7.2.dev5', '0.7.2.dev3')
    >>> guess_next_dev(Version("0.8.0rc1"), 2), guess_next_dev(Version("0.7.1"), 0)
    ('0.8.0rc2.dev2', '0.7.1')
    """
    if distance == 0:
        return str(tag_version)
    text = str(tag_version).split("+", 1)[0]
    if ".dev" in text:
        guessed = text.rsplit(".dev", 1)[0]
    else:
        match = re.match(r"(.*?)(\d+)$", text)
        guessed = f"{match[1]}{int(match[2]) + 1}" if match else text
    return f"{guessed}.dev{distance}"


def emulated_inference(repo: Path) -> tuple[str, str]:
    """(version, how) for HEAD by setuptools-scm's defaults, without setuptools-scm."""
    code, out, _ = git.try_run(repo, "describe", "--tags", "--long", "--match", "*[0-9]*", "HEAD")
    match = _DESCRIBE_RE.match(out.strip()) if code == 0 else None
    if match is None:  # no tag: setuptools-scm counts from 0.0
        count = int(git.run(repo, "rev-list", "--count", "HEAD") or "0")
        return guess_next_dev(Version("0.0"), count), "no tag reachable"
    tag, distance = match["tag"], int(match["distance"])
    parsed = TAG_REGEX.match(tag)
    try:
        version = Version(parsed["version"]) if parsed else None
    except InvalidVersion:
        version = None
    if version is None:
        return "?", f"the nearest tag {tag} is not a version setuptools-scm reads"
    return guess_next_dev(version, distance), f"nearest tag {tag}, {distance} commit(s) since"


def _setuptools_scm(repo: Path, env: Mapping[str, str]) -> tuple[str, str] | None:
    """(version, how) from setuptools-scm itself, when it is importable and no pretend
    version is set; None otherwise (or when it fails)."""
    if any(key.startswith(PRETEND) for key in env):
        return None
    if importlib.util.find_spec("setuptools_scm") is None:
        return None
    import warnings

    try:
        import setuptools_scm

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            version = setuptools_scm.get_version(
                root=str(repo), version_scheme="guess-next-dev", local_scheme="no-local-version"
            )
    except Exception:  # any failure of the optional library: emulate instead
        return None
    from importlib.metadata import version as dist_version

    return str(version), f"setuptools-scm {dist_version('setuptools-scm')}"


def check_scm_inference(ctx: Context, env: Mapping[str, str] | None = None) -> Check:
    name = "scm-inference"
    default = ctx.config.default_branch
    env = os.environ if env is None else env
    head = current_branch(ctx.repo, env)
    if ctx.branch != default or head != default:
        shown = head or "a detached HEAD"
        return Check(name, OK, f"not checked on {shown}: run the doctor checked out on {default}")
    found = _setuptools_scm(ctx.repo, env)
    if found is not None:
        inferred, how = found
    else:
        inferred, detail = emulated_inference(ctx.repo)
        how = f"emulated git describe + guess-next-dev: {detail}"
    root = next((f.data for f in ctx.pyprojects if f.rel == "pyproject.toml"), None)
    base = nightly_version(
        ctx.repo, default_branch=default, pyproject=root, fetch=False, env={}
    ).base
    try:
        agrees = Version(inferred).is_devrelease and Version(inferred).base_version == str(
            base.version
        )
    except InvalidVersion:
        agrees = False
    verdict = (
        f"they agree: nightlies on {default} could drop {PRETEND}"
        if agrees
        else f"they differ: keep {PRETEND} (our actions set it)"
    )
    return Check(
        name,
        OK,
        f"setuptools-scm infers {inferred} on {default} ({how}); nightly-version's base is"
        f" {base.version} ({base.source}); {verdict}",
    )
