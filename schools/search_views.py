"""The picker's JSON search endpoints for the school's people (core.picker): one page
of matches, scoped to the school and to what the person may see."""

from django.http import Http404
from django.views.decorators.http import require_GET

from core.picker import search_response
from core.roles import Cap
from core.tenancy import school_view

from .pickers import CarerPicker, PupilPicker, StaffPicker, may_search_carers, may_search_staff

PUPILS, STAFF, CARERS = PupilPicker(), StaffPicker(), CarerPicker()


@school_view(Cap.VIEW_PUPILS)
@require_GET
def search_pupils(request):
    """The whole school for the office and leaders; a teacher's own classes."""
    return search_response(request, PUPILS)


@school_view(Cap.VIEW_SCHOOL)
@require_GET
def search_staff(request):
    if not may_search_staff(request.access):
        raise Http404("No such page.")
    return search_response(request, STAFF)


@school_view(Cap.VIEW_SCHOOL)
@require_GET
def search_carers(request):
    if not may_search_carers(request.access):
        raise Http404("No such page.")
    return search_response(request, CARERS)
