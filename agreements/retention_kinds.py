"""The agreements' kinds of record on the retention schedule (core.retention):
pupils' agreements, staff agreements and the visitors' book. Signed PDFs and paper
scans go with their signatures. A signature that is an equipment loan's receipt stays
with its loan (devices), whose own rule decides."""

import datetime

from django.db.models import Exists, OuterRef
from django.utils import timezone

from core import retention
from core.retention_disposal import anonymise, delete_files_on_commit, purge
from schools.models import Membership

from .models import Method, PaperScan, Signature, SignedDocument

LIMITATION = (
    "the Limitation Act 1980 (6 years to bring a claim), as the IRMS Information Management Toolkit for "
    "Schools applies it"
)


def _day_end(day: datetime.date) -> datetime.datetime:
    """The first moment after `day` (UK time): 'signed on or before `day`'."""
    return timezone.make_aware(datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time()))


def _signatures(school_ids, holds):
    return (
        Signature.objects.filter(school_id__in=school_ids, device_loans__isnull=True, device_returns__isnull=True)
        .exclude(pupil_id__in=holds.pupils)
        .exclude(signer_id__in=holds.people)
    )


def pupil_agreements_due(school_ids, cutoff, holds):
    return _signatures(school_ids, holds).filter(pupil__leaving_date__lte=cutoff)


def staff_agreements_due(school_ids, cutoff, holds):
    left = Membership.objects.filter(
        user_id=OuterRef("signer_id"), school_id=OuterRef("school_id"), leaving_date__lte=cutoff
    )
    return (
        _signatures(school_ids, holds)
        .filter(pupil__isnull=True, signer__isnull=False)
        .exclude(method=Method.VISITOR_KIOSK)
        .filter(Exists(left))
    )


def visitor_book_due(school_ids, cutoff, holds):
    return _signatures(school_ids, holds).filter(method=Method.VISITOR_KIOSK, signed_at__lt=_day_end(cutoff))


def signing_devices_due(school_ids, cutoff, holds):
    """Signatures still carrying the address or browser of the device they were made
    on, signed on or before the cutoff."""
    from django.db.models import Q

    devices = Q(ip_address__isnull=False) | ~Q(user_agent="") | Q(confirmed_ip_address__isnull=False)
    return (
        Signature.objects.filter(school_id__in=school_ids, signed_at__lt=_day_end(cutoff))
        .filter(devices)
        .exclude(pupil_id__in=holds.pupils)
        .exclude(signer_id__in=holds.people)
    )


def dispose_signing_devices(ids, disposal) -> int:
    return anonymise(disposal, Signature, ids)


def dispose_signatures(ids, disposal) -> int:
    """Delete the signatures, their signed PDFs and paper scans (rows and files)."""
    files = [d.file for d in SignedDocument.objects.filter(signature_id__in=ids).only("file")]
    files += [s.file for s in PaperScan.objects.filter(signature_id__in=ids).only("file")]
    purge(disposal, SignedDocument, "signature_id", ids)
    purge(disposal, PaperScan, "signature_id", ids)
    count = purge(disposal, Signature, "id", ids)
    delete_files_on_commit(files)
    return count


retention.register(
    retention.RecordKind(
        key="agreements.pupil_agreements",
        label="Pupils' signed agreements (signed by the pupil, for them or read to their class)",
        clock="the pupil's leaving date",
        years=6,
        action=retention.DELETE,
        source=f"Project default from {LIMITATION}; IRMS lists other records about pupils at current year + 3 years.",
        due=pupil_agreements_due,
        dispose=dispose_signatures,
        order=20,
    )
)
retention.register(
    retention.RecordKind(
        key="agreements.staff_agreements",
        label="Staff, governors' and volunteers' signed agreements",
        clock="the person's leaving date at the school",
        years=6,
        action=retention.DELETE,
        source="IRMS Information Management Toolkit for Schools: staff personal file, termination of employment + 6 years.",
        due=staff_agreements_due,
        dispose=dispose_signatures,
        order=30,
    )
)
retention.register(
    retention.RecordKind(
        key="agreements.visitor_book",
        label="Visitors' signatures at reception (the visitors' book)",
        clock="the day the visitor signed",
        years=6,
        action=retention.DELETE,
        source="IRMS Information Management Toolkit for Schools: visitors' books and signing-in sheets, current year + 6 years.",
        due=visitor_book_due,
        dispose=dispose_signatures,
        order=40,
    )
)
retention.register(
    retention.RecordKind(
        key="agreements.signing_devices",
        label="IP addresses and browsers (user agents) of the devices agreements were signed on",
        clock="the day it was signed",
        years=6,
        action=retention.ANONYMISE,
        source=(
            "Project default: the IRMS Toolkit sets no period for device details; they show how a signature was made "
            "for as long as a claim could be brought (the Limitation Act's 6 years). The signature itself is kept."
        ),
        due=signing_devices_due,
        dispose=dispose_signing_devices,
        order=45,
    )
)
