"""Middleware every request passes through before any view."""

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import DisallowedHost
from django.shortcuts import render

from .views import healthz

HEALTHZ_PATH = "/healthz"


class HealthzAnyHostMiddleware:
    """Answer /healthz whatever the Host header says, so monitoring can call a web
    process by its address (http://10.0.0.5:8000/healthz) or a name of its own that is
    not in ALLOWED_HOSTS. Every other address on such a host is still refused (400) by
    CommonMiddleware; a request on an allowed host goes through the whole stack as
    usual (so a signed-in superuser still sees the detail).

    On a foreign host nobody is signed in (the session cookie belongs to the portal's
    own name): the caller sees "ok"/"unavailable", or the detail with HEALTHZ_TOKEN.
    Listed before CommonMiddleware, which is what rejects the host."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == HEALTHZ_PATH:
            try:
                request.get_host()
            except DisallowedHost:
                request.user = AnonymousUser()
                return healthz(request)
        return self.get_response(request)


class RequestBodyLimitMiddleware:
    """Refuse a request whose body is larger than MAX_REQUEST_BODY_BYTES before anything
    reads it (the CSRF check and the views read it later), with a plain 413 page.

    Under WSGI Django reads at most Content-Length bytes of a body and nothing when the
    header is missing, so a chunked body without a length is never read either: checking
    the declared length is enough. Listed early so a refused request costs no session
    or database work."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0  # Django reads nothing of a body whose length it cannot parse
        if length > settings.MAX_REQUEST_BODY_BYTES:
            return render(request, "413.html", status=413)
        return self.get_response(request)
