"""Reminder pages in Chromium: the head sets the cadence and quiet hours (a mistake is
shown beside the field), reads the log and filters it; a parent chooses the weekly
summary from the link in the email. Every page is checked with axe-core and for CSP
errors."""

import datetime
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from core.roles import Role
from reminders.models import ReminderEmail, ReminderItem, ReminderPreference, ReminderSettings

from ..conftest import make_member

UK = ZoneInfo("Europe/London")


def _log(school, people):
    for n, (person, state) in enumerate(people):
        email = ReminderEmail.objects.create(
            recipient=person,
            day=datetime.date(2026, 11, 5),
            state=state,
            send_after=datetime.datetime(2026, 11, 5, 7, tzinfo=UK),
            sent_at=datetime.datetime(2026, 11, 5, 7, 2, tzinfo=UK) if state == "sent" else None,
            last_error="550 No such user" if state == "bounced" else "",
        )
        ReminderItem.objects.create(
            school=school,
            recipient=person,
            email=email,
            kind="signature",
            subject_key=f"form:{n}",
            due_on=datetime.date(2026, 11, 5),
            text="Please read and sign: ICT acceptable use (Staff ICT policy).",
            action_url="/",
        )


def test_the_head_sets_reminders_and_reads_the_log(page, check_page, sign_in_as, school):
    head = make_member(school, Role.HEADTEACHER, user__first_name="Sam", user__last_name="Patel")
    teacher = make_member(school, Role.TEACHER, user__first_name="Priya", user__last_name="Shah")
    parent = make_member(school, Role.PARENT, user__first_name="Nadia", user__last_name="Khan")
    _log(school, [(teacher, "sent"), (parent, "bounced"), (head, "queued")])

    sign_in_as(page, head)
    page.goto(f"/s/{school.slug}/reminders/settings/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Reminder settings")
    check_page(page, "settings")

    page.get_by_label("Remind people this many days after something becomes due").fill("7, 3")
    page.get_by_label("Until").fill("19:00")
    page.get_by_role("button", name="Save reminder settings").click()
    expect(page.locator(".error-summary").get_by_text("Put the days in order, smallest first")).to_be_visible()
    expect(page.locator(".error-summary").get_by_text("Quiet hours must end at a different time")).to_be_visible()
    check_page(page, "settings-errors")

    page.get_by_label("Remind people this many days after something becomes due").fill("3, 7, 14")
    page.get_by_label("Until").fill("07:30")
    page.get_by_role("button", name="Save reminder settings").click()
    expect(page.get_by_text("Reminder settings saved.")).to_be_visible()
    assert ReminderSettings.objects.get(school=school).quiet_until == datetime.time(7, 30)

    page.goto(f"/s/{school.slug}/reminders/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Reminders")
    expect(page.get_by_text("550 No such user")).to_be_visible()
    check_page(page, "log")
    page.get_by_label("Email").select_option("sent")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("cell", name="Priya Shah")).to_be_visible()
    expect(page.get_by_role("cell", name="Nadia Khan")).to_have_count(0)
    check_page(page, "log-filtered")


def test_a_parent_chooses_the_weekly_summary(page, check_page, sign_in_as, parent):
    sign_in_as(page, parent)
    page.goto("/reminders/preferences/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Reminder emails")
    check_page(page, "preferences")
    page.get_by_label("Once a week, on Monday").check()
    page.get_by_role("button", name="Save my choice").click()
    expect(page.get_by_text("Your choice is saved.")).to_be_visible()
    assert ReminderPreference.objects.get(user=parent).frequency == "weekly"
