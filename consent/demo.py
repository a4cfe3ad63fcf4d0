"""Demo photo consent at Riverside Primary: a published form, answers for most of
Beech (Year 4) and Oak (Year 6) and some of the rest (and at the nursery, a
published form nobody has answered yet), two carers who disagree, the
Year 6 trip as an event, posts in each state (one to take down after a withdrawal)
and phone permission slips (three approved, one waiting). The demo
parent (Rachel Thompson) has answered for her Year 4 child, not yet for her nursery
child, so both paths can be tried. Loads once (it looks for the school's form).
The records' PDFs are not queued: each is made when someone first opens it."""

from __future__ import annotations

import datetime
import random

from core.roles import Role
from schools.models import Guardianship, Membership, Pupil, School

from . import phones, posts, services
from .models import ConsentForm, SchoolEvent
from .selectors import consent_for_pupils

# How carers answer in the demo: most say yes to most uses; some keep to school-only.
_MOSTLY_YES = {"press": False, "x": False}
_SCHOOL_ONLY = {"display_inside": True, "prospectus": True, "video": True, "video_conferencing": True}


def _staff(school, role):
    """The school's first active member holding `role`."""
    return (
        Membership.objects.active()
        .filter(school=school, roles__role=role)
        .select_related("user")
        .order_by("pk")
        .first()
    ).user


def _answers(form, pattern: dict, default: bool) -> dict[str, bool]:
    return {p.code: pattern.get(p.code, default) for p in form.purposes.all()}


def build_demo_consent(today: datetime.date) -> bool:
    """Returns False if the demo consent was loaded before (nothing is changed)."""
    school = School.objects.filter(slug="riverside-primary").first()
    if school is None or ConsentForm.objects.filter(school=school).exists():
        return False
    nursery = School.objects.filter(slug="little-acorns").first()
    if nursery is not None:  # published, nobody has answered yet
        nursery_head = _staff(nursery, Role.HEADTEACHER)
        services.publish(draft=services.start_draft(school=nursery, by=nursery_head), by=nursery_head)
    head = _staff(school, Role.HEADTEACHER)
    form = services.publish(draft=services.start_draft(school=school, by=head), by=head)
    rng = random.Random(2026)  # noqa: S311 (demo data, not security)

    guardianships = list(
        Guardianship.objects.filter(pupil__school=school, parental_responsibility=True)
        .select_related("pupil__school_class", "carer")
        .order_by("pupil__school_class__name", "pupil__last_name", "pupil_id", "pk")
    )
    first_carer: dict[int, Guardianship] = {}
    second_carer: dict[int, Guardianship] = {}
    for g in guardianships:
        if g.pupil_id not in first_carer:
            first_carer[g.pupil_id] = g
        else:
            second_carer.setdefault(g.pupil_id, g)

    answered = 0
    disagreement_made = False
    for pupil_id, g in first_carer.items():
        pupil = g.pupil
        in_focus = pupil.school_class and pupil.school_class.name in ("Beech", "Oak")
        if g.carer.email == "parent@riverside.example":
            chance = 1.0
        else:
            chance = 0.85 if in_focus else 0.35
        if rng.random() >= chance:
            continue  # no answer yet: counts as no
        roll = rng.random()
        if roll < 0.7:
            answers = _answers(form, _MOSTLY_YES, True)
        elif roll < 0.9:
            answers = _answers(form, _SCHOOL_ONLY, False)
        else:
            answers = _answers(form, {}, False)  # no to everything
        services.record_answers(
            carer=g.carer,
            form=form,
            pupils=[pupil],
            answers=answers,
            typed_name=g.carer.get_full_name(),
            submission_key=f"demo-consent-{pupil_id}",
            queue_pdf=False,
        )
        answered += 1
        other = second_carer.get(pupil_id)
        if other and in_focus and not disagreement_made and answers.get("facebook"):
            # The other parent says no to Facebook: the more restrictive answer applies
            # and the office is told.
            services.record_answers(
                carer=other.carer,
                form=form,
                pupils=[pupil],
                answers={**answers, "facebook": False, "instagram": False},
                typed_name=other.carer.get_full_name(),
                submission_key=f"demo-consent-{pupil_id}-b",
                queue_pdf=False,
            )
            disagreement_made = True

    oak = list(Pupil.objects.current().filter(school=school, school_class__name="Oak").order_by("last_name", "pk"))
    trip = SchoolEvent.objects.create(
        school=school,
        name="Year 6 trip to the Science Museum",
        date=today + datetime.timedelta(days=10),
        created_by=head,
    )
    trip.pupils.set(oak[::2])

    _demo_posts(school, form, head, trip)
    _demo_phones(school, head)
    return True


def _demo_photo(name: str, sky, ground):
    """A plain made-up picture (sky, ground, a sun), so a demo post has its photo: a
    post for a place that shows images needs one before the head is asked."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (640, 400), sky)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 280, 640, 400), fill=ground)
    draw.ellipse((500, 40, 580, 120), fill=(255, 221, 87))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def _allowed(form, pupils, code, count):
    return [c.pupil for c in consent_for_pupils(form, pupils) if c.allows(code)][:count]


def _demo_posts(school, form, head, trip):
    """One post published on the website, one waiting for the head (Facebook), and one
    published whose pupil's carer has since withdrawn: it is on "To take down"."""
    teacher = _staff(school, Role.TEACHER)
    beech = list(Pupil.objects.current().filter(school=school, school_class__name="Beech").order_by("pk"))
    oak = list(trip.pupils.order_by("pk"))
    published = posts.plan_post(
        school=school,
        by=teacher,
        purpose_code="website",
        caption="Year 4 building bridges from spaghetti in our science week.",
        pupils=_allowed(form, beech, "website", 3),
        image=_demo_photo("bridges.png", (170, 205, 235), (120, 170, 90)),
    )
    posts.approve(post=published, by=head)
    posts.record_published(post=published, by=teacher, where="https://riverside-primary.example/news/science-week")

    posts.plan_post(
        school=school,
        by=teacher,
        purpose_code="facebook",
        caption="Year 6 are off to the Science Museum next week!",
        pupils=_allowed(form, oak, "facebook", 4),
        event=trip,
        image=_demo_photo("museum.png", (200, 215, 240), (150, 150, 160)),
    )

    featured = _allowed(form, beech[10:], "website", 2)
    withdrawn = posts.plan_post(
        school=school,
        by=teacher,
        purpose_code="website",
        caption="Reading buddies in the library.",
        pupils=featured,
        image=_demo_photo("reading.png", (235, 225, 200), (160, 110, 70)),
    )
    posts.approve(post=withdrawn, by=head)
    posts.record_published(post=withdrawn, by=teacher, where="https://riverside-primary.example/news/reading")
    carer = Guardianship.objects.filter(pupil=featured[0], parental_responsibility=True).order_by("pk").first().carer
    latest = carer.consent_records.filter(pupil=featured[0]).order_by("-signed_at", "-pk").first()
    services.record_answers(
        carer=carer,
        form=form,
        pupils=[featured[0]],
        answers={**latest.answers, "website": False},
        typed_name=carer.get_full_name(),
        submission_key=f"demo-consent-{featured[0].pk}-withdrawn",
        queue_pdf=False,
    )


def _demo_phones(school, head):
    """Three Year 6 pupils hand phones in at the office; one request waits for the head."""
    oak = (
        Guardianship.objects.filter(pupil__school=school, pupil__school_class__name="Oak", parental_responsibility=True)
        .select_related("pupil", "carer")
        .order_by("pupil__last_name", "pupil_id", "pk")
    )
    seen, asked = set(), []
    reasons = [
        "She walks home on her own from the bus stop and we need to know she got there.",
        "He goes to his dad's after school on Wednesdays and catches the bus there.",
        "Young carer: she may need to call home at the end of the day.",
        "He stays late for football and we collect him from the leisure centre.",
    ]
    for g in oak:
        if g.pupil_id in seen or len(asked) == len(reasons):
            continue
        seen.add(g.pupil_id)
        asked.append(
            phones.request_permission(
                carer=g.carer,
                pupil=g.pupil,
                reason=reasons[len(asked)],
                typed_name=g.carer.get_full_name(),
                agreed=True,
                submission_key=f"demo-phone-{g.pupil_id}",
            )
        )
    for permission in asked[:-1]:
        phones.decide(permission=permission, by=head, approve=True)
