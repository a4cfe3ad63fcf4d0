"""Photo and media consent (seed 004 §26-29, seed 002 appendix 6).

A school's consent form is versioned like a policy: a draft, then one published
version, later superseded. Each carer's answers for one child are a ConsentRecord:
evidence with the same fields as a signature, never changed or deleted (on
PostgreSQL a trigger refuses it too). A change of mind, or a withdrawal, is a new
record pointing at the one it replaces, and counts at once.

One record holds the whole answer set ({purpose code: true/false}) rather than a
row per purpose: a carer answers the form as a whole, the PDF and the text hash are
of the whole form, and "the latest record of each carer" then gives every answer in
one row. Answers are keyed by purpose code, so a record made on an older version
still answers the purposes that the new version keeps."""

import hashlib

from django.conf import settings
from django.db import models
from django.db.models import Q

from agreements.models import FormText, new_verification_code
from core.storage import private_storage
from schools.models import Pupil, School


class FormStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    SUPERSEDED = "superseded", "Replaced by a newer version"


class PurposeKind(models.TextChoices):
    USE = "use", "Use of photos and work"
    SOCIAL = "social", "Social media platform"


# The usual purposes: seed 004 §26.1 and §29, names beside photos, and one per social
# media platform (seed 002 appendix 6: consent is specific to each platform).
DEFAULT_PURPOSES = [
    ("website", "The school website", "Photos of your child, or their work, on the school's public website.", "use"),
    (
        "prospectus",
        "The prospectus and other printed publications",
        "Leaflets, the prospectus and newsletters the school prints to tell people about the school.",
        "use",
    ),
    ("video", "Video and webcam", "Your child recorded on video or shown on a webcam for a learning activity.", "use"),
    (
        "display_inside",
        "Displays inside school",
        "Photos on display boards in corridors, the hall and classrooms.",
        "use",
    ),
    (
        "display_outside",
        "Displays outside school and exhibitions",
        "Displays the school puts up elsewhere, such as an exhibition about the school.",
        "use",
    ),
    (
        "press",
        "Newspapers, TV and other media",
        "Local or national newspapers, radio or TV, when the school sends them news of an event.",
        "use",
    ),
    (
        "video_conferencing",
        "Video calls with people outside school",
        "Your child taking part in a video call, for example with another school. Staff are always there.",
        "use",
    ),
    (
        "first_name",
        "Your child's first name shown with a photo",
        "We never publish a pupil's full name. With your permission we may show their first name beside a photo.",
        "use",
    ),
    ("facebook", "Facebook", "Photos on the school's Facebook page.", "social"),
    ("instagram", "Instagram", "Photos on the school's Instagram account.", "social"),
    ("x", "X (Twitter)", "Photos on the school's X (Twitter) account.", "social"),
    ("youtube", "YouTube", "Videos on the school's YouTube channel.", "social"),
]

DEFAULT_INTRO = (
    "We like to celebrate what our pupils do by sharing photos and work. Please say yes or no "
    "to each use below. Your answers last for your child's time at the school, and you can "
    "change any of them at any time: a change counts straight away. If you say no, your child "
    "still takes part in everything; we just make sure they are not in photos used that way."
)


class ConsentForm(models.Model):
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="consent_forms")
    version = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=10, choices=FormStatus.choices, default=FormStatus.DRAFT)
    intro = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The exact text parents see (FormText), fixed when the version is published.
    text_sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["school", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["school", "version"], name="consent_form_version_once"),
            models.UniqueConstraint(
                fields=["school"], condition=Q(status="published"), name="one_published_consent_form"
            ),
            models.UniqueConstraint(fields=["school"], condition=Q(status="draft"), name="one_draft_consent_form"),
        ]

    def __str__(self):
        return f"Photo consent form, version {self.version} ({self.get_status_display().lower()})"

    def full_text(self, purposes=None) -> str:
        """The exact text a carer answers: hashed into each record's evidence."""
        purposes = list(self.purposes.all()) if purposes is None else purposes
        lines = [f"{self.school.name}: photo and media consent, version {self.version}", "", self.intro.strip(), ""]
        for number, purpose in enumerate(purposes, start=1):
            kind = " (social media)" if purpose.kind == PurposeKind.SOCIAL else ""
            lines.append(f"{number}. {purpose.label}{kind} [{purpose.code}]")
            if purpose.help_text:
                lines.append(f"   {purpose.help_text}")
        lines += ["", "For each use the carer answers yes or no. No answer counts as no."]
        return "\n".join(lines).strip() + "\n"

    @staticmethod
    def sha256_of(text: str) -> str:
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


class ConsentPurpose(models.Model):
    form = models.ForeignKey(ConsentForm, on_delete=models.CASCADE, related_name="purposes")
    code = models.SlugField(max_length=40)
    label = models.CharField(max_length=120)
    help_text = models.CharField(max_length=300, blank=True)
    kind = models.CharField(max_length=10, choices=PurposeKind.choices, default=PurposeKind.USE)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["form", "order", "pk"]
        constraints = [models.UniqueConstraint(fields=["form", "code"], name="consent_purpose_code_once_per_form")]

    def __str__(self):
        return self.label


class ConsentRecord(models.Model):
    """One carer's answers for one child, as submitted: evidence, never changed."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="consent_records")
    form = models.ForeignKey(ConsentForm, on_delete=models.PROTECT, related_name="records")
    text = models.ForeignKey(FormText, on_delete=models.PROTECT, related_name="consent_records")
    carer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="consent_records")
    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="consent_records")
    answers = models.JSONField(help_text="{purpose code: true for yes, false for no}")
    signer_name = models.CharField("Full name as typed", max_length=200)
    drawn_signature = models.TextField(blank=True, help_text="A PNG data URL of the drawn signature, if any.")
    signed_at = models.DateTimeField()
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=500, blank=True)
    # The carer's previous record for this child, which this one replaces.
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    verification_code = models.CharField(max_length=14, unique=True, default=new_verification_code)
    submission_key = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["-signed_at", "-id"]
        indexes = [models.Index(fields=["pupil", "carer"]), models.Index(fields=["school", "signed_at"])]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("Consent records are evidence: they are never changed. Make a new record.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("Consent records are evidence: they are never deleted.")

    def __str__(self):
        return f"{self.signer_name} for {self.pupil} ({self.signed_at:%d/%m/%Y})"

    def answer(self, code: str) -> bool | None:
        value = self.answers.get(code)
        return value if isinstance(value, bool) else None


class ConsentDocument(models.Model):
    """The signed PDF of a record, rendered once by a Celery task, kept privately."""

    record = models.OneToOneField(ConsentRecord, on_delete=models.PROTECT, related_name="document")
    file = models.FileField(upload_to="consent/%Y/%m/", storage=private_storage)
    sha256 = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"PDF of {self.record}"


class Disagreement(models.Model):
    """Two carers with parental responsibility gave different answers for a child; the
    more restrictive (no) applies and the office is told once per record that made it."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="consent_disagreements")
    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="consent_disagreements")
    record = models.OneToOneField(ConsentRecord, on_delete=models.PROTECT, related_name="disagreement")
    purposes = models.JSONField(default=list)  # the codes they disagree on
    created_at = models.DateTimeField(auto_now_add=True)
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Carers disagree about {self.pupil}"


# --- Events: a named group of pupils for "who may appear?" -------------------------------


class SchoolEvent(models.Model):
    """A trip, a match or a performance: the pupils taking part, picked from any classes,
    so staff can check who may appear in its photos and print the list for the day."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="consent_events")
    name = models.CharField(max_length=120)
    date = models.DateField()
    pupils = models.ManyToManyField(Pupil, related_name="consent_events", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "name"]

    def __str__(self):
        return f"{self.name} ({self.date:%d/%m/%Y})"


# --- Planned posts: checked against consent, approved by the head, logged -----------------


class PostStatus(models.TextChoices):
    AWAITING = "awaiting", "Waiting for the head's approval"
    APPROVED = "approved", "Approved: not published yet"
    REFUSED = "refused", "Refused"
    CANCELLED = "cancelled", "Cancelled"
    PUBLISHED = "published", "Published"
    TAKEN_DOWN = "taken_down", "Taken down"


# Purposes whose posts are video, not a still photo: every other purpose (and any a
# school adds) shows images, so its post needs the photo before the head is asked.
VIDEO_PURPOSES = frozenset({"video", "video_conferencing", "youtube"})
# A consent purpose that is a permission, not a place: a post says whether it shows
# first names (PlannedPost.first_name_shown) and each featured pupil's carers must
# have said yes to it.
FIRST_NAME_PURPOSE = "first_name"


class PlannedPost(models.Model):
    """A photo (or video) someone means to publish for one purpose or platform: checked
    against each featured pupil's consent, approved or refused by the head, and once
    published kept in the log, so that a withdrawal of consent, or a pupil leaving,
    lists the posts to take down (seed 002 appendix 6; seed 004 §27.4)."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="planned_posts")
    # The purpose is named by its code on the consent form (answers are keyed by code);
    # the label is kept as it read when the post was planned.
    purpose_code = models.SlugField(max_length=40)
    purpose_label = models.CharField(max_length=120)
    caption = models.TextField(max_length=2000)
    first_name_shown = models.BooleanField(
        default=False, help_text="The post shows pupils' first names: each featured pupil's carers agreed."
    )
    pupils = models.ManyToManyField(Pupil, related_name="planned_posts", blank=True)
    event = models.ForeignKey(SchoolEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="posts")
    image = models.FileField(upload_to="posts/%Y/%m/", storage=private_storage, blank=True)
    image_content_type = models.CharField(max_length=40, blank=True)
    status = models.CharField(max_length=12, choices=PostStatus.choices, default=PostStatus.AWAITING)
    planned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    planned_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True, help_text="The head's reason, when refusing.")
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    published_where = models.CharField(max_length=300, blank=True, help_text="The link, or where it appeared.")
    taken_down_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    taken_down_at = models.DateTimeField(null=True, blank=True)
    take_down_note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-planned_at", "-pk"]
        indexes = [models.Index(fields=["school", "status"])]

    def __str__(self):
        return f"Post for {self.purpose_label} ({self.get_status_display().lower()})"

    @property
    def needs_photo(self) -> bool:
        return needs_photo(self.purpose_code)

    @property
    def short_caption(self) -> str:
        """The caption's first line, cut at a word to about 60 characters."""
        line = (self.caption or "").strip().splitlines()[0] if (self.caption or "").strip() else ""
        if len(line) <= 60:
            return line
        return line[:60].rsplit(" ", 1)[0].rstrip(",.;:") + "…"

    @property
    def title(self) -> str:
        """How pages name the post: “Sports day relay…”, planned 12/06/2026."""
        from django.utils import timezone

        return f"“{self.short_caption}”, planned {timezone.localtime(self.planned_at):%d/%m/%Y}"


def needs_photo(purpose_code: str) -> bool:
    """A post for this purpose shows an image, so it needs the photo."""
    return purpose_code not in VIDEO_PURPOSES and purpose_code != FIRST_NAME_PURPOSE


# --- Mobile phone permission slips (seed 004 §32.1, seed 003 §3.2.6) ---------------------


class PhoneStatus(models.TextChoices):
    REQUESTED = "requested", "Waiting for the head"
    APPROVED = "approved", "Approved: hands the phone in at the office"
    REFUSED = "refused", "Refused"
    ENDED = "ended", "Ended"


class PhonePermission(models.Model):
    """A carer's signed request for their child to bring a mobile phone to school, with
    the reason; the head approves or refuses; while approved, the office's list shows
    the pupil as one who hands a phone in. The request is evidence like a signature:
    what the carer wrote is never changed; a decision or an end is recorded beside it."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="phone_permissions")
    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="phone_permissions")
    carer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="phone_requests")
    reason = models.TextField(max_length=1000)
    signer_name = models.CharField("Full name as typed", max_length=200)
    signed_at = models.DateTimeField()
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=500, blank=True)
    submission_key = models.CharField(max_length=64, unique=True)
    status = models.CharField(max_length=10, choices=PhoneStatus.choices, default=PhoneStatus.REQUESTED)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    # Set (and committed) before the decision is emailed to the carers: never twice.
    decision_emailed_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-signed_at", "-pk"]
        constraints = [
            # At most one open request or permission per child at a time.
            models.UniqueConstraint(
                fields=["pupil"], condition=Q(status__in=["requested", "approved"]), name="one_open_phone_permission"
            )
        ]

    def __str__(self):
        return f"Phone permission for {self.pupil} ({self.get_status_display().lower()})"
