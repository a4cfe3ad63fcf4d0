"""Rows for a pupil's whole record, built directly (no services, so no emails, tasks
or audit events): `many` of each kind of thing, for the capability matrix and the
query counts."""

import datetime
import itertools

from django.utils import timezone

from agreements.models import FormText, Signature
from aup.models import AgreementForm, Policy, PolicyVersion, Statement
from consent.models import ConsentForm, ConsentPurpose, ConsentRecord, PhonePermission, PlannedPost
from devices.models import Device, Loan, LoanItem
from incidents.models import Incident, IncidentEntry
from tests.factories import UserFactory

_numbers = itertools.count(1)


def published_form(school, audience, title="Home-school agreement"):
    policy = Policy.objects.create(school=school, title=f"{title} {next(_numbers)}")
    version = PolicyVersion.objects.create(policy=policy, number=1, status="published", created_by=UserFactory())
    form = AgreementForm.objects.create(version=version, audience=audience, title=title)
    Statement.objects.create(form=form, number=1, text="We agree to the rules.")
    text = FormText.objects.create(sha256=f"ab{next(_numbers):062d}", text=form.canonical_text())
    AgreementForm.objects.filter(pk=form.pk).update(text_sha256=text.sha256)
    form.text_sha256 = text.sha256
    return form


def sign_for(form, pupil, carer):
    return Signature.objects.create(
        school=pupil.school,
        form=form,
        text=FormText.objects.get(sha256=form.text_sha256),
        method="for_child",
        signer=carer,
        signer_name=carer.full_name,
        pupil=pupil,
        statements_agreed=[1],
        academic_year=2026,
        signed_at=timezone.now(),
        submission_key=f"record-{next(_numbers)}",
    )


def consent_form(school):
    form = ConsentForm.objects.filter(school=school, status="published").first()
    if form is None:
        form = ConsentForm.objects.create(
            school=school, version=1, status="published", created_by=UserFactory(), text_sha256="d" * 64
        )
        ConsentPurpose.objects.create(form=form, code="website", label="The school website", order=1)
        ConsentPurpose.objects.create(form=form, code="press", label="Newspapers, TV and other media", order=2)
    return form


def consent_answers(pupil, carer, many):
    """`many` answers by one carer, each replacing the one before (the history)."""
    form = consent_form(pupil.school)
    text, _ = FormText.objects.get_or_create(sha256="d" * 64, defaults={"text": "Consent"})
    previous = None
    for n in range(many):
        previous = ConsentRecord.objects.create(
            school=pupil.school,
            form=form,
            text=text,
            carer=carer,
            pupil=pupil,
            answers={"website": n % 2 == 0, "press": False},
            signer_name=carer.full_name,
            signed_at=timezone.now() - datetime.timedelta(days=many - n),
            submission_key=f"record-consent-{next(_numbers)}",
            supersedes=previous,
        )
    return previous


def phone_requests(pupil, carer, many):
    """`many` requests, all ended but the latest, which waits for the head (unless one
    waits already: one open request per child)."""
    open_already = PhonePermission.objects.filter(pupil=pupil, status__in=["requested", "approved"]).exists()
    for n in range(many):
        PhonePermission.objects.create(
            school=pupil.school,
            pupil=pupil,
            carer=carer,
            reason="Walks home alone.",
            signer_name=carer.full_name,
            signed_at=timezone.now() - datetime.timedelta(days=many - n),
            submission_key=f"record-phone-{next(_numbers)}",
            status="requested" if n == many - 1 and not open_already else "ended",
        )


def loans(pupil, carer, many):
    for _ in range(many):
        number = next(_numbers)
        device = Device.objects.create(
            school=pupil.school, device_type="tablet", make="Apple", serial_number=f"REC-{number}", status="on_loan"
        )
        loan = Loan.objects.create(
            school=pupil.school,
            pupil=pupil,
            carer=carer,
            due_on=timezone.localdate() + datetime.timedelta(days=30),
            lent_by=UserFactory(),
        )
        LoanItem.objects.create(loan=loan, device=device)


def staff_loans(membership, many):
    for _ in range(many):
        number = next(_numbers)
        device = Device.objects.create(
            school=membership.school, device_type="laptop", make="Dell", serial_number=f"RES-{number}", encrypted=True
        )
        loan = Loan.objects.create(
            school=membership.school, borrower=membership, until_leaving=True, lent_by=UserFactory()
        )
        LoanItem.objects.create(loan=loan, device=device)


def posts(pupil, many):
    for _ in range(many):
        post = PlannedPost.objects.create(
            school=pupil.school,
            purpose_code="website",
            purpose_label="The school website",
            caption="Sports day",
            planned_by=UserFactory(),
        )
        post.pupils.add(pupil)


def incident(school, *, pupils=(), staff=(), safeguarding=False, reference=None):
    reporter = UserFactory()
    found = Incident.objects.create(
        school=school,
        reference=reference or f"INC-2026-{next(_numbers):04d}",
        reported_by=reporter,
        submission_key=f"record-{next(_numbers)}",
        occurred_at=timezone.now(),
        description="A pupil was sent unkind messages.",
        category="cyberbullying",
        safeguarding=safeguarding,
    )
    # As the report service does: the entry first, recording the pupils, which the
    # database then lets be linked (incidents 0006).
    IncidentEntry.objects.create(
        incident=found, kind="reported", author=reporter, data={"pupil_ids": [p.pk for p in pupils]}
    )
    found.pupils.add(*pupils)
    found.staff.add(*staff)
    return found


def whole_record(pupil, carer, many):
    """`many` of everything a pupil's record shows."""
    for _ in range(many):
        sign_for(published_form(pupil.school, "parents"), pupil, carer)
    consent_answers(pupil, carer, many)
    phone_requests(pupil, carer, many)
    loans(pupil, carer, many)
    posts(pupil, many)
    for n in range(many):
        incident(pupil.school, pupils=[pupil], safeguarding=n % 3 == 0)
