""" "Who may appear?" for a class of 30, a year of 120 and a school of 600.

    DJANGO_SETTINGS_MODULE=config.settings_test .venv/bin/python -m bench.consent_check

Issue 7 asks that the check for a class of 30 and for a year of 120 runs the same
number of queries. The bench builds, with bulk_create, a school of five year groups of
four classes of 30 (600 pupils), each pupil with two carers with parental
responsibility; three pupils in four have answers (a few carers changed their mind
once, so there are superseded records too), and one in ten of those disagree. It then
times the teacher's check page /s/<school>/consent/check/?group=...&purpose=website
through the test client (middleware, selectors, template; median of --repeat runs after
a warm-up) for one class, one year group and the whole school (all five years, as
the school through the selector alone, consent_for_pupils, as the dashboard and the
CSV call it), counting the queries of each.

Baseline, measured in the same run: the year's pupils and their carers' records in
plain SQL (the rows the page needs), on the same connection. It prints times, the
ratio selector / baseline for the year, and the query counts, which must be equal
for class and year (the page) and for class, year and school (the selector).
Exit status 0 only if they are.

It creates and destroys its own test database: SQLite in memory by default,
PostgreSQL when DATABASE_URL is set (test_<name>).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

from bench._setup import django_setup, test_database

PER_CLASS = 30
CLASSES_PER_YEAR = 4
YEARS = 5


def build(school, head):
    from django.utils import timezone

    from consent import services
    from consent.models import ConsentRecord
    from schools.models import Guardianship, Pupil, SchoolClass, YearGroup

    from .compliance_dashboard import _users

    form = services.publish(draft=services.start_draft(school=school, by=head), by=head)
    codes = list(form.purposes.values_list("code", flat=True))
    classes, years = [], []
    for y in range(YEARS):
        year = YearGroup.objects.create(school=school, code=str(y + 2), key_stage="ks2" if y else "ks1", position=y + 2)
        years.append(year)
        for c in range(CLASSES_PER_YEAR):
            classes.append(SchoolClass.objects.create(school=school, name=f"{y + 2}{'ABCD'[c]}", year_group=year))
    pupils = Pupil.objects.bulk_create(
        [
            Pupil(school=school, first_name=f"Pupil{n}", last_name="Bench", year_group=k.year_group, school_class=k)
            for k in classes
            for n in range(PER_CLASS)
        ],
        batch_size=1000,
    )
    carers = _users(2 * len(pupils), "carers.example")
    Guardianship.objects.bulk_create(
        [
            Guardianship(pupil=p, carer=carers[2 * i + j], relationship="mother", parental_responsibility=True)
            for i, p in enumerate(pupils)
            for j in range(2)
        ],
        batch_size=2000,
    )
    from agreements.models import FormText

    text = FormText.objects.get(sha256=form.text_sha256)
    now = timezone.now()

    def record(pupil, carer, answers, key):
        return ConsentRecord(
            school=school,
            form=form,
            text=text,
            carer=carer,
            pupil=pupil,
            answers=answers,
            signer_name="Bench Carer",
            signed_at=now,
            submission_key=key,
        )

    first = ConsentRecord.objects.bulk_create(
        [
            record(p, carers[2 * i], {c: (i + k) % 5 != 0 for k, c in enumerate(codes)}, f"b{i}")
            for i, p in enumerate(pupils)
            if i % 4 != 3
        ],
        batch_size=1000,
    )
    # Some carers changed their mind (a superseded record behind the latest), and the
    # other carer of one answered pupil in ten disagrees on the website.
    ConsentRecord.objects.bulk_create(
        [
            ConsentRecord(
                school=school,
                form=form,
                text=text,
                carer=r.carer,
                pupil=r.pupil,
                answers={**r.answers, "press": False},
                signer_name="Bench Carer",
                signed_at=now,
                submission_key=f"{r.submission_key}-changed",
                supersedes=r,
            )
            for r in first[::7]
        ],
        batch_size=1000,
    )
    index = {p.pk: i for i, p in enumerate(pupils)}
    ConsentRecord.objects.bulk_create(
        [
            record(r.pupil, carers[2 * index[r.pupil_id] + 1], {**r.answers, "website": False}, f"{r.pk}-other")
            for r in first[::10]
        ],
        batch_size=1000,
    )
    return form, classes[0], years[0], pupils


def measure(client, url, params, repeat):
    from django.db import connection

    response = client.get(url, params)
    assert response.status_code == 200, (url, params, response.status_code)
    result = response.context["result"]
    listed = len(result.may) + len(result.may_not)
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
    return statistics.median(times), len(queries), listed


def time_selector(form, pupils, repeat):
    from django.db import connection

    from consent.selectors import consent_for_pupils

    queries = []
    with connection.execute_wrapper(
        lambda execute, sql, p, many, context: queries.append(sql) or execute(sql, p, many, context)
    ):
        consent_for_pupils(form, pupils)
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        consent_for_pupils(form, pupils)
        times.append(time.perf_counter() - started)
    return statistics.median(times), len(queries)


def time_baseline(year_id, repeat):
    """The year's pupils, and the latest records of their carers with parental
    responsibility, in plain SQL."""
    from django.db import connection

    pupils_sql = (
        "SELECT p.id, p.first_name, p.last_name, c.name FROM schools_pupil p LEFT JOIN schools_schoolclass c "
        "ON c.id = p.school_class_id WHERE p.year_group_id = %s ORDER BY p.first_name, p.last_name, p.id"
    )
    records_sql = (
        "SELECT r.pupil_id, r.carer_id, r.answers FROM consent_consentrecord r JOIN schools_guardianship g "
        "ON g.pupil_id = r.pupil_id AND g.carer_id = r.carer_id AND g.parental_responsibility "
        "JOIN schools_pupil p ON p.id = r.pupil_id WHERE p.year_group_id = %s AND NOT EXISTS "
        "(SELECT 1 FROM consent_consentrecord n WHERE n.supersedes_id = r.id)"
    )
    times = []
    for _ in range(repeat + 1):
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(pupils_sql, [year_id])
            cursor.fetchall()
            cursor.execute(records_sql, [year_id])
            cursor.fetchall()
        times.append(time.perf_counter() - started)
    return statistics.median(times[1:])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    django_setup()
    from django.conf import settings
    from django.urls import reverse

    settings.ALLOWED_HOSTS = ["*"]
    from bench.compliance_dashboard import _client_for, _users, analyze

    with test_database():
        from django.db import connection

        from consent.selectors import current_form, current_pupils
        from core.roles import Role
        from schools.models import Membership, MembershipRole, School

        school = School.objects.create(name="Bench Consent School", slug="bench-consent", urn="990002", phase="primary")
        head, teacher = _users(2, "staff.example")
        members = Membership.objects.bulk_create(
            [Membership(user=user, school=school, status="active") for user in (head, teacher)]
        )
        MembershipRole.objects.bulk_create(
            [
                MembershipRole(membership=members[0], role=Role.HEADTEACHER),
                MembershipRole(membership=members[1], role=Role.TEACHER),
            ]
        )
        started = time.perf_counter()
        form, school_class, year, _ = build(school, head)
        print(f"built 600 pupils, 1,200 carers and their answers in {time.perf_counter() - started:.1f} s "
              f"({connection.vendor})")  # fmt: skip
        analyze()
        client = _client_for(teacher)
        url = reverse("consent:check", args=[school.slug])
        rows = {
            "class": measure(client, url, {"group": f"class-{school_class.pk}", "purpose": "website"}, args.repeat),
            "year": measure(client, url, {"group": f"year-{year.pk}", "purpose": "website"}, args.repeat),
        }
        form = current_form(school)  # as the page has it: the purposes prefetched
        groups = {
            "class": list(current_pupils(school).filter(school_class=school_class)),
            "year": list(current_pupils(school).filter(year_group=year)),
            "school": list(current_pupils(school)),
        }
        selector = {name: time_selector(form, pupils, args.repeat) for name, pupils in groups.items()}
        base = time_baseline(year.pk, args.repeat)
    ok = rows["class"][1] == rows["year"][1] and len({q for _, q in selector.values()}) == 1
    print(f"\n{'group':<8}{'pupils':>7}{'page':>11}  queries{'selector':>12}{'÷ SQL':>8}  queries")
    for name, pupils in groups.items():
        page = f"{rows[name][0] * 1000:>8.1f} ms  {rows[name][1]:>7}" if name in rows else f"{'':>11}  {'':>7}"
        seconds, queries = selector[name]
        vs_sql = f"{seconds / base:>8.1f}" if name == "year" else f"{'':>8}"
        print(f"{name:<8}{len(pupils):>7}{page}{seconds * 1000:>9.1f} ms{vs_sql}  {queries}")
    print(f"\nbaseline: the year's pupils and their carers' latest records in plain SQL: {base * 1000:.2f} ms")
    print(f"class, year and school: {'the same number of queries' if ok else 'NOT the same number of queries'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
