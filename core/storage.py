from django.conf import settings
from django.core.files.storage import FileSystemStorage


def private_storage():
    """Files no URL reaches (signed PDFs, evidence, scans): they are served only by
    views that check permission. A callable, so tests can point it elsewhere."""
    return FileSystemStorage(location=settings.PRIVATE_MEDIA_ROOT, base_url=None)
