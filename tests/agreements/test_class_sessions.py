"""Class signing: KS2 pupils sign on a classroom device in a session their teacher
leads and confirms; an EYFS/KS1 form is read aloud and the teacher ticks who was there."""

import datetime
import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import hash_token
from agreements import class_sessions as cs
from agreements.models import ClassSession, ClassSessionEntry, Method, Signature
from agreements.selectors import pupil_signatures, pupils_who_must_sign
from aup import services as aup
from aup.models import Audience, PolicyKind
from core.academic_year import AcademicYear
from core.models import AuditEvent
from core.roles import Role
from tests.agreements.signing_helpers import _approve_and_publish, publish_new_version
from tests.conftest import make_member, sign_in_with_mfa
from tests.dates import date_data
from tests.factories import PASSWORD, PupilFactory, SchoolClassFactory, year_group

START = AcademicYear.current().starts_on


def publish_pupils_form(school, by, audience, *, title="ICT acceptable use"):
    version = aup.create_policy(school=school, title=title, kind=PolicyKind.ICT_AUP, by=by, audiences=(audience,))
    _approve_and_publish(version, by)
    return version.forms.get(audience=audience)


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def class_teacher(school, school_class):
    user = make_member(school, Role.TEACHER, user__first_name="Priya", user__last_name="Shah")
    school_class.teachers.add(user.memberships.get(school=school))
    return user


@pytest.fixture
def ks2_form(school, head):
    return publish_pupils_form(school, head, Audience.KS2)


@pytest.fixture
def eyfs_form(school, head):
    return publish_pupils_form(school, head, Audience.EYFS_KS1, title="Computers in the infants")


@pytest.fixture
def classmate(school, school_class):
    return PupilFactory(school=school, school_class=school_class, first_name="Ben", last_name="Okafor")


@pytest.fixture
def infants(school):
    """Class Acorn, year 1, with its teacher and three pupils."""
    acorn = SchoolClassFactory(school=school, name="Acorn", year_group=year_group(school, "1"))
    teacher = make_member(school, Role.TEACHER, user__first_name="Tom", user__last_name="Reed")
    acorn.teachers.add(teacher.memberships.get(school=school))
    pupils = [
        PupilFactory(school=school, school_class=acorn, first_name=first, last_name=last)
        for first, last in [("Ada", "Lee"), ("Noah", "Patel"), ("Zara", "Hughes")]
    ]
    return acorn, teacher, pupils


def _statements(form):
    """One tick for each section of the form: every statement agreed."""
    return {f"section_{i}": "on" for i in range(1, len(form.statement_groups()) + 1)}


def _open(client, school, school_class, form):
    url = reverse("agreements:class_session_open", kwargs={"school_slug": school.slug, "class_id": school_class.pk})
    response = client.post(url, {"form": form.pk})
    session = ClassSession.objects.latest("pk")
    token = client.session[f"class_session_token_{session.pk}"]
    return response, session, token


def _kiosk(token, name="home", **kwargs):
    return reverse(f"class_kiosk:{name}", kwargs={"token": token, **kwargs})


def _review(school, session):
    return reverse("agreements:class_session", kwargs={"school_slug": school.slug, "session_id": session.pk})


def _sign_in_to(path):
    return f"{reverse('account_login')}?next={path.replace('/', '%2F')}"


def _class_page(school, school_class):
    return reverse("agreements:class_agreements", kwargs={"school_slug": school.slug, "class_id": school_class.pk})


def _read_aloud_url(school, school_class, form):
    return reverse(
        "agreements:class_read_aloud",
        kwargs={"school_slug": school.slug, "class_id": school_class.pk, "pupils_form_id": form.pk},
    )


def _kiosk_session(form, school_class, teacher):
    session, token = cs.open_kiosk_session(form=form, school_class=school_class, led_by=teacher)
    return session, token


def _entry(session, pupil, form, name=None):
    entry, _ = cs.record_entry(
        session=session,
        pupil=pupil,
        typed_name=name or pupil.full_name,
        statements_agreed=[s.number for s in form.statements.all()],
    )
    return entry


# --- the KS2 kiosk journey ------------------------------------------------------------------


def test_a_teacher_runs_a_class_session_and_each_signature_says_it_was_led_by_them(
    school, school_class, class_teacher, ks2_form, pupil, classmate, client
):
    client.force_login(class_teacher)
    page = client.get(_class_page(school, school_class))
    assert page.status_code == 200
    assert "Start a class signing session" in page.content.decode()

    response, session, token = _open(client, school, school_class, ks2_form)
    assert response.url == _review(school, session)
    assert session.token_sha256 == hash_token(token) and token not in session.token_sha256
    assert timezone.now() + datetime.timedelta(minutes=89) < session.expires_at
    review = client.get(_review(school, session)).content.decode()
    assert _kiosk(token) in review and "data:image/svg+xml;base64," in review

    # Start on this device: the teacher is signed out and the device shows the kiosk.
    start = reverse(
        "agreements:class_session_start_here", kwargs={"school_slug": school.slug, "session_id": session.pk}
    )
    response = client.post(start)
    assert response.url == _kiosk(token)
    assert SESSION_KEY not in client.session
    home = client.get(_kiosk(token)).content.decode()
    assert "Amelia K." in home and "Ben O." in home and "Khan" not in home

    form_page = client.get(_kiosk(token, "pupil", pupil_id=pupil.pk))
    assert form_page.status_code == 200
    assert ks2_form.statements.first().text in form_page.content.decode()
    response = client.post(
        _kiosk(token, "pupil", pupil_id=pupil.pk), {**_statements(ks2_form), "typed_name": " Amelia   Khan "}
    )
    assert response.url == _kiosk(token)
    home = client.get(_kiosk(token)).content.decode()
    assert "Thank you, Amelia" in home
    assert "Amelia K." not in home and "Ben O." in home
    entry = ClassSessionEntry.objects.get(session=session)
    assert entry.typed_name == "Amelia Khan" and not Signature.objects.exists()

    # The teacher finishes: the device asks them to sign in first (a pupil cannot
    # finish), then the kiosk closes and their review opens.
    response = client.post(_kiosk(token, "finish"))
    assert response.url == _sign_in_to(_kiosk(token, "finish"))
    assert client.get(_kiosk(token)).status_code == 200

    client.force_login(class_teacher)
    response = client.post(_kiosk(token, "finish"))
    assert response.url == _review(school, session)
    assert client.get(_kiosk(token)).status_code == 410
    review = client.get(_review(school, session)).content.decode()
    assert "Confirm 1 signature" in review and "Ben Okafor" in review  # not signed yet
    response = client.post(_review(school, session), {"action": "confirm"})
    assert response.url == _class_page(school, school_class)
    signature = Signature.objects.get()
    assert signature.method == Method.CLASS_SESSION
    assert signature.signer is None and signature.pupil == pupil and signature.led_by == class_teacher
    assert signature.signed_at == entry.signed_at and signature.signer_name == "Amelia Khan"
    assert signature.class_session == session
    assert signature.how == "Signed by Amelia Khan in a class session led by Priya Shah"
    session.refresh_from_db()
    assert session.confirmed_at is not None
    actions = set(AuditEvent.objects.filter(school=school).values_list("action", flat=True))
    assert {"class_session.opened", "class_session.confirmed", "agreement.signed"} <= actions
    page = client.get(_class_page(school, school_class)).content.decode()
    assert re.search(r"1 signed, 1 outstanding", page)


KIOSK_DEVICE = {"REMOTE_ADDR": "10.20.30.40", "HTTP_USER_AGENT": "Mozilla/5.0 (iPad; CPU OS 17_4) Classroom iPad"}
TEACHER_DEVICE = {"REMOTE_ADDR": "192.0.2.77", "HTTP_USER_AGENT": "Mozilla/5.0 (Windows NT 10.0) Teacher laptop"}


def test_a_pupils_signature_is_recorded_with_the_kiosk_device_and_not_the_teachers(
    school, school_class, class_teacher, ks2_form, pupil
):
    _, token = _kiosk_session(ks2_form, school_class, class_teacher)
    kiosk = Client(**KIOSK_DEVICE)
    kiosk.post(_kiosk(token, "pupil", pupil_id=pupil.pk), {**_statements(ks2_form), "typed_name": "Amelia Khan"})
    entry = ClassSessionEntry.objects.get()
    assert (entry.ip_address, entry.user_agent) == ("10.20.30.40", KIOSK_DEVICE["HTTP_USER_AGENT"])

    teacher = sign_in_with_mfa(Client(**TEACHER_DEVICE), class_teacher)
    teacher.post(_review(school, entry.session), {"action": "confirm"})

    signature = Signature.objects.get()
    assert signature.ip_address == "10.20.30.40"
    assert signature.user_agent == KIOSK_DEVICE["HTTP_USER_AGENT"]


def test_the_teachers_confirmation_is_recorded_with_the_teachers_device(
    school, school_class, class_teacher, ks2_form, pupil
):
    _, token = _kiosk_session(ks2_form, school_class, class_teacher)
    Client(**KIOSK_DEVICE).post(
        _kiosk(token, "pupil", pupil_id=pupil.pk), {**_statements(ks2_form), "typed_name": "Amelia Khan"}
    )
    session = ClassSession.objects.get()

    teacher = sign_in_with_mfa(Client(**TEACHER_DEVICE), class_teacher)
    teacher.post(_review(school, session), {"action": "confirm"})

    signature = Signature.objects.get()
    assert signature.confirmed_ip_address == "192.0.2.77"
    assert signature.confirmed_user_agent == TEACHER_DEVICE["HTTP_USER_AGENT"]


def test_signatures_made_in_one_step_have_no_separate_confirming_device(school, teacher, client_for):
    from tests.agreements.signing_helpers import all_statements, publish_staff_form

    form = publish_staff_form(school, teacher)
    client = client_for(teacher)
    client.post(
        reverse("agreements:sign", args=[school.slug, form.pk]),
        {**all_statements(form), "typed_name": "Pat Teacher", "submission_key": "one-step"},
        REMOTE_ADDR="192.0.2.5",
        HTTP_USER_AGENT="Staff browser",
    )

    signature = Signature.objects.get()
    assert (signature.ip_address, signature.user_agent) == ("192.0.2.5", "Staff browser")
    assert signature.confirmed_ip_address is None and signature.confirmed_user_agent == ""


# --- finishing on the kiosk is for the teacher ------------------------------------------------


def test_a_pupil_pressing_finish_on_the_kiosk_does_not_end_the_session(
    school, school_class, class_teacher, ks2_form, pupil, classmate, client
):
    session, token = _kiosk_session(ks2_form, school_class, class_teacher)
    page = client.get(_kiosk(token, "finish"))
    assert page.status_code == 200
    assert "Sign in to finish" in page.content.decode()
    for _ in range(20):  # however many times
        response = client.post(_kiosk(token, "finish"))
        assert response.status_code == 302 and response.url == _sign_in_to(_kiosk(token, "finish"))
    session.refresh_from_db()
    assert cs.kiosk_is_open(session)
    assert "Ben O." in client.get(_kiosk(token)).content.decode()  # pupils carry on signing
    assert not AuditEvent.objects.filter(action="class_session.kiosk_closed").exists()


def test_the_teacher_signed_in_on_the_device_finishes_and_reviews(
    school, school_class, class_teacher, ks2_form, pupil, client
):
    session, token = _kiosk_session(ks2_form, school_class, class_teacher)
    _entry(session, pupil, ks2_form)
    client.force_login(class_teacher)
    page = client.get(_kiosk(token, "finish")).content.decode()
    assert "Finish and check the names" in page and "Sign in to finish" not in page
    response = client.post(_kiosk(token, "finish"))
    assert response.url == _review(school, session)
    session.refresh_from_db()
    assert not cs.kiosk_is_open(session) and cs.is_pending(session)  # the teacher still confirms
    assert not Signature.objects.exists()
    event = AuditEvent.objects.get(action="class_session.kiosk_closed")
    assert event.actor == class_teacher and event.object_id == str(session.pk)


def test_a_leader_who_oversees_compliance_may_finish_the_session(
    school, school_class, class_teacher, head, ks2_form, pupil, client
):
    session, token = _kiosk_session(ks2_form, school_class, class_teacher)
    sign_in_with_mfa(client, head)
    assert client.post(_kiosk(token, "finish")).url == _review(school, session)
    session.refresh_from_db()
    assert not cs.kiosk_is_open(session)


@pytest.mark.parametrize("who", ["another teacher", "a parent", "the head of another school"])
def test_someone_else_signed_in_on_the_device_cannot_finish_the_session(
    who, school, school_class, class_teacher, ks2_form, pupil, parent, outsider, client
):
    session, token = _kiosk_session(ks2_form, school_class, class_teacher)
    person = {
        "another teacher": make_member(school, Role.TEACHER),
        "a parent": parent,
        "the head of another school": outsider,
    }[who]
    sign_in_with_mfa(client, person)
    page = client.get(_kiosk(token, "finish")).content.decode()
    assert "Only the teacher who leads this session" in page and "Finish and check the names" not in page
    assert client.post(_kiosk(token, "finish")).status_code == 404
    session.refresh_from_db()
    assert cs.kiosk_is_open(session)


def test_wrong_passwords_on_the_way_to_finishing_are_limited(
    school, school_class, class_teacher, ks2_form, pupil, client
):
    """Finishing needs the teacher's sign-in, and the sign-in page limits guesses: after
    a few wrong passwords even the right one is refused for a while."""
    session, token = _kiosk_session(ks2_form, school_class, class_teacher)
    sign_in = client.post(_kiosk(token, "finish")).url
    for _ in range(5):
        client.post(sign_in, {"login": class_teacher.email, "password": "not-the-password"})
    client.post(sign_in, {"login": class_teacher.email, "password": PASSWORD})
    assert SESSION_KEY not in client.session
    assert client.post(_kiosk(token, "finish")).url == _sign_in_to(_kiosk(token, "finish"))
    session.refresh_from_db()
    assert cs.kiosk_is_open(session)


def test_signing_in_from_the_kiosk_comes_back_to_finish(school, school_class, class_teacher, ks2_form, pupil, client):
    session, token = _kiosk_session(ks2_form, school_class, class_teacher)
    sign_in = client.post(_kiosk(token, "finish")).url
    response = client.post(sign_in, {"login": class_teacher.email, "password": PASSWORD})
    assert response.status_code == 302 and response.url == _kiosk(token, "finish")
    assert "Finish and check the names" in client.get(response.url).content.decode()
    session.refresh_from_db()
    assert cs.kiosk_is_open(session)  # until the teacher presses finish


def test_confirming_twice_makes_no_second_signature(school, school_class, class_teacher, ks2_form, pupil, client):
    session, _ = _kiosk_session(ks2_form, school_class, class_teacher)
    _entry(session, pupil, ks2_form)
    first = cs.confirm_session(session=session, by=class_teacher)
    again = cs.confirm_session(session=session, by=class_teacher)
    client.force_login(class_teacher)
    client.post(_review(school, session), {"action": "confirm"})
    assert [s.pk for s in first] == [s.pk for s in again]
    assert Signature.objects.count() == 1


def test_a_pupil_submitting_twice_makes_one_entry(school, school_class, class_teacher, ks2_form, pupil, client):
    _, token = _kiosk_session(ks2_form, school_class, class_teacher)
    data = {**_statements(ks2_form), "typed_name": "Amelia Khan"}
    for _ in range(2):
        response = client.post(_kiosk(token, "pupil", pupil_id=pupil.pk), data)
        assert response.status_code == 302
    assert ClassSessionEntry.objects.count() == 1


def test_a_pupil_must_tick_every_sentence_and_type_their_name(
    school, school_class, class_teacher, ks2_form, pupil, client
):
    _, token = _kiosk_session(ks2_form, school_class, class_teacher)
    response = client.post(_kiosk(token, "pupil", pupil_id=pupil.pk), {"section_1": "on", "typed_name": ""})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Tick to agree to sentences 5 to 7." in html and "Type your name." in html
    assert not ClassSessionEntry.objects.exists()


@pytest.mark.parametrize("how", ["expired", "finished", "cancelled", "confirmed"])
def test_an_ended_kiosk_says_the_session_has_ended(how, school, school_class, class_teacher, ks2_form, pupil, client):
    session, token = _kiosk_session(ks2_form, school_class, class_teacher)
    _entry(session, pupil, ks2_form)
    if how == "expired":
        ClassSession.objects.filter(pk=session.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    elif how == "finished":
        cs.close_kiosk(session=session)
    elif how == "cancelled":
        cs.cancel_session(session=session, by=class_teacher)
    else:
        cs.confirm_session(session=session, by=class_teacher)
    response = client.get(_kiosk(token))
    assert response.status_code == 410
    assert "This session has ended" in response.content.decode()
    classmate = PupilFactory(school=school, school_class=school_class)
    post = client.post(_kiosk(token, "pupil", pupil_id=classmate.pk), {**_statements(ks2_form), "typed_name": "X Y"})
    assert post.status_code == 410
    assert ClassSessionEntry.objects.filter(pupil=classmate).count() == 0


def test_an_unknown_kiosk_token_is_not_found(client, school_class, class_teacher, ks2_form, pupil):
    _kiosk_session(ks2_form, school_class, class_teacher)
    assert client.get(_kiosk("x" * 43)).status_code == 404
    assert client.get(_kiosk("x" * 43, "pupil", pupil_id=pupil.pk)).status_code == 404
    assert client.post(_kiosk("x" * 43, "finish")).status_code == 404


def test_a_pupil_of_another_class_or_school_is_not_found_on_the_kiosk(
    school, other_school, school_class, class_teacher, ks2_form, pupil, client
):
    _, token = _kiosk_session(ks2_form, school_class, class_teacher)
    other_class = SchoolClassFactory(school=school, name="Elm")
    stranger = PupilFactory(school=school, school_class=other_class)
    foreigner = PupilFactory(school=other_school, school_class=SchoolClassFactory(school=other_school))
    data = {**_statements(ks2_form), "typed_name": "Somebody Else"}
    for outsider in (stranger, foreigner):
        assert client.get(_kiosk(token, "pupil", pupil_id=outsider.pk)).status_code == 404
        assert client.post(_kiosk(token, "pupil", pupil_id=outsider.pk), data).status_code == 404
        assert outsider.first_name not in client.get(_kiosk(token)).content.decode()
    assert not ClassSessionEntry.objects.exists()


def test_the_kiosk_shows_no_site_navigation(school, school_class, class_teacher, ks2_form, pupil, client):
    _, token = _kiosk_session(ks2_form, school_class, class_teacher)
    client.force_login(class_teacher)  # even for a signed-in teacher's browser
    for path in (_kiosk(token), _kiosk(token, "pupil", pupil_id=pupil.pk), _kiosk(token, "finish")):
        html = client.get(path).content.decode()
        links = re.findall(r'href="([^"]+)"', html)
        assert all(link.startswith(("/static/", f"/kiosk/class/{token}/", "#")) for link in links), links
        assert "school-nav" not in html and "Sign out" not in html and "Priya Shah" not in html


def test_the_kiosk_lists_only_the_pupils_still_to_sign(school, school_class, class_teacher, ks2_form, pupil, client):
    classmate = PupilFactory(school=school, school_class=school_class, first_name="Ben", last_name="Okafor")
    signed_before = PupilFactory(school=school, school_class=school_class, first_name="Cara", last_name="Doyle")
    earlier, _ = _kiosk_session(ks2_form, school_class, class_teacher)
    _entry(earlier, signed_before, ks2_form)
    cs.confirm_session(session=earlier, by=class_teacher)
    session, token = _kiosk_session(ks2_form, school_class, class_teacher)
    _entry(session, classmate, ks2_form)
    html = client.get(_kiosk(token)).content.decode()
    assert "Amelia K." in html and "Ben O." not in html and "Cara D." not in html
    response = client.get(_kiosk(token, "pupil", pupil_id=signed_before.pk))
    assert response.status_code == 302


def test_two_pupils_with_the_same_short_name_show_their_surnames(school, school_class):
    a = PupilFactory(school=school, school_class=school_class, first_name="Sam", last_name="Jones")
    b = PupilFactory(school=school, school_class=school_class, first_name="Sam", last_name="James")
    c = PupilFactory(school=school, school_class=school_class, first_name="Ella", last_name="Jones")
    assert cs.display_names([a, b, c]) == {a.pk: "Sam Jones", b.pk: "Sam James", c.pk: "Ella J."}


def test_a_form_replaced_during_the_session_stops_the_kiosk_and_cannot_be_confirmed(
    school, head, school_class, class_teacher, ks2_form, pupil, client
):
    session, token = _kiosk_session(ks2_form, school_class, class_teacher)
    _entry(session, pupil, ks2_form)
    publish_new_version(ks2_form, head, statements=["I will be kind online."])
    response = client.get(_kiosk(token))
    assert response.status_code == 410
    assert "replaced this form with a newer version" in response.content.decode()
    client.force_login(class_teacher)
    assert "start a new one with the current form" in client.get(_review(school, session)).content.decode()
    response = client.post(_review(school, session), {"action": "confirm"}, follow=True)
    assert "Cancel this session and start a new one" in response.content.decode()
    assert not Signature.objects.exists()


def test_the_teacher_removes_a_wrong_entry_and_the_pupil_can_sign_again(
    school, school_class, class_teacher, ks2_form, pupil, client
):
    session, token = _kiosk_session(ks2_form, school_class, class_teacher)
    entry = _entry(session, pupil, ks2_form, name="Ben Okafor")
    client.force_login(class_teacher)
    review = client.get(_review(school, session)).content.decode()
    assert "this does not look like the pupil" in review
    client.post(_review(school, session), {"action": "remove", "entry": entry.pk})
    assert not ClassSessionEntry.objects.exists()
    assert "Amelia K." in Client().get(_kiosk(token)).content.decode()
    assert AuditEvent.objects.filter(action="class_session.entry_removed").exists()


def test_cancelling_a_session_signs_nothing(school, school_class, class_teacher, ks2_form, pupil, client):
    session, token = _kiosk_session(ks2_form, school_class, class_teacher)
    _entry(session, pupil, ks2_form)
    client.force_login(class_teacher)
    client.post(_review(school, session), {"action": "cancel"})
    session.refresh_from_db()
    assert session.cancelled_at is not None and not Signature.objects.exists()
    assert AuditEvent.objects.filter(action="class_session.cancelled").exists()
    client.post(_review(school, session), {"action": "confirm"})
    assert not Signature.objects.exists()


def test_a_pupil_who_signed_in_another_session_meanwhile_is_not_signed_twice(
    school_class, class_teacher, ks2_form, pupil
):
    first, _ = _kiosk_session(ks2_form, school_class, class_teacher)
    second, _ = _kiosk_session(ks2_form, school_class, class_teacher)
    _entry(first, pupil, ks2_form)
    _entry(second, pupil, ks2_form)
    cs.confirm_session(session=first, by=class_teacher)
    assert cs.confirm_session(session=second, by=class_teacher) == []
    assert Signature.objects.count() == 1


def test_a_new_kiosk_link_replaces_the_old_one(school, school_class, class_teacher, ks2_form, pupil, client):
    session, old = _kiosk_session(ks2_form, school_class, class_teacher)
    cs.close_kiosk(session=session)  # finished too early
    client.force_login(class_teacher)
    client.post(_review(school, session), {"action": "new_link"})
    new = client.session[f"class_session_token_{session.pk}"]
    assert new != old
    anonymous = Client()
    assert anonymous.get(_kiosk(old)).status_code == 404
    assert anonymous.get(_kiosk(new)).status_code == 200


def test_starting_on_a_device_without_the_link_keeps_the_teacher_signed_in(
    school, school_class, class_teacher, ks2_form, pupil, client
):
    session, _ = _kiosk_session(ks2_form, school_class, class_teacher)  # opened elsewhere
    client.force_login(class_teacher)
    start = reverse(
        "agreements:class_session_start_here", kwargs={"school_slug": school.slug, "session_id": session.pk}
    )
    response = client.post(start)
    assert response.url == _review(school, session)
    assert SESSION_KEY in client.session


def test_a_session_cannot_be_opened_for_a_class_that_has_all_signed(
    school, school_class, class_teacher, ks2_form, pupil, client
):
    session, _ = _kiosk_session(ks2_form, school_class, class_teacher)
    _entry(session, pupil, ks2_form)
    cs.confirm_session(session=session, by=class_teacher)
    client.force_login(class_teacher)
    url = reverse("agreements:class_session_open", kwargs={"school_slug": school.slug, "class_id": school_class.pk})
    response = client.post(url, {"form": ks2_form.pk}, follow=True)
    assert "has already signed it" in response.content.decode()
    assert ClassSession.objects.count() == 1


# --- EYFS/KS1 read-aloud ----------------------------------------------------------------------


def test_a_read_aloud_signs_for_the_pupils_present_and_the_absent_stay_outstanding(school, infants, eyfs_form, client):
    acorn, teacher, (ada, noah, zara) = infants
    client.force_login(teacher)
    page = client.get(_read_aloud_url(school, acorn, eyfs_form))
    html = page.content.decode()
    assert page.status_code == 200
    today = timezone.localdate()
    assert html.count("checked") == 3 and f'name="held_on_day" id="id_held_on_day" value="{today.day}"' in html
    day = timezone.localdate() - datetime.timedelta(days=1)
    response = client.post(
        _read_aloud_url(school, acorn, eyfs_form), {**date_data("held_on", day), "present": [ada.pk, zara.pk]}
    )
    assert response.url == _class_page(school, acorn)
    signatures = Signature.objects.order_by("pupil__first_name")
    assert [s.pupil for s in signatures] == [ada, zara]
    for signature in signatures:
        assert signature.method == Method.READ_ALOUD and signature.signer is None and signature.led_by == teacher
        assert signature.signer_name == signature.pupil.full_name
        assert timezone.localtime(signature.signed_at) == datetime.datetime.combine(
            day, datetime.time(9, 0), tzinfo=timezone.get_current_timezone()
        )
        assert signature.how == f"Read aloud to {signature.pupil.full_name} in class by Tom Reed"
    session = ClassSession.objects.get()
    assert session.mode == ClassSession.Mode.READ_ALOUD and session.confirmed_at and session.held_on == day

    must = pupils_who_must_sign(eyfs_form).filter(school_class=acorn)
    signed = pupil_signatures([eyfs_form], [p.pk for p in must])
    assert {p for p in must if (eyfs_form.pk, p.pk) not in signed} == {noah}

    # Noah is back today: only he is listed, and he can be recorded too.
    html = client.get(_read_aloud_url(school, acorn, eyfs_form)).content.decode()
    assert "Noah Patel" in html and "Ada Lee" not in html
    client.post(
        _read_aloud_url(school, acorn, eyfs_form),
        {**date_data("held_on", timezone.localdate()), "present": [noah.pk]},
    )
    assert Signature.objects.count() == 3 and ClassSession.objects.count() == 2
    assert "3 signed, 0 outstanding" in client.get(_class_page(school, acorn)).content.decode()


def test_a_read_aloud_today_is_recorded_no_later_than_now(school, infants, eyfs_form):
    acorn, teacher, (ada, _, _) = infants
    cs.record_read_aloud(
        form=eyfs_form, school_class=acorn, led_by=teacher, held_on=timezone.localdate(), present_pupil_ids=[ada.pk]
    )
    assert Signature.objects.get().signed_at <= timezone.now()


def test_a_read_aloud_in_the_future_is_refused_beside_the_field(school, infants, eyfs_form, client):
    acorn, teacher, (ada, _, _) = infants
    client.force_login(teacher)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = client.post(
        _read_aloud_url(school, acorn, eyfs_form), {**date_data("held_on", tomorrow), "present": [ada.pk]}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert re.search(
        r'class="errorlist[^"]*" id="id_held_on_error">\s*<span class="visually-hidden">Error:</span> '
        r"The day the form was read aloud cannot be in the future",
        html,
    )
    assert html.index('id="id_held_on_error"') < html.index('name="held_on_day"')
    assert not Signature.objects.exists() and not ClassSession.objects.exists()


def test_a_read_aloud_before_this_school_year_is_refused(school, infants, eyfs_form, client):
    acorn, teacher, (ada, _, _) = infants
    client.force_login(teacher)
    response = client.post(
        _read_aloud_url(school, acorn, eyfs_form),
        {**date_data("held_on", START - datetime.timedelta(days=1)), "present": [ada.pk]},
    )
    assert response.status_code == 400
    assert f"Choose a day in this school year: on or after {START:%d/%m/%Y}" in response.content.decode()


def test_a_read_aloud_with_nobody_ticked_is_refused(school, infants, eyfs_form, client):
    acorn, teacher, _ = infants
    client.force_login(teacher)
    response = client.post(_read_aloud_url(school, acorn, eyfs_form), date_data("held_on", START))
    assert response.status_code == 400
    assert "Tick the pupils who were there" in response.content.decode()


def test_the_same_read_aloud_submitted_twice_is_recorded_once(school, infants, eyfs_form, client):
    acorn, teacher, (ada, noah, _) = infants
    client.force_login(teacher)
    data = {**date_data("held_on", START), "present": [ada.pk, noah.pk]}
    first = cs.record_read_aloud(
        form=eyfs_form, school_class=acorn, led_by=teacher, held_on=START, present_pupil_ids=[ada.pk, noah.pk]
    )
    again = cs.record_read_aloud(
        form=eyfs_form, school_class=acorn, led_by=teacher, held_on=START, present_pupil_ids=[ada.pk, noah.pk]
    )
    assert first == again
    assert Signature.objects.count() == 2 and ClassSession.objects.count() == 1
    assert client.post(_read_aloud_url(school, acorn, eyfs_form), data).status_code == 400  # no longer on the list
    assert Signature.objects.count() == 2


def test_a_ks2_form_cannot_be_read_aloud_and_a_staff_form_is_not_found(school, head, infants, ks2_form, client):
    from tests.agreements.signing_helpers import publish_staff_form

    acorn, teacher, _ = infants
    client.force_login(teacher)
    assert client.get(_read_aloud_url(school, acorn, ks2_form)).status_code == 404
    staff_form = publish_staff_form(school, head, title="Staff code of conduct")
    assert client.get(_read_aloud_url(school, acorn, staff_form)).status_code == 404


# --- the class page --------------------------------------------------------------------------


def test_a_mixed_class_lists_both_pupils_forms_with_the_right_pupils(
    school, class_teacher, school_class, pupil, ks2_form, eyfs_form, client
):
    infant = PupilFactory(
        school=school, school_class=school_class, year_group=year_group(school, "2"), first_name="Ivy", last_name="Moss"
    )
    client.force_login(class_teacher)
    html = client.get(_class_page(school, school_class)).content.decode()
    assert "Start a class signing session" in html and "Record a read-aloud" in html
    sections = dict(re.findall(r'<h2 id="form-\d+-heading">([^<]+)</h2>(.*?)</section>', html, re.S))
    assert set(sections) == {ks2_form.title, eyfs_form.title}
    assert "Khan, Amelia" in sections[ks2_form.title] and "Moss, Ivy" not in sections[ks2_form.title]
    assert "Moss, Ivy" in sections[eyfs_form.title] and "Khan, Amelia" not in sections[eyfs_form.title]
    assert infant.year_group.key_stage == "ks1"


def test_the_class_page_takes_the_same_queries_however_many_pupils(
    school, school_class, class_teacher, ks2_form, eyfs_form, client, django_assert_num_queries
):
    client.force_login(class_teacher)
    url = _class_page(school, school_class)

    def add_pupils(n):
        for _ in range(n):
            pupil = PupilFactory(school=school, school_class=school_class)
            session = ClassSession.objects.filter(cancelled_at__isnull=True, confirmed_at__isnull=True).first()
            if session is None:
                session, _ = _kiosk_session(ks2_form, school_class, class_teacher)
            _entry(session, pupil, ks2_form)
            cs.confirm_session(session=session, by=class_teacher)

    add_pupils(2)
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    add_pupils(8)
    PupilFactory.create_batch(5, school=school, school_class=school_class)
    with django_assert_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


def test_the_pupil_list_links_to_the_class_agreements_for_its_teachers_and_the_head(
    school, school_class, class_teacher, head, client
):
    other_teacher = make_member(school, Role.TEACHER)
    url = reverse("schools:pupils", kwargs={"school_slug": school.slug}) + f"?class={school_class.pk}"
    for user, shown in [(class_teacher, True), (head, True), (other_teacher, False)]:
        sign_in_with_mfa(client, user)
        assert ("Pupils' agreements for this class" in client.get(url).content.decode()) is shown, user


# --- who may see what ----------------------------------------------------------------------------


def test_only_the_class_teacher_and_leadership_may_run_class_signing(
    school, school_class, class_teacher, head, ks2_form, pupil, infants, eyfs_form, parent, outsider, client
):
    acorn, _, _ = infants
    session, _ = _kiosk_session(ks2_form, school_class, class_teacher)
    _entry(session, pupil, ks2_form)
    teacher_of_another_class = make_member(school, Role.TEACHER)
    acorn.teachers.add(teacher_of_another_class.memberships.get(school=school))
    office = make_member(school, Role.OFFICE)
    business_manager = make_member(school, Role.BUSINESS_MANAGER)
    pages = [
        _class_page(school, school_class),
        _review(school, session),
        _read_aloud_url(school, school_class, eyfs_form),
    ]
    open_url = reverse(
        "agreements:class_session_open", kwargs={"school_slug": school.slug, "class_id": school_class.pk}
    )
    start = reverse(
        "agreements:class_session_start_here", kwargs={"school_slug": school.slug, "session_id": session.pk}
    )
    for user in (teacher_of_another_class, office, parent, outsider):
        sign_in_with_mfa(client, user)
        for path in pages:
            assert client.get(path).status_code == 404, (user, path)
        assert client.post(open_url, {"form": ks2_form.pk}).status_code == 404
        assert client.post(_review(school, session), {"action": "confirm"}).status_code == 404
        assert client.post(start).status_code == 404
    assert not Signature.objects.exists() and ClassSession.objects.count() == 1
    for user in (class_teacher, head, business_manager):
        sign_in_with_mfa(client, user)
        assert client.get(_class_page(school, school_class)).status_code == 200
        assert client.get(_review(school, session)).status_code == 200


def test_a_teacher_of_the_class_who_did_not_lead_the_session_cannot_review_it(
    school, school_class, class_teacher, ks2_form, pupil, client
):
    colleague = make_member(school, Role.TEACHER)
    school_class.teachers.add(colleague.memberships.get(school=school))
    session, _ = _kiosk_session(ks2_form, school_class, class_teacher)
    client.force_login(colleague)
    assert client.get(_class_page(school, school_class)).status_code == 200
    assert client.get(_review(school, session)).status_code == 404


def test_a_form_or_class_of_another_school_is_not_found(
    school, other_school, school_class, class_teacher, ks2_form, outsider, client
):
    other_form = publish_pupils_form(other_school, outsider, Audience.KS2)
    client.force_login(class_teacher)
    url = reverse("agreements:class_session_open", kwargs={"school_slug": school.slug, "class_id": school_class.pk})
    assert client.post(url, {"form": other_form.pk}).status_code == 404
    other_class = SchoolClassFactory(school=other_school)
    sign_in_with_mfa(client, make_member(school, Role.HEADTEACHER))
    assert client.get(_class_page(school, other_class)).status_code == 404
    assert not ClassSession.objects.exists()
