"""The governors' termly summary: counts with no names (by kind, severity and
outcome) and the trend against earlier terms.

Terms here are the usual three of the English school year, by calendar: autumn
(1 September to 31 December), spring (1 January to 31 March) and summer (1 April to
31 August). A school's own term dates differ by a week or two around Easter."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone

from .models import Category, ICODecision, Incident, IncidentEntry, ReferredTo, Severity, Status

SEASONS = ("autumn", "spring", "summer")
TREND_TERMS = 6


@dataclass(frozen=True, order=True)
class Term:
    year: int  # the calendar year the term starts in
    season: str

    @classmethod
    def containing(cls, day: datetime.date) -> Term:
        if day.month >= 9:
            return cls(day.year, "autumn")
        if day.month <= 3:
            return cls(day.year, "spring")
        return cls(day.year, "summer")

    @classmethod
    def current(cls) -> Term:
        return cls.containing(timezone.localdate())

    @classmethod
    def from_key(cls, key: str) -> Term | None:
        year, _, season = (key or "").partition("-")
        if not year.isdigit() or season not in SEASONS or not 2000 <= int(year) <= 2100:
            return None
        return cls(int(year), season)

    @property
    def key(self) -> str:
        return f"{self.year}-{self.season}"

    @property
    def starts_on(self) -> datetime.date:
        return datetime.date(self.year, {"autumn": 9, "spring": 1, "summer": 4}[self.season], 1)

    @property
    def ends_on(self) -> datetime.date:
        return self.next().starts_on - datetime.timedelta(days=1)

    def next(self) -> Term:
        return {
            "autumn": Term(self.year + 1, "spring"),
            "spring": Term(self.year, "summer"),
            "summer": Term(self.year, "autumn"),
        }[self.season]

    def previous(self) -> Term:
        return {
            "autumn": Term(self.year, "summer"),
            "spring": Term(self.year - 1, "autumn"),
            "summer": Term(self.year, "spring"),
        }[self.season]

    def __str__(self) -> str:
        return f"{self.season.capitalize()} term {self.year}"

    def moments(self) -> tuple[datetime.datetime, datetime.datetime]:
        """[start, end) in UK time."""
        start = timezone.make_aware(datetime.datetime.combine(self.starts_on, datetime.time.min))
        end = timezone.make_aware(datetime.datetime.combine(self.next().starts_on, datetime.time.min))
        return start, end


def recent_terms(count=9) -> list[Term]:
    terms = [Term.current()]
    while len(terms) < count:
        terms.append(terms[-1].previous())
    return terms


def _reported_in(term: Term) -> Q:
    start, end = term.moments()
    return Q(reported_at__gte=start, reported_at__lt=end)


def termly_summary(school, term: Term) -> dict:
    """Counts only: nothing here names a pupil or a member of staff."""
    incidents = Incident.objects.filter(Q(school=school) & _reported_in(term))
    totals = incidents.aggregate(
        total=Count("id"),
        safeguarding=Count("id", filter=Q(safeguarding=True)),
        breaches=Count("id", filter=Q(personal_data_breach=True)),
        reported_to_ico=Count("id", filter=Q(ico_decision=ICODecision.REPORTED)),
        closed=Count("id", filter=Q(status=Status.CLOSED)),
        **{f"severity_{s}": Count("id", filter=Q(severity=s)) for s in Severity.values},
        not_triaged=Count("id", filter=Q(severity="")),
    )
    by_category = dict(incidents.values_list("category").annotate(n=Count("id")).values_list("category", "n"))
    referrals = dict(
        IncidentEntry.objects.filter(incident__in=incidents, kind="referral")
        .values_list("referred_to")
        .annotate(n=Count("incident", distinct=True))
        .values_list("referred_to", "n")
    )
    trend_terms = [term]
    while len(trend_terms) < TREND_TERMS:
        trend_terms.append(trend_terms[-1].previous())
    trend_terms.reverse()
    counts = Incident.objects.filter(school=school).aggregate(
        **{t.key.replace("-", "_"): Count("id", filter=_reported_in(t)) for t in trend_terms}
    )
    trend = [(t, counts[t.key.replace("-", "_")]) for t in trend_terms]
    return {
        "term": term,
        "total": totals["total"],
        "safeguarding": totals["safeguarding"],
        "breaches": totals["breaches"],
        "reported_to_ico": totals["reported_to_ico"],
        "by_category": [(c.label, by_category[c.value]) for c in Category if by_category.get(c.value)],
        "by_severity": [(s.label, totals[f"severity_{s.value}"]) for s in Severity]
        + [("Not triaged yet", totals["not_triaged"])],
        "by_outcome": [
            ("Closed with the head's sign-off", totals["closed"]),
            ("Still open", totals["total"] - totals["closed"]),
        ],
        "referrals": [(r.label, referrals.get(r.value, 0)) for r in ReferredTo],
        "trend": trend,
        "chart": bar_chart(trend),
    }


def bar_chart(trend, width=560, height=200) -> dict:
    """Geometry for an SVG bar chart of incidents per term (drawn by the template)."""
    top = max((n for _, n in trend), default=0) or 1
    left, bottom, plot_height = 10, 40, height - 60
    slot = (width - left * 2) / max(len(trend), 1)
    bars = []
    for i, (term, n) in enumerate(trend):
        bar_height = round(plot_height * n / top, 1)
        x = round(left + i * slot + slot * 0.15, 1)
        bars.append(
            {
                "term": term,
                "count": n,
                "x": x,
                "y": round(height - bottom - bar_height, 1),
                "width": round(slot * 0.7, 1),
                "height": bar_height,
                "label_x": round(x + slot * 0.35, 1),
                "label_y": height - bottom + 16,
                "count_y": round(height - bottom - bar_height - 6, 1),
            }
        )
    return {"width": width, "height": height, "bars": bars, "baseline": height - bottom}
