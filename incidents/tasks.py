"""Telling the DSL and the e-safety lead of a new incident, at once and exactly once."""

import logging
import smtplib

from celery import shared_task
from django.db import IntegrityError, transaction

from core.email import send_templated_email
from core.roles import Role
from schools.models import Membership

from .models import Incident, IncidentNotification

logger = logging.getLogger(__name__)

# Who is told of every new incident: the DSL and the e-safety lead; the head when the
# school has neither.
NOTIFIED_ROLES = (Role.DSL, Role.DEPUTY_DSL, Role.ESAFETY_LEAD)


def recipients(incident):
    people = Membership.objects.active().with_role(*NOTIFIED_ROLES).filter(school_id=incident.school_id)
    if not people.exists():
        people = Membership.objects.active().with_role(Role.HEADTEACHER).filter(school_id=incident.school_id)
    return [m.user for m in people.select_related("user").order_by("user__last_name", "user_id") if m.user.email]


@shared_task(
    acks_late=True,
    autoretry_for=(OSError, smtplib.SMTPException),
    retry_backoff=60,
    retry_backoff_max=30 * 60,
    retry_jitter=True,
    max_retries=8,
)
def notify_incident_reported(incident_id: int):
    """Email each person once. The notification row is written in the same
    transaction as the email is sent: a second run (retry, redelivery) finds it and
    skips that person; a failed send rolls it back so the retry sends."""
    incident = Incident.objects.select_related("school").filter(pk=incident_id).first()
    if incident is None:
        return
    involved = set(incident.staff.values_list("user_id", flat=True))
    for user in recipients(incident):
        if user.pk == incident.reported_by_id or user.pk in involved:
            continue  # the reporter knows; a member of staff it may be about is not told
        try:
            with transaction.atomic():
                IncidentNotification.objects.create(incident=incident, recipient=user)
                _send(incident, user)
        except IntegrityError:
            continue  # already told


def _send(incident, user):
    # No names and no details in an email: only the reference and a link.
    send_templated_email(
        to=[user.email],
        template="incident_reported",
        context={"incident": incident, "school": incident.school, "recipient": user},
    )
    logger.info("Told user %s of incident %s", user.pk, incident.pk)
