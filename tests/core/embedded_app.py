"""Run inside the child processes of tests/core/test_embedded_default.py, with the
embedded default's own settings (config.settings, DEBUG=1, no DATABASE_URL or
REDIS_URL): `prepare` loads the demo as `make run` does and chooses who does what;
`report` waits for the worker and says what the database holds.

Called as `python -c "import django; django.setup(); from tests.core.embedded_app import
prepare; prepare()"`: each prints one line of JSON."""

from __future__ import annotations

import datetime
import io
import json
import os
import sys
import time

from django.conf import settings
from django.core.management import call_command
from django.db import connection

PASSWORD = "portal-demo-2026"  # schools.demo.DEMO_PASSWORD, read again below


def prepare() -> None:
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    from accounts.mfa_policy import must_use_mfa
    from agreements.models import Method, Signature
    from agreements.tasks import render_signed_pdf
    from aup.models import AgreementForm, Audience, VersionStatus
    from consent.models import ConsentForm, ConsentRecord, FormStatus
    from core.roles import STAFF_ROLES, Role
    from reminders.models import ReminderSettings
    from schools.demo import DEMO_PASSWORD
    from schools.models import Guardianship, Membership, School

    assert DEMO_PASSWORD == PASSWORD
    call_command("migrate", interactive=False, verbosity=0)
    call_command("createcachetable", verbosity=0)
    call_command("seed_demo", stdout=io.StringIO())

    def published(school, audience):
        return AgreementForm.objects.filter(
            version__policy__school=school, version__status=VersionStatus.PUBLISHED, audience=audience
        ).order_by("pk")

    schools = list(School.objects.order_by("pk"))
    plan: dict = {
        "vendor": connection.vendor,
        "database": str(connection.settings_dict["NAME"]),
        "broker": settings.CELERY_BROKER_URL,
    }

    # The heads press "remind now" on their school's ICT agreement for staff, which
    # nobody in this test signs: whom it reminds does not depend on who clicks first.
    plan["heads"] = []
    remind_forms = {}
    for school in schools:
        form = published(school, Audience.STAFF).filter(version__policy__kind="ict_aup").first()
        head = Membership.objects.active().with_role(Role.HEADTEACHER).filter(school=school).first().user
        secret = generate_totp_secret()
        TOTP.activate(head, secret)
        remind_forms[school.pk] = form.pk
        # No quiet hours: the reminders go now, whatever time the test runs.
        ReminderSettings.objects.update_or_create(
            school=school,
            defaults={
                "quiet_from": datetime.time(0),
                "quiet_until": datetime.time(0),
                "quiet_at_weekends": False,
                "cadence_days": [3, 7, 14],
            },
        )
        plan["heads"].append(
            {
                "email": head.email,
                "secret": secret,
                "form_id": form.pk,
                "compliance_path": f"/s/{school.slug}/compliance/{form.pk}/",
            }
        )

    # Staff without two-step sign-in, each with a staff form they have not signed
    # (other than the one the heads remind about).
    plan["staff"] = []
    members = (
        Membership.objects.active()
        .with_role(*STAFF_ROLES)
        .select_related("user", "school")
        .order_by("school_id", "user__last_name", "pk")
        .distinct()
    )
    per_school: dict[int, int] = {}
    for member in members:
        if per_school.get(member.school_id, 0) >= 3 or must_use_mfa(member.user):
            continue
        signed = Signature.objects.filter(signer=member.user).values_list("form_id", flat=True)
        form = (
            published(member.school, Audience.STAFF)
            .exclude(pk=remind_forms[member.school_id])
            .exclude(pk__in=signed)
            .first()
        )
        if form is None:
            continue
        per_school[member.school_id] = per_school.get(member.school_id, 0) + 1
        plan["staff"].append(
            {"email": member.user.email, "form_id": form.pk, "sign_path": f"/s/{member.school.slug}/sign/{form.pk}/"}
        )

    # Parents (no staff role) with parental responsibility for children at a school
    # with a published consent form and parents' agreement; no child shared by two
    # of them, so what one signs does not change what another is asked.
    plan["parents"] = []
    consent_schools = set(ConsentForm.objects.filter(status=FormStatus.PUBLISHED).values_list("school_id", flat=True))
    school = next(s for s in schools if s.pk in consent_schools and published(s, Audience.PARENTS).exists())
    parents_form = published(school, Audience.PARENTS).first()
    taken_pupils: set[int] = set()
    carers = (
        Guardianship.objects.filter(pupil__school=school, parental_responsibility=True)
        .exclude(carer__memberships__roles__role__in=STAFF_ROLES)
        .values_list("carer_id", flat=True)
        .order_by("carer_id")
        .distinct()
    )
    for carer_id in carers:
        if len(plan["parents"]) == 4:
            break
        children = list(Guardianship.objects.filter(carer_id=carer_id).select_related("pupil", "carer"))
        pupil_ids = {g.pupil_id for g in children}
        if len(pupil_ids) > 1 or pupil_ids & taken_pupils:
            continue  # one child each keeps the worker's share of the test short
        taken_pupils |= pupil_ids
        plan["parents"].append(
            {
                "email": children[0].carer.email,
                "consent_paths": [
                    f"/family/consent/children/{g.pupil_id}/"
                    for g in children
                    if g.parental_responsibility and g.pupil.school_id in consent_schools
                ],
                "sign_path": f"/family/sign/{parents_form.pk}/",
                "form_id": parents_form.pk,
                "consent_records_before": ConsentRecord.objects.filter(carer_id=carer_id).count(),
                "signatures_before": Signature.objects.filter(signer_id=carer_id, method=Method.FOR_CHILD).count(),
            }
        )

    # A backlog for the worker: PDFs of the demo's signatures (loaded without one),
    # queued before it starts, as people opening them would.
    plan["backlog"] = list(Signature.objects.order_by("pk").values_list("pk", flat=True)[:8])
    for signature_id in plan["backlog"]:
        render_signed_pdf.delay(signature_id)
    print(json.dumps(plan))


def report() -> None:
    """Wait (up to REPORT_TIMEOUT seconds) until the worker has made and emailed every
    PDF and sent every reminder, then print what each person's clicks left behind."""
    from agreements.models import Method, Signature, SignedDocument
    from consent.models import ConsentDocument, ConsentRecord
    from core.models import WorkerHeartbeat
    from reminders.models import ReminderEmail, ReminderItem

    plan = json.loads(os.environ["EMBEDDED_PLAN"])
    deadline = time.monotonic() + float(os.environ.get("REPORT_TIMEOUT", "90"))
    while True:
        result: dict = {"staff": {}, "parents": {}, "heads": {}, "waiting_for": []}
        for person in plan["staff"]:
            signatures = Signature.objects.filter(signer__email=person["email"], form_id=person["form_id"])
            result["staff"][person["email"]] = signatures.count()
            result["waiting_for"] += _unsent_documents(signatures, SignedDocument, "signature_id")
        for person in plan["parents"]:
            records = ConsentRecord.objects.filter(carer__email=person["email"])
            signatures = Signature.objects.filter(signer__email=person["email"], method=Method.FOR_CHILD)
            result["parents"][person["email"]] = {
                "consent_records": records.count() - person["consent_records_before"],
                "signatures": signatures.count() - person["signatures_before"],
            }
            new_records = records.order_by("-pk")[: result["parents"][person["email"]]["consent_records"]]
            result["waiting_for"] += _unsent_documents(
                ConsentRecord.objects.filter(pk__in=[r.pk for r in new_records]), ConsentDocument, "record_id"
            )
            result["waiting_for"] += _unsent_documents(signatures, SignedDocument, "signature_id")
        for person in plan["heads"]:
            items = ReminderItem.objects.filter(
                requested_by__email=person["email"], subject_key=f"form:{person['form_id']}"
            )
            result["heads"][person["email"]] = items.count()
            unsent = ReminderEmail.objects.filter(items__in=items).exclude(state=ReminderEmail.State.SENT)
            result["waiting_for"] += [f"reminder email {pk}" for pk in unsent.values_list("pk", flat=True)]
        made = set(
            SignedDocument.objects.filter(signature_id__in=plan["backlog"]).values_list("signature_id", flat=True)
        )
        result["waiting_for"] += [f"demo PDF of signature {pk}" for pk in plan["backlog"] if pk not in made]
        # Times as ISO 8601 in UTC, which compare as strings.
        beat = WorkerHeartbeat.objects.filter(name="worker").first()
        result["heartbeat_at"] = beat.beat_at.isoformat() if beat else ""
        first = SignedDocument.objects.filter(signature_id__in=plan["backlog"]).order_by("created_at").first()
        result["first_backlog_pdf_at"] = first.created_at.isoformat() if first else ""
        if not result["waiting_for"] or time.monotonic() > deadline:
            break
        connection.close()
        time.sleep(0.5)
    print(json.dumps(result))
    sys.stdout.flush()


def _unsent_documents(queryset, document_model, key) -> list[str]:
    """What in `queryset` has no PDF yet, or a PDF not yet emailed."""
    ids = set(queryset.values_list("pk", flat=True))
    emailed = set(
        document_model.objects.filter(**{f"{key}__in": ids, "emailed_at__isnull": False}).values_list(key, flat=True)
    )
    return [f"{document_model.__name__} of {pk}" for pk in sorted(ids - emailed)]
