from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from core.roles import ROLE_CAPABILITIES, Role
from schools import services
from schools.models import Phase, School, StaffType, Trust


class Command(BaseCommand):
    help = "Create a school (optionally in a trust) and email its headteacher an invitation."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True)
        parser.add_argument("--slug", required=True, help="Used in web addresses, e.g. riverside-primary")
        parser.add_argument("--urn", required=True)
        parser.add_argument("--phase", required=True, choices=[p.value for p in Phase])
        parser.add_argument("--trust", help="The trust's name; created if new.")
        parser.add_argument("--head-email", required=True)
        parser.add_argument("--head-first-name", required=True)
        parser.add_argument("--head-last-name", required=True)

    def handle(self, *args, **o):
        try:
            with transaction.atomic():
                trust = None
                if o["trust"]:
                    from django.utils.text import slugify

                    trust, _ = Trust.objects.get_or_create(name=o["trust"], defaults={"slug": slugify(o["trust"])})
                school = School(trust=trust, name=o["name"], slug=o["slug"], urn=o["urn"], phase=o["phase"])
                school.full_clean()
                school.save()
                services.add_person(
                    school=school,
                    email=o["head_email"],
                    first_name=o["head_first_name"],
                    last_name=o["head_last_name"],
                    roles=[Role.HEADTEACHER],
                    job_title="Headteacher",
                    staff_type=StaffType.LEADERSHIP,
                    by=None,
                    by_capabilities=ROLE_CAPABILITIES[Role.HEADTEACHER],
                )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        self.stdout.write(self.style.SUCCESS(f"Created {school.name}; invitation emailed to {o['head_email']}."))
