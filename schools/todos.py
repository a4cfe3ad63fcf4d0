"""What the home page asks of each person, from the school community's side."""

from django.db.models import Count
from django.urls import reverse

from core.roles import Cap
from core.tenancy import accessible_schools, school_access
from core.todos import Todo, register

from .models import Membership, SchoolClass
from .selectors import children_of, on_roll_filter


@register
def people_todos(request):
    todos = []
    for school in accessible_schools(request.user):
        access = school_access(request.user, school)
        if access is None or not access.can(Cap.MANAGE_PEOPLE):
            continue
        invited = Membership.objects.filter(school=school, status=Membership.Status.INVITED).count()
        if invited:
            todos.append(
                Todo(
                    title=f"{invited} invited {'person has' if invited == 1 else 'people have'} not joined yet",
                    detail=f"{school.name}: send a new invitation if theirs has expired (after 7 days).",
                    url=reverse("schools:staff", args=[school.slug]),
                )
            )
    return todos


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
            detail=f"{c.school.name}, {c.year_group} · {c.pupil_count} pupils",
            url=reverse("schools:pupils", args=[c.school.slug]) + f"?class={c.pk}",
        )
        for c in classes
    ]
