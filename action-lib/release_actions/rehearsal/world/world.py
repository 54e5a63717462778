"""One rehearsal's world: every stand-in a release touches, on 127.0.0.1, in one folder.

:class:`World` is what the engine assembles (``running_world``) and what the report
and the pre-fill read: the servers are running while a ``World`` is in use, and
stop, with the folder removed unless kept, when its block ends.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .github_api.server import GitHubAPIServer
from .npm_registry import NpmRegistry
from .origin import Origin
from .pypi_index import PypiIndex


@dataclass
class World:
    """The stand-ins of one rehearsal.

    ``origin.bare`` is origin (a bare copy of the repository's branches and tags,
    with its protection hooks); ``origin.work`` is the clone act runs in. ``pypi``
    and ``testpypi`` stand in for PyPI and TestPyPI, ``npm`` for npmjs, ``github``
    for api.github.com (over ``origin.bare``). ``repository`` is ``OWNER/NAME`` as
    ``GITHUB_REPOSITORY`` gives it.
    """

    root: Path
    origin: Origin
    pypi: PypiIndex
    testpypi: PypiIndex
    npm: NpmRegistry
    github: GitHubAPIServer
    repository: str
    default_branch: str
