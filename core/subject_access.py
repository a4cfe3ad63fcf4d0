"""What each area keeps about one person, for a subject access export (UK GDPR art. 15).

Core sits below the apps, so it gathers nothing itself: each app registers a function
with `@subject_part(order=..)` (in its own subject_access.py, imported by its
AppConfig.ready()). The function takes a `Subject` (a pupil, a carer or a member of
staff, always within one school) and returns a `Part`, or None when the area keeps
nothing about that kind of person. A part holds:

- `records`: plain JSON-able dicts, the person's data as the area keeps it;
- `files`: the stored documents about them (signed PDFs, consent record PDFs);
- `to_review`: what a person must look at before the export is released (free text
  that may name someone else, evidence files left out).

Other people's personal data is redacted by the part itself: it knows which other
people its rows name (the other pupils of an incident, the reporter of a safeguarding
concern). `Redactor` replaces their names in free text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

PUPIL, CARER, STAFF = "pupil", "carer", "staff"
KINDS = (PUPIL, CARER, STAFF)

_parts: list[tuple[int, Callable]] = []


@dataclass(frozen=True)
class Subject:
    """The person an export is about, in one school."""

    kind: str  # PUPIL, CARER or STAFF
    school: Any
    pupil: Any = None  # for PUPIL
    user: Any = None  # for CARER and STAFF
    membership: Any = None  # for STAFF: their membership of the school

    @property
    def name(self) -> str:
        return self.pupil.full_name if self.kind == PUPIL else self.user.full_name


@dataclass(frozen=True)
class File:
    """A stored document to copy into the export: `path` inside the ZIP, and the
    FieldFile to read it from."""

    path: str
    title: str
    file: Any


@dataclass
class Part:
    key: str  # the JSON key and the ZIP folder
    title: str
    records: list[dict] = field(default_factory=list)
    files: list[File] = field(default_factory=list)
    to_review: list[str] = field(default_factory=list)


def subject_part(order: int):
    """Register `function(subject) -> Part | None`."""

    def decorator(function):
        if all(existing is not function for _, existing in _parts):
            _parts.append((order, function))
            _parts.sort(key=lambda item: item[0])
        return function

    return decorator


def providers() -> list[Callable]:
    return [function for _, function in _parts]


WITHHELD_PUPIL = "[another pupil]"


class Redactor:
    """Replaces other people's names in free text with a placeholder, and says
    whether it did, so the text can be listed for review."""

    def __init__(self, names: dict[str, str]):
        # {name: placeholder}; longer names first so "Amelia Khan" goes before "Amelia".
        self.names = {n.strip(): p for n, p in names.items() if n and len(n.strip()) > 1}
        ordered = sorted(self.names, key=len, reverse=True)
        self._pattern = re.compile(r"\b(" + "|".join(re.escape(n) for n in ordered) + r")\b", re.I) if ordered else None

    @classmethod
    def for_pupils(cls, pupils) -> Redactor:
        """Full names and first and last names of `pupils` (other children)."""
        names: dict[str, str] = {}
        for pupil in pupils:
            for name in (pupil.full_name, pupil.first_name, pupil.last_name):
                names[name] = WITHHELD_PUPIL
        return cls(names)

    def __call__(self, text: str) -> tuple[str, bool]:
        if not text or self._pattern is None:
            return text, False
        lookup = {n.lower(): p for n, p in self.names.items()}
        redacted, count = self._pattern.subn(lambda m: lookup[m.group(0).lower()], text)
        return redacted, count > 0
