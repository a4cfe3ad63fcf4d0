"""Each person's desk: the things that need them now, most urgent first.

Core knows nothing about the apps: each app registers a provider (in its
AppConfig.ready) that returns DeskItems for the person making the request, computed
in a fixed number of queries however big the school. The home page lists them
(`desk_for`); the menu shows a count beside each area (`desk_counts`). Both are
memoised on the request, so a page that shows both runs each provider once.

Providers registered with `counted=False` (overviews such as "12 staff have not
signed") appear on the desk only: the menus of every school page then pay only for
the cheap, countable providers.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.functional import SimpleLazyObject

# The areas of the menu a count can sit beside.
AREAS = ("people", "agreements", "consent", "equipment", "incidents", "settings")

# Urgency: 0 overdue or a breach clock running, 1 due (the person should act), 2 waiting
# (on someone else, or for information).
OVERDUE, DUE, WAITING = 0, 1, 2


@dataclass(frozen=True)
class DeskItem:
    title: str  # names the thing: "Approve or refuse: a post for the school website"
    url: str  # the page where it is done
    why: str  # one sentence: why it needs this person
    since: datetime.date | datetime.datetime | None
    area: str
    urgency: int = DUE
    count: int = 1  # an aggregate item ("3 phone requests") counts as 3 in the menu
    school: Any = None  # the school it belongs to, for grouping (None: not one school's)

    def __post_init__(self):
        if self.area not in AREAS:
            raise ValueError(f"Unknown desk area {self.area!r}; use one of {AREAS}.")

    @property
    def since_date(self) -> datetime.date | None:
        if isinstance(self.since, datetime.datetime):
            return timezone.localdate(self.since)
        return self.since

    @property
    def since_text(self) -> str:
        """'since 3 March 2026 (4 days ago)'; 'today'; '' when there is no date."""
        day = self.since_date
        if day is None:
            return ""
        days = (timezone.localdate() - day).days
        if days == 0:
            ago = "today"
        elif days == 1:
            ago = "yesterday"
        elif days > 1:
            ago = f"{days} days ago"
        elif days == -1:
            ago = "tomorrow"
        else:
            ago = f"in {-days} days"
        return f"{day.day} {day:%B %Y} ({ago})"

    def sort_key(self):
        day = self.since_date or datetime.date.max
        return (self.urgency, day, self.title)


_providers: list[tuple[Any, bool]] = []


def register(provider=None, *, counted: bool = True):
    """`provider(request) -> iterable of DeskItem`. Use as @register or
    @register(counted=False)."""

    def add(func):
        if all(p is not func for p, _ in _providers):
            _providers.append((func, counted))
        return func

    return add(provider) if provider is not None else add


def _results(request, *, counted_only: bool) -> list[DeskItem]:
    cache = request.__dict__.setdefault("_desk_results", {})
    items: list[DeskItem] = []
    for provider, counted in _providers:
        if counted_only and not counted:
            continue
        if provider not in cache:
            cache[provider] = list(provider(request))
        items.extend(cache[provider])
    return items


def _signed_in(request) -> bool:
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


def desk_for(request) -> list[DeskItem]:
    """Everything on the person's desk, most urgent first, then oldest first."""
    if not _signed_in(request):
        return []
    return sorted(_results(request, counted_only=False), key=DeskItem.sort_key)


def desk_counts(request) -> dict[str, int]:
    """{area: how many things need the person there} for the menu (areas with none are
    left out): the `count` of each item that is overdue or due, not of those waiting on
    someone else. On a school's page, only that school's items count."""
    if not _signed_in(request):
        return {}
    cached = request.__dict__.get("_desk_counts")
    if cached is not None:
        return cached
    school = getattr(request, "school", None)
    counts: dict[str, int] = {}
    for item in _results(request, counted_only=True):
        if school is not None and item.school is not None and item.school.pk != school.pk:
            continue
        if item.urgency == WAITING:  # waiting on someone else: on the desk, not in the menu
            continue
        counts[item.area] = counts.get(item.area, 0) + item.count
    request._desk_counts = counts
    return counts


def accesses(request):
    """The SchoolAccess of each school the desk covers: on a school's page that school
    only; elsewhere every school the person can open (memoised on the request)."""
    access = getattr(request, "access", None)
    if access is not None:
        return [access]
    from .tenancy import request_school_accesses

    return request_school_accesses(request)


def context_processor(request):
    """`desk_counts` for the menus, computed only when a template reads it."""
    return {"desk_counts": SimpleLazyObject(lambda: desk_counts(request))}


def by_school(items) -> list[tuple[Any, list[DeskItem]]]:
    """[(school or None, items)] in the order the most urgent item of each appears."""
    groups: dict[Any, list[DeskItem]] = {}
    for item in items:
        key = item.school.pk if item.school is not None else None
        groups.setdefault(key, []).append(item)
    return [(group[0].school, group) for group in groups.values()]
