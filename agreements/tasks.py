import hashlib
import logging
import secrets
import smtplib

from celery import shared_task
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from core import pdf as core_pdf
from core.email import send_templated_email

from .countersigning.selectors import open_fields_for
from .models import Signature, SignedDocument
from .pdf import signed_pdf_html, uk_datetime

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=8)
def render_signed_pdf(signature_id: int):
    """Make the signed PDF once, then queue the email of it to the signer. If the
    worker was down, this runs when it returns; until then the person sees "being
    prepared". Safe to run twice: only the run that stores the document queues the
    email (and the email task itself never sends twice)."""
    if SignedDocument.objects.filter(signature_id=signature_id).exists():
        return
    signature = Signature.objects.select_related(
        "school", "form__version__policy", "text", "pupil", "led_by", "signer", "class_session", "paper_scan"
    ).get(pk=signature_id)
    # The hash is of the signed bytes: the file people hold, and /verify/ looks up.
    # A signature that awaits a countersignature (a parent's, the member of staff handing
    # over a loan) gets an empty signature field for it (agreements.countersigning).
    pdf = core_pdf.render_signed_pdf(
        signed_pdf_html(signature), reason=signed_pdf_reason(signature), open_fields=open_fields_for(signature)
    )
    digest = hashlib.sha256(pdf).hexdigest()
    document = SignedDocument(signature=signature, sha256=digest)
    # A name of its own for each run: two runs at once (the task queued at signing and
    # again when someone asks for the PDF) must never share a stored file, or the one
    # that loses the race would delete the winner's (object storage has no atomic
    # create-if-absent).
    document.file.save(f"{signature.verification_code}-{secrets.token_hex(4)}.pdf", ContentFile(pdf), save=False)
    try:
        with transaction.atomic():
            document.save()
            if signature.signer_id and signature.signer.email:
                # On commit, and robust: the PDF is stored whatever happens to the email.
                transaction.on_commit(lambda: send_signed_pdf_email.delay(signature_id), robust=True)
    except IntegrityError:
        document.file.delete(save=False)  # another run got there first, and queues the email
        return


def signed_pdf_reason(signature) -> str:
    """The signature's /Reason, which PDF readers show beside it."""
    details = signature.details or {}
    if details.get("return_of_loan"):
        what = "Return of equipment on loan"
    elif details.get("loan"):
        what = "Receipt of equipment on loan"
    else:
        what = f"Signed agreement: {signature.form.title}"
    return f"{what}, recorded by the AUP Portal (verification code {signature.verification_code})"


# Waits between tries: up to 1, 2, 4, 8, 16 then 30 minutes (random within each, so
# many waiting emails do not all arrive together when the mail server returns): about
# two hours in all. Each wait stays under Redis's visibility timeout (one hour).
EMAIL_RETRY_BACKOFF = 60  # seconds, doubled each time
EMAIL_RETRY_BACKOFF_MAX = 30 * 60


@shared_task(
    acks_late=True,
    autoretry_for=(OSError, smtplib.SMTPException),
    retry_backoff=EMAIL_RETRY_BACKOFF,
    retry_backoff_max=EMAIL_RETRY_BACKOFF_MAX,
    retry_jitter=True,
    max_retries=8,
)
def send_signed_pdf_email(signature_id: int):
    """Email the signer their signed PDF, exactly once. A mail server that is down or
    refuses the message raises, and Celery tries again later with a growing wait
    (EMAIL_RETRY_BACKOFF); after the last try the PDF is still on the receipt page.

    Never twice: the document is marked `emailed_at` (committed) before the mail
    server is called, so a second run (a retry, a redelivery, a task queued twice)
    finds it marked and does nothing. A send that fails takes the mark back off and
    the retry sends; a worker that dies mid-send leaves it marked, so the person is
    not emailed twice (the PDF stays on their receipt page)."""
    with transaction.atomic():
        document = (
            SignedDocument.objects.select_for_update(of=("self",))
            .select_related(
                "signature__school", "signature__form__version__policy", "signature__signer", "signature__pupil"
            )
            .filter(signature_id=signature_id)
            .first()
        )
        if document is None or document.emailed_at is not None:
            return
        signature = document.signature
        email = signature.signer.email if signature.signer_id else ""
        if not email:
            return
        SignedDocument.objects.filter(pk=document.pk).update(emailed_at=timezone.now())
    with document.file.open("rb") as stored:
        pdf = stored.read()
    try:
        _send(signature, email, pdf)
    except Exception:
        SignedDocument.objects.filter(pk=document.pk).update(emailed_at=None)  # not sent: the retry sends
        raise


def _send(signature, email: str, pdf: bytes) -> None:
    version = signature.form.version
    send_templated_email(
        to=[email],
        template="signed_agreement",
        context={
            "signature": signature,
            "school": signature.school,
            "policy": version.policy,
            "version": version,
            "signed_at_uk": uk_datetime(signature.signed_at),
        },
        attachments=[(f"{signature.verification_code}.pdf", pdf, "application/pdf")],
    )
    logger.info("Emailed the signed PDF of signature %s", signature.pk)


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=3)
def make_outstanding_list_pdf(prepared_file_id: int):
    """The printed list of who has not signed (agreements.outstanding_pdf). Safe to run
    twice: a file already made is not made again."""
    from core import prepared as prepared_files
    from core.models import PreparedFile

    from . import outstanding_pdf

    prepared = PreparedFile.objects.select_related("school").filter(pk=prepared_file_id).first()
    if prepared is None or prepared.status == PreparedFile.Status.READY:
        return
    try:
        outstanding_pdf.make(prepared)
    except OSError:
        raise
    except Exception:
        prepared_files.failed(prepared)
        raise


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=8)
def render_countersigned_pdf(countersignature_id: int):
    """Add a countersignature to the signed PDF (see agreements.countersigning)."""
    from .countersigning.services import make_countersigned_document

    make_countersigned_document(countersignature_id)
