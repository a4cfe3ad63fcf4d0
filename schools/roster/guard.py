"""Protecting the school from a partial file. An MIS export of one class, or a file
cut short, would mark everyone missing from it as leaving: when a file would mark
more than a set share of the school's current pupils, staff or carers as leaving
(settings.ROSTER_LEAVING_WARNING_SHARE, 10 % unless changed), the check leads with a
warning naming the numbers, and applying it needs an explicit confirmation of that
very number of leavers."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from ..models import RosterKind
from .plan import Plan

_NOUNS = {
    RosterKind.PUPILS: ("pupil", "pupils"),
    RosterKind.CONTACTS: ("parent or carer", "parents and carers"),
    RosterKind.STAFF: ("member of staff", "members of staff"),
}


def noun(kind: str, count: int) -> str:
    one, many = _NOUNS[kind]
    return f"{count} {one if count == 1 else many}"


@dataclass(frozen=True)
class LeavingWarning:
    kind: str
    in_file: int
    new: int
    current: int
    leaving: int

    @property
    def percent(self) -> int:
        return round(100 * self.leaving / self.current)

    @property
    def numbers(self) -> str:
        """'Your file has 3 pupils; the school has 210.'"""
        new = f" ({self.new} of them new)" if self.new else ""
        return f"Your file has {noun(self.kind, self.in_file)}{new}; the school has {self.current}."

    @property
    def consequence(self) -> str:
        """'Applying it would mark 207 pupils as leaving.'"""
        return f"Applying it would mark {noun(self.kind, self.leaving)} as leaving."

    @property
    def confirmation(self) -> str:
        """The words of the extra tick: 'I understand 207 pupils will be marked as leaving'."""
        return f"I understand {noun(self.kind, self.leaving)} will be marked as leaving"


def share() -> float:
    return float(getattr(settings, "ROSTER_LEAVING_WARNING_SHARE", 0.10))


def leaving_warning(plan: Plan) -> LeavingWarning | None:
    """The warning for `plan`, or None when its leavers are within the usual share."""
    if not plan.current or len(plan.leavers) <= share() * plan.current:
        return None
    return LeavingWarning(plan.kind, plan.in_file, len(plan.adds), plan.current, len(plan.leavers))
