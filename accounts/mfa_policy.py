"""Who must use two-factor authentication, and who gets the short idle timeout.

Anyone holding a role that can see safeguarding records or the whole school's personal
data, site staff (the Django admin), and every staff member of a school that asks for
it. Schools sit above accounts in the dependency order, so their models are looked up
by name."""

from django.apps import apps

from core.roles import STAFF_ROLES, roles_are_sensitive
from core.tenancy import request_memberships, request_trust_ids


def _active_roles_by_school(user, request=None):
    if request is not None and request.user == user:
        # The middleware's own request: the rows it loaded once (core.tenancy).
        return [(m.school, set(m.role_codes)) for m in request_memberships(request)]
    Membership = apps.get_model("schools", "Membership")
    memberships = Membership.objects.active().filter(user=user).select_related("school").prefetch_related("roles")
    return [(m.school, set(m.role_codes)) for m in memberships]


def _in_a_trust(user, request=None) -> bool:
    if request is not None and request.user == user:
        return bool(request_trust_ids(request))
    TrustMembership = apps.get_model("schools", "TrustMembership")
    return TrustMembership.objects.active().filter(user=user).exists()


def holds_sensitive_role(user, request=None) -> bool:
    """Pass the request when asking about its own user: the answer then comes from the
    memberships the request loads once, not from two queries of its own."""
    if not user.is_authenticated:
        return False
    if _in_a_trust(user, request):
        return True
    return any(roles_are_sensitive(roles) for _, roles in _active_roles_by_school(user, request))


def must_use_mfa(user, request=None) -> bool:
    if not user.is_authenticated:
        return False
    # Site staff reach every school's records through the Django admin.
    if user.is_staff or user.is_superuser:
        return True
    if _in_a_trust(user, request):
        return True
    by_school = _active_roles_by_school(user, request)
    if any(roles_are_sensitive(roles) for _, roles in by_school):
        return True
    staff_roles = set(STAFF_ROLES)
    return any(school.mfa_for_all_staff and roles & staff_roles for school, roles in by_school)


def has_mfa(user) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def passed_second_step(request) -> bool:
    """Whether this session, not just this account, got past the second step: allauth
    records each step of sign-in in the session ("mfa" for a TOTP or recovery code at
    sign-in or when asked again). Turning two-step sign-in on in this session counts
    too (accounts.signals records it), as the person has just typed a code from it."""
    from allauth.account.authentication import get_authentication_records

    return any(record.get("method") == "mfa" for record in get_authentication_records(request, request.user))


# How recently the second step must have been passed for an act that cannot be undone
# (approving the destruction of records at the end of their retention).
RECENT_SECOND_STEP_SECONDS = 5 * 60


def passed_second_step_recently(request, seconds: int = RECENT_SECOND_STEP_SECONDS) -> bool:
    """Whether this session typed a code from the authenticator in the last `seconds`
    (at sign-in or when asked again, mfa_reauthenticate)."""
    import time

    from allauth.account.authentication import get_authentication_records

    now = time.time()
    return any(
        record.get("method") == "mfa" and now - record.get("at", 0) <= seconds
        for record in get_authentication_records(request, request.user)
    )
