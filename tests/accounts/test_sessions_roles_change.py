import datetime

import time_machine
from django.conf import settings
from django.utils import timezone

from core.roles import Role
from schools.models import Membership, MembershipRole


def test_a_teacher_made_dsl_mid_session_gets_the_short_idle_timeout(client_for, teacher, school):
    from tests.conftest import give_mfa

    give_mfa(teacher)
    client = client_for(teacher)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        assert client.get("/home/").status_code == 200
    MembershipRole.objects.create(membership=Membership.objects.get(user=teacher, school=school), role=Role.DSL)
    # The next request after the idle clock is saved again (at most once a
    # SESSION_ACTIVITY_RESOLUTION) notices the new role...
    saved_again = start + settings.SESSION_ACTIVITY_RESOLUTION + datetime.timedelta(seconds=1)
    with time_machine.travel(saved_again, tick=False):
        assert client.get("/home/").status_code == 200
    # ...so 31 idle minutes later the session has ended.
    with time_machine.travel(saved_again + datetime.timedelta(minutes=31), tick=False):
        response = client.get("/home/")

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
