from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count

from accounts.models import User
from core.roles import Role
from schools.demo import DEMO_PASSWORD, LOGINS
from schools.models import Guardianship, Membership, Pupil, School, TrustMembership


def test_seed_demo_refuses_to_run_with_debug_off(db, settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo")

    assert not School.objects.exists()


def test_seed_demo_builds_a_trust_of_two_schools_once(db, settings):
    settings.DEBUG = True
    out = StringIO()

    call_command("seed_demo", stdout=out)
    counts = (User.objects.count(), Pupil.objects.count(), Membership.objects.count(), Guardianship.objects.count())
    call_command("seed_demo", stdout=out)

    assert "already loaded" in out.getvalue()
    assert counts == (
        User.objects.count(),
        Pupil.objects.count(),
        Membership.objects.count(),
        Guardianship.objects.count(),
    )
    assert set(School.objects.values_list("slug", flat=True)) == {"riverside-primary", "little-acorns"}
    assert Pupil.objects.count() == 300
    staff = Membership.objects.staff().count() + TrustMembership.objects.count()
    assert 35 <= staff <= 45
    # Every role a school has is held by someone.
    held = set(Membership.objects.values_list("roles__role", flat=True))
    for role in [Role.HEADTEACHER, Role.DEPUTY, Role.DSL, Role.ESAFETY_LEAD, Role.ICT_MANAGER,
                 Role.BUSINESS_MANAGER, Role.OFFICE, Role.TEACHER, Role.SUPPORT_STAFF, Role.GOVERNOR,
                 Role.CHAIR_OF_GOVERNORS, Role.VOLUNTEER, Role.CONTRACTOR, Role.PARENT]:  # fmt: skip
        assert role in held, role
    # Every pupil has a carer with parental responsibility.
    assert not Pupil.objects.exclude(guardianships__parental_responsibility=True).exists()
    # Some families have two children here, some carers lack parental responsibility.
    assert Guardianship.objects.filter(parental_responsibility=False).exists()
    carers_of_two = User.objects.annotate(children=Count("guardianships")).filter(children__gte=2)
    assert carers_of_two.count() >= 20


def test_the_demo_logins_sign_in_with_the_documented_password(db, settings, client):
    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO())

    for _, email in LOGINS:
        user = User.objects.get(email=email)
        assert user.check_password(DEMO_PASSWORD), email
        assert user.is_active
    parent = User.objects.get(email=LOGINS[4][1])
    schools = set(parent.guardianships.values_list("pupil__school__slug", flat=True))
    assert schools == {"riverside-primary", "little-acorns"}


def test_the_demo_has_a_published_ict_policy_that_most_staff_have_signed(db, settings, tmp_path):
    from agreements.models import Signature
    from aup.models import PolicyVersion

    settings.DEBUG = True
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    call_command("seed_demo", stdout=StringIO())

    published = PolicyVersion.objects.filter(status="published", policy__kind="ict_aup")
    assert {v.policy.school.slug for v in published} == {"riverside-primary", "little-acorns"}
    # The trust's social media policy reaches both schools as read-only copies.
    copies = PolicyVersion.objects.filter(status="published", policy__adopted_from__trust__isnull=False)
    assert {v.policy.school.slug for v in copies} == {"riverside-primary", "little-acorns"}
    staff_forms = [v.forms.get(audience="staff") for v in published]
    signers = set(Signature.objects.filter(form__in=staff_forms).values_list("signer__email", flat=True))
    assert len(signers) >= 20
    assert "teacher@riverside.example" not in signers  # left for the demo to sign


def test_the_demo_has_photo_consent_to_show_and_loads_it_once(db, settings, tmp_path):
    from consent.models import ConsentForm, ConsentRecord, Disagreement, SchoolEvent
    from consent.selectors import dashboard

    settings.DEBUG = True
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    call_command("seed_demo", stdout=StringIO())
    records = ConsentRecord.objects.count()
    call_command("seed_demo", stdout=StringIO())

    school = School.objects.get(slug="riverside-primary")
    assert ConsentForm.objects.filter(school=school).count() == 1
    assert ConsentForm.objects.filter(school__slug="little-acorns", status="published").exists()
    assert ConsentRecord.objects.count() == records
    data = dashboard(school)
    assert data.answered > 40 and data.outstanding > 40  # something done, something to do
    assert Disagreement.objects.filter(school=school).exists()
    # The demo parent has answered for her Year 4 child, not for her nursery child.
    parent = User.objects.get(email="parent@riverside.example")
    assert ConsentRecord.objects.filter(carer=parent).count() == 1
    assert SchoolEvent.objects.get(school=school).pupils.count() == 15
    # Posts in each state, one of them to take down; phone slips approved and waiting.
    from consent.models import PhonePermission, PlannedPost
    from consent.post_selectors import to_take_down

    assert set(PlannedPost.objects.values_list("status", flat=True)) == {"published", "awaiting"}
    assert len(to_take_down(school).withdrawn) == 1
    assert sorted(PhonePermission.objects.values_list("status", flat=True)) == ["approved"] * 3 + ["requested"]


def test_loading_the_demo_makes_no_pdfs_and_emails_none(db, settings, tmp_path, django_capture_on_commit_callbacks):
    """The demo's 128 signatures and consent records queue no PDFs: rendering and
    emailing them all kept the one worker of `make run` busy for minutes, ahead of
    the person trying the demo (and /healthz said the worker was down)."""
    from django.core import mail

    from agreements.models import Signature, SignedDocument
    from consent.models import ConsentDocument, ConsentRecord

    settings.DEBUG = True
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    with django_capture_on_commit_callbacks(execute=True):  # tasks run in-process, as queued
        call_command("seed_demo", stdout=StringIO())

    assert Signature.objects.count() > 20 and ConsentRecord.objects.count() > 80
    assert not SignedDocument.objects.exists()
    assert not ConsentDocument.objects.exists()
    assert not [m.subject for m in mail.outbox if m.attachments]


def test_a_demo_pdf_is_made_when_someone_first_asks_for_it(
    db, settings, tmp_path, client, django_capture_on_commit_callbacks
):
    from agreements.models import Method, Signature
    from consent.models import ConsentRecord
    from tests.conftest import give_mfa

    settings.DEBUG = True
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    call_command("seed_demo", stdout=StringIO())
    signature = Signature.objects.filter(method=Method.SELF).select_related("school", "signer").first()
    record = ConsentRecord.objects.select_related("carer").first()
    give_mfa(signature.signer)
    staff_pdf = f"/s/{signature.school.slug}/signatures/{signature.pk}/pdf/"
    family_pdf = f"/family/consent/records/{record.pk}/pdf/"
    # The person's list of signed agreements leads to it before it is made.
    client.force_login(signature.signer)
    assert staff_pdf in client.get(f"/s/{signature.school.slug}/my-agreements/").content.decode()

    for person, url in [(signature.signer, staff_pdf), (record.carer, family_pdf)]:
        client.force_login(person)
        with django_capture_on_commit_callbacks(execute=True):  # the worker, in-process
            asked = client.get(url)
        assert asked.status_code == 202
        assert "being prepared" in asked.content.decode()

        response = client.get(url)

        assert response.status_code == 200, url
        assert b"".join(response.streaming_content).startswith(b"%PDF-")
