"""E-safety incidents for a subject access export: each incident the person is named
in (a pupil or a member of staff involved), and each a member of staff reported.

Other people's personal data is withheld here, where the incident's rows say who
else it names: the other pupils involved become "[another pupil]" in every free-text
field, and the reporter of a safeguarding concern is not named (their identity can
put them, or the child, at risk). Free text may still name someone the portal does
not know about ("others involved", notes), so each incident with such text is listed
for a person to read before the export is released; evidence files are listed, not
copied, for the same reason."""

from django.db.models import Prefetch, Q

from core.subject_access import PUPIL, STAFF, Part, Redactor, subject_part
from schools.models import Pupil

from .models import EntryKind, Incident, IncidentEntry

WITHHELD_REPORTER = "[withheld: the person who reported a safeguarding concern]"


def _when(value):
    return value.isoformat() if value else None


class _Withholding:
    """Redacts each free-text field of one incident, remembering whether any changed."""

    def __init__(self, redactor):
        self.redactor = redactor
        self.changed = False

    def __call__(self, value: str) -> str:
        redacted, changed = self.redactor(value)
        self.changed = self.changed or changed
        return redacted


@subject_part(order=50)
def incidents(subject):
    found = Incident.objects.filter(school=subject.school)
    if subject.kind == PUPIL:
        found = found.filter(pupils=subject.pupil)
    elif subject.kind == STAFF:
        found = found.filter(Q(staff=subject.membership) | Q(reported_by=subject.user)).distinct()
    else:
        return None
    found = list(
        found.select_related("reported_by", "investigator", "closed_by")
        .prefetch_related(
            Prefetch("pupils", Pupil.objects.order_by("pk")),
            Prefetch("entries", IncidentEntry.objects.select_related("author").order_by("created_at", "pk")),
            "evidence",
        )
        .order_by("reported_at", "pk")
    )
    records, to_review = [], []
    for incident in found:
        others = [p for p in incident.pupils.all() if subject.kind != PUPIL or p.pk != subject.pupil.pk]
        text = _Withholding(Redactor.for_pupils(others))
        reporter_is_subject = subject.kind == STAFF and incident.reported_by_id == subject.user.pk
        if incident.safeguarding and not reporter_is_subject:
            reporter = WITHHELD_REPORTER
        else:
            reporter = incident.reported_by.full_name
        entries = []
        for entry in incident.entries.all():
            if entry.kind == EntryKind.PUPIL_OUTCOME and subject.kind == PUPIL:
                if entry.data.get("pupil_id") != subject.pupil.pk:
                    continue  # another child's outcome
            elif entry.kind == EntryKind.PUPIL_OUTCOME:
                continue  # a pupil's outcome is that pupil's data, not a member of staff's
            author = entry.author.full_name
            if incident.safeguarding and entry.kind in (EntryKind.REPORTED, EntryKind.ADDITION_BY_REPORTER):
                author = reporter
            entries.append(
                {
                    "kind": entry.get_kind_display(),
                    "at": _when(entry.created_at),
                    "by": author,
                    "text": text(entry.text),
                    "referred_to": entry.get_referred_to_display() if entry.referred_to else "",
                    "reference_number": entry.reference_number,
                }
            )
        record = {
            "reference": incident.reference,
            "category": incident.get_category_display(),
            "reported_at": _when(incident.reported_at),
            "reported_by": reporter,
            "occurred_at": _when(incident.occurred_at),
            "location": incident.location,
            "description": text(incident.description),
            "immediate_action": text(incident.immediate_action),
            "others_involved": text(incident.others_involved),
            "other_pupils_involved": len(others),
            "status": incident.get_status_display(),
            "severity": incident.get_severity_display() if incident.severity else "",
            "safeguarding": incident.safeguarding,
            "outcome": text(incident.outcome),
            "closed_at": _when(incident.closed_at),
            "chronology": entries,
            "evidence_files_withheld": len(incident.evidence.all()),
        }
        records.append(record)
        reasons = []
        if text.changed:
            reasons.append("other pupils' names were replaced")
        if incident.others_involved.strip():
            reasons.append("'others involved' may name other people")
        if any(e["text"] for e in entries):
            reasons.append("the chronology's notes may name other people")
        if incident.safeguarding:
            reasons.append("a safeguarding incident: check nothing identifies who reported it")
        if record["evidence_files_withheld"]:
            reasons.append(
                f"{record['evidence_files_withheld']} evidence file(s) not copied: release separately if appropriate"
            )
        if reasons:
            to_review.append(f"Incident {incident.reference}: " + "; ".join(reasons) + ".")
    return Part("incidents", "E-safety incidents", records=records, files=[], to_review=to_review)
