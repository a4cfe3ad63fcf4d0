"""The home page asks staff to sign what they have not signed yet."""

from django.urls import reverse

from core.todos import Todo, register

from .selectors import forms_to_sign


@register
def agreements_to_sign(request):
    return [
        Todo(
            title=f"Sign: {form.title}",
            detail=f"{membership.school.name} · {form.version.policy.title}, version {form.version.number}",
            url=reverse("agreements:sign", args=[membership.school.slug, form.pk]),
            urgent=True,
        )
        for membership, form in forms_to_sign(request.user)
    ]
