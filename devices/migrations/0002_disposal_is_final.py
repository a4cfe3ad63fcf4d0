"""On PostgreSQL the database itself keeps a disposed device disposed, and refuses to
put it on a loan: disposal is final."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION devices_disposed_stays_disposed() RETURNS trigger AS $$
BEGIN
    IF OLD.status = 'disposed' AND NEW.status <> 'disposed' THEN
        RAISE EXCEPTION 'A disposed device stays disposed';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER devices_device_disposed_stays_disposed
    BEFORE UPDATE ON devices_device
    FOR EACH ROW EXECUTE FUNCTION devices_disposed_stays_disposed();

CREATE OR REPLACE FUNCTION devices_disposed_never_lent() RETURNS trigger AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM devices_device WHERE id = NEW.device_id AND status = 'disposed') THEN
        RAISE EXCEPTION 'A disposed device can never be lent';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER devices_loanitem_disposed_never_lent
    BEFORE INSERT ON devices_loanitem
    FOR EACH ROW EXECUTE FUNCTION devices_disposed_never_lent();
"""

DROP = """
DROP TRIGGER IF EXISTS devices_loanitem_disposed_never_lent ON devices_loanitem;
DROP FUNCTION IF EXISTS devices_disposed_never_lent();
DROP TRIGGER IF EXISTS devices_device_disposed_stays_disposed ON devices_device;
DROP FUNCTION IF EXISTS devices_disposed_stays_disposed();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("devices", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
