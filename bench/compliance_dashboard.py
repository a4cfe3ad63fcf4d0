"""The compliance dashboard at a trust of 2,000 pupils against the same at 20,000.

    DJANGO_SETTINGS_MODULE=config.settings_test .venv/bin/python -m bench.compliance_dashboard

Issue 4 asks that the dashboard at a trust of 20,000 pupils and 40,000 parents takes
at most 3x its time at 2,000 pupils (and 4,000 parents), with the same number of
queries. The bench builds, with bulk_create:

  small  a trust of 2 schools of 1,000 pupils each (Reception to Year 6, classes of
         30, two carers with parental responsibility per pupil, 40 staff per school);
  big    the same trust grown to 20,000 pupils: 1,000 more pupils in each of the two
         schools, and 8 more schools of 2,000 pupils.

Every school has one published policy with a staff, a KS2, an EYFS/KS1 and a
parents' form; about half of each audience has signed (one school in two asks every
carer to sign). At each size it times, through the test client (middleware, the
compliance selectors, the template), the trust roll-up /t/<trust>/compliance/ as a
trust officer and the first school's dashboard /s/<school>/compliance/ as its head
(median of --repeat runs after a warm-up), and counts their queries.

It prints both times, the ratios big/small ("ratio <= 3: yes/no") and the query
counts, which must be equal. Exit status 0 only if both hold for both pages.

It creates and destroys its own test database, like the test runner: SQLite in
memory by default, PostgreSQL when DATABASE_URL is set (test_<name>).
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import statistics
import sys
import time

from bench._setup import django_setup, test_database

TARGET_RATIO = 3.0
YEARS = ["R", "1", "2", "3", "4", "5", "6"]
CLASS_SIZE = 30
STAFF_PER_SCHOOL = 40
_counter = {"user": 0, "key": 0}


def _next(kind: str) -> int:
    _counter[kind] += 1
    return _counter[kind]


def _users(n, domain):
    from accounts.models import User

    users = [
        User(email=f"p{_next('user')}@{domain}", first_name="Pat", last_name=f"Carer{_counter['user']}", password="!")
        for _ in range(n)
    ]
    return User.objects.bulk_create(users, batch_size=2000)


def _signature(form, text, school, *, signer=None, pupil=None, method="self", name="Signer", year):
    from agreements.models import Signature

    return Signature(
        school=school,
        form=form,
        text=text,
        method=method,
        signer=signer,
        pupil=pupil,
        signer_name=name,
        statements_agreed=[1],
        academic_year=year,
        signed_at=datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=3),
        submission_key=f"bench-{_next('key')}",
    )


def make_school(trust, n, head_user=None):
    """A school with its published forms, staff (half signed) and `n` pupils."""
    from agreements.models import FormText
    from aup.models import AgreementForm, Policy, PolicyVersion, Statement
    from core.roles import Role
    from schools.models import (
        YEAR_GROUP_ORDER,
        YEAR_GROUPS,
        Membership,
        MembershipRole,
        School,
        YearGroup,
    )

    index = School.objects.count() + 1
    school = School.objects.create(
        trust=trust,
        name=f"Bench School {index}",
        slug=f"bench-{index}",
        urn=f"{900000 + index}",
        phase="primary",
        every_carer_signs=index % 2 == 0,
    )
    stages = {c: ks for c, _, ks in YEAR_GROUPS}
    for code in YEARS:
        YearGroup.objects.create(school=school, code=code, key_stage=stages[code], position=YEAR_GROUP_ORDER[code])
    staff = _users(STAFF_PER_SCHOOL, f"staff{index}.example")
    memberships = Membership.objects.bulk_create(
        [
            Membership(user=u, school=school, status="active", staff_type=["teaching", "support"][i % 2])
            for i, u in enumerate(staff)
        ]
    )
    MembershipRole.objects.bulk_create([MembershipRole(membership=m, role=Role.TEACHER) for m in memberships])
    if head_user is not None:
        head = Membership.objects.create(user=head_user, school=school, status="active", staff_type="leadership")
        MembershipRole.objects.create(membership=head, role=Role.HEADTEACHER)
    policy = Policy.objects.create(school=school, title="ICT acceptable use")
    version = PolicyVersion.objects.create(policy=policy, number=1, status="published", created_by=staff[0])
    text, _ = FormText.objects.get_or_create(sha256=hashlib.sha256(b"bench").hexdigest(), defaults={"text": "bench"})
    forms = {}
    for audience in ("staff", "ks2", "eyfs_ks1", "parents"):
        form = AgreementForm.objects.create(version=version, audience=audience, title=f"ICT {audience}")
        Statement.objects.create(form=form, number=1, text="I will be kind online.")
        forms[audience] = form
    from core.academic_year import AcademicYear

    year = AcademicYear.current().start_year
    from agreements.models import Signature

    Signature.objects.bulk_create(
        [_signature(forms["staff"], text, school, signer=u, year=year) for u in staff[::2]], batch_size=2000
    )
    school.bench_forms = forms
    school.bench_text = text
    add_pupils(school, n)
    return school


def add_pupils(school, n):
    """`n` more pupils in new classes of 30 across Reception to Year 6, each with two
    carers with parental responsibility (and their parent memberships); half of them
    signed for (pupils' and parents' forms). bench/trust_rollup.py measures on fuller
    data (core.scale)."""
    from agreements.models import Signature
    from core.academic_year import AcademicYear
    from core.roles import Role
    from schools.models import Guardianship, Membership, MembershipRole, Pupil, SchoolClass, YearGroup

    year_groups = {yg.code: yg for yg in YearGroup.objects.filter(school=school)}
    start = SchoolClass.objects.filter(school=school).count()
    n_classes = -(-n // CLASS_SIZE)
    classes = SchoolClass.objects.bulk_create(
        [
            SchoolClass(school=school, name=f"C{start + i}", year_group=year_groups[YEARS[i % len(YEARS)]])
            for i in range(n_classes)
        ]
    )
    pupils = Pupil.objects.bulk_create(
        [
            Pupil(
                school=school,
                first_name="Sam",
                last_name=f"Pupil{i}",
                year_group=classes[i // CLASS_SIZE].year_group,
                school_class=classes[i // CLASS_SIZE],
            )
            for i in range(n)
        ],
        batch_size=2000,
    )
    carers = _users(2 * n, f"{school.slug}-{start}.example")
    # Each carer's parent membership, as the roster import makes it: without them the
    # staff counts looked cheap (they used to read every membership, carers included).
    parent_memberships = Membership.objects.bulk_create(
        [Membership(user=carer, school=school, status="active") for carer in carers], batch_size=2000
    )
    MembershipRole.objects.bulk_create(
        [MembershipRole(membership=m, role=Role.PARENT) for m in parent_memberships], batch_size=2000
    )
    Guardianship.objects.bulk_create(
        [
            Guardianship(pupil=p, carer=carers[2 * i + k], relationship=["mother", "father"][k])
            for i, p in enumerate(pupils)
            for k in (0, 1)
        ],
        batch_size=2000,
    )
    forms, text = school.bench_forms, school.bench_text
    year = AcademicYear.current().start_year
    signatures = []
    for i, pupil in enumerate(pupils):
        if i % 2:
            continue
        form = forms["ks2"] if pupil.year_group.key_stage == "ks2" else forms["eyfs_ks1"]
        signatures.append(_signature(form, text, school, pupil=pupil, method="read_aloud", year=year))
        for k in (0, 1) if school.every_carer_signs else (0,):
            signatures.append(
                _signature(forms["parents"], text, school, signer=carers[2 * i + k], pupil=pupil, year=year)
            )
    Signature.objects.bulk_create(signatures, batch_size=2000)


def _client_for(user):
    """A client signed in with both steps passed, recorded in the session as allauth
    records them (as tests/conftest.py's sign_in_with_mfa does): the MFA middleware
    asks a session that skipped the code for it."""
    from allauth.account.internal.flows.login import record_authentication
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.test import Client, RequestFactory

    totp = TOTP.activate(user, generate_totp_secret()).instance
    client = Client()
    client.force_login(user)
    session = client.session
    request = RequestFactory().get("/")
    request.session = session
    record_authentication(request, user, "password", email=user.email)
    record_authentication(request, user, "mfa", id=totp.pk, type=totp.type)
    session.save()
    return client


def analyze():
    """Fresh planner statistics, as autovacuum would have after a roster import."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def measure(client, url, repeat):
    from django.db import connection

    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    queries = []
    with connection.execute_wrapper(
        lambda execute, sql, params, many, context: queries.append(sql) or execute(sql, params, many, context)
    ):
        client.get(url)
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        client.get(url)
        times.append(time.perf_counter() - started)
    return statistics.median(times), len(queries)


def explain(school_ids):
    """The plans of the two pupil GROUP BY queries, for --explain."""
    from agreements import compliance
    from aup.models import Audience
    from schools.models import School

    schools = list(School.objects.filter(pk__in=school_ids))
    forms = [f for f in compliance.published_forms_of(school_ids) if f.audience in compliance.PUPIL_AUDIENCES]
    totals = compliance._admitted_pupils(school_ids).values("school_id", "year_group_id", "school_class_id")
    print("-- pupils grouped:\n", totals.explain())
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        compliance._pupil_counts(school_ids, forms, {s.pk: s.every_carer_signs for s in schools})
    sql = captured.captured_queries[-1]["sql"]
    with connection.cursor() as cursor:
        prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN ANALYZE "
        cursor.execute(prefix + sql)
        print("-- signed grouped:\n", "\n".join(" ".join(str(c) for c in row) for row in cursor.fetchall()))
    del Audience


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--explain", action="store_true", help="print the plans of the pupil queries at full size")
    args = parser.parse_args()
    django_setup()
    from django.conf import settings
    from django.urls import reverse

    settings.ALLOWED_HOSTS = ["*"]
    with test_database():
        from django.db import connection

        from schools.models import Trust, TrustMembership

        trust = Trust.objects.create(name="Bench Trust", slug="bench-trust")
        officer, head = _users(2, "office.example")
        TrustMembership.objects.create(user=officer, trust=trust)
        started = time.perf_counter()
        first = make_school(trust, 1000, head_user=head)
        second = make_school(trust, 1000)
        print(f"built 2,000 pupils in {time.perf_counter() - started:.1f} s ({connection.vendor})")
        analyze()
        trust_url = reverse("agreements_trust:compliance", args=[trust.slug])
        school_url = reverse("agreements:compliance", args=[first.slug])
        officer_client, head_client = _client_for(officer), _client_for(head)
        small = {
            "trust roll-up": measure(officer_client, trust_url, args.repeat),
            "school dashboard": measure(head_client, school_url, args.repeat),
        }
        started = time.perf_counter()
        add_pupils(first, 1000)
        add_pupils(second, 1000)
        for _ in range(8):
            make_school(trust, 2000)
        from schools.models import Guardianship, Pupil

        pupils = Pupil.objects.filter(school__trust=trust).count()
        parents = Guardianship.objects.filter(pupil__school__trust=trust).values("carer").distinct().count()
        print(f"grew to {pupils:,} pupils, {parents:,} parents in {time.perf_counter() - started:.1f} s")
        analyze()
        big = {
            "trust roll-up": measure(officer_client, trust_url, args.repeat),
            "school dashboard": measure(head_client, school_url, args.repeat),
        }
        if args.explain:
            explain(list(trust.schools.values_list("pk", flat=True)))
    ok = True
    print(f"\n{'page':<18}{'2,000 pupils':>14}{'20,000 pupils':>15}{'ratio':>8}  ratio <= {TARGET_RATIO:g}  queries")
    for page in small:
        (t_small, q_small), (t_big, q_big) = small[page], big[page]
        ratio = t_big / t_small
        good = ratio <= TARGET_RATIO and q_small == q_big
        ok &= good
        print(
            f"{page:<18}{t_small * 1000:>11.1f} ms{t_big * 1000:>12.1f} ms{ratio:>8.2f}  "
            f"{'yes' if ratio <= TARGET_RATIO else 'NO ':<13}{q_small} / {q_big}"
            f" ({'equal' if q_small == q_big else 'NOT EQUAL'})"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
