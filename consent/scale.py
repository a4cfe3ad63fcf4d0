"""Photo consent in a trust at scale (core/scale.py): each school publishes its
consent form (through the services, with the usual purposes) and a carer with
parental responsibility has answered for about half the pupils, most saying yes to
most uses; for one answered pupil in ten the second carer answered too."""

from __future__ import annotations

import datetime

from django.utils import timezone

from agreements.models import FormText
from core.scale import scale_step

from . import services
from .models import ConsentRecord

BATCH = 2000


@scale_step(order=40)
def build_consent(plan) -> None:
    rng = plan.rng
    now = timezone.now()
    records = []
    for built in plan.schools:
        form = services.publish(draft=services.start_draft(school=built.school, by=built.head), by=built.head)
        codes = list(form.purposes.values_list("code", flat=True))
        text = FormText.objects.get(sha256=form.text_sha256)
        for pupil in built.pupils:
            carers = [carer for carer, pr in built.carers.get(pupil.pk, []) if pr]
            if not carers or rng.random() >= 0.5:
                continue
            answers = {code: rng.random() < 0.85 for code in codes}
            answering = carers[:1] + (carers[1:2] if rng.random() < 0.1 else [])
            for carer in answering:
                records.append(
                    ConsentRecord(
                        school=built.school,
                        form=form,
                        text=text,
                        carer=carer,
                        pupil=pupil,
                        answers=answers,
                        signer_name=carer.full_name,
                        signed_at=now - datetime.timedelta(days=rng.randint(0, 60)),
                        submission_key=f"scale-{plan.slug}-consent-{plan.next('consent')}",
                    )
                )
    ConsentRecord.objects.bulk_create(records, batch_size=BATCH)
