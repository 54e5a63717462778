"""The one list of remote actions our workflows may use, and their act stubs.

Every ``uses: owner/name@ref`` of a remote action in ``.github/workflows/*.yml``,
``actions/*/action.yml`` and the example consumer workflows must appear here
with exactly the same ``ref`` (a full commit SHA, with the release it is in as
the ``# vX.Y.Z`` comment); ``tests/test_workflow_lint.py`` checks that. The act
runner (``release_actions.rehearsal.act.runner``) maps each pin to its offline
stand-in with ``--local-repository owner/name@sha=<this folder>/stubs/owner/name``.

Each pin also records the release's runtime (``runs.using`` of its
``action.yml``): only ``node24`` and ``composite`` are allowed, never ``node20``
(``tests/test_workflow_lint.py`` checks that too, and that every
``owner/name@<sha>`` written anywhere in the workflows, actions, READMEs and
examples is one of the pins here, with its version).

Pinning a new version: change ``sha``, ``version`` and ``runtime`` here and in
the workflows, update the stub where the release changed the action's inputs or
behaviour, and run the act suite (the policy is in SECURITY.md, "Third-party
actions"). The SHAs were taken from the release tags of the upstream
repositories (see stubs/README.md next to this module).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

STUBS_DIR = Path(__file__).resolve().parent / "stubs"

#: The runtimes a pinned release may declare. node20 is gone from GitHub's runners.
RUNTIMES = ("node24", "composite")

#: Our own actions and reusable workflows: a moving major tag, mapped to an
#: export of the working tree (not a stub).
OWN_REPOSITORY = "llama-stack/release-actions"
OWN_REF = "v1"


@dataclass(frozen=True)
class Pin:
    action: str  # owner/name
    sha: str  # full 40-hex commit SHA
    version: str  # the release the SHA is tagged as, for the "# vX.Y.Z" comment
    runtime: str  # runs.using of the release's action.yml: one of RUNTIMES

    @property
    def ref(self) -> str:
        """``owner/name@sha``, exactly as act's --local-repository wants it."""
        return f"{self.action}@{self.sha}"

    @property
    def stub_dir(self) -> Path:
        return STUBS_DIR / self.action


PINS: tuple[Pin, ...] = (
    Pin("actions/checkout", "3d3c42e5aac5ba805825da76410c181273ba90b1", "v7.0.1", "node24"),
    Pin("actions/setup-python", "5fda3b95a4ea91299a34e894583c3862153e4b97", "v7.0.0", "node24"),
    Pin("astral-sh/setup-uv", "20cfd1bf945f4377ade1205e4dbc17946fc9a30d", "v10.0.1", "node24"),
    Pin("actions/setup-node", "820762786026740c76f36085b0efc47a31fe5020", "v7.0.0", "node24"),
    # v1.13.0, not v1.14.x: see the "Third-party actions" section of SECURITY.md.
    # Composite: it runs the Docker image ghcr.io/pypa/gh-action-pypi-publish:<sha>.
    Pin(
        "pypa/gh-action-pypi-publish",
        "ed0c53931b1dc9bd32cbe73a98c7f6766f8a527e",
        "v1.13.0",
        "composite",
    ),
    Pin("actions/upload-artifact", "bbbca2ddaa5d8feaa63e36b76fdaad77386f024f", "v7.0.0", "node24"),
    Pin(
        "actions/download-artifact", "3e5f45b2cfb9172054b4087a40e8e0b5a5461e7c", "v8.0.1", "node24"
    ),
)

#: Actions that appear only in documentation (a README snippet), never in a
#: workflow or action of ours, so they have no stub. They are held to the same
#: rules: same SHA and version everywhere, and a node24 or composite release.
DOC_PINS: tuple[Pin, ...] = (
    # README "Tokens". v3.1.1, the newest release whose SHA was checked in the
    # stored upstream repository (2026-12-03): package.json at 1b10c78c reads
    # "version": "3.1.1" (engines: node >=24.4.0), with the semantic-release setup
    # whose release commit, "build(release): X.Y.Z [skip ci]", writes the version
    # and is the commit the tag names. runs.using: a release commit leaves
    # action.yml alone, so it is not stored at 1b10c78c; the upstream action.yml
    # reads "node24" from 2e564a0 (#275, "node 24 support") on, which v3.0.0's
    # release notes list and the maintainers' comment on upstream #339 confirms
    # ("Node.js 24 support is now available in v3.0.0"); nothing in the upstream
    # CHANGELOG since moves back to node20. client-id arrived in v3.1.0 (app-id
    # deprecated). Not v3.2.0: its tag SHA is known only from third-party texts.
    Pin(
        "actions/create-github-app-token",
        "1b10c78c7865c340bc4f6099eb2f838309f1e8c3",
        "v3.1.1",
        "node24",
    ),
)

PINS_BY_ACTION: dict[str, Pin] = {pin.action: pin for pin in PINS}
