"""Time travel through a leaver's retention: the records reach the end of their
rules, the DPO's review list shows them, approval deletes rows and files, the
destruction log records counts, and a legal hold keeps them."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from agreements.models import Signature, SignedDocument
from consent.models import ConsentDocument, ConsentRecord
from core.models import AuditEvent
from core.roles import Role
from retention import services
from retention.models import Destruction, LegalHold, Review, ReviewItem
from schools.models import Pupil
from tests.conftest import make_member
from tests.factories import GuardianshipFactory, PupilFactory

from .helpers import LEFT_ON, leaver_records, parents_form

BEFORE_END = datetime.datetime(2033, 7, 19, 12, tzinfo=datetime.UTC)  # 6 years less a day
AFTER_END = datetime.datetime(2033, 7, 21, 12, tzinfo=datetime.UTC)


@pytest.fixture
def carer(school, pupil):
    user = make_member(school, Role.PARENT)
    GuardianshipFactory(pupil=pupil, carer=user, relationship="mother")
    return user


@pytest.fixture
def leaver(school, head, carer, pupil):
    with time_machine.travel(datetime.datetime(2026, 9, 10, 10, tzinfo=datetime.UTC), tick=False):
        return leaver_records(school, head, carer, pupil)


def _lines(review):
    return {(line.kind, line.school_id): line.count for line in review.lines.all()}


def _approve_and_dispose(review, dpo, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.approve(review=review, user=dpo)
    review.refresh_from_db()
    return review


def test_a_leavers_records_are_not_due_before_the_end_of_their_rules(trust, school, leaver):
    with time_machine.travel(BEFORE_END, tick=False):
        review = services.sweep_trust(trust)
    assert review is None or ("agreements.pupil_agreements", school.pk) not in _lines(review)


def test_a_leavers_records_reach_the_end_of_their_rules_and_go_on_the_review_list(trust, school, leaver):
    with time_machine.travel(AFTER_END, tick=False):
        review = services.sweep_trust(trust)
    lines = _lines(review)
    assert lines[("agreements.pupil_agreements", school.pk)] == 1
    assert lines[("consent.consent_records", school.pk)] == 1
    assert review.status == Review.Status.OPEN
    signature, _, records = leaver
    assert set(ReviewItem.objects.filter(review=review).values_list("kind", "object_id")) >= {
        ("agreements.pupil_agreements", signature.pk),
        ("consent.consent_records", records[0].pk),
    }


def test_approval_deletes_the_rows_and_their_files_and_logs_the_counts(
    trust, school, leaver, trust_officer, django_capture_on_commit_callbacks
):
    signature, document, records = leaver
    pdf = document.file
    consent_pdf_names = list(ConsentDocument.objects.filter(record__in=records).values_list("file", flat=True))
    assert pdf.storage.exists(pdf.name)
    with time_machine.travel(AFTER_END, tick=False):
        review = services.sweep_trust(trust)
        review = _approve_and_dispose(review, trust_officer, django_capture_on_commit_callbacks)

    assert review.status == Review.Status.DONE
    assert not Signature.objects.filter(pk=signature.pk).exists()
    assert not SignedDocument.objects.filter(pk=document.pk).exists()
    assert not ConsentRecord.objects.filter(pk__in=[r.pk for r in records]).exists()
    assert not pdf.storage.exists(pdf.name)
    for name in consent_pdf_names:
        assert not pdf.storage.exists(name)
    log = {(d.kind, d.school_id): d for d in Destruction.objects.filter(review=review)}
    assert log[("agreements.pupil_agreements", school.pk)].count == 1
    assert log[("consent.consent_records", school.pk)].count == 1
    entry = log[("agreements.pupil_agreements", school.pk)]
    assert entry.approved_by == trust_officer
    assert entry.rule == "6 years from the pupil's leaving date, then delete"
    # The log names the kind, never the pupil.
    assert "Amelia" not in str(Destruction.objects.values_list()) and "Khan" not in str(
        Destruction.objects.values_list()
    )
    # The audit log records the approval and each controlled deletion.
    actions = list(AuditEvent.objects.values_list("action", flat=True))
    assert "retention.review_approved" in actions
    assert actions.count("retention.disposed") >= 3
    # The pupil's own record is untouched (their rule is date of birth + 25 years).
    assert Pupil.objects.get(pk=signature.pupil_id).first_name == "Amelia"


def test_a_legal_hold_on_the_pupil_keeps_every_record_about_them(
    trust, school, head, leaver, pupil, trust_officer, django_capture_on_commit_callbacks
):
    services.place_hold(school=school, subject="pupil", identifier=pupil.upn, reason="A claim is pending", user=head)
    with time_machine.travel(AFTER_END, tick=False):
        review = services.sweep_trust(trust)
    assert review is None or not any(key[0].startswith(("agreements.pupil", "consent.")) for key in _lines(review))
    assert Signature.objects.filter(pk=leaver[0].pk).exists()


def test_a_hold_placed_after_the_sweep_still_keeps_the_records_at_disposal(
    trust, school, head, leaver, pupil, trust_officer, django_capture_on_commit_callbacks
):
    with time_machine.travel(AFTER_END, tick=False):
        review = services.sweep_trust(trust)
        services.place_hold(school=school, subject="pupil", identifier=pupil.upn, reason="Police inquiry", user=head)
        review = _approve_and_dispose(review, trust_officer, django_capture_on_commit_callbacks)
    assert review.status == Review.Status.DONE
    assert Signature.objects.filter(pk=leaver[0].pk).exists()
    assert ConsentRecord.objects.filter(pk=leaver[2][0].pk).exists()
    assert not Destruction.objects.filter(review=review, kind="agreements.pupil_agreements").exists()


def test_a_lifted_hold_lets_the_rules_apply_again(trust, school, head, leaver, pupil):
    hold = services.place_hold(school=school, subject="pupil", identifier=pupil.upn, reason="A claim", user=head)
    services.lift_hold(hold=hold, reason="The claim was settled", user=head)
    assert LegalHold.objects.get(pk=hold.pk).lifted_at is not None
    with time_machine.travel(AFTER_END, tick=False):
        review = services.sweep_trust(trust)
    assert _lines(review)[("agreements.pupil_agreements", school.pk)] == 1


def test_a_trusts_longer_rule_keeps_the_records(trust, school, leaver, trust_officer):
    services.change_rule(
        trust=trust,
        kind_key="agreements.pupil_agreements",
        years=10,
        action="delete",
        reason="Kept longer while the trust's claims are reviewed",
        user=trust_officer,
    )
    with time_machine.travel(AFTER_END, tick=False):
        review = services.sweep_trust(trust)
    assert review is None or ("agreements.pupil_agreements", school.pk) not in _lines(review)
    event = AuditEvent.objects.get(action="retention.rule_changed")
    assert event.data["before"] == {"years": 6, "action": "delete"}
    assert event.data["after"] == {"years": 10, "action": "delete"}


def test_a_newer_sweep_replaces_a_review_nobody_approved(trust, school, leaver):
    with time_machine.travel(AFTER_END, tick=False):
        first = services.sweep_trust(trust)
        second = services.sweep_trust(trust)
    first.refresh_from_db()
    assert first.status == Review.Status.REPLACED
    assert not ReviewItem.objects.filter(review=first).exists()
    assert second.status == Review.Status.OPEN


def test_a_review_is_approved_once(trust, school, leaver, trust_officer, django_capture_on_commit_callbacks):
    from django.core.exceptions import ValidationError

    with time_machine.travel(AFTER_END, tick=False):
        review = services.sweep_trust(trust)
        _approve_and_dispose(review, trust_officer, django_capture_on_commit_callbacks)
        with pytest.raises(ValidationError):
            services.approve(review=review, user=trust_officer)


def test_staff_agreements_end_six_years_after_the_person_leaves(trust, school, head):
    from tests.agreements.signing_helpers import publish_staff_form, sign_as

    teacher = make_member(school, Role.TEACHER)
    with time_machine.travel(datetime.datetime(2026, 9, 10, 10, tzinfo=datetime.UTC), tick=False):
        signature = sign_as(publish_staff_form(school, head), teacher)
    membership = teacher.memberships.get(school=school)
    membership.leaving_date = datetime.date(2027, 8, 31)
    membership.save(update_fields=["leaving_date"])
    with time_machine.travel(datetime.datetime(2033, 9, 1, 12, tzinfo=datetime.UTC), tick=False):
        review = services.sweep_trust(trust)
    assert _lines(review)[("agreements.staff_agreements", school.pk)] == 1
    assert ReviewItem.objects.filter(review=review, object_id=signature.pk).exists()
    # The head, who has not left, keeps theirs.
    assert (
        not ReviewItem.objects.filter(review=review, kind="agreements.staff_agreements")
        .exclude(object_id=signature.pk)
        .exists()
    )


def test_a_pupils_own_record_is_anonymised_at_date_of_birth_plus_25_years(
    trust, school, trust_officer, django_capture_on_commit_callbacks
):
    pupil = PupilFactory(
        school=school,
        first_name="Zara",
        last_name="Owusu",
        date_of_birth=datetime.date(2015, 3, 1),
        upn="A123456789012",
    )
    pupil.leaving_date = LEFT_ON
    pupil.save(update_fields=["leaving_date"])
    with time_machine.travel(datetime.datetime(2040, 3, 2, 12, tzinfo=datetime.UTC), tick=False):
        review = services.sweep_trust(trust)
        assert _lines(review)[("schools.pupil_records", school.pk)] == 1
        _approve_and_dispose(review, trust_officer, django_capture_on_commit_callbacks)
    pupil.refresh_from_db()
    assert (pupil.first_name, pupil.last_name, pupil.upn, pupil.date_of_birth) == ("Former", "pupil", "", None)
    # Once anonymised, the next sweep does not find it again.
    with time_machine.travel(datetime.datetime(2040, 3, 3, 12, tzinfo=datetime.UTC), tick=False):
        again = services.sweep_trust(trust)
    assert again is None or ("schools.pupil_records", school.pk) not in _lines(again)


def test_review_kinds_are_listed_but_never_destroyed_by_approval(
    trust, school, head, trust_officer, django_capture_on_commit_callbacks
):
    from aup import services as aup
    from tests.agreements.signing_helpers import publish_new_version

    with time_machine.travel(datetime.datetime(2026, 9, 10, 10, tzinfo=datetime.UTC), tick=False):
        form = parents_form(school, head)
        publish_new_version(form, head)
    old = form.version
    old.refresh_from_db()
    assert old.superseded_at is not None
    with time_machine.travel(datetime.datetime(2033, 9, 11, 12, tzinfo=datetime.UTC), tick=False):
        review = services.sweep_trust(trust)
        assert _lines(review)[("aup.superseded_versions", school.pk)] == 1
        assert not ReviewItem.objects.filter(review=review, kind="aup.superseded_versions").exists()
    del aup


def test_sweep_all_skips_a_trust_whose_approved_review_is_still_being_destroyed(trust, school, leaver, trust_officer):
    with time_machine.travel(AFTER_END, tick=False):
        review = services.sweep_trust(trust)
        Review.objects.filter(pk=review.pk).update(
            status=Review.Status.APPROVED, approved_by=trust_officer, approved_at=timezone.now()
        )
        assert services.sweep_all() == []


def test_the_device_a_signature_was_made_on_is_anonymised_and_the_signature_kept(
    trust, school, head, trust_officer, django_capture_on_commit_callbacks
):
    import secrets

    from django.test import RequestFactory

    from agreements import services as agreements
    from tests.agreements.signing_helpers import publish_staff_form

    teacher = make_member(school, Role.TEACHER)
    with time_machine.travel(datetime.datetime(2026, 9, 10, 10, tzinfo=datetime.UTC), tick=False):
        form = publish_staff_form(school, head)
        signature = agreements.sign(
            form=form,
            signer=teacher,
            typed_name=teacher.full_name,
            statements_agreed=[s.number for s in form.statements.all()],
            submission_key=secrets.token_urlsafe(16),
            request=RequestFactory().post(
                "/", REMOTE_ADDR="203.0.113.9", HTTP_USER_AGENT="Mozilla/5.0 (Windows NT 10.0)"
            ),
            queue_pdf=False,
        )
    assert (signature.ip_address, signature.user_agent) == ("203.0.113.9", "Mozilla/5.0 (Windows NT 10.0)")
    with time_machine.travel(datetime.datetime(2032, 9, 11, 12, tzinfo=datetime.UTC), tick=False):
        review = services.sweep_trust(trust)
        assert _lines(review)[("agreements.signing_devices", school.pk)] == 1
        _approve_and_dispose(review, trust_officer, django_capture_on_commit_callbacks)
    kept = Signature.objects.get(pk=signature.pk)
    assert (kept.ip_address, kept.user_agent, kept.signer_name) == (None, "", teacher.full_name)
    assert Destruction.objects.get(review=review, kind="agreements.signing_devices").action == "anonymise"


def test_the_nightly_task_takes_up_a_disposal_that_stopped(trust, school, leaver, trust_officer):
    from retention.tasks import sweep_retention

    with time_machine.travel(AFTER_END, tick=False):
        review = services.sweep_trust(trust)
        # Approved, but its first batch never ran (the worker died, a batch failed).
        Review.objects.filter(pk=review.pk).update(
            status=Review.Status.APPROVED, approved_by=trust_officer, approved_at=timezone.now()
        )
        sweep_retention()
    review.refresh_from_db()
    assert review.status == Review.Status.DONE
    assert not Signature.objects.filter(pk=leaver[0].pk).exists()
