"""The audit log's addresses on the retention schedule (core.retention): the line
stays for ever (who did what, when), the IP address it was done from is blanked."""

from core import retention
from core.retention_disposal import anonymise

from .models import AuditEvent


def audit_addresses_due(school_ids, cutoff, holds):
    import datetime

    from django.utils import timezone

    end = timezone.make_aware(datetime.datetime.combine(cutoff + datetime.timedelta(days=1), datetime.time()))
    return (
        AuditEvent.objects.filter(school_id__in=school_ids, ip_address__isnull=False, created_at__lt=end)
        .exclude(actor_id__in=holds.people)
        .order_by()
    )


def dispose_audit_addresses(ids, disposal) -> int:
    return anonymise(disposal, AuditEvent, ids)


retention.register(
    retention.RecordKind(
        key="core.audit_addresses",
        label="IP addresses in the audit log",
        clock="the date of the audit line",
        years=2,
        action=retention.ANONYMISE,
        source=(
            "Project default: the IRMS Toolkit sets no period for access logs; UK GDPR's storage limitation. "
            "The line itself (who, what, when) is kept."
        ),
        due=audit_addresses_due,
        dispose=dispose_audit_addresses,
        order=90,
    )
)
