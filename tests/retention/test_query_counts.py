"""The sweep and each disposal batch run a fixed number of queries, however many
records are due: compared at two sizes, never timed."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.roles import Role
from retention import services
from retention.models import Review
from tests.conftest import make_member
from tests.factories import GuardianshipFactory, PupilFactory

from .helpers import leaver_records, parents_form

AFTER_END = datetime.datetime(2033, 7, 21, 12, tzinfo=datetime.UTC)


@pytest.fixture
def make_leavers(school, head):
    form = parents_form(school, head)

    def make(n):
        with time_machine.travel(datetime.datetime(2026, 9, 10, 10, tzinfo=datetime.UTC), tick=False):
            for _ in range(n):
                pupil = PupilFactory(school=school)
                carer = make_member(school, Role.PARENT)
                GuardianshipFactory(pupil=pupil, carer=carer)
                leaver_records(school, head, carer, pupil, form=form)

    return make


def _sweep_queries(trust) -> int:
    with time_machine.travel(AFTER_END, tick=False), CaptureQueriesContext(connection) as queries:
        services.sweep_trust(trust)
    return len(queries.captured_queries)


def _batch_queries(trust, dpo) -> tuple[int, Review]:
    with time_machine.travel(AFTER_END, tick=False):
        review = services.sweep_trust(trust)
        Review.objects.filter(pk=review.pk).update(status="approved", approved_by=dpo, approved_at=AFTER_END)
        with CaptureQueriesContext(connection) as queries:
            assert services.dispose_batch(review.pk) is True
    return len(queries.captured_queries), review


def test_the_sweep_runs_the_same_queries_for_2_or_8_leavers(trust, school, make_leavers):
    make_leavers(2)
    _sweep_queries(trust)  # each measured sweep then replaces a review nobody approved
    few = _sweep_queries(trust)
    make_leavers(6)
    assert _sweep_queries(trust) == few


def test_a_disposal_batch_runs_the_same_queries_for_2_or_8_leavers(trust, school, make_leavers, trust_officer):
    make_leavers(2)
    few, review = _batch_queries(trust, trust_officer)
    assert review.destructions.count() == 2
    while services.dispose_batch(review.pk):  # finish it, so the next sweep may run
        pass
    make_leavers(6)
    many, review = _batch_queries(trust, trust_officer)
    assert sum(review.destructions.values_list("count", flat=True)) == 12  # 6 agreements, 6 consent records
    assert many == few


def test_a_batch_is_bounded(trust, school, make_leavers, trust_officer, monkeypatch):
    monkeypatch.setattr(services, "BATCH_SIZE", 3)
    make_leavers(4)  # 8 records: batches of 3, 3 and 2
    with time_machine.travel(AFTER_END, tick=False):
        review = services.sweep_trust(trust)
        Review.objects.filter(pk=review.pk).update(status="approved", approved_by=trust_officer, approved_at=AFTER_END)
        batches = 0
        while services.dispose_batch(review.pk):
            batches += 1
    assert batches == 3
    review.refresh_from_db()
    assert review.status == Review.Status.DONE
    assert sum(review.destructions.values_list("count", flat=True)) == 8
