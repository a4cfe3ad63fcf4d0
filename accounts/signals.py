"""Sign-ins, sign-outs and failed attempts go to the audit log; turning on two-step
sign-in counts as passing its step in that session."""

from allauth.account.internal.flows.login import record_authentication
from allauth.account.signals import user_logged_in
from allauth.mfa.models import Authenticator
from allauth.mfa.signals import authenticator_added
from django.contrib.auth.signals import user_logged_out, user_login_failed
from django.dispatch import Signal, receiver

from core import audit

# Sent when someone accepts an invitation: (invitation, user, request). The app that
# owns the invitation's target (schools) makes the membership active.
invitation_accepted = Signal()


@receiver(user_logged_in)
def audit_sign_in(sender, request, user, **kwargs):
    audit.record(action="auth.signed_in", actor=user, request=request, summary=f"{user.email} signed in")


@receiver(user_logged_out)
def audit_sign_out(sender, request, user, **kwargs):
    if user is not None:
        audit.record(action="auth.signed_out", actor=user, request=request, summary=f"{user.email} signed out")


@receiver(user_login_failed)
def audit_failed_sign_in(sender, credentials, request=None, **kwargs):
    email = str(credentials.get("email") or credentials.get("username") or "")[:200]
    audit.record(
        action="auth.sign_in_failed",
        request=request,
        summary=f"Failed sign-in for {email}" if email else "Failed sign-in",
        data={"email": email},
    )


@receiver(authenticator_added)
def second_step_passed_when_turned_on(sender, request, user, authenticator, **kwargs):
    """Turning on TOTP takes a code from the new authenticator (and, just before, the
    password), so the session that did it has passed both steps: record it the way
    allauth records a code typed at sign-in, for RequireMFAMiddleware to see."""
    if authenticator.type not in (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN):
        return
    if request is None or getattr(request, "user", None) != user:
        return
    record_authentication(request, user, "mfa", id=authenticator.pk, type=authenticator.type, activated=True)
