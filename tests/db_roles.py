"""The test suite runs as the runtime database role, as the web app and worker do in
production, so every test proves the app works without the right to alter evidence.

On PostgreSQL the test database is created and migrated as the owner (DATABASE_URL's
user); the conftest then creates the runtime role, grants it (core.evidence) and
reconnects as it. What only the owner may do in a test (empty the tables between
transactional tests, add a trigger that makes an insert fail) goes through
`owner_connection`."""

from contextlib import contextmanager

import psycopg

RUNTIME_ROLE = "aup_test_runtime"

# The owner's credentials while the suite runs as the runtime role (set by conftest).
OWNER: dict = {}


def runs_as_runtime_role() -> bool:
    return bool(OWNER)


@contextmanager
def owner_connection(connection, dbname=None):
    """A separate autocommit connection to the test database (or to `dbname` on the
    same server), as its owner."""
    settings = connection.settings_dict
    params = {
        "dbname": dbname or settings["NAME"],
        "user": OWNER.get("USER", settings["USER"]),
        "password": OWNER.get("PASSWORD", settings["PASSWORD"]) or None,
        "host": settings["HOST"] or None,
        "port": settings["PORT"] or None,
    }
    with psycopg.connect(**{k: v for k, v in params.items() if v is not None}, autocommit=True) as owner:
        yield owner


def owner_url(connection, dbname=None) -> str:
    """A DATABASE_URL for a child process that connects as the owner."""
    return _url(connection, OWNER.get("USER", connection.settings_dict["USER"]), OWNER.get("PASSWORD"), dbname)


def runtime_url(connection, dbname=None) -> str:
    """A DATABASE_URL for a child process that connects as the runtime role, as the
    web app and the worker do in production."""
    return _url(connection, RUNTIME_ROLE, "", dbname)


def _url(connection, user, password, dbname) -> str:
    from urllib.parse import quote

    settings = connection.settings_dict
    credentials = quote(user, safe="") + (f":{quote(password, safe='')}" if password else "")
    host = settings["HOST"] or "localhost"
    port = f":{settings['PORT']}" if settings["PORT"] else ""
    return f"postgres://{credentials}@{host}{port}/{dbname or settings['NAME']}"


def flush_as_owner(connection, sql_list):
    """Empty the tables between transactional tests. Evidence tables refuse TRUNCATE
    to everyone by trigger; only a superuser owner may switch triggers off for its own
    session (session_replication_role), which is what this test-only reset does."""
    with owner_connection(connection) as owner, owner.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        for sql in sql_list:
            cursor.execute(sql)
