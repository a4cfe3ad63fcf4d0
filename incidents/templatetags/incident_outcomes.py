"""Pupil outcomes where teachers look: "ICT access withdrawn until dd/mm/yyyy" on the
pupil list, the pupil's page and the class's agreements page. Shows the date and the
neutral reason only, and never links to the incident.

    {% load incident_outcomes %}
    {% ict_withdrawals_for page as withdrawn %}       {# pupils on a page: one query #}
    {% with w=withdrawn|withdrawal_of:p.pk %}{% if w %}...{% endif %}{% endwith %}
    {% ict_withdrawals_in_class school_class as withdrawn %}
"""

from django import template

from incidents import selectors

register = template.Library()


def _access(context):
    request = context.get("request")
    return getattr(request, "access", None)


@register.simple_tag(takes_context=True)
def ict_withdrawals_for(context, pupils):
    """{pupil id: withdrawal} for `pupils` (a pupil, a list, a page of pupils)."""
    access = _access(context)
    if access is None or pupils is None:
        return {}
    if hasattr(pupils, "pk"):
        pupils = [pupils]
    ids = [p.pk for p in pupils]
    return selectors.ict_withdrawals(access, pupil_ids=ids) if ids else {}


@register.simple_tag(takes_context=True)
def ict_withdrawals_in_class(context, school_class):
    """The withdrawals in force for pupils of a class, by surname."""
    access = _access(context)
    if access is None or school_class is None:
        return []
    found = selectors.ict_withdrawals(access, school_class=school_class).values()
    return sorted(found, key=lambda w: (w.pupil.last_name, w.pupil.first_name))


@register.filter
def withdrawal_of(withdrawn, pupil_id):
    return withdrawn.get(pupil_id) if withdrawn else None
