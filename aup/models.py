"""Policies, their versions and the agreement forms people sign."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.db.models import Q

from core.storage import private_storage
from schools.models import School, StaffType, Trust


class PolicyKind(models.TextChoices):
    ICT_AUP = "ict_aup", "ICT acceptable use"
    MOBILE_PHONES = "mobile_phones", "Mobile phones"
    SOCIAL_MEDIA = "social_media", "Social media"
    ESAFETY = "esafety", "E-safety"
    OTHER = "other", "Other"


class Policy(models.Model):
    """A policy of one school, or of a trust for all its schools.

    A trust's policy is written and approved once, at trust level (school is empty).
    Publishing it gives each school of the trust its own copy (`adopted_from` points
    back), so everything that works per school (signing, the dashboard, reminders)
    works the same for a trust's policy; the copy is read-only at the school."""

    school = models.ForeignKey(School, null=True, blank=True, on_delete=models.PROTECT, related_name="policies")
    trust = models.ForeignKey(Trust, null=True, blank=True, on_delete=models.PROTECT, related_name="policies")
    adopted_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="school_copies"
    )
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=PolicyKind.choices, default=PolicyKind.ICT_AUP)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title"]
        verbose_name_plural = "policies"
        constraints = [
            models.CheckConstraint(
                condition=Q(school__isnull=False, trust__isnull=True) | Q(school__isnull=True, trust__isnull=False),
                name="policy_belongs_to_a_school_or_a_trust",
            ),
            models.UniqueConstraint(
                fields=["school", "adopted_from"],
                condition=Q(adopted_from__isnull=False),
                name="one_copy_of_a_trust_policy_per_school",
            ),
        ]

    @property
    def is_trust_policy(self) -> bool:
        return self.trust_id is not None

    @property
    def is_trust_copy(self) -> bool:
        """A school's copy of its trust's policy: changed only at trust level."""
        return self.adopted_from_id is not None

    def __str__(self):
        return self.title


class VersionStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    APPROVED = "approved", "Approved"
    PUBLISHED = "published", "Published"
    SUPERSEDED = "superseded", "Superseded"


class PolicyVersion(models.Model):
    """One version of a policy. A published version is never edited: a new version
    replaces it, and the old one is kept (7 years from replacement, seed 001)."""

    policy = models.ForeignKey(Policy, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=12, choices=VersionStatus.choices, default=VersionStatus.DRAFT)
    body = models.TextField("Policy text", blank=True, help_text="Write the policy here, or upload the document.")
    document = models.FileField(upload_to="policies/", blank=True, storage=private_storage)
    document_name = models.CharField(max_length=255, blank=True)
    # A Word document is converted to HTML when it is uploaded (and sanitised), so the
    # signing pages show it inline; empty for a PDF, which the browser shows itself.
    document_html = models.TextField(blank=True)
    summary = models.TextField(
        "Short summary",
        blank=True,
        help_text="A few sentences that people read before they sign: what the policy is for and what it asks.",
    )
    # Set once, when the version is published: the SHA-256 of the policy text (UTF-8)
    # and of the uploaded document's bytes, so a signature can say which policy it
    # refers to. A published version never changes, so neither do these.
    body_sha256 = models.CharField(max_length=64, blank=True)
    document_sha256 = models.CharField(max_length=64, blank=True)
    adopted_on = models.DateField(null=True, blank=True)
    reviewed_on = models.DateField(null=True, blank=True)
    next_review_on = models.DateField(null=True, blank=True)
    review_every_years = models.PositiveSmallIntegerField(
        choices=[(1, "Every year"), (2, "Every 2 years"), (3, "Every 3 years")], default=1
    )
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    statutory = models.BooleanField(default=False)
    # The governing body's approval as seed 001 records it: the chair of governors and
    # the headteacher each sign with their own date, and the version is "agreed at the
    # governing body meeting on" a date (for a trust: its board, chair and chief executive).
    approved_on = models.DateField("Agreed at the governing body meeting on", null=True, blank=True)
    approved_by_chair = models.CharField("Chair of governors", max_length=200, blank=True)
    chair_signed_on = models.DateField("Date the chair of governors signed", null=True, blank=True)
    approved_by_head = models.CharField("Headteacher", max_length=200, blank=True)
    head_signed_on = models.DateField("Date the headteacher signed", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    superseded_at = models.DateTimeField(null=True, blank=True)
    # For a school's copy of a trust policy: the trust's version it was copied from.
    copied_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="school_copies"
    )

    class Meta:
        ordering = ["policy", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "number"], name="version_number_once_per_policy"),
            models.UniqueConstraint(
                fields=["policy"], condition=Q(status="published"), name="one_published_version_per_policy"
            ),
        ]

    def __str__(self):
        return f"{self.policy} (version {self.number})"

    @property
    def is_editable(self) -> bool:
        return self.status == VersionStatus.DRAFT

    @property
    def document_filename(self) -> str:
        """The uploaded document's name as the school gave it (or as stored)."""
        return self.document_name or self.document.name.rsplit("/", 1)[-1]

    @property
    def document_is_pdf(self) -> bool:
        return bool(self.document) and self.document_filename.lower().endswith(".pdf")

    @property
    def has_policy(self) -> bool:
        """There is something to read: the text, or an uploaded document."""
        return bool(self.body.strip() or self.document)


class ChangeLogEntry(models.Model):
    """ "Date, section, change, agreed by" (seed 003)."""

    version = models.ForeignKey(PolicyVersion, on_delete=models.CASCADE, related_name="change_log")
    date = models.DateField()
    section = models.CharField(max_length=100)
    change = models.TextField()
    agreed_by = models.CharField(max_length=200)

    class Meta:
        ordering = ["date", "id"]

    def __str__(self):
        return f"{self.date:%d/%m/%Y} {self.section}"


class Audience(models.TextChoices):
    STAFF = "staff", "Staff, governors, volunteers and contractors"
    VISITORS = "visitors", "Visitors"
    KS2 = "ks2", "Pupils who sign for themselves (key stage 2 and above)"
    EYFS_KS1 = "eyfs_ks1", "Pupils in early years and key stage 1 (read aloud)"
    PARENTS = "parents", "Parents and carers, for their child"
    # The conditions someone accepts when they borrow school equipment (a laptop, an
    # iPad): signed on the loan's receipt, not chased on the dashboard.
    LOANS = "loans", "People borrowing school equipment (loan conditions)"


class AgreementForm(models.Model):
    """What one audience signs for a policy version: a short text and numbered
    statements ("I will…"), optionally in sections with their own headings ("I will
    not:"), as schools write them. Statements are numbered through the whole form."""

    version = models.ForeignKey(PolicyVersion, on_delete=models.PROTECT, related_name="forms")
    audience = models.CharField(max_length=10, choices=Audience.choices)
    title = models.CharField(max_length=200)
    intro = models.TextField(blank=True)
    every_academic_year = models.BooleanField(
        "Sign again every academic year", default=False, help_text="For pupils' ICT contract: from 1 September."
    )
    # For the pupils who sign for themselves (KS2): the school asks a parent or carer
    # to countersign what the pupil agreed, on the same signed PDF (seed 002's KS2
    # agreement is signed by the pupil and a parent).
    parent_countersigns = models.BooleanField(
        "A parent or carer countersigns",
        default=False,
        help_text="After the pupil signs, a parent or carer is asked to countersign from their family page.",
    )
    # For the staff audience: which types of staff sign (empty means all of them).
    staff_types = models.JSONField(default=list, blank=True)
    # Set when the version is published: the SHA-256 of the exact text people sign.
    text_sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["version", "audience"]
        constraints = [models.UniqueConstraint(fields=["version", "audience"], name="one_form_per_audience")]

    def __str__(self):
        return f"{self.title} ({self.get_audience_display()})"

    @property
    def full_title(self) -> str:
        """The name people see in lists: the policy first, so two policies' forms with
        the same title never read as the same line."""
        return f"{self.version.policy.title}: {self.title}"

    def statement_groups(self) -> list[StatementGroup]:
        """The statements in order, grouped by section: one group (with no heading)
        for a form without sections. Uses prefetched statements and sections."""
        headings = {section.pk: section.heading for section in self.sections.all()}
        groups: list[StatementGroup] = []
        for statement in self.statements.all():
            if not groups or groups[-1].section_id != statement.section_id:
                groups.append(StatementGroup(statement.section_id, headings.get(statement.section_id, ""), []))
            groups[-1].statements.append(statement)
        return groups

    def canonical_text(self) -> str:
        """The exact text a signature refers to, built the same way every time. A
        form without sections reads as it always has (title, intro, numbered
        statements); each section adds its heading before its statements, with a
        blank line between sections."""
        lines = [self.title.strip(), ""]
        if self.intro.strip():
            lines += [self.intro.strip(), ""]
        for i, group in enumerate(self.statement_groups()):
            if i:
                lines.append("")
            if group.heading.strip():
                lines.append(group.heading.strip())
            lines += [f"{s.number}. {s.text.strip()}" for s in group.statements]
        return "\n".join(lines) + "\n"

    def staff_type_labels(self) -> list[str]:
        return [StaffType(t).label for t in self.staff_types]


@dataclass
class StatementGroup:
    """A section's statements as shown and ticked (one tick per group)."""

    section_id: int | None
    heading: str
    statements: list

    @property
    def numbers(self) -> list[int]:
        return [s.number for s in self.statements]

    @property
    def range_label(self) -> str:
        """The numbers in words: "1 to 10", "4 and 5", or "4" for one statement."""
        first, last = self.statements[0].number, self.statements[-1].number
        if first == last:
            return f"{first}"
        return f"{first} and {last}" if last == first + 1 else f"{first} to {last}"


class FormSection(models.Model):
    """A heading in a form ("I will not:") over the statements that follow it."""

    form = models.ForeignKey(AgreementForm, on_delete=models.CASCADE, related_name="sections")
    position = models.PositiveSmallIntegerField()
    heading = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["form", "position"]
        constraints = [models.UniqueConstraint(fields=["form", "position"], name="section_position_once_per_form")]

    def __str__(self):
        return self.heading or f"Section {self.position}"


class Statement(models.Model):
    form = models.ForeignKey(AgreementForm, on_delete=models.CASCADE, related_name="statements")
    # The section it is in; empty for a form written without sections.
    section = models.ForeignKey(FormSection, null=True, blank=True, on_delete=models.CASCADE, related_name="statements")
    number = models.PositiveSmallIntegerField()
    text = models.TextField()

    class Meta:
        ordering = ["form", "number"]
        constraints = [models.UniqueConstraint(fields=["form", "number"], name="statement_number_once_per_form")]

    def __str__(self):
        return f"{self.number}. {self.text[:60]}"


class Exemption(models.Model):
    """A person asks the head, in writing, to use ICT for a purpose the policy would
    otherwise forbid, and waits for a written answer (seed 002 §4.1)."""

    class Status(models.TextChoices):
        REQUESTED = "requested", "Waiting for the headteacher"
        APPROVED = "approved", "Approved"
        REFUSED = "refused", "Refused"

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="exemptions")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="exemptions")
    policy = models.ForeignKey(Policy, on_delete=models.PROTECT, related_name="exemptions")
    purpose = models.TextField(help_text="What they want to do, and why.")
    requested_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REQUESTED)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True, help_text="The headteacher's reason, given to the person.")
    ends_on = models.DateField(null=True, blank=True, help_text="An approved exemption lasts until this date.")

    class Meta:
        ordering = ["-requested_at"]

    def __str__(self):
        return f"Exemption for {self.requested_by}: {self.purpose[:40]}"


class ApprovalSignature(models.Model):
    """The governing body's approval of a version, signed in the portal: first by the
    chair of governors, then countersigned by the headteacher, both on one signed PDF
    (ApprovalDocument). Evidence: never changed or deleted; one per role and version."""

    class Role(models.TextChoices):
        CHAIR = "chair", "Chair of governors"
        HEAD = "head", "Headteacher"

    version = models.ForeignKey(PolicyVersion, on_delete=models.PROTECT, related_name="approval_signatures")
    role = models.CharField(max_length=8, choices=Role.choices)
    signer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signer_name = models.CharField("Full name as typed", max_length=200)
    signed_at = models.DateTimeField()
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["signed_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["version", "role"], name="one_approval_signature_per_role")]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("Approval signatures are evidence: they are never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("Approval signatures are evidence: they are never deleted.")

    def __str__(self):
        return f"{self.get_role_display()} {self.signer_name}: {self.version}"


class ApprovalDocument(models.Model):
    """The signed approval PDF after each signature: the chair's (one signature), then
    with the head's added as an incremental update (two). Both are kept, each with its
    SHA-256; the latest is the one handed out."""

    version = models.ForeignKey(PolicyVersion, on_delete=models.PROTECT, related_name="approval_documents")
    signature_count = models.PositiveSmallIntegerField()
    file = models.FileField(upload_to="approvals/%Y/%m/", storage=private_storage)
    sha256 = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-signature_count"]
        constraints = [
            models.UniqueConstraint(fields=["version", "signature_count"], name="one_approval_document_per_stage")
        ]

    def __str__(self):
        return f"Signed approval of {self.version} ({self.signature_count} signatures)"
