"""A sample file for each kind of import, and the headings the portal recognises,
both made from the importer's own column definitions (columns.FIELDS and REQUIRED),
so what the upload page shows cannot drift from what the import reads.

Each field's sample heading is the field's own label where the import recognises
it, otherwise the first heading it does; the example values are a fictional pupil,
their carer and a member of staff, valid for the import (tests import the samples)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from ..models import RosterKind
from .columns import FIELDS, REQUIRED, Field, normalise

_UPN = "A123456789012"
EXAMPLES: dict[str, dict[str, str]] = {
    RosterKind.PUPILS: {
        "upn": _UPN,
        "mis_id": "1024",
        "last_name": "Example",
        "first_name": "Sam",
        "date_of_birth": "14/05/2017",
        "year": "Year 4",
        "class_name": "4 Heron",
        "admission_date": "04/09/2023",
    },
    RosterKind.CONTACTS: {
        "pupil_upn": _UPN,
        "pupil_mis_id": "1024",
        "last_name": "Example",
        "first_name": "Jo",
        "full_name": "Jo Example",
        "email": "jo.example@example.org",
        "relationship": "Mother",
        "parental_responsibility": "Yes",
    },
    RosterKind.STAFF: {
        "last_name": "Sample",
        "first_name": "Alex",
        "email": "a.sample@school.example.org",
        "job_title": "Year 4 teacher",
        "role": "Teacher",
        "start_date": "01/09/2021",
    },
}


def sample_heading(field: Field) -> str:
    """The heading the sample file uses for `field`: its label if recognised."""
    if normalise(field.label) in field.aliases:
        return field.label
    return field.aliases[0].capitalize()


@dataclass(frozen=True)
class Heading:
    label: str
    required: str  # "Required", "Required: this or <other>", or ""
    sample: str
    accepted: tuple[str, ...]  # every heading recognised, in the spelling shown


def headings(kind: str) -> list[Heading]:
    """What the upload page lists for `kind`: each field, whether it is needed, and
    every heading the import recognises for it."""
    labels = {f.name: f.label for f in FIELDS[kind]}
    needed: dict[str, str] = {}
    for group in REQUIRED[kind]:
        for name in group:
            others = [labels[other] for other in group if other != name]
            needed[name] = f"Required, or {' or '.join(others)}" if others else "Required"
    return [
        Heading(f.label, needed.get(f.name, ""), sample_heading(f), tuple(dict.fromkeys(f.aliases)))
        for f in FIELDS[kind]
    ]


def sample_csv(kind: str) -> str:
    """A one-row sample of `kind`, with every heading the import reads."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([sample_heading(f) for f in FIELDS[kind]])
    writer.writerow([EXAMPLES[kind].get(f.name, "") for f in FIELDS[kind]])
    return out.getvalue()


def kinds() -> list[tuple[str, str]]:
    """(kind, its name on the page), in the order the upload form offers them."""
    return [(kind.value, "Parents and carers" if kind == RosterKind.CONTACTS else kind.label) for kind in RosterKind]
