"""The controlled path of disposal (core.retention_disposal): the SECURITY DEFINER
functions owned by the migration role, the evidence guard's one door for them, and
the destruction log made evidence itself (append-only)."""

from django.db import migrations

from core.evidence import GUARD_FUNCTION, guard
from core.retention_disposal import DROP_SQL, GUARD_WITH_DISPOSAL, function_sql


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(GUARD_WITH_DISPOSAL)
            cursor.execute(function_sql())


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(DROP_SQL)
            cursor.execute(GUARD_FUNCTION)


class Migration(migrations.Migration):
    dependencies = [
        ("retention", "0001_retention_schedule"),
        ("core", "0003_evidence_guard"),
        ("agreements", "0009_evidence_guard"),
        ("consent", "0005_evidence_guard"),
        ("incidents", "0005_evidence_guard"),
    ]
    operations = [migrations.RunPython(forwards, backwards), guard("retention_destruction")]
