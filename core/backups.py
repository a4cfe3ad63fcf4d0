"""Backups of everything the portal keeps: the database and the files (signed PDFs,
scans, evidence, photos, logos), wherever they are stored.

    manage.py backup /backups/aup-2026-03-02.tar      (or a folder: no .tar)
    manage.py restore /backups/aup-2026-03-02.tar

A backup holds:

    manifest.json       when, which database, and the SHA-256 of every file
    database.dump       PostgreSQL: pg_dump's custom format (pg_restore reads it)
    database.sqlite3    SQLite: a copy made with SQLite's own backup API
    files/default/...   the default storage (school logos)
    files/private/...   the private storage (signed PDFs, scans, evidence...)

The database is dumped first, then the files copied: the portal only ever adds files
for rows it has written, so every file the dump refers to is in the backup.

A restore goes into an empty database only (a new one made with `createdb`, migrated
by nothing): the evidence tables refuse to be emptied or overwritten, by design, so a
restore never writes over records. Files are put back under their own names (one
already there with the same content is left alone), then the database is restored in
one transaction. pg_restore creates the evidence triggers after the data (they are
post-data), so they do not stand in the way. With DATABASE_RUNTIME_ROLE set, the
runtime role is given its rights again, as after `migrate`.
"""

import datetime
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path

from django.core.files import File
from django.core.files.storage import storages
from django.db import connection

from .storage import private_storage

FORMAT = 1
MANIFEST = "manifest.json"
PG_DUMP = "database.dump"
SQLITE_COPY = "database.sqlite3"
CHUNK = 1024 * 1024


class BackupError(Exception):
    """Something an operator must put right; the message says what."""


def _storages():
    return {"default": storages["default"], "private": private_storage()}


def _is_archive(path: Path) -> bool:
    return path.name.endswith((".tar", ".tar.gz", ".tgz"))


# --- Files ---------------------------------------------------------------------------


def _walk(storage, folder=""):
    """Every file name in a storage (any backend), folders first visited first."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:  # a local storage whose folder was never made
        return
    for name in sorted(files):
        yield f"{folder}/{name}" if folder else name
    for sub in sorted(folders):
        yield from _walk(storage, f"{folder}/{sub}" if folder else sub)


def _copy_out(storage, name: str, target: Path) -> str:
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    with storage.open(name, "rb") as source, open(target, "wb") as out:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            out.write(chunk)
    return digest.hexdigest()


def _sha256_of(storage, name: str) -> str:
    digest = hashlib.sha256()
    with storage.open(name, "rb") as source:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _back_up_files(folder: Path) -> dict[str, dict[str, str]]:
    return {
        alias: {name: _copy_out(storage, name, folder / "files" / alias / name) for name in _walk(storage)}
        for alias, storage in _storages().items()
    }


def _restore_files(folder: Path, manifest: dict) -> int:
    restored = 0
    for alias, storage in _storages().items():
        for name, sha256 in manifest["files"].get(alias, {}).items():
            source = folder / "files" / alias / name
            if _sha256_of_path(source) != sha256:
                raise BackupError(f"The backup's copy of {alias}/{name} is damaged: its checksum does not match.")
            if storage.exists(name):
                if _sha256_of(storage, name) == sha256:
                    continue
                raise BackupError(f"{alias}/{name} is already stored with other content: nothing was overwritten.")
            with open(source, "rb") as handle:
                saved = storage.save(name, File(handle, name=name))
            if saved != name:  # the storage chose another name: the database would not find it
                storage.delete(saved)
                raise BackupError(f"{alias}/{name} could not be stored under its own name.")
            restored += 1
    return restored


def _sha256_of_path(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


# --- The database ------------------------------------------------------------------


def _pg_environment() -> tuple[list[str], dict]:
    """Connection arguments for pg_dump/pg_restore, the password in the environment."""
    settings = connection.settings_dict
    args = []
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if settings.get(key):
            args.append(f"{flag}={settings[key]}")
    env = dict(os.environ)
    if settings.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings["PASSWORD"])
    return args, env


def _run(command: list[str], env: dict):
    if shutil.which(command[0]) is None:
        raise BackupError(f"{command[0]} is not installed (on Debian: apt-get install postgresql-client).")
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()[-2000:]}")


def _dump_database(folder: Path) -> str:
    if connection.vendor == "postgresql":
        args, env = _pg_environment()
        dbname = connection.settings_dict["NAME"]
        _run(["pg_dump", *args, "--format=custom", f"--file={folder / PG_DUMP}", f"--dbname={dbname}"], env)
        return PG_DUMP
    if connection.vendor == "sqlite":
        _copy_sqlite(connection.settings_dict["NAME"], folder / SQLITE_COPY)
        return SQLITE_COPY
    raise BackupError(f"Backups of a {connection.vendor} database are not supported.")


def _copy_sqlite(source_path, target_path):
    """A consistent copy of a SQLite database with its online backup API (safe while
    another process writes to the source)."""
    source = sqlite3.connect(source_path)
    target = sqlite3.connect(target_path)
    try:
        with target:
            source.backup(target)
    finally:
        source.close()
        target.close()


def _database_is_empty() -> bool:
    if connection.vendor == "sqlite" and not Path(connection.settings_dict["NAME"]).exists():
        return True  # restored as a new file (its folder made if need be)
    with connection.cursor() as cursor:
        return not connection.introspection.table_names(cursor)


def _restore_database(folder: Path):
    if connection.vendor == "postgresql":
        args, env = _pg_environment()
        dbname = connection.settings_dict["NAME"]
        connection.close()  # pg_restore works on its own connection
        _run(
            [
                "pg_restore",
                *args,
                "--no-owner",  # the tables belong to whoever restores: the owner
                "--no-acl",  # the runtime role's rights are given again below
                "--exit-on-error",
                "--single-transaction",
                f"--dbname={dbname}",
                str(folder / PG_DUMP),
            ],
            env,
        )
        from .signals import regrant_runtime_role

        regrant_runtime_role(sender=None)
        return
    target_name = connection.settings_dict["NAME"]
    connection.close()
    Path(target_name).parent.mkdir(parents=True, exist_ok=True)
    _copy_sqlite(folder / SQLITE_COPY, target_name)


# --- Backup and restore ------------------------------------------------------------


def back_up(destination: Path) -> dict:
    """Write a backup to `destination` (a new folder, or a .tar/.tar.gz file)."""
    destination = Path(destination)
    if destination.exists():
        raise BackupError(f"{destination} already exists: a backup never writes over another.")
    with tempfile.TemporaryDirectory(prefix="aup-backup-") as work:
        folder = Path(work) / "backup"
        folder.mkdir()
        database_file = _dump_database(folder)
        manifest = {
            "format": FORMAT,
            "created_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "database": connection.vendor,
            "database_file": database_file,
            "files": _back_up_files(folder),
        }
        (folder / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True))
        destination.parent.mkdir(parents=True, exist_ok=True)
        if _is_archive(destination):
            mode = "w:gz" if destination.name.endswith(("gz", ".tgz")) else "w"
            with tarfile.open(destination, mode) as archive:
                archive.add(folder, arcname=".")
        else:
            shutil.copytree(folder, destination)
    return manifest


def restore(source: Path) -> dict:
    """Put a backup back: its files into the storages, its database into the empty
    database of the settings. Refused, with nothing changed, if that database has
    tables."""
    source = Path(source)
    if not source.exists():
        raise BackupError(f"{source} does not exist.")
    if not _database_is_empty():
        raise BackupError(
            "The database is not empty: a backup is restored only into a new, empty database "
            "(createdb, then restore; no migrate first). Nothing was changed."
        )
    with tempfile.TemporaryDirectory(prefix="aup-restore-") as work:
        if source.is_dir():
            folder = source
        else:
            folder = Path(work)
            with tarfile.open(source) as archive:
                archive.extractall(folder, filter="data")
        try:
            manifest = json.loads((folder / MANIFEST).read_text())
        except (OSError, ValueError) as error:
            raise BackupError(f"{source} is not a portal backup (no readable {MANIFEST}).") from error
        if manifest.get("format") != FORMAT:
            raise BackupError(f"{source} is a backup of format {manifest.get('format')}; this portal reads {FORMAT}.")
        if manifest["database"] != connection.vendor:
            raise BackupError(
                f"{source} is a backup of a {manifest['database']} database; "
                f"the portal is set up for {connection.vendor}. Nothing was changed."
            )
        manifest["restored_files"] = _restore_files(folder, manifest)
        _restore_database(folder)
    return manifest
