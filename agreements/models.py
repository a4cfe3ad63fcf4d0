"""Signatures: immutable evidence of who agreed to exactly which text, when and how."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q

from aup.models import AgreementForm, Audience
from core.storage import private_storage
from schools.models import Pupil, School, SchoolClass

# Verification codes avoid letters and digits people confuse (0/O, 1/I/L).
_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def new_verification_code() -> str:
    raw = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


class FormText(models.Model):
    """The exact text of a published form, stored once and referred to by its SHA-256."""

    sha256 = models.CharField(max_length=64, unique=True)
    text = models.TextField()

    def __str__(self):
        return self.sha256[:12]


class Method(models.TextChoices):
    SELF = "self", "Signed in the portal"
    FOR_CHILD = "for_child", "Signed by a parent or carer for their child"
    CLASS_SESSION = "class_session", "Signed by the pupil in a class session"
    READ_ALOUD = "read_aloud", "Read aloud to the class"
    PAPER = "paper", "Paper form recorded by the office"
    VISITOR_KIOSK = "visitor_kiosk", "Signed at reception"


class Kind(models.TextChoices):
    SIGNATURE = "signature", "Signature"
    WITHDRAWAL = "withdrawal", "Withdrawal"
    CORRECTION = "correction", "Correction"


class Signature(models.Model):
    """Evidence. The application never updates or deletes a signature (on PostgreSQL a
    trigger refuses it too); a withdrawal or correction is a new record pointing at the
    old one. The signed PDF is a separate row (SignedDocument), made afterwards."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="signatures")
    form = models.ForeignKey(AgreementForm, on_delete=models.PROTECT, related_name="signatures")
    text = models.ForeignKey(FormText, on_delete=models.PROTECT, related_name="signatures")
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.SIGNATURE)
    method = models.CharField(max_length=16, choices=Method.choices)
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="signatures"
    )
    signer_name = models.CharField("Full name as typed", max_length=200)
    pupil = models.ForeignKey(Pupil, null=True, blank=True, on_delete=models.PROTECT, related_name="signatures")
    # The teacher who led a class session or read the form aloud; the office member
    # who recorded a paper form.
    led_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    statements_agreed = models.JSONField(default=list)
    drawn_signature = models.TextField(blank=True, help_text="A PNG data URL of the drawn signature, if any.")
    details = models.JSONField(default=dict, blank=True)  # e.g. a visitor's organisation
    academic_year = models.PositiveSmallIntegerField(help_text="The year the academic year starts in.")
    signed_at = models.DateTimeField()
    # The device the person signed on: for a pupil in a class session, the classroom
    # device (kept with their entry); for a paper form or a read-aloud, the device of
    # the office member or teacher who recorded it.
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=500, blank=True)
    # A class session's signatures are made when the teacher confirms them, on the
    # teacher's own device: that device, kept apart from the pupil's.
    confirmed_ip_address = models.GenericIPAddressField(null=True, blank=True)
    confirmed_user_agent = models.CharField(max_length=500, blank=True)
    supersedes = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    # The class session (KS2 pupils signing, or an EYFS/KS1 read-aloud) it came from.
    class_session = models.ForeignKey(
        "ClassSession", null=True, blank=True, on_delete=models.PROTECT, related_name="signatures"
    )
    verification_code = models.CharField(max_length=14, unique=True, default=new_verification_code)
    # A random value the signing form carries, so a double click or the back button
    # makes one signature, not two.
    submission_key = models.CharField(max_length=64, unique=True)
    # The policy the statements refer to: the SHA-256 of its text and of its uploaded
    # document, as fixed when its version was published (empty: the version had none).
    policy_body_sha256 = models.CharField(max_length=64, blank=True)
    policy_document_sha256 = models.CharField(max_length=64, blank=True)
    # When the signing page that showed the policy (inline, or linked) was served to the
    # signer (server time); empty where the portal did not show it (paper, read aloud).
    policy_presented_at = models.DateTimeField(null=True, blank=True)
    # When the signer opened the policy on that page (expanded it, or opened its
    # document): the page reports how long after it was served; empty if they did not.
    policy_opened_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-signed_at", "-id"]
        indexes = [
            models.Index(fields=["form", "signer"]),
            # Covers the dashboard's counts of pupils signed per form (no table reads).
            models.Index(
                fields=["form", "pupil", "kind", "signer", "academic_year", "id"], name="signature_form_pupil_cover"
            ),
            # The few withdrawals, found without reading every signature: each count
            # of "signatures that still count" excludes what they point at.
            models.Index(fields=["supersedes"], condition=Q(kind="withdrawal"), name="signature_withdrawals"),
        ]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("Signatures are evidence: they are never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("Signatures are evidence: they are never deleted.")

    def __str__(self):
        return f"{self.signer_name}: {self.form} ({self.signed_at:%d/%m/%Y})"

    @property
    def how(self) -> str:
        """Who signed and how, in one sentence, as the record and the PDF say it."""
        led_by = self.led_by.full_name if self.led_by_id else ""
        pupil = self.pupil.full_name if self.pupil_id else ""
        match self.method:
            case Method.CLASS_SESSION:
                return f"Signed by {pupil} in a class session led by {led_by}"
            case Method.READ_ALOUD:
                return f"Read aloud to {pupil} in class by {led_by}"
            case Method.PAPER if self.pupil_id and self.form.audience == Audience.KS2:
                return f"Signed on paper by {pupil}, the pupil; recorded by {led_by}"
            case Method.PAPER if self.pupil_id and self.form.audience == Audience.EYFS_KS1:
                return f"Paper form of {pupil}, a pupil; recorded by {led_by}"
            case Method.PAPER:
                whose = f" for {pupil}" if pupil else ""
                return f"Signed on paper by {self.signer_name}{whose}; recorded by {led_by}"
            case Method.FOR_CHILD:
                return f"Signed by {self.signer_name} for {pupil}"
            case Method.VISITOR_KIOSK:
                organisation = self.details.get("organisation", "")
                return f"Signed at reception by {self.signer_name}" + (f" ({organisation})" if organisation else "")
            case _:
                return f"Signed by {self.signer_name} in the portal"


class SignedDocument(models.Model):
    """The signed PDF of a signature, rendered once by a Celery task and kept in
    private storage; its SHA-256 lets /verify/ recognise an unchanged copy."""

    signature = models.OneToOneField(Signature, on_delete=models.PROTECT, related_name="document")
    file = models.FileField(upload_to="signed/%Y/%m/", storage=private_storage)
    sha256 = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Set once the signer has been emailed their copy, so a retried task never sends twice.
    emailed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"PDF of {self.signature}"


class Countersignature(models.Model):
    """The second signature on one signed PDF: a parent or carer countersigning what
    their child agreed in a class session, or the member of staff handing over a
    loan's equipment countersigning the borrower's receipt. The first signature says
    at signing that it awaits one (`details["countersign"]`, one of Role). Evidence:
    never changed or deleted; at most one per signature."""

    class Role(models.TextChoices):
        PARENT = "parent", "Parent countersignature"
        HANDED_OVER_BY = "handed_over_by", "Handed over by"

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="countersignatures")
    signature = models.OneToOneField(Signature, on_delete=models.PROTECT, related_name="countersignature")
    role = models.CharField(max_length=16, choices=Role.choices)
    signer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="countersignatures")
    signer_name = models.CharField("Full name as typed", max_length=200)
    # How the countersigner stands to the first signer: "Mother", "Carer", "Office manager".
    relationship = models.CharField(max_length=100)
    signed_at = models.DateTimeField()
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=500, blank=True)
    # When the countersigning page (showing what was signed) was served.
    presented_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-signed_at", "-id"]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("Countersignatures are evidence: they are never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("Countersignatures are evidence: they are never deleted.")

    def __str__(self):
        return f"{self.signer_name} countersigned {self.signature}"

    @property
    def field_name(self) -> str:
        """The PDF signature field the countersignature fills."""
        return self.get_role_display()


class CountersignedDocument(models.Model):
    """The signed PDF with its countersignature added as an incremental update: the
    first signature still validates. Its own SHA-256, so /verify/ recognises both the
    first signer's copy and this one."""

    countersignature = models.OneToOneField(Countersignature, on_delete=models.PROTECT, related_name="document")
    file = models.FileField(upload_to="signed/%Y/%m/", storage=private_storage)
    sha256 = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"Countersigned PDF of {self.countersignature.signature}"


class PaperScan(models.Model):
    """The scan of a paper form the office recorded (method PAPER): checked by
    content, kept in private storage."""

    signature = models.OneToOneField(Signature, on_delete=models.PROTECT, related_name="paper_scan")
    file = models.FileField(upload_to="paper/%Y/%m/", storage=private_storage)
    content_type = models.CharField(max_length=50)  # application/pdf, image/png, image/jpeg
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"Scan of {self.signature}"


class ClassSession(models.Model):
    """A teacher takes one class through one pupils' form.

    KIOSK (KS2): the teacher opens the session on a classroom device, which is then
    reachable only through a short-lived token (only its SHA-256 is stored); each
    pupil picks their name, reads and types their name (a ClassSessionEntry); when
    the teacher confirms at the end, each entry becomes a Signature "signed by the
    pupil in a session led by the teacher".

    READ_ALOUD (EYFS/KS1): the teacher records the day the form was read aloud and
    who was present; each present pupil gets a Signature; absent pupils stay
    outstanding."""

    class Mode(models.TextChoices):
        KIOSK = "kiosk", "Pupils sign on a classroom device"
        READ_ALOUD = "read_aloud", "Read aloud to the class"

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="class_sessions")
    form = models.ForeignKey(AgreementForm, on_delete=models.PROTECT, related_name="class_sessions")
    school_class = models.ForeignKey(SchoolClass, on_delete=models.PROTECT, related_name="signing_sessions")
    led_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    mode = models.CharField(max_length=10, choices=Mode.choices)
    held_on = models.DateField()
    token_sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    opened_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at"]

    def __str__(self):
        return f"{self.form.title}, {self.school_class} ({self.held_on:%d/%m/%Y})"


class ClassSessionEntry(models.Model):
    """One pupil's turn at the classroom device, waiting for the teacher to confirm."""

    session = models.ForeignKey(ClassSession, on_delete=models.CASCADE, related_name="entries")
    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="+")
    typed_name = models.CharField(max_length=200)
    statements_agreed = models.JSONField(default=list)
    signed_at = models.DateTimeField()
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=500, blank=True)
    # The policy on the kiosk page: when it was shown and opened (see Signature).
    policy_presented_at = models.DateTimeField(null=True, blank=True)
    policy_opened_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["signed_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["session", "pupil"], name="one_entry_per_pupil_per_session")]

    def __str__(self):
        return f"{self.typed_name} in {self.session}"


class ReceptionKiosk(models.Model):
    """The reception device on which visitors sign the school's visitors' form.

    The office opens it for the day; the device then reaches only the kiosk page,
    through a token (only its SHA-256 is stored) that expires at the end of the day
    or when the office closes it."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="reception_kiosks")
    form = models.ForeignKey(AgreementForm, on_delete=models.PROTECT, related_name="reception_kiosks")
    token_sha256 = models.CharField(max_length=64, unique=True)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at"]

    def __str__(self):
        return f"Reception kiosk at {self.school} ({self.opened_at:%d/%m/%Y})"
