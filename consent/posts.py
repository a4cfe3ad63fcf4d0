"""Writes for planned posts: plan, approve or refuse (the head), cancel, record as
published, take down. Each checks consent again where it matters, records an audit
event, and raises ValidationError with a sentence staff understand.

The image, if any, is checked by its content (PNG or JPEG, at most 10 MB) and kept in
private storage; our copy is deleted when the post is taken down, refused or
cancelled (seed 004 §27.4: images are deleted when no longer required)."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from core import audit
from core.uploads import check_document

from . import post_selectors
from .models import FIRST_NAME_PURPOSE, PlannedPost, PostStatus, needs_photo
from .selectors import current_form

MAX_IMAGE_BYTES = 10 * 1024 * 1024
IMAGE_KINDS = ("image/png", "image/jpeg")
IMAGE_REFUSED = "The photo must be a PNG or JPEG image of 10 MB or less. This file is not one of those."
_CLOCK_SKEW = datetime.timedelta(minutes=5)


class NoConsentForm(ValidationError):
    def __init__(self):
        super().__init__("The school has not published its photo consent form yet, so no pupil may appear in posts.")


def image_kind(upload) -> tuple[str, str]:
    """(content type, extension) of the photo, judged by its content."""
    return check_document(upload, field="image", max_bytes=MAX_IMAGE_BYTES, refused=IMAGE_REFUSED, kinds=IMAGE_KINDS)


def _raise(check: post_selectors.PostCheck, prefix: str = ""):
    if check.ok:
        return
    if prefix:
        raise ValidationError(prefix + " " + " ".join(check.messages))
    raise ValidationError(check.problems)


def _locked(post: PlannedPost) -> PlannedPost:
    return PlannedPost.objects.select_for_update(of=("self",)).select_related("school").get(pk=post.pk)


def _expect(post: PlannedPost, *statuses):
    if post.status not in statuses:
        raise ValidationError(f"This post is now “{post.get_status_display()}”: it cannot be changed that way.")


def _delete_image_on_commit(post: PlannedPost):
    name = post.image.name
    if not name:
        return
    storage = post.image.storage
    PlannedPost.objects.filter(pk=post.pk).update(image="")
    post.image.name = ""
    transaction.on_commit(lambda: storage.delete(name))


def plan_post(
    *,
    school,
    by,
    purpose_code: str,
    caption: str,
    pupils,
    image=None,
    event=None,
    first_name_shown: bool = False,
    request=None,
) -> PlannedPost:
    """Plan a post (and so ask the head to approve it): refused, with nothing saved,
    unless every featured pupil may appear for the purpose, the caption names no one
    it must not, first names are shown only with every pupil's carers' agreement, and
    a post for a place that shows images has its photo (the head decides with the
    photo in front of them)."""
    form = current_form(school)
    if form is None:
        raise NoConsentForm()
    caption = (caption or "").strip()
    errors = {}
    if not caption:
        errors["caption"] = ["Write the caption as it will appear."]
    pupils = list(pupils)
    if not pupils:
        errors["pupils"] = ["Tick the pupils who are in the photo."]
    if any(p.school_id != school.pk for p in pupils):
        raise PermissionDenied("A pupil of another school.")
    if event is not None and event.school_id != school.pk:
        raise PermissionDenied("An event of another school.")
    if purpose_code == FIRST_NAME_PURPOSE:
        errors["purpose"] = [
            "A first name is not a place to publish: choose where the post will appear, "
            "and tick “First names are shown” if it shows them."
        ]
    kind = None
    if image is None and needs_photo(purpose_code):
        errors["image"] = [
            "Choose the photo that will be published: the head approves the post with it in front of them."
        ]
    if image is not None:
        try:
            kind = image_kind(image)
        except ValidationError as error:
            errors.update(error.message_dict)
    check = post_selectors.check_post(form, pupils, purpose_code, caption, first_name_shown=first_name_shown)
    for field_name, messages in check.problems.items():
        errors.setdefault(field_name, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    stored = None
    try:
        with transaction.atomic():
            post = PlannedPost.objects.create(
                school=school,
                purpose_code=purpose_code,
                purpose_label=check.purpose_label,
                caption=caption,
                first_name_shown=first_name_shown,
                event=event,
                planned_by=by,
            )
            post.pupils.set(pupils)
            if kind is not None:
                content_type, extension = kind
                image.seek(0)
                post.image.save(f"post-{post.pk}.{extension}", ContentFile(image.read()), save=False)
                stored = post.image.name
                post.image_content_type = content_type
                post.save(update_fields=["image", "image_content_type"])
            audit.record(
                action="consent.post_planned",
                actor=by,
                school=school,
                obj=post,
                request=request,
                summary=f"Planned a post for {post.purpose_label} featuring {len(pupils)} "
                f"pupil{'s' if len(pupils) != 1 else ''}",
                data={
                    "pupils": [p.pk for p in pupils],
                    "purpose": purpose_code,
                    "image": bool(stored),
                    "first_name_shown": first_name_shown,
                },
            )
    except Exception:
        if stored:
            PlannedPost._meta.get_field("image").storage.delete(stored)
        raise
    return post


@transaction.atomic
def approve(*, post: PlannedPost, by, request=None) -> PlannedPost:
    """The head approves: refused if, now, any featured pupil may not appear."""
    post = _locked(post)
    _expect(post, PostStatus.AWAITING)
    if post.needs_photo and not post.image:
        raise ValidationError(
            "This post has no photo, so it cannot be approved: refuse it, saying so, and it can be planned again with the photo."
        )
    form = current_form(post.school)
    if form is None:
        raise NoConsentForm()
    _raise(post_selectors.recheck(post, form), "Consent has changed since this post was planned.")
    post.status, post.decided_by, post.decided_at = PostStatus.APPROVED, by, timezone.now()
    post.save(update_fields=["status", "decided_by", "decided_at"])
    audit.record(
        action="consent.post_approved",
        actor=by,
        school=post.school,
        obj=post,
        request=request,
        summary=f"Approved a post for {post.purpose_label}",
    )
    return post


@transaction.atomic
def refuse(*, post: PlannedPost, by, reason: str, request=None) -> PlannedPost:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why, so the person who planned it knows what to change."})
    post = _locked(post)
    _expect(post, PostStatus.AWAITING)
    post.status, post.decided_by, post.decided_at, post.decision_note = PostStatus.REFUSED, by, timezone.now(), reason
    post.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    _delete_image_on_commit(post)
    audit.record(
        action="consent.post_refused",
        actor=by,
        school=post.school,
        obj=post,
        request=request,
        summary=f"Refused a post for {post.purpose_label}",
        data={"reason": reason},
    )
    return post


@transaction.atomic
def cancel(*, post: PlannedPost, by, request=None) -> PlannedPost:
    """The person who planned it cancels it before it is published."""
    post = _locked(post)
    if post.planned_by_id != by.pk:
        raise PermissionDenied("Only the person who planned this post can cancel it.")
    _expect(post, PostStatus.AWAITING, PostStatus.APPROVED)
    post.status = PostStatus.CANCELLED
    post.save(update_fields=["status"])
    _delete_image_on_commit(post)
    audit.record(
        action="consent.post_cancelled",
        actor=by,
        school=post.school,
        obj=post,
        request=request,
        summary=f"Cancelled a post for {post.purpose_label}",
    )
    return post


@transaction.atomic
def record_published(*, post: PlannedPost, by, where: str, when=None, request=None) -> PlannedPost:
    """Record where and when an approved post went out. Consent is checked again: if a
    pupil may no longer appear, it must not go out."""
    where = (where or "").strip()
    when = when or timezone.now()
    errors = {}
    if not where:
        errors["where"] = ["Give the link to the post, or say where it appeared."]
    if when > timezone.now() + _CLOCK_SKEW:
        errors["when"] = ["The time it was published cannot be in the future."]
    if errors:
        raise ValidationError(errors)
    post = _locked(post)
    _expect(post, PostStatus.APPROVED)
    form = current_form(post.school)
    if form is None:
        raise NoConsentForm()
    _raise(
        post_selectors.recheck(post, form),
        "Consent has changed since this post was approved: do not publish it.",
    )
    post.status, post.published_by, post.published_at, post.published_where = (
        PostStatus.PUBLISHED,
        by,
        when,
        where[:300],
    )
    post.save(update_fields=["status", "published_by", "published_at", "published_where"])
    audit.record(
        action="consent.post_published",
        actor=by,
        school=post.school,
        obj=post,
        request=request,
        summary=f"Recorded a post for {post.purpose_label} as published",
        data={"where": post.published_where},
    )
    return post


@transaction.atomic
def take_down(*, post: PlannedPost, by, note: str = "", request=None) -> PlannedPost:
    """Mark a published post as taken down; our copy of its image is deleted too."""
    post = _locked(post)
    _expect(post, PostStatus.PUBLISHED)
    post.status, post.taken_down_by, post.taken_down_at = PostStatus.TAKEN_DOWN, by, timezone.now()
    post.take_down_note = (note or "").strip()[:300]
    post.save(update_fields=["status", "taken_down_by", "taken_down_at", "take_down_note"])
    _delete_image_on_commit(post)
    audit.record(
        action="consent.post_taken_down",
        actor=by,
        school=post.school,
        obj=post,
        request=request,
        summary=f"Took down a post for {post.purpose_label}",
        data={"note": post.take_down_note},
    )
    return post
