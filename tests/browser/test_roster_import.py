"""The school office brings the school in from its MIS, in Chromium: a pupils export
checked, read and confirmed, then seen class by class; a contacts export whose email
column has a heading the portal does not know, mapped once, imported with
invitations, and the progress panel watched while they go out in batches; and a
whole school's September file, whose dry run still fits on a few screens. Every page
visited is checked with axe-core and for CSP errors."""

import csv
import datetime
import io
import re

from django.core import mail
from playwright.sync_api import expect

from core.roles import Role
from schools import tasks
from schools.models import Guardianship, Pupil, RosterImport

from ..conftest import give_mfa, make_member
from ..factories import PupilFactory, SchoolClassFactory, year_group
from .conftest import PHONE_WIDTH, sign_in_with_password, totp_code, wait_for_email
from .menu import follow_menu

FIRST_NAMES = [
    "Oliver", "Amelia", "Noah", "Isla", "Muhammad", "Ava", "George", "Freya", "Leo", "Zoë",
    "Arthur", "Ivy", "Oscar", "Florence", "Theo", "Willow", "Harry", "Siobhán", "Jack", "Maryam",
]  # fmt: skip
LAST_NAMES = [
    "Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson", "Thomas", "Roberts",
    "Johnson", "Lewis", "Walker", "Robinson", "Wood", "Thompson", "White", "Watson", "Jackson", "Wright",
]  # fmt: skip
# SIMS's reg groups, each with its year group.
CLASSES = [("3 Kingfisher", "Year 3"), ("4 Heron", "Year 4"), ("5 Osprey", "Year 5")]

PUPIL_HEADINGS = ["UPN", "Legal Surname", "Legal Forename", "Year", "Reg Group", "Admission Date"]
BAD_LINE = 18  # the heading is line 1, as a spreadsheet numbers it
BAD_DATE = "31/09/2022"


def upn(i):
    return f"H{801234500000 + i:012d}"


def name(i):
    """A different first name and surname for each i below 400."""
    return FIRST_NAMES[i % 20], LAST_NAMES[(i * 7 + i // 20) % 20]


def to_csv(headings, rows):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(headings)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")  # as Excel saves "CSV UTF-8"


def pupil_rows(count=30):
    """A SIMS pupil export: `count` pupils in three classes, one with an admission
    date that does not exist (on line BAD_LINE)."""
    rows = []
    for i in range(count):
        class_name, year = CLASSES[i % len(CLASSES)]
        first, last = name(i)
        admitted = BAD_DATE if i + 2 == BAD_LINE else f"0{1 + i % 5}/09/2022"
        rows.append([upn(i), last, first, year, class_name, admitted])
    return rows


def sign_in_with_two_step_code(page, check_page, user, secret):
    sign_in_with_password(page, check_page, user.email)
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/"))
    check_page(page, "two-step code")
    page.get_by_label("Code").fill(totp_code(secret))
    page.get_by_role("button", name=re.compile("sign in", re.I)).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Hello, {user.first_name}")
    check_page(page, "home")


def open_import_page(page, check_page, school):
    page.get_by_role("main").get_by_role("link", name=school.name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(school.name)
    check_page(page, "school")
    follow_menu(page, "People", "Import from the MIS")
    expect(page.get_by_role("heading", level=1)).to_have_text("Import from your MIS")
    check_page(page, "import")


def upload(page, kind, file_name, content):
    page.get_by_role("group", name="What is in the file?").get_by_label(kind).check()
    page.get_by_label(re.compile("CSV file")).set_input_files(
        files=[{"name": file_name, "mimeType": "text/csv", "buffer": content}]
    )
    page.get_by_role("button", name="Check the file").click()


def the_counts(page):
    """The dry run's summary: {'to add': 28, 'to update': 1, ...}."""
    counts = {}
    for item in page.get_by_role("list", name="What this file would do").get_by_role("listitem").all():
        number, label = item.inner_text().strip().split(None, 1)
        counts[" ".join(label.split())] = int(number)
    return counts


def test_office_imports_pupils_reads_the_dry_run_and_sees_them_by_class(page, check_page, school):
    office = make_member(school, Role.OFFICE, mfa=False, user__first_name="Dawn", user__last_name="Pearce")
    secret = give_mfa(office)
    # Already in the portal: a pupil the file moves to another class, and one who has left.
    heron = SchoolClassFactory(school=school, name="4 Heron", year_group=year_group(school, "4"))
    rows = pupil_rows()
    moving = rows[2]  # in 5 Osprey in the file
    PupilFactory(school=school, upn=moving[0], first_name=moving[2], last_name=moving[1], school_class=heron)
    PupilFactory(school=school, upn=upn(999), first_name="Poppy", last_name="Hughes", school_class=heron)

    sign_in_with_two_step_code(page, check_page, office, secret)
    open_import_page(page, check_page, school)
    upload(page, "Pupils", "SIMS pupils autumn.csv", to_csv(PUPIL_HEADINGS, rows))

    # The dry run: nothing has changed yet, and the page says what would.
    expect(page.get_by_role("heading", level=1)).to_have_text("Check the pupils file")
    expect(page.get_by_role("main")).to_contain_text("File: SIMS pupils autumn.csv")
    expect(page.get_by_role("main")).to_contain_text("Nothing has been saved")
    check_page(page, "dry run")
    assert the_counts(page) == {
        "to add": 28,
        "to update": 1,
        "to mark as left": 1,
        "already up to date": 0,
        "row we cannot use": 1,
    }
    problem_row = page.get_by_role("table", name="Rows we cannot use").get_by_role("row").filter(has_text=BAD_DATE)
    expect(problem_row.get_by_role("cell").first).to_have_text(str(BAD_LINE))
    expect(problem_row).to_contain_text("is not a date")
    change = page.get_by_role("table", name="Changes to people already here").get_by_role("row").nth(1)
    expect(change).to_contain_text(f"{moving[2]} {moving[1]}")
    expect(change).to_contain_text("Class: 4 Heron → 5 Osprey")
    expect(page.get_by_role("region", name="To mark as left (1)")).to_contain_text("Poppy Hughes")
    expect(page.get_by_role("region", name="Import this file?")).to_contain_text(
        "This will add 28 pupils, update 1 and mark 1 as left. 1 row with a problem will be left out."
    )
    # 28 names are tucked away until asked for.
    to_add = page.get_by_role("region", name="To add (28)").get_by_role("group")
    expect(to_add.get_by_role("listitem").first).to_be_hidden()
    page.get_by_text("Show all 28 names").click()
    expect(to_add.get_by_role("listitem")).to_have_count(28)
    expect(to_add).to_contain_text(f"{rows[0][2]} {rows[0][1]} · 3 Kingfisher")
    check_page(page, "dry run with the names shown")
    assert Pupil.objects.filter(school=school).count() == 2, "the dry run must not write"

    # One of the school's two pupils would leave: more than 10 %, so it takes a tick.
    page.get_by_label("I understand 1 pupil will be marked as leaving").check()
    page.get_by_role("button", name="Import this file").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Pupils imported")
    expect(page.get_by_role("status")).to_contain_text("28 added, 1 updated, 1 marked as left")
    check_page(page, "imported")
    assert Pupil.objects.filter(school=school, leaving_date__isnull=True).count() == 29

    page.get_by_role("link", name="See pupils by class").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Pupils")
    check_page(page, "pupils")
    page.get_by_label("Class").select_option(label="4 Heron (Year 4)")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Pupils in 4 Heron")
    herons = [r for r in rows if r[4] == "4 Heron" and r[5] != BAD_DATE]
    table = page.get_by_role("table")
    expect(table.get_by_role("row")).to_have_count(len(herons) + 1)
    for _, last, first, *_ in herons:
        expect(table.get_by_role("link", name=f"{last}, {first}")).to_be_visible()
    expect(table).not_to_contain_text("Hughes, Poppy")
    expect(table).not_to_contain_text(f"{moving[1]}, {moving[2]}")
    check_page(page, "pupils in a class")

    # The import is on record, with what it did.
    follow_menu(page, "People", "Import from the MIS")
    earlier = (
        page.get_by_role("table", name="Earlier imports").get_by_role("row").filter(has_text="SIMS pupils autumn.csv")
    )
    expect(earlier).to_contain_text("28 added, 1 updated, 1 marked as left, 1 row left out")
    expect(earlier).to_contain_text("Dawn Pearce")
    check_page(page, "earlier imports")


CONTACT_HEADINGS = [
    "UPN", "Contact Forename", "Contact Surname", "Relationship", "Parental Responsibility", "Carer E-mail (home)",
]  # fmt: skip


def test_office_maps_an_unfamiliar_email_column_and_watches_the_invitations_go_out(
    page, check_page, school, monkeypatch
):
    office = make_member(school, Role.OFFICE, mfa=False, user__first_name="Dawn", user__last_name="Pearce")
    secret = give_mfa(office)
    pupils = []
    for i in range(15):
        first, last = name(i)
        pupils.append(PupilFactory(school=school, first_name=first, last_name=last, upn=upn(i)))
    # Two carers for each child, as SIMS lists them; the first two children are
    # brother and sister, so their parents are on four rows and invited once.
    rows, carers = [], set()
    for i, pupil in enumerate(pupils):
        family = pupils[0].last_name if i == 1 else pupil.last_name
        for first, relationship in (("Sarah", "Mother"), ("David", "Father")):
            email = f"{first.lower()}.{family.lower()}@example.org"
            carers.add(email)
            rows.append([pupil.upn, first, family, relationship, "Yes", email])
    rows.append([upn(999), "Karen", "Mills", "Mother", "Yes", "karen.mills@example.org"])  # not our pupil
    invited = len(carers)
    assert invited == 28

    # The Celery worker is slow today: the test plays it, one batch of 10 at a time.
    queued = []
    monkeypatch.setattr(tasks, "INVITATION_BATCH", 10)
    monkeypatch.setattr(tasks.send_roster_invitations, "delay_on_commit", queued.append)
    monkeypatch.setattr(tasks.send_roster_invitations, "delay", queued.append)

    sign_in_with_two_step_code(page, check_page, office, secret)
    open_import_page(page, check_page, school)
    upload(page, "Parents and carers", "SIMS contacts.csv", to_csv(CONTACT_HEADINGS, rows))

    # The email column's heading is not one the portal knows: the office says which it is.
    expect(page.get_by_role("heading", level=1)).to_have_text("Check the parents and carers file")
    columns = page.get_by_role("region", name="Which column is which?")
    expect(columns).to_contain_text("We could not find a column for: Email address")
    expect(page.get_by_role("button", name="Import this file")).to_have_count(0)
    check_page(page, "which column")
    columns.get_by_label("Carer E-mail (home)").select_option(label="Email address")
    columns.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_role("status")).to_contain_text("Columns saved")
    expect(page.get_by_role("region", name="Which column is which?")).to_have_count(0)

    assert the_counts(page) == {
        "to add": invited,
        "to update": 0,
        "to mark as left": 0,
        "already up to date": 0,
        "row we cannot use": 1,
    }
    problem_row = page.get_by_role("table", name="Rows we cannot use").get_by_role("row").nth(1)
    expect(problem_row.get_by_role("cell").first).to_have_text(str(len(rows) + 1))
    expect(problem_row).to_contain_text(f"No pupil with UPN {upn(999)}")
    confirm = page.get_by_role("region", name="Import this file?")
    expect(confirm).to_contain_text(f"This will add {invited} parents and carers.")
    check_page(page, "contacts dry run")
    page.get_by_text(f"Show all {invited} names").click()
    sarah = f"Sarah {pupils[0].last_name} sarah.{pupils[0].last_name.lower()}@example.org"
    expect(page.get_by_role("listitem").filter(has_text=sarah)).to_contain_text(
        f"Children: {pupils[0].full_name}, {pupils[1].full_name}"
    )
    check_page(page, "contacts dry run with the names shown")

    sent_before = len(mail.outbox)
    confirm.get_by_label("Email an invitation to each new parent or member of staff").check()
    confirm.get_by_role("button", name="Import this file").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Parents and carers imported")
    expect(page.get_by_role("status")).to_contain_text(f"Imported: {invited} added")
    progress = page.get_by_role("region", name="Invitations")
    expect(progress).to_contain_text(f"Sending invitations: 0 of {invited}")
    check_page(page, "invitations waiting")

    # Each batch the worker sends shows on the page within a few seconds, unreloaded.
    roster_import = RosterImport.objects.get(school=school, kind="contacts")
    for sent in (10, 20):
        tasks.send_roster_invitations(queued.pop(0))
        expect(progress).to_contain_text(f"Sending invitations: {sent} of {invited}", timeout=10_000)
        expect(progress.get_by_role("progressbar")).to_have_attribute("value", str(sent))
    check_page(page, "invitations sending")
    tasks.send_roster_invitations(queued.pop(0))
    expect(progress).to_contain_text(f"All {invited} invitations sent", timeout=10_000)
    assert not queued
    check_page(page, "invitations sent")

    wait_for_email(f"sarah.{pupils[0].last_name.lower()}@example.org", since=sent_before)
    assert {address for message in mail.outbox[sent_before:] for address in message.to} == carers
    roster_import.refresh_from_db()
    assert roster_import.invitations_sent == invited
    siblings = Guardianship.objects.filter(carer__email=f"sarah.{pupils[0].last_name.lower()}@example.org")
    assert {g.pupil_id for g in siblings} == {pupils[0].pk, pupils[1].pk}

    page.get_by_role("link", name="See parents and carers").click()
    expect(page.get_by_role("main")).to_contain_text(f"sarah.{pupils[0].last_name.lower()}@example.org")
    check_page(page, "parents")


def test_a_whole_school_september_file_keeps_the_dry_run_to_a_few_screens(page, check_page, sign_in_as, school):
    """Everyone moves up a year, Year 6 has left, Reception has arrived, and the MIS
    has a few dozen rows the portal cannot use: the names are there when asked for,
    and the problems and the confirm button are not buried under them."""
    office = make_member(school, Role.OFFICE)
    ladder = [("R", "Reception", "R Robin"), *[(str(n), f"Year {n}", f"{n} {bird}") for n, bird in enumerate(
        ["Wren", "Finch", "Kingfisher", "Heron", "Osprey", "Eagle"], start=1
    )]]  # fmt: skip
    classes = [SchoolClassFactory(school=school, name=c, year_group=year_group(school, code)) for code, _, c in ladder]
    admitted = datetime.date(2020, 9, 1)
    Pupil.objects.bulk_create(
        Pupil(
            school=school,
            school_class=classes[i // 30],
            year_group=classes[i // 30].year_group,
            upn=upn(i),
            first_name=name(i)[0],
            last_name=name(i)[1],
            admission_date=admitted,
        )
        for i in range(210)  # 30 in each class, Reception to Year 6
    )
    rows = []
    for i in range(180):  # Reception to Year 5 move up; Year 6 (i >= 180) has left
        _, year, class_name = ladder[i // 30 + 1]
        rows.append([upn(i), name(i)[1], name(i)[0], year, class_name, "01/09/2020"])
    for i in range(210, 240):  # the new Reception class
        rows.append([upn(i), name(i)[1], name(i)[0], "Reception", "R Robin", "03/09/2025"])
    bad = [
        [upn(300), "", "Ella", "Year 2", "2 Finch", "01/09/2024"],
        [upn(301), "Khan", "Ayaan", "Year 14", "", "01/09/2024"],
        ["12345", "Nowak", "Lena", "Year 3", "3 Kingfisher", "01/09/2024"],
        [upn(5), "Copy", "Again", "Year 2", "2 Finch", "01/09/2020"],
        [upn(302), "Okafor", "Tobi", "Year 4", "4 Heron", "2024-13-01"],
    ]
    rows += bad * 5  # the same mistakes, over and over, as an MIS export has them
    sign_in_as(page, office)
    page.goto(f"/s/{school.slug}/import/")
    upload(page, "Pupils", "September.csv", to_csv(PUPIL_HEADINGS, rows))

    expect(page.get_by_role("heading", level=1)).to_have_text("Check the pupils file")
    counts = the_counts(page)
    assert counts["to add"] == 30 and counts["to update"] == 180 and counts["to mark as left"] == 30, counts
    assert counts["rows we cannot use"] == 25, counts
    for region, shown in [("To add (30)", "Show all 30 names"), ("To update (180)", "Show all 180 changes")]:
        expect(page.get_by_role("region", name=region).get_by_text(shown)).to_be_visible()
    expect(page.get_by_role("region", name="To mark as left (30)").get_by_text("Show all 30 names")).to_be_visible()
    # Year 6 leaving is 14 % of the school: over the 10 % that asks for a second look.
    warning = page.get_by_role("region", name=re.compile("This file would mark 14% of the school's pupils"))
    expect(warning).to_contain_text(
        "Your file has 210 pupils (30 of them new); the school has 210. Applying it would mark 30 pupils as leaving."
    )
    problems = page.get_by_role("region", name="Rows we cannot use", exact=True)
    expect(problems.get_by_role("row")).to_have_count(26)
    check_page(page, "september dry run")

    for width, most in [(1280, 2.5), (PHONE_WIDTH, 6)]:
        page.set_viewport_size({"width": width, "height": 800})
        height = page.evaluate("document.documentElement.scrollHeight")
        assert height < most * 800, f"The dry run is {height}px long at {width}px wide"
        button = page.get_by_role("button", name="Import this file")
        assert button.bounding_box()["y"] < most * 800

    page.get_by_text("Show all 180 changes").click()
    updates = page.get_by_role("table", name="Changes to people already here")
    expect(updates.get_by_role("row")).to_have_count(181)
    expect(updates.get_by_role("row").nth(1)).to_contain_text("Class: R Robin → 1 Wren")
    check_page(page, "september dry run with the changes shown")


def test_a_partial_pupil_file_is_stopped_by_the_warning_until_the_office_ticks_the_confirmation(
    page, check_page, sign_in_as, school
):
    """One class's export, uploaded as if it were the school's: the check leads with
    the warning and the numbers; importing without the extra tick is refused with the
    error at the top and beside the box, and nothing changes; with it, it imports."""
    office = make_member(school, Role.OFFICE, user__first_name="Dawn", user__last_name="Pearce")
    heron = SchoolClassFactory(school=school, name="4 Heron", year_group=year_group(school, "4"))
    Pupil.objects.bulk_create(
        Pupil(
            school=school,
            school_class=heron,
            year_group=heron.year_group,
            upn=upn(i),
            first_name=name(i)[0],
            last_name=name(i)[1],
            admission_date=datetime.date(2020, 9, 1),
        )
        for i in range(210)
    )
    rows = [[upn(i), name(i)[1], name(i)[0], "Year 4", "4 Heron", "01/09/2020"] for i in range(3)]

    sign_in_as(page, office)
    page.goto(f"/s/{school.slug}/import/")
    check_page(page, "upload page with the headings")
    upload(page, "Pupils", "4 Heron.csv", to_csv(PUPIL_HEADINGS, rows))

    expect(page.get_by_role("heading", level=1)).to_have_text("Check the pupils file")
    warning = page.get_by_role("region", name=re.compile("This file would mark 99% of the school's pupils as leaving"))
    expect(warning).to_contain_text(
        "Your file has 3 pupils; the school has 210. Applying it would mark 207 pupils as leaving."
    )
    # It leads: the first thing under the file's name, above the counts.
    first_section = page.locator("main section").first
    expect(first_section).to_have_class("leaving-warning")
    assert warning.bounding_box()["y"] < page.get_by_role("list", name="What this file would do").bounding_box()["y"]
    check_page(page, "import warning")

    page.get_by_role("button", name="Import this file").click()
    expect(page.get_by_role("alert")).to_be_visible()
    expect(
        page.locator(".error-summary").get_by_text(
            "Tick “I understand 207 pupils will be marked as leaving” to import this file."
        )
    ).to_be_visible()
    assert Pupil.objects.filter(school=school, leaving_date__isnull=True).count() == 210
    assert RosterImport.objects.get(school=school).status == RosterImport.Status.CHECKED
    check_page(page, "import refused without the tick")
    page.set_viewport_size({"width": PHONE_WIDTH, "height": 800})
    check_page(page, "import refused without the tick on a phone")
    page.set_viewport_size({"width": 1280, "height": 800})

    page.get_by_label("I understand 207 pupils will be marked as leaving").check()
    page.get_by_role("button", name="Import this file").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Pupils imported")
    expect(page.get_by_role("status")).to_contain_text("0 added, 0 updated, 207 marked as left")
    assert Pupil.objects.filter(school=school, leaving_date__isnull=True).count() == 3

    page.get_by_role("link", name="Import another file").click()
    page.get_by_role("link", name="See every import").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import history")
    expect(page.get_by_role("main")).to_contain_text("4 Heron.csv")
    expect(page.get_by_role("main")).to_contain_text("207 marked as left")
    check_page(page, "import history")
