"""The home page asks staff to sign what they have not signed yet."""

from django.urls import reverse

from core.todos import Todo, register

from .selectors import forms_to_sign


@register
def agreements_to_sign(request):
    return [
        Todo(
            title=f"Sign: {form.full_title}",
            detail=f"{membership.school.name} · {form.version.policy.title}, version {form.version.number}",
            url=reverse("agreements:sign", args=[membership.school.slug, form.pk]),
            urgent=True,
        )
        for membership, form in forms_to_sign(request.user)
    ]


@register
def forms_to_sign_for_children(request):
    """Parents: one to-do per form, naming the children it is still needed for."""
    from .family import family_overview

    children_by_form: dict = {}
    for row in family_overview(request.user):
        for item in row.to_sign:
            if item.can_sign:
                children_by_form.setdefault(item.form, []).append(row.pupil.first_name)
    return [
        Todo(
            title=f"Sign for {' and '.join(names)}: {form.full_title}",
            detail=form.version.policy.school.name,
            url=reverse("family_sign:sign", args=[form.pk]),
            urgent=True,
        )
        for form, names in children_by_form.items()
    ]


def still_to_sign(request, *, family_first: bool = False) -> list[Todo]:
    """Everything this person still has to sign, as their home page lists it: a
    receipt offers the first as the next thing to sign. A parent's receipt puts their
    children's forms first, a staff receipt their own."""
    own, for_children = agreements_to_sign(request), forms_to_sign_for_children(request)
    return for_children + own if family_first else own + for_children
