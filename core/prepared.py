"""Long downloads made by the worker (core.models.PreparedFile): a printed list of a
whole school takes minutes and a few hundred megabytes to render in one go, so the
page asks for it, the worker makes it in parts and counts its progress, and the page
polls until a download link appears.

The file is private: only the person who asked for it, in the school it was asked
in, sees its progress or downloads it (404 for anyone else), and the download leaves
through core.downloads (no-store, audited) like every other file of personal data."""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from . import downloads
from .models import PreparedFile


def request_file(*, request, kind: str, title: str, params: dict, back_url: str, task) -> PreparedFile:
    """Record what to make and queue `task(prepared_file_id)` once committed."""
    with transaction.atomic():
        prepared = PreparedFile.objects.create(
            school=request.school,
            requested_by=request.user,
            kind=kind,
            title=title,
            params=params,
            back_url=back_url,
        )
        transaction.on_commit(lambda: task.delay(prepared.pk))
    return prepared


def prepared_for(request, prepared_id: int, *, kind: str) -> PreparedFile:
    """The file the person asked for in this school, or 404."""
    prepared = PreparedFile.objects.filter(
        pk=prepared_id, school=request.school, requested_by=request.user, kind=kind
    ).first()
    if prepared is None:
        raise Http404("No such file.")
    return prepared


def started(prepared: PreparedFile, *, total: int) -> None:
    PreparedFile.objects.filter(pk=prepared.pk).update(status=PreparedFile.Status.WORKING, total=total, done=0)
    prepared.status, prepared.total, prepared.done = PreparedFile.Status.WORKING, total, 0


def advanced(prepared: PreparedFile, *, done: int) -> None:
    """Count progress (its own short write, so the polling page sees it at once)."""
    PreparedFile.objects.filter(pk=prepared.pk).update(done=done)
    prepared.done = done


def finished(prepared: PreparedFile, *, content: bytes, filename: str) -> None:
    prepared.file.save(filename, ContentFile(content), save=False)
    prepared.filename = filename
    prepared.status = PreparedFile.Status.READY
    prepared.done = prepared.total
    prepared.finished_at = timezone.now()
    prepared.save(update_fields=["file", "filename", "status", "done", "finished_at"])


def failed(prepared: PreparedFile) -> None:
    PreparedFile.objects.filter(pk=prepared.pk).update(status=PreparedFile.Status.FAILED, finished_at=timezone.now())


def download(request, prepared: PreparedFile, *, content_type: str, action: str, summary: str, obj=None):
    """The finished file as a private, audited download; 404 until it is ready."""
    if prepared.status != PreparedFile.Status.READY or not prepared.file:
        raise Http404("Not ready yet.")
    return downloads.file_response(
        request,
        prepared.file.open("rb"),
        filename=prepared.filename,
        content_type=content_type,
        action=action,
        summary=summary,
        obj=obj,
        data={"format": "pdf", "prepared_file": prepared.pk},
    )
