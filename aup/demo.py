"""The demo trust's policies: each school's ICT acceptable use policy, approved and
published, with a form for each of its audiences."""

import datetime

from schools.models import School, Trust

from . import services
from .models import Audience, PolicyKind

_AUDIENCES = {
    "riverside-primary": (Audience.STAFF, Audience.VISITORS, Audience.KS2, Audience.EYFS_KS1, Audience.PARENTS),
    "little-acorns": (Audience.STAFF, Audience.VISITORS, Audience.EYFS_KS1, Audience.PARENTS),
}


def build_demo_policies(today: datetime.date) -> list:
    """Publish version 1 of each demo school's ICT policy; returns the versions."""
    versions = []
    for slug, audiences in _AUDIENCES.items():
        school = School.objects.get(slug=slug)
        head = school.memberships.with_role("headteacher").select_related("user").first().user
        version = services.create_policy(
            school=school,
            title="ICT and mobile phone acceptable use",
            kind=PolicyKind.ICT_AUP,
            by=head,
            audiences=audiences,
        )
        services.update_version(
            version=version,
            by=head,
            adopted_on=datetime.date(today.year - 1, 9, 1),
            reviewed_on=datetime.date(today.year - 1, 9, 1),
            next_review_on=datetime.date(today.year, 9, 1),
            responsible=head,
            body="This policy sets out how everyone in our school community uses ICT and mobile phones safely.",
        )
        services.add_change(
            version=version,
            date=datetime.date(today.year - 1, 7, 10),
            section="Whole policy",
            change="First version adopted by the governing body.",
            agreed_by="Full governing body",
            by=head,
        )
        services.approve(
            version=version,
            approved_on=datetime.date(today.year - 1, 7, 10),
            chair="Chair of governors",
            chair_signed_on=datetime.date(today.year - 1, 7, 10),
            head=head.full_name,
            head_signed_on=datetime.date(today.year - 1, 7, 13),
            by=head,
        )
        versions.append(services.publish(version=version, by=head))
    return versions


def build_demo_trust_policy(today: datetime.date):
    """The trust's social media policy, written once by the trust and published to
    both schools (each gets its own read-only copy)."""
    trust = Trust.objects.get(slug="riverside-trust")
    officer = trust.memberships.select_related("user").first().user
    version = services.create_policy(
        trust=trust, title="Social media", kind=PolicyKind.SOCIAL_MEDIA, by=officer, audiences=(Audience.STAFF,)
    )
    services.update_version(
        version=version,
        by=officer,
        adopted_on=datetime.date(today.year - 1, 9, 1),
        next_review_on=datetime.date(today.year + 1, 9, 1),
        responsible=officer,
        body="How staff across the trust use social media, in and out of school.",
    )
    services.approve(
        version=version,
        approved_on=datetime.date(today.year - 1, 7, 10),
        chair="Chair of trustees",
        chair_signed_on=datetime.date(today.year - 1, 7, 10),
        head="Chief executive",
        head_signed_on=datetime.date(today.year - 1, 7, 14),
        by=officer,
    )
    return services.publish(version=version, by=officer)
