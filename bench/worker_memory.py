"""The Celery worker's memory over 500 signed PDFs, with and without recycling its child.

    DJANGO_SETTINGS_MODULE=config.settings_test .venv/bin/python -m bench.worker_memory

Needs REDIS_URL (the real broker). It starts a real `celery -A config worker` (the
prefork pool, one child, as in production) on a queue of its own, then signs a staff
form 500 times with agreements.services.sign, 50 at a time: each signature queues the
real render_signed_pdf task (WeasyPrint, PDF/A-3b, stored in a temporary folder) and
that queues the email of the PDF (dropped: the dummy email backend). After each 50
PDFs are stored it reports the resident memory (VmRSS in /proc) of the worker's pool
child: the highest it reached while making them (sampled 5 times a second, whichever
child was alive) and its size at the end.

It does this twice: with the pool child recycled as config/settings.py says
(CELERY_WORKER_MAX_TASKS_PER_CHILD / CELERY_WORKER_MAX_MEMORY_PER_CHILD), and with
recycling off (what the worker did before issue 19). It prints RSS every 50 PDFs for
each, and "flat: yes/no": flat when the child's highest RSS in every 50 after the
first stays within FLAT_MARGIN of its highest in the first 50 (which includes loading
WeasyPrint and the fonts).

It creates and destroys its own test database: PostgreSQL when DATABASE_URL is set,
else a SQLite file in a temporary folder (the worker is another process). Options:
`--pdfs 500 --every 50`, `--only recycled|unrecycled`.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from bench._setup import django_setup, test_database

ROOT = Path(__file__).resolve().parents[1]
FLAT_MARGIN = 1.25  # the child may be up to a quarter above its size after the first 50


def rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except FileNotFoundError:
        pass
    return 0


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except FileNotFoundError:
            continue
    return found


class Worker:
    def __init__(self, folder: Path, database: dict, recycle: bool, queue: str):
        self.folder = folder
        self.queue = queue
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "bench.worker_settings",
            "BENCH_WORKER_DATABASE": json.dumps(database, default=str),
            "BENCH_WORKER_QUEUE": self.queue,
            "BENCH_WORKER_MEDIA": str(folder / "private"),
            "BENCH_WORKER_RECYCLE": "on" if recycle else "off",
        }
        self.log = open(folder / f"worker-{self.queue}.log", "w")  # noqa: SIM115 (closed in stop)
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--concurrency=1",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                f"--hostname=bench-memory-{self.queue}@%h",
                "-Q",
                self.queue,
                "--loglevel=WARNING",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def child_rss(self) -> tuple[int, list[int]]:
        kids = children(self.process.pid)
        return sum(rss_kb(pid) for pid in kids), kids

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


def make_form(label: str):
    """A published staff form of 8 statements (as bench/signing_pipeline.py)."""
    import hashlib

    from accounts.models import User
    from agreements.models import FormText
    from aup.models import AgreementForm, Policy, PolicyVersion, Statement
    from bench.signing_pipeline import STATEMENTS
    from schools.models import School

    school = School.objects.create(
        name=f"Bench {label} Primary School", slug=f"bench-mem-{label}", urn=f"9{abs(hash(label)) % 99999:05d}"
    )
    author = User.objects.create_user(email=f"head@{label}.example.org", first_name="Bench", last_name="Head")
    policy = Policy.objects.create(school=school, title="ICT acceptable use")
    version = PolicyVersion.objects.create(policy=policy, number=2, status="published", created_by=author)
    form = AgreementForm.objects.create(
        version=version, audience="staff", title="Staff ICT acceptable use agreement", intro="Please read carefully."
    )
    for number, text in enumerate(STATEMENTS, start=1):
        Statement.objects.create(form=form, number=number, text=text)
    canonical = form.canonical_text()
    digest = hashlib.sha256(canonical.encode()).hexdigest()
    FormText.objects.get_or_create(sha256=digest, defaults={"text": canonical})
    AgreementForm.objects.filter(pk=form.pk).update(text_sha256=digest)
    form.refresh_from_db()
    return form, STATEMENTS


def measure(label: str, folder: Path, database: dict, recycle: bool, pdfs: int, every: int, queue: str) -> list[tuple]:
    """Sign `pdfs` times through the worker; after each `every`: (PDFs stored, the
    child's highest RSS in kB meanwhile, the child pids seen, its RSS at the end)."""
    from accounts.models import User
    from agreements import services
    from agreements.models import SignedDocument
    from config.celery import app

    form, statements = make_form(label)
    people = User.objects.bulk_create(
        [
            User(email=f"t{n}@{label}.example.org", first_name="Jane", last_name=f"Smith{n}", password="!")
            for n in range(pdfs)
        ]
    )
    worker = Worker(folder, database, recycle, queue)
    saved = app.conf.task_always_eager, app.conf.task_routes
    app.conf.task_always_eager = False
    # Celery builds its router once per process, so both runs share this one queue.
    app.conf.task_routes = {"*": {"queue": queue}}
    rows = []
    try:
        for start in range(0, pdfs, every):
            for signer in people[start : start + every]:
                services.sign(
                    form=form,
                    signer=signer,
                    typed_name=signer.full_name,
                    statements_agreed=list(range(1, len(statements) + 1)),
                    submission_key=secrets.token_urlsafe(24),
                )
            done = start + every
            deadline = time.monotonic() + 600
            # The highest the child reached while making them (sampled 5 times a
            # second), not only its size at the end: a child replaced just before the
            # end would look small.
            peak, seen = 0, set()
            while SignedDocument.objects.filter(signature__form=form).count() < done:
                if worker.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"The worker stopped: see {worker.log.name}")
                child, pids = worker.child_rss()
                peak, seen = max(peak, child), seen | set(pids)
                time.sleep(0.2)
            time.sleep(1.0)  # the email tasks of this round (not counted) finish too
            child, pids = worker.child_rss()
            peak, seen = max(peak, child), seen | set(pids)
            rows.append((done, peak, sorted(seen), child))
            print(
                f"  {label:12}{done:>6} PDFs   child at most {peak / 1024:7.1f} MB, at the end {child / 1024:7.1f} MB"
                f"  (pids {sorted(seen)})",
                flush=True,
            )
    finally:
        app.conf.task_always_eager, app.conf.task_routes = saved
        worker.stop()
        with app.connection_for_write() as conn:
            conn.default_channel.queue_purge(worker.queue)
    return rows


def flat(rows) -> bool:
    first = rows[0][1]
    return all(child <= first * FLAT_MARGIN for _, child, _, _ in rows[1:])


def shared_database(folder: Path) -> dict:
    """The settings the worker process opens: the test database itself on PostgreSQL;
    on SQLite (whose test database is in this process's memory), a file migrated here."""
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        connection.close()
        connection.settings_dict["NAME"] = str(folder / "bench.sqlite3")
        call_command("migrate", verbosity=0)
    return dict(connection.settings_dict)


def run(args, folder: Path) -> int:
    from django.conf import settings
    from django.db import connection

    if not settings.TEST_REDIS_URL:
        print("Needs REDIS_URL: the worker takes its tasks from the real broker.")
        return 2
    database = shared_database(folder)
    settings.PRIVATE_MEDIA_ROOT = str(folder / "private")
    print(
        f"Worker memory bench: {args.pdfs} signed PDFs through a real celery worker (prefork, 1 child), "
        f"{connection.vendor}; recycling as configured: max_tasks_per_child="
        f"{getattr(settings, 'CELERY_WORKER_MAX_TASKS_PER_CHILD', None)}, max_memory_per_child="
        f"{getattr(settings, 'CELERY_WORKER_MAX_MEMORY_PER_CHILD', None)} kB"
    )
    results = {}
    queue = f"bench-memory-{uuid.uuid4().hex[:10]}"
    for label, recycle in (("unrecycled", False), ("recycled", True)):
        if args.only and args.only != label:
            continue
        results[label] = measure(label, folder, database, recycle, args.pdfs, args.every, queue)
    print()
    print(f"{'PDFs':>6}" + "".join(f"{label + ' child, at most MB':>30}" for label in results))
    for i in range(len(next(iter(results.values())))):
        done = next(iter(results.values()))[i][0]
        print(f"{done:>6}" + "".join(f"{rows[i][1] / 1024:>30.1f}" for rows in results.values()))
    print()
    verdict = 0
    for label, rows in results.items():
        is_flat = flat(rows)
        first, last, most = rows[0][1], rows[-1][1], max(r[1] for r in rows)
        children_seen = len({pid for _, _, pids, _ in rows for pid in pids})
        print(
            f"{label}: child {first / 1024:.1f} MB after {rows[0][0]}, {last / 1024:.1f} MB after {rows[-1][0]}, "
            f"at most {most / 1024:.1f} MB; {children_seen} child process(es); flat: {'yes' if is_flat else 'no'}"
        )
        if label == "recycled" and not is_flat:
            verdict = 1
    return verdict


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pdfs", type=int, default=500)
    parser.add_argument("--every", type=int, default=50)
    parser.add_argument("--only", choices=["recycled", "unrecycled"])
    args = parser.parse_args(argv)

    django_setup()
    import logging

    logging.disable(logging.INFO)
    with tempfile.TemporaryDirectory(prefix="bench-memory-") as folder, test_database():
        return run(args, Path(folder))


if __name__ == "__main__":
    sys.exit(main())
