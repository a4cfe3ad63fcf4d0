"""The retention schedule's registry: every kind of record the portal keeps, what
starts its clock, how long it is kept and what happens at the end.

Each app registers the kinds of record it owns (in its AppConfig.ready, as with
`core.desk`), with two functions: `due(school_ids, cutoff, holds)`, the records of
those schools whose clock started on or before `cutoff` and that no legal hold
touches, as a queryset of the kind's model with a `school_id`; and `dispose(ids,
context)`, which deletes or anonymises exactly those rows (and their files). The
`retention` app runs the sweep, the review and the destruction log without knowing
any model. Core imports nothing of the apps.

Kinds whose end is "review by a person" need no `dispose`: they are listed for the
data protection officer, never destroyed by the portal.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

DELETE, ANONYMISE, REVIEW = "delete", "anonymise", "review"
ACTIONS = {
    DELETE: "Delete",
    ANONYMISE: "Anonymise",
    REVIEW: "Review by a person",
}


@dataclass(frozen=True)
class Holds:
    """What legal holds protect in the schools swept: ids of pupils, people (users)
    and incidents. Holds are few (a handful per trust), so these sets stay small."""

    pupils: frozenset[int] = frozenset()
    people: frozenset[int] = frozenset()
    incidents: frozenset[int] = frozenset()


@dataclass(frozen=True)
class RecordKind:
    key: str  # "agreements.visitor_book": stored in rules, reviews and the log
    label: str  # "Visitors' signatures at reception"
    clock: str  # what starts the clock, in words: "the date the visitor signed"
    years: int  # the default period
    action: str  # the default end: DELETE, ANONYMISE or REVIEW
    source: str  # where the default comes from, named
    due: Callable[[list[int], datetime.date, Holds], Any]
    dispose: Callable[[list[int], Any], int] | None = None
    # The ends a DPO may choose for this kind (a kind with no `dispose` only REVIEW).
    actions: tuple[str, ...] = field(default=())
    order: int = 100  # where it sits in the schedule
    school_field: str = "school_id"  # how `due`'s rows name their school
    # Rows of other tables that go with the kind's records but are not their children
    # (a loan's signed receipt): {part: due_queryset -> queryset of (id, school_id)}.
    # The sweep lists their ids on the review as "<key>/<part>", so the disposal path
    # may delete them too, and nothing else.
    parts: dict[str, Callable[[Any], Any]] = field(default_factory=dict)

    def __post_init__(self):
        allowed = self.actions or ((self.action,) if self.dispose is None else (self.action, REVIEW))
        object.__setattr__(self, "actions", tuple(dict.fromkeys(allowed)))
        if self.action not in self.actions:
            raise ValueError(f"{self.key}: default action {self.action!r} is not one of {self.actions}")
        if self.dispose is None and set(self.actions) - {REVIEW}:
            raise ValueError(f"{self.key}: a kind that can be destroyed needs a dispose function")

    @property
    def action_label(self) -> str:
        return ACTIONS[self.action]


_kinds: dict[str, RecordKind] = {}


def register(kind: RecordKind) -> RecordKind:
    _kinds[kind.key] = kind
    return kind


def kinds() -> list[RecordKind]:
    return sorted(_kinds.values(), key=lambda k: (k.order, k.label))


def kind(key: str) -> RecordKind | None:
    return _kinds.get(key)


def cutoff_for(today: datetime.date, years: int) -> datetime.date:
    """The latest clock start whose period has ended by `today`: a record whose clock
    started on or before this day has been kept `years` whole years."""
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)
