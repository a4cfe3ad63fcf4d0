"""Applying an import writes in bulk: the number of queries does not grow with the
number of rows, for a first import and for next term's file with its updates.

Counts are compared at 20 and at 200 rows of the same shape, each in a school of its
own. SQLite caps one query at 999 parameters, so Django splits a bulk write there into
batches of about a hundred rows; these tests lift that cap (SQLite itself allows
32,766) so that both sizes are one batch, and any query made per row shows. On
PostgreSQL nothing is changed.
"""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from core.roles import Role
from schools.models import Guardianship, Membership, Pupil
from schools.roster import services as roster
from tests.conftest import make_member
from tests.factories import SchoolFactory

from . import exports
from .helpers import check

SMALL, LARGE = 20, 200


@pytest.fixture(autouse=True)
def _one_batch_on_sqlite(monkeypatch):
    if connection.vendor == "sqlite":
        monkeypatch.setattr(connection.features, "max_query_params", 32766)


# --- A school's files, at any size ----------------------------------------------------

YEARS = ["R", "1", "2", "3", "4", "5", "6"]


def _pupils(n: int, *, domain: str = "", term: int = 1, leavers: int = 0, joiners: int = 0) -> list[dict]:
    """n pupils spread over Reception to Year 5. In term 2 everyone has moved up a year
    and into that year's class, the first `leavers` have gone and `joiners` are new."""
    records = []
    for i in range(leavers if term == 2 else 0, n + joiners):
        year = YEARS[i % 6 + (term - 1)]
        records.append(
            exports.pupil(
                i,
                f"Child{i}",
                f"Family{i}",
                year,
                f"Class {year}",
                date_of_birth=datetime.date(2018, 1 + i % 12, 1 + i % 28),
            )
        )
    return records


def _contacts(n: int, *, domain: str, term: int = 1, leavers: int = 0, joiners: int = 0) -> list[dict]:
    """For n pupils: one carer per pair of siblings, linked to both, and a second
    carer for every other pupil (1.5 rows a pupil). In term 2 every link's
    relationship and responsibility have changed, the first `leavers` second carers
    are no longer in the file and `joiners` new carers are."""
    relationship, pr = ("Mother", True) if term == 1 else ("Carer", False)
    rows = []
    for i in range(n):
        family = i // 2
        rows.append(_contact(i, f"carer{family}@{domain}", f"Family{family}", relationship, pr))
        if i % 2 == 0 and not (term == 2 and i // 2 < leavers):
            rows.append(_contact(i, f"second{i}@{domain}", f"Family{i}", relationship, pr))
    for j in range(joiners if term == 2 else 0):
        rows.append(_contact(j, f"joiner{j}@{domain}", f"Family{j}", "Grandmother", False))
    return rows


def _contact(pupil: int, email: str, surname: str, relationship: str, pr: bool) -> dict:
    return {
        "upn": exports.upn(pupil),
        "first_name": email.split("@")[0].title(),
        "last_name": surname,
        "email": email,
        "relationship": relationship,
        "pr": pr,
    }


def _staff(n: int, *, domain: str, term: int = 1, leavers: int = 0, joiners: int = 0) -> list[dict]:
    """n teachers and support staff; in term 2 all have new job titles, the first
    `leavers` have gone and `joiners` are new."""
    records = []
    for i in range(leavers if term == 2 else 0, n + joiners):
        teacher = i % 3 != 0
        title = ("Class teacher" if teacher else "Teaching assistant") + (" (Year group lead)" if term == 2 else "")
        records.append(
            {
                "first_name": f"Staff{i}",
                "last_name": f"Person{i}",
                "email": f"staff{i}@{domain}",
                "job_title": title,
                "start_date": datetime.date(2020, 9, 1) + datetime.timedelta(days=i),
                "role": "Teacher" if teacher else "Support staff",
            }
        )
    return records


FILES = {
    "pupils": (_pupils, exports.sims_pupils),
    "contacts": (_contacts, exports.sims_contacts),
    "staff": (_staff, exports.sims_staff),
}


def _file(school, kind: str, n: int, **term) -> bytes:
    """The school's file; people's addresses are the school's own, so no one is in
    two of the schools a test compares."""
    records, export = FILES[kind]
    return export(records(n, domain=f"{school.slug}.example.org", **term))


def _new_school():
    school = SchoolFactory()
    return school, make_member(school, Role.HEADTEACHER)


def _queries_to_apply(school, head, kind: str, content: bytes, *, invite: bool = False):
    """Check the file (not counted), then apply it counting its queries. Returns the
    number of queries and the plan."""
    roster_import = check(school, kind, content, by=head)
    ContentType.objects.clear_cache()  # each count starts from a cold cache
    with CaptureQueriesContext(connection) as captured:
        plan = roster.apply_import(roster_import=roster_import, by=head, invite=invite)
    return len(captured), plan


def _school_with(n: int, *kinds: str):
    """A school that has imported term 1's files of these kinds for n pupils/staff."""
    school, head = _new_school()
    for kind in kinds:
        roster.apply_import(roster_import=check(school, kind, _file(school, kind, n), by=head), by=head)
    return school, head


def _sql(captured) -> str:
    return "\n".join(q["sql"][:160] for q in captured)


# --- A first import -------------------------------------------------------------------


def test_importing_200_pupils_takes_as_many_queries_as_importing_20(db):
    counts = {}
    for n in (SMALL, LARGE):
        school, head = _new_school()
        counts[n], plan = _queries_to_apply(school, head, "pupils", _file(school, "pupils", n))
        assert plan.counts["added"] == n and not plan.problems
    assert Pupil.objects.count() == SMALL + LARGE
    assert counts[SMALL] == counts[LARGE], counts


def test_importing_contacts_for_200_pupils_takes_as_many_queries_as_for_20(db):
    counts = {}
    for n in (SMALL, LARGE):
        school, head = _school_with(n, "pupils")
        counts[n], plan = _queries_to_apply(school, head, "contacts", _file(school, "contacts", n), invite=True)
        assert plan.counts["added"] == n and not plan.problems  # n/2 siblings' carers + n/2 second carers
        assert Guardianship.objects.filter(pupil__school=school).count() == n + n // 2
    assert counts[SMALL] == counts[LARGE], counts


def test_importing_200_staff_takes_as_many_queries_as_importing_20(db):
    counts = {}
    for n in (SMALL, LARGE):
        school, head = _new_school()
        counts[n], plan = _queries_to_apply(school, head, "staff", _file(school, "staff", n), invite=True)
        assert plan.counts["added"] == n and not plan.problems
    assert counts[SMALL] == counts[LARGE], counts


# --- Next term's files ----------------------------------------------------------------

LEAVERS, JOINERS = 3, 3


@pytest.mark.parametrize("kind", ["pupils", "contacts", "staff"])
def test_next_terms_file_takes_as_many_queries_whether_20_or_200_rows_change(db, kind):
    counts = {}
    for n in (SMALL, LARGE):
        school, head = _school_with(n, "pupils", "contacts", "staff")
        next_term = _file(school, kind, n, term=2, leavers=LEAVERS, joiners=JOINERS)
        counts[n], plan = _queries_to_apply(school, head, kind, next_term, invite=True)
        assert not plan.problems
        assert plan.counts["added"] == JOINERS
        assert plan.counts["left"] == LEAVERS
        # Every row still in the file has changed (a new year and class, new links, new job titles).
        expected_updates = {"pupils": n - LEAVERS, "contacts": n - LEAVERS, "staff": n - LEAVERS}[kind]
        assert plan.counts["updated"] == expected_updates, plan.counts
    assert counts[SMALL] == counts[LARGE], counts


def test_reimporting_the_same_contacts_file_takes_as_many_queries_at_200_rows_as_at_20(db):
    counts = {}
    for n in (SMALL, LARGE):
        school, head = _school_with(n, "pupils", "contacts")
        counts[n], plan = _queries_to_apply(school, head, "contacts", _file(school, "contacts", n))
        assert plan.counts == {"added": 0, "updated": 0, "unchanged": n, "left": 0, "skipped": 0}
    assert counts[SMALL] == counts[LARGE], counts


# --- Leavers --------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["pupils", "contacts", "staff"])
def test_leavers_are_written_in_bulk_too(db, kind):
    """Three leavers or twelve: the same queries (each leaver's login is ended, their
    invitations revoked and an audit event recorded, all in bulk)."""
    counts, captured = {}, {}
    for leavers in (3, 12):
        school, head = _school_with(40, "pupils", "contacts", "staff")
        next_term = _file(school, kind, 40, term=2, leavers=leavers)
        roster_import = check(school, kind, next_term, by=head)
        ContentType.objects.clear_cache()
        with CaptureQueriesContext(connection) as queries:
            plan = roster.apply_import(roster_import=roster_import, by=head)
        counts[leavers], captured[leavers] = len(queries), queries
        assert plan.counts["left"] == leavers
    assert counts[3] == counts[12], _sql(captured[12])


def test_leavers_who_belong_nowhere_else_lose_their_login_and_those_who_do_keep_it(db):
    school, head = _school_with(SMALL, "pupils", "contacts", "staff")
    stays_email, gone_email = f"second0@{school.slug}.example.org", f"second2@{school.slug}.example.org"
    # Both accepted their invitations; one is a parent at another school too.
    joined = Membership.objects.filter(school=school, user__email__in=[stays_email, gone_email])
    User.objects.filter(memberships__in=joined).update(is_active=True)
    joined.update(status=Membership.Status.ACTIVE)
    elsewhere = SchoolFactory()
    stays = Membership.objects.select_related("user").get(school=school, user__email=stays_email)
    Membership.objects.create(user=stays.user, school=elsewhere, status=Membership.Status.ACTIVE)

    plan = roster.apply_import(
        roster_import=check(school, "contacts", _file(school, "contacts", SMALL, term=2, leavers=2), by=head), by=head
    )

    assert sorted(d.obj.user.email for d in plan.leavers) == [stays_email, gone_email]
    gone = Membership.objects.select_related("user").get(school=school, user__email=gone_email)
    stays = Membership.objects.select_related("user").get(school=school, user__email=stays_email)
    assert gone.status == stays.status == Membership.Status.LEFT
    assert gone.ended_at is not None and stays.ended_at is not None
    assert gone.user.is_active is False
    # Still a parent at another school: the login stays.
    assert stays.user.is_active is True
    assert Membership.objects.get(school=elsewhere, user=stays.user).status == Membership.Status.ACTIVE
