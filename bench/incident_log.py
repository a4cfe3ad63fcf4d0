"""The e-safety incident log at 1,000 and at 10,000 incidents.

    DJANGO_SETTINGS_MODULE=config.settings_test .venv/bin/python -m bench.incident_log

Issue 9 asks that the log of 10,000 incidents filters by category, status, date and
pupil with a constant number of queries. The bench builds, with bulk_create, a school
of 1,000 pupils (bench.compliance_dashboard.make_school) and its head, then 1,000
incidents (each linking one or two pupils; categories, statuses and dates spread over
three years), and times through the test client (middleware, selectors, template)
the head's log page /s/<school>/incidents/ with each filter: none, category, status,
a date range, a pupil, and all four together (median of --repeat runs after a
warm-up), counting the queries of each. Then it grows the log to 10,000 incidents and
does the same.

Baseline, measured in the same run at 10,000: the same filtered page in plain SQL
(the COUNT the paginator needs and the first 50 rows with the reporter's name), on
the same connection. It prints the times, the ratio 10,000/1,000, the ratio page /
baseline and the query counts, which must be equal at both sizes. Exit status 0 only
if they are.

It creates and destroys its own test database: SQLite in memory by default,
PostgreSQL when DATABASE_URL is set (test_<name>). --explain prints the plans of the
combined filter's queries.
"""

from __future__ import annotations

import argparse
import datetime
import statistics
import sys
import time

from bench._setup import django_setup, test_database

CATEGORIES = [
    "cyberbullying",
    "virus",
    "misuse",
    "inappropriate_accidental",
    "offensive_message",
    "data_sent_in_error",
    "filtering_alert",
    "other",
]
STATUSES = ["reported", "triaged", "investigating", "awaiting_review", "closed"]


def make_incidents(school, reporter, pupils, count, start):
    """`count` incidents numbered from `start`, one a few hours apart going back."""
    from incidents.models import Incident, IncidentEntry

    now = datetime.datetime(2026, 11, 20, 12, 0, tzinfo=datetime.UTC)
    rows = []
    for n in range(start, start + count):
        when = now - datetime.timedelta(hours=2 * n + (n % 7))
        status = STATUSES[n % len(STATUSES)]
        closed = status == "closed"
        rows.append(
            Incident(
                school=school,
                reference=f"INC-B-{n + 1:05d}",
                reported_by=reporter,
                reported_at=when,
                submission_key=f"bench-{n}",
                occurred_at=when,
                description="Something happened online.",
                category=CATEGORIES[n % len(CATEGORIES)],
                status=status,
                severity="medium" if status != "reported" else "",
                outcome="Dealt with." if closed else "",
                closed_by=reporter if closed else None,
                closed_at=when + datetime.timedelta(days=3) if closed else None,
                investigator=reporter,
            )
        )
    made = Incident.objects.bulk_create(rows, batch_size=1000)
    Through = Incident.pupils.through
    links = []
    for n, incident in enumerate(made, start=start):
        links.append(Through(incident_id=incident.pk, pupil_id=pupils[n % len(pupils)]))
        if n % 3 == 0:
            links.append(Through(incident_id=incident.pk, pupil_id=pupils[(n * 7 + 1) % len(pupils)]))
    # The report entry first, recording the pupils: the database links only those
    # (incidents 0006).
    linked: dict[int, list[int]] = {}
    for link in links:
        linked.setdefault(link.incident_id, []).append(link.pupil_id)
    IncidentEntry.objects.bulk_create(
        [
            IncidentEntry(incident_id=incident_id, kind="reported", author=reporter, data={"pupil_ids": ids})
            for incident_id, ids in linked.items()
        ],
        batch_size=2000,
    )
    Through.objects.bulk_create(links, batch_size=2000)


def filters(pupil_id):
    return {
        "none": {},
        "category": {"category": "cyberbullying"},
        "status": {"status": "open"},
        "date range": {"reported_from": "2026-09-01", "reported_to": "2026-10-31"},
        "pupil": {"pupil": pupil_id},
        "all four": {
            "category": "cyberbullying",
            "status": "open",
            "reported_from": "2025-06-01",
            "reported_to": "2026-11-30",
            "pupil": pupil_id,
        },
    }


def measure(client, url, params, repeat):
    from django.db import connection

    response = client.get(url, params)
    assert response.status_code == 200, (url, params, response.status_code)
    queries = []
    with connection.execute_wrapper(
        lambda execute, sql, p, many, context: queries.append(sql) or execute(sql, p, many, context)
    ):
        client.get(url, params)
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        client.get(url, params)
        times.append(time.perf_counter() - started)
    return statistics.median(times), len(queries)


def baseline_sql(school_id, pupil_id):
    """The combined filter in plain SQL: the COUNT and the first page of 50."""
    from django.db import connection
    from django.utils import timezone

    start = timezone.make_aware(datetime.datetime(2025, 6, 1))
    end = timezone.make_aware(datetime.datetime(2026, 12, 1))
    where = (
        "FROM incidents_incident i JOIN incidents_incident_pupils ip ON ip.incident_id = i.id "
        "WHERE i.school_id = %s AND i.safeguarding = %s AND i.category = %s AND i.status <> %s "
        "AND i.reported_at >= %s AND i.reported_at < %s AND ip.pupil_id = %s"
    )
    params = [
        school_id,
        False,
        "cyberbullying",
        "closed",
        connection.ops.adapt_datetimefield_value(start),
        connection.ops.adapt_datetimefield_value(end),
        pupil_id,
    ]
    count_sql = "SELECT COUNT(*) " + where
    page_sql = (
        "SELECT i.id, i.reference, i.reported_at, i.category, i.status, i.severity, u.first_name, u.last_name "
        + where.replace("WHERE", "JOIN accounts_user u ON u.id = i.reported_by_id WHERE")
        + " ORDER BY i.reported_at DESC, i.id DESC LIMIT 50"
    )
    return count_sql, page_sql, params


def time_baseline(school_id, pupil_id, repeat):
    from django.db import connection

    count_sql, page_sql, params = baseline_sql(school_id, pupil_id)
    times = []
    for _ in range(repeat + 1):
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(count_sql, params)
            cursor.fetchone()
            cursor.execute(page_sql, params)
            cursor.fetchall()
        times.append(time.perf_counter() - started)
    return statistics.median(times[1:])


def explain(client, url, params):
    from django.db import connection

    captured = []
    with connection.execute_wrapper(
        lambda execute, sql, p, many, context: captured.append((sql, p)) or execute(sql, p, many, context)
    ):
        client.get(url, params)
    prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN ANALYZE "
    for sql, p in captured:
        if "incidents_incident" not in sql or "FROM" not in sql:
            continue
        with connection.cursor() as cursor:
            cursor.execute(prefix + sql, p)
            plan = "\n".join(" ".join(str(c) for c in row) for row in cursor.fetchall())
        print(f"-- {sql[:120]}...\n{plan}\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--explain", action="store_true", help="print the plans of the combined filter's queries")
    args = parser.parse_args()
    django_setup()
    from django.conf import settings
    from django.urls import reverse

    settings.ALLOWED_HOSTS = ["*"]
    from bench.compliance_dashboard import _client_for, _users, analyze, make_school

    with test_database():
        from django.db import connection

        from schools.models import Pupil, Trust

        trust = Trust.objects.create(name="Bench Trust", slug="bench-trust")
        (head,) = _users(1, "head.example")
        started = time.perf_counter()
        school = make_school(trust, 1000, head_user=head)
        pupils = list(Pupil.objects.filter(school=school).order_by("pk").values_list("pk", flat=True))
        make_incidents(school, head, pupils, 1000, 0)
        print(f"built 1,000 incidents in {time.perf_counter() - started:.1f} s ({connection.vendor})")
        analyze()
        client = _client_for(head)
        url = reverse("incidents:log", args=[school.slug])
        pupil_id = pupils[0]
        cases = filters(pupil_id)
        small = {name: measure(client, url, params, args.repeat) for name, params in cases.items()}
        started = time.perf_counter()
        make_incidents(school, head, pupils, 9000, 1000)
        print(f"grew to 10,000 incidents in {time.perf_counter() - started:.1f} s")
        analyze()
        big = {name: measure(client, url, params, args.repeat) for name, params in cases.items()}
        base = time_baseline(school.pk, pupil_id, args.repeat)
        if args.explain:
            explain(client, url, cases["all four"])
    ok = True
    print(f"\n{'filter':<12}{'1,000':>10}{'10,000':>11}{'ratio':>7}{'÷ SQL':>8}  queries (1,000 / 10,000)")
    for name in small:
        (t_small, q_small), (t_big, q_big) = small[name], big[name]
        ok &= q_small == q_big
        vs_sql = f"{t_big / base:>8.1f}" if name == "all four" else f"{'':>8}"
        print(
            f"{name:<12}{t_small * 1000:>7.1f} ms{t_big * 1000:>8.1f} ms{t_big / t_small:>7.2f}{vs_sql}  "
            f"{q_small} / {q_big} ({'equal' if q_small == q_big else 'NOT EQUAL'})"
        )
    print(f"\nbaseline: the combined filter's COUNT + first 50 rows in plain SQL: {base * 1000:.2f} ms")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
