"""Scale-out, as deployed: two gunicorn processes on different ports, two Celery
workers and one beat, all sharing PostgreSQL (the test database, as the runtime role),
Redis and object storage (a local S3 server).

A teacher signs in and signs on one web process; a worker renders the PDF into the
bucket; the teacher reads it from the other web process, and /verify/ there knows it.
Meanwhile the beat runs the reminder sweeps every two seconds and the test queues them
twice more: every reminder is sent exactly once, and so is the signer's PDF email."""

import email
import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.db import connection
from django.utils import timezone

from agreements.models import Signature, SignedDocument
from config.celery import app as celery_app
from core.roles import Role
from reminders.models import ReminderEmail, ReminderSettings
from reminders.schedule import UK
from tests import db_roles
from tests.agreements.pdf_helpers import published_staff_form
from tests.agreements.signing_helpers import all_statements
from tests.conftest import make_member
from tests.factories import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
ISSUED = "This is a document the portal issued, and it is unchanged"

pytestmark = [
    pytest.mark.worker,
    # The test queues tasks for the real workers with send_task, which never runs eagerly.
    pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored"),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (CI has it)"),
    pytest.mark.skipif(not settings.TEST_REDIS_URL, reason="needs REDIS_URL (CI sets it)"),
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Cluster:
    """The portal's processes, started as a Procfile would start them."""

    def __init__(self, folder: Path, bucket):
        self.folder = folder
        self.queue = f"scale-out-{uuid.uuid4().hex[:12]}"
        self.outbox = folder / "outbox"
        self.ports = [_free_port(), _free_port()]
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "DATABASE_", "EMAIL_"))},
            **bucket.environment(),
            "DJANGO_SETTINGS_MODULE": "tests.deploy.settings",
            "SECRET_KEY": "scale-out-test-secret-key-shared-by-every-process-0123456789",
            "SECURE_SSL_REDIRECT": "0",
            "ALLOWED_HOSTS": "127.0.0.1",
            "SITE_URL": f"http://127.0.0.1:{self.ports[0]}",
            "DATABASE_URL": db_roles.runtime_url(connection),
            "REDIS_URL": settings.TEST_REDIS_URL,
            "SCALE_OUT_QUEUE": self.queue,
            "SCALE_OUT_OUTBOX": str(self.outbox),
        }
        self.processes: dict[str, subprocess.Popen] = {}

    def _start(self, name: str, *command: str):
        log = open(self.folder / f"{name}.log", "w")  # noqa: SIM115 (closed with the process)
        self.processes[name] = subprocess.Popen(
            [sys.executable, "-m", *command], cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
        )

    def start(self):
        for n, port in enumerate(self.ports, start=1):
            self._start(f"web{n}", "gunicorn", "config.wsgi", f"--bind=127.0.0.1:{port}", "--workers=1")
        for n in (1, 2):
            self._start(
                f"worker{n}",
                *("celery", "-A", "config", "worker", "--pool=solo", "--without-gossip", "--without-mingle"),
                *(f"--hostname=scale-out-{n}@%h", "-Q", self.queue, "--loglevel=INFO"),
            )

    def start_beat(self):
        self._start("beat", "celery", "-A", "config", "beat", "--loglevel=INFO")

    def url(self, n: int, path: str) -> str:
        return f"http://127.0.0.1:{self.ports[n - 1]}{path}"

    def wait_until_serving(self, seconds=90.0):
        deadline = time.monotonic() + seconds
        for n in (1, 2):
            while True:
                try:
                    requests.get(self.url(n, "/healthz"), timeout=30)
                    break
                except requests.RequestException:
                    assert time.monotonic() < deadline, self.logs()
                    assert self.processes[f"web{n}"].poll() is None, self.logs()
                    time.sleep(0.2)

    def stop(self, *names):
        for name in names or list(self.processes):
            process = self.processes[name]
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for name in names or list(self.processes):
            process = self.processes[name]
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def log(self, name: str) -> str:
        return (self.folder / f"{name}.log").read_text()

    def logs(self) -> str:
        return "\n".join(
            f"--- {name} ---\n{(self.folder / f'{name}.log').read_text()[-2500:]}" for name in self.processes
        )

    def emails_to(self) -> dict[str, list[str]]:
        """recipient -> subjects of the messages sent to them, by every process."""
        sent: dict[str, list[str]] = {}
        for path in sorted(self.outbox.glob("*.eml")) if self.outbox.exists() else []:
            message = email.message_from_bytes(path.read_bytes())
            sent.setdefault(message["To"], []).append(message["Subject"])
        return sent


def _wait_until(condition, seconds: float, explain) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, explain()
        time.sleep(0.2)


def _csrf(session: requests.Session, url: str) -> str:
    page = session.get(url, timeout=30)
    assert page.status_code == 200, page.text[:500]
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)


def _not_quiet_now(school):
    """Reminders due from today, outside quiet hours that are a minute long and three
    hours from now, so the test never falls into them whenever it runs."""
    later = timezone.now().astimezone(UK).hour + 3
    ReminderSettings.objects.create(
        school=school,
        cadence_days=[0],
        then_every_days=0,
        quiet_from=f"{later % 24:02d}:30",
        quiet_until=f"{later % 24:02d}:31",
        quiet_at_weekends=False,
    )


def test_two_web_processes_and_two_workers_share_the_database_redis_and_object_storage(
    transactional_db, object_storage, school, tmp_path
):
    form = published_staff_form(school)
    _not_quiet_now(school)
    signer = make_member(school, Role.TEACHER, user__email="signer@example.org")
    others = [make_member(school, Role.TEACHER, user__email=f"teacher{n}@example.org") for n in (1, 2, 3)]

    cluster = Cluster(tmp_path, object_storage)
    cluster.start()
    try:
        cluster.wait_until_serving()
        browser = requests.Session()

        # Signs in and signs on the first web process...
        login = cluster.url(1, "/accounts/login/")
        token = _csrf(browser, login)
        signed_in = browser.post(
            login,
            {"csrfmiddlewaretoken": token, "login": signer.email, "password": PASSWORD},
            allow_redirects=False,
            timeout=30,
        )
        assert signed_in.status_code == 302, signed_in.text[:1000]
        sign_url = cluster.url(1, f"/s/{school.slug}/sign/{form.pk}/")
        data = {"csrfmiddlewaretoken": _csrf(browser, sign_url), "typed_name": signer.full_name}
        data.update(all_statements(form))  # one tick per section of the form
        data["submission_key"] = "scale-out-1"
        signed = browser.post(sign_url, data, allow_redirects=False, timeout=30)
        assert signed.status_code == 302, signed.text[:1000]
        signature = Signature.objects.get(signer=signer)
        # The beat starts once the signer has signed: a sweep before that would rightly
        # remind them, and this test is about nobody being reminded twice.
        cluster.start_beat()

        # ... and reads the PDF a worker made from the second, once it is ready.
        pdf_url = cluster.url(2, f"/s/{school.slug}/signatures/{signature.pk}/pdf/")
        _wait_until(lambda: browser.get(pdf_url, timeout=30).status_code == 200, 90, cluster.logs)
        pdf = browser.get(pdf_url, timeout=30).content
        document = SignedDocument.objects.get(signature=signature)
        assert pdf.startswith(b"%PDF-")
        assert object_storage.read(f"private/{document.file.name}") == pdf
        assert object_storage.anonymous_get(f"private/{document.file.name}") == 403
        verify = cluster.url(2, "/verify/")
        check = browser.post(
            verify,
            {"csrfmiddlewaretoken": _csrf(browser, verify)},
            files={"document": ("agreement.pdf", pdf, "application/pdf")},
            timeout=30,
        )
        assert ISSUED in check.text

        # The beat sweeps every two seconds; the sweeps are queued twice more at once,
        # for both workers to take one each.
        for task in ("reminders.tasks.run_reminder_sweeps", "reminders.tasks.send_due_reminder_emails") * 2:
            celery_app.send_task(task, queue=cluster.queue)

        def reminded():
            sent = ReminderEmail.objects.filter(recipient__in=others, state=ReminderEmail.State.SENT).count()
            return sent == len(others) and all(o.email in cluster.emails_to() for o in others)

        _wait_until(reminded, 90, cluster.logs)
        time.sleep(5)  # more beats and sweeps go by: a second email would come now
        cluster.stop("beat")
        time.sleep(2)
    finally:
        cluster.stop()
        with celery_app.connection_for_write() as conn:
            conn.default_channel.queue_purge(cluster.queue)

    sent = cluster.emails_to()
    for person in others:
        assert len(sent[person.email]) == 1, sent
        assert ReminderEmail.objects.filter(recipient=person).count() == 1
    assert len(sent[signer.email]) == 1, sent  # the signed PDF, emailed once
    assert "signer@example.org" not in {e.recipient.email for e in ReminderEmail.objects.all()}
    # A worker rendered the PDF, both workers took work, and the beat sent the sweeps
    # more than once.
    workers = [cluster.log("worker1"), cluster.log("worker2")]
    assert any("agreements.tasks.render_signed_pdf" in log and "succeeded" in log for log in workers)
    assert all("reminders.tasks.sweep_school" in log for log in workers), cluster.logs()
    assert cluster.log("beat").count("Sending due task run-reminder-sweeps") >= 2, cluster.logs()
