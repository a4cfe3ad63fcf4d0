"""Shared by the signed-PDF, /verify/ and real-worker tests: a published staff form
built row by row, and a signature made through the signing service."""

import hashlib
import io
import secrets

import pytest
from pypdf import PdfReader

STATEMENTS = [
    "I will keep my passwords private and will not use anyone else's account.",
    "I will only use the school's ICT systems for professional purposes.",
    "I will report any e-safety concern about a pupil to the DSL straight away.",
]


def published_staff_form(school, *, title="Staff ICT acceptable use agreement", policy_title="ICT acceptable use"):
    from agreements.models import FormText
    from aup.models import AgreementForm, Policy, PolicyVersion, Statement
    from tests.factories import UserFactory

    policy = Policy.objects.create(school=school, title=policy_title)
    version = PolicyVersion.objects.create(policy=policy, number=3, status="published", created_by=UserFactory())
    form = AgreementForm.objects.create(
        version=version,
        audience="staff",
        title=title,
        intro="Please read these statements carefully. By signing, you agree to follow them.",
    )
    for number, text in enumerate(STATEMENTS, start=1):
        Statement.objects.create(form=form, number=number, text=text)
    canonical = form.canonical_text()
    digest = hashlib.sha256(canonical.encode()).hexdigest()
    FormText.objects.get_or_create(sha256=digest, defaults={"text": canonical})
    AgreementForm.objects.filter(pk=form.pk).update(text_sha256=digest)
    form.refresh_from_db()
    return form


def sign(form, signer, typed_name="Jane Rebecca Smith", **kwargs):
    from agreements import services

    return services.sign(
        form=form,
        signer=signer,
        typed_name=typed_name,
        statements_agreed=list(range(1, len(STATEMENTS) + 1)),
        submission_key=secrets.token_urlsafe(24),
        **kwargs,
    )


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


@pytest.fixture
def private_media(settings, tmp_path, monkeypatch):
    """Private storage under tmp_path. The file field called core.storage.private_storage
    once, when the model was defined, so its storage is pointed here as well."""
    from django.core.files.storage import FileSystemStorage

    from agreements.models import SignedDocument

    settings.PRIVATE_MEDIA_ROOT = tmp_path
    monkeypatch.setattr(SignedDocument._meta.get_field("file"), "storage", FileSystemStorage(location=tmp_path))
    return tmp_path
