"""The consent rules, as reads with a fixed number of queries.

The effective answer for a pupil and a purpose:
- only carers who hold parental responsibility now count, each by their latest record
  for the child (a change or withdrawal is a new record, so it counts at once);
- yes only if every such carer who has answered that purpose said yes; if two carers disagree, the
  more restrictive answer (no) applies (and the office was told when it happened);
- a pupil with no answer counts as no for every purpose;
- answers are keyed by purpose code, so a record made on an earlier version of the
  form still answers the purposes the new version keeps; a purpose that is new counts
  as no until a carer answers it. Such a pupil is "to confirm": their old answers
  apply until a carer answers the new version.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet

from schools.models import Guardianship, Pupil

from .models import ConsentForm, ConsentPurpose, ConsentRecord, FormStatus


class Status:
    ANSWERED = "answered"
    TO_CONFIRM = "to_confirm"
    OUTSTANDING = "outstanding"

    LABELS = {
        ANSWERED: "Answered",
        TO_CONFIRM: "Answered an earlier form: asked to confirm",
        OUTSTANDING: "No answer yet (counts as no)",
    }


def current_form(school) -> ConsentForm | None:
    """The school's published consent form with its purposes in order: two queries."""
    return (
        ConsentForm.objects.filter(school=school, status=FormStatus.PUBLISHED)
        .select_related("school")
        .prefetch_related(Prefetch("purposes", queryset=ConsentPurpose.objects.order_by("order", "pk")))
        .first()
    )


@dataclass
class PupilConsent:
    pupil: Pupil
    answers: dict  # purpose code -> bool (the effective answer)
    status: str
    disagreements: set = field(default_factory=set)  # codes on which carers disagree
    records: list = field(default_factory=list)  # the counting records (latest per carer)

    def allows(self, code: str) -> bool:
        return self.answers.get(code, False)

    @property
    def status_label(self) -> str:
        return Status.LABELS[self.status]


def latest_records(pupil_ids, *, select_carer=False) -> dict[int, list[ConsentRecord]]:
    """For each pupil, the latest record of each carer who holds parental
    responsibility now: two queries whatever the number of pupils. `pupil_ids` is a
    few ids, or a queryset of the pupils' ids (a subquery: a whole school's ids never
    travel as an IN list)."""
    if not isinstance(pupil_ids, QuerySet):
        pupil_ids = list(pupil_ids)
    with_pr = set(
        Guardianship.objects.filter(pupil_id__in=pupil_ids, parental_responsibility=True).values_list(
            "pupil_id", "carer_id"
        )
    )
    records = ConsentRecord.objects.filter(pupil_id__in=pupil_ids, superseded_by__isnull=True).order_by(
        "signed_at", "id"
    )
    if select_carer:
        records = records.select_related("carer")
    latest: dict[tuple[int, int], ConsentRecord] = {}
    for record in records.defer("drawn_signature", "user_agent"):
        if (record.pupil_id, record.carer_id) in with_pr:
            latest[(record.pupil_id, record.carer_id)] = record  # later rows win
    by_pupil: dict[int, list[ConsentRecord]] = {}
    for (pupil_id, _), record in latest.items():
        by_pupil.setdefault(pupil_id, []).append(record)
    return by_pupil


def effective(form: ConsentForm | None, pupil: Pupil, records: list[ConsentRecord]) -> PupilConsent:
    codes = [p.code for p in form.purposes.all()] if form else []
    if not records:
        return PupilConsent(pupil, {code: False for code in codes}, Status.OUTSTANDING)
    answers, disagreements = {}, set()
    for code in codes:
        given = [r.answers.get(code) for r in records if isinstance(r.answers.get(code), bool)]
        # A carer who has not answered this purpose (a purpose added since) does not
        # count for it, just as a carer who never answered does not.
        answers[code] = bool(given) and all(given)
        if True in given and False in given:
            disagreements.add(code)
    on_current = form is not None and any(r.form_id == form.pk for r in records)
    status = Status.ANSWERED if on_current else Status.TO_CONFIRM
    return PupilConsent(pupil, answers, status, disagreements, records)


def consent_for_pupils(form, pupils, *, select_carer=False) -> list[PupilConsent]:
    """The effective consent of each pupil: three queries (two for pupils already
    fetched). Given a queryset (a class, a year, the school), its records are read
    through it as a subquery rather than an IN list of every pupil's id."""
    ids = pupils.values("pk") if isinstance(pupils, QuerySet) else None
    pupils = list(pupils)
    by_pupil = latest_records(ids if ids is not None else [p.pk for p in pupils], select_carer=select_carer)
    return [effective(form, pupil, by_pupil.get(pupil.pk, [])) for pupil in pupils]


# Pupils read per query when streaming (the CSV of the whole school).
CHUNK_SIZE = 500


def iter_consent(form, pupils: QuerySet, *, chunk_size: int | None = None):
    """The effective consent of every pupil of `pupils` (ordered), read a chunk at a
    time for a stream (the CSV): one chunk in memory, IN lists as long as a chunk."""
    from itertools import islice

    chunk_size = chunk_size or CHUNK_SIZE
    rows = pupils.iterator(chunk_size=chunk_size)
    while chunk := list(islice(rows, chunk_size)):
        yield from consent_for_pupils(form, chunk)


def current_pupils(school):
    return (
        Pupil.objects.current()
        .filter(school=school)
        .select_related("school_class", "year_group")
        .order_by("first_name", "last_name", "pk")
    )


@dataclass
class CheckResult:
    purpose: ConsentPurpose
    may: list  # PupilConsent
    may_not: list


def who_may_appear(form, pupils, code: str) -> CheckResult:
    """Split `pupils` into who may and who may NOT appear for one purpose: three
    queries (the pupils, their carers with parental responsibility, the records),
    the same for a class of 30 and a year of 120."""
    purpose = next(p for p in form.purposes.all() if p.code == code)
    may, may_not = [], []
    for consent in consent_for_pupils(form, pupils):
        (may if consent.allows(code) else may_not).append(consent)
    return CheckResult(purpose, may, may_not)


@dataclass
class ClassRow:
    name: str
    pupils: int = 0
    answered: int = 0
    to_confirm: int = 0
    outstanding: int = 0


@dataclass
class Dashboard:
    form: ConsentForm | None
    total: int
    by_class: list  # ClassRow
    coverage: list  # (purpose, yes count, percent)
    answered: int = 0
    to_confirm: int = 0
    outstanding: int = 0
    disagreements: list = field(default_factory=list)


def dashboard(school) -> Dashboard:
    """Answered and outstanding by class and the coverage of each purpose: a fixed
    number of queries whatever the size of the school."""
    form = current_form(school)
    consents = consent_for_pupils(form, current_pupils(school))
    rows: dict[str, ClassRow] = {}
    order = {}
    for consent in consents:
        pupil = consent.pupil
        name = pupil.school_class.name if pupil.school_class_id else f"{pupil.year_group.name} (no class)"
        order.setdefault(name, (pupil.year_group.position, name))
        row = rows.setdefault(name, ClassRow(name))
        row.pupils += 1
        setattr(row, consent.status, getattr(row, consent.status) + 1)
    purposes = list(form.purposes.all()) if form else []
    total = len(consents)
    coverage = []
    for purpose in purposes:
        yes = sum(1 for c in consents if c.allows(purpose.code))
        coverage.append((purpose, yes, round(100 * yes / total) if total else 0))
    result = Dashboard(form, total, sorted(rows.values(), key=lambda r: order[r.name]), coverage)
    for consent in consents:
        setattr(result, consent.status, getattr(result, consent.status) + 1)
    result.disagreements = [c for c in consents if c.disagreements]
    return result


# --- Parents ----------------------------------------------------------------------


@dataclass
class FamilyChild:
    guardianship: Guardianship
    form: ConsentForm | None
    consent: PupilConsent
    mine: ConsentRecord | None  # this carer's latest record for the child
    carers_who_can_answer: list  # names of carers with parental responsibility

    @property
    def pupil(self):
        return self.guardianship.pupil

    @property
    def can_answer(self) -> bool:
        return self.guardianship.parental_responsibility and self.form is not None


def family_consent(user, guardianships) -> list[FamilyChild]:
    """Each of this person's children with the school's form, the effective consent
    and this carer's own latest answers: a fixed number of queries."""
    if not guardianships:
        return []
    school_ids = {g.pupil.school_id for g in guardianships}
    forms = {
        f.school_id: f
        for f in ConsentForm.objects.filter(school_id__in=school_ids, status=FormStatus.PUBLISHED)
        .select_related("school")
        .prefetch_related(Prefetch("purposes", queryset=ConsentPurpose.objects.order_by("order", "pk")))
    }
    pupil_ids = [g.pupil_id for g in guardianships]
    by_pupil = latest_records(pupil_ids)
    names: dict[int, list[str]] = {}
    for other in (
        Guardianship.objects.filter(pupil_id__in=pupil_ids, parental_responsibility=True)
        .select_related("carer")
        .order_by("pk")
    ):
        names.setdefault(other.pupil_id, []).append(other.carer.get_full_name() or other.carer.email)
    mine = {
        r.pupil_id: r
        for r in ConsentRecord.objects.filter(carer=user, pupil_id__in=pupil_ids, superseded_by__isnull=True)
        .select_related("form")
        .order_by("signed_at", "id")
    }
    result = []
    for g in guardianships:
        form = forms.get(g.pupil.school_id)
        result.append(
            FamilyChild(
                guardianship=g,
                form=form,
                consent=effective(form, g.pupil, by_pupil.get(g.pupil_id, [])),
                mine=mine.get(g.pupil_id),
                carers_who_can_answer=names.get(g.pupil_id, []),
            )
        )
    return result
