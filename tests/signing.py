"""Digital-signature test tooling: a real RFC 3161 timestamp server on 127.0.0.1 (pyHanko's
DummyTimeStamper behind http.server, so the portal's own HTTP client path is used),
and the ways a signed PDF gets tampered with (one byte; an incremental update that
alters a page; a signature by another certificate; the signature stripped).

The suite's own signing key is made per test process on first use (config/settings_test.py)."""

from __future__ import annotations

import datetime as dt
import io
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


@dataclass
class TimestampAuthority:
    url: str
    ca_pem: Path  # the TSA's CA certificate, for PDF_TSA_CERTIFICATES
    requests: list  # one entry per timestamp served


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _tsa_material():
    """A CA and a timestamping certificate it issues (RSA: DummyTimeStamper signs RSA only)."""
    now = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca = (
        x509.CertificateBuilder()
        .subject_name(_name("Test timestamp CA"))
        .issuer_name(_name("Test timestamp CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(_name("Test timestamp authority"))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(True, True, False, False, False, False, False, False, False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    return ca, key, certificate


@pytest.fixture(scope="session")
def timestamp_server(tmp_path_factory):
    from asn1crypto import keys, tsp
    from asn1crypto import x509 as asn1_x509
    from pyhanko.sign.timestamps import DummyTimeStamper

    ca, key, certificate = _tsa_material()
    der = serialization.Encoding.DER
    stamper = DummyTimeStamper(
        tsa_cert=asn1_x509.Certificate.load(certificate.public_bytes(der)),
        tsa_key=keys.PrivateKeyInfo.load(
            key.private_bytes(der, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        ),
        certs_to_embed=[asn1_x509.Certificate.load(ca.public_bytes(der))],
    )
    served = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's name
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if self.headers.get("Content-Type") != "application/timestamp-query":
                self.send_error(415)
                return
            reply = stamper.request_tsa_response(tsp.TimeStampReq.load(body)).dump()
            served.append(len(body))
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    ca_pem = tmp_path_factory.mktemp("tsa") / "tsa-ca.pem"
    ca_pem.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    yield TimestampAuthority(url=f"http://127.0.0.1:{server.server_port}/tsa", ca_pem=ca_pem, requests=served)
    server.shutdown()
    server.server_close()


@pytest.fixture
def timestamp_authority(settings, timestamp_server):
    """The portal configured with the local timestamp authority, as an operator would."""
    settings.PDF_TSA_URL = timestamp_server.url
    settings.PDF_TSA_CERTIFICATES = str(timestamp_server.ca_pem)
    return timestamp_server


@pytest.fixture
def another_signing_key(settings, tmp_path):
    """Switch the portal to a different, freshly made key; returns a function that
    signs with it and puts the original key back."""
    from core.signing import sign_pdf

    def sign_with_another_key(pdf: bytes, **kwargs) -> bytes:
        original = settings.PDF_SIGNING_DIR
        settings.PDF_SIGNING_DIR = str(tmp_path / "another-key")
        try:
            return sign_pdf(pdf, reason=kwargs.pop("reason", "Not the portal"), **kwargs)
        finally:
            settings.PDF_SIGNING_DIR = original

    return sign_with_another_key


# --- tampering ------------------------------------------------------------------------


def one_byte_changed(pdf: bytes, where: float = 0.5) -> bytes:
    changed = bytearray(pdf)
    index = int(len(changed) * where)
    changed[index] = (changed[index] + 1) % 256
    return bytes(changed)


def page_altered(pdf: bytes, text: bytes = b"Amended after signing") -> bytes:
    """An incremental update, as an editor would append it, that draws on page 1:
    the signed bytes are untouched, so only the check of what changed since catches it."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    page_ref = writer.root["/Pages"]["/Kids"].raw_get(0)
    page = page_ref.get_object()
    drawing = generic.StreamObject(stream_data=b"BT /Helv 24 Tf 72 400 Td (" + text + b") Tj ET")
    drawing_ref = writer.add_object(drawing)
    contents = page.raw_get("/Contents")
    existing = list(contents.get_object()) if isinstance(contents.get_object(), generic.ArrayObject) else [contents]
    page["/Contents"] = generic.ArrayObject([*existing, drawing_ref])
    writer.update_container(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def signature_stripped(pdf: bytes) -> bytes:
    """The pages copied into a new file (as 'print to PDF' or many editors do): the
    text and images remain, the digital signature does not."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        writer.add_page(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
