"""Writing a plan to the database in bulk: a handful of queries per import however
many rows it has, all inside the caller's transaction."""

from __future__ import annotations

import datetime
from collections import Counter

from django.contrib.auth.hashers import make_password

from accounts.models import User
from core.roles import Role

from ..models import (
    YEAR_GROUP_ORDER,
    YEAR_GROUPS,
    Guardianship,
    Membership,
    MembershipRole,
    Pupil,
    SchoolClass,
    YearGroup,
)
from ..services import end_memberships_now
from .plan import MIS_STAFF_ROLES, STAFF_TYPE_FOR_ROLE, Plan

BATCH = 500
_KEY_STAGES = {code: ks for code, _, ks in YEAR_GROUPS}


def apply_plan(plan: Plan, *, school, by, today: datetime.date) -> list[int]:
    """Apply the plan. Returns the ids of memberships created waiting for an
    invitation (people new to the portal)."""
    return _APPLIERS[plan.kind](plan, school=school, by=by, today=today)


# --- Pupils --------------------------------------------------------------------------


def _apply_pupils(plan: Plan, *, school, by, today) -> list[int]:
    entries = plan.adds + plan.updates
    years = _year_groups(school, {e.values["year"] for e in entries})
    classes = _classes(school, plan.class_years, years)
    new = []
    for entry in plan.adds:
        v = entry.values
        new.append(
            Pupil(
                school=school,
                first_name=v["first_name"],
                last_name=v["last_name"],
                upn=v["upn"],
                mis_id=v["mis_id"],
                date_of_birth=v["date_of_birth"],
                admission_date=v["admission_date"] or today,
                year_group=years[v["year"]],
                school_class=classes.get(v["class_name"]),
            )
        )
    Pupil.objects.bulk_create(new, batch_size=BATCH)
    changed = []
    for entry in plan.updates:
        pupil, v = entry.existing, entry.values
        pupil.first_name, pupil.last_name = v["first_name"], v["last_name"]
        pupil.year_group = years[v["year"]]
        if v["class_name"] is not None and (v["class_name"] or pupil.school_class_id):
            pupil.school_class = classes.get(v["class_name"])
        for name in ("date_of_birth", "admission_date", "upn", "mis_id"):
            if v[name]:
                setattr(pupil, name, v[name])
        pupil.leaving_date = None
        changed.append(pupil)
    Pupil.objects.bulk_update(
        changed,
        ["first_name", "last_name", "year_group", "school_class", "date_of_birth", "admission_date", "upn", "mis_id", "leaving_date"],
        batch_size=BATCH,
    )  # fmt: skip
    Pupil.objects.filter(pk__in=[d.obj.pk for d in plan.leavers]).update(leaving_date=today)
    return []


def _year_groups(school, codes) -> dict[str, YearGroup]:
    years = {yg.code: yg for yg in YearGroup.objects.filter(school=school)}
    missing = [
        YearGroup(school=school, code=code, key_stage=_KEY_STAGES[code], position=YEAR_GROUP_ORDER[code])
        for code in sorted(codes - set(years), key=YEAR_GROUP_ORDER.get)
    ]
    for yg in YearGroup.objects.bulk_create(missing):
        years[yg.code] = yg
    return years


def _classes(school, year_counts: dict[str, Counter], years) -> dict[str, SchoolClass]:
    """Every class the file names, created if new; a class takes the year group most
    of its pupils in the file are in (classes move up a year each September)."""
    classes = {c.name: c for c in SchoolClass.objects.filter(school=school, name__in=list(year_counts))}
    moved = []
    for name, counts in year_counts.items():
        year = years[counts.most_common(1)[0][0]]
        if name not in classes:
            classes[name] = SchoolClass(school=school, name=name, year_group=year)
        elif classes[name].year_group_id != year.pk:
            classes[name].year_group = year
            moved.append(classes[name])
    SchoolClass.objects.bulk_create([c for c in classes.values() if c.pk is None])
    SchoolClass.objects.bulk_update(moved, ["year_group"])
    return classes


# --- People (contacts and staff) -----------------------------------------------------


def _users_for(entries) -> dict[str, User]:
    """The account for each entry's email: existing ones as they are, new ones
    created unable to sign in until they accept an invitation."""
    users = {e.values["email"]: e.values["user"] for e in entries if e.values["user"] is not None}
    new = [
        User(
            email=e.values["email"],
            first_name=e.values["first_name"],
            last_name=e.values["last_name"],
            is_active=False,
            password=make_password(None),
        )
        for e in entries
        if e.values["email"] not in users
    ]
    for user in User.objects.bulk_create(new, batch_size=BATCH):
        users[user.email] = user
    return users


def _memberships_for(school, entries, users, *, role_of, details_of) -> tuple[dict[str, Membership], list[int]]:
    """A membership for each entry, with its role added: a person already here (a
    parent joining the staff, a teacher who is also a parent) keeps their one
    membership. Returns the memberships by email and the ids of new ones that wait
    for an invitation."""
    memberships: dict[str, Membership] = {}
    new, returning = [], []
    # Someone who left and is back in the file (a returning parent) gets their old
    # membership back rather than a second one.
    former = {
        m.user_id: m
        for m in Membership.objects.filter(
            school=school, status=Membership.Status.LEFT, user__in=[u.pk for u in users.values() if u.pk]
        )
    }
    for entry in entries:
        email = entry.values["email"]
        if entry.values["membership"] is not None:
            memberships[email] = entry.values["membership"]
            continue
        user = users[email]
        status = Membership.Status.ACTIVE if user.is_active else Membership.Status.INVITED
        membership = former.get(user.pk)
        if membership is None:
            membership = Membership(user=user, school=school, status=status, **details_of(entry))
            new.append(membership)
        else:
            membership.status, membership.ended_at, membership.leaving_date = status, None, None
            for name, value in details_of(entry).items():
                setattr(membership, name, value)
            returning.append(membership)
        memberships[email] = membership
    Membership.objects.bulk_create(new, batch_size=BATCH)
    Membership.objects.bulk_update(
        returning, ["status", "ended_at", "leaving_date", "job_title", "staff_type", "start_date"], batch_size=BATCH
    )
    # Whatever they held before they left does not come back with them.
    MembershipRole.objects.filter(membership__in=returning).delete()
    MembershipRole.objects.bulk_create(
        [MembershipRole(membership=memberships[e.values["email"]], role=role_of(e)) for e in entries],
        batch_size=BATCH,
        ignore_conflicts=True,
    )
    return memberships, [m.pk for m in new + returning if m.status == Membership.Status.INVITED]


def _apply_contacts(plan: Plan, *, school, by, today) -> list[int]:
    users = _users_for(plan.adds)
    _, waiting = _memberships_for(school, plan.adds, users, role_of=lambda e: Role.PARENT, details_of=lambda e: {})
    entries = plan.adds + plan.updates
    carers = {e.values["email"]: (e.values["user"] or users[e.values["email"]]) for e in entries}
    existing = {
        (g.carer_id, g.pupil_id): g
        for g in Guardianship.objects.filter(pupil__school=school, carer__in=[c.pk for c in carers.values()])
    }
    create, update, wanted = [], [], set()
    for entry in entries:
        carer = carers[entry.values["email"]]
        for pupil_id, link in entry.values["links"].items():
            wanted.add((carer.pk, pupil_id))
            current = existing.get((carer.pk, pupil_id))
            if current is None:
                create.append(
                    Guardianship(
                        pupil=link["pupil"],
                        carer=carer,
                        relationship=link["relationship"],
                        parental_responsibility=link["pr"],
                    )
                )
            elif (current.relationship, current.parental_responsibility) != (link["relationship"], link["pr"]):
                current.relationship, current.parental_responsibility = link["relationship"], link["pr"]
                update.append(current)
    Guardianship.objects.bulk_create(create, batch_size=BATCH)
    Guardianship.objects.bulk_update(update, ["relationship", "parental_responsibility"], batch_size=BATCH)
    # A link the MIS no longer has (a change of custody) must stop the carer seeing the child.
    Guardianship.objects.filter(pk__in=[g.pk for key, g in existing.items() if key not in wanted]).delete()
    _leave_roles(school, [d.obj for d in plan.leavers], {Role.PARENT}, by=by)
    return waiting


def _apply_staff(plan: Plan, *, school, by, today) -> list[int]:
    users = _users_for(plan.adds)

    def details(entry):
        v = entry.values
        return {
            "job_title": v["job_title"],
            "staff_type": STAFF_TYPE_FOR_ROLE.get(v["role"], ""),
            "start_date": v["start_date"],
        }

    memberships, waiting = _memberships_for(
        school, plan.adds, users, role_of=lambda e: e.values["role"], details_of=details
    )
    # A parent here who joins the staff keeps their membership: give it the staff details.
    joined = []
    for entry in plan.adds:
        membership = entry.values["membership"]
        if membership is not None:
            for name, value in details(entry).items():
                setattr(membership, name, value)
            joined.append(membership)
    changed = []
    for entry in plan.updates:
        membership, v = entry.existing, entry.values
        membership.job_title = v["job_title"] or membership.job_title
        membership.start_date = v["start_date"] or membership.start_date
        changed.append(membership)
    Membership.objects.bulk_update(joined + changed, ["job_title", "staff_type", "start_date"], batch_size=BATCH)
    # Only the roles an MIS staff export covers: a teacher who is also a governor
    # stays a governor.
    _leave_roles(school, [d.obj for d in plan.leavers], MIS_STAFF_ROLES, by=by, today=today)
    return waiting


def _leave_roles(school, memberships: list[Membership], roles: set[str], *, by, today=None) -> None:
    """People no longer in the MIS file lose these roles; a membership with nothing
    left ends (and the login, if they belong nowhere else). All of them at once."""
    keeping = [m for m in memberships if set(m.role_codes) - roles]
    ending = [m for m in memberships if not set(m.role_codes) - roles]
    MembershipRole.objects.filter(membership__in=keeping, role__in=roles).delete()
    for membership in ending:
        membership.school = school  # for the audit log, without a query each
        if today is not None:
            membership.leaving_date = today
    if today is not None and ending:
        Membership.objects.filter(pk__in=[m.pk for m in ending]).update(leaving_date=today)
    end_memberships_now(ending, by=by)


_APPLIERS = {"pupils": _apply_pupils, "contacts": _apply_contacts, "staff": _apply_staff}
