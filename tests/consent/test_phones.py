import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from consent import phones
from consent.models import PhonePermission, PhoneStatus
from core.models import AuditEvent
from core.roles import Role
from reminders.models import ReminderItem
from reminders.phone_sweeps import decided_meanwhile, phone_requests_waiting, waiting_step
from reminders.sweeps import SchoolScan
from tests.conftest import make_member
from tests.factories import GuardianshipFactory, PupilFactory, SchoolClassFactory

pytestmark = pytest.mark.django_db

REQUEST_URL = "family_consent:phone_request"


def _form(key="phone-key-1", **overrides):
    data = {
        "reason": "Ottoline walks home alone on Tuesdays.",
        "agree": "on",
        "typed_name": "Persephone Quill",
        "submission_key": key,
    }
    data.update(overrides)
    return data


def _ask(carer, pupil, key="k1", reason="Walks home alone."):
    return phones.request_permission(
        carer=carer, pupil=pupil, reason=reason, typed_name="Persephone Quill", agreed=True, submission_key=key
    )


# --- Carers ---------------------------------------------------------------------------


def test_a_parent_asks_signs_and_sees_the_request_waiting(client_for, parent, pupil):
    client = client_for(parent)
    page = client.get(reverse(REQUEST_URL, args=[pupil.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "handed in" in body or "hands the phone in" in body
    assert "not responsible for the loss" in body
    response = client.post(reverse(REQUEST_URL, args=[pupil.pk]), _form(), HTTP_USER_AGENT="PhoneBrowser/1")
    assert response.status_code == 302
    permission = PhonePermission.objects.get()
    assert permission.status == PhoneStatus.REQUESTED
    assert permission.signer_name == "Persephone Quill"
    assert permission.reason == "Ottoline walks home alone on Tuesdays."
    assert permission.user_agent == "PhoneBrowser/1" and permission.ip_address
    assert AuditEvent.objects.filter(action="phones.requested").count() == 1
    home = client.get(reverse("family_consent:phones")).content.decode()
    assert "Waiting" in home and "Withdraw the request" in home


def test_the_reason_and_the_ticked_rules_and_the_name_are_needed(client_for, parent, pupil):
    client = client_for(parent)
    url = reverse(REQUEST_URL, args=[pupil.pk])
    for missing, message in (
        ({"reason": "   "}, "Say why"),
        ({"agree": ""}, "Tick to agree"),
        ({"typed_name": ""}, "Type your full name"),
    ):
        data = {k: v for k, v in _form(**missing).items() if v != ""}
        response = client.post(url, data)
        assert response.status_code == 400
        assert message in response.content.decode()
    assert not PhonePermission.objects.exists()


def test_submitting_the_same_request_twice_makes_one(client_for, parent, pupil):
    client = client_for(parent)
    url = reverse(REQUEST_URL, args=[pupil.pk])
    assert client.post(url, _form(key="double")).status_code == 302
    assert client.post(url, _form(key="double")).status_code == 302
    assert PhonePermission.objects.count() == 1
    assert AuditEvent.objects.filter(action="phones.requested").count() == 1


def test_a_second_request_while_one_is_open_gives_a_clear_message(client_for, school, parent, pupil):
    father = make_member(school, Role.PARENT)
    GuardianshipFactory(pupil=pupil, carer=father, relationship="father")
    _ask(father, pupil)
    response = client_for(parent).post(reverse(REQUEST_URL, args=[pupil.pk]), _form(key="second"))
    assert response.status_code == 400
    assert "already a request or a permission" in response.content.decode()
    assert PhonePermission.objects.count() == 1


def test_the_database_allows_one_open_permission_per_pupil(parent, pupil):
    first = _ask(parent, pupil)
    with pytest.raises(IntegrityError), transaction.atomic():
        PhonePermission.objects.create(
            school=first.school,
            pupil=pupil,
            carer=parent,
            reason="Again",
            signer_name="X Y",
            signed_at=timezone.now(),
            submission_key="raw-second",
        )
    PhonePermission.objects.filter(pk=first.pk).update(status=PhoneStatus.REFUSED)
    assert _ask(parent, pupil, key="after-refusal").status == PhoneStatus.REQUESTED


def test_another_childs_id_is_404_for_a_parent(client_for, school, parent, pupil, other_school, school_class):
    stranger = PupilFactory(school=school, school_class=school_class, first_name="Leopold")
    elsewhere = PupilFactory(school=other_school, first_name="Hyacinth")
    client = client_for(parent)
    for child in (stranger, elsewhere):
        assert client.get(reverse(REQUEST_URL, args=[child.pk])).status_code == 404
        assert client.post(reverse(REQUEST_URL, args=[child.pk]), _form(key=f"x{child.pk}")).status_code == 404
        assert client.post(reverse("family_consent:phone_end", args=[child.pk])).status_code == 404
    assert not PhonePermission.objects.exists()
    assert "Leopold" not in client.get(reverse("family_consent:phones")).content.decode()


def test_a_carer_without_parental_responsibility_cannot_ask_or_end(client_for, school, parent, pupil):
    step = make_member(school, Role.PARENT)
    GuardianshipFactory(pupil=pupil, carer=step, relationship="step_parent", parental_responsibility=False)
    client = client_for(step)
    assert client.get(reverse(REQUEST_URL, args=[pupil.pk])).status_code == 404
    assert client.post(reverse(REQUEST_URL, args=[pupil.pk]), _form(key="step")).status_code == 404
    with pytest.raises(PermissionDenied):
        _ask(step, pupil, key="step2")
    _ask(parent, pupil)
    assert client.post(reverse("family_consent:phone_end", args=[pupil.pk])).status_code == 404
    assert PhonePermission.objects.get().status == PhoneStatus.REQUESTED
    # They still see the child's status on their page, without the buttons.
    home = client.get(reverse("family_consent:phones")).content.decode()
    assert "Waiting" in home and "Only a carer with parental responsibility" in home


def test_a_parent_ends_an_approval(client_for, head, parent, pupil):
    permission = phones.decide(permission=_ask(parent, pupil), by=head, approve=True)
    client = client_for(parent)
    assert "no longer brings a phone" in client.get(reverse("family_consent:phones")).content.decode()
    assert client.post(reverse("family_consent:phone_end", args=[pupil.pk])).status_code == 302
    permission.refresh_from_db()
    assert permission.status == PhoneStatus.ENDED and permission.ended_by == parent
    assert AuditEvent.objects.filter(action="phones.ended").count() == 1
    assert "Ended" in client.get(reverse("family_consent:phones")).content.decode()


def test_the_family_home_links_to_the_phone_page(client_for, parent):
    body = client_for(parent).get(reverse("family:home")).content.decode()
    assert reverse("family_consent:phones") in body


def test_the_family_page_works_at_phone_width_markup(client_for, parent, pupil):
    body = client_for(parent).get(reverse(REQUEST_URL, args=[pupil.pk])).content.decode()
    assert 'name="viewport"' in body and "page--narrow" in body
    assert 'style="' not in body


# --- The head decides -----------------------------------------------------------------


def test_the_head_sees_waiting_requests_and_approves(
    client_for, school, head, parent, pupil, mailoutbox, django_capture_on_commit_callbacks
):
    permission = _ask(parent, pupil, reason="Catches the 4pm bus to her grandmother's.")
    client = client_for(head)
    page = client.get(reverse("consent:phone_requests", args=[school.slug])).content.decode()
    assert "Catches the 4pm bus" in page and "Persephone Quill" in page and pupil.full_name in page
    url = reverse("consent:phone_decide", args=[school.slug, permission.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {f"p{permission.pk}-decision": "approve"})
    assert response.status_code == 302
    permission.refresh_from_db()
    assert permission.status == PhoneStatus.APPROVED and permission.decided_by == head
    assert AuditEvent.objects.filter(action="phones.approved").count() == 1
    assert len(mailoutbox) == 1 and parent.email in mailoutbox[0].to
    assert "may bring a mobile phone" in mailoutbox[0].subject


def test_refusing_needs_a_reason_which_the_parent_sees(client_for, school, head, parent, pupil, mailoutbox):
    permission = _ask(parent, pupil)
    client = client_for(head)
    url = reverse("consent:phone_decide", args=[school.slug, permission.pk])
    response = client.post(url, {f"p{permission.pk}-decision": "refuse", f"p{permission.pk}-note": ""})
    assert response.status_code == 400 and "Give a reason" in response.content.decode()
    permission.refresh_from_db()
    assert permission.status == PhoneStatus.REQUESTED
    reason = "Pupils in Year 2 are collected by an adult."
    client.post(url, {f"p{permission.pk}-decision": "refuse", f"p{permission.pk}-note": reason})
    permission.refresh_from_db()
    assert permission.status == PhoneStatus.REFUSED and permission.decision_note == reason
    home = client_for(parent).get(reverse("family_consent:phones")).content.decode()
    assert "Refused" in home and reason in home
    with pytest.raises(ValidationError):
        phones.decide(permission=permission, by=head, approve=True)


def test_the_decision_email_is_sent_once(head, parent, pupil, mailoutbox):
    permission = phones.decide(permission=_ask(parent, pupil), by=head, approve=False, note="Not this term.")
    phones.notify_phone_decision(permission.pk)
    phones.notify_phone_decision(permission.pk)
    assert len(mailoutbox) == 1
    assert "Not this term." in mailoutbox[0].body


def test_a_failed_decision_email_is_unmarked_so_the_retry_sends_it_once(
    head, parent, pupil, mailoutbox, settings, monkeypatch
):
    import smtplib

    from django.core.mail.backends.locmem import EmailBackend

    permission = phones.decide(permission=_ask(parent, pupil), by=head, approve=True)
    real_send = EmailBackend.send_messages

    def refuse(self, messages):
        raise smtplib.SMTPServerDisconnected("the mail server went away")

    monkeypatch.setattr(EmailBackend, "send_messages", refuse)
    with pytest.raises(smtplib.SMTPException):
        phones.notify_phone_decision(permission.pk)
    permission.refresh_from_db()
    assert permission.decision_emailed_at is None and mailoutbox == []

    monkeypatch.setattr(EmailBackend, "send_messages", real_send)
    phones.notify_phone_decision(permission.pk)  # the retry
    phones.notify_phone_decision(permission.pk)  # a redelivery
    permission.refresh_from_db()
    assert permission.decision_emailed_at is not None and len(mailoutbox) == 1


def test_only_the_head_decides(client_for, school, deputy, office, parent, pupil):
    permission = _ask(parent, pupil)
    url = reverse("consent:phone_decide", args=[school.slug, permission.pk])
    for user in (deputy, office):
        client = client_for(user)
        assert client.get(reverse("consent:phone_requests", args=[school.slug])).status_code == 404
        assert client.post(url, {f"p{permission.pk}-decision": "approve"}).status_code == 404
        assert client.post(reverse("consent:phone_end", args=[school.slug, permission.pk])).status_code == 404
    permission.refresh_from_db()
    assert permission.status == PhoneStatus.REQUESTED


def test_another_schools_request_is_404_for_the_head(client_for, school, head, other_school):
    pupil = PupilFactory(school=other_school, first_name="Bartholomew")
    carer = make_member(other_school, Role.PARENT)
    GuardianshipFactory(pupil=pupil, carer=carer)
    permission = _ask(carer, pupil)
    client = client_for(head)
    url = reverse("consent:phone_decide", args=[school.slug, permission.pk])
    assert client.post(url, {f"p{permission.pk}-decision": "approve"}).status_code == 404
    assert client.post(reverse("consent:phone_end", args=[school.slug, permission.pk])).status_code == 404
    assert "Bartholomew" not in client.get(reverse("consent:phone_requests", args=[school.slug])).content.decode()


def test_the_head_ends_an_approval(client_for, school, head, parent, pupil):
    permission = phones.decide(permission=_ask(parent, pupil), by=head, approve=True)
    client_for(head).post(reverse("consent:phone_end", args=[school.slug, permission.pk]))
    permission.refresh_from_db()
    assert permission.status == PhoneStatus.ENDED and permission.ended_by == head


# --- The office's list ----------------------------------------------------------------


def _approved_pupils(school, head, n, prefix):
    school_class = SchoolClassFactory(school=school, name=f"{prefix} class")
    for i in range(n):
        child = PupilFactory(school=school, school_class=school_class, first_name=f"{prefix}{i}")
        carer = make_member(school, Role.PARENT)
        GuardianshipFactory(pupil=child, carer=carer)
        phones.decide(permission=_ask(carer, child, key=f"{prefix}-{i}"), by=head, approve=True)


def test_the_office_sees_who_hands_in_phones_by_class_and_can_print_it(client_for, school, head, office, parent, pupil):
    phones.decide(permission=_ask(parent, pupil), by=head, approve=True)
    waiting_child = PupilFactory(school=school, first_name="Wilhelmina")
    GuardianshipFactory(pupil=waiting_child, carer=parent)
    _ask(parent, waiting_child, key="waiting")
    client = client_for(office)
    page = client.get(reverse("consent:phones", args=[school.slug]))
    body = page.content.decode()
    assert page.status_code == 200
    assert pupil.full_name in body and "Oak" in body and timezone.localdate().strftime("%d/%m/%Y") in body
    assert "Wilhelmina" not in body  # not approved yet
    assert "Requests waiting" not in body  # the office does not decide
    printed = client.get(reverse("consent:phones_print", args=[school.slug])).content.decode()
    assert pupil.full_name in printed and "phones.css" in printed


def test_a_leaver_is_not_on_the_office_list(client_for, school, head, office, parent, pupil):
    phones.decide(permission=_ask(parent, pupil), by=head, approve=True)
    pupil.leaving_date = timezone.localdate() - datetime.timedelta(days=1)
    pupil.save()
    assert pupil.full_name not in client_for(office).get(reverse("consent:phones", args=[school.slug])).content.decode()


def test_the_office_list_runs_a_fixed_number_of_queries(client_for, school, head, office):
    from django.db import connection

    client = client_for(office)
    url = reverse("consent:phones", args=[school.slug])
    counts = []
    for n, prefix in ((3, "Small"), (27, "Large")):
        _approved_pupils(school, head, n, prefix)
        client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        counts.append(len(ctx.captured_queries))
    assert sum(len(g.permissions) for g in response.context["groups"]) == 30
    assert counts[0] == counts[1], counts


def test_parents_and_teachers_cannot_see_the_office_list(client_for, school, teacher, parent):
    for user in (teacher, parent):
        assert client_for(user).get(reverse("consent:phones", args=[school.slug])).status_code == 404


# --- Reminders ------------------------------------------------------------------------


def test_waiting_step_is_the_day_after_then_weekly():
    asked = datetime.date(2026, 3, 2)
    assert waiting_step(asked, asked) is None
    assert waiting_step(asked, datetime.date(2026, 3, 3)) == (0, datetime.date(2026, 3, 3))
    assert waiting_step(asked, datetime.date(2026, 3, 9)) == (0, datetime.date(2026, 3, 3))
    assert waiting_step(asked, datetime.date(2026, 3, 10)) == (1, datetime.date(2026, 3, 10))


def test_each_head_is_reminded_of_a_waiting_request_without_the_pupils_name(school, head, parent, pupil):
    permission = _ask(parent, pupil)
    asked_on = timezone.localdate(permission.signed_at)
    assert list(phone_requests_waiting(SchoolScan(school, asked_on))) == []
    items = list(phone_requests_waiting(SchoolScan(school, asked_on + datetime.timedelta(days=1))))
    assert [i["recipient_id"] for i in items] == [head.pk]
    assert items[0]["kind"] == ReminderItem.Kind.PHONES
    assert pupil.first_name not in items[0]["text"] and pupil.last_name not in items[0]["text"]
    later = list(phone_requests_waiting(SchoolScan(school, asked_on + datetime.timedelta(days=8))))
    assert later[0]["subject_key"] != items[0]["subject_key"]
    phones.decide(permission=permission, by=head, approve=True)
    assert list(phone_requests_waiting(SchoolScan(school, asked_on + datetime.timedelta(days=8)))) == []


def test_a_reminder_is_done_once_the_request_is_decided(school, head, parent, pupil):
    from reminders.still_due import done_meanwhile

    permission = _ask(parent, pupil)
    items = [ReminderItem(pk=1, kind=ReminderItem.Kind.PHONES, subject_key=f"phone:{permission.pk}:0")]
    assert done_meanwhile(items, head) == set()
    assert decided_meanwhile(items, head) == set()
    phones.decide(permission=permission, by=head, approve=False, note="No.")
    assert done_meanwhile(items, head) == {1}
