"""Evidence no one at runtime can alter (PostgreSQL).

Two database roles: the owner, which runs migrations and owns every table, and the
runtime role, as which the web app and the Celery worker connect. On evidence tables
(signatures, the exact signed texts, signed PDFs, paper scans, consent records and
their PDFs, the audit log, an incident's chronology and evidence, disposals) the
runtime role may only INSERT and SELECT, plus UPDATE of the few columns named as
mutable (the marker that a PDF was emailed). Not being the owner, it can neither
disable a trigger nor truncate.

Each evidence table also carries `portal_evidence_guard` triggers, which refuse
UPDATE (but of the mutable columns), DELETE and TRUNCATE whoever asks, the owner
included. The triggers are the one list of evidence tables: `grant_runtime_role`
reads them back from the catalogue, so a new evidence table needs only its migration.
"""

from django.db import migrations

GUARD_FUNCTION = """
CREATE OR REPLACE FUNCTION portal_evidence_guard() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        RAISE EXCEPTION '% holds evidence: it is never emptied', TG_TABLE_NAME;
    ELSIF TG_OP = 'DELETE' THEN
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

ROW_TRIGGER = "{table}_evidence_guard"
TRUNCATE_TRIGGER = "{table}_evidence_no_truncate"


def _quote_args(mutable) -> str:
    return ", ".join(f"'{column}'" for column in mutable)


def guard_sql(table: str, mutable=()) -> str:
    row = ROW_TRIGGER.format(table=table)
    truncate = TRUNCATE_TRIGGER.format(table=table)
    return f"""
DROP TRIGGER IF EXISTS {row} ON {table};
CREATE TRIGGER {row} BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION portal_evidence_guard({_quote_args(mutable)});
DROP TRIGGER IF EXISTS {truncate} ON {table};
CREATE TRIGGER {truncate} BEFORE TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION portal_evidence_guard();
"""


def unguard_sql(table: str) -> str:
    return (
        f"DROP TRIGGER IF EXISTS {ROW_TRIGGER.format(table=table)} ON {table};\n"
        f"DROP TRIGGER IF EXISTS {TRUNCATE_TRIGGER.format(table=table)} ON {table};"
    )


def _execute(schema_editor, sql):
    # Through a cursor with no parameters: the trigger's RAISE uses % placeholders.
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(sql)


def guard(table: str, mutable=(), *, replaces: str = "") -> migrations.RunPython:
    """A migration operation making `table` evidence (on PostgreSQL; other databases
    rely on the models' own refusals). `replaces` is SQL dropping an older trigger."""

    def forwards(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            _execute(schema_editor, replaces + guard_sql(table, mutable))

    def backwards(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            _execute(schema_editor, unguard_sql(table))

    return migrations.RunPython(forwards, backwards)


def create_guard_function() -> migrations.RunPython:
    def forwards(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            _execute(schema_editor, GUARD_FUNCTION)

    def backwards(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            _execute(schema_editor, "DROP FUNCTION IF EXISTS portal_evidence_guard()")

    return migrations.RunPython(forwards, backwards)


def evidence_tables(cursor) -> dict[str, list[str]]:
    """{table: its mutable columns} for every table guarded as evidence."""
    cursor.execute(
        """
        SELECT c.relname, t.tgnargs, t.tgargs
        FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
        WHERE t.tgname = c.relname || '_evidence_guard'
        ORDER BY c.relname
        """
    )
    tables = {}
    for table, nargs, args in cursor.fetchall():
        raw = bytes(args).decode() if args else ""
        tables[table] = [a for a in raw.split("\x00") if a][:nargs]
    return tables


def grant_runtime_role(cursor, role: str) -> dict[str, list[str]]:
    """Give `role` what the app needs and no more: every right on ordinary tables, and
    on evidence tables INSERT and SELECT (and UPDATE of their mutable columns). Run as
    the owner after every migration (the post_migrate hook does). Returns the evidence
    tables."""
    from psycopg import sql

    ident = sql.Identifier(role)
    cursor.execute(
        sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(sql.Identifier(cursor.connection.info.dbname), ident)
    )
    cursor.execute(sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(ident))
    cursor.execute(sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {}").format(ident))
    cursor.execute(sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {}").format(ident))
    evidence = evidence_tables(cursor)
    for table, mutable in evidence.items():
        table_ident = sql.Identifier(table)
        cursor.execute(sql.SQL("REVOKE ALL ON {} FROM {}").format(table_ident, ident))
        cursor.execute(sql.SQL("GRANT SELECT, INSERT ON {} TO {}").format(table_ident, ident))
        if mutable:
            cursor.execute(
                sql.SQL("GRANT UPDATE ({}) ON {} TO {}").format(
                    sql.SQL(", ").join(map(sql.Identifier, mutable)), table_ident, ident
                )
            )
    # The controlled path of disposal at the end of retention (core.retention_disposal).
    from .retention_disposal import CALLABLE_FUNCTIONS

    for signature in CALLABLE_FUNCTIONS:
        cursor.execute("SELECT to_regprocedure(%s) IS NOT NULL", [signature])
        if cursor.fetchone()[0]:
            cursor.execute(sql.SQL("GRANT EXECUTE ON FUNCTION {} TO {}").format(sql.SQL(signature), ident))
    return evidence


def ensure_role(cursor, role: str, password: str | None = None) -> bool:
    """Create the runtime role (LOGIN, nothing else) if it does not exist. True if made.

    Roles belong to the whole server, not one database: two processes may create the
    same role at the same moment (the test suite's xdist workers, each with its own
    test database, or two releases). The one that comes second finds it made and goes
    on, instead of failing; the exception is caught inside the DO block, so a
    transaction around this stays usable."""
    from psycopg import sql

    cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
    made = cursor.fetchone() is None
    if made:
        cursor.execute(
            sql.SQL(
                "DO $$ BEGIN CREATE ROLE {} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE; "
                "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$"
            ).format(sql.Identifier(role))
        )
    if password:
        cursor.execute(sql.SQL("ALTER ROLE {} PASSWORD {}").format(sql.Identifier(role), sql.Literal(password)))
    return made


def owns_schema(cursor) -> bool:
    """Is this connection the owner of the tables (so it may grant on them)?"""
    cursor.execute(
        "SELECT tableowner = current_user FROM pg_tables WHERE schemaname = 'public' AND tablename = 'core_auditevent'"
    )
    row = cursor.fetchone()
    return bool(row and row[0])
