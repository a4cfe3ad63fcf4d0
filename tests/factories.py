import datetime

import factory
from django.utils import timezone

from accounts.models import User
from core.roles import Role
from schools.models import (
    YEAR_GROUP_ORDER,
    YEAR_GROUPS,
    Guardianship,
    Membership,
    MembershipRole,
    Pupil,
    School,
    SchoolClass,
    Trust,
    TrustMembership,
    YearGroup,
)

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    first_name = factory.Faker("first_name", locale="en_GB")
    last_name = factory.Faker("last_name", locale="en_GB")
    is_active = True
    password = factory.django.Password(PASSWORD)


class TrustFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Trust

    name = factory.Sequence(lambda n: f"Trust {n}")
    slug = factory.Sequence(lambda n: f"trust-{n}")


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = School

    name = factory.Sequence(lambda n: f"School {n} Primary")
    slug = factory.Sequence(lambda n: f"school-{n}")
    urn = factory.Sequence(lambda n: f"{100000 + n}")
    phase = "primary"


class MembershipFactory(factory.django.DjangoModelFactory):
    """A membership; pass roles=[...] (default: teacher)."""

    class Meta:
        model = Membership
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    school = factory.SubFactory(SchoolFactory)
    status = Membership.Status.ACTIVE
    start_date = datetime.date(2024, 9, 1)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create:
            for role in extracted if extracted is not None else [Role.TEACHER]:
                MembershipRole.objects.create(membership=self, role=role)


class TrustMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrustMembership

    user = factory.SubFactory(UserFactory)
    trust = factory.SubFactory(TrustFactory)


def year_group(school, code="3"):
    name_ks = {c: ks for c, _, ks in YEAR_GROUPS}
    yg, _ = YearGroup.objects.get_or_create(
        school=school, code=code, defaults={"key_stage": name_ks[code], "position": YEAR_GROUP_ORDER[code]}
    )
    return yg


class SchoolClassFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SchoolClass

    school = factory.SubFactory(SchoolFactory)
    name = factory.Sequence(lambda n: f"Class {n}")
    year_group = factory.LazyAttribute(lambda o: year_group(o.school))


class PupilFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pupil

    school = factory.SubFactory(SchoolFactory)
    first_name = factory.Faker("first_name", locale="en_GB")
    last_name = factory.Faker("last_name", locale="en_GB")
    year_group = factory.LazyAttribute(lambda o: o.school_class.year_group if o.school_class else year_group(o.school))
    school_class = None
    upn = factory.Sequence(lambda n: f"A{n:012d}")
    admission_date = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=400))


class GuardianshipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Guardianship

    pupil = factory.SubFactory(PupilFactory)
    carer = factory.SubFactory(UserFactory)
    relationship = "mother"
    parental_responsibility = True
