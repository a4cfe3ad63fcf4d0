"""Restore a backup made by `manage.py backup` (see core/backups.py) into a new, empty
database and the configured storage.

    createdb -O aup_owner aup_portal
    DATABASE_URL=$DATABASE_OWNER_URL manage.py restore /backups/aup-2026-03-02.tar

Then start the web app and the worker as usual. Refused, with nothing changed, if the
database already has tables."""

from django.core.management.base import BaseCommand, CommandError

from core.backups import BackupError, restore


class Command(BaseCommand):
    help = "Restore a backup (folder or .tar/.tar.gz file) into an empty database and the storage."

    def add_arguments(self, parser):
        parser.add_argument("source", help="The backup: a folder or a .tar/.tar.gz file.")

    def handle(self, *, source, **options):
        try:
            manifest = restore(source)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Restored the {manifest['database']} database of {manifest['created_at']} "
            f"and {manifest['restored_files']} files from {source}."
        )
