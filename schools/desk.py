"""Desk items about the school community: invitations nobody accepted, roster imports
left unapplied or with rows left out. One query each, however many schools."""

import datetime

from django.db.models import Count, Min, Q
from django.urls import reverse
from django.utils import timezone

from core.desk import DUE, WAITING, DeskItem, accesses, register
from core.roles import Cap

from .models import Membership, RosterImport

RECENT_IMPORTS = datetime.timedelta(days=14)


@register
def invitations_not_accepted(request):
    schools = {a.school.pk: a.school for a in accesses(request) if a.can(Cap.MANAGE_PEOPLE)}
    rows = (
        Membership.objects.filter(school_id__in=list(schools), status=Membership.Status.INVITED)
        .values("school_id")
        .annotate(n=Count("pk"), oldest=Min("created_at"))
        .order_by()
    )
    return [
        DeskItem(
            title=f"{r['n']} invited {'person has' if r['n'] == 1 else 'people have'} not joined yet",
            why="Send a new invitation to anyone whose link has expired (after 7 days).",
            url=reverse("schools:staff", args=[schools[r["school_id"]].slug]),
            since=r["oldest"],
            area="people",
            urgency=WAITING,
            count=r["n"],
            school=schools[r["school_id"]],
        )
        for r in rows
    ]


@register
def imports_with_problems(request):
    """Imports checked but never applied, and recent ones that left rows out."""
    schools = {a.school.pk: a.school for a in accesses(request) if a.can(Cap.IMPORT_ROSTER)}
    recent = timezone.now() - RECENT_IMPORTS
    imports = (
        RosterImport.objects.filter(school_id__in=list(schools), uploaded_at__gte=recent)
        .filter(Q(status=RosterImport.Status.CHECKED) | ~Q(problems=[]))
        .only("pk", "school_id", "kind", "status", "file_name", "uploaded_at", "problems")
        .order_by("uploaded_at", "pk")
    )
    items = []
    for row in imports:
        school = schools[row.school_id]
        if row.status == RosterImport.Status.CHECKED:
            title = f"Apply or abandon the {row.get_kind_display().lower()} import {row.file_name}"
            why = "It was checked but not applied, so nothing in it has changed the school's records yet."
        else:
            n = len(row.problems)
            title = f"{n} row{'' if n == 1 else 's'} left out of the import {row.file_name}"
            why = "Correct them in the MIS and import the file again, or add the people by hand."
        items.append(
            DeskItem(
                title=title,
                why=why,
                url=reverse("schools:import", args=[school.slug, row.pk]),
                since=row.uploaded_at,
                area="people",
                urgency=DUE,
                school=school,
            )
        )
    return items
