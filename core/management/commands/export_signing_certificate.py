"""Write the certificate(s) someone checking our signed PDFs needs to trust:

    python manage.py export_signing_certificate > aup-portal-signing.pem

the CA's certificate (the self-managed one, or the trust's CA when the configured
PKCS#12 file includes it) and the signing certificate, as PEM. Public material only:
never the key. Give it to an auditor with the PDF; see README, "Checking a signed PDF
offline"."""

from django.core.management.base import BaseCommand

from core.signing import public_certificate_pem
from core.signing_keys import certificate_fingerprint, signing_key


class Command(BaseCommand):
    help = "Print the PDF signing certificate and its CA (PEM), for checking signed PDFs offline."

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", default="", help="Write to this file instead of standard output.")

    def handle(self, *, output, **options):
        key = signing_key()
        pem = public_certificate_pem(key).decode()
        if output:
            with open(output, "w") as out:
                out.write(pem)
            self.stderr.write(f"Wrote {output}.")
        else:
            self.stdout.write(pem, ending="")
        for certificate in key.trust_anchors:
            self.stderr.write(
                f"Trust anchor: {certificate.subject.rfc4514_string()}\n"
                f"  SHA-256 fingerprint {certificate_fingerprint(certificate)}"
            )
