"""On PostgreSQL, an incident's safeguarding flag and its pupils change only through
the chronology: the flag may take only the value the latest triage entry records, and
a pupil may be linked or unlinked only as the latest report or triage entry records
(its `pupil_ids`). So each change is a new, permanent entry, never an UPDATE in place.
The services write the entry first, then the change."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION incidents_flag_follows_chronology() RETURNS trigger AS $$
BEGIN
    IF NEW.safeguarding IS DISTINCT FROM OLD.safeguarding AND NOT EXISTS (
        SELECT 1 FROM incidents_incidententry e
        WHERE e.id = (SELECT max(id) FROM incidents_incidententry
                      WHERE incident_id = NEW.id AND kind = 'triage')
          AND (e.data->>'safeguarding')::boolean IS NOT DISTINCT FROM NEW.safeguarding
    ) THEN
        RAISE EXCEPTION 'An incident''s safeguarding flag changes only by a triage entry in its chronology';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER incidents_incident_flag_follows_chronology
    BEFORE UPDATE OF safeguarding ON incidents_incident
    FOR EACH ROW EXECUTE FUNCTION incidents_flag_follows_chronology();

CREATE OR REPLACE FUNCTION incidents_pupils_follow_chronology() RETURNS trigger AS $$
DECLARE
    row_incident bigint := CASE WHEN TG_OP = 'DELETE' THEN OLD.incident_id ELSE NEW.incident_id END;
    row_pupil bigint := CASE WHEN TG_OP = 'DELETE' THEN OLD.pupil_id ELSE NEW.pupil_id END;
    recorded jsonb;
BEGIN
    IF TG_OP = 'UPDATE' THEN
        RAISE EXCEPTION 'An incident''s pupils change only by an entry in its chronology';
    END IF;
    SELECT data->'pupil_ids' INTO recorded FROM incidents_incidententry
    WHERE id = (SELECT max(id) FROM incidents_incidententry
                WHERE incident_id = row_incident AND kind IN ('reported', 'triage'));
    IF (TG_OP = 'INSERT' AND NOT coalesce(recorded @> to_jsonb(row_pupil), false))
       OR (TG_OP = 'DELETE' AND coalesce(recorded @> to_jsonb(row_pupil), true)) THEN
        RAISE EXCEPTION 'An incident''s pupils change only by an entry in its chronology';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER incidents_pupils_follow_chronology
    BEFORE INSERT OR UPDATE OR DELETE ON incidents_incident_pupils
    FOR EACH ROW EXECUTE FUNCTION incidents_pupils_follow_chronology();
"""

DROP = """
DROP TRIGGER IF EXISTS incidents_pupils_follow_chronology ON incidents_incident_pupils;
DROP FUNCTION IF EXISTS incidents_pupils_follow_chronology();
DROP TRIGGER IF EXISTS incidents_incident_flag_follows_chronology ON incidents_incident;
DROP FUNCTION IF EXISTS incidents_flag_follows_chronology();
"""


def _run(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            with schema_editor.connection.cursor() as cursor:
                cursor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("incidents", "0005_evidence_guard")]
    operations = [migrations.RunPython(_run(CREATE), _run(DROP))]
