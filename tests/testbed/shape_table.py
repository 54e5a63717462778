"""What issue 15 asks every command to produce on each shape of :mod:`tests.testbed.shapes`.

One row per shape (:class:`Shape`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .origin import Origin
from .shapes import (
    DATE,
    build_astropyish,
    build_llama,
    build_prefixed,
    build_pytestish,
    build_tinylib,
    build_twin,
)


@dataclass(frozen=True)
class Shape:
    """A shape and what each command should produce on it: issue 15's target behaviour.

    The release under test is ``patch`` of the line
    on ``release_branch``; its tag ``patch_tag`` is created on origin where a step needs it.
    """

    name: str
    build: Callable[[Path], Origin]
    default_branch: str
    patch: str
    patch_tag: str
    release_branch: str
    minor: str  # a minor prepare-release ...
    minor_branch: str  # ... and the branch it cuts (or reuses)
    nightly: str  # nightly-version on the default branch, date DATE
    publish_npm: bool
    dist_tag: str  # the npm dist-tag of the patch release ("" without npm)
    maintained: tuple[str, ...]  # maintained --count len(maintained)
    post_tags: frozenset[str]  # tags post-release adds on origin (dev tags)
    post_fallback: str | None  # fallback_version on the default branch after it (None: any)
    post_code: int = 0
    pyprojects: tuple[str, ...] = ("pyproject.toml",)
    pins: bool = False  # prepare-release pins llama-stack-client
    generic_plan: bool = True  # plan names no Llama Stack item
    npm_env: Mapping[str, str] = field(default_factory=dict)


NO_NPM_RETRIES = {"npm_config_fetch_retries": "0"}  # a closed registry fails at once

SHAPES: tuple[Shape, ...] = (
    Shape(
        "llama",
        build_llama,
        default_branch="main",
        patch="0.7.2",
        patch_tag="v0.7.2",
        release_branch="release-0.7.x",
        minor="0.8.0",
        minor_branch="release-0.8.x",  # exists since v0.8.0rc1
        nightly=f"0.8.0rc2.dev{DATE}",
        publish_npm=True,
        dist_tag="latest",
        maintained=("release-0.7.x", "release-0.6.x"),
        post_tags=frozenset(),  # main already develops 0.8.0: nothing moves back
        post_fallback="0.8.0.dev0",
        post_code=1,  # its npm step waits for llama-stack-client 0.7.2 on a closed registry
        pyprojects=("pyproject.toml", "src/llama_stack_api/pyproject.toml"),
        pins=True,
        generic_plan=False,
        npm_env=NO_NPM_RETRIES,
    ),
    Shape(
        "tinylib",
        build_tinylib,
        default_branch="master",
        patch="1.1.2",
        patch_tag="v1.1.2",
        release_branch="release-1.1.x",
        minor="1.2.0",
        minor_branch="release-1.2.x",
        nightly=f"1.1.2.dev{DATE}",
        publish_npm=False,
        dist_tag="",
        maintained=("release-1.1.x", "release-1.0.x"),  # 1.0 is released, its branch missing
        post_tags=frozenset({"v1.1.3-dev"}),
        post_fallback="1.1.3.dev0",
    ),
    Shape(
        "twin",
        build_twin,
        default_branch="main",
        patch="0.2.2",
        patch_tag="v0.2.2",
        release_branch="release-0.2.x",
        minor="0.3.0",
        minor_branch="release-0.3.x",
        nightly=f"0.3.0.dev{DATE}",  # the members' fallback_version
        publish_npm=False,
        dist_tag="",
        maintained=("release-0.2.x",),
        post_tags=frozenset(),  # the members already develop 0.3.0
        post_fallback="0.3.0.dev0",
        pyprojects=("packages/twin-cli/pyproject.toml", "packages/twin-core/pyproject.toml"),
    ),
    Shape(
        "prefixed",
        build_prefixed,
        default_branch="main",
        patch="0.6.1",
        patch_tag="rel-0.6.1",
        release_branch="release-0.6.x",
        minor="0.7.0",
        minor_branch="release-0.7.x",
        nightly=f"0.6.1.dev{DATE}",
        publish_npm=True,
        dist_tag="latest",
        maintained=("release-0.6.x",),
        post_tags=frozenset({"rel-0.6.2-dev"}),
        post_fallback="0.6.2.dev0",
    ),
    Shape(
        "pytestish",
        build_pytestish,
        default_branch="main",
        patch="9.1.2",
        patch_tag="9.1.2",
        release_branch="9.1.x",
        minor="9.2.0",
        minor_branch="9.2.x",
        nightly=f"9.2.0.dev{DATE}",
        publish_npm=False,
        dist_tag="",
        maintained=("9.1.x",),
        post_tags=frozenset(),  # main already develops 9.2.0 (9.2.0.dev0)
        post_fallback=None,
    ),
    Shape(
        "astropyish",
        build_astropyish,
        default_branch="main",
        patch="8.0.2",
        patch_tag="v8.0.2",
        release_branch="v8.0.x",
        minor="8.1.0",
        minor_branch="v8.1.x",
        nightly=f"8.1.0.dev{DATE}",
        publish_npm=False,
        dist_tag="",
        maintained=("v8.0.x", "v7.2.x"),
        post_tags=frozenset(),  # main already develops 8.1.0 (v8.1.0.dev)
        post_fallback=None,
    ),
)
