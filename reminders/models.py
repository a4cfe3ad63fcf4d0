"""Reminders: what the portal chases, and every email it sent.

A ReminderItem is one thing due for one person ("sign the staff ICT agreement",
"sign the parents' form for Amy"), recorded with a unique key (recipient, subject,
due date) before anything is sent, so a retry, a crashed worker or two beats never
make it twice. Items due for a person are combined into one ReminderEmail a day.
The email is claimed (state SENDING, committed) before the mail server is called, so a
redelivered task never sends it a second time."""

from django.conf import settings
from django.db import models

from schools.models import School


class ReminderSettings(models.Model):
    """A school's cadence and quiet hours (defaults until the school changes them)."""

    school = models.OneToOneField(School, on_delete=models.CASCADE, related_name="reminder_settings")
    # Days after something became due on which to remind, then every `then_every_days`.
    cadence_days = models.JSONField(default=list, blank=True)
    then_every_days = models.PositiveSmallIntegerField(default=7)
    quiet_from = models.TimeField(default="19:00")
    quiet_until = models.TimeField(default="07:00")
    quiet_at_weekends = models.BooleanField(default=True)

    def __str__(self):
        return f"Reminder settings of {self.school}"


class ReminderEmail(models.Model):
    """The one reminder email a person gets on a day, listing everything due for them."""

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        BOUNCED = "bounced", "Bounced"
        NOT_NEEDED = "not_needed", "Not sent: done before it was due to go"

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder_emails")
    day = models.DateField(help_text="The day (UK) this email belongs to: one a day at most.")
    state = models.CharField(max_length=12, choices=State.choices, default=State.QUEUED)
    send_after = models.DateTimeField(help_text="Not before this moment: outside the school's quiet hours.")
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # An urgent email (a data breach's 72-hour deadline) holds one item and goes at once:
    # outside the one-a-day rule and the quiet hours, which could hold it past the deadline.
    urgent = models.BooleanField(default=False, db_default=False)

    class Meta:
        ordering = ["-day", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "day"], condition=models.Q(urgent=False), name="one_reminder_email_a_day"
            )
        ]
        indexes = [models.Index(fields=["state", "send_after"])]

    def __str__(self):
        return f"Reminder to {self.recipient} on {self.day:%d/%m/%Y} ({self.get_state_display()})"


class ReminderItem(models.Model):
    """One thing due for one person, in one email."""

    class Kind(models.TextChoices):
        SIGNATURE = "signature", "Agreement to sign"
        POLICY_REVIEW = "policy_review", "Policy review due"
        NEW_YEAR = "new_year", "New academic year"
        DIGEST = "digest", "Weekly summary"
        INCIDENT = "incident", "E-safety incident"
        DEVICES = "devices", "School equipment to return"
        CONSENT = "consent", "Photo consent to answer"
        POSTS = "posts", "Photos to take down"
        PHONES = "phones", "Phone request to decide"
        COUNTERSIGN = "countersign", "Agreement to countersign"
        PRIVACY = "privacy", "Data protection request to answer"

    # A school's reminder, or a trust's (a trust-wide policy's review, to trust officers).
    school = models.ForeignKey(School, null=True, blank=True, on_delete=models.CASCADE, related_name="reminder_items")
    trust = models.ForeignKey(
        "schools.Trust", null=True, blank=True, on_delete=models.CASCADE, related_name="reminder_items"
    )
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    email = models.ForeignKey(ReminderEmail, on_delete=models.PROTECT, related_name="items")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # What the reminder is about, e.g. "form:12:pupil:345": with the recipient and the
    # due date it makes the key that is never sent twice.
    subject_key = models.CharField(max_length=120)
    due_on = models.DateField()
    text = models.CharField(max_length=300, help_text="The line the email shows.")
    action_url = models.CharField(max_length=300, help_text="Where the one-click link goes (a path).")
    mandatory = models.BooleanField(default=True, help_text="Something the person must still do.")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Who pressed 'remind now', if it was not the schedule.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Set when the email went without this item because it was done meanwhile (signed
    # overnight, say, while the email waited for the end of quiet hours).
    dropped_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "subject_key", "due_on"], name="a_reminder_is_made_once"),
            models.CheckConstraint(
                condition=models.Q(school__isnull=False, trust__isnull=True)
                | models.Q(school__isnull=True, trust__isnull=False),
                name="reminder_item_of_a_school_or_a_trust",
            ),
        ]
        indexes = [models.Index(fields=["school", "-created_at"])]

    def __str__(self):
        return f"{self.text} ({self.recipient})"


class ReminderPreference(models.Model):
    """How often a person hears about reminders they may turn off (summaries, policy
    reviews, the new year). Something they must still sign is always sent."""

    class Frequency(models.TextChoices):
        EACH = "each", "In my daily reminder email, as things come up"
        WEEKLY = "weekly", "Once a week, on Monday"
        NEVER = "never", "Never"

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder_preference")
    frequency = models.CharField(max_length=10, choices=Frequency.choices, default=Frequency.EACH)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"{self.user}: {self.get_frequency_display()}"
