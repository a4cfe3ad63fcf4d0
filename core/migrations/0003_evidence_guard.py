"""The one trigger function that keeps evidence tables append-only and refuses
TRUNCATE (core.evidence); the audit log moves to it from its own trigger."""

from django.db import migrations

from core.evidence import create_guard_function, guard

OLD = """
DROP TRIGGER IF EXISTS core_auditevent_append_only ON core_auditevent;
DROP FUNCTION IF EXISTS core_auditevent_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [("core", "0002_audit_append_only")]
    operations = [create_guard_function(), guard("core_auditevent", replaces=OLD)]
