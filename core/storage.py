import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage


class PrivateStorage(FileSystemStorage):
    """Files no URL reaches (signed PDFs, evidence, scans): they are served only by
    views that check permission. The folder is read from the settings each time, so
    a test (or a deployment's settings) can point it elsewhere."""

    def __init__(self):
        super().__init__(base_url=None)

    @property
    def base_location(self):
        return settings.PRIVATE_MEDIA_ROOT

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError("Private files have no URL: serve them through a view that checks permission.")


def private_storage():
    return PrivateStorage()
