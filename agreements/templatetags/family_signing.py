"""For templates/schools/family.html: the forms each child still needs signed. A tag,
so the schools app's /family/ view need not import from agreements."""

from django import template

from agreements.family import family_overview_for

register = template.Library()


@register.simple_tag(takes_context=True)
def family_rows(context):
    """The request's family overview: the same rows the menu's counts were made from."""
    return family_overview_for(context["request"])
