"""Set up the runtime database role (PostgreSQL): run as the owner, after `migrate`.

    DATABASE_URL=postgres://owner@host/aup manage.py setup_db_roles --role aup_runtime

creates the role if it is missing (LOGIN and nothing else; its password from the
environment variable named by --password-env, if given) and grants it what the app
needs: every right on ordinary tables, INSERT and SELECT only on evidence tables.
The web app and the worker then connect as that role. `migrate` re-applies the
grants by itself whenever DATABASE_RUNTIME_ROLE names an existing role."""

import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from core.evidence import ensure_role, grant_runtime_role, owns_schema


class Command(BaseCommand):
    help = "Create the runtime database role and grant it all but the right to alter evidence."

    def add_arguments(self, parser):
        parser.add_argument("--role", default=settings.DATABASE_RUNTIME_ROLE or "aup_runtime")
        parser.add_argument("--password-env", default="", help="Environment variable holding the role's password.")

    def handle(self, *, role, password_env, **options):
        if connection.vendor != "postgresql":
            raise CommandError("Database roles are for PostgreSQL; SQLite has no roles.")
        password = os.environ.get(password_env) if password_env else None
        if password_env and not password:
            raise CommandError(f"{password_env} is empty.")
        with transaction.atomic(), connection.cursor() as cursor:
            if not owns_schema(cursor):
                raise CommandError("Run this as the database owner (the role that ran the migrations).")
            made = ensure_role(cursor, role, password)
            evidence = grant_runtime_role(cursor, role)
        self.stdout.write(
            f"{'Created' if made else 'Updated'} role {role}: read and write on ordinary tables, "
            f"insert and read only on {len(evidence)} evidence tables."
        )
