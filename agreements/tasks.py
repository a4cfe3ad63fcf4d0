import hashlib

from celery import shared_task
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction

from .models import Signature, SignedDocument
from .pdf import render_pdf, signed_pdf_html


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=8)
def render_signed_pdf(signature_id: int):
    """Make the signed PDF once. If the worker was down, this runs when it returns;
    until then the person sees "being prepared". Safe to run twice."""
    if SignedDocument.objects.filter(signature_id=signature_id).exists():
        return
    signature = Signature.objects.select_related("school", "form__version__policy", "text", "pupil", "led_by").get(
        pk=signature_id
    )
    pdf = render_pdf(signed_pdf_html(signature))
    digest = hashlib.sha256(pdf).hexdigest()
    document = SignedDocument(signature=signature, sha256=digest)
    document.file.save(f"{signature.verification_code}.pdf", ContentFile(pdf), save=False)
    try:
        with transaction.atomic():
            document.save()
    except IntegrityError:
        document.file.delete(save=False)  # another run got there first
