"""The policies app's part of a member of staff's record: the exemptions they asked
for and the head's answers. Listed where their signed agreements are (agreements:
person, VIEW_COMPLIANCE); each request opens for those who decide them (MANAGE_POLICIES).

Pupils have no exemptions: a request is made by a person with a login, in writing
(seed 002 §4.1), so a pupil's record has no such section."""

from __future__ import annotations

from django.urls import reverse

from core.records import Section, staff_section
from core.roles import Cap
from core.text import plural

from .models import Exemption
from .selectors import exemptions_of


@staff_section(order=25)
def staff_exemptions(request, membership):
    if not request.access.can(Cap.VIEW_COMPLIANCE) or membership.is_parent_only:
        return None
    exemptions = list(exemptions_of(membership.user, request.school))
    waiting = sum(1 for e in exemptions if e.status == Exemption.Status.REQUESTED)
    links = request.access.can(Cap.MANAGE_POLICIES)
    return Section(
        key="exemptions",
        title="Exemptions",
        template="records/staff_exemptions.html",
        context={"exemptions": exemptions, "links": links},
        summary=plural(len(exemptions), "exemption request") + (f", {waiting} waiting" if waiting else ""),
        link=("Exemption requests", reverse("aup:exemptions", args=[request.school.slug])) if links else None,
        attention=bool(waiting),
    )
