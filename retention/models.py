"""The retention schedule's own records: the trust's changes to a rule, the review
list the nightly sweep fills, what the DPO approved, the destruction log and legal
holds. None of them holds personal data of the records they count: a review lists
row ids, the destruction log only kinds, counts, dates, rules and who approved."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from core.retention import ACTIONS
from schools.models import School, Trust

ACTION_CHOICES = list(ACTIONS.items())


class RetentionRule(models.Model):
    """A trust's own period or end for one kind of record, replacing the default.
    Every change is a new row (the latest counts), so the history of the schedule
    stays readable; each is audited."""

    trust = models.ForeignKey(Trust, on_delete=models.PROTECT, related_name="retention_rules")
    kind = models.CharField(max_length=64)
    years = models.PositiveSmallIntegerField()
    action = models.CharField(max_length=10, choices=ACTION_CHOICES)
    reason = models.CharField(max_length=500)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["trust", "kind", "-changed_at"])]
        constraints = [models.CheckConstraint(condition=Q(years__gte=1, years__lte=150), name="retention_years_sane")]

    def __str__(self):
        return f"Retention rule for {self.kind}"


class Review(models.Model):
    """What the nightly sweep found at the end of its rules in one trust's schools, waiting for the DPO. Approved, it is disposed of by
    the worker in batches; a newer sweep replaces a review nobody has approved."""

    class Status(models.TextChoices):
        OPEN = "open", "Waiting for approval"
        APPROVED = "approved", "Approved: being destroyed"
        DONE = "done", "Destroyed"
        REPLACED = "replaced", "Replaced by a newer sweep"

    trust = models.ForeignKey(Trust, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    swept_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["open", "replaced"]) | Q(approved_by__isnull=False, approved_at__isnull=False),
                name="review_approved_by_someone",
            ),
        ]

    def __str__(self):
        return f"Retention review of {self.swept_on:%d/%m/%Y}"


class ReviewLine(models.Model):
    """One kind of record in one school on a review: how many, under which rule."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="lines")
    kind = models.CharField(max_length=64)
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    count = models.PositiveIntegerField()
    years = models.PositiveSmallIntegerField()
    action = models.CharField(max_length=10, choices=ACTION_CHOICES)

    class Meta:
        ordering = ["kind", "school__name"]
        constraints = [models.UniqueConstraint(fields=["review", "kind", "school"], name="review_line_once")]

    def __str__(self):
        return f"{self.count} × {self.kind}"


class ReviewItem(models.Model):
    """One record on a review, by id: the only rows the disposal may touch (on
    PostgreSQL the security-definer function checks each id against these)."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(max_length=64)
    school_id = models.BigIntegerField()
    object_id = models.BigIntegerField()
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["review", "kind", "object_id"]),
            models.Index(fields=["review", "id"], condition=Q(done_at__isnull=True), name="review_item_to_do"),
        ]

    def __str__(self):
        return f"{self.kind} #{self.object_id}"


class Destruction(models.Model):
    """The destruction log: what was destroyed, never the data itself. One row per
    batch per school and kind. Evidence (append-only on PostgreSQL)."""

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="destructions")
    kind = models.CharField(max_length=64)
    kind_label = models.CharField(max_length=200)
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    count = models.PositiveIntegerField()
    action = models.CharField(max_length=10, choices=ACTION_CHOICES)
    rule = models.CharField(max_length=300)  # "6 years from the pupil's leaving date, then delete"
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField()
    destroyed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-destroyed_at", "-id"]

    def __str__(self):
        return f"{self.count} × {self.kind} destroyed"


class LegalHold(models.Model):
    """Keeps every record about a pupil, a person or an incident, whatever the rules
    say, until it is lifted with a reason."""

    class Subject(models.TextChoices):
        PUPIL = "pupil", "Pupil"
        PERSON = "person", "Person (staff, carer or visitor account)"
        INCIDENT = "incident", "Incident"

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="legal_holds")
    subject = models.CharField(max_length=10, choices=Subject.choices)
    subject_id = models.BigIntegerField()
    subject_label = models.CharField(max_length=200)  # shown to those who may manage holds
    reason = models.CharField(max_length=500)
    placed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    placed_at = models.DateTimeField(auto_now_add=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    lifted_at = models.DateTimeField(null=True, blank=True)
    lift_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-placed_at", "-id"]
        indexes = [
            models.Index(fields=["school", "subject"], condition=Q(lifted_at__isnull=True), name="hold_in_force")
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(lifted_at__isnull=True) | ~Q(lift_reason=""), name="hold_lifted_with_reason"
            ),
        ]

    def __str__(self):
        return "Legal hold"

    @property
    def in_force(self) -> bool:
        return self.lifted_at is None
