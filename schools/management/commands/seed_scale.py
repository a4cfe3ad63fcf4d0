import time

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.text import slugify

from core.scale import build_trust, school_sizes
from schools.demo import DEMO_PASSWORD
from schools.models import Trust


class Command(BaseCommand):
    help = (
        "Build a whole trust at scale for trying the portal and for benchmarks: schools, classes, staff, "
        "pupils and their carers (with their memberships), published policies, about half signed, photo "
        "consent answers, devices and loans, incidents. Refuses if the trust exists."
    )

    def add_arguments(self, parser):
        parser.add_argument("--schools", type=int, default=80, help="Number of schools (default 80).")
        parser.add_argument("--pupils", type=int, default=40000, help="Pupils across the trust (default 40,000).")
        parser.add_argument("--trust-name", default="Scale Learning Trust", help="The trust's name.")
        parser.add_argument("--seed", type=int, default=2026, help="The same seed builds the same trust.")

    def handle(self, *args, **o):
        if not settings.DEBUG:
            raise CommandError(
                "seed_scale only runs with DEBUG=1: everyone it creates has the published demo password, "
                "which must never reach a real school's portal."
            )
        slug = slugify(o["trust_name"])
        if not slug:
            raise CommandError("Give the trust a name with letters or digits in it.")
        if Trust.objects.filter(slug=slug).exists():
            raise CommandError(
                f"A trust with the address “{slug}” exists already; nothing was changed. "
                "Give another --trust-name, or flush the database first."
            )
        try:
            sizes = school_sizes(o["schools"], o["pupils"], seed=o["seed"])
        except ValueError as error:
            raise CommandError(str(error)) from error
        started = time.perf_counter()
        with transaction.atomic():
            plan = build_trust(
                name=o["trust_name"], slug=slug, sizes=sizes, seed=o["seed"], password=make_password(DEMO_PASSWORD)
            )
        seconds = time.perf_counter() - started
        pupils = sum(len(b.pupils) for b in plan.schools)
        carers = len({c.pk for b in plan.schools for links in b.carers.values() for c, _ in links})
        staff = sum(len(b.staff) for b in plan.schools)
        self.stdout.write(
            self.style.SUCCESS(
                f"Built {plan.trust.name}: {len(plan.schools)} schools, {pupils:,} pupils, {carers:,} carers, "
                f"{staff:,} staff in {seconds:.0f} s."
            )
        )
        self.stdout.write(f"Logins (password for all: {DEMO_PASSWORD})")
        self.stdout.write(f"  {'Trust data protection officer':<32} {plan.officer.email}")
        for built in plan.schools[:3]:
            self.stdout.write(f"  {'Headteacher, ' + built.school.name:<32} {built.head.email}")
