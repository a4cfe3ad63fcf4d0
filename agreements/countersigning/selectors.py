"""Reads about countersignatures: what awaits one, and for whom."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from schools.models import Guardianship

from ..models import Countersignature, Kind, Signature

PARENT = Countersignature.Role.PARENT
HANDED_OVER_BY = Countersignature.Role.HANDED_OVER_BY


def awaited_role(signature: Signature) -> str | None:
    """The countersignature this signature awaits (a Countersignature.Role), fixed
    when it was signed; None if it needs none."""
    return (signature.details or {}).get("countersign") or None


def open_fields_for(signature: Signature) -> list[str]:
    """The empty signature fields its signed PDF carries for what is still to come."""
    role = awaited_role(signature)
    return [Countersignature.Role(role).label] if role else []


def awaiting(role: str):
    """Signatures (not withdrawn) that await a countersignature of `role` and have none."""
    withdrawn = Signature.objects.filter(kind=Kind.WITHDRAWAL, supersedes__isnull=False).values("supersedes_id")
    return (
        Signature.objects.filter(kind=Kind.SIGNATURE, details__countersign=role, countersignature__isnull=True)
        .exclude(pk__in=withdrawn)
        .order_by("signed_at", "pk")
    )


def _parent_of_pupil(user):
    """For a signature row: `user` cares for its pupil with parental responsibility."""
    return Exists(Guardianship.objects.filter(pupil_id=OuterRef("pupil_id"), carer=user, parental_responsibility=True))


def awaiting_parent(user):
    """The pupils' signatures this person may countersign: their own current children's
    (with parental responsibility), one query."""
    today = timezone.localdate()
    return (
        awaiting(PARENT)
        .filter(_parent_of_pupil(user))
        .filter(Q(pupil__leaving_date__isnull=True) | Q(pupil__leaving_date__gt=today))
        .select_related("pupil", "form__version__policy", "school")
    )


def for_parent(user, signature_id: int) -> Signature | None:
    """A signature of this person's own child that a parent countersigns (awaited or
    done): None for anyone else's, so the view answers 404."""
    return (
        Signature.objects.filter(pk=signature_id, kind=Kind.SIGNATURE, details__countersign=PARENT)
        .filter(_parent_of_pupil(user))
        .select_related("pupil", "form__version__policy__school", "school", "text", "led_by", "class_session")
        .first()
    )


def relationship_of(user, pupil) -> str:
    """'Mother', 'Carer'...: how this person stands to the pupil, as the school recorded it."""
    guardianship = Guardianship.objects.filter(carer=user, pupil=pupil).first()
    return guardianship.get_relationship_display() if guardianship else "Parent or carer"


def document_of(signature: Signature):
    """The file to hand out for a signature: the countersigned PDF once it exists,
    the first signer's otherwise (None while neither is made)."""
    countersignature = getattr(signature, "countersignature", None)
    if countersignature is not None:
        document = getattr(countersignature, "document", None)
        if document is not None:
            return document
    return getattr(signature, "document", None)
