"""Signatures, the exact signed texts, the signed PDFs and the paper scans are
evidence: append-only and never truncated (core.evidence). Only a PDF's `emailed_at`
marker may change."""

from django.db import migrations

from core.evidence import guard

OLD = """
DROP TRIGGER IF EXISTS agreements_signature_append_only ON agreements_signature;
DROP FUNCTION IF EXISTS agreements_signature_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [("agreements", "0008_signature_covering_index"), ("core", "0003_evidence_guard")]
    operations = [
        guard("agreements_signature", replaces=OLD),
        guard("agreements_formtext"),
        guard("agreements_signeddocument", mutable=["emailed_at"]),
        guard("agreements_paperscan"),
    ]
