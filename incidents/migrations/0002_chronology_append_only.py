"""On PostgreSQL the database itself refuses to change or delete an incident's
chronology entry or its evidence: they are the record. (TRUNCATE, which test teardown
uses, is not a row operation.)"""

from django.db import migrations

TABLES = ["incidents_incidententry", "incidents_incidentevidence"]

CREATE_FUNCTION = """
CREATE OR REPLACE FUNCTION incidents_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'An incident''s chronology and evidence are never changed or deleted';
END;
$$ LANGUAGE plpgsql;
"""

CREATE_TRIGGER = """
CREATE TRIGGER {table}_append_only
    BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION incidents_append_only();
"""

DROP_TRIGGER = "DROP TRIGGER IF EXISTS {table}_append_only ON {table};"
DROP_FUNCTION = "DROP FUNCTION IF EXISTS incidents_append_only();"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE_FUNCTION)
        for table in TABLES:
            schema_editor.execute(CREATE_TRIGGER.format(table=table))


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for table in TABLES:
            schema_editor.execute(DROP_TRIGGER.format(table=table))
        schema_editor.execute(DROP_FUNCTION)


class Migration(migrations.Migration):
    dependencies = [("incidents", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
