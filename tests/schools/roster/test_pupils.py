"""Applying a pupils file, the same file again, and next term's file."""

import datetime

import pytest
from django.utils import timezone

from schools.models import Pupil, SchoolClass, YearGroup

from .exports import EXPORTERS, arbor_pupils, autumn_pupils, pupil, sims_pupils, upn
from .helpers import check, import_file, snapshot


def on_roll(school):
    """Each pupil on roll as (name, year group code, class name)."""
    return sorted(
        (p.full_name, p.year_group.code, p.school_class.name if p.school_class else "")
        for p in Pupil.objects.current().filter(school=school).select_related("year_group", "school_class")
    )


def class_years(school):
    return dict(SchoolClass.objects.filter(school=school).values_list("name", "year_group__code"))


@pytest.mark.parametrize("system", ["sims", "arbor"])
def test_applying_a_pupils_file_adds_every_pupil_with_their_year_group_and_class(school, office, system):
    plan = import_file(school, "pupils", EXPORTERS[system]["pupils"](autumn_pupils()), by=office)

    assert plan.counts == {"added": 4, "updated": 0, "unchanged": 0, "left": 0, "skipped": 0}
    assert on_roll(school) == [
        ("Isla Patel", "4", "Rowan"),
        ("Oliver Brown", "4", "Rowan"),
        ("Siobhán O'Connor", "3", "Hazel"),
        ("Zoë Adeyemi", "3", "Hazel"),
    ]
    zoe = Pupil.objects.get(school=school, upn=upn(1))
    assert (zoe.mis_id, zoe.date_of_birth, zoe.admission_date) == (
        "1001",
        datetime.date(2016, 3, 2),
        datetime.date(2023, 9, 4),
    )
    assert class_years(school) == {"Hazel": "3", "Rowan": "4"}
    assert sorted(YearGroup.objects.filter(school=school).values_list("code", "key_stage")) == [
        ("3", "ks2"),
        ("4", "ks2"),
    ]


@pytest.mark.parametrize("system", ["sims", "arbor"])
def test_importing_the_same_pupils_file_again_changes_nothing(school, office, system):
    export = EXPORTERS[system]["pupils"](autumn_pupils())
    import_file(school, "pupils", export, by=office)
    before = snapshot()

    plan = import_file(school, "pupils", export, by=office)

    assert plan.counts == {"added": 0, "updated": 0, "unchanged": 4, "left": 0, "skipped": 0}
    assert snapshot() == before


def test_the_same_pupils_exported_by_another_system_are_not_duplicated(school, office):
    import_file(school, "pupils", sims_pupils(autumn_pupils()), by=office)
    before = snapshot()

    plan = import_file(school, "pupils", arbor_pupils(autumn_pupils()), by=office)

    assert plan.counts["added"] == plan.counts["updated"] == plan.counts["left"] == 0
    assert snapshot() == before


def test_next_terms_file_moves_pupils_up_adds_joiners_and_marks_leavers_keeping_their_records(school, office):
    import_file(school, "pupils", sims_pupils(autumn_pupils()), by=office)
    september = [
        pupil(1, "Zoë", "Adeyemi", "4", "Hazel"),
        pupil(2, "Siobhán", "O'Connor", "4", "Hazel"),
        pupil(3, "Oliver", "Brown", "5", "Ash"),
        pupil(5, "Maya", "Kowalski", "R", "Acorn"),
    ]

    plan = import_file(school, "pupils", arbor_pupils(september), by=office)

    assert plan.counts == {"added": 1, "updated": 3, "unchanged": 0, "left": 1, "skipped": 0}
    assert on_roll(school) == [
        ("Maya Kowalski", "R", "Acorn"),
        ("Oliver Brown", "5", "Ash"),
        ("Siobhán O'Connor", "4", "Hazel"),
        ("Zoë Adeyemi", "4", "Hazel"),
    ]
    assert class_years(school) == {"Hazel": "4", "Ash": "5", "Acorn": "R", "Rowan": "4"}
    isla = Pupil.objects.get(school=school, upn=upn(4))
    assert isla.leaving_date == timezone.localdate()
    assert (isla.first_name, isla.year_group.code, isla.school_class.name) == ("Isla", "4", "Rowan")
    assert Pupil.objects.filter(school=school).count() == 5


def test_a_class_takes_the_year_group_most_of_its_pupils_are_in(school, office):
    import_file(school, "pupils", sims_pupils(autumn_pupils()), by=office)
    # Hazel becomes a mixed-age class: its two Year 3 pupils stay as they were and
    # one Year 4 pupil moves over from Rowan. Only Oliver's row changes anything.
    spring = [
        pupil(1, "Zoë", "Adeyemi", "3", "Hazel"),
        pupil(2, "Siobhán", "O'Connor", "3", "Hazel"),
        pupil(3, "Oliver", "Brown", "4", "Hazel"),
        pupil(4, "Isla", "Patel", "4", "Rowan"),
    ]

    plan = import_file(school, "pupils", sims_pupils(spring), by=office)

    assert [e.name for e in plan.updates] == ["Oliver Brown"]

    assert class_years(school) == {"Hazel": "3", "Rowan": "4"}
    assert Pupil.objects.get(upn=upn(3)).year_group.code == "4"


def test_a_class_whose_pupils_all_move_up_moves_up_with_them(school, office):
    import_file(school, "pupils", sims_pupils(autumn_pupils()), by=office)
    moved_up = [{**p, "year": str(int(p["year"]) + 1)} for p in autumn_pupils()]

    import_file(school, "pupils", sims_pupils(moved_up), by=office)

    assert class_years(school) == {"Hazel": "4", "Rowan": "5"}
    assert SchoolClass.objects.filter(school=school).count() == 2


def test_a_file_without_a_class_column_leaves_pupils_in_their_classes(school, office):
    import_file(school, "pupils", sims_pupils(autumn_pupils()), by=office)
    no_classes = [{k: v for k, v in p.items() if k != "class_name"} for p in autumn_pupils()]
    no_classes[0]["last_name"] = "Adeyemi-Hart"
    export = sims_pupils(no_classes).replace(b",Reg Group", b"").replace(b",\r\n", b"\r\n")

    plan = import_file(school, "pupils", export, by=office)

    assert [[(c.label, c.new) for c in e.changes] for e in plan.updates] == [[("Surname", "Adeyemi-Hart")]]
    assert on_roll(school)[-1] == ("Zoë Adeyemi-Hart", "3", "Hazel")


def test_pupils_are_matched_by_upn_and_two_pupils_with_the_same_name_stay_two(school, office):
    import_file(school, "pupils", sims_pupils(autumn_pupils()), by=office)
    namesake = pupil(5, "Oliver", "Brown", "4", "Rowan")

    plan = import_file(school, "pupils", sims_pupils([*autumn_pupils(), namesake]), by=office)

    assert [e.name for e in plan.adds] == ["Oliver Brown"]
    assert plan.counts["unchanged"] == 4
    assert sorted(
        Pupil.objects.filter(school=school, first_name="Oliver", last_name="Brown").values_list("upn", "mis_id")
    ) == [
        (upn(3), "1003"),
        (upn(5), "1005"),
    ]


def test_a_pupil_is_matched_by_mis_id_when_the_file_has_no_upn_or_a_corrected_one(school, office):
    import_file(school, "pupils", sims_pupils(autumn_pupils()), by=office)
    records = autumn_pupils()
    records[0]["upn"] = ""  # no UPN yet in this export
    records[1]["upn"] = upn(22)  # the UPN was wrong and has been corrected

    plan = import_file(school, "pupils", sims_pupils(records), by=office)

    assert plan.adds == [] and plan.leavers == []
    assert [(e.name, [(c.label, c.old, c.new) for c in e.changes]) for e in plan.updates] == [
        ("Siobhán O'Connor", [("UPN", upn(2), upn(22))])
    ]
    assert Pupil.objects.get(mis_id="1001").upn == upn(1)
    assert Pupil.objects.get(mis_id="1002").upn == upn(22)
    assert Pupil.objects.filter(school=school).count() == 4


def test_the_same_upn_at_another_school_is_another_pupil(school, sister_school, office):
    import_file(school, "pupils", sims_pupils(autumn_pupils()), by=office)
    sister_office = make_office(sister_school)

    plan = import_file(sister_school, "pupils", sims_pupils(autumn_pupils()[:1]), by=sister_office)

    assert [e.name for e in plan.adds] == ["Zoë Adeyemi"]
    assert plan.leavers == []
    assert Pupil.objects.filter(upn=upn(1)).count() == 2
    assert Pupil.objects.get(school=school, upn=upn(1)).leaving_date is None


def test_a_pupil_who_left_and_is_back_in_the_file_returns_to_the_roll(school, office):
    import_file(school, "pupils", sims_pupils(autumn_pupils()), by=office)
    import_file(school, "pupils", sims_pupils(autumn_pupils()[:3]), by=office)
    assert Pupil.objects.get(upn=upn(4)).leaving_date == timezone.localdate()

    plan = import_file(school, "pupils", sims_pupils(autumn_pupils()), by=office)

    assert [(e.name, [c.label for c in e.changes]) for e in plan.updates] == [("Isla Patel", ["Back on roll"])]
    assert Pupil.objects.get(upn=upn(4)).leaving_date is None


def test_a_pupil_who_left_before_is_not_counted_as_leaving_again(school, office):
    import_file(school, "pupils", sims_pupils(autumn_pupils()), by=office)
    import_file(school, "pupils", sims_pupils(autumn_pupils()[:3]), by=office)

    plan = check_and_plan(school, sims_pupils(autumn_pupils()[:3]), office)

    assert plan.leavers == []


def test_rows_with_problems_are_skipped_and_the_rest_applied(school, office):
    records = [*autumn_pupils(), pupil(5, "Maya", "Kowalski", "Year 14", "Acorn")]

    plan = import_file(school, "pupils", sims_pupils(records), by=office)

    assert plan.counts["added"] == 4 and plan.counts["skipped"] == 1
    assert not Pupil.objects.filter(last_name="Kowalski").exists()


def make_office(school):
    from core.roles import Role
    from tests.conftest import make_member

    return make_member(school, Role.OFFICE)


def check_and_plan(school, export, by):
    from schools.roster import services as roster

    return roster.dry_run(check(school, "pupils", export, by=by)).plan


def test_a_mis_id_that_belongs_to_another_pupil_is_a_problem_row_not_a_crash(school, office):
    from schools.roster import services as roster
    from tests.factories import PupilFactory

    from .helpers import check

    ada = PupilFactory(school=school, upn="H111111111111", mis_id="501", first_name="Ada", last_name="Lane")
    PupilFactory(school=school, upn="H222222222222", mis_id="502", first_name="Ben", last_name="Hart")
    # Ada's row carries Ben's admission number.
    export = f"Adno,UPN,Legal Surname,Legal Forename,Year\n502,{ada.upn},Lane,Ada,4\n"
    roster_import = check(school, "pupils", export.encode(), by=office)

    plan = roster.dry_run(roster_import).plan

    assert [(p.line, p.who) for p in plan.problems] == [(2, "Ada Lane")]
    assert "belongs to Ben Hart" in plan.problems[0].message
    roster.apply_import(roster_import=roster_import, by=office)  # no IntegrityError
    roster_import.refresh_from_db()
    assert roster_import.problems == [{"line": 2, "who": "Ada Lane", "message": plan.problems[0].message}]
