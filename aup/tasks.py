from celery import shared_task


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=8)
def render_approval_pdf(version_id: int):
    """Make the signed approval PDF for the signatures so far (aup.approval_signing)."""
    from .approval_signing.services import make_approval_documents

    make_approval_documents(version_id)
