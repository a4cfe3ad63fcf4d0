"""Sample MIS exports, made by the tests, in two systems' column styles.

SIMS and Arbor name the same columns differently and write some values their own way
(SIMS: "4", "Y", 01/09/2019; Arbor: "Year 4", "Yes", 2019-09-01). Each function takes
a list of dicts with the portal's own keys and returns the file's bytes, in the
encoding and with the delimiter a school's spreadsheet might use:

    pupils:   upn, mis_id, first_name, last_name, date_of_birth, year, class_name, admission_date
    contacts: upn, first_name, last_name, email, relationship, pr
    staff:    first_name, last_name, email, job_title, start_date, role (optional)

`year` is a year group code ("N", "R", "1" to "13"), written as each system writes
it; dates are datetime.date; `pr` is a bool. Any other value is written exactly as it
is, so a test can put a bad date ("31/02/2017") or an unknown year group ("Year 14")
in a cell. `rename` swaps a heading for another ({"Legal Surname": "Pupil Surname"}).
"""

import csv
import datetime
import io

YEAR_CODES = {"N", "R", *(str(n) for n in range(1, 14))}

SIMS_PUPILS = [
    ("mis_id", "Adno"),
    ("upn", "UPN"),
    ("last_name", "Legal Surname"),
    ("first_name", "Legal Forename"),
    ("date_of_birth", "DOB"),
    ("year", "Year"),
    ("class_name", "Reg Group"),
    ("admission_date", "Admission Date"),
]
SIMS_CONTACTS = [
    ("upn", "UPN"),
    ("last_name", "Contact Surname"),
    ("first_name", "Contact Forename"),
    ("relationship", "Relationship"),
    ("pr", "Parental Responsibility"),
    ("email", "Primary Email"),
]
SIMS_STAFF = [
    ("last_name", "Legal Surname"),
    ("first_name", "Legal Forename"),
    ("email", "Work Email"),
    ("job_title", "Post"),
    ("start_date", "Start Date"),
    ("role", "Staff Category"),
]

ARBOR_PUPILS = [
    ("mis_id", "Student ID"),
    ("upn", "UPN"),
    ("last_name", "Last Name"),
    ("first_name", "First Name"),
    ("date_of_birth", "Date of Birth"),
    ("year", "Year Group"),
    ("class_name", "Registration Form"),
    ("admission_date", "Date of Entry"),
]
ARBOR_CONTACTS = [
    ("upn", "Student UPN"),
    ("first_name", "Guardian First Name"),
    ("last_name", "Guardian Last Name"),
    ("email", "Guardian Email"),
    ("relationship", "Relationship to Student"),
    ("pr", "Has Parental Responsibility"),
]
ARBOR_STAFF = [
    ("first_name", "First Name"),
    ("last_name", "Last Name"),
    ("email", "Email"),
    ("job_title", "Job Title"),
    ("start_date", "Start Date"),
    ("role", "Staff Role"),
]


def _sims_cell(key, value) -> str:
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, bool):
        return "Y" if value else "N"
    return value


def _arbor_cell(key, value) -> str:
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if key == "year" and value in YEAR_CODES:
        return {"N": "Nursery", "R": "Reception"}.get(value, f"Year {value}")
    return value


def to_csv(headings: list[str], rows: list[list[str]], *, encoding="utf-8", delimiter=",", newline="\r\n") -> bytes:
    """A CSV file as a spreadsheet writes it: CRLF line ends, quoting where needed.
    Use encoding "utf-8-sig" for UTF-8 with the byte-order mark Excel adds."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator=newline)
    writer.writerow(headings)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def _export(layout, cell, records, *, encoding, delimiter, rename=None) -> bytes:
    # Optional columns (the staff role) appear only when a record has them.
    keys = [key for key, _ in layout if key != "role" or any("role" in r for r in records)]
    headings = [dict(layout)[key] for key in keys]
    if rename:
        headings = [rename.get(h, h) for h in headings]
    rows = [[cell(key, record.get(key, "")) or "" for key in keys] for record in records]
    return to_csv(headings, rows, encoding=encoding, delimiter=delimiter)


def sims_pupils(pupils, *, encoding="utf-8", delimiter=",", rename=None) -> bytes:
    return _export(SIMS_PUPILS, _sims_cell, pupils, encoding=encoding, delimiter=delimiter, rename=rename)


def sims_contacts(contacts, *, encoding="utf-8", delimiter=",", rename=None) -> bytes:
    return _export(SIMS_CONTACTS, _sims_cell, contacts, encoding=encoding, delimiter=delimiter, rename=rename)


def sims_staff(staff, *, encoding="utf-8", delimiter=",", rename=None) -> bytes:
    return _export(SIMS_STAFF, _sims_cell, staff, encoding=encoding, delimiter=delimiter, rename=rename)


def arbor_pupils(pupils, *, encoding="utf-8", delimiter=",", rename=None) -> bytes:
    return _export(ARBOR_PUPILS, _arbor_cell, pupils, encoding=encoding, delimiter=delimiter, rename=rename)


def arbor_contacts(contacts, *, encoding="utf-8", delimiter=",", rename=None) -> bytes:
    return _export(ARBOR_CONTACTS, _arbor_cell, contacts, encoding=encoding, delimiter=delimiter, rename=rename)


def arbor_staff(staff, *, encoding="utf-8", delimiter=",", rename=None) -> bytes:
    return _export(ARBOR_STAFF, _arbor_cell, staff, encoding=encoding, delimiter=delimiter, rename=rename)


EXPORTERS = {
    "sims": {"pupils": sims_pupils, "contacts": sims_contacts, "staff": sims_staff},
    "arbor": {"pupils": arbor_pupils, "contacts": arbor_contacts, "staff": arbor_staff},
}


# --- A small school's roll, as the MIS holds it --------------------------------------


def upn(n: int) -> str:
    """A well-formed UPN: a letter and 12 digits."""
    return f"H{801200000000 + n:012d}"


def pupil(n, first_name, last_name, year, class_name, **overrides) -> dict:
    record = {
        "mis_id": str(1000 + n),
        "upn": upn(n),
        "first_name": first_name,
        "last_name": last_name,
        "date_of_birth": datetime.date(2019 - int(year if year.isdigit() else 0), 3, 1 + n % 27),
        "year": year,
        "class_name": class_name,
        "admission_date": datetime.date(2023, 9, 4),
    }
    record.update(overrides)
    return record


def autumn_pupils() -> list[dict]:
    """Four pupils in two classes: Hazel (Year 3) and Rowan (Year 4)."""
    return [
        pupil(1, "Zoë", "Adeyemi", "3", "Hazel"),
        pupil(2, "Siobhán", "O'Connor", "3", "Hazel"),
        pupil(3, "Oliver", "Brown", "4", "Rowan"),
        pupil(4, "Isla", "Patel", "4", "Rowan"),
    ]


def autumn_contacts() -> list[dict]:
    return [
        {"upn": upn(1), "first_name": "Grace", "last_name": "Adeyemi", "email": "grace.adeyemi@example.com", "relationship": "Mother", "pr": True},
        {"upn": upn(2), "first_name": "Niamh", "last_name": "O'Connor", "email": "niamh.oconnor@example.com", "relationship": "Mother", "pr": True},
        {"upn": upn(2), "first_name": "Declan", "last_name": "O'Connor", "email": "declan.oconnor@example.com", "relationship": "Father", "pr": True},
        {"upn": upn(3), "first_name": "Sam", "last_name": "Brown", "email": "sam.brown@example.com", "relationship": "Father", "pr": True},
        {"upn": upn(4), "first_name": "Sam", "last_name": "Brown", "email": "sam.brown@example.com", "relationship": "Step-father", "pr": False},
    ]  # fmt: skip


def autumn_staff() -> list[dict]:
    return [
        {"first_name": "Priya", "last_name": "Shah", "email": "p.shah@oakfield.example.org", "job_title": "Year 3 Teacher", "start_date": datetime.date(2021, 9, 1)},
        {"first_name": "Tom", "last_name": "Evans", "email": "t.evans@oakfield.example.org", "job_title": "Teaching Assistant", "start_date": datetime.date(2022, 1, 4)},
        {"first_name": "Łukasz", "last_name": "Nowak", "email": "l.nowak@oakfield.example.org", "job_title": "Network Technician", "start_date": datetime.date(2020, 4, 20)},
    ]  # fmt: skip
