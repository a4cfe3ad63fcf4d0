import datetime

import pytest

from aup import services
from aup.models import Audience


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def draft(school, head):
    """Version 1 of an ICT policy, a draft with the starting staff and KS2 forms, its
    text, review date and person responsible filled in (ready for approval)."""
    from tests.policy_helpers import complete_version

    version = services.create_policy(
        school=school, title="ICT acceptable use", kind="ict_aup", audiences=[Audience.STAFF, Audience.KS2], by=head
    )
    return complete_version(version, head)


def approve_and_publish(version, by):
    from tests.policy_helpers import complete_version

    complete_version(version, by)
    services.approve(version=version, approved_on=datetime.date(2026, 9, 10), chair="Ruth Lee", head="Sam Cole", by=by)
    return services.publish(version=version, by=by)


@pytest.fixture
def published(draft, head):
    return approve_and_publish(draft, head)
