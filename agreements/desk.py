"""Desk items about signing: what this person has still to sign, for themselves and
for their children."""

from django.urls import reverse

from aup.models import Audience
from core.desk import DUE, WAITING, DeskItem, accesses, register
from core.roles import Cap
from core.tenancy import request_memberships
from schools.models import Membership, SchoolClass

from .selectors import forms_to_sign


@register
def agreements_to_sign(request):
    """Staff: each form they still have to sign, named by policy and version."""
    return [
        DeskItem(
            title=f"Sign {form.full_title} (version {form.version.number})",
            why=f"{membership.school.name} asks all its staff to read and sign it.",
            url=reverse("agreements:sign", args=[membership.school.slug, form.pk]),
            since=form.version.published_at,
            area="agreements",
            urgency=DUE,
            school=membership.school,
        )
        for membership, form in forms_to_sign(request.user, memberships=request_memberships(request))
    ]


@register
def forms_to_sign_for_children(request):
    """Parents: one item per form, naming the children it is still needed for."""
    from .family import family_overview_for

    children_by_form: dict = {}
    to_countersign = []
    for row in family_overview_for(request):
        for item in row.to_sign:
            if item.can_sign:
                children_by_form.setdefault(item.form, []).append(row.pupil.first_name)
        to_countersign += row.to_countersign
    return [
        DeskItem(
            title=f"Sign for {' and '.join(names)}: {form.full_title} (version {form.version.number})",
            why=f"{form.version.policy.school.name} needs a parent's or carer's signature for each child.",
            url=reverse("family_sign:sign", args=[form.pk]),
            since=form.version.published_at,
            area="agreements",
            urgency=DUE,
            school=form.version.policy.school,
        )
        for form, names in children_by_form.items()
    ] + [_countersign_item(signature) for signature in to_countersign]


def _countersign_item(signature) -> DeskItem:
    """Parents: an agreement their child signed at school that the school asks a parent
    or carer to countersign (found with the family overview's queries)."""
    first_name = signature.pupil.first_name
    return DeskItem(
        title=f"Countersign {first_name}’s agreement: {signature.form.full_title}",
        why=f"{first_name} signed it at school; {signature.school.name} asks a parent or carer to countersign it.",
        url=reverse("family_sign:countersign", args=[signature.pk]),
        since=signature.signed_at,
        area="agreements",
        urgency=DUE,
        school=signature.school,
    )


def still_to_sign(request, *, family_first: bool = False) -> list[DeskItem]:
    """Everything this person still has to sign: a receipt offers the first as the next
    thing to sign. A parent's receipt puts their children's forms first."""
    own, for_children = agreements_to_sign(request), forms_to_sign_for_children(request)
    return for_children + own if family_first else own + for_children


_WHO = {
    Audience.STAFF: ("member of staff has", "members of staff have"),
    Audience.KS2: ("pupil has", "pupils have"),
    Audience.EYFS_KS1: ("pupil has", "pupils have"),
    Audience.PARENTS: ("family has", "families have"),
}


@register(counted=False)
def who_has_not_signed(request):
    """Those who see compliance: for each published form, how many have not signed.
    The compliance figures' own six queries however many schools, forms or people; on
    the desk only (not in every page's menu count)."""
    from .compliance import compliance_for_schools

    schools = {a.school.pk: a.school for a in accesses(request) if a.can(Cap.VIEW_COMPLIANCE)}
    if not schools:
        return []
    items = []
    for school_id, results in compliance_for_schools(list(schools.values()), by_group=False).items():
        school = schools[school_id]
        for result in results:
            n = result.overall.outstanding
            if result.form.audience not in _WHO or not n:
                continue
            one, many = _WHO[result.form.audience]
            form = result.form
            items.append(
                DeskItem(
                    title=f"{n} {one if n == 1 else many} not signed {form.full_title} (version {form.version.number})",
                    why=f"{result.overall.signed} of {result.overall.total} have signed: remind those who have not.",
                    url=reverse("agreements:compliance_form", args=[school.slug, form.pk]),
                    since=form.version.published_at,
                    area="agreements",
                    urgency=WAITING,
                    count=n,
                    school=school,
                )
            )
    return items


@register(counted=False)
def class_agreements_outstanding(request):
    """A class teacher: for each class they teach, each pupils' agreement some of the
    class have not signed yet (read aloud or on the class kiosk from the class's page).
    One query for the classes and three per class, whatever the school's size; on the
    desk only, not in every page's menu count."""
    from .class_sessions import class_agreements

    classes = SchoolClass.objects.filter(
        teachers__user=request.user, teachers__status=Membership.Status.ACTIVE
    ).select_related("school", "year_group")
    school_ids = {a.school.pk for a in accesses(request)}
    items = []
    for school_class in classes:
        if school_class.school_id not in school_ids:
            continue
        for class_form in class_agreements(school_class):
            n = class_form.outstanding_count
            if not n:
                continue
            form = class_form.form
            pupils = "pupil has" if n == 1 else "pupils have"
            items.append(
                DeskItem(
                    title=f"{school_class.name}: {n} {pupils} not signed {form.full_title} (version {form.version.number})",
                    why=f"{class_form.signed_count} of {len(class_form.rows)} in your class have signed: "
                    "record the class reading or open the class kiosk.",
                    url=reverse("agreements:class_agreements", args=[school_class.school.slug, school_class.pk]),
                    since=form.version.published_at,
                    area="agreements",
                    urgency=WAITING,
                    count=n,
                    school=school_class.school,
                )
            )
    return items


@register(counted=False)
def visitors_today(request):
    """The office: who has signed in at reception today, one click from the visitors'
    page. One query, grouped by school; on the desk only, not in the menu count."""
    from django.db.models import Count, Min
    from django.utils import timezone

    from .models import Method, Signature
    from .reception import day_bounds

    schools = {a.school.pk: a.school for a in accesses(request) if a.can(Cap.MANAGE_PEOPLE)}
    if not schools:
        return []
    start, end = day_bounds(timezone.localdate())
    rows = (
        Signature.objects.filter(
            school_id__in=schools, method=Method.VISITOR_KIOSK, signed_at__gte=start, signed_at__lt=end
        )
        .order_by()
        .values("school_id")
        .annotate(n=Count("pk"), first=Min("signed_at"))
    )
    return [
        DeskItem(
            title=f"{row['n']} {'visitor has' if row['n'] == 1 else 'visitors have'} signed in at reception today",
            why="Check who is on site and that each has a signed visitors' agreement.",
            url=reverse("agreements:visitors", args=[schools[row["school_id"]].slug]),
            since=row["first"],
            area="people",
            urgency=WAITING,
            count=row["n"],
            school=schools[row["school_id"]],
        )
        for row in rows
    ]
