"""The reminder sweep over a trust against plain SQL doing the same writes, in one run.

    DJANGO_SETTINGS_MODULE=config.settings_test .venv/bin/python -m bench.reminder_sweep

It builds a trust of 6 schools with 30,000 outstanding signatures (each school: a staff
form and a parents' form, published 3 days ago, the first step of the default cadence;
500 staff and 4,500 pupils with a carer each who have not signed, plus a tenth more who
have), then measures, in turn and a few times each:

  baseline  plain SQL: select the people who have not signed (a NOT EXISTS query per
            form) and executemany-insert one reminder email per person and one
            reminder row per outstanding signature;
  sweep     the portal's sweep of each school (reminders.services.run_sweeps): every
            registered sweep, then queue_items.

  sends     the same sweep on the Thursday morning, outside quiet hours, with Celery
            publishing to the real broker (REDIS_URL): the sweep also hands every
            email it made to the workers (issue 19: "with sends"), which is what made
            it 7.2x plain SQL when each email was a task of its own. The messages go
            to a queue of the bench's own, counted and purged between runs.

All write the same rows; they are deleted between runs (not timed). For the first
two the clock is set to a Thursday evening, in quiet hours, so the sweep records and
queues but sends nothing.

It prints the median times, the ratios sweep/baseline and sends/baseline ("ratio <= 3:
yes/no", the targets of issues 6 and 19), the messages published, and the query counts
of the sweep for the trust at full size and at a tenth (they must be equal: no query
per person), with the largest number of parameters any one query of the sweep had (it
must not grow with the school either: no IN list of its people). It creates and
destroys its own test database: SQLite in memory by default, PostgreSQL when
DATABASE_URL is set. Without REDIS_URL the "sends" row is left out.
"""

from __future__ import annotations

import argparse
import datetime
import statistics
import sys
import time
from zoneinfo import ZoneInfo

from bench._setup import django_setup, test_database

TARGET_RATIO = 3.0
SCHOOLS = 6
UK = ZoneInfo("Europe/London")
NOW = datetime.datetime(2026, 11, 5, 20, 0, tzinfo=UK)  # a Thursday evening: quiet hours
MORNING = datetime.datetime(2026, 11, 5, 10, 0, tzinfo=UK)  # the same Thursday: emails go at once
PUBLISHED = NOW - datetime.timedelta(days=3)


def build_trust(label: str, outstanding_per_school: int, urn_base: int) -> list:
    """A trust of SCHOOLS schools; in each, a tenth of the outstanding people are staff
    and the rest carers (one per pupil); a tenth as many again have signed."""
    from accounts.models import User
    from agreements.models import FormText, Kind, Method, Signature
    from aup.models import AgreementForm, Audience, Policy, PolicyVersion, Statement, VersionStatus
    from core.roles import Role
    from schools.models import Guardianship, Membership, MembershipRole, Pupil, School, Trust, YearGroup

    trust = Trust.objects.create(name=f"Bench {label} Trust", slug=f"bench-{label}")
    staff_n = outstanding_per_school // 10
    pupils_n = outstanding_per_school - staff_n
    signed_staff, signed_pupils = staff_n // 10, pupils_n // 10
    schools = []
    text = FormText.objects.create(sha256=f"{label:0>64}"[:64], text="Bench form\n")
    for s in range(SCHOOLS):
        school = School.objects.create(
            trust=trust,
            name=f"Bench {label} School {s}",
            slug=f"b-{label}-{s}",
            urn=f"{urn_base + s}",
            phase="primary",
        )
        head = User.objects.create_user(email=f"head{s}@{label}.example.org", first_name="Head", last_name=str(s))
        head_m = Membership.objects.create(
            user=head, school=school, status=Membership.Status.ACTIVE, start_date=datetime.date(2024, 9, 1)
        )
        MembershipRole.objects.create(membership=head_m, role=Role.HEADTEACHER)
        forms = {}
        for audience in (Audience.STAFF, Audience.PARENTS):
            policy = Policy.objects.create(school=school, title=f"ICT {audience}")
            version = PolicyVersion.objects.create(
                policy=policy, number=1, status=VersionStatus.PUBLISHED, created_by=head, published_at=PUBLISHED
            )
            form = AgreementForm.objects.create(version=version, audience=audience, title=f"Agreement ({audience})")
            Statement.objects.create(form=form, number=1, text="I will be kind online.")
            forms[audience] = form

        n_staff = staff_n + signed_staff
        users = User.objects.bulk_create(
            [
                User(email=f"staff{s}-{i}@{label}.example.org", first_name="Staff", last_name=str(i), password="!")
                for i in range(n_staff)
            ],
            batch_size=2000,
        )
        memberships = Membership.objects.bulk_create(
            [
                Membership(user=u, school=school, status=Membership.Status.ACTIVE, start_date=datetime.date(2024, 9, 1))
                for u in users
            ],
            batch_size=2000,
        )
        MembershipRole.objects.bulk_create(
            [MembershipRole(membership=m, role=Role.TEACHER) for m in memberships], batch_size=2000
        )
        year = YearGroup.objects.create(school=school, code="3", key_stage="ks2", position=5)
        n_pupils = pupils_n + signed_pupils
        pupils = Pupil.objects.bulk_create(
            [
                Pupil(
                    school=school,
                    first_name=f"P{i}",
                    last_name="Bench",
                    year_group=year,
                    admission_date=datetime.date(2024, 9, 1),
                )
                for i in range(n_pupils)
            ],
            batch_size=2000,
        )
        carers = User.objects.bulk_create(
            [
                User(email=f"carer{s}-{i}@{label}.example.org", first_name="Carer", last_name=str(i), password="!")
                for i in range(n_pupils)
            ],
            batch_size=2000,
        )
        Guardianship.objects.bulk_create(
            [Guardianship(pupil=p, carer=c, relationship="mother") for p, c in zip(pupils, carers, strict=True)],
            batch_size=2000,
        )
        signatures = [
            Signature(
                school=school,
                form=forms[Audience.STAFF],
                text=text,
                kind=Kind.SIGNATURE,
                method=Method.SELF,
                signer=u,
                signer_name="Staff",
                academic_year=2026,
                signed_at=PUBLISHED,
                submission_key=f"{label}-{s}-s{i}",
            )
            for i, u in enumerate(users[:signed_staff])
        ] + [
            Signature(
                school=school,
                form=forms[Audience.PARENTS],
                text=text,
                kind=Kind.SIGNATURE,
                method=Method.FOR_CHILD,
                signer=c,
                pupil=p,
                signer_name="Carer",
                academic_year=2026,
                signed_at=PUBLISHED,
                submission_key=f"{label}-{s}-p{i}",
            )
            for i, (p, c) in enumerate(zip(pupils[:signed_pupils], carers[:signed_pupils], strict=True))
        ]
        Signature.objects.bulk_create(signatures, batch_size=1000)
        schools.append((school, forms))
    return schools


def clear_reminders() -> None:
    from reminders.models import ReminderEmail, ReminderItem

    ReminderItem.objects.all().delete()
    ReminderEmail.objects.all().delete()


def sweep(schools) -> int:
    from reminders.services import run_sweeps

    return sum(run_sweeps(school=school) for school, _ in schools)


BASELINE_STAFF = """
SELECT m.user_id FROM schools_membership m
WHERE m.school_id = %s AND m.status = 'active'
  AND NOT EXISTS (SELECT 1 FROM agreements_signature s WHERE s.form_id = %s AND s.signer_id = m.user_id)
"""
BASELINE_PARENTS = """
SELECT g.carer_id, g.pupil_id FROM schools_guardianship g JOIN schools_pupil p ON p.id = g.pupil_id
WHERE p.school_id = %s AND g.parental_responsibility
  AND NOT EXISTS (SELECT 1 FROM agreements_signature s WHERE s.form_id = %s AND s.pupil_id = g.pupil_id)
"""


def baseline(schools) -> int:
    """Select the same people in plain SQL and executemany-insert the same rows: one
    email per person, one reminder per outstanding signature."""
    from django.db import connection, transaction
    from django.utils import timezone

    from aup.models import Audience

    now = timezone.now()
    today = timezone.localdate(now)
    send_after = datetime.datetime(2026, 11, 6, 7, 0, tzinfo=UK)
    adapt_dt, adapt_d = connection.ops.adapt_datetimefield_value, connection.ops.adapt_datefield_value
    made = 0
    for school, forms in schools:
        with transaction.atomic(), connection.cursor() as cursor:
            staff_form, parents_form = forms[Audience.STAFF], forms[Audience.PARENTS]
            cursor.execute(BASELINE_STAFF, [school.pk, staff_form.pk])
            staff = [row[0] for row in cursor.fetchall()]
            cursor.execute(BASELINE_PARENTS, [school.pk, parents_form.pk])
            parents = cursor.fetchall()
            people = sorted(set(staff) | {carer for carer, _ in parents})
            cursor.executemany(
                "INSERT INTO reminders_reminderemail (recipient_id, day, state, send_after, attempts, last_error, "
                "created_at) VALUES (%s, %s, 'queued', %s, 0, '', %s)",
                [(p, adapt_d(today), adapt_dt(send_after), adapt_dt(now)) for p in people],
            )
            cursor.execute("SELECT recipient_id, id FROM reminders_reminderemail WHERE day = %s", [adapt_d(today)])
            email_of = dict(cursor.fetchall())
            rows = [
                (school.pk, p, email_of[p], f"form:{staff_form.pk}", f"Please sign {staff_form.title}.", "/s/x/sign/1/")
                for p in staff
            ] + [
                (
                    school.pk,
                    carer,
                    email_of[carer],
                    f"form:{parents_form.pk}:pupil:{pupil}",
                    f"Please sign for {pupil}: {parents_form.title}.",
                    "/family/sign/1/",
                )
                for carer, pupil in parents
            ]
            cursor.executemany(
                "INSERT INTO reminders_reminderitem (school_id, recipient_id, email_id, kind, subject_key, due_on, "
                "text, action_url, mandatory, requested_by_id, created_at) "
                "VALUES (%s, %s, %s, 'signature', %s, %s, %s, %s, %s, NULL, %s) ON CONFLICT DO NOTHING",
                [(s, r, e, k, adapt_d(today), t, u, True, adapt_dt(now)) for s, r, e, k, t, u in rows],
            )
            made += len(rows)
    return made


def timed(fn, schools) -> tuple[float, int]:
    clear_reminders()
    start = time.perf_counter()
    made = fn(schools)
    return time.perf_counter() - start, made


def count_queries(fn, schools) -> tuple[int, int, int]:
    """(queries, rows made, the most parameters any one query had)."""
    from django.db import connection

    clear_reminders()
    queries, most = 0, 0

    def watch(execute, sql, params, many, context):
        nonlocal queries, most
        queries += 1
        if params and not many:
            most = max(most, len(params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(watch):
        made = fn(schools)
    return queries, made, most


class Broker:
    """The real broker (REDIS_URL), with the sending tasks routed to a queue of the
    bench's own, so that no worker running on the machine takes them."""

    def __init__(self):
        import uuid

        from config.celery import app

        self.app = app
        self.queue = f"bench-reminders-{uuid.uuid4().hex[:10]}"
        self.saved = (app.conf.task_always_eager, app.conf.task_routes)

    def __enter__(self):
        self.app.conf.task_always_eager = False
        self.app.conf.task_routes = {"reminders.tasks.*": {"queue": self.queue}}
        return self

    def __exit__(self, *exc):
        self.purge()
        self.app.conf.task_always_eager, self.app.conf.task_routes = self.saved

    def purge(self) -> int:
        with self.app.connection_for_write() as conn:
            return conn.default_channel.queue_purge(self.queue) or 0


def run(args) -> int:
    import time_machine
    from django.conf import settings
    from django.db import connection

    per_school = args.outstanding // SCHOOLS
    expected = per_school * SCHOOLS + SCHOOLS  # the heads have not signed either
    with time_machine.travel(NOW, tick=True):
        started = time.perf_counter()
        full = build_trust("full", per_school, 810000)
        small = build_trust("tenth", per_school // 10, 820000)
        print(
            f"Reminder sweep bench: a trust of {SCHOOLS} schools, {per_school * SCHOOLS:,} outstanding signatures "
            f"(and a tenth: {per_school // 10 * SCHOOLS:,}), {connection.vendor}, median of {args.repeat} runs "
            f"(set-up {time.perf_counter() - started:.1f} s)"
        )
        q_full, made_full, p_full = count_queries(sweep, full)
        q_small, made_small, p_small = count_queries(sweep, small)
        qb_full, made_base, _ = count_queries(baseline, full)
        qb_small, _, _ = count_queries(baseline, small)
        assert made_full == made_base == expected, (made_full, made_base)
        if args.profile:
            import cProfile
            import pstats

            clear_reminders()
            profiler = cProfile.Profile()
            profiler.enable()
            sweep(full)
            profiler.disable()
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
            return 0
        base_times, sweep_times = [], []
        for _ in range(args.repeat):  # interleaved, so both see the same machine
            base_times.append(timed(baseline, full)[0])
            sweep_times.append(timed(sweep, full)[0])

    sends = None
    if settings.TEST_REDIS_URL and not args.no_sends:
        with time_machine.travel(MORNING, tick=True), Broker() as broker:
            broker.purge()
            qs_full, made_sends, ps_full = count_queries(sweep, full)
            published = broker.purge()
            qs_small, _, ps_small = count_queries(sweep, small)
            broker.purge()
            assert made_sends == expected, made_sends
            send_times = []
            for _ in range(args.repeat):
                base_times.append(timed(baseline, full)[0])
                send_times.append(timed(sweep, full)[0])
                broker.purge()
            sends = statistics.median(send_times), published, qs_full, qs_small, ps_full, ps_small

    base, swept = statistics.median(base_times), statistics.median(sweep_times)
    ratio = swept / base
    print()
    print(f"{'':34}{'time (s)':>10}{'rows':>10}{'queries':>10}{'at a tenth':>12}{'ratio':>8}")
    print(f"{'baseline (plain SQL)':34}{base:>10.3f}{made_base:>10,}{qb_full:>10}{qb_small:>12}{'':>8}")
    print(f"{'sweep, quiet hours (no sends)':34}{swept:>10.3f}{made_full:>10,}{q_full:>10}{q_small:>12}{ratio:>8.2f}")
    within = ratio <= TARGET_RATIO
    flat = q_full == q_small
    bounded = p_full == p_small
    if sends:
        sent_time, published, qs_full, qs_small, ps_full, ps_small = sends
        sends_ratio = sent_time / base
        print(
            f"{'sweep with sends':34}{sent_time:>10.3f}{made_full:>10,}{qs_full:>10}{qs_small:>12}{sends_ratio:>8.2f}"
        )
        print()
        print(f"tasks published by the sweep with sends: {published:,} for {expected:,} reminders")
        within = within and sends_ratio <= TARGET_RATIO
        flat = flat and qs_full == qs_small
        bounded = bounded and ps_full == ps_small
    print()
    print(f"ratio sweep/baseline: {ratio:.2f}" + (f"; with sends: {sends_ratio:.2f}" if sends else ""))
    print(f"ratio ≤ {TARGET_RATIO:g}: {'yes' if within else 'no'}")
    print(
        f"sweep's queries for {made_small:,} and {made_full:,} signatures: {q_small} and {q_full} "
        f"({q_full // SCHOOLS} a school); does not grow per person: {'yes' if flat else 'no'}"
    )
    with_sends = f"; with sends {sends[5]} and {sends[4]}" if sends else ""
    print(
        f"most parameters in one query of the sweep, at a tenth and at full size: {p_small} and {p_full}"
        f"{with_sends}; no IN list that grows with the school: {'yes' if bounded else 'no'}"
    )
    return 0 if within and flat and bounded else 1


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--outstanding", type=int, default=30000, help="outstanding signatures in the trust")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of each (median)")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of one sweep and stop")
    parser.add_argument("--no-sends", action="store_true", help="leave out the sweep with sends")
    args = parser.parse_args(argv)

    django_setup()
    with test_database():
        return run(args)


if __name__ == "__main__":
    sys.exit(main())
