"""A trust's own policy pages (/t/<trust_slug>/...): the trust writes, approves and
publishes a policy once, and publishing gives every school of the trust its copy.

The pages are those of aup/policy_pages.py for the trust's policies, behind
core.tenancy.trust_view; the same templates ({% policy_url %} points their links
here). What only a trust has: its home page, each school's copy of a policy, and
publishing to every school."""

from django.db.models import Count, Q
from django.shortcuts import render
from django.views.decorators.http import require_POST

from core.roles import Cap
from core.tenancy import trust_view

from . import policy_pages as pages
from . import services
from .models import Policy, PolicyVersion, VersionStatus

TRUST = pages.TRUST


def _schools(request):
    return list(request.trust.schools.order_by("name"))


@trust_view(Cap.MANAGE_POLICIES)
def home(request):
    """The trust's page: its schools, and where to manage the trust's policies."""
    schools = request.trust.schools.order_by("name").annotate(
        trust_policies=Count("policies", filter=Q(policies__adopted_from__isnull=False))
    )
    policies = Policy.objects.filter(trust=request.trust).count()
    return render(request, "aup/trust_home.html", {"schools": schools, "policy_count": policies})


@trust_view(Cap.MANAGE_POLICIES)
def policy_list(request):
    return pages.policy_list(TRUST, request)


@trust_view(Cap.MANAGE_POLICIES)
def policy_create(request):
    return pages.policy_create(TRUST, request)


@trust_view(Cap.MANAGE_POLICIES)
def policy_detail(request, policy_id):
    def school_rows(policy):
        """Each school of the trust with the copy it holds now."""
        copies = {
            v.policy.school_id: v
            for v in PolicyVersion.objects.filter(
                policy__adopted_from=policy, status=VersionStatus.PUBLISHED
            ).select_related("policy", "copied_from")
        }
        return {"school_rows": [{"school": s, "version": copies.get(s.pk)} for s in _schools(request)]}

    return pages.policy_detail(TRUST, request, policy_id, extra_context=school_rows)


@trust_view(Cap.MANAGE_POLICIES)
@require_POST
def version_start(request, policy_id):
    return pages.version_start(TRUST, request, policy_id)


@trust_view(Cap.MANAGE_POLICIES)
def version_detail(request, version_id):
    return pages.version_detail(TRUST, request, version_id)


@trust_view(Cap.MANAGE_POLICIES)
def version_pdf(request, version_id):
    return pages.version_pdf(TRUST, request, version_id)


@trust_view(Cap.MANAGE_POLICIES)
def version_document(request, version_id):
    return pages.version_document(TRUST, request, version_id)


@trust_view(Cap.MANAGE_POLICIES)
def form_edit(request, version_id, audience):
    return pages.form_edit(TRUST, request, version_id, audience)


@trust_view(Cap.MANAGE_POLICIES)
def form_remove(request, version_id, audience):
    return pages.form_remove(TRUST, request, version_id, audience)


@trust_view(Cap.MANAGE_POLICIES)
@require_POST
def change_add(request, version_id):
    return pages.change_add(TRUST, request, version_id)


@trust_view(Cap.MANAGE_POLICIES)
@require_POST
def version_approve(request, version_id):
    return pages.version_approve(TRUST, request, version_id)


@trust_view(Cap.MANAGE_POLICIES)
@require_POST
def version_back_to_draft(request, version_id):
    return pages.version_back_to_draft(TRUST, request, version_id)


@trust_view(Cap.MANAGE_POLICIES)
def version_publish(request, version_id):
    """GET asks for confirmation, naming every school that gets the copy; POST
    publishes the trust's version and its copy at each school."""
    schools = _schools(request)
    count = f"{len(schools)} school{'s' if len(schools) != 1 else ''}"
    return pages.version_publish(
        TRUST,
        request,
        version_id,
        publish=services.publish_for_trust,
        published_message=lambda version: (
            f"Version {version.number} is published at {count}. People there now sign its forms."
        ),
        schools=schools,
    )
