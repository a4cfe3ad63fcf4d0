"""An incident's chronology and evidence move to the shared evidence guard
(core.evidence), which also refuses TRUNCATE."""

from django.db import migrations

from core.evidence import guard

OLD = """
DROP TRIGGER IF EXISTS {table}_append_only ON {table};
"""


class Migration(migrations.Migration):
    dependencies = [("incidents", "0004_breach_pending_index"), ("core", "0003_evidence_guard")]
    operations = [
        guard("incidents_incidententry", replaces=OLD.format(table="incidents_incidententry")),
        guard(
            "incidents_incidentevidence",
            replaces=OLD.format(table="incidents_incidentevidence")
            + "DROP FUNCTION IF EXISTS incidents_append_only();",
        ),
    ]
