"""List the incidents kept beyond their retention date (see incidents/retention.py).

    manage.py incidents_retention [--school SLUG] [--today YYYY-MM-DD]

A report only. Destruction is not done by this command, on purpose: an incident's
chronology and evidence are append-only (the models refuse deletes and, on
PostgreSQL, a trigger refuses any UPDATE or DELETE of those rows, migration 0002).
Destroying them would mean switching that protection off from inside the
application, which is exactly what the protection is there to prevent. The school's
data protection lead acts on this list under the records-management procedure (a
database administrator, with the trigger lifted for that one operation); --confirm
is refused with this explanation.
"""

import datetime

from django.core.management.base import BaseCommand, CommandError

from incidents.models import Incident
from incidents.retention import past_retention

REFUSAL = (
    "Nothing was destroyed. Incident chronologies and evidence are append-only: the "
    "application (and, on PostgreSQL, the database) refuses to delete them, so destruction "
    "past the retention date is done under the school's records-management procedure by a "
    "database administrator, using this list. See incidents/retention.py."
)


class Command(BaseCommand):
    help = "List e-safety incidents kept beyond their retention date (a report: nothing is deleted)."

    def add_arguments(self, parser):
        parser.add_argument("--school", help="Only this school (its slug).")
        parser.add_argument("--today", help="Pretend today is this date (YYYY-MM-DD).")
        parser.add_argument("--confirm", action="store_true", help="Refused: see the explanation it prints.")

    def handle(self, *args, school=None, today=None, confirm=False, **options):
        if confirm:
            raise CommandError(REFUSAL)
        day = None
        if today:
            try:
                day = datetime.date.fromisoformat(today)
            except ValueError as error:
                raise CommandError("Give --today as YYYY-MM-DD.") from error
        incidents = Incident.objects.order_by("school_id", "reference")
        if school:
            incidents = incidents.filter(school__slug=school)
        found = past_retention(incidents, day)
        for incident, retention in found:
            self.stdout.write(
                f"{incident.school.slug}\t{incident.reference}\t{incident.get_category_display()}\t"
                f"reported {incident.reported_at:%d/%m/%Y}\tkeep until {retention.keep_until:%d/%m/%Y}\t"
                f"({retention.rule})"
            )
        self.stdout.write(
            f"{len(found)} incident{'s' if len(found) != 1 else ''} past retention. Dry run: nothing deleted."
        )
