"""An incident's safeguarding flag and its pupils change only through its chronology:
each change is a new, permanent entry. The database refuses a change in place that no
entry records, even from the app's own database role."""

import pytest
from django.db import DatabaseError, connection, transaction

from incidents import services
from tests.factories import PupilFactory

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="the triggers exist only on PostgreSQL")


def refused(change, match):
    with pytest.raises(DatabaseError, match=match), transaction.atomic():
        change()


def test_the_safeguarding_flag_cannot_be_set_or_cleared_in_place(incident, flagged):
    from incidents.models import Incident

    refused(lambda: Incident.objects.filter(pk=incident.pk).update(safeguarding=True), "safeguarding flag")
    refused(lambda: Incident.objects.filter(pk=flagged.pk).update(safeguarding=False), "safeguarding flag")
    assert Incident.objects.get(pk=incident.pk).safeguarding is False
    assert Incident.objects.get(pk=flagged.pk).safeguarding is True


def test_a_pupil_cannot_be_linked_or_unlinked_in_place(school, incident, pupil, school_class):
    stranger = PupilFactory(school=school, school_class=school_class)
    refused(lambda: incident.pupils.add(stranger), "pupils change only by an entry")
    refused(lambda: incident.pupils.remove(pupil), "pupils change only by an entry")
    assert list(incident.pupils.all()) == [pupil]


def test_triage_changes_the_flag_and_the_pupils_with_an_entry_that_records_them(
    school, head, incident, pupil, school_class
):
    another = PupilFactory(school=school, school_class=school_class)
    services.triage(incident=incident, by=head, severity="high", safeguarding=True, pupils=[another])
    incident.refresh_from_db()
    assert incident.safeguarding is True
    assert list(incident.pupils.all()) == [another]
    entry = incident.entries.filter(kind="triage").latest("id")
    assert entry.data["safeguarding"] is True and entry.data["pupil_ids"] == [another.pk]
    # And back again, as a second entry.
    services.triage(incident=incident, by=head, severity="low", safeguarding=False, pupils=[pupil, another])
    incident.refresh_from_db()
    assert incident.safeguarding is False
    assert set(incident.pupils.all()) == {pupil, another}
    assert incident.entries.filter(kind="triage").count() == 2
