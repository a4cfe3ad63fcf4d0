"""For templates/schools/family.html: the forms each child still needs signed. A tag,
so the schools app's /family/ view need not import from agreements."""

from django import template

from agreements.family import family_overview

register = template.Library()


@register.simple_tag
def family_rows(user):
    return family_overview(user)
