"""Settings for AUP Portal. Everything that differs between machines comes from the
environment (see .env.example); with nothing set, DEBUG is off and the portal refuses
to start without a SECRET_KEY. `make run` sets DEBUG=1 for the embedded default:
SQLite and Celery's filesystem broker under var/."""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# The embedded default's data (SQLite, the filesystem broker, uploaded files): var/ in
# the checkout, or elsewhere (a test gives each run its own).
VAR_DIR = Path(env.str("VAR_DIR", default=str(BASE_DIR / "var")))

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it in the environment or in .env "
            "(any long random string; see .env.example), or set DEBUG=1 for development."
        )
    SECRET_KEY = "insecure-development-key-never-use-in-production"

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# How many reverse proxies (nginx, a load balancer) stand in front of gunicorn. The
# client's address is then the one the outermost of them appended to X-Forwarded-For;
# the audit log and allauth's rate limits both read it this way (see below).
NUM_PROXIES = env.int("NUM_PROXIES", default=0)
# allauth trusts the same proxies. Its rate limits ask the account adapter for the
# address, which answers with core.audit.client_ip, so the audit log and the limits
# always name the same client.
ALLAUTH_TRUSTED_PROXY_COUNT = NUM_PROXIES
# In development (DEBUG on) the address follows PORT, so links in emails and the verify
# URL in PDFs work when the server runs on another port. (`make run` sets SITE_URL
# itself: honcho gives the worker and beat other PORTs.)
SITE_URL = env.str(
    "SITE_URL", default=f"http://localhost:{env.int('PORT', default=8000)}" if DEBUG else "http://localhost:8000"
).rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Django's widget templates, for core.form_renderer (which reads templates/ first).
    "django.forms",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "csp",
    "core",
    "accounts",
    "schools",
    "aup",
    "agreements",
    "reminders",
    "incidents",
    "consent",
    "devices",
    # After every app whose records it sweeps (they register their kinds with core.retention).
    "retention",
    "privacy",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # /healthz answers monitoring on any Host header; must come before CommonMiddleware.
    "core.middleware.HealthzAnyHostMiddleware",
    "core.middleware.RequestBodyLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.SessionPolicyMiddleware",
    "accounts.middleware.RequireMFAMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.portal",
                "core.desk.context_processor",
            ],
        },
    },
]

# --- Data stores -------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Seconds a process keeps its database connection between requests (0: a new one per
# request). 60 by default in production (DEBUG off): a new PostgreSQL connection costs
# several milliseconds a request (bench/request_load.py). A kept connection is checked
# before a request reuses it (CONN_HEALTH_CHECKS below), so a database restart costs no
# failed request. Development (DEBUG on) opens one per request, as Django does.
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0 if DEBUG else 60))
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite for a web server with a worker beside it (`make run`): WAL lets readers
    # go on while one process writes; every transaction takes the write lock when it
    # begins (IMMEDIATE), so a second writer waits for it (up to `timeout` seconds)
    # rather than failing with "database is locked" when a read turns into a write.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
        }
    )
DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# PostgreSQL: the role the web app and worker connect as (DATABASE_URL's user), which
# may not alter evidence. Migrations run as the owner; `manage.py setup_db_roles`
# creates this role and `migrate` re-grants it (see README, "Security").
DATABASE_RUNTIME_ROLE = env.str("DATABASE_RUNTIME_ROLE", default="")

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "aup",
        }
    }
else:
    # Rate limits and login codes live in the cache; on one machine the database
    # cache is shared by web and worker processes, which a per-process cache is not.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "portal_cache",
        }
    }

# --- Celery --------------------------------------------------------------------------
CELERY_BROKER_URL = REDIS_URL or "filesystem://"
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {"visibility_timeout": 3600}
    if REDIS_URL
    else {
        "data_folder_in": str(VAR_DIR / "celery" / "queue"),
        "data_folder_out": str(VAR_DIR / "celery" / "queue"),
        "processed_folder": str(VAR_DIR / "celery" / "processed"),
        # Which queues each exchange feeds (the worker's remote control included):
        # kombu's default is control/ in the current folder, the repository itself.
        "control_folder": str(VAR_DIR / "celery" / "control"),
        "store_processed": False,
        # How long an idle worker waits before looking in the queue folder again
        # (kombu's default is a second, which each task would wait for in turn).
        "polling_interval": 0.1,
    }
)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# WeasyPrint keeps memory between PDFs: a pool child grew from 162 MB after 50 signed
# PDFs to 272 MB after 500, about 20 MB every 50 (bench/worker_memory.py). So each
# child is replaced by a fresh one after 100 tasks (50 PDFs and their emails), and at
# once after any task that leaves it above 300 MB (a long list printed as a PDF).
# 0 turns either off. Prefork pool only: `--pool=solo` ignores both.
CELERY_WORKER_MAX_TASKS_PER_CHILD = env.int("WORKER_MAX_TASKS_PER_CHILD", default=100) or None
CELERY_WORKER_MAX_MEMORY_PER_CHILD = env.int("WORKER_MAX_MEMORY_PER_CHILD_KB", default=300_000) or None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = "Europe/London"
# Where beat keeps its record of when each periodic task last ran: a file only beat
# writes, so on a server it belongs in a writable state folder (systemd's
# StateDirectory, e.g. /var/lib/aup-portal/celerybeat-schedule), not the code.
CELERY_BEAT_SCHEDULE_FILENAME = env.str("BEAT_SCHEDULE_FILE", default=str(VAR_DIR / "celerybeat-schedule"))
CELERY_BEAT_SCHEDULE = {
    # Reminder emails whose quiet hours are over (recorded in the database, never
    # parked in the broker as ETA tasks).
    "send-due-reminder-emails": {
        "task": "reminders.tasks.send_due_reminder_emails",
        "schedule": 300,
    },
    # What is due (signatures, policy reviews, the new year, Monday's summary), found
    # in the database school by school; each reminder is recorded once.
    "run-reminder-sweeps": {
        "task": "reminders.tasks.run_reminder_sweeps",
        "schedule": crontab(minute=10),
    },
    "worker-heartbeat": {
        "task": "core.tasks.record_worker_heartbeat",
        "schedule": timedelta(seconds=60),
    },
    # The retention schedule: what has reached the end of its rule goes on the DPO's
    # review list (nothing is destroyed before they approve it).
    "sweep-retention": {
        "task": "retention.tasks.sweep_retention",
        "schedule": crontab(minute=30, hour=2),
    },
    # Subject access exports hold everything about a person: gone 30 days after.
    "remove-expired-subject-access-exports": {
        "task": "privacy.tasks.remove_expired_subject_access_exports",
        "schedule": crontab(minute=20, hour="*"),
    },
    "end-memberships-past-leaving-date": {
        "task": "schools.tasks.end_memberships_past_leaving_date",
        "schedule": crontab(minute=5, hour="*"),
    },
}
# /healthz calls the worker unwell when its last heartbeat is older than this.
WORKER_HEARTBEAT_MAX_AGE = timedelta(minutes=3)
# /healthz tells anyone only "ok" or "unavailable"; the state of each part (database,
# broker, worker) is for monitoring that sends `Authorization: Bearer <this token>`,
# or a signed-in superuser. Empty: no token opens the detail.
HEALTHZ_TOKEN = env.str("HEALTHZ_TOKEN", default="")

# --- Accounts ------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["allauth.account.auth_backends.AuthenticationBackend"]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "core:home"
ACCOUNT_ADAPTER = "accounts.adapters.PortalAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "none"  # the invitation link proves the address
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_BY_CODE_TIMEOUT = 10 * 60
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "AUP Portal: "
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    # Per address, and per account (the key). The per-account lock holds only for the
    # addresses that failed against the account: see PortalAccountAdapter.pre_authenticate.
    "login_failed": "10/m/ip,5/5m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "request_login_code": "20/m/ip,3/m/key",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "AUP Portal"
# Last seen, address and browser of each session, for "your sessions"; written by
# accounts.middleware.SessionPolicyMiddleware at most once a SESSION_ACTIVITY_RESOLUTION
# (allauth's own UserSessionsMiddleware, which writes on every request, is not used).
USERSESSIONS_TRACK_ACTIVITY = True
USERSESSIONS_ADAPTER = "allauth.usersessions.adapter.DefaultUserSessionsAdapter"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sessions: 12 hours at most for everyone; 30 minutes idle for people who can see
# safeguarding records or the whole school's personal data (accounts.middleware).
SESSION_COOKIE_AGE = int(timedelta(hours=12).total_seconds())
SESSION_IDLE_TIMEOUT_SENSITIVE = timedelta(minutes=30)
# The idle clock and the "your sessions" list are saved at most this often: a busy page
# writes nothing, and the idle timeout is exact to within this.
SESSION_ACTIVITY_RESOLUTION = timedelta(minutes=1)
INVITATION_VALID_FOR = timedelta(days=7)

# --- Email ---------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
# Development with no EMAIL_URL: emails are kept in var/outbox/, one console line each,
# and read at /dev/outbox/ (core.mail_outbox).
EMAIL_OUTBOX_DIR = VAR_DIR / "outbox"
if DEBUG and not env.str("EMAIL_URL", default=""):
    EMAIL_BACKEND = "core.mail_outbox.EmailBackend"
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="AUP Portal <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Language, time and dates --------------------------------------------------------
LANGUAGE_CODE = "en-gb"
LANGUAGES = [("en-gb", "English")]
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d", "%d/%m/%y", "%d-%m-%Y"]
FORMAT_MODULE_PATH = ["config.formats"]
# Every form: errors that say what to do, no label colons, no "---------" (core.form_renderer).
FORM_RENDERER = "core.form_renderer.PortalRenderer"
LOCALE_PATHS = [BASE_DIR / "locale"]

# --- Files ---------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=str(VAR_DIR / "static"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(VAR_DIR / "media"))
# Private media (signed PDFs, evidence) is never served by URL, only through views
# that check permission.
PRIVATE_MEDIA_ROOT = env.path("PRIVATE_MEDIA_ROOT", default=str(VAR_DIR / "private"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {"BACKEND": "core.storage.PrivateStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# S3-compatible object storage for private and default media, instead of the folders
# above, when a bucket is named: what several web and worker machines share. The
# bucket must be private (block public access); files are read back by the app and
# sent through views that check permission, never by a link to the bucket (core.s3).
# Credentials: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or the machine's own role.
AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
AWS_S3_ENDPOINT_URL = env.str("AWS_S3_ENDPOINT_URL", default="") or None  # not AWS: https://s3.example.org
AWS_S3_REGION_NAME = env.str("AWS_S3_REGION_NAME", default="") or None
AWS_S3_ADDRESSING_STYLE = env.str("AWS_S3_ADDRESSING_STYLE", default="") or None  # "path" for some servers
if AWS_STORAGE_BUCKET_NAME:
    STORAGES["default"] = {"BACKEND": "core.s3.PrivateS3Storage", "OPTIONS": {"location": "media"}}
    STORAGES["private"] = {"BACKEND": "core.s3.PrivateS3Storage", "OPTIONS": {"location": "private"}}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# A request body larger than this is refused (413, core.middleware) before it is read:
# the largest upload any form takes (10 MB: scans, evidence, certificates, photos,
# policy documents) plus room for the form's other fields and the multipart framing.
MAX_REQUEST_BODY_BYTES = env.int("MAX_REQUEST_BODY_BYTES", default=11 * 1024 * 1024)

# --- Roster imports ------------------------------------------------------------------
# A file that would mark more than this share of the school's current pupils, staff or
# carers as leaving is most likely one class's or year's export, not the whole school's:
# the check leads with a warning and applying it needs an extra, explicit confirmation.
ROSTER_LEAVING_WARNING_SHARE = env.float("ROSTER_LEAVING_WARNING_SHARE", default=0.10)

# --- Signed PDFs (PAdES, core/signing.py) ---------------------------------------------
# The document-signing key: a PKCS#12 file from the trust's CA or a commercial
# certificate. Unset: the self-managed key `manage.py make_signing_key` makes in
# PDF_SIGNING_DIR; with DEBUG on it is made on first use, in production it must exist.
PDF_SIGNING_P12 = env.str("PDF_SIGNING_P12", default="")
PDF_SIGNING_P12_PASSWORD = env.str("PDF_SIGNING_P12_PASSWORD", default="")
PDF_SIGNING_DIR = VAR_DIR / "signing"
PDF_SIGNING_GENERATE = DEBUG
# An RFC 3161 time-stamping authority; unset, signatures carry the portal's clock only.
PDF_TSA_URL = env.str("PDF_TSA_URL", default="")
# The authority's CA certificates (PEM), when no system trust store vouches for it.
PDF_TSA_CERTIFICATES = env.str("PDF_TSA_CERTIFICATES", default="")
PDF_TSA_TIMEOUT = 10

# --- Security ------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        # allauth shows the TOTP QR code as a data: URI.
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "object-src": [NONE],
        "base-uri": [SELF],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # WeasyPrint logs each step of every PDF it renders at INFO.
        "weasyprint": {"level": "WARNING"},
        # fontTools logs every table of every font it subsets (signature stamps) at INFO.
        "fontTools": {"level": "WARNING"},
    },
}
