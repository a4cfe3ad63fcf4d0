"""The dry run: what a file would change, and every row it cannot use with its line
number and reason, shown before anything is written."""

import re

from core.roles import Role
from schools.models import Pupil, RosterImport
from schools.roster import services as roster
from tests.conftest import make_member
from tests.factories import GuardianshipFactory, PupilFactory

from .exports import arbor_contacts, arbor_pupils, autumn_pupils, pupil, sims_contacts, sims_pupils, sims_staff, upn
from .helpers import check, csv_upload, everything, import_file, section


def spring_pupils() -> list[dict]:
    """Next term's file: one pupil changes class, one changes surname, one is as
    before, Isla has left, Maya joins, and four rows cannot be used."""
    return [
        pupil(1, "Zoë", "Adeyemi", "3", "Willow"),  # line 2
        pupil(2, "Siobhán", "O'Connor-Byrne", "3", "Hazel"),  # line 3
        pupil(3, "Oliver", "Brown", "4", "Rowan"),  # line 4
        pupil(5, "Maya", "Kowalski", "R", "Acorn"),  # line 5
        pupil(6, "", "Hughes", "2", "Beech"),  # line 6
        pupil(7, "Ava", "Jones", "2", "Beech", date_of_birth="31/02/2017"),  # line 7
        pupil(8, "Noah", "Clarke", "Year 14", "Beech"),  # line 8
        pupil(9, "Ella", "Wright", "2", "Beech", upn=upn(5)),  # line 9
    ]


def problems_of(plan) -> list[tuple[int, str]]:
    return [(p.line, p.message) for p in plan.problems]


def assert_problems(plan, expected: list[tuple[int, str]]):
    """Each problem is on the expected line and gives the expected reason."""
    found = problems_of(plan)
    assert [line for line, _ in found] == [line for line, _ in expected], found
    for (_, message), (_, reason) in zip(found, expected, strict=True):
        assert reason in message


def test_the_dry_run_shows_adds_updates_with_their_changes_leavers_and_bad_rows(school, office):
    import_file(school, "pupils", sims_pupils(autumn_pupils()), by=office)
    roster_import = check(school, "pupils", arbor_pupils(spring_pupils()), by=office)

    plan = roster.dry_run(roster_import).plan

    assert [(e.line, e.name) for e in plan.adds] == [(5, "Maya Kowalski")]
    assert {e.name: [(c.label, c.old, c.new) for c in e.changes] for e in plan.updates} == {
        "Zoë Adeyemi": [("Class", "Hazel", "Willow")],
        "Siobhán O'Connor-Byrne": [("Surname", "O'Connor", "O'Connor-Byrne")],
    }
    assert plan.unchanged == 1
    assert [d.name for d in plan.leavers] == ["Isla Patel"]
    assert_problems(
        plan,
        [
            (6, "The first name is missing."),
            (7, "Date of birth '31/02/2017' is not a date"),
            (8, "Year group 'Year 14' is not one we know"),
            (9, f"UPN {upn(5)} appears twice in the file (also on line 5)"),
        ],
    )
    assert plan.counts == {"added": 1, "updated": 2, "unchanged": 1, "left": 1, "skipped": 4}


def test_nothing_is_written_by_the_dry_run(school, office):
    import_file(school, "pupils", sims_pupils(autumn_pupils()), by=office)
    roster_import = check(school, "pupils", arbor_pupils(spring_pupils()), by=office)
    before = everything()

    roster.dry_run(roster_import, importer=office)

    assert everything() == before
    assert not Pupil.objects.filter(last_name="Kowalski").exists()
    assert Pupil.objects.get(upn=upn(4)).leaving_date is None


def test_the_office_reads_the_dry_run_on_the_page_and_nothing_is_written(client_for, school, office):
    import_file(school, "pupils", sims_pupils(autumn_pupils()), by=office)
    browser = client_for(office)

    uploaded = browser.post(
        f"/s/{school.slug}/import/",
        {"kind": "pupils", "file": csv_upload(arbor_pupils(spring_pupils()), "Arbor students spring.csv")},
    )
    roster_import = RosterImport.objects.get(file_name="Arbor students spring.csv")
    assert uploaded.status_code == 302
    assert uploaded["Location"] == f"/s/{school.slug}/import/{roster_import.pk}/"
    before = everything()

    page = browser.get(uploaded["Location"])

    assert page.status_code == 200
    assert "Maya Kowalski" in section(page, "adds")
    updates = section(page, "updates")
    assert re.search(r"Zoë Adeyemi .{0,40}Class: Hazel .{0,20}Willow", updates)
    assert re.search(r"Siobhán O'Connor-Byrne .{0,40}Surname: O'Connor .{0,20}O'Connor-Byrne", updates)
    assert "Isla Patel" in section(page, "leavers")
    problems = section(page, "problems")
    for line, reason in [
        (6, "The first name is missing."),
        (7, "Date of birth '31/02/2017' is not a date"),
        (8, "Year group 'Year 14' is not one we know"),
        (9, f"UPN {upn(5)} appears twice in the file (also on line 5)"),
    ]:
        # Line, whose row (as far as it says), then the reason.
        assert re.search(rf" {line} [^0-9]*{re.escape(reason)}", problems), (line, reason)
    assert f'action="/s/{school.slug}/import/{roster_import.pk}/apply/"' in page.content.decode()
    assert everything() == before


def test_a_contacts_dry_run_names_the_line_of_a_bad_email_an_unknown_pupil_and_a_missing_name(school, office):
    import_file(school, "pupils", sims_pupils(autumn_pupils()), by=office)
    contacts = [
        {"upn": upn(1), "first_name": "Grace", "last_name": "Adeyemi", "email": "grace.adeyemi@example.com", "relationship": "Mother", "pr": True},
        {"upn": upn(2), "first_name": "Niamh", "last_name": "O'Connor", "email": "niamh.oconnor@example", "relationship": "Mother", "pr": True},
        {"upn": upn(99), "first_name": "Kate", "last_name": "Lee", "email": "kate.lee@example.com", "relationship": "Mother", "pr": True},
        {"upn": upn(3), "first_name": "Sam", "last_name": "", "email": "sam.brown@example.com", "relationship": "Father", "pr": True},
        {"upn": upn(3), "first_name": "Jo", "last_name": "Brown", "email": "", "relationship": "Mother", "pr": True},
        {"upn": upn(4), "first_name": "Ali", "last_name": "Patel", "email": "ali.patel@example.com", "relationship": "Father", "pr": "Maybe"},
        {"upn": "", "first_name": "Mo", "last_name": "Patel", "email": "mo.patel@example.com", "relationship": "Father", "pr": True},
    ]  # fmt: skip
    roster_import = check(school, "contacts", arbor_contacts(contacts), by=office)
    before = everything()

    plan = roster.dry_run(roster_import).plan

    assert [(e.line, e.name) for e in plan.adds] == [(2, "Grace Adeyemi")]
    assert_problems(
        plan,
        [
            (3, "'niamh.oconnor@example' is not a valid email address."),
            (4, f"No pupil with UPN {upn(99)} at this school. Import pupils first."),
            (5, "The contact's surname is missing."),
            (6, "The email address is missing."),
            (7, "Parental responsibility 'Maybe' should be Yes or No."),
            (8, "The pupil's UPN is missing."),
        ],
    )
    assert everything() == before


def test_a_contact_for_a_pupil_of_another_school_is_an_unknown_pupil(school, other_school, office):
    elsewhere = PupilFactory(school=other_school)
    roster_import = check(
        school,
        "contacts",
        sims_contacts(
            [{"upn": elsewhere.upn, "first_name": "Kim", "last_name": "Ray", "email": "kim@example.com", "pr": True}]
        ),
        by=office,
    )

    plan = roster.dry_run(roster_import).plan

    assert plan.adds == []
    assert problems_of(plan) == [(2, f"No pupil with UPN {elsewhere.upn} at this school. Import pupils first.")]


def test_a_contacts_dry_run_shows_a_changed_relationship_and_a_removed_link(school, office, pupil, parent):
    sibling = PupilFactory(school=school, first_name="Ben", last_name="Khan")
    GuardianshipFactory(pupil=sibling, carer=parent, relationship="mother")
    row = {"upn": pupil.upn, "first_name": parent.first_name, "last_name": parent.last_name, "email": parent.email}

    plan = roster.dry_run(
        check(school, "contacts", sims_contacts([{**row, "relationship": "Foster carer", "pr": False}]), by=office)
    ).plan

    [update] = plan.updates
    assert [(c.label, c.old, c.new) for c in update.changes] == [
        ("Relationship to Amelia Khan", "Mother", "Foster carer"),
        ("Parental responsibility for Amelia Khan", "Yes", "No"),
        ("Cares for Ben Khan", "linked", "link removed"),
    ]


def test_a_staff_dry_run_refuses_leadership_and_office_roles_and_bad_emails(school, office):
    staff = [
        {"first_name": "Priya", "last_name": "Shah", "email": "p.shah@oakfield.example.org", "job_title": "Year 3 Teacher", "role": "Teacher"},
        {"first_name": "Helen", "last_name": "Marsh", "email": "h.marsh@oakfield.example.org", "job_title": "Headteacher", "role": "Headteacher"},
        {"first_name": "Dev", "last_name": "Rao", "email": "d.rao@oakfield.example.org", "job_title": "Office Manager", "role": "Office staff"},
        {"first_name": "Ruth", "last_name": "Ames", "email": "r.ames@oakfield.example.org", "job_title": "DSL", "role": "Designated safeguarding lead"},
        {"first_name": "Kit", "last_name": "Moss", "email": "kit.moss", "job_title": "Teaching Assistant", "role": "Support staff"},
        {"first_name": "Priya", "last_name": "Shah", "email": "P.Shah@oakfield.example.org", "job_title": "Year 3 Teacher", "role": "Teacher"},
        {"first_name": "", "last_name": "Cole", "email": "a.cole@oakfield.example.org", "job_title": "Cook", "role": "Support staff"},
    ]  # fmt: skip

    plan = roster.dry_run(check(school, "staff", sims_staff(staff), by=office), importer=office).plan

    assert [(e.line, e.name, e.values["role"]) for e in plan.adds] == [(2, "Priya Shah", "teacher")]
    assert_problems(
        plan,
        [
            (3, "The role 'Headteacher' reaches sensitive data"),
            (4, "The role 'Office staff' reaches sensitive data"),
            (5, "The role 'Designated safeguarding lead' reaches sensitive data"),
            (6, "'kit.moss' is not a valid email address."),
            (7, "p.shah@oakfield.example.org appears twice in the file (also on line 2)."),
            (8, "The first name is missing."),
        ],
    )


def test_a_staff_dry_run_lists_staff_missing_from_the_file_and_keeps_leaders(school, office, head, teacher):
    teaching_deputy = make_member(school, Role.DEPUTY, Role.TEACHER)
    governor = make_member(school, Role.GOVERNOR)
    volunteer = make_member(school, Role.VOLUNTEER)

    plan = roster.dry_run(check(school, "staff", sims_staff([]), by=office), importer=office).plan

    assert [d.obj.user for d in plan.leavers] == [teacher]
    assert [d.obj.user for d in plan.kept] == [teaching_deputy]
    departing = [d.obj.user for d in plan.leavers + plan.kept]
    assert head not in departing and office not in departing
    assert governor not in departing and volunteer not in departing
