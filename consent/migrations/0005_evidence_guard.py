"""Consent records and their signed PDFs are evidence: append-only and never
truncated (core.evidence). Only a PDF's `emailed_at` marker may change."""

from django.db import migrations

from core.evidence import guard

OLD = """
DROP TRIGGER IF EXISTS consent_record_append_only ON consent_consentrecord;
DROP FUNCTION IF EXISTS consent_record_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [("consent", "0004_phone_decision_emailed_at"), ("core", "0003_evidence_guard")]
    operations = [
        guard("consent_consentrecord", replaces=OLD),
        guard("consent_consentdocument", mutable=["emailed_at"]),
    ]
