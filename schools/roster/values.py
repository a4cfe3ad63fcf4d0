"""Turning an MIS export's cell into a value, or a sentence saying why not."""

import datetime
import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from core.roles import PRIVILEGED_ROLES, Role

from ..models import YEAR_GROUP_ORDER, Relationship


class BadValue(ValueError):
    """A cell that cannot be used; the message is shown with the line number."""


_DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%y", "%d %b %Y", "%d %B %Y")


def date(value: str, label: str) -> datetime.date | None:
    if not value:
        return None
    value = value.split(" 00:00")[0].strip()  # Excel sometimes appends a midnight time
    for fmt in _DATE_FORMATS:
        try:
            return datetime.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise BadValue(f"{label} '{value}' is not a date (use the UK format, e.g. 01/09/2026).")


def year_group(value: str) -> str:
    """'Year 4', 'Y4', '4', 'R', 'Reception', 'N1', 'Nursery' -> the year group code."""
    text = value.strip().lower()
    if text in ("r", "rec", "reception", "yr r", "year r", "fs2", "f2"):
        return "R"
    if text in ("n", "n1", "n2", "nur", "nursery", "fs1", "f1", "pre school", "preschool"):
        return "N"
    digits = re.fullmatch(r"(?:year|yr|y|nc)?\s*(\d{1,2})", text)
    if digits and digits.group(1).lstrip("0") in YEAR_GROUP_ORDER:
        return digits.group(1).lstrip("0")
    raise BadValue(f"Year group '{value}' is not one we know (use Nursery, Reception or Year 1 to Year 13).")


def yes_no(value: str, label: str) -> bool:
    text = value.strip().lower()
    if text in ("y", "yes", "true", "1", "t"):
        return True
    if text in ("n", "no", "false", "0", "f", ""):
        return False
    raise BadValue(f"{label} '{value}' should be Yes or No.")


def email(value: str) -> str:
    if not value:
        raise BadValue("The email address is missing.")
    value = value.strip().lower()
    try:
        validate_email(value)
    except ValidationError:
        raise BadValue(f"'{value}' is not a valid email address.") from None
    return value


def required(value: str, label: str) -> str:
    if not value:
        raise BadValue(f"{label} is missing.")
    return value


_RELATIONSHIPS = [
    (("step",), Relationship.STEP_PARENT),
    (("grand",), Relationship.GRANDPARENT),
    (("foster",), Relationship.FOSTER_CARER),
    (("mother", "mum", "mam"), Relationship.MOTHER),
    (("father", "dad"), Relationship.FATHER),
    (("carer", "guardian"), Relationship.CARER),
]


def relationship(value: str) -> str:
    text = value.strip().lower()
    for words, choice in _RELATIONSHIPS:
        if any(word in text for word in words):
            return choice
    if text in ("parent", "parent/carer"):
        return Relationship.CARER
    return Relationship.OTHER


def split_name(full: str) -> tuple[str, str]:
    """'Mrs Sarah Jones' -> ('Sarah', 'Jones'); 'Jones, Sarah' -> ('Sarah', 'Jones')."""
    full = re.sub(r"^(mr|mrs|ms|miss|mx|dr|rev)\.?\s+", "", full.strip(), flags=re.IGNORECASE)
    if "," in full:
        last, first = (p.strip() for p in full.split(",", 1))
        return first, last
    first, _, last = full.rpartition(" ")
    return (first, last) if first else ("", last)


_IMPORTABLE_ROLES = {
    r.label.lower(): r.value for r in Role if r not in PRIVILEGED_ROLES and r not in (Role.PARENT, Role.TRUST_OFFICER)
}
_ROLE_WORDS = [
    (("teaching assistant", "learning support", "midday", "lunchtime", "caretaker", "cleaner", "cook"), Role.SUPPORT_STAFF),
    (("teacher", "teaching", "senco", "hlta"), Role.TEACHER),
    (("governor",), Role.GOVERNOR),
    (("volunteer",), Role.VOLUNTEER),
    (("contractor",), Role.CONTRACTOR),
    (("ict", "technician", "network"), Role.ICT_MANAGER),
]  # fmt: skip


def staff_role(value: str) -> str:
    """A role the import may give. Leadership and office roles reach sensitive data,
    so only a leader gives them, from the person's page."""
    text = value.strip().lower()
    if not text:
        return Role.SUPPORT_STAFF
    if text in _IMPORTABLE_ROLES:
        return _IMPORTABLE_ROLES[text]
    privileged = {r.label.lower() for r in Role if r in PRIVILEGED_ROLES} | {"head", "headteacher", "dsl", "office"}
    if text in privileged:
        raise BadValue(f"The role '{value}' reaches sensitive data: give it from the person's page, not an import.")
    return role_from_job_title(text)


def role_from_job_title(job_title: str) -> str:
    """The role a job title suggests ("Year 4 teacher", "Teaching assistant"); never
    a leadership role, which a leader gives from the person's page."""
    text = job_title.strip().lower()
    for words, role in _ROLE_WORDS:
        if any(word in text for word in words):
            return role
    return Role.SUPPORT_STAFF
