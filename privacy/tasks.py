from celery import shared_task

from . import exports


@shared_task(acks_late=True)
def build_subject_access_export(export_id: int):
    exports.build(export_id)


@shared_task(acks_late=True)
def remove_expired_subject_access_exports():
    return exports.remove_expired()
