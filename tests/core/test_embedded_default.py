"""The embedded default under real use: `make run`'s web server and Celery worker on
SQLite and the filesystem broker (no DATABASE_URL, no REDIS_URL), with the demo
loaded, and twelve people clicking at once over real HTTP while the worker renders
PDFs and sends mail. Nobody sees an error page and nothing anyone did is lost; the
worker reports in at once, whatever is queued; and everything the processes write
stays under var/.

Not timed: it checks what happened, not how fast."""

from __future__ import annotations

import functools
import http.client
import http.cookiejar
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

import pytest
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time

from tests.core.embedded_app import PASSWORD

pytestmark = pytest.mark.worker

ROOT = Path(__file__).resolve().parents[2]


# --- The processes -------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Embedded:
    """The portal as `make run` starts it, in a folder of its own: `run/` is the
    current folder of every process (where a stray relative path would land) and
    `run/var` the embedded default's data. Logs and the outbox live beside it."""

    def __init__(self, home: Path):
        self.home = home
        self.run = home / "run"
        self.var = self.run / "var"
        self.logs = home / "logs"
        for folder in (self.run, self.logs, home / "outbox"):
            folder.mkdir()
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        keep = ("PATH", "HOME", "LANG", "TMPDIR")
        self.env = {
            **{k: os.environ[k] for k in keep if k in os.environ},
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "PYTHONPATH": str(ROOT),
            "DEBUG": "1",
            "VAR_DIR": str(self.var),
            "EMAIL_URL": f"filemail:///{home / 'outbox'}",
            "PYTHONUNBUFFERED": "1",
        }
        self.processes: dict[str, subprocess.Popen] = {}

    def python(self, code: str, timeout: float = 180, **env) -> str:
        result = subprocess.run(
            [sys.executable, "-c", f"import django; django.setup(); {code}"],
            cwd=self.run,
            env={**self.env, **env},
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-5000:]
        return result.stdout.strip().splitlines()[-1]

    def start(self, name: str, *args: str) -> None:
        log = open(self.logs / f"{name}.log", "w")  # noqa: SIM115 (closed with the process)
        self.processes[name] = subprocess.Popen(
            [sys.executable, *args],
            cwd=self.run,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: the worker's pool goes with it
        )

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.terminate()  # the worker's warm shutdown stops its pool too
        for process in self.processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()

    def log(self, name: str) -> str:
        path = self.logs / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def queued(self) -> int:
        folder = self.var / "celery" / "queue"
        return sum(1 for name in os.listdir(folder) if name.endswith(".celery.msg"))


# --- A person with a browser (cookies, forms, redirects; no JavaScript) --------------


class _Forms(HTMLParser):
    """Each form of a page: its action and the fields a browser would send."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append({"action": a.get("action") or "", "fields": []})
        elif not self.forms or not a.get("name"):
            return
        elif tag == "input":
            field = {"type": (a.get("type") or "text").lower(), "name": a["name"], "value": a.get("value") or ""}
            field["checked"] = "checked" in a
            self.forms[-1]["fields"].append(field)
        elif tag == "textarea":
            self._textarea = {"type": "textarea", "name": a["name"], "value": ""}
            self.forms[-1]["fields"].append(self._textarea)

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea["value"] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None


def form_data(html: str, *, having: str, leave=(), **values) -> tuple[str, list[tuple[str, str]]]:
    """The action and the fields of the page's form that has a field (or an action)
    `having`, filled in as a person would: `values` typed in, every checkbox ticked
    but those named in `leave`, the first choice of each radio group."""
    parser = _Forms()
    parser.feed(html)
    form = next(
        (f for f in parser.forms if having in f["action"] or any(x["name"] == having for x in f["fields"])), None
    )
    assert form is not None, f"No form with {having!r} on the page:\n{html[:3000]}"
    data, radios = [], set()
    for field in form["fields"]:
        name, kind = field["name"], field["type"]
        if kind in ("submit", "button", "image", "file"):
            continue
        if kind == "checkbox":
            if name not in leave:
                data.append((name, field["value"] or "on"))
        elif kind == "radio":
            if name not in radios:
                radios.add(name)
                data.append((name, values.get(name, field["value"])))
        else:
            data.append((name, values.get(name, field["value"])))
    return form["action"], data


class Browser:
    """One person's browser, on a machine of its own: `address` is the loopback address
    it connects from (127.0.0.0/8 is all loopback on Linux), so that limits per IP
    address (allauth's failed sign-ins) count each person apart, as they would count
    ten teachers' laptops. Where that address cannot be used, 127.0.0.1."""

    def __init__(self, base: str, address: str = ""):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        handlers = [urllib.request.HTTPCookieProcessor(self.jar), _NoRedirects()]
        if address and _can_bind(address):
            handlers.append(_FromAddress(address))
        self.opener = urllib.request.build_opener(*handlers)
        self.seen: list[tuple[str, str, int]] = []  # (method, path, status) of every response

    def _once(self, method: str, path: str, data=None) -> tuple[int, str, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body, method=method)
        try:
            with self.opener.open(request, timeout=120) as response:
                status, headers, text = response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            status, headers, text = error.code, error.headers, error.read()
        self.seen.append((method, path, status))
        return status, headers.get("Location", ""), text.decode("utf-8", "replace")

    def go(self, method: str, path: str, data=None, expect=(200,)) -> tuple[str, str]:
        """Request `path` and follow redirects; the final page's path and text."""
        status, location, text = self._once(method, path, data)
        while status in (301, 302, 303):
            path = urllib.parse.urljoin(path, location)
            status, location, text = self._once("GET", path)
        assert status in expect, f"{method} {path}: {status} {_title(text)}\n{text[:1500] if status < 500 else ''}"
        return path, text

    def submit(self, page_path: str, html: str, *, having: str, leave=(), expect=(200,), **values):
        action, data = form_data(html, having=having, leave=leave, **values)
        return self.go("POST", urllib.parse.urljoin(page_path, action or page_path), data, expect=expect)

    def sign_in(self, email: str) -> tuple[str, str]:
        path, html = self.go("GET", "/accounts/login/")
        path, html = self.submit(path, html, having="login", login=email, password=PASSWORD)
        assert not path.startswith("/accounts/login/"), f"{email} could not sign in:\n{html[:3000]}"
        return path, html


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # Browser.go follows them itself, recording each status


class _FromAddress(urllib.request.HTTPHandler):
    def __init__(self, address: str):
        super().__init__()
        self.address = address

    def http_open(self, req):
        return self.do_open(functools.partial(http.client.HTTPConnection, source_address=(self.address, 0)), req)


def _can_bind(address: str) -> bool:
    try:
        with socket.socket() as s:
            s.bind((address, 0))
        return True
    except OSError:
        return False


def _title(html: str) -> str:
    """The page's title: on Django's error page, the exception and where it happened."""
    found = re.search(r"<title>(.*?)</title>", html, re.S)
    return " ".join(found.group(1).split()) if found else ""


def totp_code(secret: str) -> str:
    """The code an authenticator app shows now, waiting for the next period when this
    one is nearly over (allauth accepts the current period only)."""
    left = mfa_settings.TOTP_PERIOD - time.time() % mfa_settings.TOTP_PERIOD
    if left < 10:
        time.sleep(left + 0.1)
    counters = list(yield_hotp_counters_from_time())
    return format_hotp_value(hotp_value(secret, counters[len(counters) // 2]))


# --- What each person does -----------------------------------------------------------


def member_of_staff_signs(browser: Browser, person: dict, done: dict) -> None:
    browser.sign_in(person["email"])
    path, html = browser.go("GET", person["sign_path"])
    receipt, html = browser.submit(path, html, having="typed_name", typed_name="Test Signer")
    assert "/signatures/" in receipt, receipt
    done["signatures"] = 1
    browser.go("GET", receipt.rstrip("/") + "/pdf/", expect=(200, 202))
    browser.go("GET", "/")


def parent_answers_consent_and_signs(browser: Browser, person: dict, done: dict) -> None:
    browser.sign_in(person["email"])
    browser.go("GET", "/family/")
    done["consent_records"] = 0
    for child_path in person["consent_paths"]:
        path, html = browser.go("GET", child_path)
        receipt, html = browser.submit(path, html, having="typed_name", leave=("also_for",), typed_name="Test Carer")
        assert "/family/consent/records/" in receipt, receipt
        done["consent_records"] += 1
        browser.go("GET", receipt.rstrip("/") + "/pdf/", expect=(200, 202))
    path, html = browser.go("GET", person["sign_path"])
    _, fields = form_data(html, having="typed_name")
    children = [value for name, value in fields if name == "children"]
    browser.submit(path, html, having="typed_name", typed_name="Test Carer")
    done["signatures"] = len(children)
    browser.go("GET", "/family/consent/")


def head_presses_remind_now(browser: Browser, person: dict, done: dict) -> None:
    path, html = browser.sign_in(person["email"])
    assert "/2fa/" in path, path  # two-step sign-in
    browser.submit(path, html, having="code", code=totp_code(person["secret"]))
    path, html = browser.go("GET", person["compliance_path"])
    _, html = browser.submit(path, html, having="/remind/")
    reminded = re.search(r"(\d+) (?:people|person) will be reminded", html)
    assert reminded, html[:3000]
    done["reminded"] = int(reminded.group(1))


# --- The test ------------------------------------------------------------------------


def test_twelve_people_at_once_on_the_embedded_default_see_no_error_and_lose_nothing(tmp_path):
    portal = Embedded(tmp_path)
    plan = json.loads(portal.python("from tests.core.embedded_app import prepare; prepare()"))
    # (A .env file in the checkout that sets DATABASE_URL or REDIS_URL would show here.)
    assert plan["vendor"] == "sqlite" and plan["database"].startswith(str(portal.var)), plan
    assert plan["broker"] == "filesystem://", plan
    assert (len(plan["staff"]), len(plan["parents"]), len(plan["heads"])) == (6, 4, 2), plan
    assert portal.queued() >= len(plan["backlog"])

    try:
        started = time.monotonic()
        portal.start("web", str(ROOT / "manage.py"), "runserver", "--noreload", f"127.0.0.1:{portal.port}")
        _wait_for(lambda: _status(portal.base + "/healthz") is not None, 30, portal, "the web server to answer")
        # As Procfile.dev starts it, named so that `celery inspect` can wait for its answer alone.
        worker = ["-m", "celery", "-A", "config", "worker", "--loglevel", "INFO", "--concurrency", "1"]
        portal.start("worker", *worker, "--hostname", "embedded@localhost")

        # /healthz is healthy within 20 s of the start (and the worker's heartbeat,
        # checked below, did not wait behind the PDFs queued ahead of it).
        _wait_for(
            lambda: _status(portal.base + "/healthz") == 200, 20 - (time.monotonic() - started), portal, "/healthz"
        )

        people = (
            [(member_of_staff_signs, p) for p in plan["staff"]]
            + [(parent_answers_consent_and_signs, p) for p in plan["parents"]]
            + [(head_presses_remind_now, p) for p in plan["heads"]]
        )
        assert len(people) >= 12
        browsers = [Browser(portal.base, address=f"127.0.0.{10 + i}") for i in range(len(people))]
        done: list[dict] = [{} for _ in people]
        failures: list[str] = []
        together = threading.Barrier(len(people))

        def click(i):
            flow, person = people[i]
            try:
                together.wait(timeout=30)
                flow(browsers[i], person, done[i])
            except Exception as error:  # noqa: BLE001 - reported below, with the logs
                failures.append(f"{person['email']} ({flow.__name__}): {error}")

        threads = [threading.Thread(target=click, args=(i,)) for i in range(len(people))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=240)
        assert not any(thread.is_alive() for thread in threads), "Someone's clicks never finished."

        errors = [(m, p, s) for b in browsers for (m, p, s) in b.seen if s >= 500]
        assert not failures and not errors, f"{failures}\n{errors}\n{portal.log('web')[-6000:]}"

        report = json.loads(
            portal.python(
                "from tests.core.embedded_app import report; report()", EMBEDDED_PLAN=json.dumps(plan), timeout=240
            )
        )
        ping = subprocess.run(
            [sys.executable, "-m", "celery", "-A", "config", "inspect", "ping", "-d", "embedded@localhost", "-t", "30"],
            cwd=portal.run,
            env=portal.env,
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        portal.stop()

    # Every write each person made is there: one row for each thing they did.
    for (_, person), did in zip(people, done, strict=True):
        email = person["email"]
        if "reminded" in did:
            assert did["reminded"] > 0
            assert report["heads"][email] == did["reminded"], email
        elif "consent_records" in did:
            assert report["parents"][email] == {k: did[k] for k in ("consent_records", "signatures")}, email
        else:
            assert report["staff"][email] == did["signatures"] == 1, email
    # ... and the worker made and emailed every PDF, the demo's backlog too, and sent
    # every reminder.
    assert report["waiting_for"] == [], report["waiting_for"]
    # The worker reported in as soon as it was ready, before the first of the PDFs
    # queued ahead of it was made: a heartbeat queued behind them would have waited.
    assert "" < report["heartbeat_at"] < report["first_backlog_pdf_at"], report
    assert any((tmp_path / "outbox").iterdir())
    for name in ("web", "worker"):
        assert "database is locked" not in portal.log(name), portal.log(name)[-6000:]
    assert "raised unexpected" not in portal.log("worker"), portal.log("worker")[-6000:]  # no task failed

    # `celery inspect` reaches the worker, and nothing was written outside var/: the
    # broker's control folder is var/celery/control, not control/ in the current folder.
    assert ping.returncode == 0 and "pong" in ping.stdout, ping.stdout + ping.stderr
    assert sorted(os.listdir(portal.run)) == ["var"]
    assert (portal.var / "celery" / "control" / "celery.pidbox.exchange").exists()


def _status(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return None


def _wait_for(condition, seconds: float, portal: Embedded, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(
                f"Waited {seconds:.0f} s for {what}.\n{portal.log('web')[-3000:]}\n{portal.log('worker')[-3000:]}"
            )
        time.sleep(0.2)
