"""On PostgreSQL the database itself refuses to change or delete a signature: it is
evidence. (TRUNCATE, which test teardown uses, is not a row operation.)"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION agreements_signature_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'Signatures are evidence: they are never changed or deleted';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER agreements_signature_append_only
    BEFORE UPDATE OR DELETE ON agreements_signature
    FOR EACH ROW EXECUTE FUNCTION agreements_signature_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS agreements_signature_append_only ON agreements_signature;
DROP FUNCTION IF EXISTS agreements_signature_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("agreements", "0002_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
