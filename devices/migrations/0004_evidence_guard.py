"""A disposal (with its certificate of data destruction) is evidence: append-only and
never truncated (core.evidence)."""

from django.db import migrations

from core.evidence import guard


class Migration(migrations.Migration):
    dependencies = [("devices", "0003_annual_check"), ("core", "0003_evidence_guard")]
    operations = [guard("devices_disposal")]
