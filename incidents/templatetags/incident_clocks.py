"""The 72-hour clocks of open personal data breaches, on the head's pages (the
school's home page and the person's own home page), for those who triage incidents:
the DSL and the head. A fixed number of queries however many breaches or schools.

    {% load incident_clocks %}{% breach_clocks as clocks %}            {# a school page #}
    {% breach_clocks schools as clocks %}                              {# core home #}
    {% include "incidents/_home_clocks.html" %}
"""

from django import template

from core.roles import Cap
from core.tenancy import request_memberships
from incidents import selectors
from incidents.clock import ico_clock

register = template.Library()

SHOWN = 20


def _clocks(access):
    if access is None or not access.can(Cap.TRIAGE_INCIDENTS):
        return []
    return [(access.school, incident, ico_clock(incident)) for incident in selectors.open_breaches(access)[:SHOWN]]


@register.simple_tag(takes_context=True)
def breach_clocks(context, schools=None):
    """[(school, incident, clock)], most urgent first."""
    request = context.get("request")
    if request is None:
        return []
    if schools is None:
        return _clocks(getattr(request, "access", None))
    found = selectors.open_breaches_for_user(request.user, schools, memberships=request_memberships(request))[:SHOWN]
    return [(incident.school, incident, ico_clock(incident)) for incident in found]
