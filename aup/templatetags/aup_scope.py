"""The policy pages are the same templates at a school (/s/<school>/policies/...) and at
a trust (/t/<trust>/policies/...): {% policy_url "version" version.pk %} gives the
address of a policy page wherever these pages are being shown."""

from django import template
from django.urls import reverse

register = template.Library()


@register.simple_tag(takes_context=True)
def policy_url(context, name, *args):
    request = context["request"]
    trust = getattr(request, "trust", None)
    if trust is not None:
        return reverse(f"aup_trust:{name}", args=[trust.slug, *args])
    return reverse(f"aup:{name}", args=[request.school.slug, *args])


@register.simple_tag(takes_context=True)
def policy_owner(context):
    """The name of the school, or of the trust, whose policies these are."""
    request = context["request"]
    owner = getattr(request, "trust", None) or getattr(request, "school", None)
    return owner.name if owner else ""
