"""A teacher runs a KS2 class signing session in Chromium: opens it, starts it on the
classroom device (which signs them out), two pupils sign on the kiosk (one on a
phone-sized screen), the teacher signs in again to finish (a pupil cannot) and confirms. Every page is
checked with axe-core and for CSP errors."""

import re

from django.utils import timezone
from playwright.sync_api import expect

from agreements.models import ClassSession, Method, Signature
from aup.models import Audience
from core.roles import Role

from ..agreements.pdf_helpers import private_media  # noqa: F401  (a fixture)
from ..agreements.test_class_sessions import publish_pupils_form
from ..conftest import make_member
from ..factories import PASSWORD, PupilFactory, SchoolClassFactory, year_group
from .conftest import agree_to_each_section, fill_date


def _sign_on_the_kiosk(page, check_page, form, button, first_name, full_name, *, name=None, read_rules=False):
    page.get_by_role("link", name=button).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(form.title)
    if read_rules:
        # The rules the sentences come from are on the kiosk page, one tap away.
        rules = page.get_by_role("region", name=re.compile("^Our rules: "))
        expect(rules).to_be_visible()
        reading = rules.locator("details.policy-reading").first
        if not reading.evaluate("details => details.open"):  # a short text is shown open
            rules.get_by_text("Read the policy").click()
        expect(rules.locator(".policy-reading__body")).to_be_visible()
    check_page(page, name)
    agree_to_each_section(page, form, noun="sentences")
    page.get_by_label("Type your name").fill(full_name)
    page.get_by_role("button", name="I agree").click()
    expect(page.get_by_role("status")).to_contain_text(f"Thank you, {first_name}")


def test_a_teacher_runs_a_ks2_class_signing_session(
    page,
    check_page,
    school,
    private_media,  # noqa: F811
):
    head = make_member(school, Role.HEADTEACHER)
    form = publish_pupils_form(school, head, Audience.KS2)
    teacher = make_member(school, Role.TEACHER, user__first_name="Priya", user__last_name="Shah")
    oak = SchoolClassFactory(school=school, name="Oak")
    oak.teachers.add(teacher.memberships.get(school=school))
    amelia = PupilFactory(school=school, school_class=oak, first_name="Amelia", last_name="Khan")
    ben = PupilFactory(school=school, school_class=oak, first_name="Ben", last_name="Okafor")
    PupilFactory(school=school, school_class=oak, first_name="Cara", last_name="Doyle")

    # The teacher signs in and finds the class.
    page.goto("/accounts/login/")
    page.get_by_label(re.compile("email", re.I)).fill(teacher.email)
    page.get_by_label(re.compile("password", re.I)).fill(PASSWORD)
    page.get_by_role("button", name=re.compile("sign in", re.I)).click()
    page.goto(f"/s/{school.slug}/pupils/?class={oak.pk}")
    page.get_by_role("link", name="Pupils' agreements for this class").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Pupils' agreements: Oak")
    expect(page.get_by_text("0 signed, 3 outstanding")).to_be_visible()
    check_page(page, "class agreements")

    page.get_by_role("button", name="Start a class signing session").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Class signing session: Oak")
    expect(page.get_by_role("img", name="QR code of the kiosk link")).to_be_visible()
    check_page(page, "session opened")

    # Start on this device: the teacher is signed out; the kiosk shows the class's names.
    page.get_by_role("button", name="Start on this device").click()
    expect(page.get_by_role("link", name="Amelia K.")).to_be_visible()
    expect(page.locator("nav")).to_have_count(0)
    check_page(page, "kiosk names")
    assert "/kiosk/class/" in page.url

    _sign_on_the_kiosk(
        page, check_page, form, "Amelia K.", "Amelia", "Amelia Khan", name="kiosk pupil", read_rules=True
    )
    expect(page.get_by_role("link", name="Amelia K.")).to_have_count(0)
    check_page(page, "kiosk thank you")

    # Ben signs on a phone-sized screen.
    page.set_viewport_size({"width": 375, "height": 740})
    _sign_on_the_kiosk(page, check_page, form, "Ben O.", "Ben", "Ben Okafor", name="kiosk pupil on a phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.set_viewport_size({"width": 1280, "height": 800})

    # The teacher finishes on the device: only after signing in again (a pupil cannot),
    # then the kiosk closes and they confirm.
    page.get_by_role("link", name="I'm the teacher: finish the session").click()
    expect(page.get_by_text("2 pupils signed on this device")).to_be_visible()
    check_page(page, "kiosk finish")
    page.get_by_role("button", name="Sign in to finish").click()
    session = ClassSession.objects.get()
    assert session.expires_at > timezone.now()  # still open: nobody has signed in yet
    page.get_by_label(re.compile("email", re.I)).fill(teacher.email)
    page.get_by_label(re.compile("password", re.I)).fill(PASSWORD)
    page.get_by_role("button", name=re.compile("sign in", re.I)).click()
    expect(page.get_by_role("button", name="Finish and check the names")).to_be_visible()
    check_page(page, "kiosk finish, teacher signed in")
    page.get_by_role("button", name="Finish and check the names").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Class signing session: Oak")
    expect(page.get_by_role("cell", name="Amelia Khan", exact=True)).to_have_count(2)  # pupil, name typed
    expect(page.get_by_text("Cara Doyle")).to_be_visible()  # not signed yet
    check_page(page, "review")
    page.get_by_role("button", name="Confirm 2 signatures").click()

    expect(page.get_by_role("status")).to_contain_text("2 signatures confirmed")
    expect(page.get_by_text("2 signed, 1 outstanding")).to_be_visible()
    check_page(page, "confirmed")

    session = ClassSession.objects.get()
    assert session.confirmed_at is not None
    signatures = list(Signature.objects.order_by("pupil__first_name"))
    assert [s.pupil for s in signatures] == [amelia, ben]
    assert all(s.method == Method.CLASS_SESSION and s.class_session == session for s in signatures)
    assert signatures[0].how == "Signed by Amelia Khan in a class session led by Priya Shah"
    # The rules were in front of them on the kiosk: the signatures say which, and when.
    form.version.refresh_from_db()  # its hashes were set when it was published
    for signature in signatures:
        assert signature.policy_body_sha256 == form.version.body_sha256 != ""
        assert signature.policy_presented_at <= signature.policy_opened_at <= signature.signed_at


def test_a_teacher_records_a_read_aloud(page, check_page, sign_in_as, school, private_media):  # noqa: F811
    head = make_member(school, Role.HEADTEACHER)
    form = publish_pupils_form(school, head, Audience.EYFS_KS1)
    teacher = make_member(school, Role.TEACHER, user__first_name="Tom", user__last_name="Reed")
    acorn = SchoolClassFactory(school=school, name="Acorn", year_group=year_group(school, "1"))
    acorn.teachers.add(teacher.memberships.get(school=school))
    ada = PupilFactory(school=school, school_class=acorn, first_name="Ada", last_name="Lee")
    PupilFactory(school=school, school_class=acorn, first_name="Noah", last_name="Patel")

    sign_in_as(page, teacher)
    page.goto(f"/s/{school.slug}/classes/{acorn.pk}/agreements/")
    check_page(page, "class agreements")
    page.get_by_role("link", name="Record a read-aloud").click()
    expect(page.get_by_label("Ada Lee")).to_be_checked()
    check_page(page, "read aloud")
    page.get_by_label("Noah Patel").uncheck()
    fill_date(page, "Day you read the form aloud", "01/01/2099")
    page.get_by_role("button", name="Record the read-aloud").click()
    expect(page.locator(".error-summary").get_by_text("cannot be in the future")).to_be_visible()
    check_page(page, "read aloud refused")
    fill_date(page, "Day you read the form aloud", timezone.localdate().strftime("%d/%m/%Y"))
    page.get_by_role("button", name="Record the read-aloud").click()
    expect(page.get_by_role("status")).to_contain_text("1 pupil present")
    expect(page.get_by_text("1 signed, 1 outstanding")).to_be_visible()
    check_page(page, "read aloud recorded")
    signature = Signature.objects.get()
    assert signature.pupil == ada and signature.form == form and signature.method == Method.READ_ALOUD
