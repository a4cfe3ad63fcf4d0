"""The per-request fixed cost (issue 19): requests per second and p50/p95 of the
parent's /family/, a teacher's home and the head's home under gunicorn with 2 workers
on PostgreSQL, against the sign-in page, for the code BEFORE (a git ref, main unless
told) and AFTER (this checkout), each with CONN_MAX_AGE=0 and 60: four servers, every
figure measured in the same run, the rounds interleaved so the box's load falls on all.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/aup_portal_bench \\
    REDIS_URL=redis://127.0.0.1:6379/0 \\
    .venv/bin/python -m bench.request_load

Targets (issue 19): /family/ >= 150 requests/s, the teacher's and the head's home
>= 100 requests/s, p95 < 100 ms. The box is shared, so the absolute figures move with
its load; the ratios to the sign-in page (measured by the same server in the same
round) and the after/before ratios are what to compare between runs.

What it does:

1. The database and people of bench.load: its own test database with the demo trust
   (`seed_demo`), a runtime role, production password hashes, TOTP for the head.
2. Exports BEFORE with `git archive` into a temporary folder (it must have the same
   migrations as this checkout: the database is migrated once, by this checkout).
3. Starts four gunicorn servers (2 sync workers each, production settings, one
   SECRET_KEY), signs the three people in once through the real forms (the head with
   a TOTP code) and gives each server the same session cookies: the sessions live in
   the shared database.
4. Warms each server up, then for --rounds rounds measures, server after server, each
   page with --clients concurrent clients making --requests requests (keep-alive is not
   used: each request opens a connection, as browsers behind nginx do to gunicorn).

It prints a table per server, then per page the after/before ratios of requests per
second and p95 at each CONN_MAX_AGE, and whether the targets were met. Exit status 0
only if every request answered 200.
"""

from __future__ import annotations

import argparse
import contextlib
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from bench._setup import django_setup
from bench.load import (
    HEAD,
    PARENT,
    ROOT,
    TEACHER,
    Client,
    Page,
    gunicorn,
    hammer,
    load_database,
    prepare_people,
    sign_in,
)

TARGETS = {"parent: /family/": 150, "teacher: home (/home/)": 100, "head: home (/home/)": 100}
P95_TARGET_MS = 100


@dataclass
class Server:
    label: str  # "before (main)" or "after (this checkout)"
    conn_max_age: int
    port: int = 0
    pages: list = field(default_factory=list)

    @property
    def name(self) -> str:
        return f"{self.label}, CONN_MAX_AGE={self.conn_max_age}"


@contextlib.contextmanager
def exported(ref: str):
    """The tree of `ref` in a temporary folder (no .git: it only serves)."""
    folder = Path(tempfile.mkdtemp(prefix="aup-bench-before-"))
    try:
        archive = subprocess.run(["git", "archive", ref], cwd=ROOT, check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
        # A vendored script naming a source map that is not shipped stops collectstatic
        # (WhiteNoise's manifest); this checkout drops the comment, an older tree may not.
        for script in (folder / "static" / "vendor").rglob("*.min.*"):
            if script.suffix in (".js", ".css") and not script.with_name(script.name + ".map").exists():
                text = script.read_text()
                script.write_text(re.sub(r"^(//|/\*)# sourceMappingURL=.*$", "", text, flags=re.MULTILINE))
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def pages_for(server: Server, signed_in: dict[str, Client]) -> list[Page]:
    """The four pages, with clients carrying the session cookies signed in elsewhere."""

    def client(who: str, address: str) -> Client:
        return Client(server.port, address, dict(signed_in[who].cookies) if who else {})

    return [
        Page("sign-in page (baseline)", "/accounts/login/", client("", "198.51.100.5"), anonymous=True),
        Page("parent: /family/", "/family/", client(PARENT, "198.51.100.2")),
        Page("teacher: home (/home/)", "/home/", client(TEACHER, "198.51.100.3")),
        Page("head: home (/home/)", "/home/", client(HEAD, "198.51.100.4")),
    ]


def check_and_warm(server: Server, clients: int) -> None:
    for page in server.pages:
        answer = page.client.get(page.path, keep_cookies=False)
        signed_in = "/accounts/logout/" in answer.body
        if answer.status != 200 or signed_in == page.anonymous:
            raise RuntimeError(f"{server.name}: {page.label} answered {answer.status}, signed in: {signed_in}")
        hammer(page, clients=clients, requests=max(clients * 5, 20))
        page.latencies.clear()
        page.seconds = 0.0
        page.failures.clear()


def print_server(server: Server) -> None:
    base = server.pages[0]
    print(f"\n{server.name}")
    header = f"{'page':<26}{'requests':>9}{'req/s':>8}{'p50 ms':>8}{'p95 ms':>8}   {'÷ sign-in: req/s':>16}{'p50':>6}{'p95':>6}"
    print(header)
    print("-" * len(header))
    for page in server.pages:
        print(
            f"{page.label:<26}{page.requests:>9}{page.per_second:>8.1f}{page.percentile(50):>8.1f}{page.percentile(95):>8.1f}"
            f"   {page.per_second / base.per_second:>16.2f}{page.percentile(50) / base.percentile(50):>6.2f}"
            f"{page.percentile(95) / base.percentile(95):>6.2f}"
        )


def print_comparison(servers: list[Server]) -> None:
    by_key = {(s.label.split()[0], s.conn_max_age): s for s in servers}
    print("\nafter ÷ before, same CONN_MAX_AGE (req/s: higher is better; p95: lower is better)")
    header = f"{'page':<26}{'CONN_MAX_AGE':>13}{'req/s before':>14}{'after':>8}{'×':>7}{'p95 before':>12}{'after':>8}{'×':>7}"
    print(header)
    print("-" * len(header))
    for index, page in enumerate(servers[0].pages):
        for age in sorted({s.conn_max_age for s in servers}):
            before, after = by_key[("before", age)].pages[index], by_key[("after", age)].pages[index]
            print(
                f"{page.label:<26}{age:>13}{before.per_second:>14.1f}{after.per_second:>8.1f}"
                f"{after.per_second / before.per_second:>7.2f}{before.percentile(95):>12.1f}{after.percentile(95):>8.1f}"
                f"{after.percentile(95) / before.percentile(95):>7.2f}"
            )
    best = max((s for s in servers if s.label.startswith("after")), key=lambda s: s.conn_max_age)
    print(f"\nTargets, {best.name}:")
    for page in best.pages[1:]:
        target = TARGETS[page.label]
        met = page.per_second >= target and page.percentile(95) < P95_TARGET_MS
        print(
            f"  {page.label:<26} {page.per_second:6.1f} req/s (target {target}), p95 {page.percentile(95):6.1f} ms "
            f"(target < {P95_TARGET_MS}): {'met' if met else 'not met'}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", default="main", help="git ref of the code before (default main)")
    parser.add_argument("--clients", type=int, default=4, help="concurrent clients (default 4)")
    parser.add_argument("--requests", type=int, default=100, help="requests per page per round (default 100)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds, each measuring every page (default 3)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    args = parser.parse_args()

    django_setup()
    from django.db import connection

    servers = [Server(label, age) for label in ("before", "after") for age in (0, 60)]
    secret_key = secrets.token_urlsafe(50)
    with load_database(secrets.token_urlsafe(24)) as database_url, exported(args.before) as before_root:
        totp_secret = prepare_people()
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            version = cursor.fetchone()[0].split()[0]
        connection.close()  # gunicorn's processes are the ones measured
        with contextlib.ExitStack() as stack:
            for server in servers:
                root = before_root if server.label == "before" else ROOT
                server.port = stack.enter_context(
                    gunicorn(
                        database_url,
                        workers=args.workers,
                        conn_max_age=server.conn_max_age,
                        root=root,
                        secret_key=secret_key,
                    )
                )
                server.label = f"before ({args.before})" if server.label == "before" else "after (this checkout)"
            first = servers[0].port
            signed_in = {who: Client(first, f"198.51.100.{n}") for who, n in ((PARENT, 2), (TEACHER, 3), (HEAD, 4))}
            sign_in(signed_in[PARENT], PARENT)
            sign_in(signed_in[TEACHER], TEACHER)
            sign_in(signed_in[HEAD], HEAD, totp_secret)
            for server in servers:
                server.pages = pages_for(server, signed_in)
                check_and_warm(server, args.clients)
            for round_number in range(args.rounds):
                for shift, server in enumerate(servers):
                    turn = (round_number + shift) % len(server.pages)
                    for page in server.pages[turn:] + server.pages[:turn]:
                        hammer(page, clients=args.clients, requests=args.requests)
                print(f"round {round_number + 1} of {args.rounds} done", file=sys.stderr)
    print(
        f"\ngunicorn {args.workers} sync workers per server on PostgreSQL {version}; {args.clients} concurrent "
        f"clients; {args.rounds} rounds of {args.requests} requests per page per server"
    )
    for server in servers:
        print_server(server)
    print_comparison(servers)
    failures = {f"{s.name}: {p.label}": p.failures[:5] for s in servers for p in s.pages if p.failures}
    if failures:
        print(f"\nNot every request answered 200: {failures}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
