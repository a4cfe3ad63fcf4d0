"""Two signatures on one document, in Chromium: the office member hands a loan's laptop
over and countersigns the borrower's receipt; the chair of governors signs a version's
approval and the headteacher countersigns it. Every page is checked with axe-core and
for CSP errors, at 1280 and 375 px when SCREENSHOTS_DIR is set."""

import datetime
from concurrent.futures import ThreadPoolExecutor

from playwright.sync_api import expect

from agreements.models import Countersignature
from aup import services as aup
from aup.models import ApprovalSignature, Audience, PolicyKind
from core.roles import Role

from ..agreements.countersign_helpers import store_signed_files_in
from ..agreements.signing_helpers import publish_form_for, publish_staff_form
from ..conftest import make_member
from ..devices.conftest import lend_to, make_device, sign_for, sign_staff_agreement
from ..policy_helpers import complete_version


def test_the_office_hands_a_laptop_over_and_countersigns_the_receipt(
    page, check_page, sign_in_as, school, settings, tmp_path, monkeypatch
):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    store_signed_files_in(tmp_path, monkeypatch)
    head = make_member(school, Role.HEADTEACHER)
    office = make_member(school, Role.OFFICE, user__first_name="Olive", user__last_name="Grant")
    teacher = make_member(school, Role.TEACHER, user__first_name="Priya", user__last_name="Sharma")

    def borrower_signs():
        sign_staff_agreement(teacher, publish_staff_form(school, head))
        publish_form_for(school, head, Audience.LOANS, title="Equipment loans")
        laptop = make_device(school, "laptop", serial_number="DL-5440-0001", asset_tag="OAK-0001")
        loan = lend_to(school, office, teacher, [laptop])
        sign_for(loan, opened_by=office)
        return loan

    # Signing makes PDFs, and pyHanko runs an asyncio loop: not in Playwright's thread.
    with ThreadPoolExecutor(max_workers=1) as worker:
        loan = worker.submit(borrower_signs).result()

    sign_in_as(page, office)
    page.goto(f"/s/{school.slug}/loans/{loan.pk}/")
    expect(page.get_by_role("heading", name="Hand over: countersign the receipt")).to_be_visible()
    check_page(page, "loan to hand over")
    page.get_by_label("Your full name").fill("Olive Grant")
    page.get_by_role("button", name="Countersign as the member of staff handing over").click()
    expect(page.get_by_text("your countersignature is on the receipt")).to_be_visible()
    expect(page.locator(".details")).to_contain_text("Olive Grant")
    check_page(page, "loan handed over")
    countersignature = Countersignature.objects.get()
    assert countersignature.signer == office and countersignature.role == "handed_over_by"


def test_the_chair_signs_the_approval_and_the_head_countersigns(
    page, check_page, sign_in_as, school, settings, tmp_path, monkeypatch
):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    store_signed_files_in(tmp_path, monkeypatch)
    head = make_member(school, Role.HEADTEACHER, user__first_name="Sam", user__last_name="Patel")
    chair = make_member(school, Role.CHAIR_OF_GOVERNORS, user__first_name="Ruth", user__last_name="Okafor")
    version = aup.create_policy(school=school, title="ICT acceptable use", kind=PolicyKind.ICT_AUP, by=head)
    complete_version(version, head)
    aup.approve(version=version, approved_on=datetime.date(2026, 6, 1), chair="Ruth Okafor", head="Sam Patel", by=head)

    sign_in_as(page, chair)
    page.goto("/")
    page.get_by_role("link", name="Sign the approval of ICT acceptable use, version 1").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Approval of ICT acceptable use, version 1")
    check_page(page, "approval to sign")
    page.get_by_role("button", name="Sign the approval").click()
    expect(page.locator(".error-summary")).to_contain_text("Tick to confirm the governing body approved")
    check_page(page, "approval errors")
    page.get_by_label("The governing body agreed").check()
    page.get_by_label("Your full name").fill("Ruth Okafor")
    page.get_by_role("button", name="Sign the approval").click()
    expect(page.get_by_text("your signature is on the approval")).to_be_visible()
    check_page(page, "approval signed by the chair")

    page.context.clear_cookies()
    sign_in_as(page, head)
    page.goto(f"/s/{school.slug}/policies/versions/{version.pk}/approval/")
    page.get_by_label("The governing body agreed").check()
    page.get_by_label("Your full name").fill("Sam Patel")
    page.get_by_role("button", name="Countersign the approval").click()
    expect(page.get_by_role("link", name="Download the signed approval (PDF, both signatures)")).to_be_visible()
    check_page(page, "approval countersigned")
    assert list(ApprovalSignature.objects.order_by("signed_at").values_list("role", flat=True)) == ["chair", "head"]
