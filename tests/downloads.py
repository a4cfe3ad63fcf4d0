"""Shared by the download tests: a download of personal data is kept out of every cache
and written to the audit log, saying what kind of thing it was and naming no one."""

import secrets

from django.core.files.base import ContentFile

from core.models import AuditEvent

FAKE_PDF = b"%PDF-1.7\n% a stand-in for the rendered PDF\n%%EOF\n"


def body_of(response) -> bytes:
    """The whole body (reading a file response to the end closes its file)."""
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def assert_private_and_audited(response, *, actor, action, school, obj=None, names=()):
    """The response is a download no cache keeps, with exactly one audit line for it."""
    assert response.status_code == 200, response.status_code
    body_of(response)
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= cache_control
    assert response["X-Content-Type-Options"] == "nosniff"
    event = AuditEvent.objects.get(action=action, actor=actor)
    assert event.school == school
    if obj is not None:
        assert (event.object_type, event.object_id) == (obj._meta.label_lower, str(obj.pk))
    assert event.summary
    for name in names:
        assert name not in event.summary
    return event


def give_signed_document(signature):
    """The signed PDF the worker would have made on commit, without rendering it."""
    from agreements.models import SignedDocument

    return SignedDocument.objects.create(
        signature=signature, file=ContentFile(FAKE_PDF, name="signed.pdf"), sha256=secrets.token_hex(32)
    )
