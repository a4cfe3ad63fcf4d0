"""Middleware every request passes through before any view."""

from django.conf import settings
from django.shortcuts import render


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
