"""The signed PDF's email is its own task: a mail server that is down is tried again
with a growing wait, and the signer gets exactly one email however often it runs."""

import smtplib

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend

from agreements.models import SignedDocument
from agreements.tasks import render_signed_pdf, send_signed_pdf_email

from .pdf_helpers import private_media, published_staff_form, sign  # noqa: F401

pytestmark = pytest.mark.usefixtures("private_media")


class FlakyBackend(EmailBackend):
    """Django's locmem backend, except that the first `failures` sends fail as a
    mail server that has gone away would."""

    failures = 0
    attempts = 0
    error = smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    def send_messages(self, messages):
        type(self).attempts += 1
        if type(self).attempts <= type(self).failures:
            raise type(self).error
        return super().send_messages(messages)


@pytest.fixture
def flaky_mail(settings):
    """flaky_mail(failures): the next `failures` sends fail, then sends succeed."""
    settings.EMAIL_BACKEND = f"{__name__}.FlakyBackend"

    def fail_first(failures, error=None):
        FlakyBackend.failures = failures
        FlakyBackend.attempts = 0
        FlakyBackend.error = error or smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return FlakyBackend

    yield fail_first
    FlakyBackend.failures = FlakyBackend.attempts = 0


@pytest.fixture
def retrying():
    """Eager tasks that follow their retries as a worker would (without the waits):
    the test settings otherwise propagate the first failure."""
    from config.celery import app

    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = True


@pytest.fixture
def stored(school, teacher, settings, django_capture_on_commit_callbacks):
    """A signature whose PDF is stored, its email not yet sent (the mail server was
    off while the PDF was made)."""
    settings.EMAIL_BACKEND = "tests.agreements.test_pdf.BrokenBackend"
    form = published_staff_form(school)
    with django_capture_on_commit_callbacks(execute=True):
        signature = sign(form, teacher)
    document = SignedDocument.objects.get(signature=signature)
    assert document.emailed_at is None
    assert mail.outbox == []
    return signature


def test_storing_the_pdf_queues_the_email_which_marks_the_document_as_emailed(
    school, teacher, django_capture_on_commit_callbacks
):
    form = published_staff_form(school)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        signature = sign(form, teacher)

    assert len(callbacks) == 2  # the PDF on commit of the signature, the email on commit of the PDF
    assert [m.to for m in mail.outbox] == [[teacher.email]]
    assert SignedDocument.objects.get(signature=signature).emailed_at is not None


@pytest.mark.usefixtures("retrying")
def test_a_send_that_fails_twice_then_succeeds_sends_exactly_one_email(stored, teacher, flaky_mail):
    backend = flaky_mail(2)

    result = send_signed_pdf_email.delay(stored.pk)

    assert result.successful()
    assert backend.attempts == 3
    assert [m.to for m in mail.outbox] == [[teacher.email]]
    assert mail.outbox[0].attachments[0][0] == f"{stored.verification_code}.pdf"
    assert SignedDocument.objects.get(signature=stored).emailed_at is not None


def test_a_second_run_after_the_email_was_sent_sends_nothing(stored, flaky_mail):
    backend = flaky_mail(0)
    send_signed_pdf_email.delay(stored.pk)
    emailed_at = SignedDocument.objects.get(signature=stored).emailed_at

    send_signed_pdf_email.delay(stored.pk)
    send_signed_pdf_email(stored.pk)

    assert backend.attempts == 1
    assert len(mail.outbox) == 1
    assert SignedDocument.objects.get(signature=stored).emailed_at == emailed_at


@pytest.mark.usefixtures("retrying")
def test_when_every_try_fails_the_task_gives_up_and_leaves_the_document_not_emailed(stored, flaky_mail):
    backend = flaky_mail(100)

    result = send_signed_pdf_email.delay(stored.pk)

    assert result.failed()
    assert isinstance(result.result, smtplib.SMTPServerDisconnected)

    assert backend.attempts == 1 + send_signed_pdf_email.max_retries
    assert mail.outbox == []
    assert SignedDocument.objects.get(signature=stored).emailed_at is None


@pytest.mark.usefixtures("retrying")
def test_a_refused_connection_is_retried_too(stored, flaky_mail):
    backend = flaky_mail(1, error=ConnectionRefusedError("mail server down"))

    send_signed_pdf_email.delay(stored.pk)

    assert backend.attempts == 2
    assert len(mail.outbox) == 1


def test_the_email_task_is_acknowledged_late_and_backs_off_exponentially():
    from celery.utils.time import get_exponential_backoff_interval

    task = send_signed_pdf_email
    waits = [get_exponential_backoff_interval(task.retry_backoff, n, task.retry_backoff_max) for n in range(8)]

    assert task.acks_late is True
    assert waits == [60, 120, 240, 480, 960, 1800, 1800, 1800]
    assert OSError in send_signed_pdf_email.autoretry_for
    assert smtplib.SMTPException in send_signed_pdf_email.autoretry_for
    assert send_signed_pdf_email.max_retries == 8


def test_rendering_the_pdf_again_does_not_queue_a_second_email(stored, flaky_mail, django_capture_on_commit_callbacks):
    flaky_mail(0)
    send_signed_pdf_email.delay(stored.pk)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        render_signed_pdf(stored.pk)

    assert callbacks == []
    assert len(mail.outbox) == 1


def test_a_signature_without_an_email_address_sends_nothing(school, pupil, teacher, django_capture_on_commit_callbacks):
    form = published_staff_form(school)
    with django_capture_on_commit_callbacks(execute=True):
        signature = sign(form, None, typed_name="Amelia Khan", method="class_session", pupil=pupil, led_by=teacher)

    send_signed_pdf_email(signature.pk)

    assert mail.outbox == []
    assert SignedDocument.objects.get(signature=signature).emailed_at is None


def test_a_signature_whose_pdf_is_not_made_yet_sends_nothing(school, teacher):
    form = published_staff_form(school)
    signature = sign(form, teacher)  # the on-commit PDF task never runs in the test's transaction

    send_signed_pdf_email(signature.pk)

    assert mail.outbox == []
