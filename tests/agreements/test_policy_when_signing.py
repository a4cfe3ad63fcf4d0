"""The policy is in front of people when they sign: on the staff, family, reception
and class kiosk pages, its text inline and its document through each page's own
checked view; the signature records which policy it refers to, when the page showed
it and when the person opened it. One tick per section; the record lists every
statement. Forms are named with their policy first."""

import datetime
import hashlib
import html
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from agreements import class_sessions as cs
from agreements import reception
from agreements.forms import policy_times, policy_token
from agreements.models import ClassSessionEntry, Signature
from aup.models import Audience, PolicyVersion
from core.roles import Role
from tests.conftest import make_member
from tests.docx import docx_bytes
from tests.policy_helpers import LONG_POLICY_TEXT

from .pdf_helpers import pdf_text, private_media  # noqa: F401  (a fixture)
from .signing_helpers import all_statements, publish_form_for, publish_staff_form
from .test_family_signing import carer_of, publish_parents_form

PDF = b"%PDF-1.7\n% the school's ICT policy\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(private_media):  # noqa: F811
    return private_media


def sign_url(school, form):
    return reverse("agreements:sign", args=[school.slug, form.pk])


def token_of(page: str) -> str:
    return re.search(r'name="policy_presented" value="([^"]+)"', page).group(1)


def staff_sign(client, school, form, **extra):
    page = client.get(sign_url(school, form)).content.decode()
    data = {**all_statements(form), "typed_name": "Jo Teacher", "submission_key": "k-1"}
    data.update({"policy_presented": token_of(page), **extra})
    return client.post(sign_url(school, form), data)


# --- The staff sign page ------------------------------------------------------------------


def test_the_staff_sign_page_shows_the_summary_and_the_policy_in_sections_with_contents(
    client_for, teacher, school, head
):
    form = publish_staff_form(school, head, body=LONG_POLICY_TEXT, summary="How we use ICT safely.")
    page = client_for(teacher).get(sign_url(school, form)).content.decode()
    assert '<h2 id="policy-heading">The policy: ICT acceptable use, version 1</h2>' in page
    assert '<p class="policy-summary">How we use ICT safely.</p>' in page
    assert '<details class="policy-reading" data-policy-reading>' in page  # long: one tap away
    assert 'aria-label="Contents of the policy"' in page and 'href="#policy-section-9">4. Monitoring</a>' in page
    assert "<li>Sharing confidential information about pupils or staff.</li>" in page
    assert "js/policy.js" in page and 'data-policy-opened=""' in page


def test_a_short_policy_is_shown_open(client_for, teacher, school, head):
    form = publish_staff_form(school, head, body="We use ICT safely and kindly.")
    page = client_for(teacher).get(sign_url(school, form)).content.decode()
    assert '<details class="policy-reading" data-policy-reading open>' in page


def test_a_pdf_policy_opens_in_the_page_and_on_its_own_through_a_checked_view(client_for, teacher, school, head):
    form = publish_staff_form(
        school,
        head,
        body="",
        summary="Read the policy document.",
        document=SimpleUploadedFile("ict-policy.pdf", PDF),
        document_name="ict-policy.pdf",
    )
    client = client_for(teacher)
    page = client.get(sign_url(school, form)).content.decode()
    document_url = reverse("agreements:policy_document", args=[school.slug, form.pk])
    assert f'<iframe class="policy-pdf" data-src="{document_url}"' in page
    assert f'<a href="{document_url}" data-policy-open target="_blank" rel="noopener">' in page
    response = client.get(document_url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline")
    assert response["X-Frame-Options"] == "SAMEORIGIN"  # shown inside our own sign page only
    assert "Content-Security-Policy" not in response  # the browser's PDF viewer must draw
    assert response["Cache-Control"] == "private, no-store"


def test_a_word_policy_is_shown_inline_and_its_original_can_be_downloaded(client_for, teacher, school, head):
    form = publish_staff_form(
        school,
        head,
        body="",
        summary="Our policy.",
        document=SimpleUploadedFile("ict.docx", docx_bytes(("Aims", "Heading1"), ("We stay safe online.", ""))),
        document_name="ict.docx",
    )
    client = client_for(teacher)
    page = client.get(sign_url(school, form)).content.decode()
    assert '<div class="policy-reading__body policy-document"><h3>Aims</h3><p>We stay safe online.</p></div>' in page
    response = client.get(reverse("agreements:policy_document", args=[school.slug, form.pk]))
    assert response["Content-Disposition"].startswith("attachment")


def test_html_put_into_a_stored_word_conversion_is_cleaned_again_when_shown(client_for, teacher, school, head):
    form = publish_staff_form(school, head)
    PolicyVersion.objects.filter(pk=form.version_id).update(
        document_html='<p onclick="steal()">Hi</p><script>steal()</script>', document="policies/x.docx"
    )
    page = client_for(teacher).get(sign_url(school, form)).content.decode()
    assert "<p>Hi</p>" in page and "steal()" not in page


@pytest.mark.parametrize("role", [Role.PARENT, None])
def test_the_policy_document_of_a_staff_form_is_not_found_for_parents_and_other_schools(
    client_for, school, head, outsider, role
):
    form = publish_staff_form(
        school, head, summary="S.", document=SimpleUploadedFile("p.pdf", PDF), document_name="p.pdf"
    )
    person = make_member(school, role) if role else outsider
    url = reverse("agreements:policy_document", args=[school.slug, form.pk])
    assert client_for(person).get(url).status_code == 404


# --- What the signature records -----------------------------------------------------------


def test_the_signature_records_the_policy_its_presentation_and_its_opening(client_for, teacher, school, head):
    form = publish_staff_form(
        school, head, summary="S.", document=SimpleUploadedFile("p.pdf", PDF), document_name="p.pdf"
    )
    before = timezone.now()
    response = staff_sign(client_for(teacher), school, form, policy_opened_after="1500")
    assert response.status_code == 302
    signature = Signature.objects.get()
    version = PolicyVersion.objects.get(pk=form.version_id)
    assert signature.policy_body_sha256 == hashlib.sha256(version.body.encode()).hexdigest()
    assert signature.policy_document_sha256 == hashlib.sha256(PDF).hexdigest()
    assert before - datetime.timedelta(seconds=1) <= signature.policy_presented_at <= signature.signed_at
    # 1.5 s after the page was served, as the page reported; never after the signing.
    assert signature.policy_presented_at < signature.policy_opened_at <= signature.signed_at
    assert signature.policy_opened_at <= signature.policy_presented_at + datetime.timedelta(milliseconds=1500)
    assert signature.statements_agreed == [s.number for s in form.statements.all()]  # every statement


def test_a_policy_never_opened_is_recorded_as_presented_only(client_for, teacher, school, head):
    form = publish_staff_form(school, head)
    staff_sign(client_for(teacher), school, form)
    signature = Signature.objects.get()
    assert signature.policy_presented_at is not None and signature.policy_opened_at is None


def test_a_forged_or_borrowed_presentation_time_is_not_recorded(client_for, teacher, school, head):
    form = publish_staff_form(school, head)
    other = publish_staff_form(school, head, title="Mobile phones")
    forged = policy_token(form.pk, now=timezone.now() - datetime.timedelta(days=30))
    staff_sign(client_for(teacher), school, form, policy_presented=forged + "x", policy_opened_after="10")
    assert Signature.objects.get().policy_presented_at is None
    assert policy_times(policy_token(other.pk), "10", form.pk) == (None, None)  # another form's
    assert policy_times(forged, "10", form.pk) == (None, None)  # older than two days


def test_an_opening_later_than_the_signing_is_not_recorded():
    now = timezone.now()
    token = policy_token(7, now=now - datetime.timedelta(minutes=1))
    presented, opened = policy_times(token, str(10 * 60 * 1000), 7, now=now)
    assert presented is not None and opened is None


# --- Ticks, one per section ---------------------------------------------------------------


def test_the_sign_page_asks_for_one_tick_per_section_with_its_statements_above_it(client_for, teacher, school, head):
    form = publish_staff_form(school, head)
    page = client_for(teacher).get(sign_url(school, form)).content.decode()
    groups = form.statement_groups()
    assert len(groups) == 3
    assert page.count('type="checkbox" name="section_') == 3
    assert "I agree to statements 1 to 5" in page and "I agree to statements 6 to 8" in page
    assert "I agree to statement 9<" in page
    assert '<p class="agreement-section__heading" id="id_section_2_heading">I will not:</p>' in page


def test_a_form_without_sections_has_one_tick_for_all_its_statements(client_for, school, head, teacher):
    from .pdf_helpers import published_staff_form

    form = published_staff_form(school)
    page = client_for(teacher).get(sign_url(school, form)).content.decode()
    assert page.count('type="checkbox" name="section_') == 1 and "I agree to statements 1 to 3" in page


# --- Parents ------------------------------------------------------------------------------


def test_a_parent_sees_the_policy_and_both_childrens_signatures_record_it(client_for, school, head):
    from tests.factories import PupilFactory

    form = publish_parents_form(
        school, head, summary="S.", document=SimpleUploadedFile("p.pdf", PDF), document_name="p.pdf"
    )
    amelia, zain = (PupilFactory(school=school, first_name=n, last_name="Khan") for n in ("Amelia", "Zain"))
    mother = carer_of(school, amelia, zain)
    client = client_for(mother)
    url = reverse("family_sign:sign", args=[form.pk])
    page = client.get(url).content.decode()
    document_url = reverse("family_sign:policy", args=[form.pk])
    assert f'data-src="{document_url}"' in page
    assert b"".join(client.get(document_url).streaming_content) == PDF
    data = {
        "children": [str(amelia.pk), str(zain.pk)],
        "typed_name": "Sara Khan",
        "submission_key": "fam-1",
        "policy_presented": token_of(page),
        "policy_opened_after": "800",
        **all_statements(form),
    }
    assert client.post(url, data).status_code == 302
    signatures = list(Signature.objects.all())
    assert len(signatures) == 2
    assert {s.policy_document_sha256 for s in signatures} == {hashlib.sha256(PDF).hexdigest()}
    assert all(s.policy_opened_at and s.policy_presented_at for s in signatures)


def test_the_policy_document_of_a_parents_form_is_only_for_parents_of_that_school(
    client_for, school, other_school, head
):
    from tests.factories import PupilFactory

    form = publish_parents_form(
        school, head, summary="S.", document=SimpleUploadedFile("p.pdf", PDF), document_name="p.pdf"
    )
    elsewhere = carer_of(other_school, PupilFactory(school=other_school))
    assert client_for(elsewhere).get(reverse("family_sign:policy", args=[form.pk])).status_code == 404


# --- The kiosks ---------------------------------------------------------------------------


def test_the_reception_kiosk_shows_the_policy_within_its_own_pages_and_records_it(client, school, head, office):
    form = publish_form_for(
        school,
        head,
        Audience.VISITORS,
        title="Visitors on site",
        summary="Our rules for visitors.",
        document=SimpleUploadedFile("visitors.pdf", PDF),
        document_name="visitors.pdf",
    )
    kiosk, token = reception.open_reception_kiosk(school=school, opened_by=office)
    page = client.get(f"/kiosk/reception/{token}/").content.decode()
    policy_url = f"/kiosk/reception/{token}/policy/"
    assert f'data-src="{policy_url}"' in page
    assert f'<a href="{policy_url}" data-policy-open>' in page  # same tab: the kiosk has no other
    assert b"".join(client.get(policy_url).streaming_content) == PDF
    data = {
        "typed_name": "Dev Mistry",
        "visiting": "Mrs Patel",
        "submission_key": "v-1",
        "policy_presented": token_of(page),
        "policy_opened_after": "2000",
        **all_statements(form),
    }
    assert client.post(f"/kiosk/reception/{token}/", data).status_code == 302
    signature = Signature.objects.get()
    assert signature.policy_opened_at and signature.policy_document_sha256 == hashlib.sha256(PDF).hexdigest()

    reception.close_reception_kiosk(kiosk=kiosk, closed_by=office)
    assert client.get(policy_url).status_code == 410


def test_a_pupil_at_the_class_kiosk_sees_the_rules_and_the_confirmed_signature_records_them(
    client, school, head, school_class, pupil
):
    from .test_class_sessions import publish_pupils_form

    teacher = make_member(school, Role.TEACHER)
    school_class.teachers.add(teacher.memberships.get(school=school))
    form = publish_pupils_form(school, head, Audience.KS2)
    session, token = cs.open_kiosk_session(form=form, school_class=school_class, led_by=teacher)
    url = reverse("class_kiosk:pupil", kwargs={"token": token, "pupil_id": pupil.pk})
    page = client.get(url).content.decode()
    assert '<h2 id="policy-heading">Our rules: ICT acceptable use, version 1</h2>' in page
    assert "I agree to sentences 1 to 4" in page
    data = {"typed_name": pupil.full_name, "policy_presented": token_of(page), "policy_opened_after": "500"}
    data.update(all_statements(form))
    assert client.post(url, data).status_code == 302
    entry = ClassSessionEntry.objects.get()
    assert entry.policy_presented_at and entry.policy_opened_at
    assert entry.statements_agreed == [s.number for s in form.statements.all()]
    [signature] = cs.confirm_session(session=session, by=teacher)
    assert (signature.policy_presented_at, signature.policy_opened_at) == (
        entry.policy_presented_at,
        entry.policy_opened_at,
    )
    assert signature.policy_body_sha256 == PolicyVersion.objects.get(pk=form.version_id).body_sha256 != ""
    assert client.get(reverse("class_kiosk:policy", kwargs={"token": token})).status_code == 410  # confirmed


# --- The signed PDF -----------------------------------------------------------------------


def test_the_signed_pdf_names_the_policy_version_and_its_sha256(client_for, teacher, school, head):
    from agreements.tasks import render_signed_pdf

    form = publish_staff_form(school, head)
    staff_sign(client_for(teacher), school, form)
    signature = Signature.objects.get()
    render_signed_pdf(signature.pk)
    signature.refresh_from_db()
    with signature.document.file.open("rb") as stored:
        text = " ".join(pdf_text(stored.read()).split())
    assert "The statements refer to ICT acceptable use, version 1; policy text SHA-256" in text
    assert signature.policy_body_sha256 in text.replace(" ", "")


# --- Names people see ---------------------------------------------------------------------


def test_two_policies_whose_forms_share_a_title_read_as_two_lines_everywhere(client_for, school, head, teacher):
    from tests.factories import PupilFactory

    staff_ict = publish_staff_form(school, head, title="ICT and mobile phone acceptable use")
    staff_social = publish_staff_form(school, head, title="Social media")
    assert staff_ict.title == staff_social.title  # the same starter title
    home = html.unescape(client_for(teacher).get("/home/").content.decode())
    assert f"Sign ICT and mobile phone acceptable use: {staff_ict.title}" in home
    assert f"Sign Social media: {staff_social.title}" in home

    parents_ict = publish_parents_form(school, head, title="Online safety")
    parents_phones = publish_parents_form(school, head, title="Phones at school")
    assert parents_ict.title == parents_phones.title
    mother = carer_of(school, PupilFactory(school=school, first_name="Amelia"))
    family = html.unescape(client_for(mother).get("/family/").content.decode())
    assert f"Sign: Online safety: {parents_ict.title}" in family
    assert f"Sign: Phones at school: {parents_phones.title}" in family
    home = html.unescape(client_for(mother).get("/home/").content.decode())
    assert f"Sign for Amelia: Online safety: {parents_ict.title}" in home

    dashboard = html.unescape(client_for(head).get(f"/s/{school.slug}/compliance/").content.decode())
    for form in (staff_ict, staff_social, parents_ict, parents_phones):
        assert f">{form.full_title}</h2>" in dashboard
