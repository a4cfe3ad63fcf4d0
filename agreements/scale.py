"""The signatures' part of a trust at scale (core/scale.py): in each school about
half of each audience has signed (between a third and two thirds, school by
school): staff in the portal, KS2 pupils on paper recorded by the office, younger
pupils read aloud by their class teacher, parents for their child (each carer with
parental responsibility, mostly, where the school asks every carer), a few
withdrawals, and some visitors this week."""

from __future__ import annotations

import datetime

from django.utils import timezone

from aup.models import Audience
from core.academic_year import AcademicYear
from core.scale import scale_step

from .models import FormText, Kind, Method, Signature
from .selectors import PUPIL_KEY_STAGES

BATCH = 2000


@scale_step(order=30)
def build_signatures(plan) -> None:
    rng = plan.rng
    year = AcademicYear.containing(plan.today).start_year
    now = timezone.now()
    term_began = timezone.make_aware(datetime.datetime.combine(AcademicYear(year).starts_on, datetime.time(9)))
    span = max(1, int((now - term_began).total_seconds()))
    texts = {t.sha256: t for t in FormText.objects.filter(sha256__in=_digests(plan))}  # a few per policy
    numbers = _statement_numbers(plan)

    def signature(form, signed_at=None, **fields):
        return Signature(
            school_id=form.version.policy.school_id,
            form=form,
            text=texts[form.text_sha256],
            statements_agreed=numbers[form.pk],
            academic_year=year,
            signed_at=signed_at or term_began + datetime.timedelta(seconds=rng.randrange(span)),
            submission_key=f"scale-{plan.slug}-{plan.next('signature')}",
            **fields,
        )

    signatures, parents = [], []
    for built in plan.schools:
        share = rng.uniform(0.35, 0.7)
        for form in built.forms.get(Audience.STAFF, []):
            for membership in built.staff:
                if rng.random() < share and (not form.staff_types or membership.staff_type in form.staff_types):
                    user = membership.user
                    signatures.append(signature(form, method=Method.SELF, signer=user, signer_name=user.full_name))
        for audience, stages in PUPIL_KEY_STAGES.items():
            for form in built.forms.get(audience, []):
                for pupil in built.pupils:
                    if pupil.year_group.key_stage not in stages or rng.random() >= share:
                        continue
                    if audience == Audience.KS2:
                        method, led_by = Method.PAPER, built.office
                    else:
                        method, led_by = Method.READ_ALOUD, built.teachers_by_class.get(pupil.school_class_id)
                    signatures.append(
                        signature(form, method=method, pupil=pupil, led_by=led_by, signer_name=pupil.full_name)
                    )
        for form in built.forms.get(Audience.PARENTS, []):
            for pupil in built.pupils:
                if rng.random() >= share:
                    continue
                carers = [carer for carer, pr in built.carers.get(pupil.pk, []) if pr]
                signing = carers[:1] + [c for c in carers[1:] if built.school.every_carer_signs and rng.random() < 0.8]
                for carer in signing:
                    parents.append(
                        signature(form, method=Method.FOR_CHILD, signer=carer, pupil=pupil, signer_name=carer.full_name)
                    )
        for form in built.forms.get(Audience.VISITORS, []):
            for n in range(rng.randint(0, 12)):
                signatures.append(
                    signature(
                        form,
                        method=Method.VISITOR_KIOSK,
                        signer_name=f"Visitor {n + 1}",
                        details={"organisation": "Library service"},
                        signed_at=now - datetime.timedelta(hours=rng.randint(0, 72)),
                    )
                )
    Signature.objects.bulk_create(signatures, batch_size=BATCH)
    parents = Signature.objects.bulk_create(parents, batch_size=BATCH)
    # A carer in about 150 withdrew their agreement: a new record pointing at it.
    withdrawals = [
        Signature(
            school_id=s.school_id,
            form=s.form,
            text=s.text,
            kind=Kind.WITHDRAWAL,
            method=Method.SELF,
            signer=s.signer,
            pupil=s.pupil,
            signer_name=s.signer_name,
            academic_year=year,
            signed_at=now,
            supersedes=s,
            submission_key=f"scale-{plan.slug}-{plan.next('signature')}",
        )
        for s in parents
        if rng.random() < 1 / 150
    ]
    Signature.objects.bulk_create(withdrawals, batch_size=BATCH)


def _digests(plan) -> set[str]:
    return {f.text_sha256 for b in plan.schools for forms in b.forms.values() for f in forms}


def _statement_numbers(plan) -> dict[int, list[int]]:
    from aup.models import Statement

    numbers: dict[int, list[int]] = {}
    form_ids = [f.pk for b in plan.schools for forms in b.forms.values() for f in forms]
    statements = Statement.objects.filter(form__version__policy__school__trust=plan.trust)
    for form_id, number in statements.values_list("form_id", "number"):
        numbers.setdefault(form_id, []).append(number)
    return {form_id: sorted(numbers.get(form_id, [])) for form_id in form_ids}
