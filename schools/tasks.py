from celery import shared_task

from . import services


@shared_task(acks_late=True)
def end_memberships_past_leaving_date():
    return services.end_memberships_past_leaving_date()
