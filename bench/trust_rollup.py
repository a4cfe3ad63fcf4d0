"""One school's dashboard at 20,000 pupils against 2,000, and the trust roll-up at a
trust of 20,000 pupils against 2,000, on realistic data (core.scale, as
`manage.py seed_scale` builds it).

    DJANGO_SETTINGS_MODULE=config.settings_test .venv/bin/python -m bench.trust_rollup

Issue 19 asks that both take at most 2x their time at 2,000 pupils, with equal query
counts, on SQLite and PostgreSQL. The data is what the portal holds: carers have
parent memberships (about 1.6 carers per pupil, siblings sharing theirs), staff
have their roles and classes, about half of each audience signed, consent answers,
devices and incidents. All of it is built first, in one database:

  roll-up 2k   a trust of 2 schools of 1,000 pupils;
  roll-up 20k  a trust of 10 schools of 2,000 pupils; its first school is the
               dashboard's 2,000-pupil school;
  one school   a trust of one school of 20,000 pupils: the dashboard's big school.

Then it times, through the test client (middleware, selectors, template), each page
--repeat times after a warm-up, the two sizes interleaved run by run so that load on
a shared machine falls on both alike, and counts their queries. It prints the
medians, the ratios with "ratio <= 2: yes/no" and the query counts, which must be
equal. Exit status 0 only if every ratio and count holds.

--profile prints a cProfile of the big school's dashboard and of the big roll-up;
--explain prints the plans of their queries (EXPLAIN ANALYZE on PostgreSQL).

It creates and destroys its own test database, like the test runner: SQLite in
memory by default, PostgreSQL when DATABASE_URL is set (test_<name>).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

from bench._setup import django_setup, test_database

TARGET_RATIO = 2.0


def build():
    from django.db import transaction

    from core.scale import build_trust

    started = time.perf_counter()
    with transaction.atomic():
        small = build_trust(name="Rollup Small", sizes=[1000, 1000])
        large = build_trust(name="Rollup Large", sizes=[2000] * 10)
        big = build_trust(name="One Big School", sizes=[20000])
    seconds = time.perf_counter() - started
    return small, large, big, seconds


def _queries(client, url):
    from django.db import connection

    queries = []
    with connection.execute_wrapper(
        lambda execute, sql, params, many, context: queries.append((sql, params)) or execute(sql, params, many, context)
    ):
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return queries


def time_pair(pairs, repeat):
    """{page: (small seconds, big seconds)}: medians of `repeat` runs, the sizes of
    each page interleaved."""
    times = {page: ([], []) for page in pairs}
    for _ in range(repeat):
        for page, ((client_a, url_a), (client_b, url_b)) in pairs.items():
            for client, url, into in ((client_a, url_a, times[page][0]), (client_b, url_b, times[page][1])):
                started = time.perf_counter()
                client.get(url)
                into.append(time.perf_counter() - started)
    return {page: (statistics.median(a), statistics.median(b)) for page, (a, b) in times.items()}


def profile(client, url):
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    client.get(url)
    profiler.disable()
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)


def explain(client, url):
    from django.db import connection

    prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN (ANALYZE, BUFFERS) "
    for sql, params in _queries(client, url):
        if not sql.lstrip().upper().startswith("SELECT"):
            continue
        with connection.cursor() as cursor:
            started = time.perf_counter()
            cursor.execute(prefix + sql, params)
            rows = cursor.fetchall()
            took = time.perf_counter() - started
        print(f"\n-- {took * 1000:.1f} ms: {sql[:300]}")
        print("\n".join(" ".join(str(c) for c in row) for row in rows))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--profile", action="store_true", help="print a cProfile of the big pages")
    parser.add_argument("--explain", action="store_true", help="print the plans of the big pages' queries")
    args = parser.parse_args()
    django_setup()
    from django.conf import settings
    from django.db import connection
    from django.urls import reverse

    from bench.compliance_dashboard import _client_for, analyze

    settings.ALLOWED_HOSTS = ["*"]
    with test_database():
        small, large, big, seconds = build()
        from accounts.models import User
        from schools.models import Guardianship, Membership, Pupil

        print(
            f"built {Pupil.objects.count():,} pupils, {User.objects.count():,} people, "
            f"{Membership.objects.count():,} memberships, {Guardianship.objects.count():,} carers' links "
            f"in {seconds:.0f} s ({connection.vendor}); load average {os.getloadavg()[0]:.1f}"
        )
        analyze()

        def rollup(plan):
            return _client_for(plan.officer), reverse("agreements_trust:compliance", args=[plan.trust.slug])

        def dashboard(built):
            return _client_for(built.head), reverse("agreements:compliance", args=[built.school.slug])

        pairs = {
            "school dashboard": (dashboard(large.schools[0]), dashboard(big.schools[0])),
            "trust roll-up": (rollup(small), rollup(large)),
        }
        counts = {}
        for page, (a, b) in pairs.items():
            _queries(*a), _queries(*b)  # warm-up
            counts[page] = (len(_queries(*a)), len(_queries(*b)))
        if args.profile or args.explain:
            for page, (_, b) in pairs.items():
                print(f"\n===== {page}, big =====")
                profile(*b) if args.profile else explain(*b)
            return 0
        timed = time_pair(pairs, args.repeat)
        load = os.getloadavg()[0]
    ok = True
    print(f"\n{'page':<18}{'2,000 pupils':>14}{'20,000 pupils':>15}{'ratio':>8}  ratio <= {TARGET_RATIO:g}  queries")
    for page, (t_small, t_big) in timed.items():
        q_small, q_big = counts[page]
        ratio = t_big / t_small
        good = ratio <= TARGET_RATIO and q_small == q_big
        ok &= good
        print(
            f"{page:<18}{t_small * 1000:>11.1f} ms{t_big * 1000:>12.1f} ms{ratio:>8.2f}  "
            f"{'yes' if ratio <= TARGET_RATIO else 'NO ':<13}{q_small} / {q_big}"
            f" ({'equal' if q_small == q_big else 'NOT EQUAL'})"
        )
    print(f"load average at the end: {load:.1f} ({os.cpu_count()} cores)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
