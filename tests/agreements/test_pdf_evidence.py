"""The signed PDF's evidence section, for every way of signing: who signed, for whom,
how, when (UK time), from which device, the name as typed, the drawn signature, the
form's SHA-256 and who led or recorded it. Each PDF is rendered by the task that makes
it, then read back with pypdf."""

import datetime
import io
import re

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from pypdf import PdfReader

from agreements import class_sessions as cs
from agreements import paper
from agreements.models import Signature
from agreements.signing_record import policy_rows
from agreements.tasks import render_signed_pdf
from aup.models import Audience
from core.roles import Role
from tests.agreements.signing_helpers import png_data_url, publish_form_for, publish_staff_form
from tests.conftest import make_member
from tests.factories import PupilFactory, SchoolClassFactory, year_group

from .pdf_helpers import private_media, sign  # noqa: F401

pytestmark = pytest.mark.usefixtures("private_media")

SUMMER_MORNING = datetime.datetime(2026, 7, 14, 9, 5, tzinfo=datetime.UTC)  # 10:05 BST
SIGNER_DEVICE = {"REMOTE_ADDR": "192.0.2.5", "HTTP_USER_AGENT": "StaffBrowser/1.0"}
KIOSK_DEVICE = {"REMOTE_ADDR": "10.20.30.40", "HTTP_USER_AGENT": "ClassroomIPad/17.4"}
TEACHER_DEVICE = {"REMOTE_ADDR": "192.0.2.77", "HTTP_USER_AGENT": "TeacherLaptop/11"}
OFFICE_DEVICE = {"REMOTE_ADDR": "192.0.2.90", "HTTP_USER_AGENT": "OfficePC/3"}


def request_from(device, user=None):
    request = RequestFactory().post("/", **device)
    request.user = user
    return request


def evidence_of(signature) -> tuple[str, PdfReader]:
    """The PDF the task stores, read back: its text on one line, and the reader."""
    render_signed_pdf(signature.pk)
    signature = Signature.objects.get(pk=signature.pk)
    reader = PdfReader(io.BytesIO(signature.document.file.read()))
    text = " ".join("\n".join(page.extract_text() for page in reader.pages).split())
    return text, reader


def squashed(text: str) -> str:
    """Long values (hashes, user agents) may wrap anywhere: compare without spaces."""
    return re.sub(r"\s+", "", text)


def test_a_staff_members_own_signature_has_the_whole_evidence_section(school, teacher):
    form = publish_staff_form(school, make_member(school, Role.HEADTEACHER))
    with time_machine.travel(SUMMER_MORNING, tick=False):
        signature = sign_self(form, teacher, drawn_signature=png_data_url())

    text, reader = evidence_of(signature)

    assert "Evidence of signing" in text
    assert f"Signed by {teacher.full_name} ({teacher.email})" in text
    assert "For whom Themselves" in text
    assert "Method Signed in the portal" in text
    assert "Date and time (UK) Tuesday 14 July 2026 at 10:05 BST" in text
    assert "IP address 192.0.2.5" in text
    assert "Browser (user agent) StaffBrowser/1.0" in text
    assert f"Name as typed {teacher.full_name}" in text
    assert len({image.name for page in reader.pages for image in page.images}) == 1  # the drawn signature
    numbers = ", ".join(str(s.number) for s in form.statements.all())
    assert f"Statements agreed {numbers}" in text
    assert squashed(f"Form text (SHA-256) {form.text_sha256}") in squashed(text)
    assert "led by" not in text.lower() and "Recorded by" not in text


def sign_self(form, user, **kwargs):
    from agreements import services

    return services.sign(
        form=form,
        signer=user,
        typed_name=user.full_name,
        statements_agreed=[s.number for s in form.statements.all()],
        submission_key=f"self-{user.pk}",
        request=request_from(SIGNER_DEVICE, user),
        **kwargs,
    )


def test_a_parents_signature_names_them_and_the_child_they_signed_for(school, head, parent, pupil):
    from agreements import services

    form = publish_form_for(school, head, Audience.PARENTS)
    with time_machine.travel(SUMMER_MORNING, tick=False):
        signature = services.sign(
            form=form,
            signer=parent,
            typed_name="Sara Khan",
            statements_agreed=[s.number for s in form.statements.all()],
            submission_key="parent-1",
            request=request_from(SIGNER_DEVICE, parent),
            method="for_child",
            pupil=pupil,
        )

    text, _ = evidence_of(signature)

    assert f"Signed by {parent.full_name} ({parent.email}), a parent or carer" in text
    assert "For whom Amelia Khan, their child" in text
    assert "Method Signed by a parent or carer for their child" in text
    assert "Date and time (UK) Tuesday 14 July 2026 at 10:05 BST" in text
    assert "IP address 192.0.2.5" in text and "Browser (user agent) StaffBrowser/1.0" in text
    assert "Name as typed Sara Khan" in text
    assert "Signature as drawn None drawn" in text


def test_a_pupils_kiosk_signature_shows_the_classroom_device_and_the_teachers_confirmation(
    school, school_class, pupil, head
):
    teacher = make_member(school, Role.TEACHER, user__first_name="Priya", user__last_name="Shah")
    school_class.teachers.add(teacher.memberships.get(school=school))
    form = publish_form_for(school, head, Audience.KS2)
    with time_machine.travel(SUMMER_MORNING, tick=False):
        session, _ = cs.open_kiosk_session(form=form, school_class=school_class, led_by=teacher)
        cs.record_entry(
            session=session,
            pupil=pupil,
            typed_name="Amelia Khan",
            statements_agreed=[s.number for s in form.statements.all()],
            request=request_from(KIOSK_DEVICE),
        )
    with time_machine.travel(SUMMER_MORNING + datetime.timedelta(minutes=40), tick=False):
        (signature,) = cs.confirm_session(session=session, by=teacher, request=request_from(TEACHER_DEVICE, teacher))

    text, _ = evidence_of(signature)

    assert "Signed by Amelia Khan, a pupil" in text
    assert "For whom Themselves" in text
    assert "parent or carer" not in text
    assert "Method Signed by the pupil in a class session" in text
    assert "Signed on the classroom device Tuesday 14 July 2026 at 10:05 BST" in text
    assert "Confirmed by the teacher Tuesday 14 July 2026 at 10:45 BST" in text
    assert f"Session led by Priya Shah ({teacher.email})" in text
    assert "Classroom device IP address 10.20.30.40" in text
    assert "Classroom device browser ClassroomIPad/17.4" in text
    assert "Teacher's device IP address 192.0.2.77" in text
    assert "Teacher's device browser TeacherLaptop/11" in text
    assert "Name as typed Amelia Khan" in text


def test_a_read_aloud_names_the_pupil_the_day_and_the_teacher_who_read_it(school, head):
    infants = SchoolClassFactory(school=school, name="Acorn", year_group=year_group(school, "1"))
    teacher = make_member(school, Role.TEACHER, user__first_name="Tom", user__last_name="Reed")
    infants.teachers.add(teacher.memberships.get(school=school))
    ada = PupilFactory(school=school, school_class=infants, first_name="Ada", last_name="Lee")
    form = publish_form_for(school, head, Audience.EYFS_KS1)
    with time_machine.travel(SUMMER_MORNING, tick=False):
        cs.record_read_aloud(
            form=form,
            school_class=infants,
            led_by=teacher,
            held_on=datetime.date(2026, 7, 13),
            present_pupil_ids=[ada.pk],
            request=request_from(TEACHER_DEVICE, teacher),
        )
    signature = Signature.objects.get(pupil=ada)

    text, _ = evidence_of(signature)

    assert "Read aloud to Ada Lee, a pupil" in text
    assert "For whom Themselves" in text
    assert "Method Read aloud to the class" in text
    assert "Read aloud on Monday 13 July 2026" in text
    assert "Recorded in the portal Tuesday 14 July 2026 at 10:05 BST" in text
    assert f"Read aloud by Tom Reed ({teacher.email})" in text
    assert "Recorded from IP address 192.0.2.77" in text
    assert "Recorded from browser TeacherLaptop/11" in text
    assert "Name as typed None: the form was read aloud to the pupil" in text
    assert "09:00" not in text  # the time of day is not known, so it is not shown


def test_a_paper_form_names_the_parent_the_child_the_day_and_the_office_member_who_recorded_it(
    school, head, office, pupil
):
    form = publish_form_for(school, head, Audience.PARENTS)
    with time_machine.travel(SUMMER_MORNING, tick=False):
        signature = paper.record_paper_form(
            form=form,
            recorded_by=office,
            typed_name="Nadia Khan",
            signed_on=datetime.date(2026, 7, 1),
            scan=SimpleUploadedFile("scan.pdf", b"%PDF-1.7\n%%EOF\n"),
            submission_key="paper-evidence",
            pupil=pupil,
            request=request_from(OFFICE_DEVICE, office),
        )

    text, _ = evidence_of(signature)

    assert "Signed by Nadia Khan, a parent or carer, on paper" in text
    assert "For whom Amelia Khan, their child" in text
    assert "Method Paper form recorded by the office" in text
    assert "Signed on paper on Wednesday 1 July 2026" in text
    assert "Recorded in the portal Tuesday 14 July 2026 at 10:05 BST" in text
    assert f"Recorded by {office.full_name} ({office.email})" in text
    assert "Recorded from IP address 192.0.2.90" in text
    assert "Name as written on the form Nadia Khan" in text
    assert "Signature as drawn On the paper form: see its scan" in text


def test_a_ks2_pupils_paper_form_says_the_pupil_signed_it_for_themselves(school, head, office, pupil):
    form = publish_form_for(school, head, Audience.KS2)
    with time_machine.travel(SUMMER_MORNING, tick=False):
        signature = paper.record_paper_form(
            form=form,
            recorded_by=office,
            typed_name="Amelia Khan",
            signed_on=datetime.date(2026, 7, 1),
            scan=SimpleUploadedFile("scan.pdf", b"%PDF-1.7\n%%EOF\n"),
            submission_key="paper-ks2",
            pupil=pupil,
            request=request_from(OFFICE_DEVICE, office),
        )

    text, _ = evidence_of(signature)

    assert "Signed by Amelia Khan, a pupil, on paper" in text
    assert "For whom Themselves" in text
    assert "parent or carer" not in text
    assert f"Recorded by {office.full_name} ({office.email})" in text


def test_the_policys_sha256_and_when_it_was_shown_are_in_the_evidence(school, teacher):
    from agreements.pdf import signed_pdf_html

    form = publish_staff_form(school, make_member(school, Role.HEADTEACHER))
    signature = sign_self(form, teacher)
    version = form.version
    version.refresh_from_db()
    html = signed_pdf_html(signature)
    # The signature recorded the policy its statements refer to, by its text's hash.
    assert signature.policy_body_sha256 and signature.policy_body_sha256 == version.body_sha256
    assert "Policy text (SHA-256)" in html and signature.policy_body_sha256 in html
    assert [row.label for row in policy_rows(signature)][:1] == ["Policy text (SHA-256)"]
