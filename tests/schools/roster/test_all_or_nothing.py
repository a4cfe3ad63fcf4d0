"""A file that fails half-way changes nothing. A real database trigger makes one
insert fail in the middle of the import, after earlier writes have been made."""

from contextlib import contextmanager

import pytest
from django.db import DatabaseError, connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from core.models import AuditEvent
from schools.models import Guardianship, Membership, MembershipRole, Pupil, RosterImport, SchoolClass, YearGroup
from schools.roster import services as roster
from schools.roster.apply import BATCH
from tests.db_roles import owner_connection

from .exports import autumn_contacts, autumn_pupils, pupil, sims_contacts, sims_pupils
from .helpers import check, import_file, snapshot

pytestmark = pytest.mark.django_db(transaction=True)


@contextmanager
def insert_fails(table: str, when: str):
    """While inside, inserting a row into `table` for which `when` holds (SQL on
    NEW) fails in the database itself. (On PostgreSQL the trigger is added by the
    owner: the suite runs as the runtime role, which may not.)"""
    if connection.vendor == "postgresql":
        with owner_connection(connection) as owner:
            owner.execute(
                "CREATE FUNCTION roster_test_explode() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN RAISE EXCEPTION 'boom'; END; $$"
            )
            owner.execute(
                f"CREATE TRIGGER roster_test_explode BEFORE INSERT ON {table} "
                f"FOR EACH ROW WHEN ({when}) EXECUTE FUNCTION roster_test_explode()"
            )
        try:
            yield
        finally:
            with owner_connection(connection) as owner:
                owner.execute(f"DROP TRIGGER IF EXISTS roster_test_explode ON {table}")
                owner.execute("DROP FUNCTION IF EXISTS roster_test_explode()")
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TRIGGER roster_test_explode BEFORE INSERT ON {table} "
            f"WHEN {when} BEGIN SELECT RAISE(ABORT, 'boom'); END;"
        )
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TRIGGER IF EXISTS roster_test_explode")


def many_pupils(count: int, explode_at: int) -> list[dict]:
    """A big file with new classes and year groups, one pupil the trigger refuses."""
    years = ["R", "1", "2", "3", "4", "5", "6"]
    records = []
    for n in range(1, count + 1):
        year = years[n % len(years)]
        surname = "Explode" if n == explode_at else f"Surname{n}"
        records.append(pupil(100 + n, f"Child{n}", surname, year, f"Class {year}"))
    return records


def inserts_into(queries, table: str) -> int:
    return sum(1 for q in queries.captured_queries if q["sql"].startswith(f'INSERT INTO "{table}"'))


def test_a_pupils_file_that_fails_half_way_changes_nothing(school, office):
    records = many_pupils(BATCH + 200, explode_at=BATCH + 150)  # in the second batch of inserts
    roster_import = check(school, "pupils", sims_pupils(records), by=office)
    before = snapshot()
    events_before = AuditEvent.objects.count()

    with (
        insert_fails("schools_pupil", "NEW.last_name = 'Explode'"),
        CaptureQueriesContext(connection) as queries,
        pytest.raises(DatabaseError, match="boom"),
    ):
        roster.apply_import(roster_import=roster_import, by=office)

    # Year groups, classes and the first batch of pupils were written before the failure...
    assert inserts_into(queries, "schools_yeargroup") and inserts_into(queries, "schools_schoolclass")
    assert inserts_into(queries, "schools_pupil") >= 2
    # ...and none of it is left.

    assert not Pupil.objects.exists()
    assert not SchoolClass.objects.exists()
    assert not YearGroup.objects.exists()
    assert snapshot() == before
    assert not AuditEvent.objects.filter(action="roster.imported").exists()
    assert AuditEvent.objects.count() == events_before
    roster_import.refresh_from_db()
    assert roster_import.status == RosterImport.Status.CHECKED
    assert roster_import.applied_at is None and roster_import.applied_by is None
    assert "Explode" in roster_import.content


def test_a_pupils_file_can_be_applied_once_the_failure_is_gone(school, office):
    records = many_pupils(30, explode_at=20)
    roster_import = check(school, "pupils", sims_pupils(records), by=office)
    with insert_fails("schools_pupil", "NEW.last_name = 'Explode'"), pytest.raises(DatabaseError, match="boom"):
        roster.apply_import(roster_import=roster_import, by=office)

    plan = roster.apply_import(roster_import=roster_import, by=office)

    assert plan.counts["added"] == 30
    assert Pupil.objects.filter(school=school).count() == 30
    assert AuditEvent.objects.filter(action="roster.imported").count() == 1


def test_a_next_term_file_that_fails_half_way_leaves_last_terms_roll_as_it_was(school, office):
    import_file(school, "pupils", sims_pupils(autumn_pupils()), by=office)
    spring = [{**p, "year": "5", "class_name": "Ash"} for p in autumn_pupils()[:3]]
    spring.append(pupil(9, "Maya", "Explode", "R", "Acorn"))
    roster_import = check(school, "pupils", sims_pupils(spring), by=office)
    before = snapshot()

    with insert_fails("schools_pupil", "NEW.last_name = 'Explode'"), pytest.raises(DatabaseError, match="boom"):
        roster.apply_import(roster_import=roster_import, by=office)

    assert snapshot() == before
    assert not SchoolClass.objects.filter(name__in=["Ash", "Acorn"]).exists()
    assert Pupil.objects.current().filter(school=school).count() == 4
    assert AuditEvent.objects.filter(action="roster.imported").count() == 1  # last term's only


def test_a_contacts_file_that_fails_half_way_leaves_no_accounts_memberships_or_links(
    school, office, parent, mailoutbox
):
    import_file(school, "pupils", sims_pupils(autumn_pupils()), by=office)
    contacts = autumn_contacts()
    contacts[3]["relationship"] = "Foster carer"  # its link is written last, and refused
    roster_import = check(school, "contacts", sims_contacts(contacts), by=office)
    users_before = User.objects.count()
    before = snapshot()

    with (
        insert_fails("schools_guardianship", "NEW.relationship = 'foster_carer'"),
        CaptureQueriesContext(connection) as queries,
        pytest.raises(DatabaseError, match="boom"),
    ):
        roster.apply_import(roster_import=roster_import, by=office, invite=True)

    assert inserts_into(queries, "accounts_user") and inserts_into(queries, "schools_membership")

    assert User.objects.count() == users_before
    assert not User.objects.filter(email__endswith="@example.com").exists()
    assert snapshot() == before
    assert Membership.objects.get(user=parent, school=school).status == Membership.Status.ACTIVE
    assert MembershipRole.objects.filter(role="parent").count() == 1
    assert Guardianship.objects.count() == 1
    assert AuditEvent.objects.filter(action="roster.imported").count() == 1  # the pupils file's only
    roster_import.refresh_from_db()
    assert (roster_import.status, roster_import.invite_membership_ids) == (RosterImport.Status.CHECKED, [])
    assert roster_import.content
    assert mailoutbox == [], "no invitation for an import that did not happen"
