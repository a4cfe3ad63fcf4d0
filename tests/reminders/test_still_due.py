"""The done checks: each kind of reminder says for itself whether it is still needed."""

import pytest

from reminders import still_due
from reminders.models import ReminderItem

pytestmark = pytest.mark.django_db
Kind = ReminderItem.Kind


def test_the_signature_check_is_registered_for_signatures():
    assert still_due._CHECKS[Kind.SIGNATURE] is still_due.signed_meanwhile


def test_done_meanwhile_asks_each_kinds_check_only_about_its_own_items(monkeypatch, teacher):
    monkeypatch.setattr(still_due, "_CHECKS", dict(still_due._CHECKS))
    seen = []

    @still_due.done_check("test_kind")
    def check(items, recipient):
        seen.append(([i.pk for i in items], recipient))
        return {items[0].pk}

    mine = [ReminderItem(pk=1, kind="test_kind", subject_key="x:1"), ReminderItem(pk=2, kind="test_kind")]
    other = ReminderItem(pk=3, kind=Kind.DIGEST, subject_key="digest:1")
    assert still_due.done_meanwhile([mine[0], other, mine[1]], teacher) == {1}
    assert seen == [([1, 2], teacher)]


def test_a_kind_has_one_check(monkeypatch):
    monkeypatch.setattr(still_due, "_CHECKS", dict(still_due._CHECKS))
    with pytest.raises(ValueError, match="already registered"):
        still_due.done_check(Kind.SIGNATURE)(lambda items, recipient: set())
