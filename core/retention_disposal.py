"""The one controlled path by which records at the end of their retention are
deleted or anonymised.

On PostgreSQL the runtime role (the web app and the worker) may not DELETE or
UPDATE evidence tables at all. Disposal goes through two SECURITY DEFINER functions
owned by the migration role (retention/migrations, `FUNCTION_SQL` below): each takes
the id of a review the DPO approved and the ids of rows of one kind, keeps only the
ids that review lists, deletes (or blanks the named columns of) those rows with the
owner's rights, and writes the audit line itself in the same transaction. The
evidence triggers let the owner's rows go only while the function runs (a
transaction-local setting that only the function sets; the runtime role has no
DELETE right to use it with). On other databases (SQLite, the embedded default)
the rows are deleted or updated directly and the audit line is written here.

Files in storage go with their rows, once the transaction has committed.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection, models, transaction

# What "anonymise" blanks in each table that can be anonymised: the PostgreSQL
# function is built from this same table, so the two paths cannot drift apart.
#
# The function is made from this table by a migration (retention 0002): a table added
# here later needs a migration that runs `function_sql()` again.
ANONYMISE = {
    "core_auditevent": {"ip_address": None},
    "agreements_signature": {
        "ip_address": None,
        "user_agent": "",
        "confirmed_ip_address": None,
        "confirmed_user_agent": "",
    },
    "schools_pupil": {
        "first_name": "Former",
        "last_name": "pupil",
        "upn": "",
        "mis_id": "",
        "date_of_birth": None,
        "school_class_id": None,
    },
}


@dataclass(frozen=True)
class Disposal:
    """Which approved review and kind a disposal belongs to (passed to each kind's
    `dispose`)."""

    review_id: int
    kind: str

    def part(self, name: str) -> Disposal:
        """The same disposal, for the rows listed as the kind's `name` part."""
        return Disposal(review_id=self.review_id, kind=f"{self.kind}/{name}")


def _sql_literal(value) -> str:
    if value is None:
        return "NULL"
    return "'" + str(value).replace("'", "''") + "'"


def anonymise_cases_sql() -> str:
    """The CASE arms of portal_retention_anonymise, one per table of ANONYMISE."""
    arms = []
    for table, values in ANONYMISE.items():
        sets = ", ".join(f"{column} = {_sql_literal(value)}" for column, value in values.items())
        # Built from the constant ANONYMISE above, never from input.
        quoted = sets.replace("'", "''")
        arms.append(f"WHEN '{table}' THEN 'UPDATE {table} SET {quoted} WHERE id = ANY($1)'")  # noqa: S608
    return "\n            ".join(arms)


def _use_function() -> bool:
    return connection.vendor == "postgresql"


def purge(disposal: Disposal, model: type[models.Model], column: str, ids: list[int]) -> int:
    """Delete the rows of `model` whose `column` is one of `ids` (ids of the kind's
    records on the approved review). Returns how many rows went."""
    if not ids:
        return 0
    table = model._meta.db_table
    if _use_function():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT portal_retention_delete(%s, %s, %s, %s, %s)",
                [disposal.review_id, disposal.kind, table, column, list(ids)],
            )
            return cursor.fetchone()[0]
    from .models import AuditEvent

    approved = _approved_ids(disposal, ids)
    queryset = model._base_manager.filter(**{f"{column}__in": approved})
    count = queryset._raw_delete(queryset.db)
    AuditEvent.objects.create(**_audit(disposal, table, "delete", count))
    return count


def anonymise(disposal: Disposal, model: type[models.Model], ids: list[int]) -> int:
    """Blank the personal columns (ANONYMISE) of the rows of `model` with `ids`."""
    if not ids:
        return 0
    table = model._meta.db_table
    if _use_function():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT portal_retention_anonymise(%s, %s, %s, %s)",
                [disposal.review_id, disposal.kind, table, list(ids)],
            )
            return cursor.fetchone()[0]
    from .models import AuditEvent

    field_names = {field.column: field.name for field in model._meta.concrete_fields}
    values = {field_names[column]: value for column, value in ANONYMISE[table].items()}
    queryset = model._base_manager.filter(pk__in=_approved_ids(disposal, ids))
    count = models.QuerySet.update(queryset, **values)
    AuditEvent.objects.create(**_audit(disposal, table, "anonymise", count))
    return count


def _approved_ids(disposal: Disposal, ids) -> list[int]:
    """The ids that the approved review lists for this kind (as the function checks)."""
    from django.apps import apps

    Review = apps.get_model("retention", "Review")
    ReviewItem = apps.get_model("retention", "ReviewItem")
    if not Review.objects.filter(pk=disposal.review_id, status="approved").exists():
        raise PermissionError("Records are destroyed only on a review the data protection officer approved.")
    return list(
        ReviewItem.objects.filter(
            review_id=disposal.review_id, kind=disposal.kind, object_id__in=list(ids)
        ).values_list("object_id", flat=True)
    )


def _audit(disposal: Disposal, table: str, how: str, count: int) -> dict:
    return dict(
        action="retention.disposed",
        object_type="retention.review",
        object_id=str(disposal.review_id),
        summary=f"{'Deleted' if how == 'delete' else 'Anonymised'} {count} {table} rows at the end of retention",
        data={"kind": disposal.kind, "table": table, "how": how, "count": count},
    )


def delete_files_on_commit(files) -> None:
    """Delete stored files (FieldFile values) once the rows are gone for good."""
    names = [(f.storage, f.name) for f in files if f and f.name]

    def remove():
        for storage, name in names:
            storage.delete(name)

    transaction.on_commit(remove)


FUNCTION_SQL = """
CREATE OR REPLACE FUNCTION portal_retention_approved_ids(p_review bigint, p_kind text, p_ids bigint[])
RETURNS bigint[] AS $$
DECLARE
    approved bigint[];
BEGIN
    IF NOT EXISTS (
        SELECT 1 FROM retention_review
        WHERE id = p_review AND status = 'approved' AND approved_by_id IS NOT NULL
    ) THEN
        RAISE EXCEPTION 'records are destroyed only on a review the data protection officer approved';
    END IF;
    SELECT coalesce(array_agg(object_id), '{}') INTO approved FROM retention_reviewitem
        WHERE review_id = p_review AND kind = p_kind AND object_id = ANY(p_ids);
    RETURN approved;
END;
$$ LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp;

CREATE OR REPLACE FUNCTION portal_retention_audit(p_review bigint, p_kind text, p_table text, p_how text, n integer)
RETURNS void AS $$
BEGIN
    INSERT INTO core_auditevent (created_at, action, object_type, object_id, object_repr, summary, data)
    VALUES (now(), 'retention.disposed', 'retention.review', p_review::text, '',
            (CASE p_how WHEN 'delete' THEN 'Deleted ' ELSE 'Anonymised ' END)
                || n || ' ' || p_table || ' rows at the end of retention',
            jsonb_build_object('kind', p_kind, 'table', p_table, 'how', p_how, 'count', n));
END;
$$ LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp;

CREATE OR REPLACE FUNCTION portal_retention_delete(
    p_review bigint, p_kind text, p_table text, p_column text, p_ids bigint[]
) RETURNS integer AS $$
DECLARE
    approved bigint[] := portal_retention_approved_ids(p_review, p_kind, p_ids);
    n integer;
BEGIN
    PERFORM set_config('portal.retention_disposal', 'on', true);
    EXECUTE format('DELETE FROM %I WHERE %I = ANY($1)', p_table, p_column) USING approved;
    GET DIAGNOSTICS n = ROW_COUNT;
    PERFORM set_config('portal.retention_disposal', 'off', true);
    PERFORM portal_retention_audit(p_review, p_kind, p_table, 'delete', n);
    RETURN n;
END;
$$ LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp;

CREATE OR REPLACE FUNCTION portal_retention_anonymise(p_review bigint, p_kind text, p_table text, p_ids bigint[])
RETURNS integer AS $$
DECLARE
    approved bigint[] := portal_retention_approved_ids(p_review, p_kind, p_ids);
    statement text;
    n integer;
BEGIN
    statement := CASE p_table
            {cases}
        END;
    IF statement IS NULL THEN
        RAISE EXCEPTION '% cannot be anonymised', p_table;
    END IF;
    PERFORM set_config('portal.retention_disposal', 'on', true);
    EXECUTE statement USING approved;
    GET DIAGNOSTICS n = ROW_COUNT;
    PERFORM set_config('portal.retention_disposal', 'off', true);
    PERFORM portal_retention_audit(p_review, p_kind, p_table, 'anonymise', n);
    RETURN n;
END;
$$ LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp;
"""

# The evidence guard (core.evidence) with one door: the owner, inside the functions
# above (which set the flag for the moment of their own statement), may delete or
# change a row. The runtime role holds no DELETE or UPDATE right on evidence, so the
# flag is of no use to it; outside the functions the guard refuses as before.
GUARD_WITH_DISPOSAL = """
CREATE OR REPLACE FUNCTION portal_evidence_guard() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        RAISE EXCEPTION '% holds evidence: it is never emptied', TG_TABLE_NAME;
    END IF;
    IF current_setting('portal.retention_disposal', true) = 'on' AND EXISTS (
        SELECT 1 FROM pg_tables WHERE schemaname = TG_TABLE_SCHEMA AND tablename = TG_TABLE_NAME
            AND tableowner = current_user
    ) THEN
        IF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
        RETURN NEW;
    END IF;
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION '% holds evidence: it is append-only, never deleted', TG_TABLE_NAME;
    END IF;
    -- UPDATE: only the columns given as the trigger's arguments may change.
    IF (to_jsonb(OLD) - coalesce(TG_ARGV, '{}'::text[]))
            IS DISTINCT FROM (to_jsonb(NEW) - coalesce(TG_ARGV, '{}'::text[])) THEN
        RAISE EXCEPTION '% holds evidence: it is append-only, never changed', TG_TABLE_NAME;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
"""

# Only the roles granted it (core.evidence.grant_runtime_role: the runtime role) may
# call the disposal functions; the two helpers are called by them alone.
RESTRICT_SQL = """
REVOKE ALL ON FUNCTION portal_retention_approved_ids(bigint, text, bigint[]) FROM PUBLIC;
REVOKE ALL ON FUNCTION portal_retention_audit(bigint, text, text, text, integer) FROM PUBLIC;
REVOKE ALL ON FUNCTION portal_retention_delete(bigint, text, text, text, bigint[]) FROM PUBLIC;
REVOKE ALL ON FUNCTION portal_retention_anonymise(bigint, text, text, bigint[]) FROM PUBLIC;
"""
CALLABLE_FUNCTIONS = (
    "portal_retention_delete(bigint, text, text, text, bigint[])",
    "portal_retention_anonymise(bigint, text, text, bigint[])",
)

DROP_SQL = """
DROP FUNCTION IF EXISTS portal_retention_anonymise(bigint, text, text, bigint[]);
DROP FUNCTION IF EXISTS portal_retention_delete(bigint, text, text, text, bigint[]);
DROP FUNCTION IF EXISTS portal_retention_audit(bigint, text, text, text, integer);
DROP FUNCTION IF EXISTS portal_retention_approved_ids(bigint, text, bigint[]);
"""


def function_sql() -> str:
    return FUNCTION_SQL.replace("{cases}", anonymise_cases_sql()) + RESTRICT_SQL
