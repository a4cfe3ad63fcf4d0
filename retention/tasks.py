"""The retention schedule's background work: the nightly sweep (beat) and the
disposal of an approved review, one bounded batch per task."""

from celery import shared_task

from . import services


@shared_task(acks_late=True, ignore_result=True)
def sweep_retention():
    """Nightly: put what has reached the end of its rule on each trust's review list,
    and take up again any approved disposal that stopped (a batch that failed)."""
    from .models import Review

    for review_id in Review.objects.filter(status=Review.Status.APPROVED).values_list("pk", flat=True):
        dispose_review_batch.delay(review_id)
    services.sweep_all()


@shared_task(acks_late=True, ignore_result=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=8)
def dispose_review_batch(review_id: int):
    """Destroy one batch of an approved review, then queue the next: each batch is its
    own short transaction, and a worker that dies mid-way leaves the rest queued."""
    if services.dispose_batch(review_id):
        dispose_review_batch.delay(review_id)
