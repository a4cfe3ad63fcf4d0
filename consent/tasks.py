import hashlib
import logging
import secrets
import smtplib

from celery import shared_task
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from agreements.tasks import EMAIL_RETRY_BACKOFF, EMAIL_RETRY_BACKOFF_MAX
from core.email import send_templated_email
from core.roles import Cap, roles_with
from schools.models import Membership

from .models import ConsentDocument, ConsentRecord, Disagreement
from .pdf import record_pdf_html, render_signed_pdf, uk_datetime

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=8)
def render_consent_pdf(record_id: int):
    """Make the record's signed PDF once, then queue the email of it to the carer.
    Safe to run twice: only the run that stores the document queues the email."""
    if ConsentDocument.objects.filter(record_id=record_id).exists():
        return
    record = ConsentRecord.objects.select_related("school", "form", "text", "pupil", "carer").get(pk=record_id)
    pdf = render_signed_pdf(
        record_pdf_html(record),
        reason=f"Photo and media consent recorded by the AUP Portal (verification code {record.verification_code})",
    )
    document = ConsentDocument(record=record, sha256=hashlib.sha256(pdf).hexdigest())
    # A name of its own for each run, as for agreements: a losing run deletes only its file.
    document.file.save(f"consent-{record.verification_code}-{secrets.token_hex(4)}.pdf", ContentFile(pdf), save=False)
    try:
        with transaction.atomic():
            document.save()
            if record.carer.email:
                transaction.on_commit(lambda: send_consent_pdf_email.delay(record_id), robust=True)
    except IntegrityError:
        document.file.delete(save=False)  # another run got there first


@shared_task(
    acks_late=True,
    autoretry_for=(OSError, smtplib.SMTPException),
    retry_backoff=EMAIL_RETRY_BACKOFF,
    retry_backoff_max=EMAIL_RETRY_BACKOFF_MAX,
    retry_jitter=True,
    max_retries=8,
)
def send_consent_pdf_email(record_id: int):
    """Email the carer their signed answers, exactly once (marked before sending, as
    agreements.tasks.send_signed_pdf_email does)."""
    with transaction.atomic():
        document = (
            ConsentDocument.objects.select_for_update(of=("self",))
            .select_related("record__school", "record__carer", "record__pupil", "record__form")
            .filter(record_id=record_id)
            .first()
        )
        if document is None or document.emailed_at is not None or not document.record.carer.email:
            return
        ConsentDocument.objects.filter(pk=document.pk).update(emailed_at=timezone.now())
    record = document.record
    with document.file.open("rb") as stored:
        pdf = stored.read()
    try:
        send_templated_email(
            to=[record.carer.email],
            template="consent_signed",
            context={"record": record, "school": record.school, "signed_at_uk": uk_datetime(record.signed_at)},
            attachments=[(f"consent-{record.verification_code}.pdf", pdf, "application/pdf")],
        )
    except Exception:
        ConsentDocument.objects.filter(pk=document.pk).update(emailed_at=None)
        raise


def office_emails(school) -> list[str]:
    """Everyone at the school who manages pupils' records (the office, leaders)."""
    return sorted(
        set(
            Membership.objects.active()
            .with_role(*roles_with(Cap.MANAGE_PUPILS))
            .filter(school=school)
            .exclude(user__email="")
            .values_list("user__email", flat=True)
        )
    )


@shared_task(
    acks_late=True,
    autoretry_for=(OSError, smtplib.SMTPException),
    retry_backoff=EMAIL_RETRY_BACKOFF,
    retry_backoff_max=EMAIL_RETRY_BACKOFF_MAX,
    retry_jitter=True,
    max_retries=8,
)
def notify_disagreement(disagreement_id: int):
    """Tell the office, once, that carers disagree: the more restrictive answer
    applies. No parent's answers are in the email, only the child and the uses."""
    with transaction.atomic():
        disagreement = (
            Disagreement.objects.select_for_update(of=("self",))
            .select_related("school", "pupil", "record__form")
            .filter(pk=disagreement_id)
            .first()
        )
        if disagreement is None or disagreement.notified_at is not None:
            return
        to = office_emails(disagreement.school)
        if not to:
            return
        Disagreement.objects.filter(pk=disagreement.pk).update(notified_at=timezone.now())
    labels = dict(disagreement.record.form.purposes.values_list("code", "label"))
    try:
        send_templated_email(
            to=to,
            template="consent_disagreement",
            context={
                "disagreement": disagreement,
                "school": disagreement.school,
                "pupil": disagreement.pupil,
                "uses": [labels.get(code, code) for code in disagreement.purposes],
            },
        )
    except Exception:
        Disagreement.objects.filter(pk=disagreement.pk).update(notified_at=None)
        raise
    logger.info("Told the office that carers disagree about pupil %s", disagreement.pupil_id)


# Registered for the worker (autodiscovery finds tasks.py only).
from .phones import notify_phone_decision  # noqa: E402, F401
