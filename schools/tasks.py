from celery import shared_task

from . import services


@shared_task(acks_late=True)
def end_memberships_past_leaving_date():
    return services.end_memberships_past_leaving_date()


INVITATION_BATCH = 25


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_roster_invitations(roster_import_id: int):
    """Invite the people an import added, a batch at a time, so the office sees
    progress and a large import does not hold one task for minutes. Safe to run
    twice: someone who already has a live invitation is not sent another."""
    from django.db import transaction

    from accounts.services import has_pending_invitation

    from .models import Membership, RosterImport

    with transaction.atomic():
        roster_import = RosterImport.objects.select_for_update().get(pk=roster_import_id)
        start = roster_import.invitations_sent
        batch = roster_import.invite_membership_ids[start : start + INVITATION_BATCH]
        memberships = Membership.objects.filter(pk__in=batch, status=Membership.Status.INVITED).select_related(
            "user", "school"
        )
        for membership in memberships:
            if not has_pending_invitation(target=membership):
                services.invite(membership=membership, by=roster_import.applied_by)
        roster_import.invitations_sent = start + len(batch)
        roster_import.save(update_fields=["invitations_sent"])
        more = roster_import.invitations_sent < roster_import.invitations_total
    if more:
        send_roster_invitations.delay(roster_import_id)
