"""The policies' part of a trust at scale (core/scale.py): each school's ICT policy,
approved and published through the services (as a head does it), with a form for
each audience its pupils need, and the trust's social media policy published to
every school. Forms signed every academic year are the pupils' (as the starter
forms have it)."""

from __future__ import annotations

import datetime

from core.scale import scale_step

from . import services
from .models import AgreementForm, Audience, PolicyKind, VersionStatus


def _audiences(school) -> tuple:
    if school.phase == "secondary":
        return (Audience.STAFF, Audience.VISITORS, Audience.KS2, Audience.PARENTS)
    return (Audience.STAFF, Audience.VISITORS, Audience.KS2, Audience.EYFS_KS1, Audience.PARENTS)


def _approve_and_publish(version, *, by, today, chair: str, head: str, school_policy: bool):
    last_year = today.year - 1
    services.update_version(
        version=version,
        by=by,
        adopted_on=datetime.date(last_year, 9, 1),
        reviewed_on=datetime.date(last_year, 9, 1),
        next_review_on=datetime.date(today.year + 1, 9, 1),
        responsible=by,
        body="This policy sets out how everyone in our community uses ICT and mobile phones safely.",
    )
    if school_policy:
        services.add_change(
            version=version,
            date=datetime.date(last_year, 7, 10),
            section="Whole policy",
            change="First version adopted by the governing body.",
            agreed_by="Full governing body",
            by=by,
        )
    services.approve(
        version=version,
        approved_on=datetime.date(last_year, 7, 10),
        chair=chair,
        chair_signed_on=datetime.date(last_year, 7, 10),
        head=head,
        head_signed_on=datetime.date(last_year, 7, 13),
        by=by,
    )
    return services.publish(version=version, by=by)


@scale_step(order=20)
def build_policies(plan) -> None:
    for built in plan.schools:
        version = services.create_policy(
            school=built.school,
            title="ICT and mobile phone acceptable use",
            kind=PolicyKind.ICT_AUP,
            by=built.head,
            audiences=_audiences(built.school),
        )
        _approve_and_publish(
            version,
            by=built.head,
            today=plan.today,
            chair="Chair of governors",
            head=built.head.full_name,
            school_policy=True,
        )
    version = services.create_policy(
        trust=plan.trust, title="Social media", kind=PolicyKind.SOCIAL_MEDIA, by=plan.officer
    )
    _approve_and_publish(
        version,
        by=plan.officer,
        today=plan.today,
        chair="Chair of trustees",
        head="Chief executive",
        school_policy=False,
    )
    by_school = {b.school.pk: b for b in plan.schools}
    for form in AgreementForm.objects.filter(
        version__policy__school__in=list(by_school), version__status=VersionStatus.PUBLISHED
    ).select_related("version__policy"):
        by_school[form.version.policy.school_id].forms.setdefault(form.audience, []).append(form)
