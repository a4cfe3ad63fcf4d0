"""The school's own record of a person, for a subject access export: a pupil's roll
details and carers, a carer's children, a member of staff's job."""

from core.subject_access import CARER, PUPIL, STAFF, Part, subject_part

from .models import Guardianship


def _day(value):
    return value.isoformat() if value else None


@subject_part(order=10)
def school_record(subject):
    if subject.kind == PUPIL:
        pupil = subject.pupil
        carers = Guardianship.objects.filter(pupil=pupil).select_related("carer").order_by("pk")
        record = {
            "first_name": pupil.first_name,
            "last_name": pupil.last_name,
            "date_of_birth": _day(pupil.date_of_birth),
            "upn": pupil.upn,
            "mis_id": pupil.mis_id,
            "year_group": pupil.year_group.name,
            "class": pupil.school_class.name if pupil.school_class_id else None,
            "admission_date": _day(pupil.admission_date),
            "leaving_date": _day(pupil.leaving_date),
            "carers": [
                {
                    "name": g.carer.full_name,
                    "relationship": g.get_relationship_display(),
                    "parental_responsibility": g.parental_responsibility,
                }
                for g in carers
            ],
        }
        return Part("school", "Details on the school roll", records=[record])
    user = subject.user
    record = {"name": user.full_name, "email": user.email}
    if subject.kind == CARER:
        record["children_at_this_school"] = [
            {"name": g.pupil.full_name, "relationship": g.get_relationship_display()}
            for g in Guardianship.objects.filter(carer=user, pupil__school=subject.school)
            .select_related("pupil")
            .order_by("pk")
        ]
        return Part("school", "Details the school keeps", records=[record])
    if subject.kind == STAFF:
        membership = subject.membership
        record.update(
            job_title=membership.job_title,
            staff_type=membership.get_staff_type_display(),
            roles=membership.role_labels,
            status=membership.get_status_display(),
            start_date=_day(membership.start_date),
            leaving_date=_day(membership.leaving_date),
        )
        return Part("school", "Details of your job at the school", records=[record])
    return None
