"""The import history (who, when, the file's SHA-256, what it did, the rows left out)
and, on the upload page, a sample file for each kind and the headings the portal
recognises, made from the importer's own column definitions."""

import csv
import hashlib
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.roles import Role
from schools.models import Pupil, RosterImport
from schools.roster import columns, samples
from tests.conftest import make_member

from .exports import autumn_pupils, pupil, sims_pupils
from .helpers import check, import_file, text


def sample_of(client, school, kind) -> str:
    response = client.get(reverse("schools:import_sample", args=[school.slug]), {"kind": kind})
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="sample-{kind}.csv"'
    return response.content.decode("utf-8-sig")


@pytest.mark.parametrize("kind", list(columns.FIELDS))
def test_each_sample_files_headings_are_all_recognised_by_the_import(kind, school, office, client_for):
    headings = next(csv.reader(io.StringIO(sample_of(client_for(office), school, kind))))

    matched = columns.match(kind, headings)

    assert matched.unknown == [] and matched.missing == []
    assert set(matched.columns) == {f.name for f in columns.FIELDS[kind]}


def test_the_sample_files_import_without_a_problem(school, office, client_for):
    client = client_for(office)
    for kind in ("pupils", "contacts", "staff"):  # contacts name the sample pupil
        content = sample_of(client, school, kind).encode()
        plan = import_file(school, kind, content, by=office, name=f"sample-{kind}.csv")
        assert plan.problems == [] and len(plan.adds) == 1, kind
    assert Pupil.objects.get(school=school).guardianships.get().carer.email == "jo.example@example.org"


def test_the_upload_page_lists_every_recognised_heading_from_the_column_definitions(school, office, client_for):
    page = client_for(office).get(reverse("schools:import_home", args=[school.slug]))

    words = text(page)
    for kind, name in samples.kinds():
        assert f"Sample {name.lower()} file" in words
        assert reverse("schools:import_sample", args=[school.slug]) + f"?kind={kind}" in page.content.decode()
        for field in columns.FIELDS[kind]:
            for alias in field.aliases:
                assert alias in words, (kind, alias)
    assert "UPN Required, or MIS id" in words
    assert "Surname Required" in words


def test_the_history_shows_who_when_the_files_hash_counts_and_problems(school, office, client_for):
    content = sims_pupils([*autumn_pupils(), pupil(9, "", "Nameless", "3", "Hazel")])
    import_file(school, "pupils", content, by=office, name="autumn.csv")
    check(school, "pupils", sims_pupils(autumn_pupils()[:2]), by=office, name="not yet.csv")

    page = client_for(office).get(reverse("schools:import_history", args=[school.slug]))

    words = text(page)
    assert page.status_code == 200
    assert "autumn.csv" in words and "not yet.csv" in words
    assert hashlib.sha256(content).hexdigest() in words
    assert f"by {office.full_name}" in words
    assert "4 added, 0 updated, 0 marked as left" in words
    assert "1 row with problems" in words and "The first name is missing." in words
    assert "Not imported" in words


def test_the_upload_page_links_to_the_history(school, office, client_for):
    import_file(school, "pupils", sims_pupils(autumn_pupils()), by=office)
    page = client_for(office).get(reverse("schools:import_home", args=[school.slug]))
    assert reverse("schools:import_history", args=[school.slug]) in page.content.decode()


def test_the_history_takes_the_same_number_of_queries_for_many_imports(school, office, client_for):
    client = client_for(office)
    url = reverse("schools:import_history", args=[school.slug])

    def add(n):
        RosterImport.objects.bulk_create(
            RosterImport(school=school, kind="pupils", file_name=f"f{i}.csv", file_sha256="0" * 64, uploaded_by=office)
            for i in range(n)
        )

    add(2)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    add(60)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_history_and_samples_are_only_for_those_who_import(school, client_for):
    teacher = make_member(school, Role.TEACHER)
    client = client_for(teacher)
    assert client.get(reverse("schools:import_history", args=[school.slug])).status_code == 404
    assert client.get(reverse("schools:import_sample", args=[school.slug]), {"kind": "pupils"}).status_code == 404


def test_a_sample_of_an_unknown_kind_is_not_found(school, office, client_for):
    url = reverse("schools:import_sample", args=[school.slug])
    assert client_for(office).get(url, {"kind": "governors"}).status_code == 404
