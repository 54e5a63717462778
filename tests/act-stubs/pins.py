"""The one list of remote actions our workflows may use, and their act stubs.

Every ``uses: owner/name@ref`` of a remote action in ``.github/workflows/*.yml``,
``actions/*/action.yml`` and the example consumer workflows must appear here
with exactly the same ``ref`` (a full commit SHA, with the release it is in as
the ``# vX.Y.Z`` comment); ``tests/test_workflow_lint.py`` checks that. The act
harness (``tests/testbed/act.py``) maps each pin to its stub directory with
``--local-repository owner/name@sha=tests/act-stubs/owner/name``.

Pinning a new version: change ``sha`` and ``version`` here and in the workflows.
The SHAs were taken from the release tags of the upstream repositories (see
tests/act-stubs/README.md). This file is loaded by path (the folder name has a
hyphen), so it must stay free of imports from the test suite.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

STUBS_DIR = Path(__file__).resolve().parent

#: Our own actions and reusable workflows: a moving major tag, mapped to an
#: export of the working tree (not a stub).
OWN_REPOSITORY = "llama-stack/release-actions"
OWN_REF = "v1"


@dataclass(frozen=True)
class Pin:
    action: str  # owner/name
    sha: str  # full 40-hex commit SHA
    version: str  # the release the SHA is tagged as, for the "# vX.Y.Z" comment

    @property
    def ref(self) -> str:
        """``owner/name@sha``, exactly as act's --local-repository wants it."""
        return f"{self.action}@{self.sha}"

    @property
    def stub_dir(self) -> Path:
        return STUBS_DIR / self.action


PINS: tuple[Pin, ...] = (
    Pin("actions/checkout", "11bd71901bbe5b1630ceea73d27597364c9af683", "v4.2.2"),
    Pin("actions/setup-python", "a26af69be951a213d495a4c3e4e4022e16d87065", "v5.6.0"),
    Pin("astral-sh/setup-uv", "e92bafb6253dcd438e0484186d7669ea7a8ca1cc", "v6.4.3"),
    Pin("actions/setup-node", "49933ea5288caeca8642d1e84afbd3f7d6820020", "v4.4.0"),
    Pin("pypa/gh-action-pypi-publish", "76f52bc884231f62b9a034ebfe128415bbaabdfc", "v1.12.4"),
    Pin("actions/upload-artifact", "ea165f8d65b6e75b540449e92b4886f43607fa02", "v4.6.2"),
    Pin("actions/download-artifact", "d3f86a106a0bac45b974a628896c90dbdf5c8093", "v4.3.0"),
)

PINS_BY_ACTION: dict[str, Pin] = {pin.action: pin for pin in PINS}
