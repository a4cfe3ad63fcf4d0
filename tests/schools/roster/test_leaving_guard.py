"""A file that would mark more than a set share (10 %) of the school's current pupils,
staff or carers as leaving: the check leads with a warning naming the numbers, and
applying it needs an extra tick for that very number of leavers; without it nothing
changes."""

import pytest
from django.urls import reverse

from core.models import AuditEvent
from schools.models import Pupil, RosterImport
from schools.roster import guard
from schools.roster import services as roster

from .exports import autumn_staff, pupil, sims_pupils, sims_staff
from .helpers import check, everything, import_file, text


@pytest.fixture(autouse=True)
def _guard_at_ten_percent(settings):
    settings.ROSTER_LEAVING_WARNING_SHARE = 0.10


def whole_school(count=20) -> list[dict]:
    return [pupil(n, f"Child{n}", f"Family{n}", "3", "Hazel") for n in range(1, count + 1)]


@pytest.fixture
def twenty_pupils(school, office, settings):
    settings.ROSTER_LEAVING_WARNING_SHARE = 1.0  # the first file brings them all in
    import_file(school, "pupils", sims_pupils(whole_school()), by=office)
    settings.ROSTER_LEAVING_WARNING_SHARE = 0.10
    assert Pupil.objects.filter(school=school, leaving_date__isnull=True).count() == 20


def detail_url(school, roster_import):
    return reverse("schools:import", args=[school.slug, roster_import.pk])


def apply_url(school, roster_import):
    return reverse("schools:import_apply", args=[school.slug, roster_import.pk])


def test_a_three_pupil_file_leads_with_a_warning_naming_the_numbers(school, office, client_for, twenty_pupils):
    partial = check(school, "pupils", sims_pupils(whole_school()[:3]), by=office, name="one class.csv")

    page = client_for(office).get(detail_url(school, partial))

    html = page.content.decode()
    words = text(page)
    assert "Your file has 3 pupils; the school has 20. Applying it would mark 17 pupils as leaving." in words
    assert "This file would mark 85% of the school's pupils as leaving" in words
    # It leads, above the counts, and replaces the calm "nothing has been saved" notice.
    assert html.index('class="leaving-warning"') < html.index('aria-label="What this file would do"')
    assert "Nothing has been saved yet" not in words and "Nothing has been saved." in words
    assert 'class="warning-text__icon"' in html
    assert "I understand 17 pupils will be marked as leaving" in words


def test_applying_without_the_extra_tick_is_refused_and_nothing_changes(school, office, client_for, twenty_pupils):
    partial = check(school, "pupils", sims_pupils(whole_school()[:3]), by=office)
    client = client_for(office)  # signing in sets last_login: before the snapshot
    before = everything()

    response = client.post(apply_url(school, partial), {"leavers": "17"})

    assert response.status_code == 400
    words = text(response)
    assert "Tick “I understand 17 pupils will be marked as leaving” to import this file." in words
    assert response.context["apply_form"].errors["confirm_leavers"]
    assert everything() == before
    partial.refresh_from_db()
    assert partial.status == RosterImport.Status.CHECKED


def test_with_the_tick_the_file_is_applied_and_the_audit_says_how_many_were_confirmed(
    school, office, client_for, twenty_pupils
):
    partial = check(school, "pupils", sims_pupils(whole_school()[:3]), by=office)

    response = client_for(office).post(apply_url(school, partial), {"confirm_leavers": "on", "leavers": "17"})

    assert response.status_code == 302
    assert Pupil.objects.filter(school=school, leaving_date__isnull=True).count() == 3
    event = AuditEvent.objects.get(action="roster.imported", object_id=str(partial.pk))
    assert event.data["leavers_confirmed"] == 17
    history = client_for(office).get(reverse("schools:import_history", args=[school.slug]))
    assert f"Imported after the warning: {office.full_name} ticked to confirm 17 leaving" in text(history)


def test_a_tick_given_for_another_number_of_leavers_is_refused(school, office, twenty_pupils):
    partial = check(school, "pupils", sims_pupils(whole_school()[:3]), by=office)
    before = everything()

    with pytest.raises(Exception) as refused:
        roster.apply_import(roster_import=partial, by=office, confirmed_leavers=16)

    assert "I understand 17 pupils will be marked as leaving" in str(refused.value)
    assert everything() == before


def test_a_file_within_the_share_needs_no_extra_tick(school, office, client_for, twenty_pupils):
    usual = check(school, "pupils", sims_pupils(whole_school()[:18]), by=office)  # 2 of 20 leave: 10 %

    page = client_for(office).get(detail_url(school, usual))
    assert 'class="leaving-warning"' not in page.content.decode()
    assert "confirm_leavers" not in page.context["apply_form"].fields

    assert client_for(office).post(apply_url(school, usual)).status_code == 302
    assert Pupil.objects.filter(school=school, leaving_date__isnull=True).count() == 18


def test_the_share_is_a_setting(school, office, settings, twenty_pupils):
    partial = check(school, "pupils", sims_pupils(whole_school()[:15]), by=office)  # 5 of 20: 25 %
    plan = roster.dry_run(partial).plan
    assert guard.leaving_warning(plan) is not None
    settings.ROSTER_LEAVING_WARNING_SHARE = 0.30
    assert guard.leaving_warning(plan) is None


def test_a_partial_staff_file_names_members_of_staff(school, office, settings):
    settings.ROSTER_LEAVING_WARNING_SHARE = 1.0
    import_file(school, "staff", sims_staff(autumn_staff()), by=office)
    settings.ROSTER_LEAVING_WARNING_SHARE = 0.10
    partial = check(school, "staff", sims_staff(autumn_staff()[:1]), by=office)

    warning = guard.leaving_warning(roster.dry_run(partial, importer=office).plan)

    assert warning.numbers == "Your file has 1 member of staff; the school has 3."
    assert warning.consequence == "Applying it would mark 2 members of staff as leaving."
    assert warning.confirmation == "I understand 2 members of staff will be marked as leaving"
