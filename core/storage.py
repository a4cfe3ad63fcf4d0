"""Where uploaded and generated files live.

Private files (signed PDFs, paper scans, incident evidence, consent documents, photos,
disposal certificates, policy documents) are kept in the storage named "private" in
`settings.STORAGES`: a folder on this machine by default (PRIVATE_MEDIA_ROOT), or a
private bucket of S3-compatible object storage when AWS_STORAGE_BUCKET_NAME is set
(core.s3). Either way they have no URL: they are read back with `storage.open()` and
sent by views that check permission (core.downloads), never by a link to the file.
"""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.core.signals import setting_changed
from django.utils.functional import LazyObject, empty

PRIVATE_STORAGE_ALIAS = "private"
NO_URL = "Private files have no URL: serve them through a view that checks permission."


class PrivateStorage(FileSystemStorage):
    """Private files on this machine. The folder is read from the settings each time,
    so a test (or a deployment's settings) can point it elsewhere."""

    def __init__(self, **kwargs):
        super().__init__(base_url=None)

    @property
    def base_location(self):
        return settings.PRIVATE_MEDIA_ROOT

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError(NO_URL)


class _PrivateStorageProxy(LazyObject):
    """The "private" storage of the settings, looked up when first used (and again
    after a test changes STORAGES), as Django's `default_storage` is for "default".
    Model fields hold this one object, so they follow the settings too."""

    def _setup(self):
        if PRIVATE_STORAGE_ALIAS in settings.STORAGES:
            self._wrapped = storages[PRIVATE_STORAGE_ALIAS]
        else:  # settings that predate the alias keep private files on this machine
            self._wrapped = PrivateStorage()


_private = _PrivateStorageProxy()


def private_storage():
    return _private


def _storages_changed(*, setting, **kwargs):
    if setting == "STORAGES":
        _private._wrapped = empty


setting_changed.connect(_storages_changed)
