"""Reads for the data protection pages, always scoped to one school."""

from __future__ import annotations

import datetime

from django.utils import timezone

from .models import REMIND_DAYS_BEFORE, PrivacyNotice, RightsRequest, SubjectAccessExport
from .notice import default_body


def requests_of(school):
    return RightsRequest.objects.filter(school=school).select_related("recorded_by", "decided_by")


def open_requests(school):
    return requests_of(school).filter(decision="").order_by("due_on", "pk")


def decided_requests(school, limit=50):
    return requests_of(school).exclude(decision="").order_by("-decided_on", "-pk")[:limit]


def request_of_school(school, rights_request_id):
    return requests_of(school).filter(pk=rights_request_id).first()


def exports_of(school, limit=50):
    return (
        SubjectAccessExport.objects.filter(school=school)
        .select_related("requested_by", "downloaded_by", "request")
        .order_by("-created_at", "-pk")[:limit]
    )


def export_of_school(school, export_id):
    return (
        SubjectAccessExport.objects.filter(school=school, pk=export_id)
        .select_related("school", "requested_by", "downloaded_by", "request")
        .first()
    )


def due_soon(today: datetime.date | None = None) -> datetime.date:
    """The last due date that counts as 'due soon' today."""
    return (today or timezone.localdate()) + datetime.timedelta(days=REMIND_DAYS_BEFORE)


def notice_for(school) -> PrivacyNotice:
    """The school's notice, or (unsaved) the default text until someone edits it."""
    notice = PrivacyNotice.objects.filter(school=school).first()
    if notice is None:
        notice = PrivacyNotice(school=school, body=default_body(school))
    return notice
