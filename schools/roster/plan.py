"""The dry run: what an MIS file would change, worked out before anything is written.
The same plan is worked out again, inside the transaction, when the person confirms,
and then applied (apply.py)."""

from __future__ import annotations

import datetime
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from accounts.models import User
from core.roles import PRIVILEGED_ROLES, Role

from ..models import YEAR_GROUPS, Guardianship, Membership, Pupil, RosterKind, StaffType
from . import values
from .files import Row
from .values import BadValue


@dataclass(frozen=True)
class Problem:
    line: int
    message: str
    who: str = ""  # whose row, as far as the row says, to find it in the MIS


@dataclass(frozen=True)
class Change:
    label: str
    old: str
    new: str


@dataclass
class Entry:
    """One person (or pupil) to add or update."""

    line: int
    name: str
    values: dict
    existing: object | None = None
    changes: list[Change] = field(default_factory=list)


@dataclass(frozen=True)
class Departure:
    name: str
    obj: object
    note: str = ""


@dataclass
class Plan:
    kind: str
    adds: list[Entry] = field(default_factory=list)
    updates: list[Entry] = field(default_factory=list)
    unchanged: int = 0
    leavers: list[Departure] = field(default_factory=list)
    kept: list[Departure] = field(default_factory=list)  # not in the file, left as they are
    # How many the school has now (pupils on roll, parents, staff the MIS covers),
    # before the file: what the share of leavers is measured against (guard.py).
    current: int = 0
    problems: list[Problem] = field(default_factory=list)
    # Pupils: each class the file names, with the year groups of all its pupils in the
    # file (changed or not), so a class takes the year most of them are in.
    class_years: dict[str, Counter] = field(default_factory=dict)

    @property
    def counts(self) -> dict[str, int]:
        return {
            "added": len(self.adds),
            "updated": len(self.updates),
            "unchanged": self.unchanged,
            "left": len(self.leavers),
            "skipped": len(self.problems),
        }

    @property
    def in_file(self) -> int:
        """The people (or pupils) the file names that can be used: new and known."""
        return len(self.adds) + len(self.updates) + self.unchanged

    @property
    def changes_anything(self) -> bool:
        return bool(self.adds or self.updates or self.leavers)


class _Cells:
    """The cells of one row, by the portal's field names."""

    def __init__(self, row: Row, columns: dict[str, str]):
        self.row, self.columns = row, columns

    def __getitem__(self, name: str) -> str:
        heading = self.columns.get(name)
        return self.row.values.get(heading, "").strip() if heading else ""

    def has(self, name: str) -> bool:
        return name in self.columns


def _show(value) -> str:
    if value in (None, ""):
        return "—"
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def _change(changes, label, old, new):
    if old != new:
        changes.append(Change(label, _show(old), _show(new)))


YEAR_NAMES = {code: name for code, name, _ in YEAR_GROUPS}
_UPN = re.compile(r"^[A-Z]\d{11}[0-9A-Z]$")


# --- Pupils --------------------------------------------------------------------------


def plan_pupils(school, rows: list[Row], columns: dict[str, str], today: datetime.date, importer=None) -> Plan:
    plan = Plan(RosterKind.PUPILS)
    existing = list(Pupil.objects.filter(school=school).select_related("year_group", "school_class"))
    by_upn = {p.upn: p for p in existing if p.upn}
    by_mis = {p.mis_id: p for p in existing if p.mis_id}
    first_seen: dict[str, int] = {}
    matched: set[int] = set()
    for row in rows:
        cells = _Cells(row, columns)
        try:
            parsed = _pupil_values(cells, row.line, first_seen)
        except BadValue as problem:
            plan.problems.append(Problem(row.line, str(problem), _who(cells)))
            continue
        pupil = by_upn.get(parsed["upn"]) if parsed["upn"] else None
        pupil = pupil or (by_mis.get(parsed["mis_id"]) if parsed["mis_id"] else None)
        name = f"{parsed['first_name']} {parsed['last_name']}"
        if pupil is not None and pupil.pk in matched:
            plan.problems.append(Problem(row.line, "This pupil is already on an earlier line.", name))
            continue
        clash = _clashing_pupil(parsed, pupil, by_upn, by_mis)
        if clash:
            plan.problems.append(Problem(row.line, clash, name))
            continue
        if parsed["class_name"]:
            plan.class_years.setdefault(parsed["class_name"], Counter())[parsed["year"]] += 1
        if pupil is None:
            plan.adds.append(Entry(row.line, name, parsed))
            continue
        matched.add(pupil.pk)
        changes = _pupil_changes(pupil, parsed, cells)
        if changes:
            plan.updates.append(Entry(row.line, name, parsed, pupil, changes))
        else:
            plan.unchanged += 1
    for pupil in existing:
        on_roll = pupil.leaving_date is None or pupil.leaving_date > today
        plan.current += on_roll
        if pupil.pk not in matched and on_roll:
            plan.leavers.append(Departure(pupil.full_name, pupil, str(pupil.school_class or pupil.year_group)))
    return plan


def _who(cells: _Cells) -> str:
    return f"{cells['first_name']} {cells['last_name']}".strip() or cells["full_name"] or cells["email"]


def _clashing_pupil(parsed: dict, pupil, by_upn: dict, by_mis: dict) -> str:
    """An identifier in the row that belongs to a different pupil already here (a
    corrected UPN that is someone else's): applying it would break the record."""
    for key, label, index in (("upn", "UPN", by_upn), ("mis_id", "MIS id", by_mis)):
        other = index.get(parsed[key]) if parsed[key] else None
        if other is not None and (pupil is None or other.pk != pupil.pk):
            return f"{label} {parsed[key]} belongs to {other.full_name}, another pupil here. Check it in your MIS."
    return ""


def _pupil_values(cells: _Cells, line: int, first_seen: dict[str, int]) -> dict:
    upn, mis_id = cells["upn"].upper().replace(" ", ""), cells["mis_id"]
    if not upn and not mis_id:
        raise BadValue("The UPN is missing.")
    if upn and not _UPN.match(upn):
        raise BadValue(f"UPN '{upn}' is not a UPN (a letter and 12 more characters, e.g. A123456789012).")
    for key in (f"upn:{upn}" if upn else "", f"mis:{mis_id}" if mis_id else ""):
        if key and key in first_seen:
            label = "UPN" if key.startswith("upn") else "MIS id"
            raise BadValue(f"{label} {key[4:]} appears twice in the file (also on line {first_seen[key]}).")
    parsed = {
        "upn": upn,
        "mis_id": mis_id,
        "first_name": values.required(cells["first_name"], "The first name"),
        "last_name": values.required(cells["last_name"], "The surname"),
        "year": values.year_group(values.required(cells["year"], "The year group")),
        # None when the file has no class column: pupils then stay in their classes.
        "class_name": cells["class_name"] if cells.has("class_name") else None,
        "date_of_birth": values.date(cells["date_of_birth"], "Date of birth"),
        "admission_date": values.date(cells["admission_date"], "Admission date"),
    }
    for key in (f"upn:{upn}" if upn else "", f"mis:{mis_id}" if mis_id else ""):
        if key:
            first_seen[key] = line
    return parsed


def _pupil_changes(pupil: Pupil, new: dict, cells: _Cells) -> list[Change]:
    changes: list[Change] = []
    _change(changes, "First name", pupil.first_name, new["first_name"])
    _change(changes, "Surname", pupil.last_name, new["last_name"])
    _change(changes, "Year group", YEAR_NAMES[pupil.year_group.code], YEAR_NAMES[new["year"]])
    if cells.has("class_name"):
        _change(changes, "Class", pupil.school_class.name if pupil.school_class else "", new["class_name"])
    for name, label in (("date_of_birth", "Date of birth"), ("admission_date", "Admission date")):
        if new[name] is not None:
            _change(changes, label, getattr(pupil, name), new[name])
    for name, label in (("upn", "UPN"), ("mis_id", "MIS id")):
        if new[name]:
            _change(changes, label, getattr(pupil, name), new[name])
    if pupil.leaving_date is not None:
        changes.append(Change("Back on roll", f"left {_show(pupil.leaving_date)}", "on roll"))
    return changes


# --- Contacts (parents and carers) ---------------------------------------------------


def plan_contacts(school, rows: list[Row], columns: dict[str, str], today: datetime.date, importer=None) -> Plan:
    plan = Plan(RosterKind.CONTACTS)
    pupils = list(Pupil.objects.filter(school=school))
    by_upn = {p.upn: p for p in pupils if p.upn}
    by_mis = {p.mis_id: p for p in pupils if p.mis_id}
    contacts: dict[str, dict] = {}
    for row in rows:
        cells = _Cells(row, columns)
        try:
            email, first, last, link = _contact_values(cells, by_upn, by_mis)
        except BadValue as problem:
            plan.problems.append(Problem(row.line, str(problem), _who(cells)))
            continue
        contact = contacts.setdefault(email, {"line": row.line, "first_name": first, "last_name": last, "links": {}})
        if link["pupil"].pk in contact["links"]:
            plan.problems.append(Problem(row.line, f"Linked to {link['pupil']} twice.", email))
            continue
        contact["links"][link["pupil"].pk] = link

    users = {u.email: u for u in User.objects.filter(email__in=list(contacts))}
    memberships = {
        m.user_id: m
        for m in Membership.objects.current().filter(school=school).select_related("user").prefetch_related("roles")
    }
    links_by_carer: dict[int, dict[int, Guardianship]] = defaultdict(dict)
    for link in Guardianship.objects.filter(pupil__school=school).select_related("pupil"):
        links_by_carer[link.carer_id][link.pupil_id] = link

    for email, contact in contacts.items():
        user = users.get(email)
        membership = memberships.get(user.pk) if user else None
        name = f"{contact['first_name']} {contact['last_name']}".strip()
        entry_values = {"email": email, **contact}
        is_parent_here = membership is not None and Role.PARENT in membership.role_codes
        if not is_parent_here:
            plan.adds.append(Entry(contact["line"], name, {**entry_values, "user": user, "membership": membership}))
            continue
        changes = _link_changes(links_by_carer.get(user.pk, {}), contact["links"])
        if changes:
            plan.updates.append(
                Entry(contact["line"], name, {**entry_values, "user": user, "membership": membership}, user, changes)
            )
        else:
            plan.unchanged += 1

    plan.current = sum(Role.PARENT in m.role_codes for m in memberships.values())
    for membership in memberships.values():
        if Role.PARENT in membership.role_codes and membership.user.email not in contacts:
            other_roles = set(membership.role_codes) - {Role.PARENT}
            note = "stays on the staff; loses the parent role" if other_roles else ""
            plan.leavers.append(Departure(membership.user.full_name, membership, note))
    return plan


def _contact_values(cells: _Cells, by_upn, by_mis):
    email = values.email(cells["email"])
    first, last = cells["first_name"], cells["last_name"]
    if not last and cells["full_name"]:
        first, last = values.split_name(cells["full_name"])
    values.required(last, "The contact's surname")
    upn, mis_id = cells["pupil_upn"].upper().replace(" ", ""), cells["pupil_mis_id"]
    pupil = by_upn.get(upn) if upn else None
    pupil = pupil or (by_mis.get(mis_id) if mis_id else None)
    if pupil is None:
        if not upn and not mis_id:
            raise BadValue("The pupil's UPN is missing.")
        raise BadValue(
            f"No pupil with {'UPN ' + upn if upn else 'MIS id ' + mis_id} at this school. Import pupils first."
        )
    # With no parental responsibility column, every contact is taken to hold it.
    responsibility = (
        values.yes_no(cells["parental_responsibility"], "Parental responsibility")
        if cells.has("parental_responsibility")
        else True
    )
    link = {"pupil": pupil, "relationship": values.relationship(cells["relationship"]), "pr": responsibility}
    return email, first, last, link


def _link_changes(existing: dict[int, Guardianship], wanted: dict[int, dict]) -> list[Change]:
    changes: list[Change] = []
    for pupil_id, link in wanted.items():
        current = existing.get(pupil_id)
        if current is None:
            changes.append(Change(f"Cares for {link['pupil']}", "—", "added"))
            continue
        if current.relationship != link["relationship"]:
            changes.append(
                Change(
                    f"Relationship to {link['pupil']}",
                    current.get_relationship_display(),
                    dict(Guardianship._meta.get_field("relationship").choices)[link["relationship"]],
                )
            )
        if current.parental_responsibility != link["pr"]:
            changes.append(
                Change(
                    f"Parental responsibility for {link['pupil']}",
                    "Yes" if current.parental_responsibility else "No",
                    "Yes" if link["pr"] else "No",
                )
            )
    for pupil_id, current in existing.items():
        if pupil_id not in wanted:
            changes.append(Change(f"Cares for {current.pupil}", "linked", "link removed"))
    return changes


# --- Staff ---------------------------------------------------------------------------

# Roles an MIS staff export covers; governors, volunteers and contractors are kept
# in the portal only, so they are never "missing from the file".
MIS_STAFF_ROLES = {Role.TEACHER, Role.SUPPORT_STAFF, Role.ICT_MANAGER}
STAFF_TYPE_FOR_ROLE = {
    Role.TEACHER: StaffType.TEACHING,
    Role.SUPPORT_STAFF: StaffType.SUPPORT,
    Role.ICT_MANAGER: StaffType.SUPPORT,
    Role.GOVERNOR: StaffType.GOVERNOR,
    Role.VOLUNTEER: StaffType.VOLUNTEER,
    Role.CONTRACTOR: StaffType.CONTRACTOR,
    Role.VISITOR: StaffType.VISITOR,
}


def plan_staff(school, rows: list[Row], columns: dict[str, str], today: datetime.date, importer=None) -> Plan:
    plan = Plan(RosterKind.STAFF)
    people: dict[str, dict] = {}
    for row in rows:
        cells = _Cells(row, columns)
        try:
            email = values.email(cells["email"])
            if email in people:
                raise BadValue(f"{email} appears twice in the file (also on line {people[email]['line']}).")
            # A blank role cell (or no role column) leaves it to the job title.
            role = values.staff_role(cells["role"]) if cells["role"] else values.role_from_job_title(cells["job_title"])
            people[email] = {
                "line": row.line,
                "email": email,
                "first_name": values.required(cells["first_name"], "The first name"),
                "last_name": values.required(cells["last_name"], "The surname"),
                "job_title": cells["job_title"],
                "role": role,
                "start_date": values.date(cells["start_date"], "Start date"),
            }
        except BadValue as problem:
            plan.problems.append(Problem(row.line, str(problem), _who(cells)))

    users = {u.email: u for u in User.objects.filter(email__in=list(people))}
    memberships = {
        m.user_id: m
        for m in Membership.objects.current().filter(school=school).select_related("user").prefetch_related("roles")
    }
    for email, person in people.items():
        user = users.get(email)
        membership = memberships.get(user.pk) if user else None
        name = f"{person['first_name']} {person['last_name']}"
        entry_values = {**person, "user": user, "membership": membership}
        # Already on the staff the MIS covers (or holding this very role): an update.
        # Otherwise they join the staff: a parent, or a governor or volunteer who
        # takes a job here, keeps their membership and gains the role.
        held = set(membership.role_codes) if membership else set()
        if not held & (MIS_STAFF_ROLES | PRIVILEGED_ROLES) and person["role"] not in held:
            plan.adds.append(Entry(person["line"], name, entry_values))
            continue
        changes: list[Change] = []
        if person["job_title"]:
            _change(changes, "Job title", membership.job_title, person["job_title"])
        if person["start_date"]:
            _change(changes, "Start date", membership.start_date, person["start_date"])
        if changes:
            plan.updates.append(Entry(person["line"], name, entry_values, membership, changes))
        else:
            plan.unchanged += 1

    for membership in memberships.values():
        roles = set(membership.role_codes)
        plan.current += bool(roles & MIS_STAFF_ROLES)
        if membership.user.email in people or not roles & MIS_STAFF_ROLES:
            continue
        if roles & PRIVILEGED_ROLES or (importer is not None and membership.user_id == importer.pk):
            plan.kept.append(
                Departure(membership.user.full_name, membership, "leadership or office role: change it from their page")
            )
        else:
            others = roles - MIS_STAFF_ROLES
            note = (
                f"keeps their other roles: {', '.join(Role(r).label.lower() for r in sorted(others))}"
                if others
                else membership.job_title
            )
            plan.leavers.append(Departure(membership.user.full_name, membership, note))
    return plan


PLANNERS = {RosterKind.PUPILS: plan_pupils, RosterKind.CONTACTS: plan_contacts, RosterKind.STAFF: plan_staff}
