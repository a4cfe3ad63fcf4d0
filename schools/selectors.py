"""Reads shared by pages and tasks, always scoped to a school or a person, with their
related rows fetched up front so a page's query count does not grow with its rows."""

from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404

from core.roles import Cap, Role

from .models import Guardianship, Membership, Pupil, SchoolClass


def staff_members(school):
    return (
        Membership.objects.filter(school=school)
        .staff()
        .select_related("user")
        .prefetch_related("roles")
        .order_by("status", "user__last_name", "user__first_name")
    )


def parent_members(school):
    children_here = Guardianship.objects.filter(pupil__school=school).select_related(
        "pupil", "pupil__school_class", "pupil__year_group"
    )
    return (
        Membership.objects.filter(school=school)
        .parents()
        .select_related("user")
        .prefetch_related("roles", Prefetch("user__guardianships", queryset=children_here, to_attr="children_here"))
        .order_by("status", "user__last_name", "user__first_name")
    )


def membership_in_school(school, membership_id):
    """One person's membership of this school, or 404."""
    return get_object_or_404(
        Membership.objects.select_related("user", "school").prefetch_related("roles"),
        school=school,
        pk=membership_id,
    )


def on_roll_filter(prefix="", on=None):
    """Pupils still on roll: no leaving date, or one still to come (as Pupil.objects.current())."""
    on = on or _today()
    return Q(**{f"{prefix}leaving_date__isnull": True}) | Q(**{f"{prefix}leaving_date__gt": on})


def _with_counts(classes):
    return (
        classes.select_related("year_group")
        .prefetch_related(Prefetch("teachers", queryset=Membership.objects.select_related("user")))
        .annotate(pupil_count=Count("pupils", filter=on_roll_filter("pupils__")))
    )


# --- Who sees which pupils -------------------------------------------------------------
#
# The one place that decides it: the whole school for those with VIEW_ALL_PUPILS (the
# office, leaders, the DSL...); for a teacher (VIEW_PUPILS), the pupils of the classes
# they teach; nobody else. Every pupil list, record, picker and filter reads through
# these, so a page cannot show a teacher a pupil of another class by forgetting a check.


def sees_all_pupils(access) -> bool:
    """Whether this person sees the whole school's pupils and their UPNs."""
    return access.can(Cap.VIEW_ALL_PUPILS)


def classes_visible_to(access):
    """The classes whose pupils the person may see: every class, or the ones they teach."""
    classes = SchoolClass.objects.filter(school=access.school)
    if sees_all_pupils(access):
        return classes
    if access.can(Cap.VIEW_PUPILS) and access.membership is not None:
        return classes.filter(teachers=access.membership)
    return classes.none()


def pupils_visible_to(access, *, include_leavers=False):
    """The pupils of the person's school they may see: the whole school, or the pupils
    of the classes they teach (none for anyone else). Current pupils only unless
    `include_leavers`."""
    pupils = Pupil.objects.filter(school=access.school)
    if not include_leavers:
        pupils = pupils.current()
    if sees_all_pupils(access):
        return pupils
    if access.can(Cap.VIEW_PUPILS) and access.membership is not None:
        return pupils.filter(school_class__teachers=access.membership)
    return pupils.none()


def classes_with_counts_for(access):
    """The classes the person may see, with their teachers and pupils on roll."""
    return _with_counts(classes_visible_to(access))


def pupils_for(access, school_class=None):
    """The current pupils the person may see (of one class), in class-list order."""
    pupils = pupils_visible_to(access).select_related("year_group", "school_class")
    if school_class is not None:
        pupils = pupils.filter(school_class=school_class)
    return pupils.order_by("year_group__position", "school_class__name", "last_name", "first_name")


def pupil_for(access, pupil_id):
    """One pupil's record, or 404 if the person may not see them (another class, another
    school): the same answer as for an id that does not exist."""
    return get_object_or_404(
        pupils_visible_to(access, include_leavers=True)
        .select_related("year_group", "school_class")
        .prefetch_related(Prefetch("guardianships", queryset=Guardianship.objects.select_related("carer"))),
        pk=pupil_id,
    )


def request_children(request) -> list:
    """`children_of(request.user)` as a list, loaded once a request (the /family/ page,
    its overview of forms and the menu's counts all list the children), and not at all
    for someone who is nobody's parent or carer."""
    from core.tenancy import request_is_carer

    if "_children" not in request.__dict__:
        request.__dict__["_children"] = list(children_of(request.user)) if request_is_carer(request) else []
    return request.__dict__["_children"]


def children_of(user):
    """The children this person cares for, at schools where they are an active parent."""
    active_parent_schools = Membership.objects.active().with_role(Role.PARENT).filter(user=user).values("school_id")
    return (
        Guardianship.objects.filter(carer=user, pupil__school_id__in=active_parent_schools)
        .filter(Q(pupil__leaving_date__isnull=True) | Q(pupil__leaving_date__gt=_today()))
        .select_related("pupil", "pupil__school", "pupil__year_group", "pupil__school_class")
        .order_by("pupil__school__name", "pupil__first_name")
    )


def _today():
    from django.utils import timezone

    return timezone.localdate()
