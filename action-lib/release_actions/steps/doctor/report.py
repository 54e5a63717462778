"""The doctor's results: one :class:`Check` per check, gathered in a :class:`DoctorReport`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

__all__ = ["FAIL", "OK", "WARN", "Check", "DoctorReport", "worst"]

OK, WARN, FAIL = "ok", "warn", "fail"
_RANK = {OK: 0, WARN: 1, FAIL: 2}
_ICON = {OK: ":white_check_mark:", WARN: ":warning:", FAIL: ":x:"}


def worst(statuses: Iterable[str]) -> str:
    """The most severe of ``statuses`` (fail > warn > ok); ok when there are none."""
    return max(statuses, key=_RANK.__getitem__, default=OK)


@dataclass(frozen=True)
class Check:
    """One check's outcome: ``status`` is ok | warn | fail; ``fix`` is empty when ok."""

    name: str
    status: str
    detail: str
    fix: str = ""

    def as_dict(self) -> dict[str, str]:
        return {"name": self.name, "status": self.status, "detail": self.detail, "fix": self.fix}


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|") or " "


@dataclass(frozen=True)
class DoctorReport:
    branch: str
    checks: tuple[Check, ...]

    @property
    def status(self) -> str:
        """The worst status of all checks."""
        return worst(c.status for c in self.checks)

    @property
    def failed(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.checks if c.status == FAIL)

    @property
    def warned(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.checks if c.status == WARN)

    def check(self, name: str) -> Check:
        for item in self.checks:
            if item.name == name:
                return item
        raise KeyError(name)

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "branch": self.branch,
            "failed": list(self.failed),
            "warned": list(self.warned),
            "checks": [c.as_dict() for c in self.checks],
        }

    def headline(self) -> str:
        parts = []
        if self.failed:
            parts.append(f"{len(self.failed)} failed")
        if self.warned:
            parts.append(f"{len(self.warned)} warning{'s' if len(self.warned) > 1 else ''}")
        where = f" on {self.branch}" if self.branch else ""
        return f"Release doctor{where}: " + (", ".join(parts) or f"all {len(self.checks)} ok")

    def markdown(self) -> str:
        lines = [
            f"### {_ICON[self.status]} {self.headline()}",
            "",
            "| check | status | detail | fix |",
            "| --- | --- | --- | --- |",
        ]
        for c in self.checks:
            fix = _cell(c.fix) if c.fix else " "
            lines.append(
                f"| `{c.name}` | {_ICON[c.status]} {c.status} | {_cell(c.detail)} | {fix} |"
            )
        return "\n".join(lines) + "\n"

    def text(self) -> str:
        lines = [self.headline()]
        for c in self.checks:
            lines.append(f"[{c.status:<4}] {c.name}: {c.detail}")
            if c.fix:
                lines.append(f"       fix: {c.fix}")
        return "\n".join(lines) + "\n"
