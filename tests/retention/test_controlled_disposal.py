"""Immutable evidence stays immutable at runtime (PostgreSQL): the runtime role, as
which the web app and the worker connect, cannot delete a signature itself; only the
security-definer function can, and only rows that a review the DPO approved lists."""

import datetime

import psycopg
import pytest
import time_machine
from django.db import connection, transaction
from django.utils import timezone

from agreements.models import Signature
from core.models import AuditEvent
from core.roles import Role
from retention.models import Review, ReviewItem
from tests import db_roles
from tests.conftest import make_member
from tests.factories import GuardianshipFactory

from .helpers import leaver_records


def _needs_postgres():
    if connection.vendor != "postgresql" or not db_roles.runs_as_runtime_role():
        pytest.skip("needs PostgreSQL with the runtime role (DATABASE_URL)")


@pytest.fixture
def signature(school, head, pupil):
    carer = make_member(school, Role.PARENT)
    GuardianshipFactory(pupil=pupil, carer=carer, relationship="father")
    with time_machine.travel(datetime.datetime(2026, 9, 10, 10, tzinfo=datetime.UTC), tick=False):
        return leaver_records(school, head, carer, pupil)[0]


def _call_delete(review_id, ids):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT portal_retention_delete(%s, %s, %s, %s, %s)",
            [review_id, "agreements.pupil_agreements", "agreements_signature", "id", ids],
        )
        return cursor.fetchone()[0]


def _review(trust, school, signature, *, approved_by=None):
    review = Review.objects.create(trust=trust, swept_on=datetime.date(2033, 7, 21))
    ReviewItem.objects.create(
        review=review, kind="agreements.pupil_agreements", school_id=school.pk, object_id=signature.pk
    )
    if approved_by is not None:
        Review.objects.filter(pk=review.pk).update(
            status="approved", approved_by=approved_by, approved_at=timezone.now()
        )
    return review


def test_the_runtime_role_cannot_delete_a_signature_directly(signature):
    _needs_postgres()
    with pytest.raises(Exception) as raised, transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM agreements_signeddocument WHERE signature_id = %s", [signature.pk])
    assert "permission denied" in str(raised.value)
    assert Signature.objects.filter(pk=signature.pk).exists()


def test_the_runtime_role_cannot_open_the_door_by_setting_the_flag_itself(signature):
    _needs_postgres()
    with pytest.raises(Exception) as raised, transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL portal.retention_disposal = 'on'")
            cursor.execute("DELETE FROM agreements_signature WHERE id = %s", [signature.pk])
    assert "permission denied" in str(raised.value)


def test_even_the_owner_cannot_delete_evidence_outside_the_function(db):
    """The guard's door opens only inside the functions: the owner's own DELETE (on a
    row it wrote in its own transaction, rolled back) is refused as before."""
    _needs_postgres()
    with db_roles.owner_connection(connection) as owner, pytest.raises(psycopg.Error) as raised:
        with owner.transaction():
            owner.execute(
                "INSERT INTO core_auditevent (created_at, action, object_type, object_id, object_repr, summary, data) "
                "VALUES (now(), 'test', '', '', '', '', '{}') "
            )
            owner.execute("DELETE FROM core_auditevent WHERE action = 'test'")
    assert "append-only" in str(raised.value)


def test_the_function_refuses_a_review_nobody_approved(trust, school, signature):
    _needs_postgres()
    review = _review(trust, school, signature)
    with pytest.raises(Exception) as raised, transaction.atomic():
        _call_delete(review.pk, [signature.pk])
    assert "approved" in str(raised.value)
    assert Signature.objects.filter(pk=signature.pk).exists()


def test_the_function_deletes_only_what_the_approved_review_lists_and_audits_it(
    trust, school, head, pupil, signature, trust_officer
):
    _needs_postgres()
    from tests.retention.helpers import parents_form, sign_for_child

    other = sign_for_child(parents_form(school, head, "Home learning agreement"), signature.signer, pupil)
    review = _review(trust, school, signature, approved_by=trust_officer)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT portal_retention_delete(%s, %s, %s, %s, %s)",
                [review.pk, "agreements.pupil_agreements", "agreements_signeddocument", "signature_id", [signature.pk]],
            )
        deleted = _call_delete(review.pk, [signature.pk, other.pk])
    assert deleted == 1
    assert not Signature.objects.filter(pk=signature.pk).exists()
    assert Signature.objects.filter(pk=other.pk).exists()  # not on the review: kept
    event = AuditEvent.objects.filter(action="retention.disposed", data__table="agreements_signature").get()
    assert event.data["count"] == 1 and event.object_id == str(review.pk)


def test_only_the_runtime_role_is_granted_the_disposal_functions(db):
    _needs_postgres()
    delete = "portal_retention_delete(bigint, text, text, text, bigint[])"
    helper = "portal_retention_approved_ids(bigint, text, bigint[])"
    with db_roles.owner_connection(connection) as owner:
        owner.execute(
            "DO $$ BEGIN CREATE ROLE aup_test_no_disposal NOLOGIN; "
            "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$"
        )
        privilege = "SELECT has_function_privilege(%s, %s, 'EXECUTE')"
        assert owner.execute(privilege, [db_roles.RUNTIME_ROLE, delete]).fetchone()[0] is True
        assert owner.execute(privilege, ["aup_test_no_disposal", delete]).fetchone()[0] is False
        assert owner.execute(privilege, [db_roles.RUNTIME_ROLE, helper]).fetchone()[0] is False
