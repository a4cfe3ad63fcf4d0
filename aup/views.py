"""The head's policy pages (/s/<school>/policies/): each is the shared page of
aup/policy_pages.py for the school's own policies, behind the school's gate."""

from django.views.decorators.http import require_GET, require_POST

from core.roles import Cap
from core.tenancy import school_view

from . import policy_pages as pages
from . import services

SCHOOL = pages.SCHOOL


@school_view(Cap.MANAGE_POLICIES)
def policy_list(request):
    return pages.policy_list(SCHOOL, request)


@school_view(Cap.MANAGE_POLICIES)
def policy_create(request):
    return pages.policy_create(SCHOOL, request)


@school_view(Cap.MANAGE_POLICIES)
def policy_detail(request, policy_id):
    return pages.policy_detail(SCHOOL, request, policy_id)


@school_view(Cap.MANAGE_POLICIES)
@require_POST
def version_start(request, policy_id):
    return pages.version_start(SCHOOL, request, policy_id)


@school_view(Cap.MANAGE_POLICIES)
def version_detail(request, version_id):
    return pages.version_detail(SCHOOL, request, version_id)


@school_view(Cap.MANAGE_POLICIES)
def version_document(request, version_id):
    return pages.version_document(SCHOOL, request, version_id)


@school_view(Cap.MANAGE_POLICIES)
def version_pdf(request, version_id):
    return pages.version_pdf(SCHOOL, request, version_id)


@school_view(Cap.MANAGE_POLICIES)
def form_edit(request, version_id, audience):
    return pages.form_edit(SCHOOL, request, version_id, audience)


@school_view(Cap.MANAGE_POLICIES)
def form_remove(request, version_id, audience):
    return pages.form_remove(SCHOOL, request, version_id, audience)


@school_view(Cap.MANAGE_POLICIES)
@require_POST
def change_add(request, version_id):
    return pages.change_add(SCHOOL, request, version_id)


@school_view(Cap.MANAGE_POLICIES)
@require_POST
def version_approve(request, version_id):
    return pages.version_approve(SCHOOL, request, version_id)


@school_view(Cap.MANAGE_POLICIES)
@require_POST
def version_back_to_draft(request, version_id):
    return pages.version_back_to_draft(SCHOOL, request, version_id)


@school_view(Cap.MANAGE_POLICIES)
def version_publish(request, version_id):
    return pages.version_publish(
        SCHOOL,
        request,
        version_id,
        publish=services.publish,
        published_message=lambda version: f"Version {version.number} is published. People now sign its forms.",
    )


@school_view(Cap.TRIAGE_INCIDENTS)
@require_GET
def search_statements(request):
    """The picker's search of policy statements (for "statements breached")."""
    from core.picker import search_response

    from .pickers import StatementPicker

    return search_response(request, StatementPicker())
