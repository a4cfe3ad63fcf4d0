import pytest
from django.db import DatabaseError, connection, transaction

from consent import selectors, services
from consent.models import ConsentRecord, Disagreement
from core.roles import Role
from tests.conftest import make_member
from tests.factories import GuardianshipFactory, PupilFactory

from .helpers import answer, published_form

pytestmark = pytest.mark.django_db


def effective(form, pupil):
    return selectors.consent_for_pupils(form, [pupil])[0]


def test_a_pupil_with_no_answer_counts_as_no_for_every_purpose(school, head, pupil):
    form = published_form(school, head)
    consent = effective(form, pupil)
    assert consent.status == selectors.Status.OUTSTANDING
    assert not any(consent.allows(p.code) for p in form.purposes.all())


def test_the_usual_purposes_include_each_use_and_each_social_media_platform(school, head):
    codes = set(published_form(school, head).purposes.values_list("code", flat=True))
    assert {"website", "prospectus", "video", "display_inside", "display_outside", "press"} <= codes
    assert {"video_conferencing", "first_name", "facebook", "instagram", "x", "youtube"} <= codes


def test_if_two_carers_disagree_the_more_restrictive_answer_applies_and_the_office_is_told(
    school, head, pupil, parent, mailoutbox, django_capture_on_commit_callbacks
):
    office = make_member(school, Role.OFFICE)
    form = published_form(school, head)
    father = make_member(school, Role.PARENT)
    GuardianshipFactory(pupil=pupil, carer=father, relationship="father")
    answer(parent, pupil, form, "k1", website=True, press=True)
    assert effective(form, pupil).allows("website")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        answer(father, pupil, form, "k2", website=True, press=False)
    consent = effective(form, pupil)
    assert consent.allows("website")
    assert not consent.allows("press")
    assert consent.disagreements == {"press"}
    disagreement = Disagreement.objects.get()
    assert disagreement.purposes == ["press"]
    from consent.tasks import notify_disagreement

    notify_disagreement(disagreement.pk)
    notify_disagreement(disagreement.pk)  # idempotent: told once
    told = [m for m in mailoutbox if "disagree" in m.subject]
    assert len(told) == 1
    assert office.email in told[0].to
    assert len(callbacks) >= 1


def test_a_carer_without_parental_responsibility_does_not_count_and_cannot_answer(school, head, pupil, parent):
    form = published_form(school, head)
    step = make_member(school, Role.PARENT)
    GuardianshipFactory(pupil=pupil, carer=step, relationship="step_parent", parental_responsibility=False)
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        answer(step, pupil, form, "k3", website=True)
    assert ConsentRecord.objects.count() == 0


def test_a_withdrawal_takes_effect_at_once(school, head, pupil, parent):
    form = published_form(school, head)
    first = answer(parent, pupil, form, "k1", website=True, facebook=True)[0]
    assert effective(form, pupil).allows("facebook")
    second = answer(parent, pupil, form, "k2", website=True, facebook=False)[0]
    assert second.supersedes_id == first.pk
    consent = effective(form, pupil)
    assert consent.allows("website") and not consent.allows("facebook")


def test_submitting_the_same_answers_twice_makes_one_record(school, head, pupil, parent):
    form = published_form(school, head)
    answer(parent, pupil, form, "same", website=True)
    answer(parent, pupil, form, "same", website=True)
    assert ConsentRecord.objects.count() == 1


def test_a_new_form_version_keeps_answers_for_purposes_that_stay_and_new_purposes_count_as_no(
    school, head, pupil, parent
):
    form = published_form(school, head)
    answer(parent, pupil, form, "k1", website=True)
    draft = services.start_draft(school=school, by=head)
    draft.purposes.create(code="tiktok", label="TikTok", kind="social", order=999)
    new = services.publish(draft=draft, by=head)
    form.refresh_from_db()
    assert form.status == "superseded"
    consent = effective(selectors.current_form(school), pupil)
    assert consent.status == selectors.Status.TO_CONFIRM
    assert consent.allows("website")
    assert not consent.allows("tiktok")
    answer(parent, pupil, new, "k2", website=True, tiktok=True)
    consent = effective(selectors.current_form(school), pupil)
    assert consent.status == selectors.Status.ANSWERED and consent.allows("tiktok")


def test_a_consent_record_is_never_changed_or_deleted(school, head, pupil, parent):
    record = answer(parent, pupil, published_form(school, head), "k1", website=True)[0]
    record.signer_name = "Someone else"
    with pytest.raises(RuntimeError):
        record.save()
    with pytest.raises(RuntimeError):
        record.delete()
    assert ConsentRecord.objects.get().signer_name != "Someone else"


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_on_postgresql_a_raw_update_or_delete_of_a_consent_record_fails(school, head, pupil, parent):
    record = answer(parent, pupil, published_form(school, head), "raw", website=True)[0]
    for sql in (
        "UPDATE consent_consentrecord SET signer_name = 'X' WHERE id = %s",
        "DELETE FROM consent_consentrecord WHERE id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [record.pk])
    assert ConsentRecord.objects.get(pk=record.pk).signer_name != "X"


def test_the_signed_pdf_is_made_and_emailed_to_the_carer(school, head, pupil, parent, mailoutbox, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path)
    from consent.tasks import render_consent_pdf, send_consent_pdf_email

    record = answer(parent, pupil, published_form(school, head), "pdf", website=True)[0]
    render_consent_pdf(record.pk)
    send_consent_pdf_email(record.pk)
    send_consent_pdf_email(record.pk)
    record.refresh_from_db()
    assert record.document.file.read(4) == b"%PDF"
    sent = [m for m in mailoutbox if m.to == [parent.email]]
    assert len(sent) == 1 and sent[0].attachments[0][0].endswith(".pdf")


def _class_of(school, n, school_class):
    return [PupilFactory(school=school, school_class=school_class) for _ in range(n)]
