"""`manage.py backup` and `manage.py restore`, end to end, run as an operator runs them
(child processes with their own DATABASE_URL): a signed PDF made by the task is backed
up with the database, the files are wiped, everything is restored into a new, empty
database, and the PDF still checks at /verify/ and downloads through the portal.

The test suite's own database is only read (pg_dump); the restore goes into a scratch
database beside it, made empty for the test and dropped afterwards."""

import os
import shutil
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection
from django.urls import reverse

from agreements.models import Signature, SignedDocument
from core.evidence import evidence_tables
from tests import db_roles
from tests.agreements.pdf_helpers import published_staff_form, sign
from tests.downloads import body_of
from tests.incidents.conftest import png_bytes

ROOT = Path(__file__).resolve().parents[2]
ISSUED = "This is a document the portal issued, and it is unchanged"
postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_dump needs PostgreSQL")


def manage(*args, env: dict) -> subprocess.CompletedProcess:
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    environment = {**inherited, "DJANGO_SETTINGS_MODULE": "config.settings", "SECRET_KEY": "b" * 50, **env}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def scratch_database():
    """A new, empty PostgreSQL database on the test server, as `createdb` makes."""
    from psycopg import sql

    name = f"{connection.settings_dict['NAME']}_restore_{uuid.uuid4().hex[:8]}"
    with db_roles.owner_connection(connection, dbname="postgres") as owner:
        owner.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield name
    with db_roles.owner_connection(connection, dbname="postgres") as owner:
        owner.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


class LocalFiles:
    """Default and private media in folders, given to the child processes by path."""

    def __init__(self, settings, folder: Path):
        self.media, self.private = folder / "media", folder / "private"
        settings.MEDIA_ROOT, settings.PRIVATE_MEDIA_ROOT = str(self.media), str(self.private)

    def environment(self) -> dict:
        return {"MEDIA_ROOT": str(self.media), "PRIVATE_MEDIA_ROOT": str(self.private)}

    def wipe(self):
        shutil.rmtree(self.media, ignore_errors=True)
        shutil.rmtree(self.private, ignore_errors=True)


class BucketFiles:
    """Default and private media in a bucket of the local S3 server."""

    def __init__(self, bucket):
        self.bucket = bucket

    def environment(self) -> dict:
        return self.bucket.environment()

    def wipe(self):
        for key in self.bucket.keys():
            self.bucket.client.delete_object(Bucket=self.bucket.name, Key=key)
        assert self.bucket.keys() == []


@pytest.fixture(params=["local files", "object storage"])
def files(request, settings, tmp_path):
    if request.param == "local files":
        return LocalFiles(settings, tmp_path / "files")
    return BucketFiles(request.getfixturevalue("object_storage"))


@pytest.fixture
def on_database():
    """on_database(name): the rest of the test talks to that database (as the runtime
    role, like the web app); the test database is put back afterwards."""
    saved = connection.settings_dict["NAME"]

    def switch(name):
        connection.close()
        connection.settings_dict["NAME"] = name

    yield switch
    connection.close()
    connection.settings_dict["NAME"] = saved


@postgresql_only
def test_a_backup_restored_into_an_empty_database_after_the_files_are_wiped_still_verifies_the_signed_pdf(
    transactional_db, files, scratch_database, on_database, school, teacher, client, tmp_path
):
    signature = sign(published_staff_form(school), teacher)  # committed: the PDF task runs at once
    pdf = SignedDocument.objects.get(signature=signature).file.read()
    school.logo.save("logo.png", SimpleUploadedFile("logo.png", png_bytes()))
    backup = tmp_path / "backups" / "portal.tar.gz"

    made = manage("backup", str(backup), env={"DATABASE_URL": db_roles.owner_url(connection), **files.environment()})
    assert made.returncode == 0, made.stderr
    assert "Backed up the postgresql database and 2 files" in made.stdout

    files.wipe()
    assert not SignedDocument.objects.get(signature=signature).file.storage.exists(signature.document.file.name)

    restored = manage(
        "restore",
        str(backup),
        env={
            "DATABASE_URL": db_roles.owner_url(connection, scratch_database),
            "DATABASE_RUNTIME_ROLE": db_roles.RUNTIME_ROLE,
            **files.environment(),
        },
    )
    assert restored.returncode == 0, restored.stderr
    assert "and 2 files" in restored.stdout

    with connection.cursor() as cursor:
        guarded = evidence_tables(cursor)
    on_database(scratch_database)
    # The restored signed PDF is the one /verify/ recognises, by its bytes and its code.
    check = client.post("/verify/", {"document": SimpleUploadedFile("a.pdf", pdf, content_type="application/pdf")})
    assert ISSUED in check.content.decode()
    assert "Issued: this code belongs" in client.get("/verify/", {"code": signature.verification_code}).content.decode()
    # It downloads again through the signer's page, from the restored files.
    client.force_login(teacher)
    download = client.get(reverse("agreements:pdf", args=[school.slug, signature.pk]))
    assert body_of(download) == pdf
    assert body_of(client.get(reverse("schools:logo", args=[school.slug]))) == png_bytes()
    # And the evidence is as protected as before: the same guarded tables, and the
    # runtime role may still not change a signature.
    with connection.cursor() as cursor:
        assert evidence_tables(cursor) == guarded
    with pytest.raises(DatabaseError):
        Signature.objects.filter(pk=signature.pk).update(signer_name="Someone else")


def test_restore_refuses_a_database_that_is_not_empty_and_changes_nothing(db, tmp_path):
    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(tmp_path))


def test_a_backup_never_writes_over_another(db, tmp_path):
    (tmp_path / "portal.tar").write_bytes(b"an older backup")

    with pytest.raises(CommandError, match="already exists"):
        call_command("backup", str(tmp_path / "portal.tar"))
    assert (tmp_path / "portal.tar").read_bytes() == b"an older backup"


def test_on_sqlite_the_database_file_and_the_files_come_back_from_a_backup_folder(tmp_path):
    """The embedded default: SQLite's own backup API, and a folder instead of a tar."""
    first, second = tmp_path / "first", tmp_path / "second"
    (first / "private" / "signed").mkdir(parents=True)
    (first / "private" / "signed" / "ABC.pdf").write_bytes(b"%PDF-1.7 signed")
    with sqlite3.connect(first / "db.sqlite3") as db:
        db.execute("CREATE TABLE agreements_signature (id INTEGER PRIMARY KEY, verification_code TEXT)")
        db.execute("INSERT INTO agreements_signature (verification_code) VALUES ('ABC')")

    def portal(folder):
        return {
            "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
            "MEDIA_ROOT": str(folder / "media"),
            "PRIVATE_MEDIA_ROOT": str(folder / "private"),
        }

    made = manage("backup", str(tmp_path / "backup"), env=portal(first))
    assert made.returncode == 0, made.stderr
    restored = manage("restore", str(tmp_path / "backup"), env=portal(second))
    assert restored.returncode == 0, restored.stderr

    with sqlite3.connect(second / "db.sqlite3") as db:
        assert db.execute("SELECT verification_code FROM agreements_signature").fetchall() == [("ABC",)]
    assert (second / "private" / "signed" / "ABC.pdf").read_bytes() == b"%PDF-1.7 signed"
    again = manage("restore", str(tmp_path / "backup"), env=portal(second))
    assert again.returncode != 0 and "not empty" in again.stderr
