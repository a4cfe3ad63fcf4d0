"""Policy statements for the picker (core.picker): the statements of the school's
published agreement forms, shown in full and grouped by policy. A statement of an
earlier version stays acceptable once chosen (an incident recorded it)."""

from django.db.models import Q

from core.picker import PickerKind

from .models import Statement, VersionStatus


class StatementPicker(PickerKind):
    name = "statements"
    url_name = "aup:search_statements"
    noun = "statement"
    plural = "statements"

    def queryset(self, access):
        return Statement.objects.filter(form__version__policy__school=access.school).select_related(
            "form__version__policy"
        )

    def searchable(self, access):
        return self.queryset(access).filter(form__version__status=VersionStatus.PUBLISHED)

    def match(self, queryset, term):
        if term.isdigit():
            return queryset.filter(Q(number=int(term)) | Q(text__icontains=term))
        return queryset.filter(Q(text__icontains=term) | Q(form__version__policy__title__icontains=term))

    def order(self, queryset):
        return queryset.order_by("form__version__policy__title", "form__audience", "number", "pk")

    def label(self, statement):
        return f"{statement.number}. {statement.text}"

    def group(self, statement):
        form = statement.form
        return f"{form.version.policy.title} ({form.get_audience_display()})"

    def hint(self, statement):
        return ""
