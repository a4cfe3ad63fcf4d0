"""A heading the portal does not know is mapped once, on the page, and remembered for
the school's next files (and only that school's)."""

import pytest

from core.roles import Role
from schools.models import ColumnMapping, Pupil, RosterImport
from schools.roster import services as roster
from tests.conftest import make_member

from .exports import autumn_pupils, sims_pupils
from .helpers import csv_upload, import_file, section, text

UNFAMILIAR = {"Legal Surname": "Pupil Surname (Legal)", "DOB": "Birthday"}


def unfamiliar_export() -> bytes:
    return sims_pupils(autumn_pupils(), rename=UNFAMILIAR)


def upload(browser, school, content, kind="pupils") -> RosterImport:
    response = browser.post(f"/s/{school.slug}/import/", {"kind": kind, "file": csv_upload(content)})
    assert response.status_code == 302
    return RosterImport.objects.filter(school=school).first()


def column_fields(response) -> dict[str, str]:
    """The mapping form's select for each heading: {heading: field name}."""
    form = response.context["column_form"]
    return {heading: name for name, heading in form.headings.items()}


def test_an_unfamiliar_heading_for_a_required_field_asks_which_column_is_which(client_for, school, office):
    browser = client_for(office)
    roster_import = upload(browser, school, unfamiliar_export())

    page = browser.get(f"/s/{school.slug}/import/{roster_import.pk}/")

    assert page.status_code == 200
    shown = text(page)
    assert "Which column is which?" in shown
    assert "Surname" in shown.split("We could not find a column for:")[1][:40]
    assert set(column_fields(page)) == {"Pupil Surname (Legal)", "Birthday"}
    assert f'action="/s/{school.slug}/import/{roster_import.pk}/columns/"' in page.content.decode()
    assert page.context["run"].plan is None
    assert f"/s/{school.slug}/import/{roster_import.pk}/apply/" not in page.content.decode()


def test_after_mapping_the_columns_the_dry_run_and_the_import_work(client_for, school, office):
    browser = client_for(office)
    roster_import = upload(browser, school, unfamiliar_export())
    fields = column_fields(browser.get(f"/s/{school.slug}/import/{roster_import.pk}/"))

    saved = browser.post(
        f"/s/{school.slug}/import/{roster_import.pk}/columns/",
        {fields["Pupil Surname (Legal)"]: "last_name", fields["Birthday"]: "date_of_birth"},
    )

    assert saved.status_code == 302
    page = browser.get(saved["Location"])
    assert page.context["run"].columns.complete and page.context["run"].columns.unknown == []
    assert "Zoë Adeyemi" in section(page, "adds")
    applied = browser.post(f"/s/{school.slug}/import/{roster_import.pk}/apply/")
    assert applied.status_code == 302
    assert sorted(Pupil.objects.filter(school=school).values_list("last_name", flat=True)) == [
        "Adeyemi",
        "Brown",
        "O'Connor",
        "Patel",
    ]
    assert Pupil.objects.get(school=school, first_name="Zoë").date_of_birth is not None


def test_a_column_can_be_ignored_and_stays_ignored(client_for, school, office):
    browser = client_for(office)
    export = sims_pupils(autumn_pupils(), rename={"DOB": "Gender"})
    roster_import = upload(browser, school, export)
    fields = column_fields(browser.get(f"/s/{school.slug}/import/{roster_import.pk}/"))

    browser.post(f"/s/{school.slug}/import/{roster_import.pk}/columns/", {fields["Gender"]: ""})

    assert ColumnMapping.objects.get(school=school, kind="pupils").field == ""
    next_file = upload(browser, school, export)
    page = browser.get(f"/s/{school.slug}/import/{next_file.pk}/")
    assert "column_form" not in page.context
    assert page.context["run"].plan.counts["added"] == 4


def test_the_mapping_is_remembered_for_the_schools_next_file(school, office):
    first = roster.check_upload(school=school, kind="pupils", upload=csv_upload(unfamiliar_export()), by=office)
    roster.map_columns(
        roster_import=first, choices={"Pupil Surname (Legal)": "last_name", "Birthday": "date_of_birth"}, by=office
    )
    roster.apply_import(roster_import=first, by=office)

    next_term = roster.check_upload(school=school, kind="pupils", upload=csv_upload(unfamiliar_export()), by=office)
    run = roster.dry_run(next_term)

    assert run.columns.unknown == [] and run.columns.complete
    assert run.columns.columns["last_name"] == "Pupil Surname (Legal)"
    assert run.plan.counts == {"added": 0, "updated": 0, "unchanged": 4, "left": 0, "skipped": 0}


def test_one_schools_mapping_is_not_used_for_another_school(client_for, school, sister_school, office):
    first = roster.check_upload(school=school, kind="pupils", upload=csv_upload(unfamiliar_export()), by=office)
    roster.map_columns(roster_import=first, choices={"Pupil Surname (Legal)": "last_name"}, by=office)
    sister_office = make_member(sister_school, Role.OFFICE)
    browser = client_for(sister_office)

    theirs = upload(browser, sister_school, unfamiliar_export())
    page = browser.get(f"/s/{sister_school.slug}/import/{theirs.pk}/")

    assert page.context["run"].plan is None
    assert "Pupil Surname (Legal)" in column_fields(page)
    assert not ColumnMapping.objects.filter(school=sister_school).exists()


def test_a_mapping_for_pupils_is_not_used_for_a_staff_file(school, office):
    first = roster.check_upload(school=school, kind="pupils", upload=csv_upload(unfamiliar_export()), by=office)
    roster.map_columns(roster_import=first, choices={"Pupil Surname (Legal)": "last_name"}, by=office)
    staff = b"Pupil Surname (Legal),First Name,Email\r\nShah,Priya,p.shah@oakfield.example.org\r\n"

    run = roster.dry_run(roster.check_upload(school=school, kind="staff", upload=csv_upload(staff), by=office))

    assert run.columns.unknown == ["Pupil Surname (Legal)"]
    assert run.plan is None


def test_a_field_that_is_not_on_the_list_is_refused(client_for, school, office):
    browser = client_for(office)
    roster_import = upload(browser, school, unfamiliar_export())
    fields = column_fields(browser.get(f"/s/{school.slug}/import/{roster_import.pk}/"))

    response = browser.post(
        f"/s/{school.slug}/import/{roster_import.pk}/columns/", {fields["Pupil Surname (Legal)"]: "is_superuser"}
    )

    assert response.status_code == 400
    assert not ColumnMapping.objects.exists()


def test_the_service_refuses_a_field_that_is_not_on_the_list(school, office):
    from django.core.exceptions import ValidationError

    first = roster.check_upload(school=school, kind="pupils", upload=csv_upload(unfamiliar_export()), by=office)

    with pytest.raises(ValidationError):
        roster.map_columns(roster_import=first, choices={"Pupil Surname (Legal)": "email"}, by=office)
    assert not ColumnMapping.objects.exists()


def test_the_columns_of_an_import_already_applied_cannot_be_mapped(client_for, school, office):
    import_file(school, "pupils", sims_pupils(autumn_pupils()), by=office)
    applied = RosterImport.objects.get(school=school)

    response = client_for(office).post(
        f"/s/{school.slug}/import/{applied.pk}/columns/", {"column_0": "last_name"}, follow=True
    )

    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == ["This file has already been imported."]
    assert not ColumnMapping.objects.exists()
