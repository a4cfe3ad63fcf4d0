"""Reads about policies that other apps' pages share."""

from .models import Exemption


def exemptions_of(user, school):
    """Every exemption the person asked for at the school, newest first, with who decided."""
    return Exemption.objects.filter(school=school, requested_by=user).select_related("policy", "decided_by")
