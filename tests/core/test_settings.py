"""Settings come from the environment; production values pass Django's deploy checks."""

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
