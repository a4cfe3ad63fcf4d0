"""Writing reminders: record each thing due once, combine a person's items into one
email a day, and queue the email for outside the school's quiet hours."""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from core import audit

from .models import ReminderEmail, ReminderItem
from .schedule import next_allowed_moment, settings_for


def queue_item(
    *,
    school,
    recipient,
    kind: str,
    subject_key: str,
    due_on: datetime.date,
    text: str,
    action_url: str,
    mandatory: bool = True,
    requested_by=None,
) -> ReminderItem | None:
    """Record one reminder, unless the same one (recipient, subject, due date) was
    recorded before: then nothing happens and None comes back. The item joins the
    person's unsent email (today's, or tomorrow's if today's has gone)."""
    if ReminderItem.objects.filter(recipient=recipient, subject_key=subject_key, due_on=due_on).exists():
        return None
    try:
        with transaction.atomic():
            email = _pending_email(recipient, school)
            item = ReminderItem.objects.create(
                school=school,
                recipient=recipient,
                email=email,
                kind=kind,
                subject_key=subject_key,
                due_on=due_on,
                text=text[:300],
                action_url=action_url,
                mandatory=mandatory,
                requested_by=requested_by,
            )
    except IntegrityError:
        return None  # made by a concurrent sweep a moment ago
    transaction.on_commit(lambda: _send_if_due(email.pk))
    return item


def _pending_email(recipient, school) -> ReminderEmail:
    """The person's email still waiting to go: at most one a day, so once today's has
    gone (or is going) the item waits for tomorrow's."""
    now = timezone.now()
    day = timezone.localdate(now)
    rules = settings_for(school)
    for _ in range(3):
        email = ReminderEmail.objects.select_for_update().filter(recipient=recipient, day=day).first()
        if email is None:
            start = now if day == timezone.localdate(now) else _start_of(day)
            try:
                with transaction.atomic():
                    return ReminderEmail.objects.create(
                        recipient=recipient, day=day, send_after=next_allowed_moment(start, rules)
                    )
            except IntegrityError:
                continue  # another process made it: read it again
        if email.state == ReminderEmail.State.QUEUED:
            return email
        day += datetime.timedelta(days=1)
    raise RuntimeError("Could not find an email for the reminder.")


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(0, 0)))


def _send_if_due(email_id: int) -> None:
    from .tasks import send_reminder_email

    email = ReminderEmail.objects.filter(pk=email_id, state=ReminderEmail.State.QUEUED).first()
    if email is not None and email.send_after <= timezone.now():
        send_reminder_email.delay(email_id)


def remind_now(*, school, form, recipients: dict, requested_by, request=None) -> int:
    """ "Remind now" from the dashboard: each person in `recipients` ({user: [pupils]})
    gets a reminder about `form` today (in their one email of the day, outside quiet
    hours). Pressing it twice in a day reminds nobody twice. Returns how many people
    get a new reminder."""
    from aup.models import Audience

    today = timezone.localdate()
    reminded = 0
    with transaction.atomic():
        for user, pupils in recipients.items():
            if form.audience == Audience.STAFF:
                made = [_staff_item(school, form, user, today, requested_by)]
            elif form.audience == Audience.PARENTS:
                made = [_parent_item(school, form, user, pupil, today, requested_by) for pupil in pupils]
            else:
                made = [_teacher_item(school, form, user, pupils, today, requested_by)]
            reminded += any(made)
        audit.record(
            action="reminders.remind_now",
            actor=requested_by,
            school=school,
            obj=form,
            request=request,
            summary=f"Reminded {reminded} people to sign {form.title}",
        )
    return reminded


def _staff_item(school, form, user, today, requested_by):
    return queue_item(
        school=school,
        recipient=user,
        kind=ReminderItem.Kind.SIGNATURE,
        subject_key=f"form:{form.pk}",
        due_on=today,
        text=f"Please read and sign: {form.title} ({form.version.policy.title}).",
        action_url=reverse("agreements:sign", kwargs={"school_slug": school.slug, "form_id": form.pk}),
        requested_by=requested_by,
    )


def _parent_item(school, form, user, pupil, today, requested_by):
    return queue_item(
        school=school,
        recipient=user,
        kind=ReminderItem.Kind.SIGNATURE,
        subject_key=f"form:{form.pk}:pupil:{pupil.pk}",
        due_on=today,
        text=f"Please read and sign for {pupil.first_name}: {form.title} ({form.version.policy.title}).",
        action_url=reverse("family_sign:sign", kwargs={"form_id": form.pk}),
        requested_by=requested_by,
    )


def _teacher_item(school, form, user, pupils, today, requested_by):
    if not pupils:
        return None
    count = len(pupils)
    class_ = pupils[0].school_class
    where = f" in {class_.name}" if class_ else ""
    text = (
        f"{count} pupil{'s' if count != 1 else ''}{where} still need {form.title} ({form.version.policy.title}): "
        + ("read it to them and record who was there." if form.audience == "eyfs_ks1" else "run a class session.")
    )
    return queue_item(
        school=school,
        recipient=user,
        kind=ReminderItem.Kind.SIGNATURE,
        subject_key=f"form:{form.pk}:class:{class_.pk if class_ else 0}",
        due_on=today,
        text=text,
        action_url=reverse("schools:home", kwargs={"school_slug": school.slug}),
        requested_by=requested_by,
    )
