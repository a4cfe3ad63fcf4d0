"""Desk items about the e-safety log, for those who triage and review it. Visibility is
the log's own (selectors.visible_incidents): restricted safeguarding incidents only for
the DSL and the head, never one that names the person among the staff involved. One
aggregate query, grouped by school, however many schools and however long the log."""

import operator
from functools import reduce

from django.db.models import Count, Min, Q
from django.urls import reverse

from core.desk import DUE, OVERDUE, DeskItem, accesses, register
from core.roles import Cap
from core.text import plural

from .models import Status
from .selectors import visible_incidents


@register
def incidents_waiting(request):
    relevant = [a for a in accesses(request) if a.can(Cap.TRIAGE_INCIDENTS) or a.can(Cap.REVIEW_INCIDENTS)]
    if not relevant:
        return []
    new = Q(status=Status.REPORTED)
    awaiting = Q(status=Status.AWAITING_REVIEW)
    safeguarding = Q(safeguarding=True) & ~Q(status=Status.CLOSED) & ~Q(status=Status.REPORTED)
    # Each school's own visibility rule, OR-ed into one query grouped by school.
    visible = reduce(operator.or_, (visible_incidents(access) for access in relevant))
    counts_by_school = {
        row["school_id"]: row
        for row in visible.order_by()
        .values("school_id")
        .annotate(
            n_new=Count("pk", filter=new),
            new_since=Min("reported_at", filter=new),
            n_awaiting=Count("pk", filter=awaiting),
            awaiting_since=Min("reported_at", filter=awaiting),
            n_safeguarding=Count("pk", filter=safeguarding),
            safeguarding_since=Min("reported_at", filter=safeguarding),
        )
    }
    items = []
    for access in relevant:
        triage, review = access.can(Cap.TRIAGE_INCIDENTS), access.can(Cap.REVIEW_INCIDENTS)
        school, slug = access.school, access.school.slug
        counts = counts_by_school.get(school.pk)
        if counts is None:
            continue
        log = reverse("incidents:log", args=[slug])
        if triage and counts["n_new"]:
            n = counts["n_new"]
            items.append(
                DeskItem(
                    title=f"{plural(n, 'new e-safety incident')} to triage",
                    why="Set the severity, whether it is a safeguarding matter and who investigates.",
                    url=f"{log}?status={Status.REPORTED}",
                    since=counts["new_since"],
                    area="incidents",
                    urgency=OVERDUE if n and access.can(Cap.VIEW_SAFEGUARDING_INCIDENTS) else DUE,
                    count=n,
                    school=school,
                )
            )
        if access.can(Cap.VIEW_SAFEGUARDING_INCIDENTS) and triage and counts["n_safeguarding"]:
            n = counts["n_safeguarding"]
            items.append(
                DeskItem(
                    title=plural(n, "open safeguarding incident"),
                    why="Flagged as safeguarding and not closed: record referrals and their answers as they come.",
                    url=f"{log}?status=open",
                    since=counts["safeguarding_since"],
                    area="incidents",
                    urgency=DUE,
                    count=n,
                    school=school,
                )
            )
        if review and counts["n_awaiting"]:
            n = counts["n_awaiting"]
            items.append(
                DeskItem(
                    title=f"{plural(n, 'incident awaits', 'incidents await')} your review",
                    why="The investigation is finished: review the outcome and close it with your sign-off.",
                    url=reverse("incidents:review", args=[slug]),
                    since=counts["awaiting_since"],
                    area="incidents",
                    urgency=DUE,
                    count=n,
                    school=school,
                )
            )
    return items
