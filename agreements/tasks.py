import hashlib
import logging

from celery import shared_task
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction

from core.email import send_templated_email

from .models import Signature, SignedDocument
from .pdf import render_pdf, signed_pdf_html, uk_datetime

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=8)
def render_signed_pdf(signature_id: int):
    """Make the signed PDF once, then email it to the signer. If the worker was down,
    this runs when it returns; until then the person sees "being prepared". Safe to run
    twice: only the run that stores the document sends the email."""
    if SignedDocument.objects.filter(signature_id=signature_id).exists():
        return
    signature = Signature.objects.select_related(
        "school", "form__version__policy", "text", "pupil", "led_by", "signer"
    ).get(pk=signature_id)
    pdf = render_pdf(signed_pdf_html(signature))
    digest = hashlib.sha256(pdf).hexdigest()
    document = SignedDocument(signature=signature, sha256=digest)
    document.file.save(f"{signature.verification_code}.pdf", ContentFile(pdf), save=False)
    try:
        with transaction.atomic():
            document.save()
    except IntegrityError:
        document.file.delete(save=False)  # another run got there first, and emails
        return
    email_signed_pdf(signature, pdf)


def email_signed_pdf(signature, pdf: bytes) -> None:
    """Send the signer their copy, if they have an email address. A failure to send is
    logged, not retried: the PDF is stored and downloadable from the receipt page, and a
    retry must not render or send a second copy."""
    email = signature.signer.email if signature.signer else ""
    if not email:
        return
    version = signature.form.version
    context = {
        "signature": signature,
        "school": signature.school,
        "policy": version.policy,
        "version": version,
        "signed_at_uk": uk_datetime(signature.signed_at),
    }
    try:
        send_templated_email(
            to=[email],
            template="signed_agreement",
            context=context,
            attachments=[(f"{signature.verification_code}.pdf", pdf, "application/pdf")],
        )
    except Exception:
        logger.exception("Could not email the signed PDF of signature %s", signature.pk)
