"""Every page under /s/<school_slug>/ shows nothing to people who may not see it.

The pages are found by walking the URLconf, so a page added later is covered without
touching this file, unless its address takes an object id this file does not know
how to fill: then the tests fail and say which mapping to add to OBJECT_FACTORIES.
"""

import io
import re
from functools import reduce

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from PIL import Image

from accounts.models import Invitation
from core.models import AuditEvent, PreparedFile
from core.roles import ROLE_CAPABILITIES, STAFF_ROLES, Cap, Role, capabilities_for
from schools.models import Membership, MembershipRole, RosterImport
from tests.conftest import make_member, sign_in_with_mfa
from tests.factories import MembershipFactory, PupilFactory, SchoolClassFactory, UserFactory

SCHOOL_PREFIX = "s/<slug:school_slug>/"
_PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


def _walk(patterns, prefix=""):
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            yield route


def school_routes() -> list[str]:
    """Every route under /s/<school_slug>/ in the URLconf."""
    return sorted({route for route in _walk(get_resolver().url_patterns) if route.startswith(SCHOOL_PREFIX)})


def route_parameters(route: str) -> list[str]:
    return [m.group("name") for m in _PARAMETER.finditer(route)]


# How to fill an object id in a school page's address: kwarg name -> a function that
# builds such an object in the given school and returns its id. The object must be
# one the page would show to someone allowed to see it (a member of staff rather
# than a parent, a pupil in a class), so that a 404 comes from the gate.
OBJECT_FACTORIES = {
    "membership_id": lambda school: (
        MembershipFactory(school=school, roles=[Role.TEACHER], status=Membership.Status.INVITED).pk
    ),
    "pupil_id": lambda school: PupilFactory(school=school, school_class=SchoolClassFactory(school=school)).pk,
    "class_id": lambda school: SchoolClassFactory(school=school).pk,
    "form_id": lambda school: _published_staff_form(school).pk,
    "signature_id": lambda school: _signature_in(school).pk,
    "policy_id": lambda school: _draft_version(school).policy_id,
    "version_id": lambda school: _draft_version(school).pk,
    "audience": lambda school: "staff",
    "scan_id": lambda school: _paper_scan_in(school).pk,
    "exemption_id": lambda school: _exemption_in(school).pk,
    "pupils_form_id": lambda school: _published_pupils_form(school, "eyfs_ks1").pk,
    "session_id": lambda school: _class_session_in(school).pk,
    "reception_kiosk_id": lambda school: _reception_kiosk_in(school).pk,
    "incident_id": lambda school: _incident_in(school).pk,
    "evidence_id": lambda school: _incident_evidence_in(school).pk,
    "consent_record_id": lambda school: _consent_record_in(school).pk,
    "event_id": lambda school: _consent_event_in(school).pk,
    "phone_id": lambda school: _phone_request_in(school).pk,
    "post_id": lambda school: _planned_post_in(school).pk,
    "device_id": lambda school: _device_in(school).pk,
    "loan_id": lambda school: _loan_in(school).pk,
    "hold_id": lambda school: _legal_hold_in(school).pk,
    "rights_request_id": lambda school: _rights_request_in(school).pk,
    "export_id": lambda school: _subject_access_export_in(school).pk,
    "prepared_id": lambda school: _prepared_list_in(school).pk,
    "import_id": lambda school: (
        RosterImport.objects.create(
            school=school,
            kind="pupils",
            file_name="pupils.csv",
            file_sha256="0" * 64,
            content="UPN,Surname,Forename,Year\nA123456789012,Khan,Amelia,4\n",
            uploaded_by=UserFactory(),
        ).pk
    ),
}


# Pages that show something only some objects have: the id of such an object.
ROUTE_OBJECT_FACTORIES = {
    "policies/versions/<int:version_id>/approval.pdf": {
        "version_id": lambda school: _approval_document_in(school).version_id
    },
}


def _approval_document_in(school):
    """The governors' signed approval of a policy version (its PDF stands in here)."""
    from aup.models import ApprovalDocument

    document = ApprovalDocument(version=_draft_version(school), signature_count=1, sha256=f"{school.pk:064x}")
    document.file.save("approval.pdf", ContentFile(b"%PDF-1.7\n%%EOF\n"), save=False)
    document.save()
    return document


# Objects only the person who asked for them may open (core.prepared): the positive
# control hands them to the person it signs in; everyone else must get 404.
HANDED_TO_VIEWER = {
    "prepared_id": lambda pk, user: PreparedFile.objects.filter(pk=pk).update(requested_by=user),
}


def _prepared_list_in(school):
    """A printed list of who has not signed, made by the worker and ready to download."""
    from agreements import outstanding_pdf

    prepared = PreparedFile.objects.create(
        school=school,
        requested_by=UserFactory(),
        kind=outstanding_pdf.KIND,
        title="Who has not signed",
        status=PreparedFile.Status.READY,
    )
    prepared.file.save("outstanding.pdf", ContentFile(b"%PDF-1.7\n%%EOF\n"))
    prepared.filename = "outstanding.pdf"
    prepared.save(update_fields=["filename"])
    return prepared


def _legal_hold_in(school):
    from retention.models import LegalHold

    pupil = PupilFactory(school=school, school_class=SchoolClassFactory(school=school))
    return LegalHold.objects.create(
        school=school,
        subject="pupil",
        subject_id=pupil.pk,
        subject_label="A pupil",
        reason="A claim",
        placed_by=UserFactory(),
    )


def _consent_record_in(school):
    """A carer's photo consent answers for a pupil of the school (built directly, so
    no audit event is written)."""
    from django.utils import timezone

    from agreements.models import FormText
    from consent.models import ConsentForm, ConsentRecord
    from tests.factories import GuardianshipFactory

    form = ConsentForm.objects.filter(school=school, status="published").first() or ConsentForm.objects.create(
        school=school, version=99, status="published", created_by=UserFactory(), text_sha256="c" * 64
    )
    text, _ = FormText.objects.get_or_create(sha256="c" * 64, defaults={"text": "Consent"})
    pupil = PupilFactory(school=school, school_class=SchoolClassFactory(school=school))
    carer = UserFactory()
    GuardianshipFactory(pupil=pupil, carer=carer)
    return ConsentRecord.objects.create(
        school=school,
        form=form,
        text=text,
        carer=carer,
        pupil=pupil,
        answers={"website": True},
        signer_name="A Carer",
        signed_at=timezone.now(),
        submission_key=f"matrix-{pupil.pk}",
    )


def _planned_post_in(school):
    """A post waiting for the head's approval, with its photo, featuring a pupil of the
    school, row by row (no audit event)."""
    from consent.models import PlannedPost

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 30, 30)).save(buffer, format="PNG")
    post = PlannedPost.objects.create(
        school=school,
        purpose_code="website",
        purpose_label="The school website",
        caption="Sports day",
        planned_by=UserFactory(),
        image_content_type="image/png",
    )
    post.pupils.add(PupilFactory(school=school, school_class=SchoolClassFactory(school=school)))
    post.image.save("post.png", ContentFile(buffer.getvalue()))
    return post


def _consent_event_in(school):
    """An event for "who may appear?" with one pupil, row by row."""
    import datetime

    from consent.models import SchoolEvent

    event = SchoolEvent.objects.create(
        school=school, name="Museum trip", date=datetime.date(2026, 6, 1), created_by=UserFactory()
    )
    event.pupils.add(PupilFactory(school=school, school_class=SchoolClassFactory(school=school)))
    return event


def _phone_request_in(school):
    """A carer's request for a pupil to bring a mobile phone, waiting for the head, row by row."""
    from django.utils import timezone

    from consent.models import PhonePermission
    from tests.factories import GuardianshipFactory

    pupil = PupilFactory(school=school, school_class=SchoolClassFactory(school=school))
    carer = UserFactory()
    GuardianshipFactory(pupil=pupil, carer=carer)
    return PhonePermission.objects.create(
        school=school,
        pupil=pupil,
        carer=carer,
        reason="Walks home alone.",
        signer_name="A Carer",
        signed_at=timezone.now(),
        submission_key=f"matrix-phone-{pupil.pk}",
    )


def _incident_in(school):
    """The school's latest e-safety incident (so that an evidence id built next belongs
    to it), or a new one, row by row."""
    from django.utils import timezone

    from incidents.models import Incident

    latest = Incident.objects.filter(school=school).order_by("-id").first()
    if latest is not None:
        return latest
    return Incident.objects.create(
        school=school,
        reference="INC-2026-0001",
        reported_by=UserFactory(),
        submission_key="tenancy",
        occurred_at=timezone.now(),
        description="A pupil saw an upsetting video.",
        category="inappropriate_accidental",
    )


def _device_in(school):
    from devices.models import Device

    return Device.objects.create(school=school, device_type="laptop", make="Dell", serial_number=f"SN-{school.pk}-1")


def _rights_request_in(school):
    """A data protection request received today, row by row."""
    import datetime

    from privacy.models import RightsRequest, answer_by

    today = datetime.date.today()
    return RightsRequest.objects.create(
        school=school,
        kind="access",
        requester_name="A Parent",
        subject_name="A Pupil",
        received_on=today,
        due_on=answer_by(today),
        details="A copy of my child's data.",
        recorded_by=UserFactory(),
    )


def _subject_access_export_in(school):
    """A subject access export of a pupil, not yet built, row by row."""
    from privacy.models import SubjectAccessExport

    pupil = PupilFactory(school=school, school_class=SchoolClassFactory(school=school))
    return SubjectAccessExport.objects.create(
        school=school, subject_kind="pupil", pupil=pupil, subject_name=pupil.full_name, requested_by=UserFactory()
    )


def _loan_in(school):
    """A loan of a device to a member of staff, awaiting their signature on the
    school's published loan conditions, row by row."""
    from agreements.models import FormText
    from aup.models import AgreementForm, Policy, PolicyVersion, Statement
    from devices.models import Device, Loan, LoanItem

    policy = Policy.objects.create(school=school, title="Equipment loans")
    version = PolicyVersion.objects.create(policy=policy, number=1, status="published", created_by=UserFactory())
    form = AgreementForm.objects.create(version=version, audience="loans", title="Loan conditions")
    Statement.objects.create(form=form, number=1, text="I will keep the device safe.")
    text = FormText.objects.create(sha256=f"loans-{school.pk}".ljust(64, "0"), text=form.canonical_text())
    AgreementForm.objects.filter(pk=form.pk).update(text_sha256=text.sha256)
    device = Device.objects.create(
        school=school, device_type="tablet", make="Apple", serial_number=f"SN-{school.pk}-L", status="on_loan"
    )
    borrower = MembershipFactory(school=school, roles=[Role.TEACHER], status=Membership.Status.ACTIVE)
    loan = Loan.objects.create(school=school, borrower=borrower, until_leaving=True, lent_by=UserFactory())
    LoanItem.objects.create(loan=loan, device=device)
    return loan


def _incident_evidence_in(school):
    from incidents.models import IncidentEvidence

    incident = _incident_in(school)
    evidence = IncidentEvidence(
        incident=incident, content_type="application/pdf", size=15, sha256="0" * 64, uploaded_by=incident.reported_by
    )
    evidence.file.save("evidence.pdf", ContentFile(b"%PDF-1.7\n%test\n"), save=False)
    evidence.save()
    return evidence


def _published_staff_form(school):
    """Built row by row rather than through the services, so that setting it up
    writes no audit events (the tests check that a refused request changed nothing)."""
    from agreements.models import FormText
    from aup.models import AgreementForm, Policy, PolicyVersion, Statement

    policy = Policy.objects.create(school=school, title="ICT acceptable use")
    version = PolicyVersion.objects.create(policy=policy, number=1, status="published", created_by=UserFactory())
    # The policy as a PDF, which the sign page opens (agreements:policy_document).
    version.document.save("policy.pdf", ContentFile(b"%PDF-1.7\n%test\n"), save=False)
    PolicyVersion.objects.filter(pk=version.pk).update(document=version.document.name, document_name="policy.pdf")
    form = AgreementForm.objects.create(version=version, audience="staff", title="Staff agreement")
    Statement.objects.create(form=form, number=1, text="I will keep my password private.")
    text = FormText.objects.create(sha256=f"{school.pk:064d}", text=form.canonical_text())
    AgreementForm.objects.filter(pk=form.pk).update(text_sha256=text.sha256)
    return form


def _draft_version(school):
    """A draft policy version with a staff form and an uploaded document, row by row
    (no services, so no audit events)."""
    from aup.models import AgreementForm, Policy, PolicyVersion, Statement

    policy = Policy.objects.create(school=school, title="Mobile phones")
    version = PolicyVersion.objects.create(policy=policy, number=1, created_by=UserFactory())
    version.document.save("policy.pdf", ContentFile(b"%PDF-1.7\n%test\n"), save=False)
    PolicyVersion.objects.filter(pk=version.pk).update(document=version.document.name, document_name="policy.pdf")
    form = AgreementForm.objects.create(version=version, audience="staff", title="Staff agreement")
    Statement.objects.create(form=form, number=1, text="I will keep my password private.")
    return version


def _signature_in(school):
    from django.utils import timezone

    from agreements.models import FormText, Signature

    form = _published_staff_form(school)
    return Signature.objects.create(
        school=school,
        form=form,
        text=FormText.objects.get(sha256=f"{school.pk:064d}"),
        method="self",
        signer=UserFactory(),
        signer_name="A Signer",
        statements_agreed=[1],
        academic_year=2026,
        signed_at=timezone.now(),
        submission_key=f"tenancy-{school.pk}",
    )


def _paper_scan_in(school):
    """A paper form recorded by the office, with its scan, row by row."""
    from django.utils import timezone

    from agreements.models import FormText, PaperScan, Signature

    form = _published_staff_form(school)
    signature = Signature.objects.create(
        school=school,
        form=form,
        text=FormText.objects.get(sha256=f"{school.pk:064d}"),
        method="paper",
        signer=UserFactory(),
        signer_name="A Signer",
        led_by=UserFactory(),
        statements_agreed=[1],
        academic_year=2026,
        signed_at=timezone.now(),
        submission_key=f"tenancy-paper-{school.pk}",
    )
    scan = PaperScan(signature=signature, content_type="application/pdf", uploaded_by=signature.led_by)
    scan.file.save("scan.pdf", ContentFile(b"%PDF-1.7\n%scan\n"), save=False)
    scan.save()
    return scan


def _exemption_in(school):
    from aup.models import Exemption, Policy

    policy = Policy.objects.create(school=school, title="Mobile phones")
    return Exemption.objects.create(
        school=school, requested_by=UserFactory(), policy=policy, purpose="Use my own phone on a school trip."
    )


def _reception_kiosk_in(school):
    """An open reception kiosk, row by row."""
    import datetime

    from django.utils import timezone

    from agreements.models import ReceptionKiosk

    return ReceptionKiosk.objects.create(
        school=school,
        form=_published_staff_form(school),
        token_sha256=f"{school.pk:064d}",
        opened_by=UserFactory(),
        expires_at=timezone.now() + datetime.timedelta(hours=8),
    )


def _published_pupils_form(school, audience):
    """A published pupils' form (KS2 or EYFS/KS1), row by row."""
    from agreements.models import FormText
    from aup.models import AgreementForm, Policy, PolicyVersion, Statement

    policy = Policy.objects.create(school=school, title="Pupils' ICT rules")
    version = PolicyVersion.objects.create(policy=policy, number=1, status="published", created_by=UserFactory())
    form = AgreementForm.objects.create(version=version, audience=audience, title="Our computer rules")
    Statement.objects.create(form=form, number=1, text="We ask an adult before we use a tablet.")
    text = FormText.objects.create(sha256=f"pupils-{audience}-{school.pk}".ljust(64, "0"), text=form.canonical_text())
    AgreementForm.objects.filter(pk=form.pk).update(text_sha256=text.sha256)
    return form


def _class_session_in(school):
    """A KS2 class signing session, open on the classroom device, row by row."""
    import datetime

    from django.utils import timezone

    from agreements.models import ClassSession

    return ClassSession.objects.create(
        school=school,
        form=_published_pupils_form(school, "ks2"),
        school_class=SchoolClassFactory(school=school),
        led_by=UserFactory(),
        mode=ClassSession.Mode.KIOSK,
        held_on=timezone.localdate(),
        token_sha256=f"session-{school.pk}".ljust(64, "0"),
        expires_at=timezone.now() + datetime.timedelta(minutes=90),
    )


def objects_for(route: str, school) -> dict[str, object]:
    """Ids of objects of `school` for every parameter of `route` but the school slug."""
    objects = {}
    overrides = ROUTE_OBJECT_FACTORIES.get(route.removeprefix(SCHOOL_PREFIX), {})
    for name in route_parameters(route):
        if name == "school_slug":
            continue
        if name in overrides:
            objects[name] = overrides[name](school)
            continue
        if name not in OBJECT_FACTORIES:
            pytest.fail(
                f"The school page {route!r} takes `{name}`, which the tenancy tests cannot fill. "
                f"Add an entry for {name!r} to OBJECT_FACTORIES in tests/core/test_tenancy_matrix.py: "
                "a function that builds such an object in the given school and returns its id."
            )
        objects[name] = OBJECT_FACTORIES[name](school)
    return objects


def build_path(route: str, slug: str, objects: dict) -> str:
    if "^" in route or "(?P" in route:
        pytest.fail(f"{route!r} uses a regular expression; write school pages with path() so they can be tested.")

    def fill(match):
        name = match.group("name")
        return slug if name == "school_slug" else str(objects[name])

    return "/" + _PARAMETER.sub(fill, route)


def required_capability(path: str):
    func = resolve(path).func
    view_class = getattr(func, "view_class", None)
    return getattr(func, "required_capability", None) or getattr(view_class, "required_capability", None)


# Capabilities that every member of staff holds: for these, the only people of the
# school without them are parents.
UNIVERSAL_STAFF_CAPABILITIES = reduce(frozenset.intersection, (ROLE_CAPABILITIES[r] for r in STAFF_ROLES))


def strongest_staff_role_without(capability):
    """The staff role with the most capabilities that still lacks `capability`."""
    lacking = [r for r in STAFF_ROLES if capability not in ROLE_CAPABILITIES[r]]
    return max(lacking, key=lambda r: (len(ROLE_CAPABILITIES[r]), r), default=None)


def role_with(capability):
    return next(r for r in [Role.HEADTEACHER, *STAFF_ROLES] if capability in ROLE_CAPABILITIES[r])


@pytest.fixture(autouse=True)
def _school_has_what_its_pages_show(school, settings, tmp_path):
    """Some pages show something a school may not have (its logo) and answer 404
    without it; give the school everything, so that the 404s below come from the gate
    and the positive control opens every page."""
    settings.MEDIA_ROOT = tmp_path
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (29, 79, 145)).save(buffer, format="PNG")
    school.logo.save("logo.png", ContentFile(buffer.getvalue()))


ROUTES = school_routes()
ROUTES_WITH_OBJECTS = [r for r in ROUTES if set(route_parameters(r)) - {"school_slug"}]


def _assert_not_found(client, path, *, who, get_may_be_refused=False):
    """GET and POST both answer 404. Where the person may use the page in their own
    school, a POST-only page may refuse a GET with 405 before looking at the id (which
    reveals nothing about it); the POST must still be 404."""
    for method in ("get", "post"):
        response = getattr(client, method)(path)
        allowed = {404, 405} if method == "get" and get_may_be_refused else {404}
        assert response.status_code in allowed, f"{who}: {method.upper()} {path} answered {response.status_code}"


def _assert_nothing_changed(school):
    school.refresh_from_db()
    assert school.name == "Oakfield Primary School"
    assert not AuditEvent.objects.filter(school=school).exists()
    assert not Invitation.objects.exists()
    assert not Membership.objects.filter(school=school, status=Membership.Status.LEFT).exists()


def test_the_walk_finds_the_school_pages_we_know_about():
    assert SCHOOL_PREFIX + "staff/" in ROUTES
    assert SCHOOL_PREFIX + "people/<int:membership_id>/leaver/" in ROUTES
    assert SCHOOL_PREFIX + "pupils/<int:pupil_id>/" in ROUTES
    assert SCHOOL_PREFIX + "audit/" in ROUTES
    assert len(ROUTES_WITH_OBJECTS) >= 5


def test_capabilities_every_member_of_staff_holds_are_few():
    assert UNIVERSAL_STAFF_CAPABILITIES <= {Cap.VIEW_SCHOOL}


@pytest.mark.django_db
def test_a_page_with_an_unknown_object_id_fails_with_a_message_saying_what_to_add(school):
    with pytest.raises(pytest.fail.Exception, match=r"Add an entry for 'widget_id' to OBJECT_FACTORIES"):
        objects_for(SCHOOL_PREFIX + "widgets/<int:widget_id>/", school)


@pytest.mark.django_db
@pytest.mark.parametrize("route", ROUTES)
def test_every_school_page_is_guarded_by_school_view(route, school):
    path = build_path(route, school.slug, objects_for(route, school))
    assert required_capability(path), f"{route} is not decorated with core.tenancy.school_view"


@pytest.mark.parametrize("route", ROUTES)
def test_school_page_opens_for_someone_with_its_capability(route, school, client_for):
    """The addresses built here are real: the 404s below come from the gate."""
    objects = objects_for(route, school)
    path = build_path(route, school.slug, objects)
    user = make_member(school, role_with(required_capability(path)))
    for name, hand_over in HANDED_TO_VIEWER.items():
        if name in objects:
            hand_over(objects[name], user)
    response = client_for(user).get(path)
    # 202: the signed PDF is still being prepared.
    assert response.status_code in (200, 202, 302, 405), f"GET {path} answered {response.status_code}"


@pytest.mark.parametrize("route", ROUTES)
def test_school_page_is_not_found_for_heads_of_other_schools(route, school, outsider, sister_school, client):
    path = build_path(route, school.slug, objects_for(route, school))
    sign_in_with_mfa(client, outsider)
    _assert_not_found(client, path, who="head of a school of another trust")
    sister_head = make_member(sister_school, Role.HEADTEACHER)
    sign_in_with_mfa(client, sister_head)
    _assert_not_found(client, path, who="head of another school of the same trust")
    _assert_nothing_changed(school)


@pytest.mark.parametrize("route", ROUTES)
def test_school_page_is_not_found_for_members_without_its_capability(route, school, trust_officer, client):
    path = build_path(route, school.slug, objects_for(route, school))
    capability = required_capability(path)
    lacking = []
    if capability not in UNIVERSAL_STAFF_CAPABILITIES:
        role = strongest_staff_role_without(capability)
        lacking.append((role.label, make_member(school, role)))
    if capability not in capabilities_for([Role.PARENT]):
        lacking.append(("parent", make_member(school, Role.PARENT)))
    if capability not in capabilities_for([Role.TRUST_OFFICER]):
        lacking.append(("trust officer", trust_officer))
    assert lacking, f"nobody of the school lacks {capability!r}: is it granted to parents?"
    for who, user in lacking:
        sign_in_with_mfa(client, user)
        _assert_not_found(client, path, who=who)
    _assert_nothing_changed(school)


@pytest.mark.parametrize("route", ROUTES)
def test_school_page_of_an_unknown_school_is_not_found(route, school, head, client_for):
    path = build_path(route, "no-such-school", objects_for(route, school))
    _assert_not_found(client_for(head), path, who="head")


@pytest.mark.parametrize("route", ROUTES)
def test_school_page_sends_anonymous_visitors_to_sign_in(route, school):
    path = build_path(route, school.slug, objects_for(route, school))
    client = Client()
    for method in ("get", "post"):
        response = getattr(client, method)(path)
        assert response.status_code == 302, f"anonymous {method.upper()} {path} answered {response.status_code}"
        assert response.url.startswith(reverse("account_login") + "?next=")
    _assert_nothing_changed(school)


@pytest.mark.parametrize("route", ROUTES_WITH_OBJECTS)
def test_object_of_another_school_is_not_found_under_ones_own_school(route, school, other_school, outsider, client):
    """The head of school B opens /s/B/.../<id of something in school A>/."""
    path = build_path(route, other_school.slug, objects_for(route, school))
    sign_in_with_mfa(client, outsider)
    _assert_not_found(client, path, who="head of the other school, under their own school", get_may_be_refused=True)
    _assert_nothing_changed(school)
    assert not MembershipRole.objects.filter(membership__school=school).exclude(role=Role.TEACHER).exists()


ROUTES_WITH_A_PUPIL = [r for r in ROUTES if "pupil_id" in route_parameters(r)]


def test_the_walk_finds_the_pages_of_one_pupil():
    assert SCHOOL_PREFIX + "pupils/<int:pupil_id>/" in ROUTES_WITH_A_PUPIL


@pytest.mark.parametrize("route", ROUTES_WITH_A_PUPIL)
def test_a_pupils_pages_are_not_found_for_a_teacher_of_another_class(route, school, client):
    """A teacher sees the pupils of the classes they teach: the page of a pupil of
    another class answers 404, as for an id that does not exist (issue 14)."""
    path = build_path(route, school.slug, objects_for(route, school))
    teacher = make_member(school, Role.TEACHER)
    SchoolClassFactory(school=school).teachers.add(teacher.memberships.get(school=school))
    client.force_login(teacher)
    _assert_not_found(client, path, who="teacher of another class")
    _assert_nothing_changed(school)
