"""Visitors sign the visitors' form at a reception kiosk the office opens for the day;
the office sees who came in. The kiosk needs no sign-in, shows no site navigation and
nothing of earlier visitors, and closes at midnight or when the office closes it."""

import datetime
import hashlib
import html
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from agreements import reception
from agreements.models import Method, ReceptionKiosk, Signature
from aup import services as aup
from aup.models import Audience, PolicyKind
from core.models import AuditEvent
from core.roles import Role

from ..conftest import make_member, sign_in_with_mfa
from ..dates import date_data
from ..policy_helpers import complete_version
from .pdf_helpers import pdf_text, private_media  # noqa: F401
from .signing_helpers import all_statements, png_data_url, publish_new_version, sign_as

UK = ZoneInfo("Europe/London")


def publish_visitors_form(school, by, title="Visitors on site"):
    version = aup.create_policy(
        school=school, title=title, kind=PolicyKind.ICT_AUP, by=by, audiences=[Audience.VISITORS]
    )
    complete_version(version, by)
    aup.approve(version=version, approved_on=datetime.date(2026, 6, 1), chair="Ruth Okafor", head="Sam Patel", by=by)
    aup.publish(version=version, by=by)
    return version.forms.get(audience=Audience.VISITORS)


@pytest.fixture
def visitors_form(school, head):
    return publish_visitors_form(school, head)


@pytest.fixture
def open_kiosk(visitors_form, school, office):
    """(kiosk, token): the reception kiosk, opened by the office today."""
    return reception.open_reception_kiosk(school=school, opened_by=office)


def kiosk_url(token):
    return f"/kiosk/reception/{token}/"


def visitor_data(form, *, name="Dev Mistry", organisation="Brightwire Electrical", visiting="Mrs Patel", key="k-1"):
    data = {"typed_name": name, "organisation": organisation, "visiting": visiting, "submission_key": key}
    data.update(all_statements(form))
    return data


def sign_in_at_reception(form, kiosk, *, name="Dev Mistry", organisation="Brightwire Electrical", key=None, **extra):
    import secrets

    return reception.sign_at_reception(
        kiosk=kiosk,
        typed_name=name,
        organisation=organisation,
        visiting=extra.pop("visiting", "Mrs Patel"),
        statements_agreed=[s.number for s in form.statements.all()],
        submission_key=key or secrets.token_urlsafe(16),
        **extra,
    )


# --- Opening and closing the kiosk ---------------------------------------------------


def test_the_office_opens_the_kiosk_until_midnight_london_time(client_for, school, office, visitors_form):
    client = client_for(office)

    response = client.post(f"/s/{school.slug}/visitors/kiosk/")

    assert response.status_code == 302
    kiosk = ReceptionKiosk.objects.get()
    assert kiosk.school == school
    assert kiosk.form == visitors_form
    assert kiosk.opened_by == office
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    assert kiosk.expires_at == datetime.datetime.combine(tomorrow, datetime.time(0, 0), tzinfo=UK)
    assert kiosk.closed_at is None
    token = client.session["reception_kiosk_tokens"][str(kiosk.pk)]
    assert len(token) >= 40
    assert kiosk.token_sha256 == hashlib.sha256(token.encode()).hexdigest()
    assert AuditEvent.objects.filter(school=school, action="reception.kiosk_opened").exists()


@pytest.mark.parametrize(
    "opened, closes",
    [
        (datetime.datetime(2026, 7, 14, 8, 30, tzinfo=UK), datetime.datetime(2026, 7, 15, 0, 0, tzinfo=UK)),
        (datetime.datetime(2026, 7, 14, 23, 30, tzinfo=UK), datetime.datetime(2026, 7, 15, 0, 0, tzinfo=UK)),
        # 00:30 BST on 14 July is still 13 July in UTC: London's day counts.
        (datetime.datetime(2026, 7, 14, 0, 30, tzinfo=UK), datetime.datetime(2026, 7, 15, 0, 0, tzinfo=UK)),
        (datetime.datetime(2026, 1, 6, 16, 0, tzinfo=UK), datetime.datetime(2026, 1, 7, 0, 0, tzinfo=UK)),
        # The day the clocks go forward is 23 hours long.
        (datetime.datetime(2026, 3, 29, 9, 0, tzinfo=UK), datetime.datetime(2026, 3, 30, 0, 0, tzinfo=UK)),
    ],
)
def test_the_kiosk_expires_at_the_end_of_the_london_day(opened, closes):
    assert reception.end_of_day(opened) == closes


def test_the_visitors_page_shows_the_kiosk_link_and_qr_code_to_the_person_who_opened_it(
    client_for, school, office, visitors_form
):
    client = client_for(office)
    client.post(f"/s/{school.slug}/visitors/kiosk/")
    token = next(iter(client.session["reception_kiosk_tokens"].values()))

    page = client.get(f"/s/{school.slug}/visitors/").content.decode()

    assert f"http://testserver/kiosk/reception/{token}/" in page
    assert 'src="data:image/svg+xml;base64,' in page
    assert "Start on this device" in page
    assert "Close the kiosk" in page


def test_another_office_member_sees_the_kiosk_is_open_but_not_its_link(client_for, school, open_kiosk):
    kiosk, token = open_kiosk
    colleague = make_member(school, Role.OFFICE)

    page = client_for(colleague).get(f"/s/{school.slug}/visitors/").content.decode()

    assert "Open until midnight" in page
    assert token not in page
    assert "Start on this device" not in page
    assert "Close the kiosk" in page


def test_without_a_published_visitors_form_the_page_says_so_and_the_kiosk_cannot_open(client_for, school, office):
    client = client_for(office)

    page = client.get(f"/s/{school.slug}/visitors/").content.decode()
    response = client.post(f"/s/{school.slug}/visitors/kiosk/", follow=True)

    assert "There is no published visitors' form yet" in page
    assert f'href="/s/{school.slug}/policies/"' in page
    assert "There is no published visitors&#x27; form yet" in response.content.decode()
    assert not ReceptionKiosk.objects.exists()


def test_starting_the_kiosk_on_this_device_signs_the_office_member_out(client_for, school, office, visitors_form):
    client = client_for(office)
    client.post(f"/s/{school.slug}/visitors/kiosk/")
    kiosk = ReceptionKiosk.objects.get()
    token = client.session["reception_kiosk_tokens"][str(kiosk.pk)]

    response = client.post(f"/s/{school.slug}/visitors/kiosk/{kiosk.pk}/start/")

    assert response.status_code == 302
    assert response.url == kiosk_url(token)
    assert "_auth_user_id" not in client.session
    assert client.get(f"/s/{school.slug}/visitors/").status_code == 302  # to sign in
    assert client.get(kiosk_url(token)).status_code == 200


def test_a_kiosk_opened_elsewhere_cannot_be_started_on_this_device(client_for, school, office, open_kiosk):
    kiosk, _ = open_kiosk
    colleague = make_member(school, Role.OFFICE)
    client = client_for(colleague)

    response = client.post(f"/s/{school.slug}/visitors/kiosk/{kiosk.pk}/start/", follow=True)

    assert "can only be started from the device that opened it" in response.content.decode()
    assert "_auth_user_id" in client.session


def test_closing_the_kiosk_stops_its_link_at_once(client_for, client, school, office, open_kiosk):
    kiosk, token = open_kiosk

    client_for(office).post(f"/s/{school.slug}/visitors/kiosk/{kiosk.pk}/close/")
    client.logout()
    response = client.get(kiosk_url(token))

    kiosk.refresh_from_db()
    assert kiosk.closed_at is not None
    assert response.status_code == 410
    assert "The reception kiosk is closed" in response.content.decode()
    assert AuditEvent.objects.filter(school=school, action="reception.kiosk_closed").exists()


def test_the_kiosk_closes_at_midnight(client, school, office, visitors_form):
    with time_machine.travel(datetime.datetime(2026, 7, 14, 17, 0, tzinfo=UK), tick=False):
        _, token = reception.open_reception_kiosk(school=school, opened_by=office)
        assert client.get(kiosk_url(token)).status_code == 200
    with time_machine.travel(datetime.datetime(2026, 7, 15, 0, 1, tzinfo=UK), tick=False):
        response = client.get(kiosk_url(token))
        posted = client.post(kiosk_url(token), visitor_data(visitors_form))

    assert response.status_code == 410
    assert "The reception kiosk is closed" in response.content.decode()
    assert posted.status_code == 410
    assert not Signature.objects.exists()


def test_an_unknown_token_is_not_found(client, db):
    assert client.get(kiosk_url("no-such-token")).status_code == 404
    assert client.post(kiosk_url("no-such-token")).status_code == 404
    assert client.get(kiosk_url("no-such-token") + "thanks/").status_code == 404


# --- Signing at the kiosk ----------------------------------------------------------------


def test_a_visitor_signs_at_the_kiosk_without_signing_in(client, school, visitors_form, open_kiosk):
    _, token = open_kiosk
    page = client.get(kiosk_url(token))
    assert page.status_code == 200
    text = html.unescape(page.content.decode())
    assert "Welcome. Please sign in" in text
    for statement in visitors_form.statements.all():
        assert statement.text in text

    data = visitor_data(visitors_form)
    data["drawn_signature"] = png_data_url()
    response = client.post(kiosk_url(token), data)

    assert response.status_code == 302
    assert response.url == kiosk_url(token) + "thanks/"
    signature = Signature.objects.get()
    assert signature.method == Method.VISITOR_KIOSK
    assert signature.signer is None
    assert signature.school == school
    assert signature.form == visitors_form
    assert signature.signer_name == "Dev Mistry"
    assert signature.details == {"organisation": "Brightwire Electrical", "visiting": "Mrs Patel"}
    assert signature.drawn_signature == data["drawn_signature"]
    assert signature.statements_agreed == [s.number for s in visitors_form.statements.all()]
    assert signature.how == "Signed at reception by Dev Mistry (Brightwire Electrical)"


def test_the_organisation_is_optional(client, visitors_form, open_kiosk):
    _, token = open_kiosk

    response = client.post(kiosk_url(token), visitor_data(visitors_form, organisation=""))

    assert response.status_code == 302
    signature = Signature.objects.get()
    assert signature.details == {"organisation": "", "visiting": "Mrs Patel"}
    assert signature.how == "Signed at reception by Dev Mistry"


def test_whom_the_visitor_visits_and_each_section_are_required(client, visitors_form, open_kiosk):
    _, token = open_kiosk
    data = visitor_data(visitors_form, visiting="  ")
    del data["section_1"]

    response = client.post(kiosk_url(token), data)

    page = response.content.decode()
    assert response.status_code == 400
    assert "Tell us whom you are visiting." in page
    assert "Tick to agree to statements 1 to 6." in page
    assert 'value="Dev Mistry"' in page  # what was typed is kept
    assert not Signature.objects.exists()


def test_the_thank_you_page_shows_nothing_of_the_visitor(client, visitors_form, open_kiosk):
    _, token = open_kiosk
    client.post(kiosk_url(token), visitor_data(visitors_form))

    thanks = client.get(kiosk_url(token) + "thanks/")
    again = client.get(kiosk_url(token))

    page = thanks.content.decode()
    assert thanks.status_code == 200
    assert "Thank you, you are signed in" in page
    assert "Dev Mistry" not in page and "Brightwire" not in page and "Mrs Patel" not in page
    assert f'href="{kiosk_url(token)}"' in page
    assert 'data-return-after="10"' in page
    assert "no-store" in thanks["Cache-Control"]
    form_page = again.content.decode()
    assert "Dev Mistry" not in form_page and "Brightwire" not in form_page
    assert "no-store" in again["Cache-Control"]


def test_the_kiosk_fields_offer_nothing_from_earlier_visitors(client, visitors_form, open_kiosk):
    _, token = open_kiosk

    page = client.get(kiosk_url(token)).content.decode()

    assert 'data-sign-form autocomplete="off">' in page
    for name in ("typed_name", "organisation", "visiting"):
        assert f'name="{name}"' in page
    assert page.count('autocomplete="off"') >= 4
    assert 'autocomplete="name"' not in page


def test_a_double_submit_makes_one_signature(client, visitors_form, open_kiosk):
    _, token = open_kiosk
    data = visitor_data(visitors_form, key="double-click")

    first = client.post(kiosk_url(token), data)
    second = client.post(kiosk_url(token), data)

    assert first.status_code == second.status_code == 302
    assert Signature.objects.count() == 1


def test_each_visit_of_the_form_carries_a_new_submission_key(client, open_kiosk):
    import re

    _, token = open_kiosk
    keys = {
        re.search(r'name="submission_key" value="([^"]+)"', client.get(kiosk_url(token)).content.decode()).group(1)
        for _ in range(2)
    }

    assert len(keys) == 2


def test_a_superseded_visitors_form_asks_the_office_to_reopen_the_kiosk(client, head, visitors_form, open_kiosk):
    _, token = open_kiosk
    publish_new_version(visitors_form, head)

    response = client.get(kiosk_url(token))
    posted = client.post(kiosk_url(token), visitor_data(visitors_form))

    assert response.status_code == 410
    assert "The visitors' form has changed" in response.content.decode().replace("&#x27;", "'")
    assert "close this kiosk and open it again" in response.content.decode()
    assert posted.status_code == 410
    assert not Signature.objects.exists()


def test_the_service_refuses_a_closed_kiosk(school, office, visitors_form, open_kiosk):
    kiosk, _ = open_kiosk
    reception.close_reception_kiosk(kiosk=kiosk, closed_by=office)
    kiosk.refresh_from_db()

    with pytest.raises(reception.KioskClosed):
        sign_in_at_reception(visitors_form, kiosk)


def test_kiosk_pages_have_no_site_navigation(client, visitors_form, open_kiosk, office, client_for):
    kiosk, token = open_kiosk
    client.post(kiosk_url(token), visitor_data(visitors_form))
    pages = [client.get(kiosk_url(token)), client.get(kiosk_url(token) + "thanks/")]
    reception.close_reception_kiosk(kiosk=kiosk, closed_by=office)
    pages.append(client.get(kiosk_url(token)))
    # Even when someone is signed in on the device, the kiosk shows no way out.
    pages.append(client_for(office).get(kiosk_url(token)))

    for response in pages:
        page = response.content.decode()
        assert 'class="kiosk"' in page
        assert "school-nav" not in page
        assert "account-menu" not in page
        assert "Sign out" not in page
        assert "/s/" not in page
        assert "Oakfield Primary School" in page


@pytest.mark.usefixtures("private_media")
def test_the_signed_pdf_names_the_visitor_and_organisation(
    school, visitors_form, open_kiosk, django_capture_on_commit_callbacks
):
    kiosk, _ = open_kiosk
    with django_capture_on_commit_callbacks(execute=True):
        signature = sign_in_at_reception(visitors_form, kiosk, drawn_signature=png_data_url())

    flat = " ".join(pdf_text(signature.document.file.read()).split())
    assert "Dev Mistry" in flat
    assert "Organisation Brightwire Electrical" in flat
    assert f"Visiting {signature.details['visiting']}" in flat
    assert "Signed at reception" in flat
    assert signature.verification_code in flat


# --- The office's log of visitors --------------------------------------------------------------


def test_the_office_sees_todays_visitors_of_their_school_only(
    client_for, school, other_school, office, visitors_form, open_kiosk
):
    kiosk, _ = open_kiosk
    now = timezone.now()
    with time_machine.travel(now - datetime.timedelta(days=1)):
        yesterday_kiosk, _ = reception.open_reception_kiosk(school=school, opened_by=office)
        sign_in_at_reception(visitors_form, yesterday_kiosk, name="Yesterday Visitor")
    sign_in_at_reception(visitors_form, kiosk, name="Dev Mistry", organisation="Brightwire Electrical")
    other_head = make_member(other_school, Role.HEADTEACHER)
    other_form = publish_visitors_form(other_school, other_head)
    other_kiosk, _ = reception.open_reception_kiosk(school=other_school, opened_by=other_head)
    sign_in_at_reception(other_form, other_kiosk, name="Elsewhere Visitor")

    response = client_for(office).get(f"/s/{school.slug}/visitors/")

    page = response.content.decode()
    assert response.status_code == 200
    assert "Today's visitors" in page.replace("&#x27;", "'")
    assert "Dev Mistry" in page
    assert "Brightwire Electrical" in page
    assert "Mrs Patel" in page
    assert timezone.localtime(now).strftime("%H:") in page
    assert "Yesterday Visitor" not in page
    assert "Elsewhere Visitor" not in page


def test_the_date_filter_shows_an_earlier_day(client_for, school, office, visitors_form):
    with time_machine.travel(datetime.datetime(2026, 3, 2, 9, 40, tzinfo=UK), tick=False):
        kiosk, _ = reception.open_reception_kiosk(school=school, opened_by=office)
        sign_in_at_reception(visitors_form, kiosk, name="March Visitor")
    client = client_for(office)

    today = client.get(f"/s/{school.slug}/visitors/").content.decode()
    earlier = client.get(f"/s/{school.slug}/visitors/", {"day": "02/03/2026"}).content.decode()

    assert "March Visitor" not in today
    assert "March Visitor" in earlier
    assert "Visitors on Monday 2 March 2026" in earlier
    assert "09:40" in earlier


def test_a_date_that_is_not_a_date_is_explained_beside_the_field(client_for, school, office):
    response = client_for(office).get(f"/s/{school.slug}/visitors/", date_data("day", "31/02/2026"))

    assert response.status_code == 400
    assert "The day to show must be a real date" in response.content.decode()


def test_the_visitors_list_takes_the_same_queries_for_one_or_many_visitors(
    client_for, school, office, visitors_form, open_kiosk
):
    kiosk, _ = open_kiosk
    client = client_for(office)
    sign_in_at_reception(visitors_form, kiosk, name="First Visitor")
    client.get(f"/s/{school.slug}/visitors/")  # warm up the session
    with CaptureQueriesContext(connection) as one:
        client.get(f"/s/{school.slug}/visitors/")
    for n in range(5):
        sign_in_at_reception(visitors_form, kiosk, name=f"Visitor Number{n}")
    with CaptureQueriesContext(connection) as six:
        page = client.get(f"/s/{school.slug}/visitors/").content.decode()

    assert "Visitor Number4" in page
    assert len(six) == len(one)


@pytest.mark.usefixtures("private_media")
def test_the_office_can_open_a_visitors_signature_and_its_pdf(
    client_for, school, office, visitors_form, open_kiosk, django_capture_on_commit_callbacks
):
    kiosk, _ = open_kiosk
    with django_capture_on_commit_callbacks(execute=True):
        signature = sign_in_at_reception(visitors_form, kiosk)
    client = client_for(office)

    page = client.get(f"/s/{school.slug}/visitors/").content.decode()
    receipt = client.get(f"/s/{school.slug}/signatures/{signature.pk}/")
    pdf = client.get(f"/s/{school.slug}/signatures/{signature.pk}/pdf/")

    assert f'href="/s/{school.slug}/signatures/{signature.pk}/pdf/"' in page
    assert receipt.status_code == 200
    assert pdf.status_code == 200
    assert b"".join(pdf.streaming_content).startswith(b"%PDF-")


def test_the_office_still_cannot_open_a_staff_members_signature(client_for, school, office, teacher, head):
    from .signing_helpers import publish_staff_form

    signature = sign_as(publish_staff_form(school, head), teacher)

    response = client_for(office).get(f"/s/{school.slug}/signatures/{signature.pk}/")

    assert response.status_code == 404


def test_another_schools_office_cannot_open_a_visitors_signature(
    client_for, school, other_school, visitors_form, open_kiosk
):
    kiosk, _ = open_kiosk
    signature = sign_in_at_reception(visitors_form, kiosk)
    other_office = make_member(other_school, Role.OFFICE)

    client = client_for(other_office)
    for path in (f"/s/{school.slug}/signatures/{signature.pk}/", f"/s/{other_school.slug}/signatures/{signature.pk}/"):
        assert client.get(path).status_code == 404


# --- Tenancy ---------------------------------------------------------------------------------


@pytest.fixture
def wrong_people(other_school, school):
    """People who must not see this school's visitors: another school's office, a
    teacher (no MANAGE_PEOPLE) and a parent of this school."""
    return {
        "office of another school": make_member(other_school, Role.OFFICE),
        "teacher": make_member(school, Role.TEACHER),
        "parent": make_member(school, Role.PARENT),
    }


def test_the_wrong_people_cannot_see_the_visitors_page_or_open_the_kiosk(
    client, school, visitors_form, open_kiosk, wrong_people
):
    kiosk, _ = open_kiosk
    for who, user in wrong_people.items():
        sign_in_with_mfa(client, user)
        assert client.get(f"/s/{school.slug}/visitors/").status_code == 404, who
        for path in (
            f"/s/{school.slug}/visitors/kiosk/",
            f"/s/{school.slug}/visitors/kiosk/{kiosk.pk}/start/",
            f"/s/{school.slug}/visitors/kiosk/{kiosk.pk}/close/",
        ):
            assert client.post(path).status_code == 404, (who, path)
    assert ReceptionKiosk.objects.count() == 1
    kiosk.refresh_from_db()
    assert kiosk.closed_at is None


def test_another_schools_office_cannot_close_this_schools_kiosk_under_their_own_school(
    client_for, school, other_school, open_kiosk
):
    kiosk, _ = open_kiosk
    other_office = make_member(other_school, Role.OFFICE)

    response = client_for(other_office).post(f"/s/{other_school.slug}/visitors/kiosk/{kiosk.pk}/close/")

    assert response.status_code == 404
    kiosk.refresh_from_db()
    assert kiosk.closed_at is None


def test_the_visitors_link_is_in_the_navigation_for_the_office_only(client_for, school, office, teacher):
    office_page = client_for(office).get(f"/s/{school.slug}/").content.decode()
    teacher_page = client_for(teacher).get(f"/s/{school.slug}/").content.decode()

    assert f'href="/s/{school.slug}/visitors/"' in office_page
    assert f'href="/s/{school.slug}/visitors/"' not in teacher_page


def test_the_offices_desk_counts_todays_visitors_and_links_to_them(client_for, school, office, open_kiosk, teacher):
    kiosk, _ = open_kiosk
    form = kiosk.form
    sign_in_at_reception(form, kiosk, name="Dev Mistry")
    sign_in_at_reception(form, kiosk, name="Ana Lopes")
    home = client_for(office).get("/home/").content.decode()
    assert "2 visitors have signed in at reception today" in home
    assert f"/s/{school.slug}/visitors/" in home
    assert "signed in at reception" not in client_for(teacher).get("/home/").content.decode()
