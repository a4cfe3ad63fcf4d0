from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.cache import never_cache

from . import desk, health, mail_outbox, selectors
from .roles import Cap, Role
from .tenancy import request_is_carer, request_school_accesses, request_trust_memberships, school_view


def root(request):
    return redirect("core:home" if request.user.is_authenticated else "account_login")


@login_required
def home(request):
    """Each person's desk: what needs them now, most urgent first (grouped by school
    when they have several), then their schools."""
    items = desk.desk_for(request)
    context = {
        "desk_groups": desk.by_school(items),
        "desk_items": items,
        "schools": [access.school for access in request_school_accesses(request)],
        # Parents: their children's page (what is signed, photo consent, phones).
        "has_children": request_is_carer(request) and request.user.guardianships.exists(),
        "trust_memberships": request_trust_memberships(request),
        "home_access": _only_staff_access(request),
    }
    return render(request, "core/home.html", context)


def _only_staff_access(request):
    """A member of staff of exactly one school gets that school's menu on their home
    page too, with its counts: one click from the desk to any area. Parents keep the
    family menu; people with several schools choose one first."""
    accesses = desk.accesses(request)
    if len(accesses) == 1 and accesses[0].roles - {Role.PARENT}:
        return accesses[0]
    return None


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


# --- The development outbox (DEBUG only; core.mail_outbox) -----------------------------


def _development_only():
    # Checked on every request, not when the URLs load: with DEBUG off these pages do
    # not exist, whatever the outbox folder holds.
    if not settings.DEBUG:
        raise Http404


@never_cache
def dev_outbox(request):
    """Every email sent while developing, newest first, readable by anyone at the
    machine (a parent's sign-in code included): so DEBUG only."""
    _development_only()
    page = Paginator(mail_outbox.message_ids(), 20).get_page(request.GET.get("page"))
    messages = [m for m in map(mail_outbox.read_message, page) if m is not None]
    return render(request, "core/dev_outbox.html", {"page": page, "outbox_messages": messages})


@never_cache
def dev_outbox_message(request, message_id):
    _development_only()
    message = mail_outbox.read_message(message_id)
    if message is None:
        raise Http404
    return render(request, "core/dev_outbox_message.html", {"message": message})


@never_cache
def dev_outbox_attachment(request, message_id, number):
    _development_only()
    message = mail_outbox.read_message(message_id)
    if message is None or not 1 <= number <= len(message.attachments):
        raise Http404
    attachment = message.attachments[number - 1]
    response = HttpResponse(attachment.content, content_type=attachment.content_type)
    response["Content-Disposition"] = content_disposition_header(True, attachment.filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    return render(request, "500.html", status=500)
