from celery import shared_task
from django.utils import timezone

from core.email import send_templated_email


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_invitation_email(invitation_id: int, link: str):
    from .models import Invitation
    from .services import invitation_problem

    invitation = Invitation.objects.select_related("invited_by").filter(pk=invitation_id).first()
    # A later invitation for the same place replaces this one, and a task delayed past
    # the expiry would only send a dead link.
    if invitation is None or invitation.email_sent_at or invitation_problem(invitation):
        return
    send_templated_email(
        to=[invitation.email],
        template="invitation",
        context={"invitation": invitation, "link": link},
    )
    Invitation.objects.filter(pk=invitation_id).update(email_sent_at=timezone.now())
