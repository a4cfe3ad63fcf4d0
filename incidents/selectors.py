"""Reads of the incident log, always scoped to a school and to what the person may see.

Who sees an incident:
- the whole record: people who keep or review the log (VIEW_INCIDENT_LOG); an
  incident flagged safeguarding only by the DSL and the head
  (VIEW_SAFEGUARDING_INCIDENTS), not by the e-safety lead unless also the DSL;
- never a member of staff named as involved in it (it may be about them), whatever
  their role;
- the person who reported it: what they filed and what they added since, nothing of
  the triage or the investigation;
- nobody else (governors see only the termly summary, parents never): 404.
"""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import Http404

from core.models import AuditEvent
from core.roles import Cap
from schools.models import Pupil

from .models import Incident, IncidentEntry, IncidentEvidence, Status

VIEW_ACTIONS = ("incident.viewed", "incident.evidence_viewed", "incident.exported")


def can_see_record(access, incident) -> bool:
    """May this person (SchoolAccess) see the whole record of `incident`?"""
    if incident.school_id != access.school.pk or not access.can(Cap.VIEW_INCIDENT_LOG):
        return False
    if incident.safeguarding and not access.can(Cap.VIEW_SAFEGUARDING_INCIDENTS):
        return False
    return not is_involved(access, incident)


def is_involved(access, incident) -> bool:
    """Is this person named among the staff involved in the incident?"""
    return access.membership is not None and incident.staff.filter(pk=access.membership.pk).exists()


def is_reporter(access, user, incident) -> bool:
    return (
        incident.school_id == access.school.pk
        and incident.reported_by_id == user.pk
        and access.can(Cap.REPORT_INCIDENT)
    )


def visible_incidents(access):
    """The incidents of the school whose whole record this person may see."""
    if not access.can(Cap.VIEW_INCIDENT_LOG):
        return Incident.objects.none()
    incidents = Incident.objects.filter(school=access.school)
    if not access.can(Cap.VIEW_SAFEGUARDING_INCIDENTS):
        incidents = incidents.filter(safeguarding=False)
    if access.membership is not None:
        incidents = incidents.exclude(staff=access.membership)
    return incidents


def incident_for(request, incident_id, *, reporter_may_see=True) -> tuple[Incident, bool]:
    """(incident, whole record?) for the person, or 404. Filtered by the school first,
    so an id of another school reveals nothing."""
    incident = (
        Incident.objects.filter(school=request.school, pk=incident_id)
        .select_related("reported_by", "investigator", "closed_by", "ico_decided_by")
        .first()
    )
    if incident is None:
        raise Http404("No such incident.")
    if can_see_record(request.access, incident):
        return incident, True
    if reporter_may_see and is_reporter(request.access, request.user, incident):
        return incident, False
    raise Http404("No such incident.")


def incident_log(access, *, category="", status="", reported_from=None, reported_to=None, pupil=None):
    """The log, newest first, with what its rows show in one query per page."""
    incidents = visible_incidents(access).select_related("reported_by", "investigator")
    if category:
        incidents = incidents.filter(category=category)
    if status == "open":
        incidents = incidents.exclude(status=Status.CLOSED)
    elif status:
        incidents = incidents.filter(status=status)
    if reported_from:
        incidents = incidents.filter(reported_at__date__gte=reported_from)
    if reported_to:
        incidents = incidents.filter(reported_at__date__lte=reported_to)
    if pupil is not None:
        incidents = incidents.filter(pupils=pupil)
    return incidents.order_by("-reported_at", "-id")


def my_reports(school, user):
    return Incident.objects.filter(school=school, reported_by=user).order_by("-reported_at", "-id")


def review_queue(access):
    return (
        visible_incidents(access)
        .filter(status=Status.AWAITING_REVIEW)
        .select_related("reported_by", "investigator")
        .order_by("reported_at", "id")
    )


def open_breaches(access):
    """Open personal data breaches with no ICO decision yet: the 72-hour clocks."""
    return (
        visible_incidents(access)
        .filter(personal_data_breach=True, ico_decision="pending")
        .exclude(status=Status.CLOSED)
        .order_by("aware_at", "id")
    )


def chronology(incident, *, reporter_only_for=None):
    """The entries, oldest first. For the reporter: only the report and their own
    additions."""
    entries = IncidentEntry.objects.filter(incident=incident).select_related("author")
    if reporter_only_for is not None:
        entries = entries.filter(author=reporter_only_for, kind__in=["reported", "addition_by_reporter"])
    return entries.order_by("created_at", "id")


def evidence_of(incident, *, uploaded_by=None):
    evidence = IncidentEvidence.objects.filter(incident=incident).select_related("uploaded_by")
    if uploaded_by is not None:
        evidence = evidence.filter(uploaded_by=uploaded_by)
    return evidence.order_by("uploaded_at", "id")


def with_people(incidents):
    """Prefetch the pupils, staff and breached statements of incidents."""
    return incidents.prefetch_related(
        Prefetch("pupils", queryset=Pupil.objects.select_related("school_class")),
        "staff__user",
        "breached_statements__form__version__policy",
    )


def readers(incident):
    """Who has opened this record or its files: one row per person, with how many
    times and when last (from the audit log)."""
    events = (
        AuditEvent.objects.filter(
            school_id=incident.school_id,
            object_type=Incident._meta.label_lower,
            object_id=str(incident.pk),
            action__in=VIEW_ACTIONS,
        )
        .select_related("actor")
        .order_by("-created_at", "-id")
    )
    people: dict[int | None, dict] = {}
    for event in events:
        row = people.setdefault(event.actor_id, {"person": event.actor, "times": 0, "last": event.created_at})
        row["times"] += 1
    return list(people.values())
