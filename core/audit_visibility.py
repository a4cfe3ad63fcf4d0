"""Who may read an audit line about a restricted record.

An audit line about an incident (or any record some staff may not open) is shown only
to people who may open that record now, so the audit log never tells anyone, least of
all a person named in an allegation, what they could not read on the record's own page.
Each app registers, for the kinds of record it restricts, the selector its own pages
use; core knows nothing about the apps themselves (as with `core.desk`)."""

from collections.abc import Callable

from django.db.models import CharField, Q, QuerySet
from django.db.models.functions import Cast

# object_type (a model's label_lower) -> visible(access) -> queryset of the records of
# access.school that the person may open.
_restricted: dict[str, Callable] = {}


def restrict(object_type: str):
    """Register `visible(access) -> QuerySet` as the rule for audit lines whose object
    is of `object_type`."""

    def decorator(visible):
        _restricted[object_type] = visible
        return visible

    return decorator


def hidden_from(access) -> Q:
    """A filter matching the audit lines about restricted records that this person
    (a core.tenancy.SchoolAccess) may not open."""
    hidden = Q(pk__in=[])
    for object_type, visible in _restricted.items():
        opened: QuerySet = visible(access)
        ids = opened.annotate(audit_object_id=Cast("pk", CharField())).values("audit_object_id")
        hidden |= Q(object_type=object_type) & ~Q(object_id__in=ids)
    return hidden
