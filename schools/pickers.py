"""What the picker (core.picker) offers of the school's people: pupils as the person
may see them (a teacher only their own classes), staff, and pupil–carer pairs."""

from django.db.models import Q

from core.picker import PickerKind
from core.roles import Cap

from .models import Guardianship, Membership
from .selectors import on_roll_filter, pupils_visible_to


def _name_match(prefix, term):
    return Q(**{f"{prefix}first_name__icontains": term}) | Q(**{f"{prefix}last_name__icontains": term})


class PupilPicker(PickerKind):
    """Current pupils the person may see. With `include_leavers`, pupils who have left
    are accepted too (a record names them), though a search offers current pupils."""

    name = "pupils"
    url_name = "schools:search_pupils"
    noun = "pupil"
    plural = "pupils"

    def __init__(self, *, include_leavers=False):
        self.include_leavers = include_leavers

    def queryset(self, access):
        return pupils_visible_to(access, include_leavers=self.include_leavers).select_related("school_class")

    def searchable(self, access):
        return pupils_visible_to(access).select_related("school_class")

    def match(self, queryset, term):
        return queryset.filter(_name_match("", term))

    def order(self, queryset):
        return queryset.order_by("last_name", "first_name", "pk")

    def label(self, pupil):
        return pupil.full_name

    def hint(self, pupil):
        return pupil.school_class.name if pupil.school_class_id else ""


class StaffPicker(PickerKind):
    """The school's staff (current; only active ones with `active_only`)."""

    name = "staff"
    url_name = "schools:search_staff"
    noun = "member of staff"
    plural = "staff"

    def __init__(self, *, active_only=False):
        self.active_only = active_only

    def queryset(self, access):
        people = Membership.objects.active() if self.active_only else Membership.objects.current()
        return people.staff().filter(school=access.school).select_related("user")

    def match(self, queryset, term):
        return queryset.filter(_name_match("user__", term) | Q(user__email__istartswith=term))

    def order(self, queryset):
        return queryset.order_by("user__last_name", "user__first_name", "pk")

    def label(self, membership):
        return membership.user.full_name or membership.user.email

    def hint(self, membership):
        return membership.job_title


class CarerPicker(PickerKind):
    """A current pupil with a carer who holds parental responsibility: the pair who
    borrow for the child (the carer signs). Found by the carer's or the pupil's name."""

    name = "carers"
    url_name = "schools:search_carers"
    noun = "pupil and carer"
    plural = "pupils and carers"

    def queryset(self, access):
        return Guardianship.objects.filter(
            on_roll_filter("pupil__"), pupil__school=access.school, parental_responsibility=True
        ).select_related("pupil", "pupil__school_class", "carer")

    def match(self, queryset, term):
        return queryset.filter(_name_match("carer__", term) | _name_match("pupil__", term))

    def order(self, queryset):
        return queryset.order_by("carer__last_name", "carer__first_name", "pupil__last_name", "pk")

    def label(self, guardianship):
        return f"{guardianship.carer.full_name} for {guardianship.pupil.full_name}"

    def hint(self, guardianship):
        relationship = guardianship.get_relationship_display().lower()
        class_name = guardianship.pupil.school_class.name if guardianship.pupil.school_class_id else ""
        return ", ".join(p for p in [relationship, class_name] if p)


def may_search_staff(access) -> bool:
    return access.can(Cap.VIEW_STAFF) or access.can(Cap.REPORT_INCIDENT)


def may_search_carers(access) -> bool:
    return access.can(Cap.VIEW_PARENTS) or access.can(Cap.MANAGE_DEVICES)
