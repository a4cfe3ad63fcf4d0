"""The consent app's parts of a pupil's record: photo consent for each purpose with
its history, the mobile phone permission, the posts the pupil appears in; and, in a
child's family view, the carer's consent answers and phone request.

Each asks for the capability of the page it links to: the answers for each purpose
(the class sheet) VIEW_CONSENT; who answered what and when (the pupil's consent
records) VIEW_CONSENT_RECORDS; phones VIEW_PHONES; posts PLAN_POSTS."""

from __future__ import annotations

from django.urls import reverse

from core.records import Section, family_section, pupil_section
from core.roles import Cap
from core.text import plural

from . import selectors
from .models import ConsentRecord, PhonePermission, PhoneStatus, PlannedPost
from .phones import family_phones


@pupil_section(order=30)
def photo_consent(request, pupil):
    access = request.access
    if not access.can(Cap.VIEW_CONSENT):
        return None
    slug = request.school.slug
    form = selectors.current_form(request.school)
    consent = selectors.consent_for_pupils(form, [pupil])[0]
    purposes = list(form.purposes.all()) if form else []
    with_history = access.can(Cap.VIEW_CONSENT_RECORDS)
    history: dict[str, list] = {}
    records = []
    if with_history:
        records = list(
            ConsentRecord.objects.filter(pupil=pupil, school=request.school)
            .select_related("carer")
            .defer("drawn_signature", "user_agent")
            .order_by("-signed_at", "-id")
        )
        for record in records:
            for purpose in purposes:
                answer = record.answer(purpose.code)
                if answer is not None:
                    history.setdefault(purpose.code, []).append((record, answer))
    rows = [
        {
            "purpose": p,
            "allowed": consent.allows(p.code),
            "disagree": p.code in consent.disagreements,
            "history": history.get(p.code, []),
        }
        for p in purposes
    ]
    if with_history:
        link = ("Consent records", reverse("consent:pupil", args=[slug, pupil.pk]))
    elif pupil.school_class_id:
        link = ("Class consent sheet", reverse("consent:class_sheet", args=[slug, pupil.school_class_id]))
    else:
        link = None
    yes = sum(1 for r in rows if r["allowed"])
    return Section(
        key="consent",
        title="Photo consent",
        template="records/pupil_consent.html",
        context={"rows": rows, "consent": consent, "form": form, "with_history": with_history, "records": records},
        summary=f"{consent.status_label}: yes to {yes} of {len(rows)} uses" if form else "No consent form published",
        link=link,
        attention=consent.status != selectors.Status.ANSWERED,
    )


@pupil_section(order=40)
def phone_permission(request, pupil):
    if not request.access.can(Cap.VIEW_PHONES):
        return None
    permissions = list(
        PhonePermission.objects.filter(pupil=pupil, school=request.school)
        .select_related("carer", "decided_by")
        .defer("user_agent")
        .order_by("-signed_at", "-pk")
    )
    current = permissions[0] if permissions else None
    if current is None:
        summary = "No request"
    else:
        summary = current.get_status_display()
    slug = request.school.slug
    requests_url = reverse("consent:phone_requests", args=[slug]) if request.access.can(Cap.DECIDE_PHONES) else ""
    return Section(
        key="phone",
        title="Mobile phone",
        template="records/pupil_phone.html",
        context={"permissions": permissions, "current": current, "requests_url": requests_url},
        summary=summary,
        link=("Phones handed in", reverse("consent:phones", args=[slug])),
        attention=current is not None and current.status == PhoneStatus.REQUESTED,
    )


@pupil_section(order=60)
def posts(request, pupil):
    if not request.access.can(Cap.PLAN_POSTS):
        return None
    found = list(
        PlannedPost.objects.filter(school=request.school, pupils=pupil)
        .select_related("planned_by")
        .order_by("-planned_at", "-pk")
    )
    return Section(
        key="posts",
        title="Posts they appear in",
        template="records/pupil_posts.html",
        context={"posts": found},
        summary=plural(len(found), "post"),
        link=("Log of posts", reverse("consent:posts", args=[request.school.slug])),
    )


@family_section(order=30)
def family_consent(viewer, guardianship):
    if not viewer.can(Cap.VIEW_CONSENT_RECORDS):
        return None
    child = selectors.family_consent(guardianship.carer, [guardianship])[0]
    purposes = list(child.form.purposes.all()) if child.form else []
    rows = [(p, child.consent.allows(p.code), child.mine.answer(p.code) if child.mine else None) for p in purposes]
    return Section(
        key="consent",
        title="Photo consent",
        template="records/family_consent.html",
        context={"child": child, "rows": rows},
        summary=child.consent.status_label if child.form else "No consent form published",
        attention=child.can_answer and child.mine is None,
    )


@family_section(order=40)
def family_phone(viewer, guardianship):
    if not viewer.can(Cap.VIEW_PHONES):
        return None
    phone = family_phones([guardianship])[0]
    return Section(
        key="phone",
        title="Mobile phone",
        template="records/family_phone.html",
        context={"phone": phone},
        summary=phone.latest.get_status_display() if phone.latest else "No request",
    )
