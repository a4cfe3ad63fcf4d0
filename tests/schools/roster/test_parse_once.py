"""A file is parsed once, at upload: the dry run on the page and the import read the
rows kept with the import record (RosterImport.parsed), not the file again. The
parses are counted by wrapping the standard library's csv.reader, which
schools.roster.files.rows calls once per parse."""

import csv

import pytest

from schools.models import Pupil, RosterImport
from schools.roster import services as roster
from tests.factories import PupilFactory

from .exports import autumn_pupils, pupil, sims_pupils
from .helpers import check, csv_upload, everything


@pytest.fixture
def csv_parses(monkeypatch):
    """How many times a CSV reader was made (each is one parse of a file)."""
    made = []
    real_reader = csv.reader

    def counting_reader(*args, **kwargs):
        made.append(1)
        return real_reader(*args, **kwargs)

    monkeypatch.setattr(csv, "reader", counting_reader)
    return made


def test_upload_dry_run_page_and_import_parse_the_file_once(client_for, school, office, csv_parses):
    browser = client_for(office)

    uploaded = browser.post(
        f"/s/{school.slug}/import/", {"kind": "pupils", "file": csv_upload(sims_pupils(autumn_pupils()), "autumn.csv")}
    )
    assert uploaded.status_code == 302
    assert len(csv_parses) == 1
    page = browser.get(uploaded["Location"])
    assert page.status_code == 200 and "Isla Patel" in page.content.decode()
    page = browser.get(uploaded["Location"])  # looked at twice
    roster_import = RosterImport.objects.get(file_name="autumn.csv")
    applied = browser.post(f"/s/{school.slug}/import/{roster_import.pk}/apply/", {})

    assert applied.status_code == 302
    assert len(csv_parses) == 1  # the upload's, and no other
    assert sorted(Pupil.objects.filter(school=school).values_list("first_name", flat=True)) == sorted(
        p["first_name"] for p in autumn_pupils()
    )
    roster_import.refresh_from_db()
    assert roster_import.status == RosterImport.Status.APPLIED
    assert roster_import.content == "" and roster_import.parsed == {}  # nothing of the names is kept


def test_the_rows_kept_are_the_rows_parsed(school, office):
    content = sims_pupils([*autumn_pupils(), pupil(9, "Zoë", 'O"Brien, "Jr"', "2", "Beech")])
    roster_import = check(school, "pupils", content, by=office)
    kept_run = roster.dry_run(roster_import)

    RosterImport.objects.filter(pk=roster_import.pk).update(parsed={})  # as an import checked before parsing once
    roster_import.refresh_from_db()
    parsed_run = roster.dry_run(roster_import)

    assert kept_run.headings == parsed_run.headings
    assert [(e.line, e.name, e.values) for e in kept_run.plan.adds] == [
        (e.line, e.name, e.values) for e in parsed_run.plan.adds
    ]
    assert [(p.line, p.message) for p in kept_run.plan.problems] == [
        (p.line, p.message) for p in parsed_run.plan.problems
    ]


def test_rows_kept_for_other_text_are_not_used(school, office, csv_parses):
    """The kept rows carry the hash of the text they came from: if the text is not that
    text, the file is parsed again rather than trusting rows of another file."""
    roster_import = check(school, "pupils", sims_pupils(autumn_pupils()), by=office)
    other = check(school, "pupils", sims_pupils(autumn_pupils()[:1]), by=office)
    RosterImport.objects.filter(pk=roster_import.pk).update(parsed=other.parsed)
    roster_import.refresh_from_db()
    parses = len(csv_parses)

    run = roster.dry_run(roster_import)

    assert len(csv_parses) == parses + 1
    assert len(run.plan.adds) == len(autumn_pupils())


def test_a_failed_import_changes_nothing_and_keeps_its_rows(school, office, settings):
    roster_import = check(school, "pupils", sims_pupils(autumn_pupils()), by=office)
    PupilFactory.create_batch(3, school=school)
    settings.ROSTER_LEAVING_WARNING_SHARE = 0.10  # 3 leavers of 3: refused without the tick
    before = everything()

    with pytest.raises(Exception, match="Tick"):
        roster.apply_import(roster_import=roster_import, by=office)

    assert everything() == before
    roster_import.refresh_from_db()
    assert roster_import.parsed["rows"] and roster_import.status == RosterImport.Status.CHECKED
