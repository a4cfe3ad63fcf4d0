"""Steps the roster tests share: upload a file as the office would, look at the
database as a whole, and read a page's messages."""

import re
from html import unescape

from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import User
from core.models import AuditEvent
from schools.models import (
    ColumnMapping,
    Guardianship,
    Membership,
    MembershipRole,
    Pupil,
    RosterImport,
    SchoolClass,
    YearGroup,
)
from schools.roster import services as roster

ROSTER_TABLES = [Pupil, SchoolClass, YearGroup, User, Membership, MembershipRole, Guardianship, ColumnMapping]


def csv_upload(content: bytes, name: str = "export.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/csv")


def check(school, kind: str, content: bytes, *, by, name: str = "export.csv") -> RosterImport:
    """Upload a file for its dry run, as the upload page does."""
    return roster.check_upload(school=school, kind=kind, upload=csv_upload(content, name), by=by)


def import_file(school, kind: str, content: bytes, *, by, name: str = "export.csv", invite=False):
    """Upload, check and apply a file in one go. Returns the plan that was applied."""
    return roster.apply_import(roster_import=check(school, kind, content, by=by, name=name), by=by, invite=invite)


def snapshot(*models) -> dict[str, list[tuple]]:
    """Every row of the tables an import writes to, field by field."""
    return {
        model._meta.label: [tuple(row.values()) for row in model.objects.order_by("pk").values()]
        for model in models or ROSTER_TABLES
    }


def everything() -> dict[str, list[tuple]]:
    """The roster tables plus the import records and the audit log."""
    return snapshot(*ROSTER_TABLES, RosterImport, AuditEvent)


def text(response) -> str:
    """The page's text with tags and runs of white space collapsed, entities decoded."""
    body = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r"\s+", " ", unescape(body))


def section(response, labelled_by: str) -> str:
    """The text of the page's section labelled by the heading with this id."""
    page = response.content.decode()
    found = re.search(rf'<section[^>]*aria-labelledby="{labelled_by}"[^>]*>(.*?)</section>', page, re.S)
    assert found, f"the page has no section for #{labelled_by}"
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", found.group(1))))


def error_beside_file_field(response) -> str:
    """The error shown in the file field's own error list, which the input points to."""
    page = response.content.decode()
    errors = re.search(r'<p class="errorlist error-message" id="id_file_error">(.*?)</p>', page, re.S)
    described = re.search(r'<input[^>]*aria-describedby="[^"]*id_file_error[^"]*"[^>]*id="id_file"', page)
    assert errors and described, "the file field shows no error of its own"
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", errors.group(1)))).strip()
