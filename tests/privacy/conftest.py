"""A pupil with a history in every area (agreements, consent, a loan, an incident),
and another child of the same class with a history of their own, whose data must
never appear in the first pupil's export."""

import io
import json
import zipfile
from dataclasses import dataclass

import pytest
from django.utils import timezone
from pypdf import PdfReader

from aup.models import Audience
from consent.models import ConsentDocument
from core.roles import Role
from devices import services as devices
from incidents import services as incidents
from tests.agreements.signing_helpers import publish_form_for
from tests.conftest import make_member
from tests.consent.helpers import answer, published_form
from tests.devices.conftest import make_device, sign_for
from tests.factories import GuardianshipFactory, PupilFactory
from tests.incidents.conftest import png_upload, report

# Distinctive names, so a test can search every file of an export for them.
# Not names Faker (en_GB) can give the other people the factories make.
OTHER_FIRST, OTHER_LAST = "Ottoline", "Quarshie-Brennard"
REPORTER_FIRST, REPORTER_LAST = "Quillan", "Zabrowski"


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.MEDIA_ROOT = tmp_path / "media"


@dataclass
class History:
    pupil: object
    parent: object
    other_pupil: object
    other_parent: object
    signature: object  # the parent's signature for the pupil
    other_signature: object
    consent_records: list
    other_consent: object
    loan: object
    incident: object


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def open_zip(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def export_json(files: dict[str, bytes]) -> dict:
    return json.loads(files["data.json"])


def every_text(files: dict[str, bytes]) -> str:
    """The text of every file of an export: PDFs parsed back, the rest decoded."""
    texts = []
    for name, data in files.items():
        texts.append(pdf_text(data) if name.endswith(".pdf") else data.decode())
    return "\n".join(texts)


@pytest.fixture
def history(school, school_class, head, pupil, parent, django_capture_on_commit_callbacks) -> History:
    from agreements import services as agreements

    other_pupil = PupilFactory(school=school, school_class=school_class, first_name=OTHER_FIRST, last_name=OTHER_LAST)
    other_parent = make_member(school, Role.PARENT, user__first_name="Grace", user__last_name=OTHER_LAST)
    GuardianshipFactory(pupil=other_pupil, carer=other_parent, relationship="mother")
    reporter = make_member(school, Role.TEACHER, user__first_name=REPORTER_FIRST, user__last_name=REPORTER_LAST)
    with django_capture_on_commit_callbacks(execute=True):
        parents_form = publish_form_for(school, head, Audience.PARENTS, title="Parents' ICT agreement")
        numbers = [s.number for s in parents_form.statements.all()]

        def sign_for_child(carer, child, key):
            return agreements.sign(
                form=parents_form,
                signer=carer,
                typed_name=carer.full_name,
                statements_agreed=numbers,
                submission_key=key,
                method="for_child",
                pupil=child,
            )

        signature = sign_for_child(parent, pupil, "sar-sign-1")
        other_signature = sign_for_child(other_parent, other_pupil, "sar-sign-2")
    with django_capture_on_commit_callbacks(execute=True):
        consent_form = published_form(school, head)
        first = answer(parent, pupil, consent_form, "sar-consent-1", website=True)
    with django_capture_on_commit_callbacks(execute=True):
        second = answer(parent, pupil, consent_form, "sar-consent-2", website=False, display_inside=True)
        other = answer(other_parent, other_pupil, consent_form, "sar-consent-3", website=True)
    with django_capture_on_commit_callbacks(execute=True):
        publish_form_for(school, head, Audience.LOANS, title="Equipment loans")
        laptop = make_device(school, serial_number="SAR-LAPTOP-1")
        loan = devices.lend(
            school=school, lent_by=head, devices=[laptop], pupil=pupil, carer=parent, until_leaving=True
        )
        sign_for(loan)
    with django_capture_on_commit_callbacks(execute=True):
        made = report(
            school,
            reporter,
            pupils=[pupil, other_pupil],
            description=f"{OTHER_FIRST} {OTHER_LAST} sent unkind messages to Amelia in the class chat.",
            others_involved=f"{OTHER_FIRST}'s older cousin.",
            evidence=png_upload(),
            evidence_taken_at=timezone.now(),
        )
        incident = incidents.triage(incident=made, by=head, severity="high", safeguarding=True)
    loan.refresh_from_db()
    assert ConsentDocument.objects.filter(record__in=[first[0], second[0]]).count() == 2
    return History(
        pupil=pupil,
        parent=parent,
        other_pupil=other_pupil,
        other_parent=other_parent,
        signature=signature,
        other_signature=other_signature,
        consent_records=[first[0], second[0]],
        other_consent=other[0],
        loan=loan,
        incident=incident,
    )
