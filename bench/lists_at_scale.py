"""Lists that can hold a whole school, at 2,000 and at 20,000 pupils.

    DJANGO_SETTINGS_MODULE=config.settings_test .venv/bin/python -m bench.lists_at_scale

Issue 19 asks that every list that can hold a whole school is paged or streamed and
that no query carries an IN list that grows with the school. The bench builds, with
bulk_create (bench.compliance_dashboard.make_school), one school of 2,000 pupils
(Reception to Year 6, classes of 30, two carers with parental responsibility each,
half signed for), its head and 1,000 incidents linking one or two pupils each, and
times through the test client (middleware, selectors, template), as the head:

  - the who-hasn't-signed list of the parents' form, /s/<school>/compliance/<form>/
    (its first page of each list, with the counts);
  - its CSV, /s/<school>/compliance/<form>/status.csv, read to the last byte;
  - the incident log /s/<school>/incidents/, and the same filtered by one pupil;

(median of --repeat runs after a warm-up), counting each one's queries and the values
its largest query sends (an IN list of ids shows there). Then it grows the school to
20,000 pupils (--factor 10) and does the same.

It prints the times, the ratio big/small and, for each, the queries and the largest
query's values at both sizes. The HTML pages must send the same queries and values at
both sizes (exit status 1 otherwise); the CSV reads a chunk of rows per query, so its
query count grows with the school while its largest query stays the same.

It creates and destroys its own test database: SQLite in memory by default,
PostgreSQL when DATABASE_URL is set (test_<name>).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

from bench._setup import django_setup, test_database


def _consume(response) -> int:
    if response.streaming:
        return sum(len(chunk) for chunk in response.streaming_content)
    return len(response.content)


def _largest(queries) -> int:
    return max((len(params or ()) for _, params in queries), default=0)


def measure(client, url, repeat):
    """(median seconds, queries, values of the largest query, bytes)."""
    from django.db import connection

    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    _consume(response)
    queries = []

    def capture(execute, sql, params, many, context):
        queries.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(capture):
        size = _consume(client.get(url))
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        _consume(client.get(url))
        times.append(time.perf_counter() - started)
    return statistics.median(times), len(queries), _largest(queries), size


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pupils", type=int, default=2000, help="pupils of the small school")
    parser.add_argument("--factor", type=int, default=10, help="the big school is this many times larger")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    django_setup()
    from django.conf import settings
    from django.urls import reverse

    settings.ALLOWED_HOSTS = ["*"]
    from bench.compliance_dashboard import _client_for, _users, add_pupils, analyze, make_school
    from bench.incident_log import make_incidents

    with test_database():
        from django.db import connection

        from schools.models import Pupil, Trust

        trust = Trust.objects.create(name="Bench Trust", slug="bench-trust")
        (head,) = _users(1, "head.example")
        started = time.perf_counter()
        school = make_school(trust, args.pupils, head_user=head)
        pupil_ids = list(Pupil.objects.filter(school=school).order_by("pk").values_list("pk", flat=True)[:1000])
        make_incidents(school, head, pupil_ids, 1000, 0)
        print(
            f"built {args.pupils:,} pupils and 1,000 incidents in {time.perf_counter() - started:.1f} s ({connection.vendor})"
        )
        analyze()
        form = school.bench_forms["parents"]
        log = reverse("incidents:log", args=[school.slug])
        pages = {
            "who hasn't signed (page)": reverse("agreements:compliance_form", args=[school.slug, form.pk]),
            "who hasn't signed (CSV)": reverse("agreements:compliance_csv", args=[school.slug, form.pk]),
            "incident log": log,
            "incident log, one pupil": f"{log}?pupil={pupil_ids[0]}",
        }
        client = _client_for(head)
        small = {name: measure(client, url, args.repeat) for name, url in pages.items()}
        started = time.perf_counter()
        add_pupils(school, args.pupils * (args.factor - 1))
        total = Pupil.objects.filter(school=school).count()
        print(f"grew to {total:,} pupils in {time.perf_counter() - started:.1f} s")
        analyze()
        big = {name: measure(client, url, args.repeat) for name, url in pages.items()}

    from agreements.drilldown import CHUNK_SIZE as chunk

    ok = True
    big_label = f"{args.pupils * args.factor:,}"
    print(f"\n{'list':<26}{f'{args.pupils:,}':>11}{big_label:>12}{'ratio':>8}  queries   largest query's values  bytes")
    for name in pages:
        (t_small, q_small, p_small, b_small), (t_big, q_big, p_big, b_big) = small[name], big[name]
        # The CSV reads a chunk of rows per query: its largest query is bounded by the
        # chunk (the same at both sizes once the small school fills a chunk).
        streamed = "CSV" in name
        bounded = p_big == p_small or (streamed and p_big <= chunk + 10)
        good = bounded and (streamed or q_small == q_big)
        ok &= good
        print(
            f"{name:<26}{t_small * 1000:>8.1f} ms{t_big * 1000:>9.1f} ms{t_big / t_small:>8.2f}  "
            f"{q_small:>3} / {q_big:<3}  {p_small:>5} / {p_big:<5}{'' if good else ' GROWS'}"
            f"          {b_small:,} / {b_big:,}"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
