"""Desk items about photo consent and phones: posts waiting for the head's approval,
phone requests waiting for a decision, and the decisions on posts a person planned.
One query each, however many schools, posts or requests."""

import datetime

from django.db.models import Count, Min, Q
from django.urls import reverse
from django.utils import timezone

from core.desk import DUE, WAITING, DeskItem, accesses, register
from core.roles import Cap

from .models import PhonePermission, PhoneStatus, PlannedPost, PostStatus

RECENT_DECISIONS = datetime.timedelta(days=14)


def _schools_with(request, capability):
    return {a.school.pk: a.school for a in accesses(request) if a.can(capability)}


@register
def posts_to_approve(request):
    schools = _schools_with(request, Cap.APPROVE_POSTS)
    rows = (
        PlannedPost.objects.filter(school_id__in=list(schools), status=PostStatus.AWAITING)
        .values("school_id")
        .annotate(n=Count("pk"), oldest=Min("planned_at"))
        .order_by()
    )
    return [
        DeskItem(
            title=f"{r['n']} planned {'post waits' if r['n'] == 1 else 'posts wait'} for your approval",
            why="Photos with pupils in them are published only once you approve them.",
            url=reverse("consent:post_queue", args=[schools[r["school_id"]].slug]),
            since=r["oldest"],
            area="consent",
            urgency=DUE,
            count=r["n"],
            school=schools[r["school_id"]],
        )
        for r in rows
    ]


@register
def phone_requests_to_decide(request):
    schools = _schools_with(request, Cap.DECIDE_PHONES)
    today = timezone.localdate()
    rows = (
        PhonePermission.objects.filter(school_id__in=list(schools), status=PhoneStatus.REQUESTED)
        .filter(Q(pupil__leaving_date__isnull=True) | Q(pupil__leaving_date__gt=today))
        .values("school_id")
        .annotate(n=Count("pk"), oldest=Min("signed_at"))
        .order_by()
    )
    return [
        DeskItem(
            title=f"{r['n']} mobile phone {'request waits' if r['n'] == 1 else 'requests wait'} for your decision",
            why="Parents asked for their child to bring a phone to school; they are told your decision by email.",
            url=reverse("consent:phone_requests", args=[schools[r["school_id"]].slug]),
            since=r["oldest"],
            area="consent",
            urgency=DUE,
            count=r["n"],
            school=schools[r["school_id"]],
        )
        for r in rows
    ]


@register
def my_posts(request):
    """Posts this person planned: those still waiting, and recent decisions to act on."""
    schools = _schools_with(request, Cap.PLAN_POSTS)
    recent = timezone.now() - RECENT_DECISIONS
    posts = (
        PlannedPost.objects.filter(school_id__in=list(schools), planned_by=request.user)
        .filter(
            Q(status=PostStatus.AWAITING)
            | Q(status__in=[PostStatus.APPROVED, PostStatus.REFUSED], decided_at__gte=recent)
        )
        .only("pk", "school_id", "purpose_label", "status", "planned_at", "decided_at")
        .order_by("planned_at", "pk")
    )
    items = []
    for post in posts:
        school = schools[post.school_id]
        if post.status == PostStatus.AWAITING:
            title, why, urgency = (
                f"Your post for {post.purpose_label} waits for the head",
                "Nothing to do yet: you will see the decision here.",
                WAITING,
            )
        elif post.status == PostStatus.APPROVED:
            title, why, urgency = (
                f"Publish your approved post for {post.purpose_label}",
                "The head approved it: publish it, then record where it appeared.",
                DUE,
            )
        else:
            title, why, urgency = (
                f"Your post for {post.purpose_label} was refused",
                "Read the head's reason; do not publish it.",
                WAITING,
            )
        items.append(
            DeskItem(
                title=title,
                why=why,
                url=reverse("consent:post", args=[school.slug, post.pk]),
                since=post.decided_at or post.planned_at,
                area="consent",
                urgency=urgency,
                school=school,
            )
        )
    return items


@register
def family_consent_and_phones(request):
    """Parents: the photo consent form to answer for each child, and recent decisions on
    their phone requests. A fixed number of queries however many children."""
    from schools.selectors import request_children

    from .phones import family_phones
    from .selectors import Status, family_consent

    guardianships = request_children(request)  # none for someone who is nobody's carer
    if not guardianships:
        return []
    items = []
    for child in family_consent(request.user, guardianships):
        if not child.can_answer or child.consent.status == Status.ANSWERED:
            continue
        first = child.pupil.first_name
        again = child.consent.status == Status.TO_CONFIRM
        items.append(
            DeskItem(
                title=f"{'Confirm' if again else 'Answer'} photo consent for {first} (version {child.form.version})",
                why=(
                    f"{child.pupil.school.name} asks which uses of {first}'s photos you allow; "
                    "until you answer, the answer counts as no."
                    if not again
                    else f"{child.pupil.school.name} changed the form: confirm your answers for {first}."
                ),
                url=reverse("family_consent:answer", args=[child.pupil.pk]),
                since=child.form.published_at,
                area="consent",
                urgency=DUE,
                school=child.pupil.school,
            )
        )
    recent = timezone.now() - RECENT_DECISIONS
    for phone in family_phones(guardianships):
        latest = phone.latest
        if latest is None or latest.decided_at is None or latest.decided_at < recent:
            continue
        if latest.status not in (PhoneStatus.APPROVED, PhoneStatus.REFUSED):
            continue
        word = "approved" if latest.status == PhoneStatus.APPROVED else "refused"
        items.append(
            DeskItem(
                title=f"The head {word} the mobile phone request for {phone.pupil.first_name}",
                why="See the decision and the head's note.",
                url=reverse("family_consent:phones"),
                since=latest.decided_at,
                area="consent",
                urgency=WAITING,
                school=phone.pupil.school,
            )
        )
    return items
