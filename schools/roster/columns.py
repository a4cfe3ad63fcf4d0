"""Which column holds what. MIS exports name the same thing differently (SIMS says
"Legal Surname" and "Reg Group", Arbor "Last Name" and "Registration Form"); the
portal knows the common headings, and a person maps any other heading once."""

import re
from dataclasses import dataclass

from ..models import ColumnMapping, RosterKind


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    aliases: tuple[str, ...]


def normalise(heading: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", heading.lower()).strip()


_PUPIL_REF = ("pupil upn", "student upn", "child upn", "upn of pupil", "pupil s upn")
_PUPIL_MIS = ("pupil mis id", "student id", "pupil id", "adno", "admission number", "child id", "pupil adno")

FIELDS: dict[str, list[Field]] = {
    RosterKind.PUPILS: [
        Field("upn", "UPN", ("upn", "unique pupil number")),
        Field("mis_id", "MIS id", ("mis id", "adno", "admission number", "student id", "pupil id", "id")),
        Field("last_name", "Surname", ("legal surname", "surname", "last name", "legal last name", "family name")),
        Field("first_name", "First name", ("forename", "legal forename", "first name", "legal first name", "given name")),
        Field("date_of_birth", "Date of birth", ("dob", "date of birth", "birth date")),
        Field("year", "Year group", ("year", "year group", "nc year", "national curriculum year", "curriculum year")),
        Field("class_name", "Class", ("reg group", "reg", "registration group", "registration form", "form", "class", "tutor group")),
        Field("admission_date", "Admission date", ("admission date", "date of admission", "date of entry", "entry date", "start date")),
    ],
    RosterKind.CONTACTS: [
        Field("pupil_upn", "Pupil's UPN", (*_PUPIL_REF, "upn")),
        Field("pupil_mis_id", "Pupil's MIS id", _PUPIL_MIS),
        Field("last_name", "Contact's surname", ("contact surname", "contact last name", "guardian last name", "parent surname", "surname", "last name")),
        Field("first_name", "Contact's first name", ("contact forename", "contact first name", "guardian first name", "parent forename", "forename", "first name")),
        Field("full_name", "Contact's full name", ("contact name", "contact full name", "guardian name", "parent name", "name")),
        Field("email", "Email address", ("contact email", "email", "email address", "primary email", "guardian email", "contact email address", "parent email")),
        Field("relationship", "Relationship", ("relationship", "relationship to pupil", "relationship to student", "relation")),
        Field("parental_responsibility", "Parental responsibility", ("parental responsibility", "has parental responsibility", "pr", "parental resp")),
    ],
    RosterKind.STAFF: [
        Field("last_name", "Surname", ("legal surname", "surname", "last name", "legal last name")),
        Field("first_name", "First name", ("forename", "legal forename", "first name", "legal first name", "preferred forename")),
        Field("email", "Email address", ("email", "work email", "email address", "school email", "staff email")),
        Field("job_title", "Job title", ("job title", "post", "role title", "position")),
        Field("role", "Role", ("role", "staff role", "category", "staff category")),
        Field("start_date", "Start date", ("start date", "employment start date", "date started", "contract start")),
    ],
}  # fmt: skip

# Each tuple is "one of these must be there".
REQUIRED: dict[str, list[tuple[str, ...]]] = {
    RosterKind.PUPILS: [("upn", "mis_id"), ("last_name",), ("first_name",), ("year",)],
    RosterKind.CONTACTS: [("pupil_upn", "pupil_mis_id"), ("email",), ("last_name", "full_name")],
    RosterKind.STAFF: [("email",), ("last_name",), ("first_name",)],
}


def fields_for(kind: str) -> dict[str, Field]:
    return {f.name: f for f in FIELDS[kind]}


@dataclass(frozen=True)
class ColumnMatch:
    columns: dict[str, str]  # portal field -> the file's heading
    unknown: list[str]  # headings neither recognised nor mapped yet
    missing: list[tuple[str, ...]]  # required field groups with no column

    @property
    def complete(self) -> bool:
        return not self.missing


def match(kind: str, headings: list[str], saved: dict[str, str] | None = None) -> ColumnMatch:
    """Match the file's headings to the portal's fields: the school's own mappings
    first, then the known headings. `saved` maps normalised heading -> field ('' to
    ignore)."""
    saved = saved or {}
    by_alias = {alias: f.name for f in FIELDS[kind] for alias in f.aliases}
    columns: dict[str, str] = {}
    unknown = []
    for heading in headings:
        if not heading:
            continue
        key = normalise(heading)
        field = saved[key] if key in saved else by_alias.get(key)
        if field and field not in columns:
            columns[field] = heading
        elif key not in saved and field is None:
            unknown.append(heading)
    missing = [group for group in REQUIRED[kind] if not any(f in columns for f in group)]
    return ColumnMatch(columns=columns, unknown=unknown, missing=missing)


def saved_mappings(school, kind) -> dict[str, str]:
    return dict(ColumnMapping.objects.filter(school=school, kind=kind).values_list("heading", "field"))


def remember(school, kind, choices: dict[str, str]) -> None:
    """Save a person's choices (heading -> field or '') for the school's next files."""
    for heading, field in choices.items():
        ColumnMapping.objects.update_or_create(
            school=school, kind=kind, heading=normalise(heading), defaults={"field": field}
        )
