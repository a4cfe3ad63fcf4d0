from django.dispatch import receiver

from accounts.signals import invitation_accepted

from . import services
from .models import Membership


@receiver(invitation_accepted)
def activate_membership(sender, invitation, user, request=None, **kwargs):
    if isinstance(invitation.target, Membership):
        services.activate_membership_from_invitation(membership=invitation.target, user=user, request=request)
