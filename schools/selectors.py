"""Reads shared by pages and tasks, always scoped to a school or a person, with their
related rows fetched up front so a page's query count does not grow with its rows."""

from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404

from core.roles import Role

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


def classes_with_counts(school):
    return (
        SchoolClass.objects.filter(school=school)
        .select_related("year_group")
        .prefetch_related(Prefetch("teachers", queryset=Membership.objects.select_related("user")))
        .annotate(pupil_count=Count("pupils", filter=on_roll_filter("pupils__")))
    )


def current_pupils(school, school_class=None):
    pupils = Pupil.objects.current().filter(school=school).select_related("year_group", "school_class")
    if school_class is not None:
        pupils = pupils.filter(school_class=school_class)
    return pupils.order_by("year_group__position", "school_class__name", "last_name", "first_name")


def pupil_in_school(school, pupil_id):
    return get_object_or_404(
        Pupil.objects.select_related("year_group", "school_class").prefetch_related(
            Prefetch("guardianships", queryset=Guardianship.objects.select_related("carer"))
        ),
        school=school,
        pk=pupil_id,
    )


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
