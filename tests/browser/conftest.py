"""Playwright in Debian's Chromium against pytest-django's live server.

Every test here is marked `browser`. Journeys call `check_page(page)` on each page
they visit: it runs axe-core (failing on serious or critical violations), fails on any
Content-Security-Policy error seen in the console so far, and, when SCREENSHOTS_DIR is
set, saves full-page screenshots at 1280 px and 375 px wide into that folder.

Emails: the test settings use the locmem backend and run Celery tasks eagerly, so what
the live server thread sends lands in `django.core.mail.outbox` of this process. Links
in emails start with SITE_URL (http://testserver); open their path on live_server.url.
"""

import os
import re
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time
from axe_playwright_python.sync_playwright import Axe
from django.core import mail
from django.test import Client
from playwright.sync_api import expect

from ..conftest import sign_in_with_mfa
from ..factories import PASSWORD

# In the tests Celery runs each task inside the request that queues it, so a click that
# signs renders and signs the PDF before the next page comes: seconds on a busy 2-core
# CI box. Wait for that (the assertions are unchanged; only how long they may wait).
expect.set_options(timeout=15_000)

# Playwright's sync API runs an event loop in the main thread for the whole session;
# Django would otherwise refuse ORM calls made from tests (and fixtures) meanwhile.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
HERE = Path(__file__).parent
DESKTOP = {"width": 1280, "height": 800}
PHONE_WIDTH = 375
BLOCKING_IMPACTS = {"serious", "critical"}
CSP_MESSAGE = re.compile(r"Content[ -]Security[ -]Policy", re.I)

_axe = Axe()


def pytest_collection_modifyitems(config, items):
    for item in items:
        if HERE in Path(item.path).parents:
            item.add_marker(pytest.mark.browser)
            # pytest-playwright's own base_url fixture trips a pytest deprecation warning.
            item.add_marker(pytest.mark.filterwarnings("ignore::pytest.PytestRemovedIn10Warning"))
            if not os.path.exists(CHROMIUM):
                item.add_marker(pytest.mark.skip(reason=f"Chromium is not installed at {CHROMIUM}"))


# --- pytest-playwright configuration ----------------------------------------------------


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args, live_server):
    return {**browser_context_args, "base_url": live_server.url, "viewport": DESKTOP, "locale": "en-GB"}


class CSPWatch:
    """Collects Content-Security-Policy errors from the console of every page watched."""

    def __init__(self):
        self.errors = []

    def watch(self, page):
        def on_console(message):
            if message.type == "error" and CSP_MESSAGE.search(message.text):
                self.errors.append(f"{page.url}: {message.text}")

        page.on("console", on_console)
        return page

    def assert_none(self):
        assert not self.errors, "Content-Security-Policy errors:\n" + "\n".join(self.errors)


@pytest.fixture
def csp():
    watch = CSPWatch()
    yield watch
    watch.assert_none()


@pytest.fixture
def page(context, csp):
    """pytest-playwright's page, with its console watched for CSP errors."""
    return csp.watch(context.new_page())


@pytest.fixture
def fresh_page(new_context, csp):
    """fresh_page() -> a page in a new browser context: someone else, on another device."""

    def make():
        return csp.watch(new_context().new_page())

    return make


# --- Checks on each page ----------------------------------------------------------------


def axe_check(page):
    """Run axe-core on the page; fail listing every serious or critical violation."""
    results = _axe.run(page)
    violations = results.response["violations"]
    for violation in violations:  # shown with the output of a failing test, or with -s
        print(f"axe-core on {page.url}: {violation['id']} ({violation['impact']}), {len(violation['nodes'])} node(s)")
    blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
    if blocking:
        lines = [f"axe-core on {page.url}:"]
        for violation in blocking:
            lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
            for node in violation["nodes"][:5]:
                lines.append(f"    {', '.join(map(str, node['target']))}: {node['failureSummary']}")
        pytest.fail("\n".join(lines), pytrace=False)
    return results


def _slug(text):
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "root"


@pytest.fixture
def check_page(request, csp):
    """check_page(page, name=None): axe-core, no CSP errors so far, and screenshots
    when SCREENSHOTS_DIR is set (named after the test, the step and `name`)."""
    folder = os.environ.get("SCREENSHOTS_DIR")
    counter = iter(range(1, 100))

    def check(page, name=None):
        page.wait_for_load_state("load")
        axe_check(page)
        csp.assert_none()
        if folder:
            label = name or urlsplit(page.url).path
            params = getattr(request.node, "callspec", None)
            params = [str(v) for k, v in (params.params.items() if params else []) if k != "browser_name"]
            test = "-".join([_slug(request.node.originalname.removeprefix("test_"))[:80], *map(_slug, params)])
            stem = f"{test}-{next(counter):02d}-{_slug(label)[:40]}"
            save_screenshots(page, Path(folder), stem)
        return page

    return check


def save_screenshots(page, folder, stem):
    """Full-page screenshots at desktop and phone widths; the viewport is put back."""
    folder.mkdir(parents=True, exist_ok=True)
    before = page.viewport_size or DESKTOP
    page.set_viewport_size(DESKTOP)
    page.screenshot(path=str(folder / f"{stem}-1280.png"), full_page=True)
    page.set_viewport_size({"width": PHONE_WIDTH, "height": 740})
    page.screenshot(path=str(folder / f"{stem}-375.png"), full_page=True)
    page.set_viewport_size(before)


# --- Signing in and email ---------------------------------------------------------------


def totp_code(secret):
    """The code an authenticator app would show now for `secret`. Near the end of a
    period it waits for the next one, so the code is still valid when it is typed in
    (allauth accepts only the current period by default)."""
    left = mfa_settings.TOTP_PERIOD - time.time() % mfa_settings.TOTP_PERIOD
    if left < 5:
        time.sleep(left + 0.1)
    counters = list(yield_hotp_counters_from_time())  # [now - tolerance, ..., now + tolerance]
    return format_hotp_value(hotp_value(secret, counters[len(counters) // 2]))


def wait_for_email(to, since=0, timeout=5.0):
    """The first email to `to` among those sent after the first `since` emails."""
    deadline = time.monotonic() + timeout
    while True:
        for message in mail.outbox[since:]:
            if to in message.to:
                return message
        if time.monotonic() > deadline:
            sent = [(m.to, m.subject) for m in mail.outbox]
            pytest.fail(f"No email to {to}; sent: {sent}", pytrace=False)
        time.sleep(0.05)


def path_of_link(message, pattern=r"http://testserver(/\S+)"):
    """The path of the first link in an email's text, to open on the live server."""
    match = re.search(pattern, message.body)
    assert match, f"No link in the email: {message.body}"
    return match.group(1)


def sign_in_with_password(page, check_page, email, password=PASSWORD):
    """The real sign-in page: email and password."""
    page.goto("/accounts/login/")
    check_page(page, "sign-in")
    page.get_by_label(re.compile("email", re.I)).fill(email)
    page.get_by_label(re.compile("password", re.I)).fill(password)
    page.get_by_role("button", name=re.compile("sign in", re.I)).click()
    page.wait_for_load_state("load")


@pytest.fixture
def sign_in_as(live_server, settings):
    """sign_in_as(page, user): give the page's browser context a session for `user`,
    with both steps of sign-in passed, without walking the sign-in pages (the journeys
    do that)."""

    def sign_in(page, user):
        client = sign_in_with_mfa(Client(), user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
        page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])
        return page

    return sign_in


# --- Dates ------------------------------------------------------------------------------


def fill_date(page, legend, value):
    """Type `value` ("27/03/2026", or "27/03/2026 14:30" for a date and time) into the
    Day, Month, Year (and Time) boxes of the GOV.UK date input whose legend is `legend`
    (a string matched exactly, or a compiled pattern)."""
    group = (
        page.get_by_role("group", name=legend, exact=True)
        if isinstance(legend, str)
        else (page.get_by_role("group", name=legend))
    )
    date_part, _, time_part = value.strip().partition(" ")
    day, month, year = date_part.split("/")
    group.get_by_label("Day", exact=True).fill(day)
    group.get_by_label("Month", exact=True).fill(month)
    group.get_by_label("Year", exact=True).fill(year)
    if time_part:
        group.get_by_label("Time", exact=True).fill(time_part)
    return group


# --- Signing ------------------------------------------------------------------------------


def section_labels(form, noun="statements") -> list[str]:
    """The label of the one box under each section of `form` ("I agree to statements
    1 to 5", "I agree to statement 6"); a pupil's kiosk says "sentences"."""
    from aup.models import AgreementForm

    form = AgreementForm.objects.prefetch_related("statements", "sections").get(pk=form.pk)
    return [
        f"I agree to {noun if len(group.statements) > 1 else noun[:-1]} {group.range_label}"
        for group in form.statement_groups()
    ]


def agree_to_each_section(page, form, noun="statements"):
    """Tick the box under each section of `form`, as a person signing does."""
    for label in section_labels(form, noun):
        page.get_by_label(label, exact=True).check()
