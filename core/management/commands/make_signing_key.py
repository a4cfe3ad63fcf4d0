"""Create the portal's self-managed PDF signing key, once:

    python manage.py make_signing_key

makes a CA and a document-signing certificate it issues, in var/signing/ (the
PKCS#12 file readable by its owner only, and the CA's certificate to give to anyone
who checks PDFs). Does nothing when the key is there (`make run` calls it every time)
or when PDF_SIGNING_P12 names the operator's own certificate. Never prints the key."""

from django.core.management.base import BaseCommand

from core.signing_keys import GENERATED_CA, configured_p12_path, generate_signing_key, generated_dir


class Command(BaseCommand):
    help = "Create the self-managed PDF signing key under var/signing/ unless one exists."

    def handle(self, **options):
        if configured_p12_path() is not None:
            self.stdout.write(f"PDF_SIGNING_P12 is set ({configured_p12_path()}): that key is used, none is made.")
            return
        path, made = generate_signing_key()
        if made:
            self.stdout.write(
                f"Made a self-managed PDF signing key in {path}.\n"
                f"Its CA certificate, for anyone checking signed PDFs: {generated_dir() / GENERATED_CA}\n"
                "Back up the folder with the database: PDFs signed with a lost key still check, "
                "but new ones would need a new certificate."
            )
        else:
            self.stdout.write(f"The PDF signing key is already there: {path}")
