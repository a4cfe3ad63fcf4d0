"""The trust's data protection officer at work, in Chromium with axe-core on every
page: the retention schedule and a rule changed for the trust; the head's legal hold
on a pupil; the review list the nightly sweep filled, approved; the destruction log;
lifting the hold."""

import datetime
import re

import time_machine
from playwright.sync_api import expect

from agreements.models import Signature
from core.roles import Role
from retention import services
from tests.factories import GuardianshipFactory, PupilFactory

from ..conftest import make_member
from ..retention.helpers import leaver_records, parents_form
from .menu import follow_menu


def test_the_dpo_changes_a_rule_reviews_what_is_due_and_approves_its_destruction(
    page, check_page, sign_in_as, trust, school, sister_school, head, trust_officer
):
    # Two pupils who left in July 2019, with their carers' signed agreements of 2018:
    # 6 years on, the agreements are past their rule.
    with time_machine.travel(datetime.datetime(2018, 9, 10, 10, tzinfo=datetime.UTC), tick=False):
        form = parents_form(school, head)
        signatures = {}
        for first, upn in (("Amelia", "A100000000001"), ("Noah", "A100000000002")):
            pupil = PupilFactory(school=school, first_name=first, last_name="Khan", upn=upn)
            carer = make_member(school, Role.PARENT)
            GuardianshipFactory(pupil=pupil, carer=carer)
            signatures[first] = leaver_records(
                school, head, carer, pupil, form=form, left_on=datetime.date(2019, 7, 19)
            )[0]

    # The head puts Noah's records on hold.
    sign_in_as(page, head)
    page.goto(f"/s/{school.slug}/retention/holds/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Legal holds")
    page.get_by_role("button", name="Place the hold").click()
    expect(page.locator(".error-summary")).to_contain_text("Choose what the hold is on.")
    check_page(page, "hold errors")
    page.get_by_label("Pupil", exact=True).check()
    page.get_by_label("Which one").fill("A100000000002")
    page.get_by_label("Why the records must be kept").fill("A claim about an injury is expected")
    page.get_by_role("button", name="Place the hold").click()
    expect(page.get_by_role("status")).to_contain_text("The hold is in place")
    expect(page.get_by_role("cell", name="Noah Khan (pupil)")).to_be_visible()
    check_page(page, "holds")
    follow_menu(page, "Settings", "Retention schedule")
    expect(page.get_by_role("heading", level=1)).to_have_text("Retention schedule")
    check_page(page, "school schedule")

    # The DPO reads the trust's schedule and keeps child-protection files 75 years.
    page.context.clear_cookies()
    sign_in_as(page, trust_officer)
    page.goto(f"/t/{trust.slug}/retention/")
    check_page(page, "trust schedule")
    page.get_by_role("link", name="Change the rule for safeguarding (child protection) incidents").click()
    page.get_by_label("How many years").fill("0")
    page.get_by_role("button", name="Save the rule for the trust").click()
    expect(page.locator(".error-summary")).to_contain_text("Enter at least 1 year.")
    check_page(page, "rule errors")
    page.get_by_label("How many years").fill("75")
    page.get_by_label("Why the trust keeps them this long").fill("IICSA: keep safeguarding files 75 years")
    page.get_by_role("button", name="Save the rule for the trust").click()
    expect(page.get_by_role("status")).to_contain_text("is changed for the trust's schools")
    expect(page.get_by_role("cell", name=re.compile("75 years from the youngest"))).to_be_visible()

    # The nightly sweep lists Amelia's records (Noah's are on hold).
    services.sweep_trust(trust)
    page.goto("/")
    page.get_by_role("link", name=re.compile("Review the records at the end of their retention")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Records at the end of their retention")
    expect(page.get_by_role("heading", name=re.compile("Pupils' signed agreements.*: 1"))).to_be_visible()
    check_page(page, "review")
    page.get_by_role("button", name="Approve and destroy 2 records").click()
    expect(page.get_by_role("status")).to_contain_text("Approved")
    assert not Signature.objects.filter(pk=signatures["Amelia"].pk).exists()
    assert Signature.objects.filter(pk=signatures["Noah"].pk).exists()

    follow_menu(page, "Data protection", "Destruction log")
    expect(page.get_by_role("heading", level=1)).to_have_text("Destruction log")
    expect(page.get_by_role("cell", name=re.compile("Pupils' signed agreements"))).to_be_visible()
    expect(page.get_by_text("Amelia")).to_have_count(0)
    check_page(page, "destruction log")

    # The hold is lifted, with a reason.
    page.goto(f"/s/{school.slug}/retention/holds/")
    page.get_by_role("link", name="Lift the hold on Noah Khan").click()
    check_page(page, "lift")
    page.get_by_label("Why the hold can be lifted").fill("The claim was withdrawn")
    page.get_by_role("button", name="Lift the hold").click()
    expect(page.get_by_role("cell", name=re.compile("Lifted .* The claim was withdrawn"))).to_be_visible()
