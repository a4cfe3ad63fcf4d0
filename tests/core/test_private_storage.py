import pytest
from django.core.files.base import ContentFile

from core.storage import private_storage


def test_private_storage_follows_the_setting_each_time(settings, tmp_path):
    storage = private_storage()
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "one"
    storage.save("a.txt", ContentFile(b"x"))
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "two"
    storage.save("b.txt", ContentFile(b"y"))

    assert (tmp_path / "one" / "a.txt").exists()
    assert (tmp_path / "two" / "b.txt").exists()
    with pytest.raises(ValueError, match="no URL"):
        storage.url("a.txt")
