"""Planned-post reminders (issue 7): posts waiting for the head, and published posts
to take down.

Registered in reminders.sweeps' SWEEPS (imported at the end of sweeps.py). Each sweep
reads the school's posts in a fixed number of queries. The lines name no pupil and
quote no caption: "A published post needs taking down: consent has changed", with a
link to the post's page (which checks who may see it).

- Waiting for approval: the head(s), on the day the post was planned, then weekly
  while it waits.
- To take down (consent withdrawn or changed, or a pupil in it has left): the person
  who planned it (while they may still plan posts), the office and the head, from the
  day it became needed, then weekly until it is marked as taken down.
"""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone

from consent import post_selectors
from consent.models import PlannedPost, PostStatus
from core.roles import Cap, Role, roles_with
from schools.models import Membership

from .models import ReminderItem
from .still_due import done_check
from .sweeps import SchoolScan, _item, sweep

EVERY_DAYS = 7


def weekly_step(since: datetime.date, today: datetime.date) -> tuple[int, datetime.date]:
    """(n, the date of the n-th weekly step since `since`) reached by `today`."""
    weeks = max(0, (today - since).days) // EVERY_DAYS
    return weeks, since + datetime.timedelta(days=weeks * EVERY_DAYS)


def _url(scan, post_id) -> str:
    return reverse("consent:post", kwargs={"school_slug": scan.school.slug, "post_id": post_id})


@sweep("posts_awaiting_approval")
def awaiting_approval(scan: SchoolScan):
    waiting = list(
        PlannedPost.objects.filter(school=scan.school, status=PostStatus.AWAITING)
        .values_list("pk", "purpose_label", "planned_at")
        .order_by("planned_at", "pk")
    )
    if not waiting or not scan.heads:
        return
    for pk, label, planned_at in waiting:
        planned_on = timezone.localdate(planned_at)
        _, on = weekly_step(planned_on, scan.today)
        text = f"A post for {label} planned on {planned_on:%d/%m/%Y} is waiting for your approval."
        for head in scan.heads:
            yield _item(scan, head, ReminderItem.Kind.POSTS, f"post:{pk}:approval", on, text, _url(scan, pk))


@sweep("posts_to_take_down")
def posts_to_take_down(scan: SchoolScan):
    lists = post_selectors.to_take_down(scan.school, scan.today)
    found = lists.posts
    if not found:
        return
    withdrawn = {t.post.pk for t in lists.withdrawn}
    people = dict.fromkeys(
        Membership.objects.active()
        .filter(school=scan.school, user__is_active=True, roles__role__in=[Role.OFFICE, Role.HEADTEACHER])
        .order_by("pk")
        .values_list("user_id", flat=True)
    )
    planners = set(
        Membership.objects.active()
        .filter(
            school=scan.school,
            user__is_active=True,
            user_id__in={post.planned_by_id for post, _ in found.values()},
            roles__role__in=roles_with(Cap.PLAN_POSTS),
        )
        .values_list("user_id", flat=True)
    )
    for pk, (post, since) in sorted(found.items()):
        _, on = weekly_step(since, scan.today)
        if pk in withdrawn:
            text = "A published post needs taking down: consent has changed."
        else:
            text = "A published post needs taking down: a pupil in it has left the school."
        recipients = dict.fromkeys([post.planned_by_id] if post.planned_by_id in planners else [])
        recipients.update(people)
        for user_id in recipients:
            yield _item(scan, user_id, ReminderItem.Kind.POSTS, f"post:{pk}:takedown", on, text, _url(scan, pk))


def _post_subject(item) -> tuple[int, str] | None:
    parts = item.subject_key.split(":")
    if len(parts) == 3 and parts[0] == "post" and parts[1].isdigit():
        return int(parts[1]), parts[2]
    return None


@done_check(ReminderItem.Kind.POSTS)
def post_done_meanwhile(items, recipient) -> set[int]:
    """Waiting for approval: done once the post is decided (or cancelled). To take
    down: done once it is marked as taken down. One query however many items."""
    subjects = {item.pk: s for item in items if (s := _post_subject(item)) is not None}
    if not subjects:
        return set()
    statuses = dict(PlannedPost.objects.filter(pk__in={pk for pk, _ in subjects.values()}).values_list("pk", "status"))
    done = set()
    for item_id, (post_id, what) in subjects.items():
        status = statuses.get(post_id)
        if status is None:
            continue
        if what == "approval" and status != PostStatus.AWAITING:
            done.add(item_id)
        elif what == "takedown" and status != PostStatus.PUBLISHED:
            done.add(item_id)
    return done
