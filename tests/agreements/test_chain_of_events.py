"""The chain of events on a signed PDF's evidence page (issue 20), read like an audit
trail: sent, each reminder emailed before signing, opened, policy read, signed, issued;
a countersignature still awaited is said as such."""

import datetime
import io

import pytest
import time_machine
from django.test import RequestFactory
from pypdf import PdfReader

from agreements import services
from agreements.chain import chain_of_events
from agreements.models import Signature
from agreements.tasks import render_signed_pdf
from core.roles import Role
from reminders.models import ReminderEmail, ReminderItem
from tests.agreements.signing_helpers import publish_staff_form
from tests.conftest import make_member

from .pdf_helpers import private_media  # noqa: F401

UTC = datetime.UTC
PUBLISHED = datetime.datetime(2026, 7, 1, 8, 0, tzinfo=UTC)
REMINDED = datetime.datetime(2026, 7, 8, 7, 30, tzinfo=UTC)
OPENED = datetime.datetime(2026, 7, 14, 9, 0, tzinfo=UTC)
READ = datetime.datetime(2026, 7, 14, 9, 2, tzinfo=UTC)
SIGNED = datetime.datetime(2026, 7, 14, 9, 5, tzinfo=UTC)


@pytest.fixture
def signature(school, teacher):
    head = make_member(school, Role.HEADTEACHER)
    with time_machine.travel(PUBLISHED, tick=False):
        form = publish_staff_form(school, head)
    email = ReminderEmail.objects.create(
        recipient=teacher, day=REMINDED.date(), state=ReminderEmail.State.SENT, send_after=REMINDED, sent_at=REMINDED
    )
    ReminderItem.objects.create(
        school=school,
        recipient=teacher,
        email=email,
        kind=ReminderItem.Kind.SIGNATURE,
        subject_key=f"form:{form.pk}",
        due_on=REMINDED.date(),
        text=f"Please read and sign: {form.full_title}.",
        action_url="/",
    )
    # A reminder to someone else, and one queued but never sent, are not in the chain.
    other = make_member(school, Role.TEACHER)
    unsent = ReminderEmail.objects.create(recipient=teacher, day=SIGNED.date(), send_after=SIGNED)
    for recipient, mail in ((other, email), (teacher, unsent)):
        ReminderItem.objects.create(
            school=school,
            recipient=recipient,
            email=mail,
            kind=ReminderItem.Kind.SIGNATURE,
            subject_key=f"form:{form.pk}" if recipient == other else f"form:{form.pk}",
            due_on=SIGNED.date() if mail == unsent else REMINDED.date() + datetime.timedelta(days=1),
            text="Someone else's",
            action_url="/",
        )
    request = RequestFactory().post("/", REMOTE_ADDR="192.0.2.5", HTTP_USER_AGENT="StaffBrowser/1.0")
    request.user = teacher
    with time_machine.travel(SIGNED, tick=False):
        return services.sign(
            form=form,
            signer=teacher,
            typed_name=teacher.full_name,
            statements_agreed=[s.number for s in form.statements.all()],
            submission_key="chain-1",
            request=request,
            policy_presented_at=OPENED,
            policy_opened_at=READ,
        )


def test_the_chain_lists_each_event_in_order(signature, teacher):
    issued = datetime.datetime(2026, 7, 14, 9, 6, tzinfo=UTC)
    rows = chain_of_events(signature, issued_at=issued)
    assert [(row.when, row.what) for row in rows] == [
        ("1 Jul 2026, 09:00:00 BST", "Sent"),
        ("8 Jul 2026, 08:30:00 BST", "Reminder sent"),
        ("14 Jul 2026, 10:00:00 BST", "Opened"),
        ("14 Jul 2026, 10:02:00 BST", "Policy read"),
        ("14 Jul 2026, 10:05:00 BST", "Signed"),
        ("14 Jul 2026, 10:06:00 BST", "Issued"),
    ]
    assert rows[1].detail == f"Emailed to {teacher.email}: Please read and sign: {signature.form.full_title}."
    assert "IP address 192.0.2.5; StaffBrowser/1.0" in rows[4].detail


def test_the_evidence_page_of_the_pdf_carries_the_chain(signature, private_media):  # noqa: F811
    render_signed_pdf(signature.pk)
    document = Signature.objects.get(pk=signature.pk).document
    reader = PdfReader(io.BytesIO(document.file.read()))
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert "Chain of events Date and time (UK) Event Details" in text
    assert "8 Jul 2026, 08:30:00 BST Reminder sent" in text
    assert "14 Jul 2026, 10:05:00 BST Signed" in text
    assert "Countersignature" not in text  # a staff agreement awaits none
