"""Repository configuration: the ``[tool.release-actions]`` table of the root pyproject.toml.

Action inputs and CLI flags override it. The defaults are neutral: no sibling
pins, no npm package, the default branch detected (see
:mod:`release_actions.steps.default_branch`), a generic release checklist. The
Llama Stack set-up is :data:`LLAMA_STACK` (the bundled example carries it in its
pyproject.toml).
"""

from collections.abc import Callable
from typing import Any, NamedTuple

from release_actions.core.conventions import (
    Conventions,
    ConventionSettings,
    check_dev_tag,
    check_release_branch,
    check_tag_prefix,
    dev_tag_prefix,
)
from release_actions.core.errors import InvalidValueError
from release_actions.core.text_inputs import (
    check_branch_name,
    check_identity,
    check_url,
    control_free,
)

ACTIONS_BOT_NAME = "github-actions[bot]"
ACTIONS_BOT_EMAIL = "41898282+github-actions[bot]@users.noreply.github.com"

CHOICES: dict[str, tuple[str, ...]] = {
    "rc_target": ("testpypi", "pypi"),
    "pin_style": ("exact", "compatible", "minimum"),
    "next_dev": ("patch", "minor"),
    "main_pin_style": ("none", "minimum"),
    "write_mode": ("push", "pull-request", "auto"),
    "rc_main_policy": ("ignore", "track"),
    "milestone_gate": ("off", "warn", "fail"),
}


TEXT_CHECKS: dict[str, Callable[[str, str], str]] = {
    "default_branch": check_branch_name,
    "npm_registry": check_url,
    "bot_name": check_identity,
    "bot_email": check_identity,
    "docs_url": check_url,
    "tag_prefix": check_tag_prefix,
    "dev_tag": check_dev_tag,
    "release_branch": check_release_branch,
}

# plan's checklist items that come from the configuration.
CHECKLIST_KEYS = frozenset({"announce", "container_images", "extra_artifacts", "checklist"})

# Keys whose empty value means "not set" (and is not checked): detect the default
# branch; no npm package, documentation URL or commit identity.
EMPTY_ALLOWED = frozenset({"default_branch", "npm_package", "docs_url", "bot_name", "bot_email"})

# Keys listing ref globs that a rehearsal's origin protects: branch names
# (GH006-style hook) and full refs (GH013-style ruleset hook).
PATTERN_KEYS: dict[str, tuple[str, str]] = {
    "protected_branches": ("", "a branch name or glob, e.g. 'main' or 'release-*'"),
    "ruleset_refs": ("refs/", "a full ref or glob starting with refs/, e.g. 'refs/tags/*-dev'"),
}


class Config(NamedTuple):
    """Repository defaults. Keys in pyproject.toml are the kebab-case field names."""

    default_branch: str = ""  # empty: detected (event payload, origin's HEAD, local HEAD)
    tag_prefix: str = "v"  # unless configured: detected from the tags (see conventions)
    dev_tag: str = "v{version}-dev"  # unless configured: detected from the dev tags
    release_branch: str = "release-{major}.{minor}.x"  # unless configured: from the branches
    pyprojects: tuple[str, ...] = ()
    pins: tuple[str, ...] = ()
    pin_style: str = "exact"
    npm_package: str = ""  # empty: the project publishes nothing to npm
    package_jsons: tuple[str, ...] = ()
    rc_target: str = "testpypi"
    next_dev: str = "patch"
    main_pin_style: str = "none"
    write_mode: str = "push"
    rc_main_policy: str = "ignore"
    npm_registry: str = "https://registry.npmjs.org/"
    bot_name: str = ""  # empty: github-actions[bot] in Actions, else the user's git identity
    bot_email: str = ""
    milestone_gate: str = "off"  # prepare-release: off | warn | fail on open milestone issues
    # plan's checklist: the project's own items (each empty by default)
    announce: tuple[str, ...] = ()  # where the release is announced, e.g. a chat channel
    docs_url: str = ""  # the documentation to check after the release
    container_images: tuple[str, ...] = ()  # images published with the release
    extra_artifacts: tuple[str, ...] = ()  # other artefacts to check
    checklist: tuple[str, ...] = ()  # further items of the release checklist
    # a rehearsal's origin: branches refused to direct pushes (GH006), refs under a ruleset (GH013)
    protected_branches: tuple[str, ...] = ()  # branch globs, e.g. "main", "release-*"
    ruleset_refs: tuple[str, ...] = ()  # full-ref globs, e.g. "refs/heads/main", "refs/tags/*-dev"
    configured: tuple[str, ...] = ()  # the fields the table sets (not a key of its own)


def with_conventions(config: Config, conventions: Conventions) -> Config:
    """``config`` with the conventions fixed, as if configured (for a copy of the
    repository that lacks the refs they were detected from, such as plan's snapshot)."""
    keys = ConventionSettings._fields
    fixed = {key: getattr(conventions, key) for key in keys}
    return config._replace(**fixed, configured=tuple(sorted({*config.configured, *keys})))


def convention_settings(config: Config) -> ConventionSettings:
    """The conventions the configuration fixes (the others are detected)."""
    return ConventionSettings(
        *(
            getattr(config, name) if name in config.configured else None
            for name in ConventionSettings._fields
        )
    )


# The configuration Llama Stack uses (the bundled example carries it explicitly).
LLAMA_STACK = Config(
    default_branch="main",
    pins=("llama-stack-client",),
    npm_package="llama-stack-client",
    announce=(
        "#releases Discord channel: a thread for the release",
        "#announcements Discord channel",
    ),
    docs_url="https://llamastack.github.io",
    container_images=("Docker Hub: distribution images",),
    configured=(
        "announce",
        "container_images",
        "default_branch",
        "docs_url",
        "npm_package",
        "pins",
    ),
)


def config_from_pyproject(pyproject: dict[str, Any]) -> Config:
    """The ``[tool.release-actions]`` table of a parsed pyproject.toml (absent: defaults)."""
    tool = pyproject.get("tool", {})
    if not isinstance(tool, dict):
        raise InvalidValueError("[tool] of pyproject.toml", tool, "a TOML table")
    table = tool.get("release-actions", {})
    if not isinstance(table, dict):
        raise InvalidValueError("[tool.release-actions]", table, "a TOML table")
    known = set(Config._fields) - {"configured"}
    values: dict[str, Any] = {}
    for key, value in table.items():
        name = key.replace("-", "_")
        if name not in known:
            raise InvalidValueError(
                "[tool.release-actions] key",
                key,
                ", ".join(sorted(k.replace("_", "-") for k in known)),
                fix=f"remove or rename '{key}' in [tool.release-actions]",
            )
        values[name] = _coerce(key, name, value)
    prefix, dev_tag = values.get("tag_prefix"), values.get("dev_tag")
    if prefix is not None and dev_tag is not None and dev_tag_prefix(dev_tag) != prefix:
        raise InvalidValueError(
            "[tool.release-actions] dev-tag",
            dev_tag,
            f"a dev tag with the tag prefix '{prefix}', e.g. '{prefix}{{version}}-dev'",
            fix="dev tags carry the release tags' prefix: make dev-tag start with tag-prefix",
        )
    return Config(**values, configured=tuple(sorted(values)))


def _coerce(key: str, name: str, value: Any) -> Any:
    default = Config._field_defaults[name]
    if isinstance(default, tuple):
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise InvalidValueError(f"[tool.release-actions] {key}", value, "a list of strings")
        for item in value:
            control_free(item, f"[tool.release-actions] {key}")
            if name in CHECKLIST_KEYS and not item.strip():
                raise InvalidValueError(
                    f"[tool.release-actions] {key} item",
                    item,
                    "a non-empty line of text",
                    fix=f"remove the empty item from {key}",
                )
            if name in PATTERN_KEYS:
                _check_pattern(key, name, item)
        return tuple(value)
    if not isinstance(value, str):
        raise InvalidValueError(f"[tool.release-actions] {key}", value, "a string")
    what = f"[tool.release-actions] {key}"
    if name == "npm_package" and value.strip().lower() == "none":
        raise InvalidValueError(
            what,
            value,
            "an npm package name, or nothing",
            fix=f"remove {key} from [tool.release-actions]: without it nothing goes to npm",
        )
    if value or name not in EMPTY_ALLOWED:
        TEXT_CHECKS.get(name, control_free)(value, what)
    if name in CHOICES and value not in CHOICES[name]:
        raise InvalidValueError(f"[tool.release-actions] {key}", value, " | ".join(CHOICES[name]))
    return value


def _check_pattern(key: str, name: str, item: str) -> None:
    """One ref glob of ``protected-branches`` or ``ruleset-refs``: no whitespace, and
    (for ``ruleset-refs``) a full ref under ``refs/``."""
    prefix, accepted = PATTERN_KEYS[name]
    what = f"[tool.release-actions] {key} item"
    if not item or any(ch.isspace() for ch in item):
        raise InvalidValueError(
            what, item, accepted, fix=f"write each pattern of {key} without spaces, e.g. {accepted}"
        )
    if name == "protected_branches" and item.startswith("refs/"):
        raise InvalidValueError(
            what,
            item,
            accepted,
            fix=f"name the branch without refs/heads/ ({item.removeprefix('refs/heads/')});"
            " full refs go in ruleset-refs",
        )
    if not item.startswith(prefix):
        raise InvalidValueError(
            what,
            item,
            accepted,
            fix=f"write the full ref: refs/heads/{item} for a branch, refs/tags/{item} for a tag",
        )


def check_choice(what: str, value: str, config_name: str) -> str:
    if value not in CHOICES[config_name]:
        raise InvalidValueError(what, value, " | ".join(CHOICES[config_name]))
    return value
