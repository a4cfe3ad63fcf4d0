"""The commands around the signing key: make it, export its certificate, and check a
PDF offline with nothing but that certificate (no database, no portal key)."""

import io
import os
import subprocess
import sys
from pathlib import Path

from cryptography import x509
from django.core.management import call_command

from core.pdf import render_pdf
from core.signing import sign_pdf
from core.signing_keys import GENERATED_CA, GENERATED_P12, generate_signing_key, signing_key
from tests.signing import one_byte_changed

ROOT = Path(__file__).resolve().parents[2]


def test_make_signing_key_makes_one_key_once(tmp_path, settings):
    settings.PDF_SIGNING_DIR = str(tmp_path / "signing")
    out = io.StringIO()
    call_command("make_signing_key", stdout=out)
    assert "Made a self-managed PDF signing key" in out.getvalue()
    first = (tmp_path / "signing" / GENERATED_P12).read_bytes()

    again = io.StringIO()
    call_command("make_signing_key", stdout=again)

    assert "already there" in again.getvalue()
    assert (tmp_path / "signing" / GENERATED_P12).read_bytes() == first
    ca = x509.load_pem_x509_certificate((tmp_path / "signing" / GENERATED_CA).read_bytes())
    assert signing_key().certificate.issuer == ca.subject


def test_the_exported_certificate_is_public_material_only(capsys):
    call_command("export_signing_certificate")
    pem = capsys.readouterr().out
    assert pem.count("BEGIN CERTIFICATE") == 2  # the CA, then the signing certificate
    assert "PRIVATE KEY" not in pem


def _verify_offline(pdf: Path, cert: Path, tmp_path) -> subprocess.CompletedProcess:
    """As an auditor would, years later: production settings, an empty var/, no
    database server and no signing key, only the file and the certificate."""
    keep = {k: os.environ[k] for k in ("PATH", "HOME", "LANG", "TMPDIR") if k in os.environ}
    env = {**keep, "DJANGO_SETTINGS_MODULE": "config.settings", "SECRET_KEY": "a" * 50, "VAR_DIR": str(tmp_path)}
    return subprocess.run(
        [sys.executable, "manage.py", "verify_pdf", str(pdf), "--cert", str(cert)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_verify_pdf_checks_a_file_offline_with_only_the_certificate(tmp_path, capsys):
    signed = sign_pdf(render_pdf("<title>T</title><p>I agree.</p>"), reason="Signed agreement")
    (tmp_path / "genuine.pdf").write_bytes(signed)
    (tmp_path / "changed.pdf").write_bytes(one_byte_changed(signed, where=0.4))
    call_command("export_signing_certificate", output=str(tmp_path / "trust.pem"))
    # The auditor's machine has another key of its own (or none): only --cert counts.
    generate_signing_key(tmp_path / "offline" / "signing")

    genuine = _verify_offline(tmp_path / "genuine.pdf", tmp_path / "trust.pem", tmp_path / "offline")
    assert genuine.returncode == 0, genuine.stderr
    assert "The portal's digital signature is valid" in genuine.stdout

    changed = _verify_offline(tmp_path / "changed.pdf", tmp_path / "trust.pem", tmp_path / "offline")
    assert changed.returncode == 1
    assert "The file has been changed since it was signed." in changed.stdout
