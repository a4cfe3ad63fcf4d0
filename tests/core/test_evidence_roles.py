"""Evidence no one at runtime can alter. The suite runs as the runtime role
(tests/db_roles.py): on every evidence table it may add and read, never change,
delete, empty or switch off the guard. The owner, which may do all that to an
ordinary table, is refused by the guard's triggers too."""

import datetime

import pytest
from django.db import DatabaseError, connection, transaction

from agreements.models import SignedDocument
from core.evidence import evidence_tables
from core.models import AuditEvent
from tests import db_roles

from ..agreements.pdf_helpers import private_media, published_staff_form, sign  # noqa: F401 (a fixture)

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="database roles exist only on PostgreSQL")

EVIDENCE = {
    "core_auditevent": [],
    "agreements_signature": [],
    "agreements_formtext": [],
    "agreements_signeddocument": ["emailed_at"],
    "agreements_paperscan": [],
    "agreements_countersignature": [],
    "agreements_countersigneddocument": [],
    "aup_approvalsignature": [],
    "aup_approvaldocument": [],
    "consent_consentrecord": [],
    "consent_consentdocument": ["emailed_at"],
    "devices_disposal": [],
    "incidents_incidententry": [],
    "incidents_incidentevidence": [],
    "retention_destruction": [],
}

REFUSED_TO_THE_RUNTIME_ROLE = [
    "UPDATE {table} SET id = id",
    "DELETE FROM {table}",
    "TRUNCATE {table}",
    "ALTER TABLE {table} DISABLE TRIGGER ALL",
    "ALTER TABLE {table} DISABLE TRIGGER {table}_evidence_guard",
    "DROP TRIGGER {table}_evidence_guard ON {table}",
]


def test_the_suite_runs_as_the_runtime_role(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        assert cursor.fetchone()[0] == db_roles.RUNTIME_ROLE


def test_every_evidence_table_is_guarded_with_only_its_email_marker_mutable(db):
    with connection.cursor() as cursor:
        assert evidence_tables(cursor) == EVIDENCE


@pytest.mark.parametrize("statement", REFUSED_TO_THE_RUNTIME_ROLE)
@pytest.mark.parametrize("table", sorted(EVIDENCE))
def test_the_runtime_role_cannot_alter_evidence(db, table, statement):
    with pytest.raises(DatabaseError, match="permission denied|must be owner"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement.format(table=table))


def test_the_runtime_role_still_reads_and_adds_evidence(db, school):
    AuditEvent.objects.create(action="test.added", school=school)
    assert AuditEvent.objects.filter(action="test.added").count() == 1


@pytest.mark.usefixtures("private_media")
def test_the_runtime_role_may_mark_a_signed_pdf_emailed_and_nothing_else(
    school,
    teacher,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        signature = sign(published_staff_form(school), teacher)
    document = SignedDocument.objects.get(signature=signature)
    moment = datetime.datetime(2026, 12, 4, 9, 0, tzinfo=datetime.UTC)
    SignedDocument.objects.filter(pk=document.pk).update(emailed_at=moment)
    assert SignedDocument.objects.get(pk=document.pk).emailed_at == moment
    with pytest.raises(DatabaseError, match="permission denied"), transaction.atomic():
        SignedDocument.objects.filter(pk=document.pk).update(sha256="0" * 64)


# --- the guard refuses the owner as well ---------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("statement", "message"),
    [
        ("UPDATE core_auditevent SET summary = 'Nothing happened' WHERE id = %s", "never changed"),
        ("DELETE FROM core_auditevent WHERE id = %s", "never deleted"),
    ],
)
def test_the_owner_cannot_change_or_delete_an_audit_event_either(school, statement, message):
    event = AuditEvent.objects.create(action="test.kept", school=school, summary="Kept")
    with db_roles.owner_connection(connection) as owner, owner.cursor() as cursor:
        with pytest.raises(Exception, match=message):
            cursor.execute(statement, [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).summary == "Kept"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("table", sorted(EVIDENCE))
def test_the_owner_cannot_empty_an_evidence_table(table):
    with db_roles.owner_connection(connection) as owner, owner.cursor() as cursor:
        with pytest.raises(Exception, match="holds evidence: it is never emptied"):
            cursor.execute(f"TRUNCATE {table} CASCADE")


# --- setting the roles up ------------------------------------------------------------


def test_setup_db_roles_refuses_to_run_as_anyone_but_the_owner(db):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="database owner"):
        call_command("setup_db_roles", role="aup_test_other")


def test_setup_db_roles_grants_a_new_role_insert_and_select_only_on_evidence(db):
    from core.evidence import ensure_role, grant_runtime_role

    with db_roles.owner_connection(connection) as owner, owner.cursor() as cursor:
        ensure_role(cursor, "aup_test_granted")
        grant_runtime_role(cursor, "aup_test_granted")
        for table in EVIDENCE:
            for privilege, expected in [("SELECT", True), ("INSERT", True), ("DELETE", False), ("TRUNCATE", False)]:
                cursor.execute("SELECT has_table_privilege('aup_test_granted', %s, %s)", [table, privilege])
                assert cursor.fetchone()[0] is expected, (table, privilege)
            cursor.execute("SELECT has_column_privilege('aup_test_granted', %s, 'id', 'UPDATE')", [table])
            assert cursor.fetchone()[0] is False
        cursor.execute("SELECT has_table_privilege('aup_test_granted', 'schools_pupil', 'UPDATE, DELETE')")
        assert cursor.fetchone()[0] is True


def _wait_until_blocked(pid, seconds=10):
    import time

    deadline = time.monotonic() + seconds
    with db_roles.owner_connection(connection) as watcher:
        while time.monotonic() < deadline:
            row = watcher.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone()
            if row and row[0] == "Lock":
                return
            time.sleep(0.05)
    pytest.fail("The second session never waited for the first")


def test_two_processes_creating_the_runtime_role_at_once_both_go_on(db):
    """Roles belong to the server: under pytest-xdist each worker (with a test
    database of its own) creates the same runtime role, possibly at the same moment."""
    import threading
    import uuid

    import psycopg

    from core.evidence import ensure_role

    role = f"aup_test_race_{uuid.uuid4().hex[:8]}"
    errors = []
    try:
        with db_roles.owner_connection(connection) as first, db_roles.owner_connection(connection) as second:
            first.autocommit = False
            with first.cursor() as cursor:
                assert ensure_role(cursor, role) is True  # made, not yet committed

            def create_too():
                try:
                    with second.cursor() as cursor:
                        ensure_role(cursor, role)  # sees no role yet; waits for the first
                except psycopg.Error as error:
                    errors.append(error)

            racer = threading.Thread(target=create_too)
            racer.start()
            _wait_until_blocked(second.info.backend_pid)  # on the first's uncommitted role
            first.commit()
            racer.join(timeout=30)
            assert not racer.is_alive()
            assert errors == []
            with second.cursor() as cursor:
                assert ensure_role(cursor, role) is False
    finally:
        with db_roles.owner_connection(connection) as owner:
            owner.execute(f'DROP ROLE IF EXISTS "{role}"')
