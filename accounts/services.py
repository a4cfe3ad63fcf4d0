import secrets

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from core import audit

from .models import Invitation, User, hash_token
from .signals import invitation_accepted
from .tasks import send_invitation_email


def find_or_create_person(*, email: str, first_name: str = "", last_name: str = "") -> tuple[User, bool]:
    """The one account for this email address: an address already known (a parent at
    two schools, a teacher at two schools of a trust) is never given a second one.
    A new person cannot sign in until they accept an invitation."""
    email = email.strip().lower()
    user = User.objects.filter(email__iexact=email).first()
    if user is not None:
        return user, False
    user = User.objects.create_user(email=email, first_name=first_name, last_name=last_name, is_active=False)
    return user, True


def invite(*, email: str, target, invited_to: str, invited_by, request=None, school=None) -> Invitation:
    """Create a single-use invitation for `target` and email the link after commit.
    Any earlier invitation for the same target stops working."""
    now = timezone.now()
    content_type = ContentType.objects.get_for_model(target)
    Invitation.objects.filter(target_type=content_type, target_id=target.pk).pending().update(revoked_at=now)
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        email=email.strip().lower(),
        token_hash=hash_token(token),
        invited_by=invited_by,
        invited_to=invited_to,
        target_type=content_type,
        target_id=target.pk,
        expires_at=now + settings.INVITATION_VALID_FOR,
    )
    audit.record(
        action="invitation.sent",
        actor=invited_by,
        school=school,
        obj=invitation,
        request=request,
        summary=f"Invited {invitation.email} to {invited_to}",
    )
    link = settings.SITE_URL + reverse("accounts:invitation", args=[token])
    send_invitation_email.delay_on_commit(invitation.pk, link)
    return invitation


def invitation_for_token(token: str) -> Invitation | None:
    return Invitation.objects.filter(token_hash=hash_token(token)).first()


def invitation_problem(invitation: Invitation | None) -> str | None:
    """Why this invitation link cannot be used, in words for the person, or None."""
    if invitation is None:
        return "not_found"
    if invitation.accepted_at:
        return "used"
    if invitation.revoked_at:
        return "replaced"
    if invitation.is_expired:
        return "expired"
    return None


@transaction.atomic
def accept_invitation(*, invitation: Invitation, user: User, password: str | None = None, request=None) -> User:
    """Accept an invitation as `user`. A person new to the portal sets their password
    here, which proves they own the address and activates their account."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation_problem(invitation):
        raise ValidationError("This invitation link can no longer be used.")
    if user.email.lower() != invitation.email.lower():
        raise ValidationError(f"This invitation is for {invitation.email}.")
    if password is not None:
        user.set_password(password)
    if not user.has_usable_password():
        raise ValidationError("Choose a password to finish joining.")
    user.is_active = True
    user.save()
    EmailAddress.objects.update_or_create(
        user=user, email__iexact=user.email, defaults={"email": user.email, "verified": True, "primary": True}
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    invitation_accepted.send(sender=Invitation, invitation=invitation, user=user, request=request)
    return user


def revoke_invitations_for(*, targets) -> int:
    """Stop the pending invitations to any of these targets (all of one model), in
    one query however many there are."""
    if not targets:
        return 0
    content_type = ContentType.objects.get_for_model(targets[0])
    return (
        Invitation.objects.filter(target_type=content_type, target_id__in=[target.pk for target in targets])
        .pending()
        .update(revoked_at=timezone.now())
    )


def has_pending_invitation(*, target) -> bool:
    content_type = ContentType.objects.get_for_model(target)
    return Invitation.objects.filter(target_type=content_type, target_id=target.pk).pending().exists()
