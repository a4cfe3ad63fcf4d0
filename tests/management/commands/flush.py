"""`flush` for the test suite: while the suite runs as the runtime role, which may not
truncate, the tables are emptied through the owner's connection (tests.db_roles)."""

from django.core.management.commands import flush
from django.db import connections

from tests import db_roles


class Command(flush.Command):
    def handle(self, **options):
        connection = connections[options["database"]]
        if connection.vendor != "postgresql" or not db_roles.runs_as_runtime_role():
            return super().handle(**options)
        connection.ops.execute_sql_flush = lambda sql_list: db_roles.flush_as_owner(connection, sql_list)
        try:
            return super().handle(**options)
        finally:
            del connection.ops.execute_sql_flush
