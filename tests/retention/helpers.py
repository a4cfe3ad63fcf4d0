"""A leaver's records, made through the apps' own services, for the retention tests."""

import datetime
import hashlib
import secrets

from django.core.files.base import ContentFile

from agreements import services as agreements
from agreements.models import Method, SignedDocument
from aup.models import Audience
from tests.agreements.signing_helpers import publish_form_for
from tests.consent.helpers import answer, published_form

LEFT_ON = datetime.date(2027, 7, 20)


def sign_for_child(form, carer, pupil):
    return agreements.sign(
        form=form,
        signer=carer,
        typed_name=carer.full_name,
        statements_agreed=[s.number for s in form.statements.all()],
        submission_key=secrets.token_urlsafe(16),
        method=Method.FOR_CHILD,
        pupil=pupil,
        queue_pdf=False,
    )


def attach_pdf(signature) -> SignedDocument:
    content = b"%PDF-1.4 retention test " + secrets.token_bytes(8)
    return SignedDocument.objects.create(
        signature=signature,
        file=ContentFile(content, name=f"signed-{signature.pk}.pdf"),
        sha256=hashlib.sha256(content).hexdigest(),
    )


def parents_form(school, head, title="Parents' ICT agreement"):
    return publish_form_for(school, head, Audience.PARENTS, title=title)


def leaver_records(school, head, carer, pupil, *, form=None, left_on=LEFT_ON):
    """The pupil's signed agreement (with its PDF) and their carer's consent record;
    then the pupil leaves on `left_on`. Returns (signature, document, consent records)."""
    form = form or parents_form(school, head)
    signature = sign_for_child(form, carer, pupil)
    document = attach_pdf(signature)
    records = answer(carer, pupil, published_form(school, head), secrets.token_hex(4), website=True)
    pupil.leaving_date = left_on
    pupil.save(update_fields=["leaving_date"])
    return signature, document, records
