"""Back up the database and every stored file (see core/backups.py).

    manage.py backup /backups/aup-$(date +%F).tar

On PostgreSQL it runs pg_dump, which must be installed and of the server's major
version or newer; run it as the owner (DATABASE_URL=$DATABASE_OWNER_URL)."""

from django.core.management.base import BaseCommand, CommandError

from core.backups import BackupError, back_up


class Command(BaseCommand):
    help = "Back up the database and the stored files into a new folder or a .tar/.tar.gz file."

    def add_arguments(self, parser):
        parser.add_argument("destination", help="A new folder, or a file ending .tar or .tar.gz.")

    def handle(self, *, destination, **options):
        try:
            manifest = back_up(destination)
        except BackupError as error:
            raise CommandError(str(error)) from error
        files = sum(len(names) for names in manifest["files"].values())
        self.stdout.write(f"Backed up the {manifest['database']} database and {files} files to {destination}.")
