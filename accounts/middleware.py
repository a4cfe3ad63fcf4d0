import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import reverse

from .mfa_policy import has_mfa, holds_sensitive_role, must_use_mfa, passed_second_step

_SIGNED_IN_AT = "portal_signed_in_at"
_LAST_SEEN_AT = "portal_last_seen_at"
_SENSITIVE = "portal_sensitive"
# The session row and the "your sessions" list (allauth's UserSession) it last wrote:
# [session key, address, browser]; a change of any of them is written at once.
_TRACKED_AS = "portal_tracked_as"


class SessionPolicyMiddleware:
    """Sessions last 12 hours from sign-in at most, and end after 30 minutes idle for
    people who can see safeguarding records or the whole school's personal data.

    It also keeps the "your sessions" list (allauth's UserSession: address, browser,
    last seen), in place of allauth's UserSessionsMiddleware, which writes that row on
    every request. Both clocks are saved together, at most once every
    SESSION_ACTIVITY_RESOLUTION (a minute), and at once when the session's address or
    browser changes: a busy page then costs no writes, and the request that carries the
    save is the first after sign-in or after a quiet minute, never a random one. Tests
    make the resolution longer than any test takes (config/settings_test.py), so
    query-count tests never meet a save they did not make."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = time.time()
            session = request.session
            resolution = settings.SESSION_ACTIVITY_RESOLUTION.total_seconds()
            if _SIGNED_IN_AT not in session:
                session[_SIGNED_IN_AT] = now
                session[_LAST_SEEN_AT] = now
                session[_SENSITIVE] = holds_sensitive_role(request.user, request)
            idle_limit = settings.SESSION_IDLE_TIMEOUT_SENSITIVE.total_seconds()
            too_old = now - session[_SIGNED_IN_AT] > settings.SESSION_COOKIE_AGE
            too_idle = session.get(_SENSITIVE) and now - session.get(_LAST_SEEN_AT, now) > idle_limit
            if too_old or too_idle:
                logout(request)
                messages.info(request, "You were signed out to keep pupils' data safe. Please sign in again.")
                # redirect_to_login encodes `next`, so an address with a query (?q=a&page=2)
                # comes back whole after signing in again.
                return redirect_to_login(request.get_full_path())
            stale = now - session.get(_LAST_SEEN_AT, 0) >= resolution
            if stale:
                session[_LAST_SEEN_AT] = now
                # Roles can change during a session (a teacher made DSL): look again
                # whenever the idle clock is saved, not on every request.
                session[_SENSITIVE] = holds_sensitive_role(request.user, request)
            _track_session(request, force=stale)
        return self.get_response(request)


def _track_session(request, *, force: bool) -> None:
    """Write the person's UserSession row (allauth's: what "your sessions" lists) when
    the idle clock is saved, or at once if the session key, address or browser changed
    since it was last written; otherwise nothing."""
    from allauth.account.adapter import get_adapter
    from allauth.usersessions import app_settings as usersessions_settings
    from allauth.usersessions.models import UserSession

    if not usersessions_settings.TRACK_ACTIVITY:
        return
    session = request.session
    if not session.session_key:
        session.save()
    user_agent = request.META.get("HTTP_USER_AGENT", "")[: UserSession._meta.get_field("user_agent").max_length]
    client = [session.session_key, get_adapter().get_client_ip(request), user_agent]
    if force or session.get(_TRACKED_AS) != client:
        UserSession.objects.create_from_request(request)
        session[_TRACKED_AS] = client


class RequireMFAMiddleware:
    """People who must use two-factor authentication are taken to set it up before
    they can reach any other page; once they have it, a session that did not pass the
    second step (signed in before it was set up, say) is asked for the code first."""

    ALLOWED_PREFIXES = ("/accounts/", "/static/", "/healthz", "/invitations/", "/media/")
    # Before the second step, even account pages wait: there, two-step sign-in could be
    # turned off with the password alone.
    ALLOWED_BEFORE_SECOND_STEP = ("/static/", "/healthz")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if not user.is_authenticated or request.path.startswith(self.ALLOWED_BEFORE_SECOND_STEP):
            return self.get_response(request)
        if not must_use_mfa(user, request):
            return self.get_response(request)
        if not has_mfa(user):
            if request.path.startswith(self.ALLOWED_PREFIXES):
                return self.get_response(request)
            messages.warning(
                request,
                "Your role lets you see sensitive information about pupils, so you need to set up "
                "two-step sign-in before you continue.",
            )
            return redirect("mfa_activate_totp")
        if not passed_second_step(request) and request.path not in (
            reverse("mfa_reauthenticate"),
            reverse("account_logout"),
        ):
            messages.info(request, "Enter the code from your authenticator app to continue.")
            return redirect_to_login(request.get_full_path(), reverse("mfa_reauthenticate"))
        return self.get_response(request)
