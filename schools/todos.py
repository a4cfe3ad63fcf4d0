"""What the home page asks of each person, from the school community's side."""

from django.db.models import Count, Q
from django.urls import reverse

from core.roles import Cap, roles_with
from core.text import plural
from core.todos import Todo, register

from .models import Membership, School, SchoolClass
from .selectors import children_of, on_roll_filter


@register
def people_todos(request):
    """For those who manage people: invitations nobody has accepted yet, per school,
    in one query however many schools they run."""
    managing = (
        Membership.objects.active()
        .filter(user=request.user, roles__role__in=roles_with(Cap.MANAGE_PEOPLE))
        .values("school_id")
    )
    schools = (
        School.objects.filter(pk__in=managing)
        .annotate(invited=Count("memberships", filter=Q(memberships__status=Membership.Status.INVITED)))
        .filter(invited__gt=0)
    )
    return [
        Todo(
            title=f"{s.invited} invited {'person has' if s.invited == 1 else 'people have'} not joined yet",
            detail=f"{s.name}: send a new invitation if theirs has expired (after 7 days).",
            url=reverse("schools:staff", args=[s.slug]),
        )
        for s in schools
    ]


@register
def family_todos(request):
    children = list(children_of(request.user))
    if not children:
        return []
    names = ", ".join(g.pupil.first_name for g in children)
    return [Todo(title="Your children", detail=names, url=reverse("family:home"))]


@register
def teacher_todos(request):
    """A class teacher's own classes, one click from their home page."""
    classes = (
        SchoolClass.objects.filter(teachers__user=request.user, teachers__status=Membership.Status.ACTIVE)
        .select_related("school", "year_group")
        .annotate(pupil_count=Count("pupils", filter=on_roll_filter("pupils__")))
    )
    return [
        Todo(
            title=f"Your class: {c.name}",
            detail=f"{c.school.name}, {c.year_group} · {plural(c.pupil_count, 'pupil')}",
            url=reverse("schools:pupils", args=[c.school.slug]) + f"?class={c.pk}",
        )
        for c in classes
    ]
