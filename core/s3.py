"""Files on S3-compatible object storage (AWS S3, MinIO, Ceph, Scaleway, OVH...), used
when AWS_STORAGE_BUCKET_NAME is set (config/settings.py). Imported only then, so a
machine with local files never loads boto3."""

from django.core.exceptions import ImproperlyConfigured
from storages.backends.s3 import S3Storage

from .storage import NO_URL

# Read back into memory up to this size, then into a temporary file: a 10 MB scan
# downloaded by many people at once does not sit in the web process's memory.
MAX_MEMORY_SIZE = 1024 * 1024


class PrivateS3Storage(S3Storage):
    """A private bucket, for both private and default media: the portal serves every
    file through a view that checks permission, so none of them has a URL.

    - No ACL is sent with an upload: objects take the bucket's own, which must be
      private (block public access). A public-read ACL is never asked for.
    - Names are not overwritten: a second file of the same name gets a suffix, as on
      disk. Unlike on disk the check is not atomic (object storage has no
      create-if-absent), so the PDF tasks, which may race, give each run a name of
      its own and delete only that.
    """

    def get_default_settings(self):
        return {
            **super().get_default_settings(),
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": 60,
            "file_overwrite": False,
            "max_memory_size": MAX_MEMORY_SIZE,
        }

    def __init__(self, **settings):
        super().__init__(**settings)
        if self.default_acl and "public" in self.default_acl:
            raise ImproperlyConfigured("Private files are never uploaded with a public ACL.")

    def url(self, name, parameters=None, expire=None, http_method=None):
        raise ValueError(NO_URL)
