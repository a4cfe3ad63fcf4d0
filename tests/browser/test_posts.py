"""Planned posts in Chromium, on a phone: a teacher plans a post for the school website
with two pupils whose carers agreed (a third, without consent, is refused beside the
field); the head approves it from the queue, seeing the photo and the pupils; the
teacher records where it was published; a parent then withdraws consent for the school
website, and the post appears on "To take down" with that pupil named until it is
marked as taken down. Every page is checked with axe-core and for CSP errors."""

import re
import struct
import zlib

from django.utils import timezone
from playwright.sync_api import expect

from consent.models import PlannedPost, PostStatus
from core.roles import Role

from ..conftest import make_member
from ..consent.helpers import answer, published_form
from ..factories import GuardianshipFactory, PupilFactory

PHONE = {"width": 375, "height": 812}


def no_sideways_scrolling(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


def small_png(path, width=160, height=100):
    """A valid PNG (plain green), written to `path`."""

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = b"".join(b"\x00" + b"\x00\xa0\x40" * width for _ in range(height))
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )
    return path


def test_a_post_is_planned_approved_published_then_taken_down_when_consent_is_withdrawn(
    page, fresh_page, check_page, sign_in_as, school, school_class, settings, tmp_path
):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    head = make_member(school, Role.HEADTEACHER, user__first_name="Bernadette", user__last_name="Okonkwo")
    teacher = make_member(school, Role.TEACHER, user__first_name="Priya", user__last_name="Lindqvist")
    form = published_form(school, head)
    ottilie = PupilFactory(school=school, school_class=school_class, first_name="Ottilie", last_name="Marchbank")
    caspian = PupilFactory(school=school, school_class=school_class, first_name="Caspian", last_name="Threlfall")
    wilhelmina = PupilFactory(school=school, school_class=school_class, first_name="Wilhelmina", last_name="Pargeter")
    rosalind = make_member(school, Role.PARENT, user__first_name="Rosalind", user__last_name="Marchbank")
    declan = make_member(school, Role.PARENT, user__first_name="Declan", user__last_name="Threlfall")
    GuardianshipFactory(pupil=ottilie, carer=rosalind)
    GuardianshipFactory(pupil=caspian, carer=declan)
    answer(rosalind, ottilie, form, "ottilie-1", website=True)
    answer(declan, caspian, form, "caspian-1", website=True)
    photo = small_png(tmp_path / "bulbs.png")
    caption = "Year 3 planting spring bulbs in the school garden."

    # The teacher, on her phone, plans the post.
    page.set_viewport_size(PHONE)
    sign_in_as(page, teacher)
    page.goto(f"/s/{school.slug}/consent/")
    page.get_by_role("link", name="Posts", exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Posts")
    no_sideways_scrolling(page)
    check_page(page, "post log empty")
    page.get_by_role("link", name="Plan a post").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Plan a post")
    no_sideways_scrolling(page)
    check_page(page, "plan before choosing")

    pick = page.locator("form[method=get]")
    pick.get_by_label("Pupils from").select_option(label=school_class.name)
    pick.get_by_label("Where it will be published").select_option(label="The school website")
    page.get_by_role("button", name="Show the pupils").click()
    pupils = page.get_by_role("group", name="Pupils in the photo")
    expect(pupils).to_be_visible()
    rows = {p.first_name: pupils.locator("li").filter(has_text=p.full_name) for p in (ottilie, caspian, wilhelmina)}
    expect(rows["Ottilie"]).to_contain_text("May appear")
    expect(rows["Caspian"]).to_contain_text("May appear")
    expect(rows["Wilhelmina"]).to_contain_text("May NOT appear")
    plan = page.locator("form.post-plan")
    no_sideways_scrolling(page)
    check_page(page, "plan with the pupils")
    expect(plan).to_contain_text("Where it will be published: The school website")

    # Ticking the pupil without consent is refused, with the message beside the field.
    for p in (ottilie, caspian, wilhelmina):
        pupils.get_by_label(p.full_name).check()
    plan.get_by_label("Caption").fill(caption)
    plan.get_by_label("The photo", exact=True).set_input_files(str(photo))
    page.get_by_role("button", name="Check and send to the head").click()
    expect(pupils).to_contain_text("Not allowed to appear for “The school website”: Wilhelmina Pargeter.")
    expect(page.get_by_role("alert")).to_be_visible()
    assert not PlannedPost.objects.exists()
    expect(pupils.get_by_label(ottilie.full_name)).to_be_checked()
    expect(plan.get_by_label("Caption")).to_have_value(caption)
    expect(plan.get_by_text("Choose the photo again")).to_be_visible()
    no_sideways_scrolling(page)
    check_page(page, "plan refused for a pupil without consent")

    pupils.get_by_label(wilhelmina.full_name).uncheck()
    plan.get_by_label("The photo", exact=True).set_input_files(str(photo))  # a file input is not kept
    page.get_by_role("button", name="Check and send to the head").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(caption)
    expect(page.get_by_text("For The school website, planned")).to_be_visible()
    expect(page.get_by_text("Waiting for the head's approval")).to_be_visible()
    post = PlannedPost.objects.get()
    assert post.status == PostStatus.AWAITING
    assert set(post.pupils.all()) == {ottilie, caspian}
    assert post.image and post.image_content_type == "image/png" and post.caption == caption
    no_sideways_scrolling(page)
    check_page(page, "post awaiting approval")

    # The head, on her phone, approves it from the queue.
    head_page = fresh_page()
    head_page.set_viewport_size(PHONE)
    sign_in_as(head_page, head)
    head_page.goto(f"/s/{school.slug}/consent/")
    head_page.get_by_role("link", name="Waiting for approval (1)").click()
    expect(head_page.get_by_role("heading", level=1)).to_have_text("Posts waiting for approval")
    card = head_page.locator("article.post-card")
    expect(card).to_have_count(1)
    expect(card).to_contain_text("Caspian Threlfall, Ottilie Marchbank")
    expect(card).to_contain_text(caption)
    expect(card).to_contain_text("Every pupil in it may appear")
    image = card.get_by_role("img", name=re.compile("^The photo to be published"))
    expect(image).to_be_visible()
    # The photo really loads (served by the tenancy-checked view): wait until it has.
    expect(image).to_have_js_property("complete", True)
    expect(image).to_have_js_property("naturalWidth", 160)
    no_sideways_scrolling(head_page)
    check_page(head_page, "queue")
    card.get_by_role("button", name="Approve").click()
    expect(head_page.get_by_text("Approved. It can now be published")).to_be_visible()
    expect(head_page.get_by_text("Nothing is waiting for approval.")).to_be_visible()
    post.refresh_from_db()
    assert post.status == PostStatus.APPROVED and post.decided_by == head
    check_page(head_page, "queue empty")

    # The teacher records it as published, with the link.
    link = "https://oakfield.example.org/news/spring-bulbs"
    page.reload()
    expect(page.get_by_text("Approved", exact=True)).to_be_visible()
    page.get_by_label("Where it was published").fill(link)
    page.get_by_role("button", name="Record as published").click()
    expect(page.get_by_text("Recorded as published.")).to_be_visible()
    expect(page.get_by_role("link", name=link)).to_be_visible()
    post.refresh_from_db()
    assert post.status == PostStatus.PUBLISHED and post.published_where == link and post.published_by == teacher
    no_sideways_scrolling(page)
    check_page(page, "post published")

    # The log names the post by its caption and the day it was planned.
    page.get_by_role("link", name="Posts", exact=True).first.click()
    planned_on = timezone.localtime(post.planned_at).strftime("%d/%m/%Y")
    expect(page.get_by_role("link", name=f"“{caption}”, planned {planned_on}")).to_be_visible()
    check_page(page, "post log")
    page.go_back()

    # Caspian's father withdraws consent for the school website.
    answer(declan, caspian, form, "caspian-2", website=False)

    # The head opens "To take down": the post, with Caspian named.
    head_page.goto(f"/s/{school.slug}/consent/")
    head_page.get_by_role("link", name="To take down (1)").click()
    expect(head_page.get_by_role("heading", level=1)).to_have_text("Posts to take down")
    withdrawn = head_page.get_by_role("region", name="Posts to take down: consent changed")
    expect(withdrawn.get_by_role("row")).to_have_count(2)  # the header and the post
    expect(withdrawn).to_contain_text("Caspian Threlfall")
    expect(withdrawn).not_to_contain_text("Ottilie")
    expect(withdrawn).to_contain_text(link)
    expect(withdrawn).to_contain_text(caption)
    no_sideways_scrolling(head_page)
    check_page(head_page, "to take down")

    withdrawn.get_by_role("link", name="The school website").click()
    expect(head_page.get_by_role("heading", name="Take this post down")).to_be_visible()
    expect(head_page.get_by_text(re.compile("Caspian Threlfall")).first).to_be_visible()
    no_sideways_scrolling(head_page)
    check_page(head_page, "post to take down")
    head_page.get_by_label("Note (optional)").fill("Removed from the news page by Bernadette.")
    head_page.get_by_role("button", name="Mark as taken down").click()
    expect(head_page.get_by_text("Marked as taken down.")).to_be_visible()
    expect(head_page.get_by_role("heading", level=1)).to_have_text("Posts to take down")
    withdrawn = head_page.get_by_role("region", name="Posts to take down: consent changed")
    expect(withdrawn).to_contain_text("Nothing to take down")
    expect(withdrawn).not_to_contain_text("Caspian")
    post.refresh_from_db()
    assert post.status == PostStatus.TAKEN_DOWN and post.taken_down_by == head
    assert not post.image
    no_sideways_scrolling(head_page)
    check_page(head_page, "to take down empty")
