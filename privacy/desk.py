"""Desk items for data protection: requests whose one-month deadline is near or past,
and exports ready to check and download, for those who handle them."""

from django.db.models import Count, Min, Q
from django.urls import reverse
from django.utils import timezone

from core.desk import DUE, OVERDUE, WAITING, DeskItem, accesses, register
from core.roles import Cap
from core.text import plural

from .models import ExportStatus, RightsRequest, SubjectAccessExport
from .selectors import due_soon


@register
def rights_requests_due(request):
    """One item per school: the open requests, overdue first. Two queries."""
    schools = {a.school.pk: a.school for a in accesses(request) if a.can(Cap.HANDLE_SUBJECT_ACCESS)}
    if not schools:
        return []
    today = timezone.localdate()
    soon = due_soon(today)
    rows = (
        RightsRequest.objects.filter(school_id__in=list(schools), decision="")
        .values("school_id")
        .annotate(
            open=Count("pk"),
            overdue=Count("pk", filter=Q(due_on__lt=today)),
            due=Count("pk", filter=Q(due_on__gte=today, due_on__lte=soon)),
            first_due=Min("due_on"),
        )
    )
    ready = dict(
        SubjectAccessExport.objects.filter(school_id__in=list(schools), status=ExportStatus.READY)
        .values("school_id")
        .annotate(n=Count("pk"))
        .values_list("school_id", "n")
    )
    items = []
    for row in rows:
        school = schools[row["school_id"]]
        if row["overdue"]:
            urgency, count, title = (
                OVERDUE,
                row["overdue"],
                f"{plural(row['overdue'], 'data protection request')} past the one-month deadline",
            )
        elif row["due"]:
            urgency, count, title = (
                DUE,
                row["due"],
                f"{plural(row['due'], 'data protection request')} due within a week",
            )
        else:
            urgency, count, title = WAITING, row["open"], f"{plural(row['open'], 'data protection request')} open"
        items.append(
            DeskItem(
                title=title,
                url=reverse("privacy:home", args=[school.slug]),
                why=f"The law gives {school.name} one calendar month to answer; the first is due {row['first_due']:%-d %B %Y}.",
                since=row["first_due"],
                area="settings",
                urgency=urgency,
                count=count,
                school=school,
            )
        )
    for school_id, count in ready.items():
        school = schools[school_id]
        items.append(
            DeskItem(
                title=f"{plural(count, 'subject access export')} ready to check and download",
                url=reverse("privacy:home", args=[school.slug]),
                why="Check the listed items, download it once, and release it to the person who asked.",
                since=None,
                area="settings",
                urgency=DUE,
                count=count,
                school=school,
            )
        )
    return items
