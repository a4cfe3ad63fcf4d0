"""The incidents app's parts of a person's record: the incidents a pupil is involved
in, and those naming a member of staff.

Exactly the incidents whose whole record the viewer may open (selectors.
visible_incidents, as the log and the incident page): none without the incident log;
those flagged safeguarding only for the DSL and the head; never one naming the viewer
among the staff involved."""

from __future__ import annotations

from django.urls import reverse

from core.records import Section, pupil_section, staff_section
from core.roles import Cap
from core.text import plural

from .models import Status
from .selectors import visible_incidents


def _section(request, incidents, *, empty, log_query=""):
    incidents = list(incidents.order_by("-reported_at", "-id"))
    open_count = sum(1 for i in incidents if i.status != Status.CLOSED)
    url = reverse("incidents:log", args=[request.school.slug]) + log_query
    return Section(
        key="incidents",
        title="E-safety incidents",
        template="records/incidents.html",
        context={"incidents": incidents, "empty": empty},
        summary=f"{plural(len(incidents), 'incident')}, {open_count} open",
        link=("Incident log", url),
        attention=bool(open_count),
    )


@pupil_section(order=70)
def pupil_incidents(request, pupil):
    if not request.access.can(Cap.VIEW_INCIDENT_LOG):
        return None
    incidents = visible_incidents(request.access).filter(pupils=pupil)
    return _section(
        request,
        incidents,
        empty=f"No incident involving {pupil.first_name} is recorded.",
        log_query=f"?pupil={pupil.pk}",
    )


@staff_section(order=50)
def staff_incidents(request, membership):
    if not request.access.can(Cap.VIEW_INCIDENT_LOG) or membership.is_parent_only:
        return None
    incidents = visible_incidents(request.access).filter(staff=membership)
    return _section(request, incidents, empty="No incident naming them is recorded.")
