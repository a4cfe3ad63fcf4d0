"""Ask every parent to confirm their answers again (e.g. after the school changed
what the form says on paper): a new version with the same uses and introduction,
published in one step. Earlier answers still apply until parents confirm (the
selectors' TO_CONFIRM)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from core import audit

from . import services
from .models import ConsentForm, FormStatus

DRAFT_HAS_EDITS = (
    "There is a draft (version {version}) with changes that are not published. Publish it (which also asks every "
    "parent to confirm), or undo its changes first: it has not been thrown away."
)


def _shape(form: ConsentForm) -> tuple:
    purposes = tuple(form.purposes.order_by("order", "pk").values_list("code", "label", "help_text", "kind"))
    return form.intro.strip(), purposes


def draft_has_edits(school) -> ConsentForm | None:
    """The school's draft if it differs from the published version, else None."""
    draft = ConsentForm.objects.filter(school=school, status=FormStatus.DRAFT).first()
    if draft is None:
        return None
    published = ConsentForm.objects.filter(school=school, status=FormStatus.PUBLISHED).first()
    if published is None or _shape(draft) != _shape(published):
        return draft
    return None


@transaction.atomic
def ask_every_parent(*, school, by, request=None) -> ConsentForm:
    """Publish a copy of the published version. A draft with edits is left alone and
    refused with a message; a draft with no edits is the copy."""
    published = ConsentForm.objects.select_for_update().filter(school=school, status=FormStatus.PUBLISHED).first()
    if published is None:
        raise ValidationError("The form has not been published yet: there are no answers to confirm.")
    edited = draft_has_edits(school)
    if edited is not None:
        raise ValidationError(DRAFT_HAS_EDITS.format(version=edited.version))
    draft = services.start_draft(school=school, by=by, request=request)
    new = services.publish(draft=draft, by=by, request=request)
    audit.record(
        action="consent.confirm_asked",
        actor=by,
        school=school,
        obj=new,
        request=request,
        summary=f"Asked every parent to confirm their photo consent answers (version {new.version})",
    )
    return new
