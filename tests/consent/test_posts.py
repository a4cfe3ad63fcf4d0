"""Planned posts: checked against consent, approved or refused by the head, logged, and
listed for taking down when consent is withdrawn or a pupil leaves."""

import datetime
import io

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from consent import post_selectors, posts
from consent.models import PlannedPost, PostStatus
from core.models import AuditEvent
from core.roles import Role
from reminders import still_due
from reminders.models import ReminderItem
from reminders.post_sweeps import awaiting_approval, posts_to_take_down, weekly_step
from reminders.sweeps import SchoolScan
from tests.conftest import make_member
from tests.factories import GuardianshipFactory, PupilFactory, UserFactory

from .helpers import answer, published_form

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def form(school, head):
    return published_form(school, head)


@pytest.fixture
def zebedee(school, school_class):
    """A pupil whose carer agreed to the website only (not first names)."""
    return PupilFactory(school=school, school_class=school_class, first_name="Zebedee", last_name="Quartermaine")


@pytest.fixture
def zebedee_carer(zebedee, form):
    carer = UserFactory(first_name="Winifred", last_name="Quartermaine")
    GuardianshipFactory(pupil=zebedee, carer=carer)
    answer(carer, zebedee, form, "zeb-1", website=True, facebook=True)
    return carer


@pytest.fixture
def ottoline(school, school_class, form):
    """A pupil whose carer agreed to the website and to first names."""
    pupil = PupilFactory(school=school, school_class=school_class, first_name="Ottoline", last_name="Farthingale")
    carer = UserFactory(first_name="Bertram", last_name="Farthingale")
    GuardianshipFactory(pupil=pupil, carer=carer)
    answer(carer, pupil, form, "otto-1", website=True, first_name=True)
    pupil.carer = carer
    return pupil


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (6, 6), (20, 120, 40)).save(buffer, format="PNG")
    return buffer.getvalue()


def plan_url(school, school_class, purpose="website"):
    return reverse("consent:post_plan", args=[school.slug]) + f"?group=class-{school_class.pk}&purpose={purpose}"


def photo(name="photo.png"):
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


def plan(client, school, school_class, pupils, caption="Sports day fun", purpose="website", **extra):
    """The plan page's form posted, with a photo unless the test gives `image`."""
    data = {"purpose": purpose, "caption": caption, "pupils": [str(p.pk) for p in pupils], "event": "", **extra}
    data.setdefault("image", photo())
    if data["image"] is None:
        del data["image"]
    return client.post(plan_url(school, school_class, purpose), data)


def planned(school, by, pupils, purpose="website", caption="Sports day", **fields) -> PlannedPost:
    """A post planned through the service, with a photo unless the test gives `image`."""
    fields.setdefault("image", photo())
    return posts.plan_post(school=school, by=by, purpose_code=purpose, caption=caption, pupils=pupils, **fields)


def published_post(school, planner, head, pupils, purpose="website") -> PlannedPost:
    post = planned(school, planner, pupils, purpose)
    posts.approve(post=post, by=head)
    return posts.record_published(post=post, by=planner, where="https://example.org/news/1")


def _post_urls(school_slug, post_id):
    return [
        ("get", reverse("consent:post", args=[school_slug, post_id])),
        ("get", reverse("consent:post_image", args=[school_slug, post_id])),
        ("post", reverse("consent:post_approve", args=[school_slug, post_id])),
        ("post", reverse("consent:post_refuse", args=[school_slug, post_id])),
        ("post", reverse("consent:post_cancel", args=[school_slug, post_id])),
        ("post", reverse("consent:post_published", args=[school_slug, post_id])),
        ("post", reverse("consent:post_taken_down", args=[school_slug, post_id])),
    ]


# --- Planning -------------------------------------------------------------------------


def test_the_plan_page_shows_at_once_who_may_appear(client_for, school, school_class, teacher, zebedee_carer, pupil):
    response = client_for(teacher).get(plan_url(school, school_class))
    page = response.content.decode()
    assert response.status_code == 200
    zebedee_row = page[page.index("Zebedee Quartermaine") :][:400]
    amelia_row = page[page.index("Amelia Khan") :][:400]
    assert "May appear" in zebedee_row and "May NOT appear" not in zebedee_row
    assert "May NOT appear" in amelia_row


def test_planning_with_a_pupil_without_consent_is_refused_beside_the_field(
    client_for, school, school_class, teacher, pupil, form
):
    response = plan(client_for(teacher), school, school_class, [pupil])
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "Amelia Khan" in " ".join(errors["pupils"])
    assert not PlannedPost.objects.exists()


def test_a_full_name_in_the_caption_is_refused(client_for, school, school_class, teacher, zebedee, zebedee_carer):
    response = plan(client_for(teacher), school, school_class, [zebedee], caption="Well done zebedee  QUARTERMAINE!")
    assert response.status_code == 400
    assert "Pupils' full names are never published" in " ".join(response.context["form"].errors["caption"])
    assert not PlannedPost.objects.exists()


def test_a_first_name_without_first_name_consent_is_refused_with_the_pupil_named(
    client_for, school, school_class, teacher, zebedee, zebedee_carer
):
    response = plan(client_for(teacher), school, school_class, [zebedee], caption="Zebedee won the race")
    assert response.status_code == 400
    message = " ".join(response.context["form"].errors["caption"])
    assert "Zebedee Quartermaine" in message and "first name" in message
    assert not PlannedPost.objects.exists()


def test_a_first_name_with_first_name_consent_is_allowed_on_a_post_that_shows_first_names(
    client_for, school, school_class, teacher, ottoline
):
    response = plan(
        client_for(teacher), school, school_class, [ottoline], caption="Ottoline won the race", first_name_shown="on"
    )
    post = PlannedPost.objects.get()
    assert post.first_name_shown
    assert response.status_code == 302 and response.url == reverse("consent:post", args=[school.slug, post.pk])
    assert post.status == PostStatus.AWAITING and list(post.pupils.all()) == [ottoline]
    assert post.purpose_label == "The school website" and post.planned_by == teacher
    assert AuditEvent.objects.filter(action="consent.post_planned", object_id=str(post.pk)).exists()


def test_a_first_name_inside_another_word_is_not_a_name(school, teacher, zebedee, zebedee_carer):
    post = planned(school, teacher, [zebedee], caption="Zebedees and ZebedeeX are not names")
    assert post.pk


def test_a_social_platform_is_checked_separately(client_for, school, school_class, teacher, ottoline, zebedee_carer):
    response = plan(client_for(teacher), school, school_class, [ottoline], purpose="facebook")
    assert response.status_code == 400
    assert "Ottoline Farthingale" in " ".join(response.context["form"].errors["pupils"])


def test_no_published_form_gives_a_clear_page(client_for, school, teacher):
    response = client_for(teacher).get(reverse("consent:post_plan", args=[school.slug]))
    assert response.status_code == 200
    assert "not published its photo consent form" in response.content.decode()


def test_an_image_that_is_a_text_file_named_png_is_refused(
    client_for, school, school_class, teacher, zebedee, zebedee_carer
):
    fake = SimpleUploadedFile("photo.png", b"just some text, not a picture", content_type="image/png")
    response = plan(client_for(teacher), school, school_class, [zebedee], image=fake)
    assert response.status_code == 400
    assert "PNG or JPEG" in " ".join(response.context["form"].errors["image"])
    assert not PlannedPost.objects.exists()


def test_a_pdf_is_not_a_photo(school, teacher, zebedee, zebedee_carer):
    pdf = SimpleUploadedFile("photo.png", b"%PDF-1.7\n%test\n", content_type="image/png")
    with pytest.raises(Exception, match="PNG or JPEG"):
        planned(school, teacher, [zebedee], image=pdf)


def test_the_image_is_served_only_within_the_school(
    client_for, school, school_class, teacher, zebedee, zebedee_carer, outsider, other_school
):
    content = png_bytes()
    image = SimpleUploadedFile("anything.txt", content, content_type="text/plain")
    response = plan(client_for(teacher), school, school_class, [zebedee], image=image)
    assert response.status_code == 302
    post = PlannedPost.objects.get()
    url = reverse("consent:post_image", args=[school.slug, post.pk])
    served = client_for(teacher).get(url)
    assert served.status_code == 200 and b"".join(served.streaming_content) == content
    assert served["Content-Type"] == "image/png" and served["X-Content-Type-Options"] == "nosniff"
    assert AuditEvent.objects.filter(action="consent.post_image_viewed", object_id=str(post.pk)).count() == 1
    client = client_for(outsider)
    assert client.get(url).status_code == 404
    assert client.get(reverse("consent:post_image", args=[other_school.slug, post.pk])).status_code == 404


# --- The head's decision --------------------------------------------------------------


def test_the_head_sees_the_queue_and_approves(client_for, school, teacher, head, ottoline):
    post = planned(school, teacher, [ottoline], caption="Ottoline's painting", first_name_shown=True)
    client = client_for(head)
    queue = client.get(reverse("consent:post_queue", args=[school.slug]))
    assert queue.status_code == 200 and "Ottoline Farthingale" in queue.content.decode()
    response = client.post(reverse("consent:post_approve", args=[school.slug, post.pk]))
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.status == PostStatus.APPROVED and post.decided_by == head
    assert AuditEvent.objects.filter(action="consent.post_approved", object_id=str(post.pk)).exists()


def test_a_teacher_cannot_approve_or_refuse(client_for, school, teacher, ottoline):
    post = planned(school, teacher, [ottoline])
    client = client_for(teacher)
    assert client.post(reverse("consent:post_approve", args=[school.slug, post.pk])).status_code == 403
    refused = client.post(reverse("consent:post_refuse", args=[school.slug, post.pk]), {"reason": "No"})
    assert refused.status_code == 403
    assert client.get(reverse("consent:post_queue", args=[school.slug])).status_code == 404
    post.refresh_from_db()
    assert post.status == PostStatus.AWAITING


def test_withdrawal_after_planning_makes_approval_refuse_naming_the_pupil(client_for, school, teacher, head, ottoline):
    post = planned(school, teacher, [ottoline])
    answer(ottoline.carer, ottoline, published_form(school, head), "otto-2", first_name=True)  # website: no
    client = client_for(head)
    queue = client.get(reverse("consent:post_queue", args=[school.slug])).content.decode()
    assert "It cannot be approved" in queue
    response = client.post(reverse("consent:post_approve", args=[school.slug, post.pk]))
    assert response.status_code == 400
    assert "Ottoline Farthingale" in response.content.decode()
    post.refresh_from_db()
    assert post.status == PostStatus.AWAITING


def test_refusing_needs_a_reason(client_for, school, teacher, head, ottoline):
    post = planned(school, teacher, [ottoline])
    client = client_for(head)
    url = reverse("consent:post_refuse", args=[school.slug, post.pk])
    response = client.post(url, {"reason": "  "})
    assert response.status_code == 400 and response.context["refuse_form"].errors["reason"]
    assert client.post(url, {"reason": "The background shows a pupil's home."}).status_code == 302
    post.refresh_from_db()
    assert post.status == PostStatus.REFUSED and post.decision_note == "The background shows a pupil's home."


def test_only_the_planner_cancels_while_waiting(client_for, school, teacher, head, ottoline):
    post = planned(school, teacher, [ottoline])
    other = make_member(school, Role.TEACHER)
    url = reverse("consent:post_cancel", args=[school.slug, post.pk])
    assert client_for(other).post(url).status_code == 403
    assert client_for(teacher).post(url).status_code == 302
    post.refresh_from_db()
    assert post.status == PostStatus.CANCELLED


# --- Publishing and taking down ---------------------------------------------------------


def test_recording_as_published_needs_where(client_for, school, teacher, head, ottoline):
    post = planned(school, teacher, [ottoline])
    posts.approve(post=post, by=head)
    client = client_for(make_member(school, Role.OFFICE))
    url = reverse("consent:post_published", args=[school.slug, post.pk])
    assert client.post(url, {"where": ""}).status_code == 400
    assert client.post(url, {"where": "https://facebook.example/oakfield/1"}).status_code == 302
    post.refresh_from_db()
    assert post.status == PostStatus.PUBLISHED and post.published_where == "https://facebook.example/oakfield/1"
    assert post.published_at is not None


def test_withdrawal_after_publishing_puts_the_post_on_the_take_down_list_at_once(
    client_for, school, teacher, head, ottoline
):
    post = published_post(school, teacher, head, [ottoline])
    page = reverse("consent:posts_take_down", args=[school.slug])
    assert "Ottoline Farthingale" not in client_for(teacher).get(page).content.decode()
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=1)):
        answer(ottoline.carer, ottoline, published_form(school, head), "otto-2", first_name=True)
    text = client_for(teacher).get(page).content.decode()
    today = timezone.localdate()
    assert "Ottoline Farthingale" in text
    assert f"consent withdrawn for The school website on {today:%d/%m/%Y}" in text
    dashboard = client_for(teacher).get(reverse("consent:dashboard", args=[school.slug])).content.decode()
    assert "To take down (1)" in dashboard
    assert post.pk in post_selectors.to_take_down(school).posts
    # The post's own page says to take it down, not to choose another photo.
    detail = client_for(teacher).get(reverse("consent:post", args=[school.slug, post.pk])).content.decode()
    assert "Take the post down: consent has changed since it was published." in detail
    assert "choose another photo" not in detail


def test_a_leavers_published_post_is_listed_until_taken_down(client_for, school, teacher, office, head, ottoline):
    post = published_post(school, teacher, head, [ottoline])
    ottoline.leaving_date = timezone.localdate()
    ottoline.save()
    page = reverse("consent:posts_take_down", args=[school.slug])
    lists = post_selectors.to_take_down(school)
    assert [lv.pupil for lv in lists.leavers] == [ottoline] and lists.leavers[0].posts == [post]
    assert lists.withdrawn == []
    assert "Ottoline Farthingale" in client_for(office).get(page).content.decode()
    response = client_for(office).post(
        reverse("consent:post_taken_down", args=[school.slug, post.pk]), {"note": "Removed from the website"}
    )
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.status == PostStatus.TAKEN_DOWN and post.taken_down_by == office
    assert "Ottoline Farthingale" not in client_for(office).get(page).content.decode()
    assert AuditEvent.objects.filter(action="consent.post_taken_down", object_id=str(post.pk)).exists()


def test_a_pupil_leaving_tomorrow_is_not_yet_a_leaver(school, teacher, head, ottoline):
    published_post(school, teacher, head, [ottoline])
    ottoline.leaving_date = timezone.localdate() + datetime.timedelta(days=1)
    ottoline.save()
    assert post_selectors.to_take_down(school).count == 0


def test_taking_down_deletes_our_copy_of_the_image(school, teacher, head, ottoline, django_capture_on_commit_callbacks):
    image = SimpleUploadedFile("p.png", png_bytes())
    post = planned(school, teacher, [ottoline], image=image)
    storage, name = post.image.storage, post.image.name
    assert storage.exists(name)
    posts.approve(post=post, by=head)
    posts.record_published(post=post, by=teacher, where="Newsletter")
    with django_capture_on_commit_callbacks(execute=True):
        posts.take_down(post=post, by=teacher)
    assert not storage.exists(name)
    post.refresh_from_db()
    assert not post.image


# --- Tenancy and queries ------------------------------------------------------------------


def test_another_schools_post_is_404_on_every_post_url(client_for, school, teacher, ottoline, outsider, other_school):
    post = planned(school, teacher, [ottoline])
    client = client_for(outsider)
    for slug in (school.slug, other_school.slug):
        for method, url in _post_urls(slug, post.pk):
            assert getattr(client, method)(url).status_code == 404, url
    post.refresh_from_db()
    assert post.status == PostStatus.AWAITING


def test_the_log_runs_the_same_number_of_queries_for_3_and_30_posts(client_for, school, teacher, head, ottoline):
    client = client_for(teacher)
    url = reverse("consent:posts", args=[school.slug])

    def count():
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200
        return len(ctx.captured_queries)

    def add(n):
        for i in range(n):
            post = planned(school, teacher, [ottoline], caption=f"Post {i}")
            if i % 2:
                posts.approve(post=post, by=head)

    add(3)
    count()  # the first request of a session writes to it
    few = count()
    add(27)
    assert count() == few
    page = client.get(url + "?status=approved").content.decode()
    assert page.count("Approved: not published yet") == 15


def test_the_take_down_list_runs_a_fixed_number_of_queries(school, teacher, head, ottoline, school_class):
    def count():
        with CaptureQueriesContext(connection) as ctx:
            post_selectors.to_take_down(school)
        return len(ctx.captured_queries)

    published_post(school, teacher, head, [ottoline])
    few = count()
    for i in range(5):
        pupil = PupilFactory(school=school, school_class=school_class, first_name=f"Leaver{i}")
        carer = UserFactory()
        GuardianshipFactory(pupil=pupil, carer=carer)
        answer(carer, pupil, published_form(school, head), f"leaver-{i}", website=True)
        published_post(school, teacher, head, [pupil, ottoline])
        pupil.leaving_date = timezone.localdate()
        pupil.save()
    assert count() == few
    assert len(post_selectors.to_take_down(school).leavers) == 5


# --- Reminders ----------------------------------------------------------------------------


def test_weekly_steps():
    day = datetime.date(2026, 11, 2)
    assert weekly_step(day, day) == (0, day)
    assert weekly_step(day, day + datetime.timedelta(days=6)) == (0, day)
    assert weekly_step(day, day + datetime.timedelta(days=7)) == (1, day + datetime.timedelta(days=7))


def test_posts_awaiting_approval_remind_the_head_weekly(school, teacher, head, ottoline):
    post = planned(school, teacher, [ottoline])
    today = timezone.localdate()
    items = list(awaiting_approval(SchoolScan(school, today)))
    assert [(i["recipient_id"], i["subject_key"], i["due_on"]) for i in items] == [
        (head.pk, f"post:{post.pk}:approval", today)
    ]
    assert items[0]["kind"] == ReminderItem.Kind.POSTS and "Ottoline" not in items[0]["text"]
    later = list(awaiting_approval(SchoolScan(school, today + datetime.timedelta(days=9))))
    assert later[0]["due_on"] == today + datetime.timedelta(days=7)
    posts.approve(post=post, by=head)
    assert list(awaiting_approval(SchoolScan(school, today))) == []


def test_posts_to_take_down_remind_the_planner_the_office_and_the_head(school, teacher, office, head, ottoline):
    post = published_post(school, teacher, head, [ottoline])
    today = timezone.localdate()
    assert list(posts_to_take_down(SchoolScan(school, today))) == []
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=1)):
        answer(ottoline.carer, ottoline, published_form(school, head), "otto-2")
    items = list(posts_to_take_down(SchoolScan(school, today)))
    assert {i["recipient_id"] for i in items} == {teacher.pk, office.pk, head.pk}
    for item in items:
        assert item["subject_key"] == f"post:{post.pk}:takedown" and item["due_on"] == today
        assert item["mandatory"] and item["kind"] == ReminderItem.Kind.POSTS
        assert item["text"] == "A published post needs taking down: consent has changed."
        assert "Ottoline" not in item["text"] and "Farthingale" not in item["text"]
        assert item["action_url"] == reverse("consent:post", args=[school.slug, post.pk])
    week_later = list(posts_to_take_down(SchoolScan(school, today + datetime.timedelta(days=8))))
    assert {i["due_on"] for i in week_later} == {today + datetime.timedelta(days=7)}
    posts.take_down(post=post, by=office)
    assert list(posts_to_take_down(SchoolScan(school, today))) == []


def test_a_leavers_post_reminds_without_naming_the_pupil(school, teacher, office, head, ottoline):
    post = published_post(school, teacher, head, [ottoline])
    ottoline.leaving_date = timezone.localdate()
    ottoline.save()
    items = list(posts_to_take_down(SchoolScan(school, timezone.localdate())))
    assert {i["recipient_id"] for i in items} == {teacher.pk, office.pk, head.pk}
    assert all(i["text"] == "A published post needs taking down: a pupil in it has left the school." for i in items)
    assert all(i["subject_key"] == f"post:{post.pk}:takedown" for i in items)


def test_post_reminders_are_dropped_once_done(school, teacher, head, ottoline):
    waiting = planned(school, teacher, [ottoline])
    up = published_post(school, teacher, head, [ottoline])
    items = [
        ReminderItem(pk=1, kind=ReminderItem.Kind.POSTS, subject_key=f"post:{waiting.pk}:approval"),
        ReminderItem(pk=2, kind=ReminderItem.Kind.POSTS, subject_key=f"post:{up.pk}:takedown"),
    ]
    assert still_due.done_meanwhile(items, head) == set()
    posts.refuse(post=waiting, by=head, reason="Not this one")
    posts.take_down(post=up, by=teacher)
    assert still_due.done_meanwhile(items, head) == {1, 2}


def test_pupils_can_be_picked_from_an_event(client_for, school, teacher, ottoline, zebedee, zebedee_carer):
    from consent.models import SchoolEvent

    event = SchoolEvent.objects.create(
        school=school, name="Netball match", date=timezone.localdate(), created_by=teacher
    )
    event.pupils.add(ottoline)
    url = reverse("consent:post_plan", args=[school.slug]) + f"?group=event-{event.pk}&purpose=website"
    client = client_for(teacher)
    page = client.get(url).content.decode()
    assert "Ottoline Farthingale" in page and "Zebedee Quartermaine" not in page
    data = {"purpose": "website", "caption": "The netball team", "pupils": [str(ottoline.pk)], "event": str(event.pk)}
    assert client.post(url, {**data, "image": photo()}).status_code == 302
    assert PlannedPost.objects.get().event == event
    other = SchoolEvent.objects.create(school=school, name="x", date=timezone.localdate(), created_by=teacher)
    assert client.post(url, {**data, "pupils": [str(zebedee.pk)], "event": str(other.pk)}).status_code == 400


# --- Photos and first names (issue 18) --------------------------------------------------


def test_a_post_for_a_place_that_shows_images_cannot_be_sent_to_the_head_without_its_photo(
    client_for, school, school_class, teacher, ottoline
):
    response = plan(client_for(teacher), school, school_class, [ottoline], caption="Sports day", image=None)

    assert response.status_code == 400
    assert response.context["form"].errors["image"] == [
        "Choose the photo that will be published: the head approves the post with it in front of them."
    ]
    assert not PlannedPost.objects.exists()


def test_a_video_post_needs_no_photo(school, school_class, teacher, form):
    pupil = PupilFactory(school=school, school_class=school_class, first_name="Vera", last_name="Vale")
    carer = UserFactory()
    GuardianshipFactory(pupil=pupil, carer=carer)
    answer(carer, pupil, form, "vera-1", youtube=True)

    post = posts.plan_post(school=school, by=teacher, purpose_code="youtube", caption="Our choir", pupils=[pupil])

    assert post.status == PostStatus.AWAITING and not post.image and not post.needs_photo


def test_a_post_waiting_without_its_photo_cannot_be_approved_and_shows_no_approve_button(
    client_for, school, teacher, head, ottoline
):
    post = PlannedPost.objects.create(
        school=school, purpose_code="website", purpose_label="The school website", caption="Old", planned_by=teacher
    )
    post.pupils.add(ottoline)

    with pytest.raises(ValidationError, match="no photo"):
        posts.approve(post=post, by=head)
    page = client_for(head).get(reverse("consent:post", args=[school.slug, post.pk])).content.decode()
    assert "No photo." in page
    assert reverse("consent:post_approve", args=[school.slug, post.pk]) not in page
    queue = client_for(head).get(reverse("consent:post_queue", args=[school.slug])).content.decode()
    assert reverse("consent:post_approve", args=[school.slug, post.pk]) not in queue


def test_the_head_decides_with_the_photo_in_front_of_them(client_for, school, teacher, head, ottoline):
    post = planned(school, teacher, [ottoline], caption="Sports day relay")
    client = client_for(head)
    image_url = reverse("consent:post_image", args=[school.slug, post.pk])

    for page in (
        reverse("consent:post", args=[school.slug, post.pk]),
        reverse("consent:post_queue", args=[school.slug]),
    ):
        html = client.get(page).content.decode()
        assert f'<img class="post-image" src="{image_url}"' in html
        assert html.index(image_url) < html.index(reverse("consent:post_approve", args=[school.slug, post.pk]))
    assert b"".join(client.get(image_url).streaming_content) == png_bytes()


def test_first_name_shown_is_not_a_place_to_publish(client_for, school, school_class, teacher, ottoline, form):
    page = client_for(teacher).get(plan_url(school, school_class))
    places = [code for code, _ in page.context["pick"].fields["purpose"].choices if isinstance(_, str)]
    places += [
        code
        for _, group in page.context["pick"].fields["purpose"].choices
        if isinstance(group, list)
        for code, _ in group
    ]
    assert "website" in places and "first_name" not in places
    assert "first_name_shown" in page.context["form"].fields

    with pytest.raises(ValidationError) as refused:
        planned(school, teacher, [ottoline], purpose="first_name")
    assert "not a place to publish" in " ".join(refused.value.message_dict["purpose"])


def test_first_names_shown_needs_every_pupils_carers_to_have_agreed(
    client_for, school, school_class, teacher, ottoline, zebedee, zebedee_carer
):
    response = plan(
        client_for(teacher), school, school_class, [ottoline, zebedee], caption="Sports day", first_name_shown="on"
    )

    assert response.status_code == 400
    message = " ".join(response.context["form"].errors["first_name_shown"])
    assert "Zebedee Quartermaine" in message and "Ottoline" not in message
    assert not PlannedPost.objects.exists()


def test_a_caption_naming_a_pupil_needs_the_post_to_show_first_names(
    client_for, school, school_class, teacher, ottoline
):
    response = plan(client_for(teacher), school, school_class, [ottoline], caption="Ottoline won the race")

    assert response.status_code == 400
    assert "tick “First names are shown”" in " ".join(response.context["form"].errors["first_name_shown"])


def test_the_log_names_each_post_by_its_caption_and_date(client_for, school, teacher, ottoline):
    with time_machine.travel(datetime.datetime(2026, 6, 12, 10, 0, tzinfo=datetime.UTC)):
        planned(
            school, teacher, [ottoline], caption="Sports day relay: the whole of Year 4 ran their hearts out in the sun"
        )

    page = client_for(teacher).get(reverse("consent:posts", args=[school.slug])).content.decode()

    assert "“Sports day relay: the whole of Year 4 ran their hearts out…”, planned 12/06/2026" in page
    assert '<td data-label="Where">The school website</td>' in page


def test_the_migration_turns_first_name_posts_into_posts_that_show_first_names(school, teacher, ottoline):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("consent.migrations.0006_planned_post_first_name_shown")

    def old_post(purpose, caption):
        post = PlannedPost.objects.create(
            school=school, purpose_code=purpose, purpose_label=purpose, caption=caption, planned_by=teacher
        )
        post.pupils.add(ottoline)
        return post

    as_place = old_post("first_name", "Our painters")
    naming = old_post("website", "Well done, ottoline!")
    plain = old_post("website", "Our painters")

    migration.forwards(apps, None)

    shown = dict(PlannedPost.objects.values_list("pk", "first_name_shown"))
    assert shown == {as_place.pk: True, naming.pk: True, plain.pk: False}
