"""Who may read the audit log's lines about a carer's signed answers or a phone
request: the people who may open them (a trust officer, say, sees the audit log but
not the answers, so not the lines that name a child and a carer's choice either)."""

from core.audit_visibility import restrict
from core.roles import Cap

from .models import ConsentRecord, PhonePermission


@restrict(ConsentRecord._meta.label_lower)
def visible_consent_records(access):
    if not access.can(Cap.VIEW_CONSENT_RECORDS):
        return ConsentRecord.objects.none()
    return ConsentRecord.objects.filter(school=access.school)


@restrict(PhonePermission._meta.label_lower)
def visible_phone_permissions(access):
    if not access.can(Cap.VIEW_PHONES):
        return PhonePermission.objects.none()
    return PhonePermission.objects.filter(school=access.school)
