"""The schools app's parts of a person's record: a pupil's carers (with parental
responsibility), and a carer's link to the family view of the child."""

from django.urls import reverse

from core.records import Section, pupil_section
from core.roles import Cap
from core.text import plural

from .models import Membership


@pupil_section(order=10)
def carers(request, pupil):
    """The people who care for the pupil: for those who may see parents' records
    (the parents list and each parent's page ask for the same capability)."""
    if not request.access.can(Cap.VIEW_PARENTS):
        return None
    guardianships = sorted(pupil.guardianships.all(), key=lambda g: (not g.parental_responsibility, g.pk))
    # Each carer's place at this school, for a link to their page: one query.
    memberships = dict(
        Membership.objects.filter(school=request.school, user_id__in=[g.carer_id for g in guardianships]).values_list(
            "user_id", "pk"
        )
    )
    slug = request.school.slug
    rows = [
        {
            "guardianship": g,
            "url": reverse("schools:person", args=[slug, memberships[g.carer_id]])
            if g.carer_id in memberships and request.access.can(Cap.VIEW_STAFF)
            else "",
            "family_url": reverse("schools:pupil_family", args=[slug, pupil.pk]) + f"?carer={g.carer_id}",
        }
        for g in guardianships
    ]
    with_pr = sum(1 for g in guardianships if g.parental_responsibility)
    summary = plural(len(rows), "carer") + (f", {with_pr} with parental responsibility" if rows else "")
    return Section(
        key="carers",
        title="Parents and carers",
        template="records/pupil_carers.html",
        context={"rows": rows},
        summary=summary if rows else "No parent or carer recorded",
        link=("Parents and carers", reverse("schools:parents", args=[slug])),
        attention=not with_pr,
    )
