"""Writing reminders: record each thing due once, combine a person's items into one
email a day, and queue the email for outside the school's quiet hours."""

from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass

from django.db import IntegrityError, connection, models, transaction
from django.urls import reverse
from django.utils import timezone

from core import audit
from core.text import plural

from . import recipient_table
from .models import ReminderEmail, ReminderItem, ReminderPreference, ReminderSettings
from .schedule import default_settings, next_allowed_moment, settings_for, settings_for_schools


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
    urgent: bool = False,
) -> ReminderItem | None:
    """Record one reminder, unless the same one (recipient, subject, due date) was
    recorded before: then nothing happens and None comes back. The item joins the
    person's unsent email (today's, or tomorrow's if today's has gone); an urgent one
    gets an email of its own, sent at once."""
    if ReminderItem.objects.filter(recipient=recipient, subject_key=subject_key, due_on=due_on).exists():
        return None
    if urgent:
        fields = {
            "school": school,
            "recipient_id": recipient.pk,
            "kind": kind,
            "subject_key": subject_key,
            "due_on": due_on,
            "text": text,
            "action_url": action_url,
            "requested_by_id": requested_by.pk if requested_by else None,
        }
        with transaction.atomic():
            return _queue_urgent(fields, timezone.now())
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
        email = ReminderEmail.objects.select_for_update().filter(recipient=recipient, day=day, urgent=False).first()
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
    from .tasks import queue_sends

    email = ReminderEmail.objects.filter(pk=email_id, state=ReminderEmail.State.QUEUED).first()
    if email is not None and email.send_after <= timezone.now():
        queue_sends([email_id])


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
            summary=f"Reminded {plural(reminded, 'person', 'people')} to sign {form.title}",
        )
    return reminded


def _staff_item(school, form, user, today, requested_by):
    return queue_item(
        school=school,
        recipient=user,
        kind=ReminderItem.Kind.SIGNATURE,
        subject_key=f"form:{form.pk}",
        due_on=today,
        text=f"Please read and sign: {form.full_title}.",
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
        text=f"Please read and sign for {pupil.first_name}: {form.full_title}.",
        action_url=reverse("family_sign:sign", kwargs={"form_id": form.pk}),
        requested_by=requested_by,
    )


def _teacher_item(school, form, user, pupils, today, requested_by):
    if not pupils:
        return None
    count = len(pupils)
    class_ = pupils[0].school_class
    where = f" in {class_.name}" if class_ else ""
    text = f"{count} pupil{'s' if count != 1 else ''}{where} still need {form.full_title}: " + (
        "read it to them and record who was there." if form.audience == "eyfs_ks1" else "run a class session."
    )
    return queue_item(
        school=school,
        recipient=user,
        kind=ReminderItem.Kind.SIGNATURE,
        subject_key=f"form:{form.pk}:class:{class_.pk if class_ else 0}",
        due_on=today,
        text=text,
        action_url=(
            reverse("agreements:class_agreements", kwargs={"school_slug": school.slug, "class_id": class_.pk})
            if class_
            else reverse("schools:home", kwargs={"school_slug": school.slug})
        ),
        requested_by=requested_by,
    )


# --- Many at once (the sweeps) ---------------------------------------------------------

ITEM_COLUMNS = [
    "school",
    "trust",
    "recipient",
    "email",
    "kind",
    "subject_key",
    "due_on",
    "text",
    "action_url",
    "mandatory",
    "requested_by",
    "created_at",
]


def _insert_ignoring_conflicts(model, fields: list[str], rows: list[tuple]) -> None:
    """INSERT ... ON CONFLICT DO NOTHING of many rows in one executemany (SQLite and
    PostgreSQL both): bulk_create would split the rows into a query per ~90 on SQLite,
    and a query count that grows with the people is what the sweeps must avoid. A row
    whose unique key exists already (a concurrent sweep) is skipped by the database."""
    if not rows:
        return
    columns = [model._meta.get_field(name) for name in fields]
    quote = connection.ops.quote_name
    # Table and column names come from the model (quoted); the values are parameters.
    table, names = quote(model._meta.db_table), ", ".join(quote(c.column) for c in columns)
    placeholders = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {table} ({names}) VALUES ({placeholders}) ON CONFLICT DO NOTHING"  # noqa: S608
    # Dates and times as the database takes them (once per distinct value: they repeat);
    # numbers, text and booleans as they are.
    adapters = []
    for column in columns:
        if isinstance(column, models.DateTimeField):
            adapters.append(functools.lru_cache(maxsize=1024)(connection.ops.adapt_datetimefield_value))
        elif isinstance(column, models.DateField):
            adapters.append(functools.lru_cache(maxsize=1024)(connection.ops.adapt_datefield_value))
        else:
            adapters.append(None)
    prepared = [
        tuple(v if adapt is None or v is None else adapt(v) for adapt, v in zip(adapters, row, strict=True))
        for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, prepared)


def _next_monday(day: datetime.date) -> datetime.date:
    return day + datetime.timedelta(days=(7 - day.weekday()) % 7)


def queue_items(items: list[dict]) -> int:
    """Record many reminders at once, with the same guarantees as queue_item: each
    (recipient, subject, due date) is recorded once, however often this runs or however
    many sweeps run together, and joins the person's one unsent email of its day.

    Each item is a dict with school (or school None and trust: a trust's reminder, under
    the default quiet hours), recipient_id, kind, subject_key, due_on, text, action_url
    and optionally mandatory (default True), requested_by_id and urgent.
    Non-mandatory items follow the person's preference: in the next email, in the
    Monday email, or not at all. An urgent item (a breach's 72-hour deadline) is always
    sent, at once, in an email of its own: outside the one-a-day rule and quiet hours.
    A fixed number of queries however many ordinary items (bulk reads, bulk inserts),
    and a few for each new urgent one (they are rare). Returns how many new items were
    recorded."""
    if not items:
        return 0
    now = timezone.now()
    today = timezone.localdate(now)

    # One of each key, in the order given.
    wanted: dict[tuple, dict] = {}
    for item in items:
        wanted.setdefault((item["recipient_id"], item["subject_key"], item["due_on"]), item)

    # The people, in a temporary table the queries below read as a subquery (no IN
    # list that grows with the school).
    recipient_table.fill(key[0] for key in wanted)
    # Recorded before (by an earlier sweep, or "remind now" today): the people's items
    # between the first and the last due date (two parameters, however many dates).
    due_dates = {key[2] for key in wanted}
    recorded = set(
        ReminderItem.objects.filter(
            recipient_id__in=recipient_table.recipients(), due_on__gte=min(due_dates), due_on__lte=max(due_dates)
        ).values_list("recipient_id", "subject_key", "due_on")
    )
    new = [item for key, item in wanted.items() if key not in recorded]
    urgent = [item for item in new if item.get("urgent")]
    new = [item for item in new if not item.get("urgent")]
    made = 0
    if urgent:
        with transaction.atomic():
            made = sum(_queue_urgent(item, now) is not None for item in urgent)
    if not new:
        return made

    # Preferences, for what the person may turn off.
    optional = {item["recipient_id"] for item in new if not item.get("mandatory", True)}
    preferences = (
        dict(
            ReminderPreference.objects.filter(user_id__in=recipient_table.recipients())
            .exclude(frequency=ReminderPreference.Frequency.EACH)
            .values_list("user_id", "frequency")
        )
        if optional
        else {}
    )
    placed = []  # (item, first day it may go)
    for item in new:
        day = today
        if not item.get("mandatory", True):
            frequency = preferences.get(item["recipient_id"], ReminderPreference.Frequency.EACH)
            if frequency == ReminderPreference.Frequency.NEVER:
                continue
            if frequency == ReminderPreference.Frequency.WEEKLY:
                day = _next_monday(today)
        placed.append((item, day))
    if not placed:
        return made

    schools = {item["school"].pk: item["school"] for item, _ in placed if item.get("school") is not None}
    rules = settings_for_schools(schools.values())
    rules[None] = default_settings()  # a trust's reminders
    with transaction.atomic():
        emails = _lock_emails(today)
        for attempt in range(4):
            missing: dict[tuple[int, datetime.date], int | None] = {}  # (recipient, day) -> school id
            for item, day in placed:
                day = _first_open_day(emails, item["recipient_id"], day)
                if (item["recipient_id"], day) not in emails:
                    missing.setdefault((item["recipient_id"], day), _school_id(item))
            if not missing:
                break
            if attempt == 3:
                raise RuntimeError("Could not find emails for the reminders.")
            # Made by a concurrent sweep meanwhile: kept, and read back below.
            _insert_ignoring_conflicts(
                ReminderEmail,
                ["recipient", "day", "state", "send_after", "attempts", "last_error", "created_at"],
                [
                    (
                        recipient_id,
                        day,
                        ReminderEmail.State.QUEUED,
                        next_allowed_moment(now if day == today else _start_of(day), rules[school_id]),
                        0,
                        "",
                        now,
                    )
                    for (recipient_id, day), school_id in missing.items()
                ],
            )
            emails.update(_lock_emails(min(d for _, d in missing)))

        rows, email_ids = [], set()
        for item, day in placed:
            email = emails[(item["recipient_id"], _first_open_day(emails, item["recipient_id"], day))]
            email_ids.add(email.pk)
            rows.append(
                (
                    _school_id(item),
                    _trust_id(item),
                    item["recipient_id"],
                    email.pk,
                    item["kind"],
                    item["subject_key"],
                    item["due_on"],
                    item["text"][:300],
                    item["action_url"],
                    item.get("mandatory", True),
                    item.get("requested_by_id"),
                    now,
                )
            )
        # A concurrent sweep may have recorded the same key a moment ago: the database
        # keeps one (the unique constraint), this one is dropped.
        _insert_ignoring_conflicts(ReminderItem, ITEM_COLUMNS, rows)
        by_pk = {email.pk: email for email in emails.values()}
        due_now = [pk for pk in email_ids if by_pk[pk].send_after <= now]
        if due_now:
            transaction.on_commit(lambda: _send_in_batches(due_now))
    return made + len(rows)


def _school_id(item: dict) -> int | None:
    return item["school"].pk if item.get("school") is not None else None


def _trust_id(item: dict) -> int | None:
    if item.get("school") is not None:
        return None
    trust = item["trust"]
    return getattr(trust, "pk", trust)


def _queue_urgent(item: dict, now: datetime.datetime) -> ReminderItem | None:
    """One urgent item in an email of its own, sent at once on commit. The email and
    the item are made together in a savepoint: if the item exists already (made by a
    concurrent sweep a moment ago) both are rolled back, leaving no empty email. Call
    inside a transaction."""
    try:
        with transaction.atomic():
            email = ReminderEmail.objects.create(
                recipient_id=item["recipient_id"], day=timezone.localdate(now), send_after=now, urgent=True
            )
            made = ReminderItem.objects.create(
                school_id=_school_id(item),
                trust_id=_trust_id(item),
                recipient_id=item["recipient_id"],
                email=email,
                kind=item["kind"],
                subject_key=item["subject_key"],
                due_on=item["due_on"],
                text=item["text"][:300],
                action_url=item["action_url"],
                mandatory=True,
                requested_by_id=item.get("requested_by_id"),
            )
    except IntegrityError:
        return None
    transaction.on_commit(lambda: _send_in_batches([email.pk]))
    return made


@dataclass(frozen=True, slots=True)
class _Email:
    pk: int
    state: str
    send_after: datetime.datetime


def _lock_emails(from_day) -> dict[tuple[int, datetime.date], _Email]:
    """The ordinary (not urgent) emails from `from_day` on of the people in the
    recipient table, locked until commit so that a worker cannot claim one while items
    are being added to it."""
    return {
        (recipient_id, day): _Email(pk, state, send_after)
        for pk, recipient_id, day, state, send_after in ReminderEmail.objects.select_for_update()
        .filter(recipient_id__in=recipient_table.recipients(), day__gte=from_day, urgent=False)
        .values_list("pk", "recipient_id", "day", "state", "send_after")
    }


def _first_open_day(emails, recipient_id, day):
    """The first day from `day` whose email has not gone (or does not exist yet)."""
    while (recipient_id, day) in emails and emails[(recipient_id, day)].state != ReminderEmail.State.QUEUED:
        day += datetime.timedelta(days=1)
    return day


def _send_in_batches(email_ids) -> None:
    """Hand the emails due now to the workers, a batch a task (see tasks.queue_sends).
    Each was QUEUED and due when its items were added, under lock; one sent meanwhile
    is skipped by the task's claim, so nothing is read again here."""
    from .tasks import queue_sends

    queue_sends(sorted(email_ids))


# --- Settings and preferences ---------------------------------------------------------


def update_settings(
    *,
    school,
    cadence_days: list[int],
    then_every_days: int,
    quiet_from: datetime.time,
    quiet_until: datetime.time,
    quiet_at_weekends: bool,
    by,
    request=None,
) -> ReminderSettings:
    """Save a school's cadence and quiet hours. Raises ValidationError with a sentence
    beside the field that is wrong."""
    from django.core.exceptions import ValidationError

    errors = {}
    cadence = list(cadence_days)
    if any(day < 0 or day > 365 for day in cadence):
        errors["cadence_days"] = "Each number of days must be between 0 and 365."
    elif cadence != sorted(set(cadence)):
        errors["cadence_days"] = "Put the days in order, smallest first, each once (for example 3, 7, 14)."
    elif len(cadence) > 10:
        errors["cadence_days"] = "Choose at most 10 reminders before the regular ones."
    if not 0 <= then_every_days <= 90:
        errors["then_every_days"] = "Choose between 1 and 90 days, or 0 to stop after the reminders above."
    elif not cadence and then_every_days == 0:
        errors["then_every_days"] = "With no days listed above, choose how often to remind (1 to 90 days)."
    if quiet_from == quiet_until:
        errors["quiet_until"] = "Quiet hours must end at a different time from when they start."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        rules, _ = ReminderSettings.objects.select_for_update().get_or_create(school=school)
        rules.cadence_days = cadence
        rules.then_every_days = then_every_days
        rules.quiet_from = quiet_from
        rules.quiet_until = quiet_until
        rules.quiet_at_weekends = quiet_at_weekends
        rules.save()
        weekends = ", and at weekends" if quiet_at_weekends else ""
        audit.record(
            action="school.reminder_settings",
            actor=by,
            school=school,
            obj=rules,
            request=request,
            summary=(
                f"Changed reminders: after {', '.join(map(str, cadence)) or 'no'} days, then every "
                f"{plural(then_every_days, 'day')}; quiet {quiet_from:%H:%M}-{quiet_until:%H:%M}{weekends}"
            ),
        )
    return rules


def set_preference(*, user, frequency: str) -> ReminderPreference:
    preference, _ = ReminderPreference.objects.update_or_create(user=user, defaults={"frequency": frequency})
    return preference


def run_sweeps(*, school, today: datetime.date | None = None) -> int:
    """Record everything the sweeps find due at `school` today (see sweeps.py): a
    fixed number of queries however many people. Returns how many new reminders."""
    from .sweeps import due_items

    return queue_items(due_items(school, today))
