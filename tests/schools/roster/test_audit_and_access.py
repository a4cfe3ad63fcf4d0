"""Every import is recorded; only the office and leaders of the school itself can
import; a file is applied once."""

import datetime
import hashlib

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.models import AuditEvent
from core.roles import Role
from schools.models import Pupil, RosterImport
from schools.roster import services as roster
from tests.conftest import make_member

from .exports import autumn_pupils, sims_pupils
from .helpers import check, csv_upload, everything, import_file


def messages_on(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_an_applied_import_is_in_the_audit_log_with_who_when_the_file_hash_and_the_counts(school, office):
    export = sims_pupils([*autumn_pupils(), {**autumn_pupils()[0], "upn": "not-a-upn", "mis_id": "77"}])
    roster_import = check(school, "pupils", export, by=office, name="SIMS pupils autumn.csv")
    started = timezone.now()

    roster.apply_import(roster_import=roster_import, by=office)

    event = AuditEvent.objects.get(action="roster.imported")
    assert event.actor == office
    assert event.school == school
    assert started <= event.created_at <= timezone.now()
    assert (event.object_type, event.object_id) == ("schools.rosterimport", str(roster_import.pk))
    assert event.data["sha256"] == hashlib.sha256(export).hexdigest()
    assert event.data["counts"] == {"added": 4, "updated": 0, "unchanged": 0, "left": 0, "skipped": 1}
    assert "SIMS pupils autumn.csv" in event.summary and "4 added" in event.summary
    roster_import.refresh_from_db()
    assert roster_import.status == RosterImport.Status.APPLIED
    assert (roster_import.applied_by, roster_import.counts) == (office, event.data["counts"])
    assert started <= roster_import.applied_at <= timezone.now()
    assert roster_import.file_sha256 == event.data["sha256"]
    assert roster_import.content == "", "the names live in their tables, not in a copy of the file"


def test_checking_a_file_is_recorded_with_its_hash_and_nothing_else_is(school, office):
    export = sims_pupils(autumn_pupils())

    roster_import = check(school, "pupils", export, by=office)

    [event] = AuditEvent.objects.all()
    assert (event.action, event.actor, event.school) == ("roster.checked", office, school)
    assert event.data == {"sha256": hashlib.sha256(export).hexdigest()}
    assert event.object_id == str(roster_import.pk)


def test_the_head_finds_the_import_in_the_schools_audit_log(client_for, school, office, head):
    import_file(school, "pupils", sims_pupils(autumn_pupils()), by=office)

    page = client_for(head).get(f"/s/{school.slug}/audit/", {"action": "roster"})

    assert page.status_code == 200
    assert "roster.imported" in {e.action for e in page.context["page"]}


@pytest.mark.parametrize("role", [Role.HEADTEACHER, Role.DEPUTY, Role.BUSINESS_MANAGER, Role.OFFICE])
def test_leaders_the_business_manager_and_the_office_can_import(client_for, school, role):
    person = make_member(school, role)

    response = client_for(person).get(f"/s/{school.slug}/import/")

    assert response.status_code == 200


@pytest.mark.parametrize("role", [Role.TEACHER, Role.DSL, Role.SUPPORT_STAFF, Role.GOVERNOR, Role.ICT_MANAGER])
def test_other_staff_get_not_found_for_the_import_pages(client_for, school, office, role):
    roster_import = check(school, "pupils", sims_pupils(autumn_pupils()), by=office)
    person = make_member(school, role)
    browser = client_for(person)
    before = everything()

    assert browser.get(f"/s/{school.slug}/import/").status_code == 404
    assert browser.post(f"/s/{school.slug}/import/", {"kind": "pupils", "file": csv_upload(sims_pupils(autumn_pupils()))}).status_code == 404  # fmt: skip
    assert browser.get(f"/s/{school.slug}/import/{roster_import.pk}/").status_code == 404
    assert browser.post(f"/s/{school.slug}/import/{roster_import.pk}/apply/").status_code == 404

    assert everything() == before


def test_a_teacher_gets_not_found_on_the_import_page(client_for, school, teacher):
    assert client_for(teacher).get(f"/s/{school.slug}/import/").status_code == 404


def test_the_office_of_another_school_can_neither_open_nor_apply_this_schools_import(
    client_for, school, other_school, office
):
    roster_import = check(school, "pupils", sims_pupils(autumn_pupils()), by=office)
    their_office = make_member(other_school, Role.OFFICE)
    browser = client_for(their_office)
    before = everything()

    for path in ("", "columns/", "apply/", "progress/"):
        # By its id under their own school...
        theirs = f"/s/{other_school.slug}/import/{roster_import.pk}/{path}"
        response = browser.post(theirs) if path in ("columns/", "apply/") else browser.get(theirs)
        assert response.status_code == 404, theirs
        # ...or under ours.
        ours = f"/s/{school.slug}/import/{roster_import.pk}/{path}"
        response = browser.post(ours) if path in ("columns/", "apply/") else browser.get(ours)
        assert response.status_code == 404, ours

    assert everything() == before
    roster_import.refresh_from_db()
    assert roster_import.status == RosterImport.Status.CHECKED
    assert not Pupil.objects.exists()


def test_the_earlier_imports_list_shows_only_this_schools_files(client_for, school, sister_school, office):
    import_file(school, "pupils", sims_pupils(autumn_pupils()), by=office, name="ours.csv")
    sister_office = make_member(sister_school, Role.OFFICE)
    import_file(sister_school, "pupils", sims_pupils(autumn_pupils()), by=sister_office, name="theirs.csv")

    page = client_for(office).get(f"/s/{school.slug}/import/")

    assert [i.file_name for i in page.context["history"]] == ["ours.csv"]
    assert "theirs.csv" not in page.content.decode()


def test_the_office_applies_a_file_from_the_page_and_sees_what_it_did(client_for, school, office):
    roster_import = check(school, "pupils", sims_pupils(autumn_pupils()), by=office)

    response = client_for(office).post(f"/s/{school.slug}/import/{roster_import.pk}/apply/", follow=True)

    assert response.status_code == 200
    assert messages_on(response) == ["Imported: 4 added, 0 updated, 0 marked as left."]
    assert Pupil.objects.filter(school=school).count() == 4
    assert f"/s/{school.slug}/pupils/" in response.content.decode()


def test_applying_a_file_twice_is_refused_with_a_clear_message(client_for, school, office):
    roster_import = check(school, "pupils", sims_pupils(autumn_pupils()), by=office)
    browser = client_for(office)
    browser.post(f"/s/{school.slug}/import/{roster_import.pk}/apply/", follow=True)
    before = everything()

    response = browser.post(f"/s/{school.slug}/import/{roster_import.pk}/apply/", follow=True)

    assert response.status_code == 200
    assert messages_on(response) == ["This file has already been imported."]
    assert everything() == before
    assert AuditEvent.objects.filter(action="roster.imported").count() == 1


def test_the_service_refuses_to_apply_a_file_twice(school, office):
    roster_import = check(school, "pupils", sims_pupils(autumn_pupils()), by=office)
    roster.apply_import(roster_import=roster_import, by=office)

    with pytest.raises(ValidationError, match="already been imported"):
        roster.apply_import(roster_import=roster_import, by=office)
    assert Pupil.objects.count() == 4


def test_a_file_with_columns_still_to_map_cannot_be_applied(client_for, school, office):
    export = sims_pupils(autumn_pupils(), rename={"Legal Surname": "Pupil Surname (Legal)"})
    roster_import = check(school, "pupils", export, by=office)

    response = client_for(office).post(f"/s/{school.slug}/import/{roster_import.pk}/apply/", follow=True)

    assert messages_on(response) == ["Some columns are not matched yet."]
    assert not Pupil.objects.exists()
    roster_import.refresh_from_db()
    assert roster_import.status == RosterImport.Status.CHECKED


def test_an_import_reflects_the_database_when_it_is_confirmed_not_when_it_was_checked(school, office):
    roster_import = check(school, "pupils", sims_pupils(autumn_pupils()), by=office)
    import_file(school, "pupils", sims_pupils(autumn_pupils()[:2]), by=office)

    plan = roster.apply_import(roster_import=roster_import, by=office)

    assert plan.counts["added"] == 2 and plan.counts["unchanged"] == 2
    assert Pupil.objects.filter(school=school).count() == 4


def test_the_import_date_is_todays_date_in_the_schools_time_zone(school, office, time_machine):
    import_file(school, "pupils", sims_pupils(autumn_pupils()), by=office)
    time_machine.move_to(datetime.datetime(2027, 7, 23, 23, 30, tzinfo=datetime.UTC))  # 00:30 in London

    import_file(school, "pupils", sims_pupils(autumn_pupils()[:3]), by=office)

    assert Pupil.objects.get(first_name="Isla").leaving_date == datetime.date(2027, 7, 24)
