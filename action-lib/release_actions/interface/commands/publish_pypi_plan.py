"""``release-actions publish-pypi-plan``: what to upload, file by file, and nothing twice."""

from __future__ import annotations

import tempfile
from pathlib import Path

from release_actions.adapters.dists import PYTHON_SUFFIXES, find_dists
from release_actions.core.versions import parse_artifact_version
from release_actions.interface.commands.common import require
from release_actions.interface.output import Console, markdown_table
from release_actions.interface.spec import JSON, Opt, Options, url_input
from release_actions.steps.publish.pypi import plan_pypi_upload

UPLOAD_ROOT = ".release-actions-upload"


def new_upload_dir() -> Path:
    """A fresh, relative folder under ./.release-actions-upload (one per plan in a job)."""
    Path(UPLOAD_ROOT).mkdir(exist_ok=True)
    return Path(tempfile.mkdtemp(prefix="upload-", dir=UPLOAD_ROOT))


OPTIONS = (
    Opt(
        "--index-url",
        "RA_INDEX_URL",
        check=url_input,
        help="simple index of the target, e.g. https://pypi.org/simple/",
    ),
    Opt(
        "paths",
        "RA_PATHS",
        kind="list",
        metavar="DIR",
        input="packages-dir",
        help="folders of built wheels and sdists (or the files)",
    ),
    Opt(
        "--out",
        "RA_OUT_DIR",
        input="",
        help="empty folder that receives the files to upload (default: a new folder under"
        f" ./{UPLOAD_ROOT}/, inside the workspace where the pypa publish action can see it)",
    ),
    Opt("--version", "RA_VERSION", help="the version every file must carry (checked first)"),
    Opt(
        "--skip-existing",
        "RA_SKIP_EXISTING",
        kind="flag",
        help="skip (with a warning) files the index has under the same name with other contents",
    ),
    JSON,
)


def run(options: Options, out: Console) -> int:
    require(
        bool(options.index_url),
        "no index URL given: the plan compares the files with the target index.",
        "pass --index-url, e.g. https://pypi.org/simple/ or https://test.pypi.org/simple/",
    )
    require(
        bool(options.paths),
        "no folders given: publish-pypi-plan needs the built distributions.",
        "pass one or more folders of wheels and sdists",
    )
    version = parse_artifact_version(options.version) if options.version else None
    plan = plan_pypi_upload(
        options.index_url,
        find_dists((Path(p) for p in options.paths), kinds=PYTHON_SUFFIXES),
        Path(options.out) if options.out else new_upload_dir(),
        version=version,
        skip_existing=options.skip_existing,
    )
    out.result(plan.as_dict())
    uploads = plan.as_dict()["upload_count"]
    out.summary(
        f"### PyPI upload plan for {options.index_url}\n\n{uploads} file(s) to upload.\n\n"
        + markdown_table(plan.rows(), ("file", "decision"))
    )
    return 0
