"""The portal knows the headings SIMS and Arbor exports use, with nothing to map."""

import pytest

from schools.roster import columns, files

from .exports import (
    ARBOR_CONTACTS,
    ARBOR_PUPILS,
    ARBOR_STAFF,
    EXPORTERS,
    SIMS_CONTACTS,
    SIMS_PUPILS,
    SIMS_STAFF,
    autumn_contacts,
    autumn_pupils,
    autumn_staff,
)

LAYOUTS = {
    ("sims", "pupils"): SIMS_PUPILS,
    ("sims", "contacts"): SIMS_CONTACTS,
    ("sims", "staff"): SIMS_STAFF,
    ("arbor", "pupils"): ARBOR_PUPILS,
    ("arbor", "contacts"): ARBOR_CONTACTS,
    ("arbor", "staff"): ARBOR_STAFF,
}
# The exports' keys that the portal names differently for contacts.
CONTACT_FIELDS = {"upn": "pupil_upn", "pr": "parental_responsibility"}


def sample(kind):
    if kind == "staff":
        return [{**autumn_staff()[0], "role": "Teacher"}, *autumn_staff()[1:]]
    return {"pupils": autumn_pupils, "contacts": autumn_contacts}[kind]()


@pytest.mark.parametrize("system", ["sims", "arbor"])
@pytest.mark.parametrize("kind", ["pupils", "contacts", "staff"])
def test_every_heading_of_a_sims_or_arbor_export_is_recognised_as_the_right_field(system, kind):
    csv_file = files.check_bytes(EXPORTERS[system][kind](sample(kind)))
    headings, _ = files.rows(csv_file.text, csv_file.delimiter)

    matched = columns.match(kind, headings)

    assert matched.unknown == []
    assert matched.complete
    rename = CONTACT_FIELDS if kind == "contacts" else {}
    assert matched.columns == {rename.get(key, key): heading for key, heading in LAYOUTS[system, kind]}


@pytest.mark.parametrize(
    "kind, heading, field",
    [
        ("pupils", "Legal Surname", "last_name"),
        ("pupils", "Forename", "first_name"),
        ("pupils", "Year", "year"),
        ("pupils", "Reg Group", "class_name"),
        ("pupils", "UPN", "upn"),
        ("pupils", "Admission Date", "admission_date"),
        ("pupils", "NC Year", "year"),
        ("pupils", "Tutor Group", "class_name"),
        ("contacts", "Contact Email", "email"),
        ("contacts", "Relationship", "relationship"),
        ("contacts", "Parental Responsibility", "parental_responsibility"),
        ("contacts", "Pupil UPN", "pupil_upn"),
        ("contacts", "Contact Name", "full_name"),
        ("staff", "Work Email", "email"),
        ("staff", "Post", "job_title"),
    ],
)
def test_the_common_headings_named_in_the_issue_are_recognised(kind, heading, field):
    matched = columns.match(kind, [heading, "Something else"])

    assert matched.columns == {field: heading}
    assert matched.unknown == ["Something else"]


def test_headings_are_recognised_whatever_their_case_and_punctuation():
    matched = columns.match("pupils", [" UPN ", "LEGAL SURNAME", "legal_forename", "Year-Group", "Reg. Group"])

    assert matched.columns == {
        "upn": " UPN ",
        "last_name": "LEGAL SURNAME",
        "first_name": "legal_forename",
        "year": "Year-Group",
        "class_name": "Reg. Group",
    }
    assert matched.unknown == []
    assert matched.complete
