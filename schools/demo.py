"""The demo trust: a primary and a nursery school with staff across the roles, 300
pupils, their parents (siblings, split families) and fixed logins. Deterministic, so
every machine gets the same people."""

import datetime
import random
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.db import transaction

from accounts.models import User
from core.roles import Role

from .models import (
    YEAR_GROUP_ORDER,
    YEAR_GROUPS,
    Guardianship,
    Membership,
    MembershipRole,
    Pupil,
    School,
    SchoolClass,
    StaffType,
    Trust,
    TrustMembership,
    YearGroup,
)

DEMO_PASSWORD = "portal-demo-2026"
DOMAIN = "riverside.example"

# The fixed logins printed by `make run`.
LOGINS = [
    ("Headteacher", f"head@{DOMAIN}"),
    ("Designated safeguarding lead", f"dsl@{DOMAIN}"),
    ("Teacher (Year 4, Beech class)", f"teacher@{DOMAIN}"),
    ("School office", f"office@{DOMAIN}"),
    ("Parent (children at both schools)", f"parent@{DOMAIN}"),
    ("Trust data protection officer", f"dpo@{DOMAIN}"),
]

FIRST_NAMES = (
    "Oliver George Arthur Noah Muhammad Leo Oscar Harry Archie Jack Henry Charlie Freddie Theodore Thomas "
    "Finley Theo Alfie Jacob William Isaac Tommy Joshua James Lucas Amelia Olivia Isla Lily Ava Freya Ivy "
    "Florence Willow Emily Sophia Isabella Mia Grace Poppy Evie Elsie Ella Rosie Aria Sienna Daisy Maya "
    "Zara Aisha Priya Arjun Kacper Zofia Chidi Ngozi Yusuf Fatima Hannah Ruby Alice Layla Evelyn Erin"
).split()
LAST_NAMES = (
    "Smith Jones Taylor Brown Williams Wilson Johnson Davies Patel Wright Robinson Thompson Evans Walker "
    "White Roberts Green Hall Thomas Clarke Jackson Wood Harris Edwards Turner Martin Cooper Hill Ward "
    "Hughes Moore Clark King Harrison Lewis Baker Lee Allen Morris Khan Scott Watson Davis Parker James "
    "Bennett Young Phillips Richardson Mitchell Bailey Carter Cook Singh Shaw Bell Collins Morgan Kelly "
    "Begum Price Murphy Ahmed Nowak Okafor Hussain Chen Kowalski Adeyemi"
).split()
ADULT_FIRST_NAMES = (
    "Sarah Emma Laura Rachel Claire Rebecca Hannah Gemma Kate Louise Helen Nicola Amy Joanne Victoria "
    "David Daniel James Mark Paul Andrew Richard Michael Christopher Matthew Stephen Simon Ben Tom Adam "
    "Nadia Samira Anita Deepa Tariq Imran Marek Agnieszka Emeka Funmi"
).split()


@dataclass(frozen=True)
class StaffSpec:
    first: str
    last: str
    roles: tuple
    job_title: str
    staff_type: str
    email: str = ""


PRIMARY_CLASSES = [
    ("R", "Rowan"),
    ("1", "Hazel"),
    ("2", "Willow"),
    ("3", "Ash"),
    ("4", "Beech"),
    ("5", "Cedar"),
    ("6", "Oak"),
]
NURSERY_CLASSES = [("N", "Ladybirds"), ("N", "Bumblebees"), ("N", "Butterflies")]


def _primary_staff():
    teachers = [
        ("Rowan", "Priya", "Shah"), ("Hazel", "Tom", "Baker"), ("Willow", "Gemma", "Hughes"),
        ("Ash", "Daniel", "Okafor"), ("Beech", "Emma", "Clarke"), ("Cedar", "Marek", "Nowak"),
        ("Oak", "Louise", "Bennett"),
    ]  # fmt: skip
    staff = [
        StaffSpec("Sarah", "Mitchell", (Role.HEADTEACHER,), "Headteacher", StaffType.LEADERSHIP, f"head@{DOMAIN}"),
        StaffSpec("James", "Carter", (Role.DEPUTY,), "Deputy headteacher", StaffType.LEADERSHIP),
        StaffSpec("Helen", "Ward", (Role.DSL, Role.TEACHER), "Designated safeguarding lead", StaffType.LEADERSHIP, f"dsl@{DOMAIN}"),
        StaffSpec("Adam", "Price", (Role.ESAFETY_LEAD, Role.TEACHER), "Computing lead", StaffType.TEACHING),
        StaffSpec("Simon", "Kelly", (Role.ICT_MANAGER,), "ICT technician", StaffType.SUPPORT),
        StaffSpec("Nicola", "Hall", (Role.BUSINESS_MANAGER,), "School business manager", StaffType.ADMIN),
        StaffSpec("Joanne", "Green", (Role.OFFICE,), "Office manager", StaffType.ADMIN, f"office@{DOMAIN}"),
        StaffSpec("Amy", "Lewis", (Role.OFFICE,), "Administrator", StaffType.ADMIN),
    ]  # fmt: skip
    for class_name, first, last in teachers:
        email = f"teacher@{DOMAIN}" if class_name == "Beech" else ""
        staff.append(StaffSpec(first, last, (Role.TEACHER,), f"Class teacher, {class_name}", StaffType.TEACHING, email))
    for i, (first, last) in enumerate(
        [("Kate", "Moore"), ("Rachel", "Turner"), ("Deepa", "Patel"), ("Paul", "Edwards"),
         ("Funmi", "Adeyemi"), ("Claire", "Scott"), ("Ben", "Harris"), ("Laura", "Young")]
    ):  # fmt: skip
        staff.append(
            StaffSpec(
                first,
                last,
                (Role.SUPPORT_STAFF,),
                "Teaching assistant" if i < 6 else "Midday supervisor",
                StaffType.SUPPORT,
            )
        )
    staff += [
        StaffSpec("Richard", "Collins", (Role.CHAIR_OF_GOVERNORS, Role.GOVERNOR), "Chair of governors", StaffType.GOVERNOR),
        StaffSpec("Anita", "Singh", (Role.GOVERNOR,), "Parent governor", StaffType.GOVERNOR),
        StaffSpec("Michael", "Bell", (Role.GOVERNOR,), "Local authority governor", StaffType.GOVERNOR),
        StaffSpec("Victoria", "Shaw", (Role.GOVERNOR,), "Staff governor", StaffType.GOVERNOR),
        StaffSpec("Stephen", "Murphy", (Role.VOLUNTEER,), "Reading volunteer", StaffType.VOLUNTEER),
        StaffSpec("Mark", "Cook", (Role.CONTRACTOR,), "IT support contractor", StaffType.CONTRACTOR),
    ]  # fmt: skip
    return staff


def _nursery_staff():
    return [
        StaffSpec("Claire", "Robinson", (Role.HEADTEACHER, Role.DSL), "Headteacher and DSL", StaffType.LEADERSHIP),
        StaffSpec("Agnieszka", "Kowalski", (Role.DEPUTY,), "Deputy headteacher", StaffType.LEADERSHIP),
        StaffSpec("Samira", "Ahmed", (Role.OFFICE,), "Office manager", StaffType.ADMIN),
        StaffSpec("Rebecca", "Evans", (Role.TEACHER,), "Nursery teacher, Ladybirds", StaffType.TEACHING),
        StaffSpec("Matthew", "Hill", (Role.TEACHER,), "Nursery teacher, Bumblebees", StaffType.TEACHING),
        StaffSpec("Hannah", "Jackson", (Role.TEACHER,), "Nursery teacher, Butterflies", StaffType.TEACHING),
        StaffSpec("Emeka", "Chidi", (Role.SUPPORT_STAFF,), "Early years practitioner", StaffType.SUPPORT),
        StaffSpec("Gemma", "Wood", (Role.SUPPORT_STAFF,), "Early years practitioner", StaffType.SUPPORT),
        StaffSpec("Louise", "Parker", (Role.SUPPORT_STAFF,), "Early years practitioner", StaffType.SUPPORT),
        StaffSpec("Andrew", "Morgan", (Role.CHAIR_OF_GOVERNORS, Role.GOVERNOR), "Chair of governors", StaffType.GOVERNOR),
    ]  # fmt: skip


class DemoBuilder:
    def __init__(self, today: datetime.date):
        self.rng = random.Random(2026)  # noqa: S311 - demo data, not security
        self.today = today
        self.password = make_password(DEMO_PASSWORD)
        self.users: dict[str, User] = {}
        self.memberships: list[tuple[Membership, tuple]] = []

    def user(self, email, first, last):
        email = email.lower()
        if email not in self.users:
            self.users[email] = User(email=email, first_name=first, last_name=last, password=self.password)
        return self.users[email]

    def school(self, trust, name, slug, urn, phase, address):
        return School.objects.create(trust=trust, name=name, slug=slug, urn=urn, phase=phase, address=address)

    def year_groups(self, school, codes):
        ks = {c: k for c, _, k in YEAR_GROUPS}
        return {
            code: YearGroup.objects.create(
                school=school, code=code, key_stage=ks[code], position=YEAR_GROUP_ORDER[code]
            )
            for code in sorted(set(codes), key=YEAR_GROUP_ORDER.get)
        }

    def staff(self, school, specs, slug):
        members = {}
        for spec in specs:
            email = spec.email or f"{spec.first}.{spec.last}.{slug}@{DOMAIN}".lower()
            user = self.user(email, spec.first, spec.last)
            membership = Membership(
                user=user,
                school=school,
                status=Membership.Status.ACTIVE,
                job_title=spec.job_title,
                staff_type=spec.staff_type,
                start_date=datetime.date(self.rng.randint(2010, 2025), 9, 1),
            )
            self.memberships.append((membership, spec.roles))
            members[spec.job_title] = membership
        return members

    def pupils(self, school, classes_by_name, sizes, age_for_code):
        pupils = []
        upn_base = 100000 + school.pk * 10000
        for school_class, size in zip(classes_by_name.values(), sizes, strict=True):
            for _ in range(size):
                n = len(pupils)
                code = school_class.year_group.code
                age = age_for_code(code)
                born = datetime.date(self.today.year - age - (1 if self.today.month >= 9 else 0), 9, 1)
                born += datetime.timedelta(days=self.rng.randint(0, 364))
                pupils.append(
                    Pupil(
                        school=school,
                        first_name=self.rng.choice(FIRST_NAMES),
                        last_name=self.rng.choice(LAST_NAMES),
                        date_of_birth=born,
                        upn=f"R{upn_base + n:012d}",
                        year_group=school_class.year_group,
                        school_class=school_class,
                        admission_date=datetime.date(self.today.year - (1 if self.today.month < 9 else 0), 9, 1),
                    )
                )
        return Pupil.objects.bulk_create(pupils)


def _age_for(code: str) -> int:
    return {"N": 3, "R": 4}.get(code, int(code) + 4 if code.isdigit() else 4)


@transaction.atomic
def build_demo(today: datetime.date) -> None:
    b = DemoBuilder(today)
    trust = Trust.objects.create(name="Riverside Learning Trust", slug="riverside-trust")
    primary = b.school(trust, "Riverside Primary School", "riverside-primary", "149001", "primary",
                       "Mill Lane\nRiverside\nRV1 2AB")  # fmt: skip
    nursery = b.school(trust, "Little Acorns Nursery School", "little-acorns", "149002", "nursery",
                       "Acorn Close\nRiverside\nRV2 4CD")  # fmt: skip

    primary_staff = b.staff(primary, _primary_staff(), "riverside")
    nursery_staff = b.staff(nursery, _nursery_staff(), "acorns")
    dpo = b.user(f"dpo@{DOMAIN}", "Imran", "Hussain")
    parent = b.user(f"parent@{DOMAIN}", "Rachel", "Thompson")

    # The parent's second account-holder and all other adults come next; save users
    # first so memberships and links can point at them.
    primary_years = b.year_groups(primary, [c for c, _ in PRIMARY_CLASSES])
    nursery_years = b.year_groups(nursery, [c for c, _ in NURSERY_CLASSES])
    primary_classes = {
        name: SchoolClass.objects.create(school=primary, name=name, year_group=primary_years[code])
        for code, name in PRIMARY_CLASSES
    }
    nursery_classes = {
        name: SchoolClass.objects.create(school=nursery, name=name, year_group=nursery_years[code])
        for code, name in NURSERY_CLASSES
    }
    primary_pupils = b.pupils(primary, primary_classes, [30] * 7, _age_for)
    nursery_pupils = b.pupils(nursery, nursery_classes, [30, 30, 30], _age_for)

    # Families. The fixed parent has a child in Beech (Year 4) and one at the nursery.
    beech = [p for p in primary_pupils if p.school_class.name == "Beech"]
    fixed_children = [beech[0], nursery_pupils[0]]
    for child in fixed_children:
        child.last_name = "Thompson"
    Pupil.objects.bulk_update(fixed_children, ["last_name"])

    links: list[tuple[User, Pupil, str, bool]] = [(parent, c, "mother", True) for c in fixed_children]
    father = b.user(f"d.thompson@{DOMAIN}", "David", "Thompson")
    links += [(father, c, "father", True) for c in fixed_children]

    others = [p for p in primary_pupils + nursery_pupils if p not in fixed_children]
    b.rng.shuffle(others)
    i = 0
    family_no = 0
    while i < len(others):
        family_no += 1
        # About one family in six has two children here, sometimes one at each school.
        size = 2 if b.rng.random() < 0.17 and i + 1 < len(others) else 1
        children = others[i : i + size]
        i += size
        surname = children[0].last_name
        for child in children[1:]:
            child.last_name = surname
        first_carer = b.user(
            f"{b.rng.choice(ADULT_FIRST_NAMES).lower()}.{surname.lower()}.{family_no}@{DOMAIN}",
            b.rng.choice(ADULT_FIRST_NAMES),
            surname,
        )
        relationship = b.rng.choice(["mother", "mother", "father", "grandparent", "foster_carer"])
        links += [(first_carer, c, relationship, True) for c in children]
        roll = b.rng.random()
        if roll < 0.45:  # a second carer in the same home
            second = b.user(f"{surname.lower()}.{family_no}.b@{DOMAIN}", b.rng.choice(ADULT_FIRST_NAMES), surname)
            links += [(second, c, "father" if relationship == "mother" else "mother", True) for c in children]
        elif roll < 0.55:  # a split family: the other parent lives elsewhere
            other_surname = b.rng.choice(LAST_NAMES)
            second = b.user(
                f"{other_surname.lower()}.{family_no}.split@{DOMAIN}", b.rng.choice(ADULT_FIRST_NAMES), other_surname
            )
            links += [(second, c, "father", b.rng.random() < 0.6) for c in children]
        elif roll < 0.60:  # a step-parent without parental responsibility
            second = b.user(f"{surname.lower()}.{family_no}.step@{DOMAIN}", b.rng.choice(ADULT_FIRST_NAMES), surname)
            links += [(second, c, "step_parent", False) for c in children]
    Pupil.objects.bulk_update(others, ["last_name"])

    User.objects.bulk_create(list(b.users.values()))
    saved = {u.email: u for u in User.objects.filter(email__in=list(b.users))}
    EmailAddress.objects.bulk_create(
        [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in saved.values()]
    )

    # Parent memberships: one per carer per school where they have a child.
    parent_schools = {(carer.email, pupil.school_id): pupil.school for carer, pupil, _, _ in links}
    parent_memberships = [
        (Membership(user=saved[email], school=school, status=Membership.Status.ACTIVE), (Role.PARENT,))
        for (email, _), school in parent_schools.items()
    ]
    staff_memberships = [(m, roles) for m, roles in b.memberships]
    for m, _ in staff_memberships:
        m.user = saved[m.user.email]
    all_memberships = staff_memberships + parent_memberships
    Membership.objects.bulk_create([m for m, _ in all_memberships])
    MembershipRole.objects.bulk_create(
        [MembershipRole(membership=m, role=role) for m, roles in all_memberships for role in roles]
    )
    Guardianship.objects.bulk_create(
        [
            Guardianship(pupil=pupil, carer=saved[carer.email], relationship=rel, parental_responsibility=pr)
            for carer, pupil, rel, pr in links
        ]
    )
    TrustMembership.objects.create(user=saved[dpo.email], trust=trust, job_title="Data protection officer")

    # Class teachers.
    for class_name, school_class in primary_classes.items():
        for title, membership in primary_staff.items():
            if title == f"Class teacher, {class_name}":
                school_class.teachers.add(membership)
    for class_name, school_class in nursery_classes.items():
        for title, membership in nursery_staff.items():
            if title == f"Nursery teacher, {class_name}":
                school_class.teachers.add(membership)


def demo_loaded() -> bool:
    return School.objects.filter(slug="riverside-primary").exists()
