import pytest


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    """Signed PDFs and scans made by these tests go to a folder of their own."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.MEDIA_ROOT = tmp_path / "media"
