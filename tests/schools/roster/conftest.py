import pytest


@pytest.fixture(autouse=True)
def _no_leaving_guard_unless_asked(settings):
    """These tests import into schools of a handful of pupils, where one leaver is more
    than the 10 % that makes a file need an extra confirmation: the guard is switched
    off here, and test_leaving_guard.py switches it on to test it."""
    settings.ROSTER_LEAVING_WARNING_SHARE = 1.0
