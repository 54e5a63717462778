"""Pins of sibling packages in ``pyproject.toml`` dependency tables (tomlkit, packaging).

Pin styles (``set_pins``), for a release version ``V = X.Y.Z``:

* ``exact`` -> ``==X.Y.Z``;
* ``compatible`` -> ``~=X.Y.Z`` (``>=X.Y.Z, ==X.Y.*``): the same major.minor,
  at least this release. Llama Stack's server rejects a client whose
  major.minor differs from its own, so ``~=X.Y`` (which allows ``X.(Y+1)``) is
  deliberately not offered;
* ``minimum`` -> ``>=X.Y.Z``.

The style replaces the lower-bound/exact clauses of the requirement (``==``,
``===``, ``>=``, ``>``, ``~=``); upper bounds and exclusions (``<``, ``<=``,
``!=``), extras, markers and the spelling of the name are kept. The new clause
takes the place and the spacing of the first clause it replaces
(``name >= 0.7.1`` -> ``name == 0.8.0``); a bare name gets the clause right
after the name and extras (``name[x]`` -> ``name[x]==0.8.0``).

>>> doc = '[project]\\nname = "x"\\ndependencies = [\\n  "llama-stack-client>=0.7.1", # pin\\n]\\n'
>>> new, changes = set_pins(doc, ["llama-stack-client"], Version("0.8.0"), "exact")
>>> print(new, end="")
[project]
name = "x"
dependencies = [
  "llama-stack-client==0.8.0", # pin
]
>>> changes[0].old, changes[0].new
('llama-stack-client>=0.7.1', 'llama-stack-client==0.8.0')
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import tomlkit
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version
from tomlkit.exceptions import TOMLKitError
from tomlkit.items import Array, String
from tomlkit.toml_document import TOMLDocument

from release_actions.core.errors import InvalidValueError, ReleaseActionsError
from release_actions.edits.pyproject import parse_toml, raw_string, toml_table

__all__ = ["PIN_STYLES", "PinChange", "pin_clause", "requirement_lists", "set_pins"]

PIN_STYLES: dict[str, str] = {"exact": "==", "compatible": "~=", "minimum": ">="}
"""Pin style -> the operator it writes."""

REPLACED_OPERATORS = frozenset({"==", "===", ">=", ">", "~="})
"""Operators a pin style replaces; ``<``, ``<=`` and ``!=`` are kept."""

_NAME_RE = re.compile(
    r"^(?P<lead>\s*)(?P<name>[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)(?P<extras>\s*\[[^\]]*\])?"
)
_CLAUSE_RE = re.compile(
    r"^(?P<lead>\s*)(?P<op>===|==|~=|!=|<=|>=|<|>)(?P<mid>\s*)(?P<ver>\S(?:.*\S)?)(?P<trail>\s*)$",
    re.S,
)


@dataclass(frozen=True)
class PinChange:
    """One requirement on a pinned package, as found by :func:`set_pins`.

    ``table`` is the dotted TOML path of the list (``project.dependencies``,
    ``project.optional-dependencies.client``, ``dependency-groups.dev``) and
    ``index`` the position in it. ``old`` and ``new`` are the requirement
    strings (TOML escapes decoded). ``skipped`` says why an entry was left
    alone (a URL requirement); then ``new == old``.
    """

    table: str
    index: int
    old: str
    new: str
    skipped: str = ""

    @property
    def changed(self) -> bool:
        return self.old != self.new


def pin_clause(version: Version, style: str) -> tuple[str, str]:
    """The (operator, version) a pin style writes for ``version``.

    >>> pin_clause(Version("0.8.0"), "compatible")
    ('~=', '0.8.0')
    """
    if style not in PIN_STYLES:
        raise InvalidValueError("pin style", style, " | ".join(PIN_STYLES))
    op = PIN_STYLES[style]
    try:
        SpecifierSet(f"{op}{version}")
    except InvalidSpecifier:
        raise InvalidValueError(
            f"version for the {style!r} pin style",
            str(version),
            f"a version that {op} accepts (~= needs at least X.Y; >= and ~= take no +local part)",
        ) from None
    return op, str(version)


def requirement_lists(doc: TOMLDocument) -> Iterator[tuple[str, Array]]:
    """(dotted path, array) of every requirement list a pin may live in."""
    project = toml_table(doc, "project")
    if project is not None and isinstance(project.get("dependencies"), Array):
        yield "project.dependencies", project["dependencies"]
    for prefix, table in (
        ("project.optional-dependencies", toml_table(project, "optional-dependencies")),
        ("dependency-groups", toml_table(doc, "dependency-groups")),
    ):
        for name, value in (table or {}).items():
            if isinstance(value, Array):
                yield f"{prefix}.{name}", value


def _rewrite_requirement(
    value: str, op: str, version: str, *, where: str, path_for_errors: str
) -> str:
    """``value`` with its lower-bound/exact clauses replaced by ``op version``."""
    head = _NAME_RE.match(value)
    assert head is not None  # the caller matched the name already
    start = head.end()
    semi = value.find(";", start)
    end = len(value) if semi < 0 else semi
    region = value[start:end]
    stripped = region.strip()
    if stripped.startswith("(") and stripped.endswith(")"):
        inner_start = start + region.index("(") + 1
        inner_end = start + region.rindex(")")
    else:
        inner_start, inner_end = start, end
    inner = value[inner_start:inner_end]
    if not inner.strip():  # a bare name: the pin goes right after the name and extras
        return f"{value[:inner_start]}{op}{version}{value[inner_start:]}"
    pieces = inner.split(",")
    clauses = [_CLAUSE_RE.match(piece) for piece in pieces]
    if not all(clauses):
        raise ReleaseActionsError(
            f"{path_for_errors}: cannot rewrite the requirement {value!r} in [{where}].",
            fix="write it as name[extras] <op><version>[, ...] [; marker]",
            title="Unsupported requirement",
        )
    new_pieces: list[str] = []
    placed = False
    for piece, clause in zip(pieces, clauses, strict=True):
        assert clause is not None
        if clause["op"] not in REPLACED_OPERATORS:
            new_pieces.append(piece)
        elif not placed:
            new_pieces.append(f"{clause['lead']}{op}{clause['mid']}{version}{clause['trail']}")
            placed = True
    if not placed:  # only upper bounds / exclusions: the pin goes first
        first = clauses[0]
        assert first is not None
        sep = ", " if first["mid"] else ","
        new_pieces[0] = f"{first['lead']}{op}{first['mid']}{version}{sep}{pieces[0].lstrip()}"
    return value[:inner_start] + ",".join(new_pieces) + value[inner_end:]


def _new_raw(item: String, old: str, new: str) -> str:
    """The raw TOML text of ``new``, keeping ``item``'s escapes outside the edited span.

    The edit never touches escaped characters (only name, operator and version
    bytes change), so the raw text after the changed span is reused as written
    (a marker's ``\\"3.12\\"`` stays). If that cannot be proved, ``new`` is
    re-escaped, which is equivalent TOML.
    """
    raw = raw_string(item)
    lead = ""  # a newline right after """ or ''' is not part of the value
    if item.type.is_multiline() and raw.startswith(("\r\n", "\n")):
        lead = "\r\n" if raw.startswith("\r\n") else "\n"
        raw = raw[len(lead) :]
    if raw == old:
        return lead + new
    suffix = 0
    while suffix < min(len(old), len(new)) and old[-1 - suffix] == new[-1 - suffix]:
        suffix += 1
    cut_old, cut_new = len(old) - suffix, len(new) - suffix
    if raw.startswith(old[:cut_old]):
        tail = raw[cut_old:]
        quote = item.type.value
        try:
            decoded = str(tomlkit.parse(f"x = {quote}{tail}{quote}\n")["x"])
        except TOMLKitError:
            decoded = None
        if decoded == old[cut_old:]:
            return lead + new[:cut_new] + tail
    return raw_string(String.from_raw(new, item.type))


def set_pins(
    text: str,
    packages: Sequence[str],
    version: Version,
    style: str,
    *,
    path_for_errors: str = "pyproject.toml",
) -> tuple[str, list[PinChange]]:
    """Pin requirements on ``packages`` to ``version`` in the given ``style``.

    Looks in ``[project] dependencies``, every ``[project.optional-dependencies]``
    list and every ``[dependency-groups]`` list (``{include-group = ...}``
    entries are skipped). Names match after PEP 503 normalisation. Returns the
    new text and one :class:`PinChange` per matching requirement, in file order:
    changed ones, ones already right (``changed`` False) and URL requirements
    (``skipped``). The string keeps its quote style and its line (comment,
    comma, indentation); only the version bytes differ.

    Errors: an unknown style; a matching requirement that does not parse; a
    kept bound (``<``, ``<=``, ``!=``) that excludes ``version``.
    """
    op, ver = pin_clause(version, style)
    wanted = {canonicalize_name(p) for p in packages}
    doc = parse_toml(text, path_for_errors)
    changes: list[PinChange] = []
    for where, array in requirement_lists(doc):
        for index, item in enumerate(list(array)):
            if not isinstance(item, String):
                continue  # {include-group = "..."} and other non-strings
            value = str(item)
            head = _NAME_RE.match(value)
            if head is None or canonicalize_name(head["name"]) not in wanted:
                continue
            try:
                requirement = Requirement(value)
            except InvalidRequirement as exc:
                raise ReleaseActionsError(
                    f"{path_for_errors}: the requirement {value!r} in [{where}] is not a valid"
                    f" PEP 508 requirement ({exc}).",
                    fix="fix the requirement string, e.g. name>=X.Y.Z",
                    title="Invalid requirement",
                ) from exc
            if requirement.url:
                changes.append(PinChange(where, index, value, value, "URL requirement"))
                continue
            new_value = _rewrite_requirement(
                value, op, ver, where=where, path_for_errors=path_for_errors
            )
            new_requirement = Requirement(new_value)
            assert canonicalize_name(new_requirement.name) == canonicalize_name(requirement.name)
            if not new_requirement.specifier.contains(version, prereleases=True):
                kept = ",".join(
                    str(s)
                    for s in new_requirement.specifier
                    if s.operator not in REPLACED_OPERATORS
                )
                raise ReleaseActionsError(
                    f"{path_for_errors}: the requirement {value!r} in [{where}] keeps the bound"
                    f" {kept!r}, which excludes {version}; pinning it would make it"
                    " unsatisfiable.",
                    fix=f"widen or remove {kept!r} in [{where}] of {path_for_errors}",
                    title="Pin excluded by a bound",
                )
            if new_value != value:
                array[index] = String(
                    item.type, new_value, _new_raw(item, value, new_value), item.trivia
                )
            changes.append(PinChange(where, index, value, new_value))
    return doc.as_string(), changes


# --------------------------------------------------------------------------- scm config
