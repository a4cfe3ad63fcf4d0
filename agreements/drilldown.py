"""The drill-down of one form: the people who must sign it (a school's staff, or its
pupils for a pupils' or parents' form), each with the signature that counts, and
whom "remind now" would email.

A parents' form of a large school lists 20,000 pupils, so nothing here reads a whole
school into memory or passes its ids back to the database:

- `people(form, group)` is a queryset of the memberships or pupils, annotated in SQL
  with `has_signed` (EXISTS over the signatures that count, with the school's
  one-carer or every-carer rule), so a page filters, counts and slices in SQL;
- `rows_for(form, batch)` turns one page (or one chunk of a stream) into rows with
  their signatures and carers: an `IN` list as long as the batch, never the school;
- `iter_rows(form, people)` streams any number of rows in chunks of `CHUNK_SIZE`,
  for the CSV, the printed list and "remind now".
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from aup.models import AgreementForm, Audience
from schools.models import Guardianship, Membership, Pupil, SchoolClass

from .compliance import (
    EVERYONE,
    GroupFilter,
    _admitted_pupils,
    _local_midnight,
    _not_withdrawn,
    _staff_memberships_values,
    counting_signatures,
    week_start,
)
from .models import Kind, Signature
from .selectors import PUPIL_KEY_STAGES

# Rows read back per query when streaming: bounds every IN list and the memory a
# stream holds, whatever the size of the school.
CHUNK_SIZE = 500


# --- The people, with their status in SQL ----------------------------------------------


def _signed_by_user(form):
    return Exists(counting_signatures([form]).filter(form_id=form.pk, signer_id=OuterRef("user_id")))


def _signed_for_pupil(form):
    """A counting signature for the pupil; on a form a parent countersigns, only once
    the parent has (until then the pupil is "waiting for a parent")."""
    found = counting_signatures([form]).filter(form_id=form.pk, pupil_id=OuterRef("pk"))
    if form.audience in PUPIL_KEY_STAGES:
        found = found.exclude(details__has_key="countersign", countersignature__isnull=True)
    return Exists(found)


def _signed_by_pupil(form):
    """The pupil's own signature, countersigned or not: their part is done."""
    return Exists(counting_signatures([form]).filter(form_id=form.pk, pupil_id=OuterRef("pk")))


def _carer_still_to_sign(form):
    """A carer with parental responsibility for the pupil (outer query) who has no
    counting signature of this form for that pupil."""
    carer_signed = counting_signatures([form]).filter(
        form_id=form.pk, pupil_id=OuterRef(OuterRef("pk")), signer_id=OuterRef("carer_id")
    )
    return Exists(
        Guardianship.objects.filter(pupil_id=OuterRef("pk"), parental_responsibility=True).filter(~Exists(carer_signed))
    )


def staff_people(form: AgreementForm, group: GroupFilter = EVERYONE) -> QuerySet:
    """Active staff who have started and must sign `form` (of one type, if given), in
    name order, each annotated `has_signed`."""
    members = _staff_memberships_values([form.version.policy.school_id])
    if form.staff_types:
        members = members.filter(staff_type__in=form.staff_types)
    if group.staff_type == "":
        members = members.filter(Q(staff_type="") | Q(staff_type__isnull=True))
    elif group.staff_type is not None:
        members = members.filter(staff_type=group.staff_type)
    return (
        members.annotate(has_signed=_signed_by_user(form))
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "pk")
    )


def pupil_people(form: AgreementForm, group: GroupFilter = EVERYONE, *, every_carer_signs=None) -> QuerySet:
    """The pupils a pupils' or parents' form is needed for (of a year group or class,
    if given), in year, class and name order, each annotated `has_signed`."""
    pupils = _admitted_pupils([form.version.policy.school_id])
    stages = PUPIL_KEY_STAGES.get(form.audience)
    if stages is not None:
        pupils = pupils.filter(year_group__key_stage__in=stages)
    if group.school_class is not None:
        pupils = pupils.filter(school_class=group.school_class)
    if group.year_group is not None:
        pupils = pupils.filter(year_group=group.year_group)
    signed = _signed_for_pupil(form)
    if form.audience == Audience.PARENTS:
        if every_carer_signs is None:
            every_carer_signs = form.version.policy.school.every_carer_signs
        if every_carer_signs:
            signed = signed & ~_carer_still_to_sign(form)
    return (
        pupils.annotate(has_signed=signed)
        .select_related("year_group", "school_class")
        .order_by("year_group__position", "school_class__name", "last_name", "first_name", "pk")
    )


def people(form: AgreementForm, group: GroupFilter = EVERYONE) -> QuerySet:
    if form.audience == Audience.STAFF:
        return staff_people(form, group)
    return pupil_people(form, group)


def counts(people_qs: QuerySet) -> tuple[int, int]:
    """(signed, outstanding) in one scan of the people."""
    found = people_qs.order_by().aggregate(signed=Count("pk", filter=Q(has_signed=True)), everyone=Count("pk"))
    return found["signed"], found["everyone"] - found["signed"]


def outstanding(people_qs: QuerySet) -> QuerySet:
    return people_qs.filter(has_signed=False)


def signed(people_qs: QuerySet) -> QuerySet:
    return people_qs.filter(has_signed=True)


# --- Rows for a batch ------------------------------------------------------------------


@dataclass(frozen=True)
class PersonStatus:
    membership: Membership
    signature: Signature | None

    @property
    def signed(self) -> bool:
        return self.signature is not None


@dataclass
class PupilRow:
    pupil: Pupil
    signature: Signature | None = None

    @property
    def waiting_for_parent(self) -> bool:
        """The pupil signed; the parent's countersignature the form asks for is not there yet."""
        signature = self.signature
        return (
            signature is not None
            and "countersign" in (signature.details or {})
            and getattr(signature, "countersignature", None) is None
        )

    @property
    def signed(self) -> bool:
        """Signed, and countersigned where the form asks for it: the pair is complete."""
        return self.signature is not None and not self.waiting_for_parent


@dataclass
class CarerStatus:
    user: object
    relationship: str
    signature: Signature | None = None

    @property
    def signed(self) -> bool:
        return self.signature is not None


@dataclass
class ParentRow:
    """A pupil on a parents' form: the carers with parental responsibility, each
    with their signature, and every signature that counts for the pupil."""

    pupil: Pupil
    carers: list = field(default_factory=list)  # CarerStatus, with parental responsibility
    signatures: list = field(default_factory=list)
    signed: bool = False

    @property
    def carers_to_remind(self) -> list:
        return [] if self.signed else [c.user for c in self.carers if not c.signed]


def _staff_batch(form, memberships) -> list[PersonStatus]:
    latest = {}
    for signature in (
        counting_signatures([form])
        .filter(form_id=form.pk, signer_id__in=[m.user_id for m in memberships])
        .only("pk", "form_id", "signer_id", "signed_at", "academic_year", "verification_code", "method")
        .order_by("signed_at", "pk")
    ):
        latest[signature.signer_id] = signature  # later rows win
    return [PersonStatus(m, latest.get(m.user_id)) for m in memberships]


def _pupil_batch(form, pupils) -> list[PupilRow]:
    rows = {p.pk: PupilRow(p) for p in pupils}
    for signature in (
        counting_signatures([form])
        .filter(form_id=form.pk, pupil_id__in=list(rows))
        .select_related("led_by", "countersignature")
        .order_by("signed_at", "pk")
    ):
        row = rows[signature.pupil_id]
        signature.pupil, signature.form = row.pupil, form  # for Signature.how, without a query
        row.signature = signature
    return list(rows.values())


def _parent_batch(form, pupils, every_carer_signs) -> list[ParentRow]:
    rows = {p.pk: ParentRow(p) for p in pupils}
    for guardianship in (
        Guardianship.objects.filter(pupil_id__in=list(rows), parental_responsibility=True)
        .select_related("carer")
        .order_by("carer__last_name", "carer__first_name", "pk")
    ):
        rows[guardianship.pupil_id].carers.append(
            CarerStatus(guardianship.carer, guardianship.get_relationship_display())
        )
    for signature in (
        counting_signatures([form])
        .filter(form_id=form.pk, pupil_id__in=list(rows))
        .select_related("led_by", "signer")
        .order_by("signed_at", "pk")
    ):
        row = rows[signature.pupil_id]
        signature.pupil, signature.form = row.pupil, form  # for Signature.how, without a query
        row.signatures.append(signature)
        for carer in row.carers:
            if carer.user.pk == signature.signer_id:
                carer.signature = signature
    for row in rows.values():
        if every_carer_signs:
            row.signed = bool(row.signatures) and all(c.signed for c in row.carers)
        else:
            row.signed = bool(row.signatures)
    return list(rows.values())


def rows_for(form: AgreementForm, batch: Iterable, *, every_carer_signs=None) -> list:
    """The rows of one batch of `people(...)` (a page, or a chunk of a stream): two or
    three queries, whose IN lists are as long as the batch."""
    batch = list(batch)
    if not batch:
        return []
    if form.audience == Audience.STAFF:
        return _staff_batch(form, batch)
    if form.audience == Audience.PARENTS:
        if every_carer_signs is None:
            every_carer_signs = form.version.policy.school.every_carer_signs
        return _parent_batch(form, batch, every_carer_signs)
    return _pupil_batch(form, batch)


def iter_rows(form: AgreementForm, people_qs: QuerySet, *, chunk_size: int | None = None) -> Iterator:
    """Every row of `people_qs`, read a chunk at a time (a server-side cursor on
    PostgreSQL), so a stream of a whole school holds one chunk in memory."""
    chunk_size = chunk_size or CHUNK_SIZE
    every_carer_signs = form.version.policy.school.every_carer_signs if form.audience == Audience.PARENTS else None
    objects = people_qs.iterator(chunk_size=chunk_size)
    while chunk := list(islice(objects, chunk_size)):
        yield from rows_for(form, chunk, every_carer_signs=every_carer_signs)


def parent_csv_values(form: AgreementForm, people_qs: QuerySet, *, chunk_size: int | None = None) -> Iterator[list]:
    """The parents' form's CSV rows (pupil, year group, class, status, carers with
    parental responsibility, who signed and when) read as flat values a chunk at a
    time: the largest list there is, so no model objects are made for it (a fifth of
    the time of `iter_rows` at 20,000 pupils)."""
    from .compliance import _year_name

    chunk_size = chunk_size or CHUNK_SIZE
    pupils = people_qs.values_list(
        "pk", "last_name", "first_name", "year_group__code", "school_class__name", "has_signed"
    ).iterator(chunk_size=chunk_size)
    while chunk := list(islice(pupils, chunk_size)):
        ids = [row[0] for row in chunk]
        carers = defaultdict(list)
        for pupil_id, carer_id, first, last, email in (
            Guardianship.objects.filter(pupil_id__in=ids, parental_responsibility=True)
            .order_by("carer__last_name", "carer__first_name", "pk")
            .values_list("pupil_id", "carer_id", "carer__first_name", "carer__last_name", "carer__email")
        ):
            carers[pupil_id].append((carer_id, f"{first} {last}".strip() or email, email))
        signatures = defaultdict(list)
        for pupil_id, signer_id, signer_name, signed_at in (
            counting_signatures([form])
            .filter(form_id=form.pk, pupil_id__in=ids)
            .order_by("signed_at", "pk")
            .values_list("pupil_id", "signer_id", "signer_name", "signed_at")
        ):
            signatures[pupil_id].append((signer_id, signer_name, signed_at))
        for pupil_id, last_name, first_name, year_code, class_name, has_signed in chunk:
            signers = {signer_id for signer_id, _, _ in signatures[pupil_id]}
            yield [
                last_name,
                first_name,
                _year_name(year_code),
                class_name or "",
                has_signed,
                [(name, email, carer_id in signers) for carer_id, name, email in carers[pupil_id]],
                [(name, signed_at) for _, name, signed_at in signatures[pupil_id]],
            ]


# --- Whole lists (small groups, tests and "remind now") ---------------------------------


def staff_rows(form: AgreementForm, group: GroupFilter = EVERYONE) -> list[PersonStatus]:
    """Everyone who must sign `form` (of one type of staff, if given), each with the
    signature that counts (or None), in name order."""
    return list(iter_rows(form, staff_people(form, group)))


def pupil_rows(form: AgreementForm, group: GroupFilter = EVERYONE) -> list[PupilRow]:
    """A pupils' form: each pupil of the group, with the signature that counts (the
    latest), in year, class and name order."""
    return list(iter_rows(form, pupil_people(form, group)))


def parent_rows(form: AgreementForm, group: GroupFilter = EVERYONE) -> list[ParentRow]:
    """A parents' form: each pupil of the group and whether their parents' signature
    is still needed (one carer with parental responsibility, or each such carer if the
    school asks every carer to sign)."""
    return list(iter_rows(form, pupil_people(form, group)))


def visitor_rows(form: AgreementForm) -> list[Signature]:
    """Visitors who signed this week (since Monday), latest first: a week's visitors."""
    since_monday = _local_midnight(week_start(timezone.localdate()))
    return list(
        Signature.objects.filter(form=form, kind=Kind.SIGNATURE, signed_at__gte=since_monday)
        .filter(_not_withdrawn())
        .order_by("-signed_at", "-pk")
    )


# --- Remind now -----------------------------------------------------------------------


def remind_recipients(form: AgreementForm, group: GroupFilter = EVERYONE) -> dict:
    """Whom "remind now" emails for the outstanding people of a form's group:
    {user: [pupils]}, read from the outstanding people only, a chunk at a time.

    Staff: each member of staff who has not signed -> [].
    Parents: each carer with parental responsibility who has not signed for a child
    of the group whose parents' signature is still needed -> [those children]. (With
    one signature per child, a child with none still needs it, so every carer with
    parental responsibility is reminded; if every carer must sign, those who have not.)
    Pupils' forms: each class teacher -> [the outstanding pupils of their class]."""
    recipients: dict = {}
    waiting = outstanding(people(form, group))
    if form.audience == Audience.STAFF:
        for membership in waiting.iterator(chunk_size=CHUNK_SIZE):
            recipients[membership.user] = []
    elif form.audience == Audience.PARENTS:
        for row in iter_rows(form, waiting):
            for carer in row.carers_to_remind:
                recipients.setdefault(carer, []).append(row.pupil)
    elif form.audience in PUPIL_KEY_STAGES:
        # The class teachers of the classes with someone outstanding: a join, not a
        # list of the classes' ids.
        teachers = defaultdict(list)
        for link in (
            SchoolClass.teachers.through.objects.filter(
                schoolclass__in=waiting.filter(school_class__isnull=False).values("school_class_id"),
                membership__status=Membership.Status.ACTIVE,
            )
            .select_related("membership__user")
            .order_by("membership__user__last_name", "pk")
        ):
            teachers[link.schoolclass_id].append(link.membership.user)
        # A pupil waiting for a parent's countersignature has done their part: their
        # teacher has nothing to do (the parents are reminded by their own sweep).
        for pupil in waiting.filter(~_signed_by_pupil(form)).iterator(chunk_size=CHUNK_SIZE):
            for user in teachers.get(pupil.school_class_id, []):
                recipients.setdefault(user, []).append(pupil)
    return recipients
