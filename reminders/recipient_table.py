"""The people a batch of reminders is for, in a temporary table of this connection.

A sweep of a large school has thousands of recipients. Naming them in an `IN (...)`
list makes a query whose parameters grow with the school (5,000 ids, twice a school,
before this); the database plans it anew each time and SQLite has a cap on
parameters. Instead the ids go into a temporary table (one `executemany`) and the
queries read `recipient_id IN (SELECT recipient_id FROM ...)`, a subquery of fixed
text. A temporary table belongs to the connection, so two sweeps running at once on
two connections never see each other's rows."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection
from django.db.models.expressions import RawSQL

TABLE = "reminders_batch_recipient"


def fill(recipient_ids: Iterable[int]) -> None:
    """Replace the table's rows with `recipient_ids` (made on first use): three
    queries however many people. Call inside the transaction that reads it."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS {quote(TABLE)} (recipient_id integer PRIMARY KEY)")
        cursor.execute(f"DELETE FROM {quote(TABLE)}")  # noqa: S608 (a constant name)
        cursor.executemany(
            f"INSERT INTO {quote(TABLE)} (recipient_id) VALUES (%s)",  # noqa: S608
            [(pk,) for pk in set(recipient_ids)],
        )


def recipients() -> RawSQL:
    """The filled ids, as a subquery: `filter(recipient_id__in=recipients())`."""
    # A constant table name and no parameters: nothing from outside reaches the SQL.
    return RawSQL(f"SELECT recipient_id FROM {connection.ops.quote_name(TABLE)}", ())  # noqa: S608, S611
