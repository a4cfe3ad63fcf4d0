"""Reads for planned posts (seed 002 appendix 6; seed 004 §26-27), with a fixed number
of queries whatever the number of posts or pupils.

- The consent check of a post: every featured pupil may appear for its purpose; no
  featured pupil's full name is in the caption (full names are never published); a
  featured pupil's first name is in the caption only if their carers said yes to
  "first_name". Run when the post is planned, again when the head decides, again when
  it is recorded as published.
- The log of posts, and the lists of what to take down: published posts with a pupil
  who may no longer appear (consent withdrawn or changed), and each pupil who has left
  with their published posts (seed 004 §27.4: the office's list).
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils import timezone

from schools.models import Pupil

from .models import FIRST_NAME_PURPOSE, PlannedPost, PostStatus, SchoolEvent
from .selectors import consent_for_pupils, current_form, current_pupils

FIRST_NAME = FIRST_NAME_PURPOSE


def _pupils_ordered():
    return Pupil.objects.select_related("school_class").order_by("first_name", "last_name", "pk")


def _words(text: str) -> str:
    """A regular expression matching `text` as whole words, any spacing, any case."""
    return r"(?<!\w)" + r"\s+".join(re.escape(part) for part in text.split()) + r"(?!\w)"


def _in_caption(name: str, caption: str) -> bool:
    return bool(name.strip()) and re.search(_words(name), caption, flags=re.IGNORECASE) is not None


@dataclass
class PostCheck:
    """The problems found, by form field: {"pupils": [...], "caption": [...]}."""

    purpose_label: str
    problems: dict = field(default_factory=dict)
    not_allowed: list = field(default_factory=list)  # pupils who may not appear

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, field_name: str, message: str):
        self.problems.setdefault(field_name, []).append(message)

    @property
    def messages(self) -> list[str]:
        return [m for messages in self.problems.values() for m in messages]


def _names(pupils) -> str:
    return ", ".join(p.full_name for p in pupils)


def check_post(
    form,
    pupils,
    purpose_code: str,
    caption: str,
    consents: dict | None = None,
    *,
    published: bool = False,
    first_name_shown: bool = False,
) -> PostCheck:
    """The consent check of a post about to be planned, approved or published: two
    queries (the carers with parental responsibility, the records), or none when the
    pupils' `consents` ({pupil id: PupilConsent}) are given.

    First names are a permission on the post: with `first_name_shown`, every featured
    pupil's carers must have said yes to names beside photos; without it, the caption
    may not name a featured pupil at all."""
    purposes = {p.code: p for p in form.purposes.all()} if form is not None else {}
    purpose = purposes.get(purpose_code)
    result = PostCheck(purpose.label if purpose else purpose_code)
    if purpose is None:
        result.add("purpose", "This use is not on the school's current consent form: choose another.")
    pupils = list(pupils)
    if consents is None:
        consents = {c.pupil.pk: c for c in consent_for_pupils(form, pupils)} if pupils else {}
    featured = [consents[p.pk] for p in pupils]
    result.not_allowed = [c.pupil for c in featured if not c.allows(purpose_code)]
    if purpose is not None and result.not_allowed:
        result.add(
            "pupils",
            f"Not allowed to appear for “{purpose.label}”: {_names(result.not_allowed)}. "
            + (
                "Take the post down: consent has changed since it was published."
                if published
                else "Leave them out of the photo, or choose another photo."
            ),
        )
    caption = caption or ""
    full = [c.pupil for c in featured if _in_caption(c.pupil.full_name, caption)]
    if full:
        result.add("caption", f"Pupils' full names are never published: take {_names(full)} out of the caption.")
    named = [c for c in featured if c.pupil not in full and _in_caption(c.pupil.first_name, caption)]
    first = [c.pupil for c in named if not c.allows(FIRST_NAME)]
    if first:
        result.add(
            "caption",
            f"The carers of {_names(first)} have not agreed to a first name beside a photo: "
            "take the name out of the caption.",
        )
    if first_name_shown:
        not_agreed = [c.pupil for c in featured if not c.allows(FIRST_NAME)]
        if not_agreed:
            result.add(
                "first_name_shown",
                f"The carers of {_names(not_agreed)} have not agreed to a first name beside a photo: "
                "untick “First names are shown”, or leave them out of the photo.",
            )
    else:
        unticked = [c.pupil for c in named if c.allows(FIRST_NAME)]
        if unticked:
            result.add(
                "first_name_shown",
                f"The caption names {_names_first(unticked)}: tick “First names are shown” "
                "(their carers agreed), or take the name out of the caption.",
            )
    return result


def _names_first(pupils) -> str:
    return ", ".join(p.first_name for p in pupils)


def checks_for(form, posts) -> dict:
    """{post id: PostCheck} run now for `posts` (their pupils prefetched): two queries
    however many posts."""
    posts = list(posts)
    pupils = {p.pk: p for post in posts for p in post.pupils.all()}
    consents = {c.pupil.pk: c for c in consent_for_pupils(form, pupils.values())} if pupils else {}
    return {
        post.pk: check_post(
            form,
            post.pupils.all(),
            post.purpose_code,
            post.caption,
            consents,
            published=post.status == PostStatus.PUBLISHED,
            first_name_shown=post.first_name_shown,
        )
        for post in posts
    }


def recheck(post: PlannedPost, form=None) -> PostCheck:
    """The check of one post run again now (consent can change after planning)."""
    form = form if form is not None else current_form(post.school)
    return checks_for(form, [post])[post.pk]


# --- Planning: the pupils to choose from ---------------------------------------------


def events(school):
    return SchoolEvent.objects.filter(school=school).order_by("-date", "name")


def group_pupils(school, kind: str, pk: int):
    """The current pupils of a class, year group or event of this school, or None if
    there is no such group here."""
    from schools.models import SchoolClass, YearGroup

    pupils = current_pupils(school)
    if kind == "class" and SchoolClass.objects.filter(pk=pk, school=school).exists():
        return pupils.filter(school_class_id=pk)
    if kind == "year" and YearGroup.objects.filter(pk=pk, school=school).exists():
        return pupils.filter(year_group_id=pk)
    if kind == "event" and SchoolEvent.objects.filter(pk=pk, school=school).exists():
        return pupils.filter(consent_events=pk)
    return None


# --- The log --------------------------------------------------------------------------


def post_queryset(school):
    return (
        PlannedPost.objects.filter(school=school)
        .select_related("school", "planned_by", "decided_by", "published_by", "taken_down_by", "event")
        .prefetch_related(Prefetch("pupils", queryset=_pupils_ordered()))
    )


def posts_log(school, *, status: str = "", purpose: str = ""):
    """Every post of the school, newest first, filtered: three queries a page (the count,
    the posts with the people, their pupils)."""
    posts = post_queryset(school)
    if status:
        posts = posts.filter(status=status)
    if purpose:
        posts = posts.filter(purpose_code=purpose)
    return posts.order_by("-planned_at", "-pk")


def purposes_used(school) -> list[tuple[str, str]]:
    """(code, label) of every purpose the school's posts were planned for, and the
    current form's, for the log's filter."""
    seen = dict(
        PlannedPost.objects.filter(school=school)
        .order_by("purpose_code", "-planned_at")
        .values_list("purpose_code", "purpose_label")
        .distinct()
    )
    form = current_form(school)
    for p in form.purposes.all() if form else []:
        if p.code != FIRST_NAME:  # a permission on a post, not a place (old posts keep theirs)
            seen[p.code] = p.label
    return sorted(seen.items(), key=lambda item: item[1].lower())


def awaiting(school):
    return post_queryset(school).filter(status=PostStatus.AWAITING).order_by("planned_at", "pk")


# --- To take down ------------------------------------------------------------------------


@dataclass
class TakeDown:
    """A published post with pupils who may no longer appear in it."""

    post: PlannedPost
    reasons: list  # (pupil, sentence)
    since: datetime.date  # when it became needed (at the latest today)


@dataclass
class Leaver:
    pupil: Pupil
    posts: list  # published posts not taken down


@dataclass
class TakeDownLists:
    withdrawn: list  # TakeDown
    leavers: list  # Leaver

    @property
    def count(self) -> int:
        return len(self.posts)

    @property
    def posts(self) -> dict:
        """Every post to take down, by id, with the date it became needed."""
        found = {t.post.pk: (t.post, t.since) for t in self.withdrawn}
        for leaver in self.leavers:
            for post in leaver.posts:
                since = max(leaver.pupil.leaving_date, timezone.localdate(post.published_at))
                if post.pk not in found or since < found[post.pk][1]:
                    found[post.pk] = (post, since)
        return found


def _withdrawn_on(records, code):
    """The day the latest carer's record saying no to `code` was made, or None."""
    days = [r.signed_at for r in records if r.answers.get(code) is False]
    return timezone.localdate(max(days)) if days else None


def to_take_down(school, today: datetime.date | None = None) -> TakeDownLists:
    """Published posts (not taken down) featuring a pupil who may no longer appear for
    the post's purpose, and each pupil who has left with such posts: six queries
    whatever the number of posts (the posts, their pupils, the form and its purposes,
    the carers with parental responsibility, the records)."""
    today = today or timezone.localdate()
    posts = list(post_queryset(school).filter(status=PostStatus.PUBLISHED).order_by("published_at", "pk"))
    pupils = {p.pk: p for post in posts for p in post.pupils.all()}
    left = {pk for pk, p in pupils.items() if p.leaving_date is not None and p.leaving_date <= today}
    staying = [p for pk, p in pupils.items() if pk not in left]
    form = current_form(school) if staying else None
    consents = {c.pupil.pk: c for c in consent_for_pupils(form, staying)} if staying else {}
    labels = {p.code: p.label for p in form.purposes.all()} if form else {}
    withdrawn, leavers = [], {}
    for post in posts:
        published_on = timezone.localdate(post.published_at) if post.published_at else today
        reasons, since = [], []
        for pupil in post.pupils.all():
            if pupil.pk in left:
                leavers.setdefault(pupil.pk, Leaver(pupil, [])).posts.append(post)
                continue
            consent = consents[pupil.pk]
            if consent.allows(post.purpose_code):
                continue
            on = _withdrawn_on(consent.records, post.purpose_code) if post.purpose_code in labels else None
            if on is not None:
                label = labels.get(post.purpose_code, post.purpose_label)
                reasons.append((pupil, f"consent withdrawn for {label} on {on:%d/%m/%Y}"))
                since.append(max(on, published_on))
            else:
                reasons.append((pupil, "no longer allowed"))
                since.append(published_on)
        if reasons:
            withdrawn.append(TakeDown(post, reasons, min(min(since), today)))
    ordered = sorted(leavers.values(), key=lambda lv: (lv.pupil.leaving_date, lv.pupil.last_name, lv.pupil.pk))
    return TakeDownLists(withdrawn, ordered)


def to_take_down_count(school) -> int:
    return to_take_down(school).count
