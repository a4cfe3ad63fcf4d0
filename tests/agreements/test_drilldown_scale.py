"""The drill-down of a form at the scale of a whole school (issue 19): the people who
have not signed and those who have are paged with counts and the filters kept, the CSV
is streamed, the printed list is made by the worker with its progress, and no query
carries a list of ids that grows with the school."""

import csv
import io

import pytest
from django.db import connection
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from agreements import dashboard as dashboard_views
from agreements import drilldown, outstanding_pdf
from aup.models import Audience
from core.models import AuditEvent, PreparedFile
from core.roles import Role
from core.templatetags.pager import page_numbers
from tests.conftest import make_member
from tests.factories import GuardianshipFactory, PupilFactory, SchoolClassFactory, year_group

from .pdf_helpers import pdf_text
from .test_compliance_audiences import _sign, publish_forms

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_pages(monkeypatch):
    """Pages of 5, so a few pupils make several pages."""
    monkeypatch.setattr(dashboard_views, "PAGE_SIZE", 5)


@pytest.fixture
def prepared_media(settings, tmp_path, monkeypatch):
    from django.core.files.storage import FileSystemStorage

    settings.PRIVATE_MEDIA_ROOT = tmp_path
    monkeypatch.setattr(PreparedFile._meta.get_field("file"), "storage", FileSystemStorage(location=tmp_path))


def add_pupils(school, form, n, *, school_class=None, signed_every=0, start=0):
    """`n` pupils named Pupil000, Pupil001... in one class, each with a mother with
    parental responsibility; every `signed_every`th signed for on the parents' form."""
    school_class = school_class or SchoolClassFactory(school=school, name="Willow", year_group=year_group(school, "3"))
    pupils = []
    for i in range(start, start + n):
        pupil = PupilFactory(school=school, school_class=school_class, first_name="Sam", last_name=f"Pupil{i:03d}")
        carer = GuardianshipFactory(pupil=pupil, relationship="mother").carer
        if signed_every and i % signed_every == 0:
            _sign(form, pupil=pupil, signer=carer)
        pupils.append(pupil)
    return pupils


def names(rows):
    return [row.pupil.last_name for row in rows]


def url_of(school, form, query=""):
    return reverse("agreements:compliance_form", args=[school.slug, form.pk]) + query


def largest_params(captured) -> int:
    """How many values the largest query sent: an IN list of ids shows up here."""
    return max(len(q["sql"].split("%s")) - 1 + q["sql"].count("?") for q in captured)


def _queries(client, url):
    client.get(url)  # warm: session, caches
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
        if isinstance(response, StreamingHttpResponse):
            b"".join(response.streaming_content)
    assert response.status_code == 200
    return captured


# --- Paged, with counts -----------------------------------------------------------------


def test_page_two_of_the_outstanding_list_shows_the_next_pupils_with_the_counts(client_for, school, head, small_pages):
    form = publish_forms(school, head, (Audience.PARENTS,))[Audience.PARENTS]
    add_pupils(school, form, 14, signed_every=7)  # Pupil000 and Pupil007 signed for
    client = client_for(head)

    first = client.get(url_of(school, form))
    assert [r.pupil.last_name for r in first.context["outstanding"]] == [
        "Pupil001",
        "Pupil002",
        "Pupil003",
        "Pupil004",
        "Pupil005",
    ]
    assert first.context["outstanding_count"] == 12
    assert first.context["signed_count"] == 2
    page = first.content.decode()
    assert "2 signed, 12 outstanding." in page
    assert "Not signed yet (12)" in page
    assert "Showing 1 to 5 of 12" in page
    assert 'href="?page=2"' in page

    second = client.get(url_of(school, form, "?page=2"))
    assert names(second.context["outstanding"]) == ["Pupil006", "Pupil008", "Pupil009", "Pupil010", "Pupil011"]
    assert "Showing 6 to 10 of 12" in second.content.decode()
    third = client.get(url_of(school, form, "?page=3"))
    assert names(third.context["outstanding"]) == ["Pupil012", "Pupil013"]
    # The signed list is paged on its own and stays on its first page.
    assert names(third.context["signed"]) == ["Pupil000", "Pupil007"]


def test_the_pages_keep_the_class_filter_and_the_other_lists_page(client_for, school, head, small_pages):
    form = publish_forms(school, head, (Audience.PARENTS,))[Audience.PARENTS]
    oak = SchoolClassFactory(school=school, name="Oak", year_group=year_group(school, "3"))
    ash = SchoolClassFactory(school=school, name="Ash", year_group=year_group(school, "4"))
    add_pupils(school, form, 12, school_class=oak, signed_every=2)
    add_pupils(school, form, 9, school_class=ash, start=50)
    client = client_for(head)

    response = client.get(url_of(school, form, f"?class={oak.pk}&page=2"))
    page = response.content.decode()
    assert response.context["outstanding_count"] == 6  # Oak only: Ash's 9 are not counted
    assert response.context["signed_count"] == 6
    assert names(response.context["outstanding"]) == ["Pupil011"]
    assert "Showing 6 to 6 of 6" in page  # not signed yet, page 2
    assert "Showing 1 to 5 of 6" in page  # signed, page 1
    # Previous keeps the class; the signed list's Next keeps the class and this page.
    assert f'href="?class={oak.pk}"' in page
    assert f'href="?class={oak.pk}&amp;page=2&amp;signed_page=2"' in page

    signed_two = client.get(url_of(school, form, f"?class={oak.pk}&page=2&signed_page=2"))
    assert names(signed_two.context["signed"]) == ["Pupil010"]
    assert names(signed_two.context["outstanding"]) == ["Pupil011"]


def test_a_page_number_past_the_end_shows_the_last_page(client_for, school, head, small_pages):
    form = publish_forms(school, head, (Audience.PARENTS,))[Audience.PARENTS]
    add_pupils(school, form, 7)
    response = client_for(head).get(url_of(school, form, "?page=99"))
    assert response.status_code == 200
    assert names(response.context["outstanding"]) == ["Pupil005", "Pupil006"]


def test_the_staff_list_is_paged_too(client_for, school, head, small_pages):
    form = publish_forms(school, head, (Audience.STAFF,))[Audience.STAFF]
    for i in range(6):
        make_member(school, Role.TEACHER, staff_type="teaching", user__last_name=f"Teacher{i}")
    response = client_for(head).get(url_of(school, form))
    assert response.context["outstanding_count"] == 7  # and the head
    assert len(response.context["outstanding"]) == 5
    assert "Showing 1 to 5 of 7" in response.content.decode()


@pytest.mark.parametrize(
    ("current", "last", "expected"),
    [
        (1, 1, [1]),
        (1, 3, [1, 2, 3]),
        (1, 40, [1, 2, None, 40]),
        (5, 40, [1, None, 4, 5, 6, None, 40]),
        (40, 40, [1, None, 39, 40]),
        (3, 40, [1, 2, 3, 4, None, 40]),
    ],
)
def test_the_pager_links_the_first_last_and_nearby_pages(current, last, expected):
    assert page_numbers(current, last) == expected


# --- Tenancy and roles are as before ---------------------------------------------------


@pytest.mark.parametrize("who", ["teacher", "parent", "outsider"])
def test_the_wrong_people_cannot_open_the_paged_list_or_print_it(client_for, school, head, who, request, other_school):
    form = publish_forms(school, head, (Audience.PARENTS,))[Audience.PARENTS]
    add_pupils(school, form, 3)
    person = make_member(other_school, Role.HEADTEACHER) if who == "outsider" else request.getfixturevalue(who)
    client = client_for(person)
    assert client.get(url_of(school, form, "?page=2")).status_code == 404
    print_url = reverse("agreements:compliance_print", args=[school.slug, form.pk])
    assert client.post(print_url).status_code == 404
    assert not PreparedFile.objects.exists()


# --- No list of ids that grows with the school -----------------------------------------


@pytest.mark.parametrize("audience", [Audience.PARENTS, Audience.KS2])
def test_the_paged_list_sends_the_same_queries_and_values_for_12_or_36_pupils(
    client_for, school, head, small_pages, audience, teacher
):
    forms = publish_forms(school, head, (Audience.PARENTS, Audience.KS2))
    form = forms[audience]
    oak = SchoolClassFactory(school=school, name="Oak", year_group=year_group(school, "3"))
    add_pupils(school, forms[Audience.PARENTS], 12, school_class=oak, signed_every=3)
    client = client_for(head)
    small = _queries(client, url_of(school, form))
    add_pupils(school, forms[Audience.PARENTS], 24, school_class=oak, signed_every=3, start=12)
    big = _queries(client, url_of(school, form))
    assert len(big) == len(small)
    assert largest_params(big) == largest_params(small)


def test_the_csv_sends_no_list_of_ids_longer_than_a_chunk(client_for, school, head, monkeypatch):
    monkeypatch.setattr(drilldown, "CHUNK_SIZE", 4)
    form = publish_forms(school, head, (Audience.PARENTS,))[Audience.PARENTS]
    oak = SchoolClassFactory(school=school, name="Oak", year_group=year_group(school, "3"))
    add_pupils(school, form, 10, school_class=oak, signed_every=3)
    client = client_for(head)
    url = reverse("agreements:compliance_csv", args=[school.slug, form.pk])
    small = _queries(client, url)
    add_pupils(school, form, 30, school_class=oak, signed_every=3, start=10)
    big = _queries(client, url)
    assert largest_params(big) == largest_params(small)


def test_remind_now_reads_the_outstanding_in_chunks(school, head, monkeypatch):
    monkeypatch.setattr(drilldown, "CHUNK_SIZE", 4)
    form = publish_forms(school, head, (Audience.PARENTS,))[Audience.PARENTS]
    oak = SchoolClassFactory(school=school, name="Oak", year_group=year_group(school, "3"))
    add_pupils(school, form, 10, school_class=oak, signed_every=2)
    with CaptureQueriesContext(connection) as small:
        assert len(drilldown.remind_recipients(form)) == 5
    add_pupils(school, form, 30, school_class=oak, signed_every=2, start=10)
    with CaptureQueriesContext(connection) as big:
        assert len(drilldown.remind_recipients(form)) == 20
    assert largest_params(big) == largest_params(small)


# --- The CSV, streamed -----------------------------------------------------------------


def test_the_csv_is_streamed_and_lists_every_pupil_across_chunks(client_for, school, head, monkeypatch):
    monkeypatch.setattr(drilldown, "CHUNK_SIZE", 4)
    form = publish_forms(school, head, (Audience.PARENTS,))[Audience.PARENTS]
    add_pupils(school, form, 11, signed_every=5)
    response = client_for(head).get(reverse("agreements:compliance_csv", args=[school.slug, form.pk]))
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Cache-Control"] == "private, no-store"
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:5] == ["Pupil last name", "Pupil first name", "Year group", "Class", "Status"]
    assert [r[0] for r in rows[1:]] == [f"Pupil{i:03d}" for i in range(11)]
    assert [r[4] for r in rows[1:]].count("Signed") == 3  # 0, 5 and 10
    signed, waiting = rows[1], rows[2]
    assert signed[4] == "Signed" and signed[5].endswith("> (signed)") and signed[6] and signed[7]
    assert waiting[4] == "Outstanding" and "@" in waiting[5] and "(signed)" not in waiting[5]
    assert (waiting[6], waiting[7]) == ("", "")
    assert AuditEvent.objects.filter(action="agreement.compliance_downloaded").count() == 1


# --- The printed list, made by the worker ----------------------------------------------


def _print(client, school, form, query="", data=None, capture=None):
    url = reverse("agreements:compliance_print", args=[school.slug, form.pk])
    with capture(execute=True):
        response = client.post(url, data or {})
    assert response.status_code == 302
    return response["Location"]


@pytest.mark.usefixtures("prepared_media")
def test_the_printed_list_of_who_has_not_signed_is_made_in_parts_and_downloaded(
    client_for, school, head, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(outstanding_pdf, "PART_SIZE", 3)
    form = publish_forms(school, head, (Audience.PARENTS,))[Audience.PARENTS]
    add_pupils(school, form, 8, signed_every=4)  # 0 and 4 signed: 6 outstanding
    client = client_for(head)
    page = client.get(url_of(school, form)).content.decode()
    assert "Print this list (PDF)" in page

    progress_url = _print(client, school, form, capture=django_capture_on_commit_callbacks)
    prepared = PreparedFile.objects.get()
    assert (prepared.status, prepared.done, prepared.total) == ("ready", 6, 6)
    assert prepared.requested_by == head and prepared.school == school
    progress = client.get(progress_url).content.decode()
    assert "Not signed yet: " in progress
    assert "It is ready: 6 rows." in progress
    download_url = reverse("agreements:compliance_printed", args=[school.slug, prepared.pk])
    assert download_url in progress

    response = client.get(download_url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    data = b"".join(response.streaming_content)
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 2  # two parts of three rows, joined
    text = pdf_text(data)
    for i in (1, 2, 3, 5, 6, 7):
        assert f"Pupil{i:03d}, Sam" in text
    assert "Pupil000" not in text and "Pupil004" not in text
    assert "Rows 4 to 6 of 6" in text
    assert school.name in text
    assert AuditEvent.objects.filter(
        action="agreement.compliance_downloaded", summary="List of who has not signed downloaded as PDF"
    ).exists()


@pytest.mark.usefixtures("prepared_media")
def test_the_printed_list_follows_the_class_filter(client_for, school, head, django_capture_on_commit_callbacks):
    form = publish_forms(school, head, (Audience.PARENTS,))[Audience.PARENTS]
    oak = SchoolClassFactory(school=school, name="Oak", year_group=year_group(school, "3"))
    ash = SchoolClassFactory(school=school, name="Ash", year_group=year_group(school, "4"))
    add_pupils(school, form, 2, school_class=oak)
    add_pupils(school, form, 2, school_class=ash, start=10)
    client = client_for(head)
    _print(client, school, form, data={"class": ash.pk}, capture=django_capture_on_commit_callbacks)
    prepared = PreparedFile.objects.get()
    assert prepared.title == f"Not signed yet in class Ash: {form.title}"
    text = pdf_text(
        b"".join(client.get(f"/s/{school.slug}/compliance/prints/{prepared.pk}/file.pdf").streaming_content)
    )
    assert "Pupil010" in text and "Pupil011" in text
    assert "Pupil000" not in text


@pytest.mark.usefixtures("prepared_media")
def test_only_the_person_who_asked_sees_the_progress_or_downloads_the_file(
    client_for, school, head, other_school, django_capture_on_commit_callbacks
):
    form = publish_forms(school, head, (Audience.PARENTS,))[Audience.PARENTS]
    add_pupils(school, form, 2)
    _print(client_for(head), school, form, capture=django_capture_on_commit_callbacks)
    prepared = PreparedFile.objects.get()
    deputy = make_member(school, Role.DEPUTY)  # may see the dashboard, did not ask
    outsider = make_member(other_school, Role.HEADTEACHER)
    for person, slug in [(deputy, school.slug), (outsider, school.slug), (outsider, other_school.slug)]:
        client = client_for(person)
        assert client.get(f"/s/{slug}/compliance/prints/{prepared.pk}/").status_code == 404
        assert client.get(f"/s/{slug}/compliance/prints/{prepared.pk}/file.pdf").status_code == 404


@pytest.mark.usefixtures("prepared_media")
def test_the_progress_page_counts_while_the_file_is_being_made(client_for, school, head):
    form = publish_forms(school, head, (Audience.PARENTS,))[Audience.PARENTS]
    prepared = PreparedFile.objects.create(
        school=school,
        requested_by=head,
        kind=outstanding_pdf.KIND,
        title="Not signed yet: parents",
        params={"form_id": form.pk},
        status=PreparedFile.Status.WORKING,
        done=750,
        total=20000,
    )
    client = client_for(head)
    page = client.get(f"/s/{school.slug}/compliance/prints/{prepared.pk}/").content.decode()
    assert "Preparing: 750 of 20,000 rows" in page
    assert '<progress id="prepared-bar" max="20000" value="750">' in page
    assert 'hx-trigger="every 2s"' in page
    # Not ready: nothing to download yet.
    assert client.get(f"/s/{school.slug}/compliance/prints/{prepared.pk}/file.pdf").status_code == 404
