"""Writes: the head's consent form (draft, publish) and carers' answers (records)."""

from __future__ import annotations

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from agreements.models import FormText
from agreements.services import _check_drawn_signature
from core import audit
from core.audit import client_ip
from core.text import plural
from schools.models import Guardianship

from .models import (
    DEFAULT_INTRO,
    DEFAULT_PURPOSES,
    ConsentForm,
    ConsentPurpose,
    ConsentRecord,
    Disagreement,
    FormStatus,
)


class FormReplaced(ValidationError):
    def __init__(self):
        super().__init__("The school has just updated its consent form. Please look at it again and give your answers.")


# --- The form --------------------------------------------------------------------


@transaction.atomic
def start_draft(*, school, by, request=None) -> ConsentForm:
    """The school's draft, made if need be from the published version's purposes (or
    the usual purposes for a first form)."""
    draft = ConsentForm.objects.select_for_update().filter(school=school, status=FormStatus.DRAFT).first()
    if draft is not None:
        return draft
    published = ConsentForm.objects.filter(school=school, status=FormStatus.PUBLISHED).first()
    number = (ConsentForm.objects.filter(school=school).aggregate(n=Max("version"))["n"] or 0) + 1
    draft = ConsentForm.objects.create(
        school=school, version=number, intro=published.intro if published else DEFAULT_INTRO, created_by=by
    )
    if published is not None:
        purposes = [(p.code, p.label, p.help_text, p.kind) for p in published.purposes.order_by("order", "pk")]
    else:
        purposes = DEFAULT_PURPOSES
    ConsentPurpose.objects.bulk_create(
        ConsentPurpose(form=draft, code=code, label=label, help_text=help_text, kind=kind, order=(i + 1) * 10)
        for i, (code, label, help_text, kind) in enumerate(purposes)
    )
    audit.record(action="consent.form_drafted", actor=by, school=school, obj=draft, request=request, summary=str(draft))
    return draft


@transaction.atomic
def publish(*, draft: ConsentForm, by, request=None) -> ConsentForm:
    """Publish the draft: it replaces the published version at once. Carers' answers
    carry over for purposes that still exist (same code); every pupil is asked to
    confirm, and a new purpose counts as no until a carer answers it."""
    draft = ConsentForm.objects.select_for_update(of=("self",)).select_related("school").get(pk=draft.pk)
    if draft.status != FormStatus.DRAFT:
        raise ValidationError("This version has already been published.")
    purposes = list(draft.purposes.order_by("order", "pk"))
    if not purposes:
        raise ValidationError("Add at least one use to the form before publishing it.")
    ConsentForm.objects.filter(school=draft.school, status=FormStatus.PUBLISHED).update(status=FormStatus.SUPERSEDED)
    text = draft.full_text(purposes)
    digest = ConsentForm.sha256_of(text)
    FormText.objects.get_or_create(sha256=digest, defaults={"text": text})
    ConsentForm.objects.filter(pk=draft.pk).update(
        status=FormStatus.PUBLISHED, published_at=timezone.now(), published_by=by, text_sha256=digest
    )
    draft.refresh_from_db()
    audit.record(
        action="consent.form_published",
        actor=by,
        school=draft.school,
        obj=draft,
        request=request,
        summary=f"Published the photo consent form, version {draft.version}",
    )
    return draft


# --- Carers' answers -------------------------------------------------------------


def record_answers(
    *,
    carer,
    form: ConsentForm,
    pupils: list,
    answers: dict[str, bool],
    typed_name: str,
    submission_key: str,
    drawn_signature: str = "",
    request=None,
    queue_pdf: bool = True,
) -> list[ConsentRecord]:
    """One new record per child: the carer's whole set of answers, effective at once.
    Each replaces this carer's previous record for the child. Submitting the same
    form twice (double click, back button) makes the records once. Each record's
    PDF is queued on commit, unless `queue_pdf` is False (the demo's bulk load): then
    it is made when someone first asks for it (`request_pdf`)."""
    from .tasks import notify_disagreement, render_consent_pdf

    existing = list(
        ConsentRecord.objects.filter(carer=carer, submission_key__startswith=f"{submission_key}:").order_by("pk")
    )
    if existing:
        return existing
    typed_name = " ".join(typed_name.split())
    if len(typed_name) < 2:
        raise ValidationError({"typed_name": "Type your full name to sign."})
    drawn_signature = _check_drawn_signature(drawn_signature)
    if not pupils:
        raise ValidationError({"children": "Choose at least one child."})
    with transaction.atomic():
        form = ConsentForm.objects.select_related("school").get(pk=form.pk)
        if form.status != FormStatus.PUBLISHED:
            raise FormReplaced()
        codes = list(form.purposes.order_by("order", "pk").values_list("code", flat=True))
        missing = [code for code in codes if not isinstance(answers.get(code), bool)]
        if missing:
            raise ValidationError({"answers": "Answer yes or no for every use."})
        clean = {code: answers[code] for code in codes}
        # Lock this carer's guardianships of these children: one change at a time.
        guardianships = {
            g.pupil_id: g
            for g in Guardianship.objects.select_for_update().filter(
                carer=carer, pupil__in=pupils, pupil__school=form.school
            )
        }
        for pupil in pupils:
            g = guardianships.get(pupil.pk)
            if g is None or not g.parental_responsibility:
                raise PermissionDenied("Only a carer with parental responsibility can answer for this child.")
        text = FormText.objects.get(sha256=form.text_sha256)
        previous = {
            r.pupil_id: r
            for r in ConsentRecord.objects.filter(carer=carer, pupil__in=pupils, superseded_by__isnull=True).order_by(
                "signed_at", "id"
            )
        }
        now = timezone.now()
        records = []
        for pupil in pupils:
            record = ConsentRecord.objects.create(
                school=form.school,
                form=form,
                text=text,
                carer=carer,
                pupil=pupil,
                answers=clean,
                signer_name=typed_name,
                drawn_signature=drawn_signature,
                signed_at=now,
                ip_address=client_ip(request),
                user_agent=(request.META.get("HTTP_USER_AGENT", "")[:500] if request else ""),
                supersedes=previous.get(pupil.pk),
                submission_key=f"{submission_key}:{pupil.pk}",
            )
            yes = [code for code in codes if clean[code]]
            audit.record(
                action="consent.answered" if record.supersedes_id is None else "consent.changed",
                actor=carer,
                school=form.school,
                obj=record,
                request=request,
                summary=f"{typed_name} answered the photo consent form for {pupil.full_name}: "
                f"yes to {len(yes)} of {plural(len(codes), 'use')}",
                data={"answers": clean},
            )
            if queue_pdf:
                render_consent_pdf.delay_on_commit(record.pk)
            disagreement = _disagreement(record, codes)
            if disagreement is not None:
                notify_disagreement.delay_on_commit(disagreement.pk)
            records.append(record)
    return records


def request_pdf(record: ConsentRecord) -> None:
    """Someone asked for the record's PDF and it is not there yet: make sure it is on
    its way (as agreements.services.request_pdf does for a signature): the demo's
    records are loaded without one, and a broker can lose a task."""
    from .tasks import render_consent_pdf

    if cache.add(f"pdf-requested:consent-record:{record.pk}", True, timeout=60):
        render_consent_pdf.delay_on_commit(record.pk)


def _disagreement(record: ConsentRecord, codes) -> Disagreement | None:
    """If another carer with parental responsibility answered differently, record it
    (the more restrictive answer applies) so the office is told."""
    from .selectors import latest_records

    others = [r for r in latest_records([record.pupil_id])[record.pupil_id] if r.carer_id != record.carer_id]
    differ = [
        code
        for code in codes
        if any(isinstance(o.answers.get(code), bool) and o.answers[code] != record.answers[code] for o in others)
    ]
    if not differ:
        return None
    return Disagreement.objects.create(school=record.school, pupil=record.pupil, record=record, purposes=differ)
