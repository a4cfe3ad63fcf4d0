"""Requests per second and latency of the pages people open most, served by gunicorn
with 2 workers on PostgreSQL, against the sign-in page measured in the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/aup_portal_bench \
    REDIS_URL=redis://127.0.0.1:6379/0 \
    .venv/bin/python -m bench.load

Issue 15 asks for a load script that runs against gunicorn with 2 workers on
PostgreSQL and prints requests per second and p50/p95 for the parent's /family/, a
teacher's home and the head's home, next to the login page as the baseline.

What it does:

1. Creates its own database, test_<DATABASE_URL's name>_load, as DATABASE_URL's user
   (the owner): migrates it, loads the demo trust (`seed_demo`: two schools, 300
   pupils, their parents, staff across the roles) and runs `setup_db_roles` for a
   runtime role of its own, as a deployment does. The demo's signed PDFs are not
   rendered (no worker runs); the pages measured only read.
2. Gives the demo head an authenticator (TOTP), and production password hashes to the
   three people it signs in as.
3. `collectstatic` into a temporary folder, then starts gunicorn (2 sync workers) with
   production settings (DEBUG off, WhiteNoise, REDIS_URL's Redis for the cache when set)
   connecting as the runtime role, as behind nginx: every request says
   X-Forwarded-Proto: https and carries an X-Forwarded-For (NUM_PROXIES=1).
4. Signs in through the real forms: the parent and the teacher with their password,
   the head with their password and then a TOTP code computed from the secret.
5. Warms up, then for --rounds rounds measures each page in turn (the order rotates
   each round) with --clients concurrent clients making --requests requests:
   the sign-in page (anonymous, the baseline), the parent's /family/, the teacher's
   home (/home/) and the head's home (/home/).

It prints, for each page, requests per second and p50/p95 latency over all rounds and
their ratios to the sign-in page. Exit status 0 only if every request answered 200.
Everything it made (database, role, static folder, gunicorn) is removed at the end.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import io
import itertools
import os
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path

from bench._setup import django_setup

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "portal-demo-2026"  # schools.demo.DEMO_PASSWORD
PARENT = "parent@riverside.example"
TEACHER = "teacher@riverside.example"
HEAD = "head@riverside.example"
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


# --- The database ------------------------------------------------------------------


@contextlib.contextmanager
def load_database(runtime_password: str):
    """A database of its own with the demo trust and a runtime role; yields the
    runtime role's DATABASE_URL. Destroyed (with the role) afterwards."""
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import override_settings

    from config.celery import app as celery_app

    if connection.vendor != "postgresql":
        sys.exit("bench.load measures PostgreSQL: set DATABASE_URL=postgres://owner@host:5432/name")
    old_name = connection.settings_dict["NAME"]
    connection.settings_dict["TEST"]["NAME"] = f"test_{old_name}_load"
    role = f"test_{old_name}_load_runtime"
    name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        if not os.environ.get("REDIS_URL"):
            # Without Redis the portal caches in the database (config/settings.py).
            db_cache = {
                "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "portal_cache"}
            }
            with override_settings(CACHES=db_cache):
                call_command("createcachetable", verbosity=0)
        # The demo queues a PDF for each signature; no worker runs here, so they go to
        # an in-memory broker and are dropped (the pages measured only read).
        celery_app.conf.task_always_eager = False
        celery_app.conf.broker_url = "memory://localhost/"
        with override_settings(DEBUG=True):  # seed_demo refuses to run with DEBUG off
            call_command("seed_demo", stdout=io.StringIO())
        os.environ["BENCH_RUNTIME_PASSWORD"] = runtime_password
        call_command("setup_db_roles", role=role, password_env="BENCH_RUNTIME_PASSWORD", stdout=io.StringIO())
        settings = connection.settings_dict
        host = settings["HOST"] or "127.0.0.1"
        port = settings["PORT"] or 5432
        yield f"postgres://{role}:{urllib.parse.quote(runtime_password)}@{host}:{port}/{name}"
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        with connection._nodb_cursor() as cursor:
            cursor.execute(f'DROP ROLE IF EXISTS "{role}"')


def prepare_people() -> str:
    """Production password hashes for the three people (the bench's own settings hash
    with MD5, which production settings do not accept), and an authenticator for the
    head, who must use one. Returns the head's TOTP secret."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    from accounts.models import User

    hasher = PBKDF2PasswordHasher()
    for email in (PARENT, TEACHER, HEAD):
        User.objects.filter(email=email).update(password=hasher.encode(PASSWORD, hasher.salt()))
    secret = generate_totp_secret()
    TOTP.activate(User.objects.get(email=HEAD), secret)
    return secret


def totp_code(secret: str) -> str:
    from allauth.mfa import app_settings
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    return format_hotp_value(hotp_value(secret, int(time.time()) // app_settings.TOTP_PERIOD))


# --- gunicorn -----------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def gunicorn(database_url: str, *, workers: int, conn_max_age: int, root: Path = ROOT, secret_key: str | None = None):
    """gunicorn serving config.wsgi of the code in `root` (this checkout unless told)
    with production settings; yields its port. Servers given the same `secret_key`
    accept each other's session cookies (the sessions live in the shared database)."""
    folder = Path(tempfile.mkdtemp(prefix="aup-bench-load-"))
    port = free_port()
    clean = {k: os.environ[k] for k in ("PATH", "HOME", "LANG", "TMPDIR") if k in os.environ}
    env = {
        **clean,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "0",
        "SECRET_KEY": secret_key or secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "CSRF_TRUSTED_ORIGINS": f"https://127.0.0.1:{port}",
        "PYTHONPATH": str(root),
        "SITE_URL": f"https://127.0.0.1:{port}",
        "NUM_PROXIES": "1",
        "DATABASE_URL": database_url,
        "CONN_MAX_AGE": str(conn_max_age),
        "STATIC_ROOT": str(folder / "static"),
        "MEDIA_ROOT": str(folder / "media"),
        "PRIVATE_MEDIA_ROOT": str(folder / "private"),
        "LOG_LEVEL": "WARNING",
    }
    if os.environ.get("REDIS_URL"):
        env["REDIS_URL"] = os.environ["REDIS_URL"]
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "--verbosity", "0"],
        cwd=root,
        env=env,
        check=True,
    )
    log = open(folder / "gunicorn.log", "w+")  # closed in finally
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", str(workers)],
        cwd=root,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                Client(port).get("/healthz")  # 503 is fine: no worker runs; it answers
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    sys.exit(f"gunicorn did not start:\n{log.read()[-3000:]}")
                time.sleep(0.3)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
        shutil.rmtree(folder, ignore_errors=True)


# --- A browser, as far as the portal can tell -------------------------------------


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: str


@dataclass
class Client:
    """One person's browser: their cookies, and the headers nginx would add."""

    port: int
    address: str = "198.51.100.1"
    cookies: dict = field(default_factory=dict)

    def request(self, method: str, path: str, form: dict | None = None, *, keep_cookies: bool = True) -> Response:
        origin = f"https://127.0.0.1:{self.port}"
        headers = {
            "Host": f"127.0.0.1:{self.port}",
            "User-Agent": "bench.load",
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": self.address,
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers |= {"Content-Type": "application/x-www-form-urlencoded", "Origin": origin, "Referer": origin + path}
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        try:
            connection.request(method, path, body=body, headers=headers)
            answer = connection.getresponse()
            response = Response(answer.status, answer.headers, answer.read().decode("utf-8", "replace"))
        finally:
            connection.close()
        if keep_cookies:
            for line in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(line).items():
                    if morsel.value and morsel["max-age"] != "0":
                        self.cookies[name] = morsel.value
                    else:
                        self.cookies.pop(name, None)
        return response

    def get(self, path: str, **kwargs) -> Response:
        return self.request("GET", path, **kwargs)

    def post_form(self, path: str, fields: dict) -> Response:
        """GET the page for its CSRF token, then POST the form as a browser would."""
        page = self.get(path)
        token = CSRF_INPUT.search(page.body)
        if not token:
            raise RuntimeError(f"No form with a CSRF token at {path} ({page.status})")
        return self.request("POST", path, {"csrfmiddlewaretoken": token.group(1), **fields})


def sign_in(client: Client, email: str, totp_secret: str | None = None) -> None:
    answer = client.post_form("/accounts/login/", {"login": email, "password": PASSWORD})
    if answer.status != 302:
        raise RuntimeError(f"Signing in as {email} answered {answer.status}, not a redirect")
    if totp_secret:
        step = urllib.parse.urlparse(answer.headers["Location"]).path
        if step != "/accounts/2fa/authenticate/":
            raise RuntimeError(f"{email} was not asked for a code but sent to {step}")
        answer = client.post_form(step, {"code": totp_code(totp_secret)})
        if answer.status != 302:
            raise RuntimeError(f"The TOTP code for {email} answered {answer.status}, not a redirect")


# --- Measuring ----------------------------------------------------------------------


@dataclass
class Page:
    label: str
    path: str
    client: Client
    anonymous: bool = False
    latencies: list = field(default_factory=list)
    seconds: float = 0.0
    failures: list = field(default_factory=list)

    @property
    def requests(self) -> int:
        return len(self.latencies)

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds

    def percentile(self, p: int) -> float:
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[p - 1] * 1000


def hammer(page: Page, *, clients: int, requests: int) -> None:
    """`requests` GETs of the page from `clients` threads at once; the wall time of the
    batch and each request's latency are added to the page's totals."""
    counter = itertools.count()
    lock = threading.Lock()

    def run():
        while next(counter) < requests:
            started = time.perf_counter()
            try:
                response = page.client.get(page.path, keep_cookies=False)
                status = response.status
            except OSError as error:
                status = repr(error)
            elapsed = time.perf_counter() - started
            with lock:
                page.latencies.append(elapsed)
                if status != 200:
                    page.failures.append(status)

    threads = [threading.Thread(target=run) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    page.seconds += time.perf_counter() - started


def report(pages: list[Page], args, server: str) -> None:
    base = pages[0]
    print(
        f"\ngunicorn {args.workers} sync workers on {server}, CONN_MAX_AGE={args.conn_max_age}; "
        f"{args.clients} concurrent clients; {args.rounds} rounds of {args.requests} requests per page"
    )
    header = f"{'page':<28}{'requests':>9}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}   {'÷ sign-in page: req/s':>21}{'p50':>7}{'p95':>7}"
    print(header)
    print("-" * len(header))
    for page in pages:
        print(
            f"{page.label:<28}{page.requests:>9}{page.per_second:>9.1f}{page.percentile(50):>9.1f}{page.percentile(95):>9.1f}"
            f"   {page.per_second / base.per_second:>21.2f}{page.percentile(50) / base.percentile(50):>7.2f}"
            f"{page.percentile(95) / base.percentile(95):>7.2f}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=4, help="concurrent clients (default 4)")
    parser.add_argument("--requests", type=int, default=150, help="requests per page per round (default 150)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds, each measuring every page (default 3)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--conn-max-age", type=int, default=60, help="CONN_MAX_AGE for gunicorn (default 60)")
    args = parser.parse_args()

    django_setup()
    from django.db import connection

    with load_database(secrets.token_urlsafe(24)) as database_url:
        totp_secret = prepare_people()
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            server = f"PostgreSQL {cursor.fetchone()[0].split()[0]}"
        connection.close()  # gunicorn's processes are the ones measured
        with gunicorn(database_url, workers=args.workers, conn_max_age=args.conn_max_age) as port:
            parent, teacher, head = (Client(port, f"198.51.100.{n}") for n in (2, 3, 4))
            sign_in(parent, PARENT)
            sign_in(teacher, TEACHER)
            sign_in(head, HEAD, totp_secret)
            pages = [
                Page("sign-in page (baseline)", "/accounts/login/", Client(port, "198.51.100.5"), anonymous=True),
                Page("parent: /family/", "/family/", parent),
                Page("teacher: home (/home/)", "/home/", teacher),
                Page("head: home (/home/)", "/home/", head),
            ]
            for page in pages:
                check = page.client.get(page.path, keep_cookies=False)
                signed_in = "/accounts/logout/" in check.body
                if check.status != 200 or signed_in == page.anonymous:
                    raise RuntimeError(f"{page.label}: answered {check.status}, signed in: {signed_in}")
                hammer(page, clients=args.clients, requests=max(args.clients * 5, 20))  # warm up
                page.latencies.clear()
                page.seconds = 0.0
                page.failures.clear()
            for round_number in range(args.rounds):
                shift = round_number % len(pages)
                for page in pages[shift:] + pages[:shift]:
                    hammer(page, clients=args.clients, requests=args.requests)
                print(f"round {round_number + 1} of {args.rounds} done", file=sys.stderr)
    report(pages, args, server)
    failures = {page.label: page.failures[:5] for page in pages if page.failures}
    if failures:
        print(f"\nNot every request answered 200: {failures}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
