"""Writes of the retention schedule: a trust's rule changes, the nightly sweep, the
DPO's approval, disposal in bounded batches, legal holds. Each is audited."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from core import audit, retention
from core.retention import REVIEW, Holds, cutoff_for
from core.retention_disposal import Disposal
from schools.models import Membership, Pupil, School, Trust

from .models import Destruction, LegalHold, RetentionRule, Review, ReviewItem, ReviewLine
from .schedule import effective_for, effective_schedule

# How many records one disposal task destroys: small enough that a batch's
# transaction is short, big enough that 40,000 pupils' records take minutes.
BATCH_SIZE = 500


# --- the trust's rules ---------------------------------------------------------------------


def change_rule(*, trust: Trust, kind_key: str, years: int, action: str, reason: str, user, request=None):
    kind = retention.kind(kind_key)
    if kind is None:
        raise ValidationError("There is no such kind of record.")
    if action not in kind.actions:
        raise ValidationError({"action": "Choose one of the ends this kind of record allows."})
    if not 1 <= years <= 150:
        raise ValidationError({"years": "Enter a number of years between 1 and 150."})
    if not reason.strip():
        raise ValidationError({"reason": "Say why the trust keeps these records for this long."})
    before = effective_for(trust, kind_key)
    with transaction.atomic():
        rule = RetentionRule.objects.create(
            trust=trust, kind=kind_key, years=years, action=action, reason=reason.strip(), changed_by=user
        )
        audit.record(
            action="retention.rule_changed",
            actor=user,
            obj=rule,
            summary=f"Changed the retention rule for {kind.label[:120]}",
            request=request,
            data={
                "kind": kind_key,
                "trust": trust.pk,
                "before": {"years": before.years, "action": before.action},
                "after": {"years": years, "action": action},
            },
        )
    return rule


# --- legal holds ---------------------------------------------------------------------------


def holds_for(school_ids) -> Holds:
    """Every hold in force in these schools, in one query."""
    found = defaultdict(set)
    for subject, subject_id in LegalHold.objects.filter(
        school_id__in=list(school_ids), lifted_at__isnull=True
    ).values_list("subject", "subject_id"):
        found[subject].add(subject_id)
    return Holds(
        pupils=frozenset(found[LegalHold.Subject.PUPIL]),
        people=frozenset(found[LegalHold.Subject.PERSON]),
        incidents=frozenset(found[LegalHold.Subject.INCIDENT]),
    )


def _find_subject(school: School, subject: str, identifier: str) -> tuple[int, str]:
    """(id, label) of the hold's subject, looked up within the school only: a pupil by
    UPN or MIS id, a person by email, an incident by reference."""
    from django.apps import apps
    from django.db.models import Q

    identifier = identifier.strip()
    if identifier:
        if subject == LegalHold.Subject.PUPIL:
            pupil = Pupil.objects.filter(Q(upn__iexact=identifier) | Q(mis_id=identifier), school=school).first()
            if pupil is not None:
                return pupil.pk, pupil.full_name
        elif subject == LegalHold.Subject.PERSON:
            membership = (
                Membership.objects.filter(school=school, user__email__iexact=identifier).select_related("user").first()
            )
            if membership is not None:
                return membership.user_id, membership.user.full_name or membership.user.email
        elif subject == LegalHold.Subject.INCIDENT:
            Incident = apps.get_model("incidents", "Incident")
            incident = Incident.objects.filter(school=school, reference__iexact=identifier).first()
            if incident is not None:
                return incident.pk, incident.reference
    messages = {
        LegalHold.Subject.PUPIL: "Enter the UPN or MIS id of a pupil of this school.",
        LegalHold.Subject.PERSON: "Enter the email address of someone of this school.",
        LegalHold.Subject.INCIDENT: "Enter the reference of an incident of this school, like INC-2026-0004.",
    }
    raise ValidationError({"identifier": messages.get(subject, "Choose what the hold is on.")})


def place_hold(*, school: School, subject: str, identifier: str, reason: str, user, request=None) -> LegalHold:
    if subject not in LegalHold.Subject.values:
        raise ValidationError({"subject": "Choose what the hold is on."})
    if not reason.strip():
        raise ValidationError({"reason": "Say why the records must be kept (a claim, an inquiry, the police)."})
    subject_id, label = _find_subject(school, subject, identifier)
    with transaction.atomic():
        hold = LegalHold.objects.create(
            school=school,
            subject=subject,
            subject_id=subject_id,
            subject_label=label[:200],
            reason=reason.strip(),
            placed_by=user,
        )
        audit.record(
            action="retention.hold_placed",
            actor=user,
            school=school,
            obj=hold,
            summary="Placed a legal hold on records",
            request=request,
        )
    return hold


def lift_hold(*, hold: LegalHold, reason: str, user, request=None) -> LegalHold:
    if not reason.strip():
        raise ValidationError({"reason": "Say why the hold is no longer needed."})
    with transaction.atomic():
        hold = LegalHold.objects.select_for_update().get(pk=hold.pk)
        if hold.lifted_at is not None:
            raise ValidationError("This hold has already been lifted.")
        hold.lifted_at = timezone.now()
        hold.lifted_by = user
        hold.lift_reason = reason.strip()
        hold.save(update_fields=["lifted_at", "lifted_by", "lift_reason"])
        audit.record(
            action="retention.hold_lifted",
            actor=user,
            school=hold.school,
            obj=hold,
            summary="Lifted a legal hold",
            request=request,
        )
    return hold


# --- the nightly sweep ---------------------------------------------------------------------


def sweep_all(today: datetime.date | None = None) -> list[Review]:
    """Sweep every trust with schools (beat, nightly)."""
    reviews = []
    for trust in Trust.objects.filter(schools__isnull=False).distinct().order_by("pk"):
        review = sweep_trust(trust, today=today)
        if review is not None:
            reviews.append(review)
    return reviews


def sweep_trust(trust: Trust, today: datetime.date | None = None) -> Review | None:
    """Put what has reached the end of its rule in the trust's schools on a new review
    (replacing one nobody approved). A fixed number of queries per kind, whatever the
    size of the schools: counts by school in one, the ids copied by INSERT ... SELECT in
    another. Returns None while an approved review is still being destroyed, or when
    nothing is due."""
    today = today or timezone.localdate()
    school_ids = list(School.objects.filter(trust=trust).values_list("pk", flat=True))
    with transaction.atomic():
        open_reviews = list(Review.objects.select_for_update().filter(trust=trust, status__in=["open", "approved"]))
        if any(r.status == Review.Status.APPROVED for r in open_reviews):
            return None
        for old in open_reviews:
            old.status = Review.Status.REPLACED
            old.save(update_fields=["status"])
            ReviewItem.objects.filter(review=old).delete()
        holds = holds_for(school_ids)
        review = Review.objects.create(trust=trust, swept_on=today)
        lines = []
        for row in effective_schedule(trust):
            kind = row.kind
            due = kind.due(school_ids, cutoff_for(today, row.years), holds).order_by()
            counts = due.values(kind.school_field).annotate(n=Count("pk", distinct=True)).order_by()
            for count in counts:
                lines.append(
                    ReviewLine(
                        review=review,
                        kind=kind.key,
                        school_id=count[kind.school_field],
                        count=count["n"],
                        years=row.years,
                        action=row.action,
                    )
                )
            if row.action != REVIEW and counts:
                _copy_items(review, kind.key, due.values_list("pk", kind.school_field).distinct())
                for part, rows in kind.parts.items():
                    _copy_items(review, f"{kind.key}/{part}", rows(due))
        if not lines:
            review.delete()
            return None
        ReviewLine.objects.bulk_create(lines)
    return review


def _copy_items(review: Review, key: str, rows) -> None:
    """INSERT ... SELECT `rows` (id, school id) into the review's items: one statement."""
    sql, params = rows.order_by().query.sql_with_params()  # no ordering columns in the SELECT
    # `sql` is the ORM's own compiled query (its values stay in `params`).
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {ReviewItem._meta.db_table} (review_id, kind, object_id, school_id) "  # noqa: S608
            f"SELECT %s, %s, due.* FROM ({sql}) due",
            [review.pk, key, *params],
        )


# --- approval and disposal -----------------------------------------------------------------


def approve(*, review: Review, user, request=None) -> Review:
    """The DPO approves: the records on the review are destroyed by the worker, in
    batches (retention.tasks.dispose_review_batch, queued once this commits)."""
    from .tasks import dispose_review_batch

    with transaction.atomic():
        review = Review.objects.select_for_update().get(pk=review.pk)
        if review.status != Review.Status.OPEN:
            raise ValidationError("This review has already been decided.")
        review.status = Review.Status.APPROVED
        review.approved_by = user
        review.approved_at = timezone.now()
        review.save(update_fields=["status", "approved_by", "approved_at"])
        total = sum(review.lines.exclude(action=REVIEW).values_list("count", flat=True))
        audit.record(
            action="retention.review_approved",
            actor=user,
            obj=review,
            summary=f"Approved the destruction of {total} records at the end of their retention",
            request=request,
            data={"trust": review.trust_id, "records": total},
        )
        dispose_review_batch.delay_on_commit(review.pk)
    return review


def dispose_batch(review_id: int, today: datetime.date | None = None) -> bool:
    """Destroy the next BATCH_SIZE records of an approved review, checking each is
    still due and under no legal hold now (a hold placed since the sweep keeps it).
    Returns True if more remain. Safe to run twice: done items are marked."""
    today = today or timezone.localdate()
    with transaction.atomic():
        review = Review.objects.select_for_update().filter(pk=review_id).first()
        if review is None or review.status != Review.Status.APPROVED:
            return False
        # A kind's parts ("devices.loans/signatures") go with their records, by them.
        items = list(
            ReviewItem.objects.filter(review=review, done_at__isnull=True)
            .exclude(kind__contains="/")
            .order_by("id")[:BATCH_SIZE]
        )
        if not items:
            review.status = Review.Status.DONE
            review.finished_at = timezone.now()
            review.save(update_fields=["status", "finished_at"])
            audit.record(
                action="retention.review_finished", obj=review, summary="Finished destroying the approved records"
            )
            return False
        lines = {(line.kind, line.school_id): line for line in review.lines.all()}
        school_ids = sorted({item.school_id for item in items})
        holds = holds_for(school_ids)
        by_kind = defaultdict(list)
        for item in items:
            by_kind[item.kind].append(item)
        log = []
        for key, kind_items in by_kind.items():
            kind = retention.kind(key)
            line = lines[(key, kind_items[0].school_id)]
            still_due = list(
                kind.due(school_ids, cutoff_for(today, line.years), holds)
                .filter(pk__in=[i.object_id for i in kind_items])
                .order_by()
                .values_list("pk", kind.school_field)
                .distinct()
            )
            ids = sorted(pk for pk, _ in still_due)
            kind.dispose(ids, Disposal(review_id=review.pk, kind=key))
            per_school = defaultdict(int)
            for _, school_id in still_due:
                per_school[school_id] += 1
            for school_id, count in sorted(per_school.items()):
                school_line = lines[(key, school_id)]
                log.append(
                    Destruction(
                        review=review,
                        kind=key,
                        kind_label=kind.label[:200],
                        school_id=school_id,
                        count=count,
                        action=school_line.action,
                        rule=_rule_text(kind, school_line),
                        approved_by_id=review.approved_by_id,
                        approved_at=review.approved_at,
                    )
                )
        Destruction.objects.bulk_create(log)
        ReviewItem.objects.filter(pk__in=[i.pk for i in items]).update(done_at=timezone.now())
    return True


def _rule_text(kind, line) -> str:
    end = {"delete": "delete", "anonymise": "anonymise", "review": "review"}[line.action]
    return f"{line.years} years from {kind.clock}, then {end}"[:300]
