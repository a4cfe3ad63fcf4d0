from .tenancy import accessible_schools


def portal(request):
    """What the base layout needs: the school being viewed, what the person may do
    there (for the navigation), and their schools (for the switcher)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    access = getattr(request, "access", None)
    return {
        "current_school": getattr(request, "school", None),
        "caps": access.capabilities if access else frozenset(),
        "my_schools": accessible_schools(user),
    }
