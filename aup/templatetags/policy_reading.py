"""{% load policy_reading %}: a policy's text in readable sections.

`{{ version.body|policy_text }}` gives aup.policy_text.PolicyText (blocks and a
contents list) for templates/aup/_policy_text.html; nothing in the text is ever
marked safe: every word is escaped by the template."""

from django import template

from aup.policy_text import parse

register = template.Library()


@register.filter
def policy_text(body):
    return parse(body or "")


@register.filter
def policy_html(html):
    """A Word document's HTML, sanitised when it was uploaded, sanitised again here: a
    row changed behind the portal's back still can't put a script in the page."""
    from django.utils.safestring import mark_safe

    from aup.documents import sanitise

    return mark_safe(sanitise(html or ""))  # noqa: S308 - nh3 has just cleaned it
