"""manage.py seed_scale and core.scale.build_trust: a whole trust, built in bulk."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, Q

from accounts.models import User
from agreements.models import Kind, Signature
from aup.models import AgreementForm, Audience, VersionStatus
from consent.models import ConsentRecord
from core.roles import Role
from core.scale import school_sizes
from devices.models import Device, Loan
from incidents.models import Incident
from schools.models import Guardianship, Membership, Pupil, School, SchoolClass, Trust, TrustMembership


def test_school_sizes_add_up_with_one_secondary_in_five_bigger():
    sizes = school_sizes(80, 40000)

    assert len(sizes) == 80 and sum(sizes) == 40000
    secondaries = [s for i, s in enumerate(sizes) if i % 5 == 4]
    primaries = [s for i, s in enumerate(sizes) if i % 5 != 4]
    assert min(secondaries) > max(primaries)


def test_seed_scale_refuses_to_run_with_debug_off(db, settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_scale", "--schools", "1", "--pupils", "10")

    assert not Trust.objects.exists()


@pytest.fixture
def built(db, settings):
    settings.DEBUG = True
    out = StringIO()
    call_command("seed_scale", "--schools", "3", "--pupils", "300", "--trust-name", "Test Scale Trust", stdout=out)
    return out.getvalue()


def test_seed_scale_builds_the_schools_classes_and_people(built):
    trust = Trust.objects.get(slug="test-scale-trust")
    schools = School.objects.filter(trust=trust)

    assert "3 schools, 300 pupils" in built
    assert schools.count() == 3
    assert Pupil.objects.filter(school__trust=trust).count() == 300
    assert sorted(schools.annotate(n=Count("pupils")).values_list("n", flat=True)) == sorted(school_sizes(3, 300))
    # Classes of at most 30, every pupil in one, with a class teacher.
    assert not Pupil.objects.filter(school_class__isnull=True).exists()
    biggest = SchoolClass.objects.annotate(n=Count("pupils")).order_by("-n").first()
    assert biggest.n <= 30
    assert not SchoolClass.objects.filter(teachers__isnull=True).exists()
    assert TrustMembership.objects.filter(trust=trust).count() == 1
    for school in schools:
        held = set(Membership.objects.filter(school=school).values_list("roles__role", flat=True))
        for role in (Role.HEADTEACHER, Role.DSL, Role.OFFICE, Role.TEACHER, Role.GOVERNOR, Role.PARENT):
            assert role in held, (school, role)


def test_seed_scale_gives_carers_their_memberships_and_shares_them_between_siblings(built):
    pupils = Pupil.objects.count()
    guardianships = Guardianship.objects.count()
    carers = User.objects.filter(guardianships__isnull=False).distinct().count()

    # About two carers per pupil; siblings share theirs, so fewer carers than links.
    assert 1.7 * pupils <= guardianships <= 2.2 * pupils
    assert carers < guardianships
    assert Guardianship.objects.values("carer").annotate(n=Count("pupil")).filter(n__gt=1).exists()
    assert not Pupil.objects.exclude(guardianships__parental_responsibility=True).exists()
    assert Guardianship.objects.filter(parental_responsibility=False).exists()
    # Every carer has a parent membership at each school of their children, and only there.
    linked = set(Guardianship.objects.values_list("carer_id", "pupil__school_id").distinct())
    parent_memberships = set(Membership.objects.filter(roles__role=Role.PARENT).values_list("user_id", "school_id"))
    assert linked == parent_memberships
    assert len({school for _, school in linked}) == 3
    # Some carers have children at two schools of the trust.
    assert (
        Membership.objects.filter(roles__role=Role.PARENT)
        .values("user")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .exists()
    )
    # Staff are not parents' memberships, and the other way round.
    assert not Membership.objects.filter(roles__role=Role.PARENT).filter(staff_type__gt="").exists()


def test_seed_scale_publishes_policies_and_about_half_has_signed(built):
    published = AgreementForm.objects.filter(
        version__status=VersionStatus.PUBLISHED, version__policy__school__isnull=False
    )
    schools = School.objects.count()
    # Each school's ICT policy, and its copy of the trust's social media policy.
    assert published.filter(audience=Audience.STAFF).count() == 2 * schools
    assert published.filter(audience=Audience.PARENTS).count() == schools

    pupils = Pupil.objects.count()
    signed_for = (
        Signature.objects.filter(form__audience=Audience.PARENTS, kind=Kind.SIGNATURE)
        .values("pupil")
        .distinct()
        .count()
    )
    assert 0.3 * pupils <= signed_for <= 0.75 * pupils
    pupils_signed = Signature.objects.filter(
        Q(form__audience=Audience.KS2) | Q(form__audience=Audience.EYFS_KS1), signer__isnull=True
    ).count()
    assert 0.3 * pupils <= pupils_signed <= 0.75 * pupils
    staff = Membership.objects.staff().count()
    staff_signed = Signature.objects.filter(form__audience=Audience.STAFF).count()
    assert 0.3 * 2 * staff <= staff_signed <= 0.75 * 2 * staff


def test_seed_scale_answers_consent_lends_devices_and_logs_incidents(built):
    pupils = Pupil.objects.count()

    assert 0.3 * pupils <= ConsentRecord.objects.values("pupil").distinct().count() <= 0.7 * pupils
    assert Device.objects.count() >= 30
    assert Loan.objects.filter(borrower__isnull=False).exists()
    assert Loan.objects.filter(pupil__isnull=False, carer__isnull=False).exists()
    assert Incident.objects.count() >= 9
    assert not Incident.objects.filter(pupils__isnull=True).exists()


def test_seed_scale_refuses_a_trust_that_exists_and_changes_nothing(built):
    counts = (User.objects.count(), Pupil.objects.count(), Signature.objects.count())

    with pytest.raises(CommandError, match="exists already"):
        call_command("seed_scale", "--schools", "3", "--pupils", "300", "--trust-name", "Test Scale Trust")

    assert counts == (User.objects.count(), Pupil.objects.count(), Signature.objects.count())
