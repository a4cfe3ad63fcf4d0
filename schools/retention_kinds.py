"""The pupil's own record on the retention schedule (core.retention): name, date of
birth, UPN and carers, anonymised (the row stays, so what still refers to it, a
class list of a past year, keeps its shape) once the pupil has left and their date
of birth plus 25 years has passed. A pupil named in an incident is left to the
incident's own rule (reviewed by a person)."""

from core import retention
from core.retention_disposal import anonymise, purge

from .models import Guardianship, Pupil


def pupil_records_due(school_ids, cutoff, holds):
    return (
        Pupil.objects.filter(
            school_id__in=school_ids, leaving_date__isnull=False, date_of_birth__lte=cutoff, incidents__isnull=True
        )
        .exclude(pk__in=holds.pupils)
        .exclude(last_name="pupil", first_name="Former", upn="")
    )


def dispose_pupil_records(ids, disposal) -> int:
    purge(disposal, Guardianship, "pupil_id", ids)
    return anonymise(disposal, Pupil, ids)


retention.register(
    retention.RecordKind(
        key="schools.pupil_records",
        label="Pupils' records (name, date of birth, UPN, carers) after they have left",
        clock="the pupil's date of birth",
        years=25,
        action=retention.ANONYMISE,
        source="IRMS Information Management Toolkit for Schools: pupil's educational record, date of birth + 25 years.",
        due=pupil_records_due,
        dispose=dispose_pupil_records,
        order=10,
    )
)
