from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from . import health, selectors
from .roles import Cap
from .tenancy import accessible_schools, school_view
from .todos import todos_for


def root(request):
    return redirect("core:home" if request.user.is_authenticated else "account_login")


@login_required
def home(request):
    """Each person's own page: what they should do next, and their schools."""
    return render(request, "core/home.html", {"todos": todos_for(request), "schools": accessible_schools(request.user)})


@never_cache
def healthz(request):
    """ "ok" or "unavailable" for anyone; each check's detail only for monitoring with
    the token or a superuser (see health.may_see_detail)."""
    ok, checks = health.report()
    body = {"status": "ok" if ok else "unavailable"}
    if health.may_see_detail(request):
        body.update(checks)
    return JsonResponse(body, status=200 if ok else 503)


@school_view(Cap.VIEW_AUDIT_LOG)
def audit_log(request):
    events = selectors.audit_events_for_school(request.access, action_prefix=request.GET.get("action", ""))
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(request, "core/audit_log.html", {"page": page, "action": request.GET.get("action", "")})


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    return render(request, "500.html", status=500)
