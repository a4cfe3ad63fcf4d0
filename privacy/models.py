"""Data protection: people's rights under UK GDPR (issue 21) - the requests a school
receives and must answer within a month, the subject access exports it produces, and
the school's privacy notice."""

from __future__ import annotations

import datetime

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from core.storage import private_storage
from core.subject_access import CARER, PUPIL, STAFF
from schools.models import Pupil, School

# The ICO's rule: a request is answered within one calendar month of receipt, to the
# corresponding date of the next month (or that month's last day when it has none).
ANSWER_WITHIN = relativedelta(months=1)
# The head hears a week before the deadline, and on the day it passes.
REMIND_DAYS_BEFORE = 7
# An export holds everything about a person: it is removed 30 days after it was made.
EXPORT_KEPT_FOR = datetime.timedelta(days=30)


def answer_by(received_on: datetime.date) -> datetime.date:
    return received_on + ANSWER_WITHIN


class RightKind(models.TextChoices):
    ACCESS = "access", "Subject access (a copy of their data)"
    RECTIFICATION = "rectification", "Rectification (correct their data)"
    ERASURE = "erasure", "Erasure (delete their data)"
    RESTRICTION = "restriction", "Restriction of processing"
    OBJECTION = "objection", "Objection to processing"


class Decision(models.TextChoices):
    GRANTED = "granted", "Done in full"
    PARTLY = "partly", "Done in part"
    REFUSED = "refused", "Refused"


class RightsRequest(models.Model):
    """One request from a person exercising a right, as received: who asked, when,
    what; then the decision and its date."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="rights_requests")
    kind = models.CharField("What they asked for", max_length=16, choices=RightKind.choices)
    requester_name = models.CharField("Who asked", max_length=200)
    requester_relationship = models.CharField(
        "Their relationship to the person the data is about",
        max_length=200,
        blank=True,
        help_text="For example: the person themselves, the mother of a pupil, a solicitor acting for a parent.",
    )
    subject_name = models.CharField("Whose data it is about", max_length=200)
    received_on = models.DateField("Date received")
    details = models.TextField("What was asked", help_text="In the requester's words, or a summary of their letter.")
    due_on = models.DateField("Answer by")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    decision = models.CharField(max_length=10, choices=Decision.choices, blank=True)
    decision_notes = models.TextField("What was done and why", blank=True)
    decided_on = models.DateField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(decision="") | (Q(decided_on__isnull=False) & Q(decided_by__isnull=False)),
                name="rights_request_decision_has_date_and_person",
            ),
            models.CheckConstraint(condition=Q(due_on__gt=models.F("received_on")), name="rights_request_due_after"),
        ]
        indexes = [models.Index(fields=["school", "due_on"], condition=Q(decision=""), name="rights_request_open_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} request received {self.received_on:%d/%m/%Y}"

    @property
    def is_open(self) -> bool:
        return not self.decision

    def is_overdue(self, today=None) -> bool:
        return self.is_open and (today or timezone.localdate()) > self.due_on

    @property
    def decided_in_time(self) -> bool | None:
        return None if self.decided_on is None else self.decided_on <= self.due_on


class ExportStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    BUILDING = "building", "Being prepared"
    READY = "ready", "Ready to check and download"
    DOWNLOADED = "downloaded", "Downloaded"
    FAILED = "failed", "Could not be prepared"
    REMOVED = "removed", "Removed"


class SubjectAccessExport(models.Model):
    """A ZIP of everything the school keeps about one person, made by the worker,
    downloaded once, removed 30 days after it was asked for."""

    SUBJECT_KINDS = [(PUPIL, "A pupil"), (CARER, "A parent or carer"), (STAFF, "A member of staff")]

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="subject_access_exports")
    request = models.ForeignKey(RightsRequest, null=True, blank=True, on_delete=models.SET_NULL, related_name="exports")
    subject_kind = models.CharField(max_length=8, choices=SUBJECT_KINDS)
    # SET_NULL: the retention sweep may erase the person while an export is kept; the
    # export then goes with its 30 days.
    pupil = models.ForeignKey(Pupil, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Kept so the list still says whose export it was once the file is gone.
    subject_name = models.CharField(max_length=200)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED)
    steps_done = models.PositiveSmallIntegerField(default=0)
    steps_total = models.PositiveSmallIntegerField(default=0)
    file = models.FileField(upload_to="subject-access/%Y/%m/", storage=private_storage, blank=True)
    size = models.PositiveIntegerField(default=0)
    # What a person must read before release (see core.subject_access).
    to_review = models.JSONField(default=list, blank=True)
    ready_at = models.DateTimeField(null=True, blank=True)
    downloaded_at = models.DateTimeField(null=True, blank=True)
    downloaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(subject_kind=PUPIL, person__isnull=True) | Q(~Q(subject_kind=PUPIL), pupil__isnull=True),
                name="export_is_about_one_pupil_or_one_person",
            ),
        ]
        indexes = [models.Index(fields=["created_at"], condition=Q(removed_at__isnull=True), name="export_kept_idx")]

    def __str__(self):
        return f"Subject access export {self.pk}"

    @property
    def remove_after(self) -> datetime.datetime:
        return self.created_at + EXPORT_KEPT_FOR

    @property
    def is_working(self) -> bool:
        return self.status in (ExportStatus.QUEUED, ExportStatus.BUILDING)

    @property
    def percent(self) -> int:
        if not self.steps_total:
            return 0
        return round(100 * self.steps_done / self.steps_total)


class PrivacyNotice(models.Model):
    """A school's privacy notice, as its people edit it (the default text until then)."""

    school = models.OneToOneField(School, on_delete=models.CASCADE, related_name="privacy_notice")
    dpo_name = models.CharField("Data protection officer", max_length=200, blank=True)
    dpo_email = models.EmailField("The data protection officer's email address", blank=True)
    body = models.TextField(
        "The notice",
        help_text="Plain text. Start a line with '## ' for a heading; leave a blank line between paragraphs.",
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    def __str__(self):
        return f"Privacy notice of {self.school}"
