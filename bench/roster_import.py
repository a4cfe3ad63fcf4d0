"""The roster import against a plain `bulk_create` of the same rows, in one run.

    DJANGO_SETTINGS_MODULE=config.settings_test .venv/bin/python -m bench.roster_import

It makes MIS exports of 2,000 pupils and 3,000 contact rows (parents and carers linked
to those pupils; some carers have two children), then measures, in turn and a few
times each:

  baseline  a plain bulk_create of the same rows: year groups, classes and pupils;
            users, memberships, parent roles and guardianships for the contacts;
  import    the portal's import of the two files: check_upload + apply_import for
            the pupils, then for the contacts.

Each measurement uses a fresh school (and fresh email addresses), so every run adds
the same rows to the database. It prints the median times, the ratio import/baseline
("ratio <= 3: yes/no", the target in issue 5) and the query counts of both, at full
size and at a tenth of it, which must be the same for the import (bulk, not per row).

It creates and destroys its own test database, like the test runner, so it never
touches a development database: SQLite in memory by default, PostgreSQL when
DATABASE_URL is set (the test database is named after it: test_<name>).
"""

from __future__ import annotations

import argparse
import csv
import datetime
import io
import statistics
import sys
import time
from dataclasses import dataclass

from bench._setup import django_setup, test_database

TARGET_RATIO = 3.0
YEARS = ["R", "1", "2", "3", "4", "5", "6"]
CLASS_SIZE = 30
FIRST_NAMES = [
    "Amelia",
    "Oliver",
    "Isla",
    "George",
    "Ava",
    "Noah",
    "Zoë",
    "Arthur",
    "Siobhán",
    "Muhammad",
    "Freya",
    "Leo",
]
SURNAMES = [
    "Khan",
    "Smith",
    "Jones",
    "O'Brien",
    "Williams",
    "Nowak",
    "Taylor",
    "Patel",
    "Brown",
    "Davies",
    "Evans",
    "Ahmed",
]


# --- The files -----------------------------------------------------------------------


@dataclass(frozen=True)
class PupilRow:
    upn: str
    first_name: str
    last_name: str
    year: str
    class_name: str
    date_of_birth: datetime.date
    admission_date: datetime.date


@dataclass(frozen=True)
class ContactRow:
    pupil_upn: str
    email: str
    first_name: str
    last_name: str
    relationship: str  # the portal's code
    parental_responsibility: bool


RELATIONSHIP_LABELS = {"mother": "Mother", "father": "Father", "carer": "Carer", "grandparent": "Grandmother"}


def make_rows(n_pupils: int, n_contacts: int, domain: str) -> tuple[list[PupilRow], list[ContactRow]]:
    """Pupils spread over Reception to Year 6 in classes of 30; a fifth of them are
    pairs of siblings whose one carer is linked to both; the other families have two
    carers or one, as many as make up `n_contacts` rows."""
    pupils = []
    per_year = -(-n_pupils // len(YEARS))
    for n in range(n_pupils):
        year = YEARS[n // per_year]
        index_in_year = n % per_year
        pupils.append(
            PupilRow(
                upn=f"A{n:011d}{n % 10}",
                first_name=FIRST_NAMES[n % len(FIRST_NAMES)],
                last_name=f"{SURNAMES[n % len(SURNAMES)]}{n}",
                year=year,
                class_name=f"{year}{'ABCDEFGHIJKL'[index_in_year // CLASS_SIZE]}",
                date_of_birth=datetime.date(2014 + YEARS.index(year) % 7, 1 + n % 12, 1 + n % 28),
                admission_date=datetime.date(2020 + n % 5, 9, 1),
            )
        )
    sibling_families = n_pupils // 10  # pupils 0-1, 2-3, ... (a fifth of the pupils)
    families: list[tuple[list[PupilRow], int]] = [
        (pupils[2 * f : 2 * f + 2], 1) for f in range(sibling_families)
    ]  # (children, carers)
    singles = pupils[2 * sibling_families :]
    rows_left = n_contacts - 2 * sibling_families
    two_carers = max(0, min(len(singles), rows_left - len(singles)))
    families += [([p], 2 if i < two_carers else 1) for i, p in enumerate(singles)]
    contacts: list[ContactRow] = []
    for family, (children, carers) in enumerate(families):
        for carer in range(carers):
            relationship = ["mother", "father"][carer] if family % 9 else ["grandparent", "carer"][carer]
            for child in children:
                contacts.append(
                    ContactRow(
                        pupil_upn=child.upn,
                        email=f"carer{family}-{carer}@{domain}",
                        first_name=FIRST_NAMES[(family + carer) % len(FIRST_NAMES)],
                        last_name=children[0].last_name,
                        relationship=relationship,
                        parental_responsibility=relationship != "grandparent",
                    )
                )
    return pupils, contacts[:n_contacts]


def pupils_csv(pupils: list[PupilRow]) -> bytes:
    """In SIMS's column style."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["UPN", "Legal Surname", "Legal Forename", "Year", "Reg Group", "DOB", "Admission Date"])
    for p in pupils:
        year = "Reception" if p.year == "R" else f"Year {p.year}"
        dob, admitted = p.date_of_birth.strftime("%d/%m/%Y"), p.admission_date.strftime("%d/%m/%Y")
        writer.writerow([p.upn, p.last_name, p.first_name, year, p.class_name, dob, admitted])
    return out.getvalue().encode()


def contacts_csv(contacts: list[ContactRow]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["Pupil UPN", "Contact Forename", "Contact Surname", "Contact Email", "Relationship", "Parental Responsibility"]
    )
    for c in contacts:
        writer.writerow(
            [
                c.pupil_upn,
                c.first_name,
                c.last_name,
                c.email,
                RELATIONSHIP_LABELS[c.relationship],
                "Yes" if c.parental_responsibility else "No",
            ]
        )
    return out.getvalue().encode()


# --- The two ways of writing them ----------------------------------------------------


def new_school(label: str, number: int):
    from accounts.models import User
    from core.roles import Role
    from schools.models import Membership, MembershipRole, School

    school = School.objects.create(
        name=f"Bench {label} Primary", slug=f"bench-{label}", urn=f"{number:06d}", phase="primary"
    )
    head = User.objects.create_user(email=f"head@{label}.example.org", first_name="Bench", last_name="Head")
    membership = Membership.objects.create(user=head, school=school, status=Membership.Status.ACTIVE)
    MembershipRole.objects.create(membership=membership, role=Role.HEADTEACHER)
    return school, head


def baseline(school, pupils: list[PupilRow], contacts: list[ContactRow]) -> dict[str, float]:
    """The same rows, written with nothing but bulk_create, in one transaction."""
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from accounts.models import User
    from core.roles import Role
    from schools.models import (
        YEAR_GROUP_ORDER,
        YEAR_GROUPS,
        Guardianship,
        Membership,
        MembershipRole,
        Pupil,
        SchoolClass,
        YearGroup,
    )

    times = {}
    start = time.perf_counter()
    with transaction.atomic():
        key_stages = {code: ks for code, _, ks in YEAR_GROUPS}
        codes = sorted({p.year for p in pupils}, key=YEAR_GROUP_ORDER.get)
        years = {
            yg.code: yg
            for yg in YearGroup.objects.bulk_create(
                [YearGroup(school=school, code=c, key_stage=key_stages[c], position=YEAR_GROUP_ORDER[c]) for c in codes]
            )
        }
        class_years = {p.class_name: p.year for p in pupils}
        classes = {
            c.name: c
            for c in SchoolClass.objects.bulk_create(
                [SchoolClass(school=school, name=name, year_group=years[y]) for name, y in class_years.items()]
            )
        }
        created = Pupil.objects.bulk_create(
            [
                Pupil(
                    school=school,
                    first_name=p.first_name,
                    last_name=p.last_name,
                    upn=p.upn,
                    date_of_birth=p.date_of_birth,
                    admission_date=p.admission_date,
                    year_group=years[p.year],
                    school_class=classes[p.class_name],
                )
                for p in pupils
            ],
            batch_size=500,
        )
    times["pupils"] = time.perf_counter() - start

    start = time.perf_counter()
    with transaction.atomic():
        by_upn = {p.upn: p for p in created}
        people = {}
        for c in contacts:
            people.setdefault(c.email, c)
        users = User.objects.bulk_create(
            [
                User(
                    email=c.email,
                    first_name=c.first_name,
                    last_name=c.last_name,
                    is_active=False,
                    password=make_password(None),
                )
                for c in people.values()
            ],
            batch_size=500,
        )
        memberships = Membership.objects.bulk_create(
            [Membership(user=u, school=school, status=Membership.Status.INVITED) for u in users], batch_size=500
        )
        MembershipRole.objects.bulk_create(
            [MembershipRole(membership=m, role=Role.PARENT) for m in memberships], batch_size=500
        )
        by_email = {u.email: u for u in users}
        Guardianship.objects.bulk_create(
            [
                Guardianship(
                    pupil=by_upn[c.pupil_upn],
                    carer=by_email[c.email],
                    relationship=c.relationship,
                    parental_responsibility=c.parental_responsibility,
                )
                for c in contacts
            ],
            batch_size=500,
        )
    times["contacts"] = time.perf_counter() - start
    return times


def portal_import(school, head, pupil_file: bytes, contact_file: bytes) -> dict[str, float]:
    """What the office does: upload each file, then confirm it."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from schools.models import RosterKind
    from schools.roster.services import apply_import, check_upload

    times = {}
    for kind, content in ((RosterKind.PUPILS, pupil_file), (RosterKind.CONTACTS, contact_file)):
        start = time.perf_counter()
        upload = SimpleUploadedFile(f"{kind}.csv", content, content_type="text/csv")
        roster_import = check_upload(school=school, kind=kind, upload=upload, by=head)
        plan = apply_import(roster_import=roster_import, by=head)
        times[str(kind)] = time.perf_counter() - start
        if plan.problems or plan.updates or plan.leavers:
            raise SystemExit(f"The bench's {kind} file did not import cleanly: {plan.counts}, {plan.problems[:3]}")
    return times


# --- Measuring -----------------------------------------------------------------------


@dataclass
class Sizes:
    pupils: int
    contacts: int


class Bench:
    def __init__(self, sizes: Sizes):
        self.sizes = sizes
        self.runs = 0

    def _fresh(self, scale: float = 1.0):
        """A new school and new email addresses, so each run writes the same rows."""
        self.runs += 1
        label = f"run{self.runs:03d}"
        pupils, contacts = make_rows(
            round(self.sizes.pupils * scale), round(self.sizes.contacts * scale), f"{label}.example.org"
        )
        school, head = new_school(label, 100000 + self.runs)
        return school, head, pupils, contacts

    def baseline(self, scale: float = 1.0) -> dict[str, float]:
        school, _, pupils, contacts = self._fresh(scale)
        return baseline(school, pupils, contacts)

    def portal(self, scale: float = 1.0) -> dict[str, float]:
        school, head, pupils, contacts = self._fresh(scale)
        return portal_import(school, head, pupils_csv(pupils), contacts_csv(contacts))

    def queries(self, which: str, scale: float = 1.0) -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        method = getattr(self, which)
        with CaptureQueriesContext(connection) as captured:
            method(scale)
        # The school and head made by _fresh are set-up, not part of what is measured.
        return len(captured) - self._setup_queries

    def measure_setup_queries(self) -> None:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            self._fresh(0)
        self._setup_queries = len(captured)


def median_times(runs: list[dict[str, float]]) -> dict[str, float]:
    total = [sum(run.values()) for run in runs]
    result = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
    result["total"] = statistics.median(total)
    return result


def profile_import(bench: Bench) -> None:
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    bench.portal()
    profiler.disable()
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)


def run(args) -> int:
    from django.db import connection

    sizes = Sizes(args.pupils, args.contacts)
    bench = Bench(sizes)
    bench.measure_setup_queries()
    _, contacts = make_rows(sizes.pupils, sizes.contacts, "count.example.org")
    carers = len({c.email for c in contacts})
    print(
        f"Roster import bench: {sizes.pupils:,} pupils, {len(contacts):,} contact rows ({carers:,} carers), "
        f"{connection.vendor}, median of {args.repeat} runs each"
    )

    # Query counts (and a first, warming-up run of each), at full size and at a tenth.
    queries = {
        "baseline": bench.queries("baseline"),
        "import": bench.queries("portal"),
        "baseline_small": bench.queries("baseline", 0.1),
        "import_small": bench.queries("portal", 0.1),
    }
    if args.profile:
        profile_import(bench)
        return 0

    base_runs, import_runs = [], []
    for _ in range(args.repeat):  # interleaved, so both see the same machine
        base_runs.append(bench.baseline())
        import_runs.append(bench.portal())
    base, imp = median_times(base_runs), median_times(import_runs)
    ratio = imp["total"] / base["total"]

    small = f"{round(sizes.pupils * 0.1):,} pupils + {round(sizes.contacts * 0.1):,} contacts"
    print()
    print(f"{'':24}{'pupils (s)':>12}{'contacts (s)':>14}{'total (s)':>12}{'queries':>10}{'at ' + small:>36}")
    for label, times, q, q_small in (
        ("baseline (bulk_create)", base, queries["baseline"], queries["baseline_small"]),
        ("portal import", imp, queries["import"], queries["import_small"]),
    ):
        print(
            f"{label:24}{times['pupils']:>12.3f}{times['contacts']:>14.3f}{times['total']:>12.3f}{q:>10}{q_small:>36}"
        )
    print()
    print(
        f"ratio import/baseline: {ratio:.2f} (pupils {imp['pupils'] / base['pupils']:.2f}, "
        f"contacts {imp['contacts'] / base['contacts']:.2f})"
    )
    within = ratio <= TARGET_RATIO
    print(f"ratio ≤ {TARGET_RATIO:g}: {'yes' if within else 'no'}")
    # bulk_create splits the rows into batches (500 rows, or fewer where the database
    # limits the parameters of one query, as SQLite does), so both take a few more
    # queries at full size than at a tenth; per row the import would take thousands more.
    grows = queries["import"] - queries["import_small"]
    baseline_grows = queries["baseline"] - queries["baseline_small"]
    bulk = grows <= baseline_grows + 2
    print(
        f"queries at full size vs a tenth: import {queries['import_small']} -> {queries['import']} (+{grows}), "
        f"baseline {queries['baseline_small']} -> {queries['baseline']} (+{baseline_grows}, its bulk_create batches)"
    )
    print(f"import's query count does not grow per row: {'yes' if bulk else 'no'}")
    return 0 if within and bulk else 1


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pupils", type=int, default=2000)
    parser.add_argument("--contacts", type=int, default=3000)
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of each (median)")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of one import and stop")
    args = parser.parse_args(argv)

    django_setup()
    with test_database():
        return run(args)


if __name__ == "__main__":
    sys.exit(main())
