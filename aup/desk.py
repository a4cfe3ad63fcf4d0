"""Desk items about policies: exemption requests waiting for the head, and policies
whose review date has come. One query each, however many schools."""

import datetime

from django.db.models import Count, Min, Q
from django.urls import reverse
from django.utils import timezone

from core.desk import DUE, OVERDUE, DeskItem, accesses, register
from core.roles import Cap

from .models import Exemption, PolicyVersion, VersionStatus

REVIEW_SOON = datetime.timedelta(days=30)


@register
def exemptions_to_decide(request):
    schools = {a.school.pk: a.school for a in accesses(request) if a.can(Cap.MANAGE_POLICIES)}
    rows = (
        Exemption.objects.filter(school_id__in=list(schools), status=Exemption.Status.REQUESTED)
        .exclude(requested_by=request.user)  # nobody decides their own request
        .values("school_id")
        .annotate(n=Count("pk"), oldest=Min("requested_at"))
        .order_by()
    )
    return [
        DeskItem(
            title=f"{r['n']} ICT exemption {'request waits' if r['n'] == 1 else 'requests wait'} for a decision",
            why="A member of staff asked in writing to use ICT in a way the policy would otherwise forbid.",
            url=reverse("aup:exemptions", args=[schools[r["school_id"]].slug]),
            since=r["oldest"],
            area="agreements",
            urgency=DUE,
            count=r["n"],
            school=schools[r["school_id"]],
        )
        for r in rows
    ]


@register
def policies_to_review(request):
    schools = {a.school.pk: a.school for a in accesses(request) if a.can(Cap.MANAGE_POLICIES)}
    today = timezone.localdate()
    versions = (
        PolicyVersion.objects.filter(
            policy__school_id__in=list(schools),
            status=VersionStatus.PUBLISHED,
            next_review_on__lte=today + REVIEW_SOON,
        )
        .select_related("policy")
        .order_by("next_review_on", "pk")
    )
    items = []
    for version in versions:
        school = schools[version.policy.school_id]
        day = version.next_review_on
        overdue = day < today
        items.append(
            DeskItem(
                title=f"Review {version.policy.title} (version {version.number})",
                why=f"Its review {'was due' if overdue else 'is due'} on {day.day} {day:%B %Y}.",
                url=reverse("aup:policy", args=[school.slug, version.policy_id]),
                since=day,
                area="agreements",
                urgency=OVERDUE if overdue else DUE,
                school=school,
            )
        )
    return items


# Not counted in the menus: every head's page would pay its query, for something that
# comes a few times a year; it shows on the desk.
@register(counted=False)
def approvals_to_sign(request):
    """The chair of governors and the headteacher: an approved version whose approval
    they sign next in the portal (the chair first, then the head). One query."""
    from .approval_signing.services import CHAIR, HEAD

    roles = {}
    for access in accesses(request):
        mine = {
            r for r, cap in ((CHAIR, Cap.SIGN_APPROVAL_AS_CHAIR), (HEAD, Cap.SIGN_APPROVAL_AS_HEAD)) if access.can(cap)
        }
        if mine:
            roles[access.school.pk] = (access.school, mine)
    if not roles:
        return []
    versions = (
        PolicyVersion.objects.filter(policy__school_id__in=list(roles))
        .filter(Q(status=VersionStatus.APPROVED) | Q(status=VersionStatus.PUBLISHED, approval_signatures__role=CHAIR))
        .select_related("policy")
        .prefetch_related("approval_signatures")
        .distinct()
        .order_by("approved_on", "pk")
    )
    items = []
    for version in versions:
        school, mine = roles[version.policy.school_id]
        signed = {s.role for s in version.approval_signatures.all()}
        role = CHAIR if CHAIR not in signed else (HEAD if HEAD not in signed else None)
        if role is None or role not in mine:
            continue
        as_whom = "chair of governors" if role == CHAIR else "headteacher"
        items.append(
            DeskItem(
                title=f"Sign the approval of {version.policy.title}, version {version.number}",
                why=f"The governing body approved it; it is signed by the chair of governors and the headteacher. You sign as {as_whom}.",
                url=reverse("aup:approval", args=[school.slug, version.pk]),
                since=version.approved_on,
                area="agreements",
                urgency=DUE,
                school=school,
            )
        )
    return items
