from django.utils.functional import SimpleLazyObject

from .tenancy import request_school_accesses


def portal(request):
    """What the base layout needs: the school being viewed, what the person may do
    there (for the navigation), and their schools (for the switcher, from the
    memberships the request has already loaded; nothing is asked of the database
    for a page that does not show them)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    access = getattr(request, "access", None)
    return {
        "current_school": getattr(request, "school", None),
        "caps": access.capabilities if access else frozenset(),
        "my_schools": SimpleLazyObject(lambda: [a.school for a in request_school_accesses(request)]),
    }
