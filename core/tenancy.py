"""Tenancy: which schools a person may see, and what they may do there.

`school_view(capability)` is the one gate for every page under /s/<school_slug>/: it
resolves the school, checks the person's membership and the capability, and answers
404 (never 403) for a school or object they may not see, so ids reveal nothing.

Core sits below `schools` in the dependency order, so the models are looked up
lazily by name rather than imported.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import wraps

from django.apps import apps
from django.contrib.auth.views import redirect_to_login
from django.http import Http404

from .roles import SENSITIVE_CAPABILITIES, TRUST_CAPABILITIES, Role, capabilities_for


@dataclass(frozen=True)
class SchoolAccess:
    """What one person may do in one school."""

    school: object
    roles: frozenset[str]
    capabilities: frozenset[str]
    membership: object | None  # None for a trust officer with no school membership

    def can(self, capability: str) -> bool:
        return capability in self.capabilities

    @property
    def is_sensitive(self) -> bool:
        return bool(self.capabilities & SENSITIVE_CAPABILITIES)


def _models():
    return (
        apps.get_model("schools", "School"),
        apps.get_model("schools", "Membership"),
        apps.get_model("schools", "TrustMembership"),
    )


def school_access(user, school) -> SchoolAccess | None:
    """The person's access to `school`, or None if they may not see it at all."""
    if not user.is_authenticated or not user.is_active:
        return None
    _, Membership, TrustMembership = _models()
    roles: set[str] = set()
    membership = Membership.objects.active().filter(user=user, school=school).first()
    if membership is not None:
        roles |= set(membership.role_codes)
    if school.trust_id and TrustMembership.objects.active().filter(user=user, trust_id=school.trust_id).exists():
        roles.add(Role.TRUST_OFFICER)
    if not roles:
        return None
    return SchoolAccess(
        school=school, roles=frozenset(roles), capabilities=capabilities_for(roles), membership=membership
    )


def school_accesses(user) -> list[SchoolAccess]:
    """The person's access to every school whose pages they can open (as
    `accessible_schools`), in name order: four queries however many schools. For pages
    outside any school that show something of each (the person's desk)."""
    if not user.is_authenticated or not user.is_active:
        return []
    School, Membership, TrustMembership = _models()
    memberships = {
        m.school_id: m for m in Membership.objects.active().staff().filter(user=user).prefetch_related("roles")
    }
    trust_ids = set(TrustMembership.objects.active().filter(user=user).values_list("trust_id", flat=True))
    from django.db.models import Q

    schools = School.objects.filter(Q(pk__in=list(memberships)) | Q(trust_id__in=trust_ids)).select_related("trust")
    found = []
    for school in schools.order_by("name"):
        membership = memberships.get(school.pk)
        roles = set(membership.role_codes) if membership else set()
        if school.trust_id in trust_ids:
            roles.add(Role.TRUST_OFFICER)
        found.append(
            SchoolAccess(
                school=school, roles=frozenset(roles), capabilities=capabilities_for(roles), membership=membership
            )
        )
    return found


# --- Once per request ------------------------------------------------------------------
# The middleware (two-step sign-in, idle timeout), the menus, the school switcher and the
# desk all ask who the person is; these answer from the same rows, loaded once a
# request and kept on it. A person's memberships are few, so they are all loaded.


def _memo(request, key, compute):
    if key not in request.__dict__:
        request.__dict__[key] = compute()
    return request.__dict__[key]


def request_memberships(request) -> list:
    """The signed-in person's active memberships of every kind (parent ones too), each
    with its school, the school's trust and its roles: two queries a request."""
    user = request.user
    if not user.is_authenticated:
        return []
    _, Membership, _ = _models()
    return _memo(
        request,
        "_tenancy_memberships",
        lambda: list(
            Membership.objects.active().filter(user=user).select_related("school__trust").prefetch_related("roles")
        ),
    )


def request_trust_memberships(request) -> list:
    """The signed-in person's active trust memberships (officers of a trust), each with
    its trust: one query a request."""
    user = request.user
    if not user.is_authenticated:
        return []
    _, _, TrustMembership = _models()
    return _memo(
        request,
        "_tenancy_trust_memberships",
        lambda: list(TrustMembership.objects.active().filter(user=user).select_related("trust").order_by("pk")),
    )


def request_trust_ids(request) -> frozenset:
    """The trusts where the signed-in person is an officer."""
    return frozenset(tm.trust_id for tm in request_trust_memberships(request))


def request_is_carer(request) -> bool:
    """A parent or carer at any school (an active parent role)."""
    return any(Role.PARENT in membership.role_codes for membership in request_memberships(request))


def request_school_access(request, school) -> SchoolAccess | None:
    """`school_access(request.user, school)` from the request's memberships and trusts:
    no query of its own."""
    user = request.user
    if not user.is_authenticated or not user.is_active:
        return None
    membership = next((m for m in request_memberships(request) if m.school_id == school.pk), None)
    roles: set[str] = set(membership.role_codes) if membership is not None else set()
    if school.trust_id and school.trust_id in request_trust_ids(request):
        roles.add(Role.TRUST_OFFICER)
    if not roles:
        return None
    return SchoolAccess(
        school=school, roles=frozenset(roles), capabilities=capabilities_for(roles), membership=membership
    )


def request_school_accesses(request) -> list[SchoolAccess]:
    """`school_accesses(request.user)`, from the request's memberships: no query more
    for a member of staff, one more for a trust officer (the trust's schools)."""
    if not request.user.is_authenticated or not request.user.is_active:
        return []

    def compute():
        School, _, _ = _models()
        staff = {m.school_id: m for m in request_memberships(request) if set(m.role_codes) - {Role.PARENT}}
        trust_ids = request_trust_ids(request)
        schools = {m.school_id: m.school for m in staff.values()}
        if trust_ids:
            for school in School.objects.filter(trust_id__in=trust_ids).select_related("trust"):
                schools[school.pk] = school
        found = []
        for school in sorted(schools.values(), key=lambda s: (s.name, s.pk)):
            membership = staff.get(school.pk)
            roles = set(membership.role_codes) if membership else set()
            if school.trust_id in trust_ids:
                roles.add(Role.TRUST_OFFICER)
            found.append(
                SchoolAccess(
                    school=school, roles=frozenset(roles), capabilities=capabilities_for(roles), membership=membership
                )
            )
        return found

    return _memo(request, "_tenancy_school_accesses", compute)


def accessible_schools(user):
    """Every school whose pages the person can open, as a queryset: schools where
    they hold a staff role, and every school of a trust where they are a trust
    officer. (A parent-only membership opens /family/, not the school's pages.)"""
    School, Membership, TrustMembership = _models()
    if not user.is_authenticated:
        return School.objects.none()
    from django.db.models import Q

    trust_ids = TrustMembership.objects.active().filter(user=user).values("trust_id")
    school_ids = Membership.objects.active().staff().filter(user=user).values("school_id")
    return (
        School.objects.filter(Q(id__in=school_ids) | Q(trust_id__in=trust_ids)).select_related("trust").order_by("name")
    )


def school_view(capability: str):
    """Decorate a view taking `school_slug`: sets request.school and request.access,
    or answers 404 if the person may not see the school or lacks `capability`."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, school_slug, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            School, _, _ = _models()
            school = School.objects.filter(slug=school_slug).select_related("trust").first()
            access = request_school_access(request, school) if school else None
            if access is None or not access.can(capability):
                raise Http404("No such page.")
            request.school = school
            request.access = access
            return view(request, *args, **kwargs)

        wrapped.required_capability = capability
        return wrapped

    return decorator


def trust_access(user, trust) -> frozenset[str] | None:
    """The trust-level capabilities of a person (a trust officer), or None."""
    if not user.is_authenticated or not user.is_active or trust is None:
        return None
    _, _, TrustMembership = _models()
    if not TrustMembership.objects.active().filter(user=user, trust=trust).exists():
        return None
    return TRUST_CAPABILITIES


def trust_view(capability: str):
    """Decorate a view taking `trust_slug` (pages under /t/<trust_slug>/): sets
    request.trust and request.trust_capabilities, or answers 404 if the person is
    not an officer of the trust or lacks `capability`."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, trust_slug, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            trust = apps.get_model("schools", "Trust").objects.filter(slug=trust_slug).first()
            capabilities = trust_access(request.user, trust)
            if capabilities is None or capability not in capabilities:
                raise Http404("No such page.")
            request.trust = trust
            request.trust_capabilities = capabilities
            return view(request, *args, **kwargs)

        wrapped.required_capability = capability
        return wrapped

    return decorator
