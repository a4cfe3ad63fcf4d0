"""Photo and media consent on the retention schedule (core.retention): each carer's
signed answers and their PDFs, from the pupil's leaving date."""

from core import retention
from core.retention_disposal import delete_files_on_commit, purge

from .models import ConsentDocument, ConsentRecord, Disagreement


def consent_records_due(school_ids, cutoff, holds):
    return (
        ConsentRecord.objects.filter(school_id__in=school_ids, pupil__leaving_date__lte=cutoff)
        .exclude(pupil_id__in=holds.pupils)
        .exclude(carer_id__in=holds.people)
    )


def dispose_consent_records(ids, disposal) -> int:
    files = [d.file for d in ConsentDocument.objects.filter(record_id__in=ids).only("file")]
    purge(disposal, Disagreement, "record_id", ids)
    purge(disposal, ConsentDocument, "record_id", ids)
    count = purge(disposal, ConsentRecord, "id", ids)
    delete_files_on_commit(files)
    return count


retention.register(
    retention.RecordKind(
        key="consent.consent_records",
        label="Photo and media consent records (each carer's answers and their PDFs)",
        clock="the pupil's leaving date",
        years=6,
        action=retention.DELETE,
        source=(
            "Project default: consent lasts while the pupil is at the school (seed 004 §26.2); the record of it is "
            "kept 6 years after they leave, the Limitation Act period the IRMS Toolkit uses."
        ),
        due=consent_records_due,
        dispose=dispose_consent_records,
        order=50,
    )
)
