"""The governing body's approval as seed 001 records it: the chair of governors and the
headteacher each sign with their own date, and the version is "agreed at the governing
body meeting on" a date. The version page shows it, and so does the version's PDF."""

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from pypdf import PdfReader

from aup import services
from aup.models import VersionStatus
from core.models import AuditEvent
from core.roles import Role
from tests.conftest import make_member
from tests.dates import date_data
from tests.policy_helpers import complete_version

MEETING = datetime.date(2026, 9, 10)
APPROVAL = {
    **date_data("approved_on", "10/09/2026"),
    "chair": "Ruth Lee",
    **date_data("chair_signed_on", "12/09/2026"),
    "head": "Sam Cole",
    **date_data("head_signed_on", "14/09/2026"),
}


def url(name, school, *args):
    return reverse(f"aup:{name}", args=[school.slug, *args])


def trust_url(name, trust, *args):
    return reverse(f"aup_trust:{name}", args=[trust.slug, *args])


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def approve(version, by, **overrides):
    values = {
        "approved_on": MEETING,
        "chair": "Ruth Lee",
        "chair_signed_on": datetime.date(2026, 9, 12),
        "head": "Sam Cole",
        "head_signed_on": datetime.date(2026, 9, 14),
        **overrides,
    }
    return services.approve(version=version, by=by, **values)


def test_the_approval_form_asks_for_each_signatory_with_their_date_and_the_meeting(school, head, client_for, draft):
    page = client_for(head).get(url("version", school, draft.pk)).content.decode()

    for label in ("Chair of governors", "Headteacher"):
        assert f">{label}</label>" in page
    for legend in (
        "Date the chair of governors signed",
        "Date the headteacher signed",
        "Agreed at the governing body meeting on",
    ):
        assert f"<legend>{legend}</legend>" in page


def test_approval_records_the_chair_and_the_head_each_with_their_own_date_and_the_meeting(
    school, head, client_for, draft
):
    client = client_for(head)

    response = client.post(url("approve", school, draft.pk), APPROVAL)

    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == VersionStatus.APPROVED
    assert (draft.approved_by_chair, draft.chair_signed_on) == ("Ruth Lee", datetime.date(2026, 9, 12))
    assert (draft.approved_by_head, draft.head_signed_on) == ("Sam Cole", datetime.date(2026, 9, 14))
    assert draft.approved_on == MEETING
    page = client.get(url("version", school, draft.pk)).content.decode()
    assert "Ruth Lee, signed on 12/09/2026" in page
    assert "Sam Cole, signed on 14/09/2026" in page
    assert "<dt>Agreed at the governing body meeting on</dt>\n  <dd>10/09/2026</dd>" in page


def test_the_approval_dates_are_kept_on_the_published_version(school, head, client_for, draft):
    approve(draft, head)
    services.publish(version=draft, by=head)

    page = client_for(head).get(url("version", school, draft.pk)).content.decode()

    assert "Ruth Lee, signed on 12/09/2026" in page and "Sam Cole, signed on 14/09/2026" in page


@pytest.mark.parametrize("who", ["chair_signed_on", "head_signed_on"])
def test_a_signatory_cannot_have_signed_before_the_meeting(draft, head, who):
    with pytest.raises(ValidationError) as refused:
        approve(draft, head, **{who: datetime.date(2026, 9, 9)})

    assert "on the day of the governing body meeting or after it" in refused.value.message_dict[who][0]
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT


def test_dates_in_the_future_are_refused_beside_their_fields(school, head, client_for, draft):
    future = datetime.date.today() + datetime.timedelta(days=3)

    response = client_for(head).post(
        url("approve", school, draft.pk),
        {
            **APPROVAL,
            **date_data("approved_on", future),
            **date_data("chair_signed_on", future),
            **date_data("head_signed_on", future),
        },
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert "The governing body meeting cannot be in the future." in page
    assert "The date the chair of governors signed cannot be in the future." in page
    assert "The date the headteacher signed cannot be in the future." in page
    assert 'id="id_approved_on_error"' in page and 'id="id_head_signed_on_error"' in page
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT


def test_the_approval_form_needs_both_signatories_dates(school, head, client_for, draft):
    response = client_for(head).post(
        url("approve", school, draft.pk),
        {**APPROVAL, **date_data("chair_signed_on", ""), **date_data("head_signed_on", "")},
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_chair_signed_on_error"' in page
    assert "Enter the date the chair of governors signed" in page and "Enter the date the headteacher signed" in page
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT


# --- The version on paper ----------------------------------------------------------------


def test_the_pdf_of_a_version_shows_its_approval_block_as_seed_001_does(school, head, client_for, draft):
    services.update_version(version=draft, by=head, body="Pupils use the school's computers for learning.")
    approve(draft, head)
    services.publish(version=draft, by=head)

    response = client_for(head).get(url("version_pdf", school, draft.pk))

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "Oakfield Primary School" in text
    assert "ICT acceptable use" in text and "Policy, version 1: published" in text
    assert "Pupils use the school's computers for learning." in text
    staff_form = draft.forms.get(audience="staff")
    assert staff_form.statements.first().text in text
    assert "has been discussed by the governing body" in text
    assert "Chair of governors Ruth Lee Date: Saturday 12 September 2026" in text
    assert "Headteacher Sam Cole Date: Monday 14 September 2026" in text
    assert "Agreed at the governing body meeting on Thursday 10 September 2026" in text
    assert "kept for 7 years from its replacement" in text


def test_the_pdf_of_a_draft_says_it_is_not_yet_approved(school, head, client_for, draft):
    text = pdf_text(client_for(head).get(url("version_pdf", school, draft.pk)).content)

    assert "Draft: this version has not been approved yet." in text
    assert "Agreed at the governing body meeting on Not yet agreed" in text


def test_the_version_page_links_to_its_pdf(school, head, client_for, draft):
    page = client_for(head).get(url("version", school, draft.pk)).content.decode()

    assert f'href="{url("version_pdf", school, draft.pk)}"' in page


def test_downloading_the_pdf_is_private_and_audited(school, head, client_for, draft):
    response = client_for(head).get(url("version_pdf", school, draft.pk))

    assert response["Cache-Control"] == "private, no-store"
    event = AuditEvent.objects.get(action="policy.version_pdf_downloaded")
    assert event.actor == head and event.school == school and event.object_id == str(draft.pk)


@pytest.mark.parametrize("who", ["teacher", "office", "outsider"])
def test_people_who_do_not_manage_the_schools_policies_cannot_download_the_pdf(
    who, school, draft, client_for, outsider
):
    person = outsider if who == "outsider" else make_member(school, getattr(Role, who.upper()))

    response = client_for(person).get(url("version_pdf", school, draft.pk))

    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action="policy.version_pdf_downloaded").exists()


def test_a_trust_policys_pdf_names_the_trust_board_its_chair_and_chief_executive(
    trust, trust_officer, client_for, sister_school
):
    version = services.create_policy(trust=trust, title="Trust ICT use", kind="ict_aup", by=trust_officer)
    version = complete_version(version, trust_officer)
    services.approve(
        version=version,
        approved_on=datetime.date(2026, 7, 10),
        chair="Grace Obi",
        chair_signed_on=datetime.date(2026, 7, 10),
        head="Tom Hale",
        head_signed_on=datetime.date(2026, 7, 13),
        by=trust_officer,
    )
    services.publish(version=version, by=trust_officer)

    response = client_for(trust_officer).get(trust_url("version_pdf", trust, version.pk))

    text = pdf_text(response.content)
    assert "Riverside Learning Trust" in text
    assert "has been discussed by the trust board" in text
    assert "Chair of trustees Grace Obi Date: Friday 10 July 2026" in text
    assert "Chief executive Tom Hale Date: Monday 13 July 2026" in text
    assert "Agreed at the trust board meeting on Friday 10 July 2026" in text
    event = AuditEvent.objects.get(action="policy.version_pdf_downloaded")
    assert event.school is None and event.data == {"trust": trust.pk}
    # Each school's copy keeps the trust's approval, dates and all.
    copy = version.school_copies.get(policy__school=sister_school)
    assert (copy.chair_signed_on, copy.head_signed_on) == (datetime.date(2026, 7, 10), datetime.date(2026, 7, 13))
