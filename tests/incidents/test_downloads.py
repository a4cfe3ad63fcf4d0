"""Downloads of the incident log: the governors' termly summary (PDF), an incident's
record (PDF) and its evidence. Each is private and audited; the summary's line names
no one and no incident."""

import pytest
from django.urls import reverse

from tests.downloads import assert_private_and_audited


def governors_summary(get):
    get("incident")
    school = get("school")
    return get("governor"), reverse("incidents:summary_pdf", args=[school.slug]), "incident.summary_downloaded", None


def incident_record(get):
    flagged = get("flagged")
    url = reverse("incidents:record_pdf", args=[flagged.school.slug, flagged.pk])
    return get("dsl"), url, "incident.exported", flagged


def incident_evidence(get):
    incident = get("incident")
    url = reverse("incidents:evidence", args=[incident.school.slug, incident.pk, incident.evidence.get().pk])
    return get("dsl"), url, "incident.evidence_viewed", incident


DOWNLOADS = [governors_summary, incident_record, incident_evidence]


@pytest.mark.parametrize("download", DOWNLOADS, ids=lambda d: d.__name__)
def test_each_download_is_kept_from_caches_and_written_to_the_audit_log(download, request, client_for, school):
    actor, url, action, obj = download(request.getfixturevalue)

    response = client_for(actor).get(url)

    event = assert_private_and_audited(
        response, actor=actor, action=action, school=school, obj=obj, names=("Quentin", "Zabrowski", "Amelia", "Khan")
    )
    if obj is None:
        assert "INC-" not in event.summary
