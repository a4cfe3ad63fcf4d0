"""The nightly retention sweep over a trust of 40,000 pupils against plain SQL doing
the same work, in one run; then the disposal of what it found, batch by batch.

    DJANGO_SETTINGS_MODULE=config.settings_test .venv/bin/python -m bench.retention_sweep
    ... -m bench.retention_sweep --pupils 4000      # a quicker run

It builds a trust of 4 schools sharing `--pupils` pupils (40,000 by default, as issue
21 asks), each with a carer and the carer's signed agreement for them; half of the
pupils left in July 2027. The clock is set to 2033-08-01, past the 6 years of the
pupils' agreements rule, so the leavers' signatures are due. Then, a few times each:

  baseline  plain SQL: one INSERT ... SELECT of the due signatures' ids into the review
            items, and one GROUP BY counting them by school;
  sweep     the portal's sweep of the trust (retention.services.sweep_trust): every
            registered kind of record, its counts by school and its ids.

Both write the same item rows (deleted between runs, not timed). It prints the median
times, the ratio sweep/baseline ("ratio <= 3: yes/no") and the sweep's query count at
full size and at a tenth (they must be equal). Then it approves the review and runs
the disposal batches (retention.services.dispose_batch, BATCH_SIZE records each),
printing the time per batch, the records per second and the query count of a batch at
both sizes (equal again). It creates and destroys its own test database: SQLite in
memory by default, PostgreSQL when DATABASE_URL is set (the deletes then go through the
security-definer function, as in production).
"""

from __future__ import annotations

import argparse
import datetime
import statistics
import sys
import time

from bench._setup import django_setup, test_database

TARGET_RATIO = 3.0
SCHOOLS = 4
LEFT_ON = datetime.date(2027, 7, 20)
NOW = datetime.datetime(2033, 8, 1, 12, 0, tzinfo=datetime.UTC)


def build_trust(label: str, pupils_total: int, urn_base: int):
    from accounts.models import User
    from agreements.models import FormText, Kind, Method, Signature
    from aup.models import AgreementForm, Audience, Policy, PolicyVersion, VersionStatus
    from core.roles import Role
    from schools.models import Guardianship, Membership, MembershipRole, Pupil, School, Trust, YearGroup

    trust = Trust.objects.create(name=f"Bench {label} Trust", slug=f"bench-{label}")
    text = FormText.objects.create(sha256=f"{label:0>64}"[:64], text="Bench form\n")
    per_school = pupils_total // SCHOOLS
    signed_at = datetime.datetime(2026, 9, 10, 10, tzinfo=datetime.UTC)
    for s in range(SCHOOLS):
        school = School.objects.create(
            trust=trust, name=f"Bench {label} School {s}", slug=f"b-{label}-{s}", urn=f"{urn_base + s}", phase="primary"
        )
        head = User.objects.create_user(email=f"head{s}@{label}.example.org", first_name="Head", last_name=str(s))
        membership = Membership.objects.create(user=head, school=school, status=Membership.Status.ACTIVE)
        MembershipRole.objects.create(membership=membership, role=Role.HEADTEACHER)
        policy = Policy.objects.create(school=school, title="ICT")
        version = PolicyVersion.objects.create(
            policy=policy, number=1, status=VersionStatus.PUBLISHED, created_by=head, published_at=signed_at
        )
        form = AgreementForm.objects.create(version=version, audience=Audience.PARENTS, title="Parents")
        year = YearGroup.objects.create(school=school, code="6", key_stage="ks2", position=8)
        pupils = Pupil.objects.bulk_create(
            [
                Pupil(
                    school=school,
                    first_name=f"P{i}",
                    last_name="Bench",
                    year_group=year,
                    date_of_birth=datetime.date(2016, 1, 1),
                    leaving_date=LEFT_ON if i % 2 == 0 else None,
                )
                for i in range(per_school)
            ],
            batch_size=2000,
        )
        carers = User.objects.bulk_create(
            [
                User(email=f"carer{s}-{i}@{label}.example.org", first_name="Carer", last_name=str(i), password="!")
                for i in range(per_school)
            ],
            batch_size=2000,
        )
        Guardianship.objects.bulk_create(
            [Guardianship(pupil=p, carer=c, relationship="mother") for p, c in zip(pupils, carers, strict=True)],
            batch_size=2000,
        )
        Signature.objects.bulk_create(
            [
                Signature(
                    school=school,
                    form=form,
                    text=text,
                    kind=Kind.SIGNATURE,
                    method=Method.FOR_CHILD,
                    signer=c,
                    pupil=p,
                    signer_name="Carer",
                    academic_year=2026,
                    signed_at=signed_at,
                    submission_key=f"{label}-{s}-{i}",
                    verification_code=f"{label[:2]}{s}{i:011d}"[:14],
                )
                for i, (p, c) in enumerate(zip(pupils, carers, strict=True))
            ],
            batch_size=1000,
        )
    return trust


BASELINE_ITEMS = """
INSERT INTO retention_reviewitem (review_id, kind, object_id, school_id)
SELECT %s, 'agreements.pupil_agreements', s.id, s.school_id
FROM agreements_signature s JOIN schools_pupil p ON p.id = s.pupil_id
WHERE s.school_id IN (SELECT id FROM schools_school WHERE trust_id = %s) AND p.leaving_date <= %s
"""
BASELINE_COUNTS = """
SELECT s.school_id, count(*) FROM agreements_signature s JOIN schools_pupil p ON p.id = s.pupil_id
WHERE s.school_id IN (SELECT id FROM schools_school WHERE trust_id = %s) AND p.leaving_date <= %s
GROUP BY s.school_id
"""


def baseline(trust, review_id: int) -> None:
    from django.db import connection, transaction

    cutoff = datetime.date(2027, 8, 1)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(BASELINE_ITEMS, [review_id, trust.pk, cutoff])
        cursor.execute(BASELINE_COUNTS, [trust.pk, cutoff])
        cursor.fetchall()


def clear(trust) -> None:
    from retention.models import Review, ReviewItem, ReviewLine

    ReviewItem.objects.filter(review__trust=trust).delete()
    ReviewLine.objects.filter(review__trust=trust).delete()
    Review.objects.filter(trust=trust).delete()


def small_review_id(trust) -> int:
    from retention.models import Review

    return Review.objects.get(trust=trust, status="approved").pk


def count_queries(func) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        func()
    return len(queries.captured_queries)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pupils", type=int, default=40_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    django_setup()
    import time_machine

    with test_database(), time_machine.travel(NOW, tick=True):
        from django.db import connection

        from retention import services
        from retention.models import Review

        print(f"database: {connection.vendor}; pupils: {args.pupils:,} in {SCHOOLS} schools (half of them leavers)")
        started = time.perf_counter()
        big = build_trust("full", args.pupils, 100000)
        small = build_trust("tenth", args.pupils // 10, 200000)
        print(f"built in {time.perf_counter() - started:.1f} s")

        queries = {}
        for trust in (small, big):
            clear(trust)
            queries[trust.slug] = count_queries(lambda t=trust: services.sweep_trust(t))
        times = {"baseline": [], "sweep": []}
        for _ in range(args.repeat):
            clear(big)
            review = Review.objects.create(trust=big, swept_on=NOW.date())
            started = time.perf_counter()
            baseline(big, review.pk)
            times["baseline"].append(time.perf_counter() - started)
            clear(big)
            started = time.perf_counter()
            review = services.sweep_trust(big)
            times["sweep"].append(time.perf_counter() - started)
        due = review.items.count()
        base, sweep = statistics.median(times["baseline"]), statistics.median(times["sweep"])
        ratio = sweep / base
        print(f"due records: {due:,} (the leavers' signed agreements)")
        print(f"baseline (plain SQL): {base:.3f} s   sweep: {sweep:.3f} s   ratio sweep/baseline: {ratio:.2f}")
        print(f"ratio <= {TARGET_RATIO:g}: {'yes' if ratio <= TARGET_RATIO else 'no'}")
        print(f"sweep queries: full {queries[big.slug]}, a tenth {queries[small.slug]}")

        # Disposal: approve, then batch by batch as the worker would.
        from accounts.models import User

        dpo = User.objects.create_user(email="dpo@bench.example.org")
        batch_queries = {}
        for trust in (small, big):
            current = Review.objects.get(trust=trust, status="open")
            Review.objects.filter(pk=current.pk).update(status="approved", approved_by=dpo, approved_at=NOW)
        small_review = small_review_id(small)
        batch_queries[small.slug] = count_queries(lambda: services.dispose_batch(small_review))
        started, batches = time.perf_counter(), 1
        batch_queries[big.slug] = count_queries(lambda: services.dispose_batch(review.pk))
        while services.dispose_batch(review.pk):
            batches += 1
        disposal = time.perf_counter() - started
        print(
            f"disposal: {due:,} records in {batches} batches of up to {services.BATCH_SIZE}: {disposal:.1f} s "
            f"({due / disposal:,.0f} records/s, {disposal / batches * 1000:.0f} ms a batch)"
        )
        print(f"queries per batch: full {batch_queries[big.slug]}, a tenth {batch_queries[small.slug]}")
        constant = queries[big.slug] == queries[small.slug] and batch_queries[big.slug] == batch_queries[small.slug]
        print(f"query counts constant: {'yes' if constant else 'no'}")
        return 0 if ratio <= TARGET_RATIO and constant else 1


if __name__ == "__main__":
    sys.exit(main())
