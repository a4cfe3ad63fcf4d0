"""Settings come from the environment; production values pass Django's deploy checks."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _manage(*args, **env):
    # A production-like environment: nothing the test run itself has set leaks in.
    clean = {k: os.environ[k] for k in ("PATH", "HOME", "LANG", "TMPDIR") if k in os.environ}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_values_pass_check_deploy_without_a_single_warning():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY="x" * 20 + "a-long-random-production-secret-key-0123456789",
        ALLOWED_HOSTS="portal.example-school.org.uk",
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_debug_off_without_a_secret_key_stops_with_a_clear_message():
    result = _manage("check")

    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_debug_defaults_to_off():
    result = _manage("shell", "-c", "from django.conf import settings; print(settings.DEBUG)", SECRET_KEY="k" * 50)

    assert result.stdout.strip().endswith("False"), result.stdout + result.stderr


def test_uk_language_time_zone_and_date_formats(settings):
    import datetime

    from django.utils import formats, timezone

    assert settings.LANGUAGE_CODE == "en-gb"
    assert settings.TIME_ZONE == "Europe/London"
    assert formats.date_format(datetime.date(2026, 9, 1), "SHORT_DATE_FORMAT") == "01/09/2026"
    summer = datetime.datetime(2026, 7, 1, 11, 30, tzinfo=datetime.UTC)
    assert timezone.localtime(summer).strftime("%H:%M") == "12:30"


_EMBEDDED = """
import json
from django.conf import settings
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("PRAGMA journal_mode")
    journal = cursor.fetchone()[0]
    cursor.execute("PRAGMA busy_timeout")
    busy = cursor.fetchone()[0]
print(json.dumps({
    "var": str(settings.VAR_DIR),
    "database": settings.DATABASES["default"],
    "broker": settings.CELERY_BROKER_URL,
    "broker_options": settings.CELERY_BROKER_TRANSPORT_OPTIONS,
    "journal": journal,
    "busy_timeout_ms": busy,
}, default=str))
"""


def test_the_embedded_default_is_sqlite_in_wal_mode_whose_writers_wait_for_each_other(tmp_path):
    result = _manage("shell", "-c", _EMBEDDED, DEBUG="1", VAR_DIR=str(tmp_path / "var"))

    assert result.returncode == 0, result.stdout + result.stderr
    found = json.loads(result.stdout.strip().splitlines()[-1])
    database = found["database"]
    assert database["ENGINE"] == "django.db.backends.sqlite3"
    assert database["NAME"] == str(tmp_path / "var" / "db.sqlite3")
    # Every transaction takes the write lock when it begins: a second writer waits for
    # it (the busy timeout) instead of failing when its read turns into a write.
    assert database["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert found["busy_timeout_ms"] >= 10_000
    assert found["journal"] == "wal"  # readers go on while one process writes


def test_every_folder_of_the_filesystem_broker_is_under_var(tmp_path):
    var = tmp_path / "var"
    result = _manage("shell", "-c", _EMBEDDED, DEBUG="1", VAR_DIR=str(var))

    assert result.returncode == 0, result.stdout + result.stderr
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert found["broker"] == "filesystem://"
    folders = {k: v for k, v in found["broker_options"].items() if k.endswith(("_folder", "_folder_in", "_folder_out"))}
    # kombu's folders: messages in and out, processed messages, and the control folder
    # (which queues each exchange feeds), whose default is control/ in the current folder.
    assert set(folders) == {"data_folder_in", "data_folder_out", "processed_folder", "control_folder"}
    for key, folder in folders.items():
        assert Path(folder).is_relative_to(var / "celery"), key
    assert Path(folders["control_folder"]).is_dir()  # made before the worker needs it
