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

import datetime

from django.db.models import Prefetch
from django.http import Http404
from django.utils import timezone

from core.audit_visibility import restrict
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


# The audit log shows a line about an incident only to those who may open it now.
restrict(Incident._meta.label_lower)(visible_incidents)


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


def _start_of_day(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(0, 0)))


def incident_log(access, *, category="", status="", reported_from=None, reported_to=None, pupil=None):
    """The log, newest first, with what its rows show in one query per page."""
    incidents = visible_incidents(access).select_related("reported_by", "investigator")
    if category:
        incidents = incidents.filter(category=category)
    if status == "open":
        incidents = incidents.exclude(status=Status.CLOSED)
    elif status:
        incidents = incidents.filter(status=status)
    # As a range of moments (UK days), not a date cast of the column: an index on
    # reported_at can serve it.
    if reported_from:
        incidents = incidents.filter(reported_at__gte=_start_of_day(reported_from))
    if reported_to:
        incidents = incidents.filter(reported_at__lt=_start_of_day(reported_to + datetime.timedelta(days=1)))
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


def ict_withdrawals(access, *, pupil_ids=None, school_class=None, today=None) -> dict:
    """{pupil id: the withdrawal of ICT access in force today (the one ending last)} for
    the given pupils (or the pupils of a class), as the pupil's teachers see it: the
    date and the neutral reason, nothing of the incident (the incident is not even
    read). Everyone who sees the whole school's pupils (VIEW_ALL_PUPILS) sees it;
    otherwise only the teachers of the pupil's class. One query."""
    from django.utils import timezone

    from .models import IctWithdrawal

    today = today or timezone.localdate()
    rows = IctWithdrawal.objects.filter(school=access.school, until__gte=today)
    if pupil_ids is not None:
        rows = rows.filter(pupil_id__in=list(pupil_ids))
    if school_class is not None:
        rows = rows.filter(pupil__school_class=school_class)
    if not access.can(Cap.VIEW_ALL_PUPILS):
        if access.membership is None:
            return {}
        rows = rows.filter(pupil__school_class__teachers=access.membership)
    found: dict = {}
    for row in (
        rows.select_related("pupil")
        .only("pupil_id", "until", "reason", "pupil__first_name", "pupil__last_name")
        .order_by("pupil_id", "-until", "-id")
    ):
        found.setdefault(row.pupil_id, row)
    return found


def open_breaches_for_user(user, schools, *, memberships=None) -> list:
    """The person's own home page: open breaches with no ICO decision, at each of
    `schools` where they triage incidents, with the same visibility as the log
    (safeguarding-flagged only for those who see such incidents; never one that names
    them among the staff involved). Two queries however many schools; one, and none
    for someone who triages nowhere, given the person's active `memberships` (with their
    roles) as the request has loaded them (core.tenancy.request_memberships)."""
    from core.roles import capabilities_for
    from schools.models import Membership

    roles: dict[int, set] = {}
    if memberships is not None:
        school_ids = {getattr(s, "pk", s) for s in schools}
        rows = [(m.pk, m.school_id, r) for m in memberships if m.school_id in school_ids for r in m.role_codes]
    else:
        rows = (
            Membership.objects.active()
            .filter(user=user, school__in=schools)
            .values_list("pk", "school_id", "roles__role")
        )
    memberships = set()
    for membership_id, school_id, role in rows:
        memberships.add(membership_id)
        roles.setdefault(school_id, set()).add(role)
    caps = {school_id: capabilities_for(codes) for school_id, codes in roles.items()}
    triaging = [s for s, c in caps.items() if Cap.TRIAGE_INCIDENTS in c and Cap.VIEW_INCIDENT_LOG in c]
    if not triaging:
        return []
    found = (
        Incident.objects.filter(school_id__in=triaging, personal_data_breach=True, ico_decision="pending")
        .exclude(status=Status.CLOSED)
        .exclude(staff__in=memberships)
        .select_related("school")
        .order_by("aware_at", "id")
    )
    return [i for i in found if not i.safeguarding or Cap.VIEW_SAFEGUARDING_INCIDENTS in caps[i.school_id]]
