"""The portal's document-signing key: where it comes from, and making one.

Either the operator gives a PKCS#12 file (PDF_SIGNING_P12, with PDF_SIGNING_P12_PASSWORD),
from their trust's CA or a commercial document-signing certificate; or the portal makes
its own, once, under var/signing/ (`manage.py make_signing_key`, which `make run`
calls): a self-managed CA and a signing certificate it issues. Whoever checks a PDF
later trusts the CA's certificate (`manage.py export_signing_certificate`).

The key is read from the file into memory and nowhere else: never the database, never a
log line (errors name the file, never its content or the password)."""

from __future__ import annotations

import datetime as dt
import functools
import os
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

GENERATED_P12 = "portal-signing.p12"
GENERATED_CA = "portal-signing-ca.pem"
# Long lives: without a timestamp authority a signature is checked at today's date, so a
# self-managed certificate must outlast the records it signs (schools keep some for 25 years).
CA_YEARS = 40
SIGNER_YEARS = 30


class SigningKeyError(ImproperlyConfigured):
    """The signing key cannot be used; the message says what to do, in plain words."""


@dataclass(frozen=True)
class SigningKey:
    private_key: object  # a cryptography private key
    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...]  # the issuers (CA) in the file, may be empty
    source: str  # "configured" or "generated": said on the verify page and in checks

    @property
    def trust_anchors(self) -> tuple[x509.Certificate, ...]:
        """What a checker trusts: the CA that issued our certificate (so a renewed
        signing certificate from the same CA still checks), or the certificate itself."""
        return self.chain or (self.certificate,)

    def asn1_certificate(self) -> asn1_x509.Certificate:
        return asn1_x509.Certificate.load(self.certificate.public_bytes(serialization.Encoding.DER))

    def asn1_chain(self) -> list[asn1_x509.Certificate]:
        return [asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER)) for c in self.chain]

    def asn1_private_key(self) -> asn1_keys.PrivateKeyInfo:
        der = self.private_key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        return asn1_keys.PrivateKeyInfo.load(der)


def generated_dir() -> Path:
    return Path(settings.PDF_SIGNING_DIR)


def generated_p12_path() -> Path:
    return generated_dir() / GENERATED_P12


def configured_p12_path() -> Path | None:
    value = getattr(settings, "PDF_SIGNING_P12", "")
    return Path(value) if value else None


def load_p12(path: Path, password: str | None, *, source: str) -> SigningKey:
    """The key and certificates in a PKCS#12 file; SigningKeyError when the file is
    missing, unreadable, protected by another password or holds no key."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise SigningKeyError(
            f"The PDF signing key file {path} (PDF_SIGNING_P12) does not exist. "
            "Check the path, or unset PDF_SIGNING_P12 and run `manage.py make_signing_key`."
        ) from None
    except OSError as error:
        raise SigningKeyError(
            f"The PDF signing key file {path} (PDF_SIGNING_P12) cannot be read ({error.strerror})."
        ) from None
    try:
        key, certificate, chain = pkcs12.load_key_and_certificates(data, password.encode() if password else None)
    except ValueError:
        # cryptography says "Invalid password or PKCS12 data": it cannot tell which.
        raise SigningKeyError(
            f"The PDF signing key file {path} cannot be opened: the password "
            "(PDF_SIGNING_P12_PASSWORD) is wrong, or the file is not a PKCS#12 (.p12/.pfx) file."
        ) from None
    if key is None or certificate is None:
        raise SigningKeyError(f"The PDF signing key file {path} holds no private key and certificate.")
    return SigningKey(private_key=key, certificate=certificate, chain=tuple(chain or ()), source=source)


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, getattr(settings, "PDF_SIGNING_ORGANISATION", "AUP Portal")),
        ]
    )


def make_key_material(organisation: str = "AUP Portal") -> tuple[bytes, bytes]:
    """A new self-managed CA and a document-signing certificate it issues (EC P-256:
    small, and fast to sign with). Returns (PKCS#12 bytes without a password, CA PEM)."""
    now = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name(f"{organisation} document signing CA (self-managed)")
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=365 * CA_YEARS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True
        )  # keyCertSign, cRLSign
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(f"{organisation} document signing"))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=365 * SIGNER_YEARS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(True, True, False, False, False, False, False, False, False), critical=True
        )  # digitalSignature, nonRepudiation
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    p12 = pkcs12.serialize_key_and_certificates(b"portal-signing", key, cert, [ca_cert], serialization.NoEncryption())
    return p12, ca_cert.public_bytes(serialization.Encoding.PEM)


def generate_signing_key(directory: Path | None = None) -> tuple[Path, bool]:
    """Make the self-managed key under `directory` (var/signing/) unless one is there.
    Returns (the PKCS#12 path, whether it was made now). Safe when two processes race:
    the file appears whole (a hard link of a finished file) or not at all."""
    directory = Path(directory or generated_dir())
    target = directory / GENERATED_P12
    if target.exists():
        return target, False
    directory.mkdir(parents=True, exist_ok=True)
    os.chmod(directory, 0o700)
    p12, ca_pem = make_key_material(getattr(settings, "PDF_SIGNING_ORGANISATION", "AUP Portal"))
    temporary = directory / f".{GENERATED_P12}.{os.getpid()}"
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(p12)
    try:
        os.link(temporary, target)  # fails if another process made one first: keep theirs
        made = True
    except FileExistsError:
        made = False
    finally:
        temporary.unlink()
    if made:
        (directory / GENERATED_CA).write_bytes(ca_pem)
    return target, made


@functools.lru_cache(maxsize=4)
def _cached_key(path: str, password: str | None, source: str, mtime: float) -> SigningKey:
    return load_p12(Path(path), password, source=source)


def signing_key() -> SigningKey:
    """The key PDFs are signed with: the configured PKCS#12, else the generated one
    (made now where PDF_SIGNING_GENERATE allows: development and tests)."""
    configured = configured_p12_path()
    if configured is not None:
        path, password, source = configured, settings.PDF_SIGNING_P12_PASSWORD or None, "configured"
    else:
        path, password, source = generated_p12_path(), None, "generated"
        if not path.exists():
            if not settings.PDF_SIGNING_GENERATE:
                raise SigningKeyError(_no_key_message())
            generate_signing_key()
    try:
        mtime = path.stat().st_mtime
    except OSError:
        mtime = 0.0
    return _cached_key(str(path), password, source, mtime)


def _no_key_message() -> str:
    return (
        "No PDF signing key: signed PDFs cannot be made. Either set PDF_SIGNING_P12 (and "
        "PDF_SIGNING_P12_PASSWORD) to your trust's PKCS#12 document-signing certificate, or "
        f"run `python manage.py make_signing_key` once to create a self-managed one in {generated_dir()}. "
        "See .env.example and README, 'Signed PDFs'."
    )


def check_configured_key() -> None:
    """Every process, as it starts (CoreConfig.ready): a PKCS#12 file the operator
    named must open. A wrong path or password is a mistake to hear about at once, in
    plain words, not at the first signature hours later in a worker's log."""
    if configured_p12_path() is not None:
        signing_key()


def check_at_startup() -> None:
    """The processes that sign (the web app: config/wsgi.py; the Celery worker:
    config/celery.py): besides the above, in production (PDF_SIGNING_GENERATE off) a
    key must have been configured or generated. Other commands (migrate, backup...)
    do not need one. Raises SigningKeyError, which stops the process with its message."""
    if configured_p12_path() is None and not generated_p12_path().exists():
        if settings.PDF_SIGNING_GENERATE:
            return  # made on first use
        raise SigningKeyError(_no_key_message())
    signing_key()


def certificate_fingerprint(certificate: x509.Certificate) -> str:
    """SHA-256 of the certificate, as 'AB:CD:...' (how browsers and openssl show it)."""
    digest = certificate.fingerprint(hashes.SHA256()).hex().upper()
    return ":".join(digest[i : i + 2] for i in range(0, len(digest), 2))
