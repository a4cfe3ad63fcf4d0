"""The equipment register at 500 and at 5,000 devices.

    DJANGO_SETTINGS_MODULE=config.settings_test .venv/bin/python -m bench.device_register

Issue 8 asks that the register of 5,000 devices pages and searches by serial number or
holder with a constant number of queries. The bench builds, with bulk_create, a school
with 200 members of staff and its office member, then 500 devices (a third of them on
loan to the staff, one loan per device), and times through the test client
(middleware, selectors, template) the office's register page /s/<school>/devices/
with: no filter, a serial number search, a holder's name search, a type filter, a
status filter, and page 5 (median of --repeat runs after a warm-up), counting the
queries of each. Then it grows the register to 5,000 devices and does the same.

Baseline, measured in the same run at 5,000: the unfiltered page in plain SQL (the
COUNT the paginator needs and the first 50 rows), on the same connection. It prints
the times, the ratio 5,000/500, the ratio page / baseline and the query counts, which
must be equal at both sizes. Exit status 0 only if they are.

It creates and destroys its own test database: SQLite in memory by default,
PostgreSQL when DATABASE_URL is set (test_<name>).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

from bench._setup import django_setup, test_database

TYPES = ["laptop", "tablet", "camera", "phone", "memory_stick", "other"]


def make_devices(school, office, staff, count, start):
    from devices.models import Device, Loan, LoanItem

    devices = Device.objects.bulk_create(
        [
            Device(
                school=school,
                device_type=TYPES[n % len(TYPES)],
                make="Dell" if n % 2 else "Apple",
                model=f"Model {n % 13}",
                serial_number=f"SN{n:07d}",
                asset_tag=f"OAK-{n:05d}",
                encrypted=True,
                status="on_loan" if n % 3 == 0 else "available",
            )
            for n in range(start, start + count)
        ],
        batch_size=1000,
    )
    lent = [d for n, d in enumerate(devices, start=start) if n % 3 == 0]
    loans = Loan.objects.bulk_create(
        [
            Loan(school=school, borrower=staff[n % len(staff)], until_leaving=True, lent_by=office)
            for n in range(len(lent))
        ],
        batch_size=1000,
    )
    LoanItem.objects.bulk_create(
        [LoanItem(loan=loan, device=device) for loan, device in zip(loans, lent, strict=True)], batch_size=1000
    )


def cases():
    return {
        "none": {},
        "serial": {"q": "SN0000042"},
        "holder": {"q": "Carer7"},
        "type": {"device_type": "laptop"},
        "status": {"status": "on_loan"},
        "page 5": {"page": 5},
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


def time_baseline(school_id, repeat):
    from django.db import connection

    count_sql = "SELECT COUNT(*) FROM devices_device WHERE school_id = %s"
    page_sql = (
        "SELECT d.id, d.device_type, d.make, d.model, d.serial_number, d.asset_tag, d.status, u.first_name, "
        "u.last_name, l.due_on FROM devices_device d LEFT JOIN devices_loanitem i ON i.device_id = d.id AND "
        "i.returned_at IS NULL LEFT JOIN devices_loan l ON l.id = i.loan_id LEFT JOIN schools_membership m ON "
        "m.id = l.borrower_id LEFT JOIN accounts_user u ON u.id = m.user_id WHERE d.school_id = %s "
        "ORDER BY d.device_type, d.make, d.model, d.serial_number, d.id LIMIT 50"
    )
    times = []
    for _ in range(repeat + 1):
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(count_sql, [school_id])
            cursor.fetchone()
            cursor.execute(page_sql, [school_id])
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

        from core.roles import Role
        from schools.models import Membership, MembershipRole, School

        school = School.objects.create(name="Bench Devices School", slug="bench-devices", urn="990001", phase="primary")
        office, *people = _users(201, "staff.example")
        members = Membership.objects.bulk_create(
            [Membership(user=user, school=school, status="active") for user in [office, *people]]
        )
        MembershipRole.objects.bulk_create(
            [MembershipRole(membership=members[0], role=Role.OFFICE)]
            + [MembershipRole(membership=m, role=Role.TEACHER) for m in members[1:]]
        )
        staff = members[1:]
        started = time.perf_counter()
        make_devices(school, office, staff, 500, 0)
        print(f"built 500 devices in {time.perf_counter() - started:.1f} s ({connection.vendor})")
        analyze()
        client = _client_for(office)
        url = reverse("devices:register", args=[school.slug])
        small = {name: measure(client, url, params, args.repeat) for name, params in cases().items()}
        started = time.perf_counter()
        make_devices(school, office, staff, 4500, 500)
        print(f"grew to 5,000 devices in {time.perf_counter() - started:.1f} s")
        analyze()
        big = {name: measure(client, url, params, args.repeat) for name, params in cases().items()}
        base = time_baseline(school.pk, args.repeat)
    ok = True
    print(f"\n{'case':<10}{'500':>10}{'5,000':>11}{'ratio':>7}{'÷ SQL':>8}  queries (500 / 5,000)")
    for name in small:
        (t_small, q_small), (t_big, q_big) = small[name], big[name]
        ok &= q_small == q_big
        vs_sql = f"{t_big / base:>8.1f}" if name == "none" else f"{'':>8}"
        print(
            f"{name:<10}{t_small * 1000:>7.1f} ms{t_big * 1000:>8.1f} ms{t_big / t_small:>7.2f}{vs_sql}  "
            f"{q_small} / {q_big} ({'equal' if q_small == q_big else 'NOT EQUAL'})"
        )
    print(f"\nbaseline: the unfiltered page's COUNT + first 50 rows in plain SQL: {base * 1000:.2f} ms")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
