"""Check a signed PDF offline, with only the trust's certificate:

    python manage.py verify_pdf agreement.pdf --cert aup-portal-signing.pem

says whether the file carries the portal's digital signature, unchanged since, who
signed and when (and whether a timestamp authority vouches for the time). No database
is needed for this: the answer comes from the file and the certificate alone. Without
--cert, the portal's own configured certificate is trusted. Exit status 0 when every
signature is valid, 1 otherwise (for scripts)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.signing import load_certificates, validate_pdf


class Command(BaseCommand):
    help = "Check a PDF's digital signatures against the portal's (or a given) certificate, offline."
    requires_system_checks = []  # an auditor's copy of the code may have no database

    def add_arguments(self, parser):
        parser.add_argument("file", help="The PDF to check.")
        parser.add_argument(
            "--cert",
            action="append",
            default=[],
            help="A PEM file of certificates to trust (the trust's CA or the signing certificate); "
            "may be given more than once. Default: the portal's configured certificate.",
        )
        parser.add_argument(
            "--tsa-cert", action="append", default=[], help="A PEM file of the timestamp authority's CA certificates."
        )

    def handle(self, *, file, cert, tsa_cert, **options):
        try:
            pdf = Path(file).read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from None
        anchors = [c for path in cert for c in _certificates(path)] or None
        tsa = [c for path in tsa_cert for c in _certificates(path)]
        check = validate_pdf(pdf, anchors=anchors, tsa_anchors=tsa)
        for sentence in check.sentences:
            self.stdout.write(sentence)
        for signature in check.signatures:
            self.stdout.write(f"  {signature.field}: certificate SHA-256 {signature.fingerprint}")
        if not check.valid:
            raise SystemExit(1)


def _certificates(path: str):
    try:
        return load_certificates(Path(path).read_bytes())
    except OSError as error:
        raise CommandError(f"Cannot read {path}: {error.strerror}.") from None
    except ValueError:
        raise CommandError(f"{path} holds no certificate (PEM or DER).") from None
