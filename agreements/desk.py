"""Desk items about signing: what this person has still to sign, for themselves and
for their children."""

from django.urls import reverse

from core.desk import DUE, DeskItem, register

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
        for membership, form in forms_to_sign(request.user)
    ]


@register
def forms_to_sign_for_children(request):
    """Parents: one item per form, naming the children it is still needed for."""
    from .family import family_overview

    children_by_form: dict = {}
    for row in family_overview(request.user):
        for item in row.to_sign:
            if item.can_sign:
                children_by_form.setdefault(item.form, []).append(row.pupil.first_name)
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
    ]


def still_to_sign(request, *, family_first: bool = False) -> list[DeskItem]:
    """Everything this person still has to sign: a receipt offers the first as the next
    thing to sign. A parent's receipt puts their children's forms first."""
    own, for_children = agreements_to_sign(request), forms_to_sign_for_children(request)
    return for_children + own if family_first else own + for_children
