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


def test_production_values_pass_check_deploy_without_a_single_warning(tmp_path):
    # Production names its signing key (without one, check --deploy says so: core.E101).
    from core.signing_keys import make_key_material

    p12, _ = make_key_material()
    (tmp_path / "signing.p12").write_bytes(p12)
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY="x" * 20 + "a-long-random-production-secret-key-0123456789",
        ALLOWED_HOSTS="portal.example-school.org.uk",
        PDF_SIGNING_P12=str(tmp_path / "signing.p12"),
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


def test_the_beat_schedule_file_lives_under_var_unless_beat_schedule_file_says_otherwise(tmp_path):
    show = "from config.celery import app; print(app.conf.beat_schedule_filename)"
    secret = {"SECRET_KEY": "k" * 50}

    default = _manage("shell", "-c", show, **secret)
    moved = _manage("shell", "-c", show, BEAT_SCHEDULE_FILE=str(tmp_path / "beat" / "schedule"), **secret)

    assert default.stdout.strip().endswith(str(ROOT / "var" / "celerybeat-schedule")), default.stdout + default.stderr
    assert moved.stdout.strip().endswith(str(tmp_path / "beat" / "schedule")), moved.stdout + moved.stderr


def test_worker_children_are_recycled_by_default_and_either_limit_can_be_turned_off():
    """WeasyPrint holds memory between PDFs (bench/worker_memory.py): a pool child is
    replaced after 100 tasks, or after a task that leaves it above 300 MB."""
    show = (
        "from config.celery import app; "
        "print(app.conf.worker_max_tasks_per_child, app.conf.worker_max_memory_per_child)"
    )
    secret = {"SECRET_KEY": "k" * 50}

    default = _manage("shell", "-c", show, **secret)
    off = _manage("shell", "-c", show, WORKER_MAX_TASKS_PER_CHILD="0", WORKER_MAX_MEMORY_PER_CHILD_KB="0", **secret)

    assert default.stdout.split()[-2:] == ["100", "300000"], default.stdout + default.stderr
    assert off.stdout.split()[-2:] == ["None", "None"], off.stdout + off.stderr


def test_behind_one_proxy_sign_in_rate_limits_count_each_client_not_the_proxy():
    # allauth's rate limits ("login": 30 a minute per address) and its list of sessions
    # take the address from X-Forwarded-For only when told how many proxies to trust;
    # otherwise every person behind nginx shares nginx's address, and one bucket.
    show = (
        "from allauth.account.adapter import get_adapter; from django.test import RequestFactory; "
        "request = RequestFactory().get('/', HTTP_X_FORWARDED_FOR='198.51.100.9, 203.0.113.7', REMOTE_ADDR='127.0.0.1'); "
        "print(get_adapter().get_client_ip(request))"
    )
    secret = {"SECRET_KEY": "k" * 50}

    behind_nginx = _manage("shell", "-c", show, NUM_PROXIES="1", **secret)
    direct = _manage("shell", "-c", show, **secret)

    assert behind_nginx.stdout.strip().endswith("203.0.113.7"), behind_nginx.stdout + behind_nginx.stderr
    assert direct.stdout.strip().endswith("127.0.0.1"), direct.stdout + direct.stderr


def test_persistent_database_connections_are_checked_before_each_request_reuses_them():
    # With CONN_MAX_AGE above 0 a process keeps its connection between requests; after a
    # PostgreSQL restart or a failover the first request would otherwise fail on it.
    show = "from django.conf import settings; d = settings.DATABASES['default']; print(d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'])"

    result = _manage("shell", "-c", show, CONN_MAX_AGE="60", SECRET_KEY="k" * 50)

    assert result.stdout.strip().endswith("60 True"), result.stdout + result.stderr


def test_production_keeps_database_connections_for_a_minute_by_default():
    # Issue 19: a new PostgreSQL connection per request was a large share of a page's
    # fixed cost; production keeps them unless told otherwise, development does not.
    show = "from django.conf import settings; d = settings.DATABASES['default']; print(d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'])"

    production = _manage("shell", "-c", show, SECRET_KEY="k" * 50)
    development = _manage("shell", "-c", show, DEBUG="1")
    told = _manage("shell", "-c", show, SECRET_KEY="k" * 50, CONN_MAX_AGE="0")

    assert production.stdout.strip().endswith("60 True"), production.stdout + production.stderr
    assert development.stdout.strip().endswith("0 True"), development.stdout + development.stderr
    assert told.stdout.strip().endswith("0 True"), told.stdout + told.stderr


def _setting(name, **env):
    result = _manage("shell", "-c", f"from django.conf import settings; print(settings.{name})", **env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_in_development_site_url_follows_port():
    assert _setting("SITE_URL", DEBUG="1", PORT="8123") == "http://localhost:8123"
    assert _setting("SITE_URL", DEBUG="1") == "http://localhost:8000"


def test_a_site_url_that_is_set_wins_over_port():
    assert (
        _setting("SITE_URL", DEBUG="1", PORT="8123", SITE_URL="http://portal.test:9000/") == "http://portal.test:9000"
    )
    assert _setting("SITE_URL", PORT="8123", SECRET_KEY="k" * 50, SITE_URL="https://portal.example") == (
        "https://portal.example"
    )


def test_in_development_without_email_url_emails_go_to_the_outbox():
    assert _setting("EMAIL_BACKEND", DEBUG="1") == "core.mail_outbox.EmailBackend"


def test_an_email_url_or_debug_off_keeps_the_backend_it_names():
    assert _setting("EMAIL_BACKEND", DEBUG="1", EMAIL_URL="smtp://mail.example:25") == (
        "django.core.mail.backends.smtp.EmailBackend"
    )
    assert _setting("EMAIL_BACKEND", SECRET_KEY="k" * 50) == "django.core.mail.backends.console.EmailBackend"


def test_each_xdist_worker_of_the_test_suite_has_broker_keys_of_its_own():
    """Two pytest-xdist workers running real Celery workers on one Redis must not take
    each other's tasks: each one's queues live under its own key prefix."""
    options = "CELERY_BROKER_TRANSPORT_OPTIONS.get('global_keyprefix')"
    env = {"DJANGO_SETTINGS_MODULE": "config.settings_test", "REDIS_URL": "redis://127.0.0.1:6379/15"}

    first = _setting(options, PYTEST_XDIST_WORKER="gw0", **env)
    second = _setting(options, PYTEST_XDIST_WORKER="gw1", **env)

    assert first and second and first != second
    assert _setting(options, **env) == "None"  # one process: no prefix needed
