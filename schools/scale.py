"""The schools' part of a trust at scale (core/scale.py): the trust and its officer,
schools, year groups, classes, staff with roles and classes, pupils, and families:
siblings share their carers (some at two schools of the trust), some families are
split (a second carer elsewhere, not always with parental responsibility), and each
carer has a parent membership at each school of their children, as the roster
import makes them."""

from __future__ import annotations

import datetime
from collections import deque

from allauth.account.models import EmailAddress

from accounts.models import User
from core.academic_year import AcademicYear
from core.roles import Role
from core.scale import ScaleSchool, scale_step

from .demo import ADULT_FIRST_NAMES, FIRST_NAMES, LAST_NAMES
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

CLASS_SIZE = 30
PRIMARY_YEARS = ["R", "1", "2", "3", "4", "5", "6"]
SECONDARY_YEARS = ["7", "8", "9", "10", "11"]
BATCH = 2000

# Everyone a school has besides its class teachers and assistants.
_FIXED_STAFF = [
    ((Role.HEADTEACHER,), "Headteacher", StaffType.LEADERSHIP),
    ((Role.DEPUTY,), "Deputy headteacher", StaffType.LEADERSHIP),
    ((Role.DSL, Role.TEACHER), "Designated safeguarding lead", StaffType.LEADERSHIP),
    ((Role.ESAFETY_LEAD, Role.TEACHER), "Computing lead", StaffType.TEACHING),
    ((Role.ICT_MANAGER,), "ICT technician", StaffType.SUPPORT),
    ((Role.BUSINESS_MANAGER,), "School business manager", StaffType.ADMIN),
    ((Role.OFFICE,), "Office manager", StaffType.ADMIN),
    ((Role.OFFICE,), "Administrator", StaffType.ADMIN),
    ((Role.CHAIR_OF_GOVERNORS, Role.GOVERNOR), "Chair of governors", StaffType.GOVERNOR),
    *[((Role.GOVERNOR,), "Governor", StaffType.GOVERNOR)] * 7,
    ((Role.VOLUNTEER,), "Reading volunteer", StaffType.VOLUNTEER),
    ((Role.CONTRACTOR,), "IT support contractor", StaffType.CONTRACTOR),
]


def _is_secondary(index: int) -> bool:
    """One school in five is a secondary (as core.scale.school_sizes sizes them)."""
    return index % 5 == 4


def _age_for(code: str) -> int:
    return {"N": 3, "R": 4}.get(code, int(code) + 4 if code.isdigit() else 4)


class _People:
    """Users made in memory, saved at the end in one bulk_create."""

    def __init__(self, plan):
        self.plan = plan
        self.users: list[User] = []

    def make(self, first: str, last: str, where: str) -> User:
        n = self.plan.next("user")
        email = f"{first}.{last}.{n}@{where}.example".lower().replace(" ", "")
        user = User(email=email, first_name=first, last_name=last, password=self.plan.password)
        self.users.append(user)
        return user

    def save(self):
        User.objects.bulk_create(self.users, batch_size=BATCH)
        EmailAddress.objects.bulk_create(
            [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in self.users], batch_size=BATCH
        )


@scale_step(order=10)
def build_schools(plan) -> None:
    rng = plan.rng
    people = _People(plan)
    plan.trust = Trust.objects.create(name=plan.name, slug=plan.slug)
    plan.officer = people.make("Imran", "Hussain", plan.slug)
    start = AcademicYear.containing(plan.today).starts_on
    urns = _free_urns(len(plan.sizes))
    memberships: list[tuple[Membership, tuple]] = []
    for index, size in enumerate(plan.sizes):
        secondary = _is_secondary(index)
        school = School.objects.create(
            trust=plan.trust,
            name=f"{plan.name} {'Academy' if secondary else 'Primary'} {index + 1}",
            slug=f"{plan.slug}-{index + 1}",
            urn=urns[index],
            phase="secondary" if secondary else "primary",
            every_carer_signs=index % 4 == 3,
        )
        built = ScaleSchool(school=school)
        plan.schools.append(built)
        codes = SECONDARY_YEARS if secondary else PRIMARY_YEARS
        stages = {c: ks for c, _, ks in YEAR_GROUPS}
        years = YearGroup.objects.bulk_create(
            [YearGroup(school=school, code=c, key_stage=stages[c], position=YEAR_GROUP_ORDER[c]) for c in codes]
        )
        per_year = [size // len(codes) + (1 if i < size % len(codes) else 0) for i in range(len(codes))]
        classes, class_of_pupil = [], []
        for year, count in zip(years, per_year, strict=True):
            n_classes = max(1, -(-count // CLASS_SIZE))
            made = [
                SchoolClass(school=school, year_group=year, name=f"{year.code}{_class_letter(k)}")
                for k in range(n_classes)
            ]
            classes += made
            class_of_pupil += [made[i * n_classes // count] for i in range(count)] if count else []
        built.classes = SchoolClass.objects.bulk_create(classes, batch_size=BATCH)
        where = school.slug
        staff_specs = list(_FIXED_STAFF)
        staff_specs += [((Role.OFFICE,), "Administrator", StaffType.ADMIN)] * (size // 600)
        staff_specs += [((Role.TEACHER,), "Class teacher", StaffType.TEACHING)] * len(classes)
        staff_specs += [((Role.SUPPORT_STAFF,), "Teaching assistant", StaffType.SUPPORT)] * (len(classes) // 2)
        for roles, title, staff_type in staff_specs:
            user = people.make(rng.choice(ADULT_FIRST_NAMES), rng.choice(LAST_NAMES), where)
            membership = Membership(
                user=user,
                school=school,
                status=Membership.Status.ACTIVE,
                job_title=title,
                staff_type=staff_type,
                start_date=datetime.date(rng.randint(2008, start.year - 1), 9, 1),
            )
            memberships.append((membership, roles))
            built.staff.append(membership)
        built.head = built.staff[0].user
        built.office = built.staff[6].user
        pupils = []
        for n, school_class in enumerate(class_of_pupil):
            code = school_class.year_group.code
            born = datetime.date(start.year - _age_for(code) - 1, 9, 1) + datetime.timedelta(days=rng.randint(0, 364))
            pupils.append(
                Pupil(
                    school=school,
                    first_name=rng.choice(FIRST_NAMES),
                    last_name=rng.choice(LAST_NAMES),
                    date_of_birth=born,
                    upn=f"A{school.pk:04d}{n:08d}",
                    mis_id=str(100000 + n),
                    year_group=school_class.year_group,
                    school_class=school_class,
                    admission_date=start if code in ("R", "7") else datetime.date(start.year - 1, 9, 1),
                )
            )
        built.pupils = pupils
    links = _families(plan, people)
    people.save()
    for built in plan.schools:
        built.pupils = Pupil.objects.bulk_create(built.pupils, batch_size=BATCH)
    # Parent memberships: one per carer per school of their children (most accepted
    # the invitation; some have not yet).
    parent_memberships = {}
    for carer, pupil, _, _ in links:
        key = (id(carer), pupil.school_id)
        if key not in parent_memberships:
            status = Membership.Status.ACTIVE if rng.random() < 0.85 else Membership.Status.INVITED
            parent_memberships[key] = Membership(user=carer, school_id=pupil.school_id, status=status)
    all_memberships = memberships + [(m, (Role.PARENT,)) for m in parent_memberships.values()]
    Membership.objects.bulk_create([m for m, _ in all_memberships], batch_size=BATCH)
    MembershipRole.objects.bulk_create(
        [MembershipRole(membership=m, role=role) for m, roles in all_memberships for role in roles], batch_size=BATCH
    )
    Guardianship.objects.bulk_create(
        [
            Guardianship(pupil=pupil, carer=carer, relationship=relationship, parental_responsibility=pr)
            for carer, pupil, relationship, pr in links
        ],
        batch_size=BATCH,
    )
    by_school_id = {s.school.pk: s for s in plan.schools}
    for carer, pupil, _, pr in links:
        by_school_id[pupil.school_id].carers.setdefault(pupil.pk, []).append((carer, pr))
    TrustMembership.objects.create(user=plan.officer, trust=plan.trust, job_title="Data protection officer")
    _class_teachers(plan)


def _class_letter(k: int) -> str:
    return "ABCDEFGHJKLMNPQRSTUVWXYZ"[k] if k < 24 else f"-{k + 1}"


def _free_urns(n: int) -> list[str]:
    """`n` URNs no school has yet (made-up ones, from 700001)."""
    taken = set(School.objects.values_list("urn", flat=True))
    urns, candidate = [], 700000
    while len(urns) < n:
        candidate += 1
        if str(candidate) not in taken:
            urns.append(str(candidate))
    return urns


def _families(plan, people) -> list[tuple]:
    """(carer, pupil, relationship, parental responsibility) for every pupil: families
    of one child (four in five), two or three; a sibling at the next school of the
    trust now and then."""
    rng = plan.rng
    queues = []
    for built in plan.schools:
        shuffled = list(built.pupils)
        rng.shuffle(shuffled)
        queues.append(deque(shuffled))
    links = []
    for i, queue in enumerate(queues):
        while queue:
            roll = rng.random()
            size = 1 if roll < 0.8 else 2 if roll < 0.97 else 3
            children = [queue.popleft()]
            for _ in range(size - 1):
                other = queues[(i + 1) % len(queues)]
                source = other if other and rng.random() < 0.15 else queue
                if source:
                    children.append(source.popleft())
            surname = children[0].last_name
            for child in children:
                child.last_name = surname
            where = plan.slug + "-families"
            first = people.make(rng.choice(ADULT_FIRST_NAMES), surname, where)
            relationship = rng.choice(["mother", "mother", "father", "grandparent", "foster_carer"])
            links += [(first, c, relationship, True) for c in children]
            roll = rng.random()
            if roll < 0.75:  # a second carer at home
                second = people.make(rng.choice(ADULT_FIRST_NAMES), surname, where)
                links += [(second, c, "father" if relationship == "mother" else "mother", True) for c in children]
            elif roll < 0.90:  # separated: the other parent lives elsewhere
                second = people.make(rng.choice(ADULT_FIRST_NAMES), rng.choice(LAST_NAMES), where)
                links += [(second, c, "father", rng.random() < 0.7) for c in children]
            elif roll < 0.95:  # one carer and a step-parent without parental responsibility
                second = people.make(rng.choice(ADULT_FIRST_NAMES), surname, where)
                links += [(second, c, "step_parent", False) for c in children]
            # else: one carer only
    return links


def _class_teachers(plan) -> None:
    """Each class has its class teacher (the school's "Class teacher" memberships in
    turn); the computing lead also teaches the first class."""
    Through = SchoolClass.teachers.through
    rows = []
    for built in plan.schools:
        teachers = [m for m in built.staff if m.job_title == "Class teacher"]
        for school_class, membership in zip(built.classes, teachers, strict=False):
            rows.append(Through(schoolclass_id=school_class.pk, membership_id=membership.pk))
            built.teachers_by_class[school_class.pk] = membership.user
    Through.objects.bulk_create(rows, batch_size=BATCH)
