from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from agreements.demo import sign_for_demo_staff
from aup.demo import build_demo_policies, build_demo_trust_policy
from consent.demo import build_demo_consent
from schools import demo


class Command(BaseCommand):
    help = "Load the demo trust (a primary and a nursery school). Safe to run again: it loads once."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "seed_demo only runs with DEBUG=1: it creates people with a published password, "
                "which must never reach a real school's portal."
            )
        if demo.demo_loaded():
            self.stdout.write("The demo trust is already loaded.")
        else:
            with transaction.atomic():
                demo.build_demo(timezone.localdate())
                sign_for_demo_staff(build_demo_policies(timezone.localdate()))
                build_demo_trust_policy(timezone.localdate())
            self.stdout.write(self.style.SUCCESS("Loaded the demo trust: Riverside Primary and Little Acorns Nursery."))
        # Areas added since the first demo load themselves once, into an older demo too.
        with transaction.atomic():
            if build_demo_consent(timezone.localdate()):
                self.stdout.write(self.style.SUCCESS("Loaded the demo photo consent at Riverside Primary."))
        self.stdout.write(f"\nDemo logins (password for all: {demo.DEMO_PASSWORD})")
        for label, email in demo.LOGINS:
            self.stdout.write(f"  {label:<36} {email}")
        self.stdout.write(
            "The head, DSL, office and trust officer are asked to set up two-step sign-in "
            "(an authenticator app) the first time they sign in. Parents may also sign in "
            "with a code sent by email; with the default console email backend the code "
            "appears in the web process's output."
        )
