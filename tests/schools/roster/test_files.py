"""Files are checked before they are read: encodings and delimiters a school's
spreadsheet uses are taken; anything else gets a clear message beside the file field
and nothing is kept."""

import io
import zipfile

import pytest

from schools.models import Pupil, RosterImport
from schools.roster import files
from schools.roster import services as roster

from .exports import arbor_pupils, autumn_pupils, pupil, sims_contacts, sims_pupils, to_csv, upn
from .helpers import check, csv_upload, error_beside_file_field, everything, import_file


def upload_page(browser, school, content: bytes, name="pupils.csv", kind="pupils"):
    return browser.post(f"/s/{school.slug}/import/", {"kind": kind, "file": csv_upload(content, name)})


def names_in(records) -> list[str]:
    return sorted(f"{r['first_name']} {r['last_name']}" for r in records)


ACCENTED = [
    pupil(1, "Zoë", "Adeyemi", "3", "Hazel"),
    pupil(2, "Siobhán", "Ó Súilleabháin", "3", "Hazel"),
    pupil(3, "Renée", "Müller-Brontë", "4", "Rowan"),
    pupil(4, "François", "Ødegård", "4", "Rowan"),
]
POLISH = pupil(5, "Łukasz", "Wiśniewski", "R", "Acorn")  # not representable in Windows-1252


@pytest.mark.parametrize(
    "encoding, delimiter, records",
    [
        ("utf-8", ",", [*ACCENTED, POLISH]),
        ("utf-8-sig", ",", [*ACCENTED, POLISH]),
        ("cp1252", ",", ACCENTED),
        ("utf-8", ";", [*ACCENTED, POLISH]),
        ("utf-8", "\t", [*ACCENTED, POLISH]),
        ("cp1252", ";", ACCENTED),
        ("utf-8-sig", "\t", [*ACCENTED, POLISH]),
    ],
    ids=[
        "utf8-comma",
        "utf8bom-comma",
        "cp1252-comma",
        "utf8-semicolon",
        "utf8-tab",
        "cp1252-semicolon",
        "utf8bom-tab",
    ],
)
def test_a_file_in_any_usual_encoding_and_delimiter_is_read_with_every_name_intact(
    client_for, school, office, encoding, delimiter, records
):
    export = sims_pupils(records, encoding=encoding, delimiter=delimiter)

    response = upload_page(client_for(office), school, export)

    assert response.status_code == 302
    roster_import = RosterImport.objects.get(school=school)
    assert roster_import.delimiter == delimiter
    run = roster.dry_run(roster_import)
    assert run.columns.unknown == []
    assert run.plan.problems == []
    assert sorted(e.name for e in run.plan.adds) == names_in(records)
    roster.apply_import(roster_import=roster_import, by=office)
    assert sorted(p.full_name for p in Pupil.objects.filter(school=school)) == names_in(records)


def test_the_byte_order_mark_is_not_part_of_the_first_heading(school, office):
    export = sims_pupils(autumn_pupils(), encoding="utf-8-sig")
    assert export.startswith(b"\xef\xbb\xbfAdno")

    run = roster.dry_run(check(school, "pupils", export, by=office))

    assert run.headings[0] == "Adno"
    assert run.columns.columns["mis_id"] == "Adno"


def test_a_windows_1252_file_is_not_mistaken_for_utf_8(school, office):
    export = arbor_pupils(ACCENTED, encoding="cp1252")
    assert "Zoë".encode("cp1252") in export

    roster_import = check(school, "pupils", export, by=office)

    assert "Zoë" in roster_import.content and "Ó Súilleabháin" in roster_import.content


def test_cells_quoted_because_they_hold_the_delimiter_or_a_line_break_are_one_cell(school, office):
    records = [
        pupil(1, "Zoë", "Adeyemi, Jr", "3", "Hazel"),
        pupil(2, "Siobhán", "O'Connor", "3", "Hazel; Rowan"),
    ]
    export = to_csv(
        ["UPN", "Legal Surname", "Legal Forename", "Year", "Reg Group", "Notes"],
        [
            [upn(1), "Adeyemi, Jr", "Zoë", "3", "Hazel", "Lives at\r\n1 High Street"],
            [upn(2), "O'Connor", "Siobhán", "3", "Hazel; Rowan", ""],
            [upn(3), "Brown", "", "4", "Rowan", ""],
        ],
    )

    plan = roster.dry_run(check(school, "pupils", export, by=office)).plan

    assert sorted(e.name for e in plan.adds) == names_in(records)
    assert [e.values["class_name"] for e in plan.adds] == ["Hazel", "Hazel; Rowan"]
    # A spreadsheet shows the address as one cell, so Oliver's row is row 4.
    assert [(p.line, p.message) for p in plan.problems] == [(4, "The first name is missing.")]


def test_blank_lines_are_skipped_but_still_counted_as_rows(school, office):
    export = sims_pupils(autumn_pupils()[:1]) + b"\r\n\r\n" + sims_pupils([pupil(2, "", "Hughes", "2", "Beech")]).split(b"\r\n", 1)[1]  # fmt: skip

    plan = roster.dry_run(check(school, "pupils", export, by=office)).plan

    assert [e.name for e in plan.adds] == ["Zoë Adeyemi"]
    assert [p.line for p in plan.problems] == [5]


def xlsx_bytes() -> bytes:
    """A (minimal) Excel workbook: a zip archive, as every .xlsx is."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as workbook:
        workbook.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        workbook.writestr("xl/workbook.xml", '<?xml version="1.0"?><workbook/>')
    return buffer.getvalue()


def padded_csv(size: int) -> bytes:
    """A well-formed pupils CSV of exactly `size` bytes."""
    head = sims_pupils(autumn_pupils())
    filler = b"\r\n" + b" " * 98
    body = head + filler * ((size - len(head)) // len(filler))
    return body + b" " * (size - len(body))


BAD_FILES = [
    ("excel-named-csv", lambda: xlsx_bytes(), "pupils.csv", "This looks like an Excel workbook (.xlsx). In Excel, choose File › Save As › CSV"),
    ("old-excel", lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504, "pupils.xls", "This looks like an old Excel workbook (.xls)."),
    ("pdf", lambda: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", "pupils.pdf", "This is a PDF. Export the list from your MIS as a CSV file instead."),
    ("png", lambda: b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 40, "screenshot.png", "This is an image, not a CSV file."),
    ("jpeg", lambda: b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 40, "photo.csv", "This is an image, not a CSV file."),
    ("empty", lambda: b"", "pupils.csv", "The submitted file is empty."),
    ("blank-lines-only", lambda: b"\r\n  \r\n\r\n", "pupils.csv", "The file is empty."),
    ("over-5-mb", lambda: padded_csv(files.MAX_BYTES + 1), "pupils.csv", "The file is larger than 5 MB."),
    ("binary", lambda: bytes(range(256)) * 8, "pupils.csv", "This is not a text file. Export the list from your MIS as a CSV file."),
    ("unknown-encoding", lambda: b"UPN,Legal Surname\r\nH801200000001,\x81\x8d\x8f\r\n", "pupils.csv", "The file's text encoding is not one we can read. Save it as 'CSV UTF-8' and try again."),
    ("one-column", lambda: b"Pupil names\r\nZoe Adeyemi\r\nOliver Brown\r\n", "pupils.csv", "We could not find columns in this file."),
    ("one-heading", lambda: b"UPN,\r\nH801200000001,\r\n", "pupils.csv", "The first line should hold at least two column headings."),
]  # fmt: skip


@pytest.mark.parametrize("make, name, message", [b[1:] for b in BAD_FILES], ids=[b[0] for b in BAD_FILES])
def test_a_file_that_is_not_a_csv_we_can_read_gets_a_clear_message_beside_the_field_and_nothing_is_kept(
    client_for, school, office, make, name, message
):
    browser = client_for(office)
    before = everything()

    response = upload_page(browser, school, make(), name=name)

    assert response.status_code == 400
    assert message in error_beside_file_field(response)
    assert everything() == before
    assert not RosterImport.objects.exists()


def test_a_file_of_exactly_5_mb_is_taken(client_for, school, office):
    response = upload_page(client_for(office), school, padded_csv(files.MAX_BYTES))

    assert response.status_code == 302
    assert RosterImport.objects.get(school=school).kind == "pupils"


def test_a_file_with_too_many_rows_is_refused(client_for, school, office):
    rows = [[upn(n), "Surname", "Name", "3"] for n in range(files.MAX_ROWS + 1)]
    export = to_csv(["UPN", "Legal Surname", "Legal Forename", "Year"], rows)
    assert len(export) < files.MAX_BYTES

    response = upload_page(client_for(office), school, export)

    assert response.status_code == 400
    assert "more than 20,000 rows" in error_beside_file_field(response)
    assert not RosterImport.objects.exists()


def test_an_upload_without_a_file_is_refused_beside_the_field(client_for, school, office):
    response = client_for(office).post(f"/s/{school.slug}/import/", {"kind": "pupils"})

    assert response.status_code == 400
    assert "Choose a file to upload" in error_beside_file_field(response)
    assert not RosterImport.objects.exists()


def test_a_file_is_kept_with_its_hash_until_it_is_applied(school, office):
    import hashlib

    export = sims_pupils(autumn_pupils(), encoding="cp1252", delimiter=";")

    roster_import = check(school, "pupils", export, by=office, name="SIMS pupils.csv")

    assert roster_import.file_sha256 == hashlib.sha256(export).hexdigest()
    assert roster_import.file_name == "SIMS pupils.csv"
    assert roster_import.content.startswith("Adno;UPN;Legal Surname")
    import_file(school, "contacts", sims_contacts([]), by=office)  # another file does not touch it
    roster_import.refresh_from_db()
    assert roster_import.status == RosterImport.Status.CHECKED and roster_import.content


def test_excels_unicode_text_export_in_utf16_with_tabs_is_read():
    from schools.roster.files import check_bytes, rows

    text = "UPN\tLegal Surname\tLegal Forename\tYear\r\nH123456789012\tNowak\tŁukasz\t4\r\n"
    csv_file = check_bytes(text.encode("utf-16"))

    headings, parsed = rows(csv_file.text, csv_file.delimiter)
    assert csv_file.delimiter == "\t"
    assert headings == ["UPN", "Legal Surname", "Legal Forename", "Year"]
    assert parsed[0].values["Legal Forename"] == "Łukasz"
