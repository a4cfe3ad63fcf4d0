"""The e-safety incident log: what was reported, its triage, and its chronology.

An Incident holds the current state (status, severity, who investigates); what
happened to it, step by step, is its chronology of IncidentEntry rows, which are
never changed or deleted (on PostgreSQL a trigger refuses it too). The first entry
is a copy of the report exactly as it was filed."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from aup.models import Statement
from core.storage import private_storage
from schools.models import Membership, Pupil, School

# A personal data breach that must be reported goes to the ICO within 72 hours of the
# school becoming aware of it: 72 real hours, whatever the clocks do meanwhile.
ICO_DEADLINE = datetime.timedelta(hours=72)


class Category(models.TextChoices):
    SECURITY_BREACH = "security_breach", "Security breach or attempted breach"
    LOST_OR_STOLEN = "lost_or_stolen", "Lost or stolen equipment or data"
    VIRUS = "virus", "Virus or malware"
    OFFENSIVE_MESSAGE = "offensive_message", "Unsuitable or offensive email or message"
    MISUSE = "misuse", "Misuse or unauthorised use of ICT"
    INAPPROPRIATE_ACCIDENTAL = "inappropriate_accidental", "Access to inappropriate material (accidental)"
    INAPPROPRIATE_DELIBERATE = "inappropriate_deliberate", "Access to inappropriate material (deliberate)"
    CYBERBULLYING = "cyberbullying", "Cyberbullying"
    SOCIAL_MEDIA_CONTACT = "social_media_contact", "Contact between a pupil and staff on social media"
    STAFF_HARASSMENT = "staff_harassment", "Online harassment of staff"
    DATA_SENT_IN_ERROR = "data_sent_in_error", "Personal data sent in error"
    FILTERING_ALERT = "filtering_alert", "Filtering or monitoring alert"
    OTHER = "other", "Other"


class Status(models.TextChoices):
    REPORTED = "reported", "Reported"
    TRIAGED = "triaged", "Triaged"
    INVESTIGATING = "investigating", "Being investigated"
    AWAITING_REVIEW = "awaiting_review", "Awaiting the head's review"
    CLOSED = "closed", "Closed"


class Severity(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    CRITICAL = "critical", "Critical"


class ICODecision(models.TextChoices):
    PENDING = "pending", "Not decided yet"
    REPORTED = "reported", "Reported to the ICO"
    NOT_REPORTED = "not_reported", "Not reported to the ICO"


class MisuseClass(models.TextChoices):
    """How serious a member of staff's misuse was (seed 003, appendix I)."""

    GROSS = "gross", "Gross: gross misconduct (dismissal)"
    SERIOUS = "serious", "Serious: misconduct (final written or written warning)"
    MILD = "mild", "Mild: misconduct (written or verbal warning, or the informal process)"


# The factors weighed before deciding a sanction (seed 003, appendix II).
MISUSE_FACTORS = [
    ("seniority", "Seniority", "Did a manager fail to set an example, or to challenge others?"),
    ("realisation", "Realisation", "Does the employee understand what the breach means?"),
    ("behaviour_change", "Change of behaviour", "Is it likely to happen again, or will behaviour change?"),
    ("coercion", "Coercion", "Did they feel pressed to join in, by colleagues or a manager?"),
    ("instigator", "Instigator", "Were they at the heart of it, encouraging or spreading the material?"),
    ("recipients", "Recipients", "Who received the material?"),
    ("policies_breached", "Policies breached", "Which policies were breached?"),
    ("environment", "Environment", "Could pupils, parents or the public have seen it?"),
    ("external_contact", "External contact", "Was material exchanged outside the school, risking its reputation?"),
]


class Incident(models.Model):
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="incidents")
    reference = models.CharField(max_length=20)  # INC-2026-0007: the year it was reported, then a number
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reported_at = models.DateTimeField(default=timezone.now)
    # A hidden key on the report form: the same report sent twice (a double tap on a
    # phone, a retry on a poor connection) is filed once.
    submission_key = models.CharField(max_length=64)
    occurred_at = models.DateTimeField()
    location = models.CharField(max_length=200, blank=True)
    description = models.TextField()
    category = models.CharField(max_length=32, choices=Category.choices)
    immediate_action = models.TextField(blank=True)
    others_involved = models.TextField(blank=True)
    pupils = models.ManyToManyField(Pupil, blank=True, related_name="incidents")
    staff = models.ManyToManyField(Membership, blank=True, related_name="incidents")

    status = models.CharField(max_length=20, choices=Status.choices, default=Status.REPORTED)
    severity = models.CharField(max_length=10, choices=Severity.choices, blank=True)  # set at triage
    safeguarding = models.BooleanField(default=False)
    investigator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    triaged_at = models.DateTimeField(null=True, blank=True)
    breached_statements = models.ManyToManyField(Statement, blank=True, related_name="incidents")

    personal_data_breach = models.BooleanField(default=False)
    aware_at = models.DateTimeField(null=True, blank=True)  # the 72-hour clock starts here
    ico_decision = models.CharField(max_length=12, choices=ICODecision.choices, blank=True)
    ico_reason = models.TextField(blank=True)
    ico_decided_at = models.DateTimeField(null=True, blank=True)
    ico_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    misuse_classification = models.CharField(max_length=10, choices=MisuseClass.choices, blank=True)

    outcome = models.TextField(blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-reported_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["school", "reference"], name="incident_reference_once_per_school"),
            models.UniqueConstraint(fields=["school", "reported_by", "submission_key"], name="incident_submitted_once"),
            models.CheckConstraint(
                condition=Q(personal_data_breach=False) | Q(aware_at__isnull=False),
                name="incident_breach_has_aware_at",
            ),
            models.CheckConstraint(
                condition=~Q(status="closed")
                | (Q(closed_by__isnull=False) & Q(closed_at__isnull=False) & ~Q(outcome="")),
                name="incident_closed_has_sign_off",
            ),
        ]
        indexes = [
            models.Index(fields=["school", "-reported_at"]),
            models.Index(fields=["school", "status"]),
            models.Index(fields=["school", "category"]),
            # The 72-hour clocks (log, review queue, the head's home, the hourly sweep):
            # open breaches are few, so a small partial index instead of a scan of the log.
            models.Index(
                fields=["school", "aware_at"],
                condition=Q(personal_data_breach=True, ico_decision="pending"),
                name="incident_breach_pending_idx",
            ),
        ]

    def __str__(self):
        return f"{self.reference}: {self.get_category_display()}"

    @property
    def is_open(self) -> bool:
        return self.status != Status.CLOSED

    @property
    def ico_deadline(self) -> datetime.datetime | None:
        """72 real hours after the school became aware of a personal data breach."""
        if not self.personal_data_breach or self.aware_at is None:
            return None
        return self.aware_at + ICO_DEADLINE


class EntryKind(models.TextChoices):
    REPORTED = "reported", "Reported"
    ADDITION_BY_REPORTER = "addition_by_reporter", "Added by the person who reported it"
    TRIAGE = "triage", "Triage"
    NOTE = "note", "Note"
    CONTACT_WITH_PARENTS = "contact_with_parents", "Contact with parents or carers"
    REFERRAL = "referral", "Referral"
    EVIDENCE = "evidence", "Evidence added"
    STATUS_CHANGE = "status_change", "Status changed"
    ICO_DECISION = "ico_decision", "ICO decision"
    MISUSE_CLASSIFICATION = "misuse_classification", "Staff misuse classification"
    OUTCOME = "outcome", "Outcome and sign-off"
    PUPIL_OUTCOME = "pupil_outcome", "Pupil outcome"


class ReferredTo(models.TextChoices):
    LADO = "lado", "Local authority designated officer (LADO)"
    POLICE = "police", "Police"
    CHILDRENS_SERVICES = "childrens_services", "Children's services"
    ICO = "ico", "Information Commissioner's Office (ICO)"


class AppendOnlyQuerySet(models.QuerySet):
    """Bulk writes skip the model's save() and delete(), so refuse them here too."""

    def update(self, **kwargs):
        raise RuntimeError("The chronology of an incident is never changed.")

    def delete(self):
        raise RuntimeError("The chronology of an incident is never deleted.")

    delete.queryset_only = True


class IncidentEntry(models.Model):
    """One step in an incident's chronology. Never updated or deleted: a correction is
    a new entry."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(max_length=24, choices=EntryKind.choices)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    text = models.TextField(blank=True)
    referred_to = models.CharField(max_length=24, choices=ReferredTo.choices, blank=True)
    reference_number = models.CharField(max_length=100, blank=True)
    data = models.JSONField(default=dict, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name_plural = "incident entries"
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="referral") | (~Q(referred_to="") & ~Q(reference_number="")),
                name="incident_referral_has_reference",
            ),
        ]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("The chronology of an incident is never changed: add a new entry instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("The chronology of an incident is never deleted.")

    def __str__(self):
        return f"{self.get_kind_display()} on {self.created_at:%d/%m/%Y %H:%M}"


class IncidentEvidence(models.Model):
    """A screenshot or document, checked by its content, kept in private storage and
    served only through a view that checks permission. Never changed once stored."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="evidence")
    file = models.FileField(upload_to="incidents/%Y/%m/", storage=private_storage)
    content_type = models.CharField(max_length=50)  # application/pdf, image/png, image/jpeg
    original_name = models.CharField(max_length=200, blank=True)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    description = models.CharField(max_length=300, blank=True)
    taken_at = models.DateTimeField(null=True, blank=True)  # when the screenshot was taken
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name_plural = "incident evidence"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("Evidence is never changed once stored.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("Evidence is never deleted.")

    def __str__(self):
        return f"Evidence for {self.incident.reference}" if self.incident_id else "Evidence"


class IncidentNotification(models.Model):
    """One email telling someone of a new incident, recorded in the same transaction
    as it is sent, so a retried task never sends it twice."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="notifications")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["incident", "recipient"], name="incident_notified_once_per_person")
        ]

    def __str__(self):
        return f"{self.incident.reference} sent to {self.recipient}"


class IctWithdrawal(models.Model):
    """A pupil outcome: ICT access withdrawn until a date (seed 003 §3.3, seed 004 §3.1).
    The pupil's teachers see only the date and a reason in neutral words, never the
    incident: the details stay in the incident's chronology (an entry records the
    decision). Never changed once recorded."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="ict_withdrawals")
    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="ict_withdrawals")
    until = models.DateField(help_text="The last day without ICT access.")
    reason = models.CharField(max_length=200, help_text="What teachers see: neutral words, no details.")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-until", "-id"]
        indexes = [models.Index(fields=["pupil", "until"])]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("A recorded outcome is never changed: record a new one.")
        super().save(*args, **kwargs)

    def __str__(self):
        return f"ICT access withdrawn until {self.until:%d/%m/%Y}"
