"""The head's view: for each published form of a school, who has signed and who has
not, for every audience, overall and by group (type of staff; year group and class).

Counts come from SQL aggregation (GROUP BY year group and class, with EXISTS for the
rules), never from a loop over every pupil or carer, and `compliance_for_schools`
does every school of a trust in the same fixed number of queries:

  1. the published forms of the schools;
  2. the staff who must sign (school, user, type of staff), as flat values;
  3. the staff signatures that count (form, signer), as flat values;
  4. current pupils counted by school, year group and class;
  5. pupils counted as signed by form, year group and class (pupils' forms, and
     parents' forms with the school's one-carer or every-carer rule);
  6. visitors who signed today and this week, by form.

Staff are few (tens per school), so they are matched in Python from two flat lists.
The drill-down of one form (its people, paged and streamed) is `agreements.drilldown`.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import BooleanField, Case, Count, Exists, OuterRef, Q, Value, When
from django.utils import timezone

from aup.models import AgreementForm, Audience, VersionStatus
from core.academic_year import AcademicYear
from core.roles import Role
from schools.models import Guardianship, Membership, MembershipRole, Pupil, StaffType

from .models import Kind, Signature
from .selectors import PUPIL_KEY_STAGES

# The order audiences appear in on the dashboard, within a policy.
AUDIENCE_ORDER = [Audience.STAFF, Audience.KS2, Audience.EYFS_KS1, Audience.PARENTS, Audience.VISITORS]
PUPIL_AUDIENCES = (Audience.KS2, Audience.EYFS_KS1, Audience.PARENTS)
AUDIENCE_SHORT = {
    Audience.STAFF: "Staff",
    Audience.KS2: "Pupils (KS2 and above)",
    Audience.EYFS_KS1: "Pupils (EYFS and KS1)",
    Audience.PARENTS: "Parents and carers",
    Audience.VISITORS: "Visitors",
}
NO_CLASS = "No class"
# A year group's classes are listed under it up to this many (a large secondary has
# a dozen forms a year). Beyond it the year group is one row, so the dashboard stays
# a page long, and as quick, however large the school.
CLASSES_LISTED = 15


# --- What counts ----------------------------------------------------------------------


def _not_withdrawn():
    """Not withdrawn since: NOT IN the (few) signatures that withdrawals point at,
    computed once per query rather than probed per row (a correlated NOT EXISTS on
    `supersedes_id`, which is nearly always NULL, makes SQLite's planner scan the
    whole table per row once ANALYZE has seen that)."""
    withdrawn = Signature.objects.filter(kind=Kind.WITHDRAWAL, supersedes__isnull=False).values("supersedes_id")
    return ~Q(pk__in=withdrawn)


def counting_signatures(forms=None):
    """Signatures that count now: signatures (not withdrawals), not withdrawn since,
    and for a form signed every academic year, of this academic year. Given the
    `forms`, the yearly rule is written with their ids, so the query needs no join
    to the forms (it runs once per row in the dashboard's subqueries)."""
    this_year = AcademicYear.current().start_year
    signatures = Signature.objects.filter(kind=Kind.SIGNATURE)
    if forms is None:
        signatures = signatures.filter(Q(form__every_academic_year=False) | Q(academic_year=this_year))
    else:
        every_year = [f.pk for f in forms if f.every_academic_year]
        if every_year:
            signatures = signatures.filter(~Q(form_id__in=every_year) | Q(academic_year=this_year))
    return signatures.filter(_not_withdrawn())


def _admitted_pupils(school_ids):
    """Current pupils admitted by today: joiners count from their admission date,
    leavers stop counting on their leaving date."""
    today = timezone.localdate()
    return (
        Pupil.objects.current()
        .filter(school_id__in=school_ids)
        .filter(Q(admission_date__isnull=True) | Q(admission_date__lte=today))
    )


def _carer_still_to_sign(forms, every_carer_forms, school_ids):
    """For a signature row of a parents' form (outer query): a carer with parental
    responsibility for the same pupil who has no counting signature for that form.
    Bounded by the forms and the schools as well as correlated, so that a planner
    which hashes the subqueries (PostgreSQL does) reads these schools' carers and
    these forms' signatures, never the whole tables."""
    carer_signed = counting_signatures(forms).filter(
        form_id__in=every_carer_forms,
        form_id=OuterRef(OuterRef("form_id")),
        pupil_id=OuterRef(OuterRef("pupil_id")),
        signer_id=OuterRef("carer_id"),
    )
    return Exists(
        Guardianship.objects.filter(
            pupil__school_id__in=school_ids, pupil_id=OuterRef("pupil_id"), parental_responsibility=True
        ).filter(~Exists(carer_signed))
    )


# --- Results --------------------------------------------------------------------------


@dataclass
class GroupCount:
    label: str
    signed: int = 0
    outstanding: int = 0
    # Of the outstanding: pupils who signed a form a parent countersigns, whose parent
    # has not yet (the pair counts as signed only when both are there).
    waiting: int = 0
    level: str = ""  # "type", "year" or "class": how the drill-down filters it
    key: str = ""  # the value of that filter (staff type, year code or class id)
    # A year group of more classes than the dashboard lists (CLASSES_LISTED): how
    # many, shown in its one row; its drill-down lists its pupils class by class.
    classes_not_listed: int = 0

    @property
    def total(self) -> int:
        return self.signed + self.outstanding

    @property
    def percent(self) -> int:
        return round(100 * self.signed / self.total) if self.total else 0

    @property
    def bar_step(self) -> int:
        """The percentage signed rounded to a multiple of 5, for the CSS bar."""
        return 5 * round(self.percent / 5)

    @property
    def query(self) -> str:
        """The drill-down's query string for this group ("class=12", "year=3")."""
        return f"{self.level}={self.key}" if self.level and self.key else ""


@dataclass
class FormCompliance:
    form: AgreementForm
    overall: GroupCount
    groups: list = field(default_factory=list)  # GroupCount per staff type, or per year and class
    # Visitors' forms: nobody is listed as having to sign, so the dashboard shows
    # how many visitors signed today and this week instead of who is outstanding.
    visitors_today: int = 0
    visitors_this_week: int = 0

    @property
    def audience(self) -> str:
        return self.form.audience

    @property
    def audience_label(self) -> str:
        return AUDIENCE_SHORT.get(self.form.audience, self.form.get_audience_display())

    @property
    def is_visitors(self) -> bool:
        return self.form.audience == Audience.VISITORS

    @property
    def groups_label(self) -> str:
        return "Type of staff" if self.form.audience == Audience.STAFF else "Year group and class"


def published_forms_of(school_ids):
    # Loan conditions are signed on a loan's receipt: nobody is outstanding for them.
    forms = AgreementForm.objects.filter(
        version__policy__school_id__in=school_ids,
        version__status=VersionStatus.PUBLISHED,
        audience__in=AUDIENCE_ORDER,
    ).select_related("version__policy")
    order = {a: i for i, a in enumerate(AUDIENCE_ORDER)}
    return sorted(forms, key=lambda f: (f.version.policy.title.lower(), f.version.policy_id, order.get(f.audience, 99)))


def week_start(today: datetime.date) -> datetime.date:
    return today - datetime.timedelta(days=today.weekday())


def _local_midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def compliance_for_schools(schools, *, by_group=True) -> dict[int, list[FormCompliance]]:
    """{school id: [FormCompliance per published form]} for every school given, in
    the same six queries however many schools, forms, staff, pupils and carers.
    by_group=False (the trust roll-up) gives the totals only: pupils are then counted
    per school and year group rather than per class, so the rows read back stay few
    however many classes the trust has."""
    schools = list(schools)
    school_ids = [s.pk for s in schools]
    every_carer = {s.pk: s.every_carer_signs for s in schools}
    results: dict[int, list[FormCompliance]] = {pk: [] for pk in school_ids}
    if not school_ids:
        return results
    forms = published_forms_of(school_ids)
    by_audience = defaultdict(list)
    for form in forms:
        by_audience[form.audience].append(form)

    staff = _staff_counts(school_ids, by_audience[Audience.STAFF])
    pupil_forms = [f for a in PUPIL_AUDIENCES for f in by_audience[a]]
    pupils = _pupil_counts(school_ids, pupil_forms, every_carer, by_group=by_group) if pupil_forms else {}
    visitors = _visitor_counts(by_audience[Audience.VISITORS])

    for form in forms:
        school_id = form.version.policy.school_id
        if form.audience == Audience.STAFF:
            result = staff[form.pk]
        elif form.audience in PUPIL_AUDIENCES:
            result = pupils[form.pk]
        else:
            today, week = visitors.get(form.pk, (0, 0))
            result = FormCompliance(form, GroupCount("Visitors"), visitors_today=today, visitors_this_week=week)
        results[school_id].append(result)
    return results


def school_compliance(school) -> list[FormCompliance]:
    return compliance_for_schools([school])[school.pk]


def staff_compliance(school) -> list[FormCompliance]:
    """The school's published staff forms only."""
    return [r for r in school_compliance(school) if r.audience == Audience.STAFF]


def _staff_memberships_values(school_ids):
    """Active staff who have started. Found from the staff roles (a partial index
    holds every role but parent), so the query never reads the carers' memberships,
    which outnumber staff twenty to one."""
    today = timezone.localdate()
    staff_ids = MembershipRole.objects.filter(~Q(role=Role.PARENT)).values("membership_id")
    return (
        Membership.objects.active()
        .filter(pk__in=staff_ids, school_id__in=school_ids)
        .filter(Q(start_date__isnull=True) | Q(start_date__lte=today))
    )


def _must_sign(form: AgreementForm, staff_type: str) -> bool:
    return not form.staff_types or staff_type in form.staff_types


def _staff_counts(school_ids, forms) -> dict[int, FormCompliance]:
    if not forms:
        return {}
    members = list(_staff_memberships_values(school_ids).values_list("school_id", "user_id", "staff_type"))
    signed = set(
        counting_signatures(forms)
        .filter(form_id__in=[f.pk for f in forms], signer__isnull=False)
        .order_by()
        .values_list("form_id", "signer_id")
        .distinct()
    )
    labels = dict(StaffType.choices)
    order = {code: i for i, code in enumerate(labels)}
    results = {}
    for form in forms:
        school_id = form.version.policy.school_id
        overall = GroupCount("All staff")
        groups: dict[str, GroupCount] = {}
        for member_school, user_id, staff_type in members:
            if member_school != school_id or not _must_sign(form, staff_type):
                continue
            key = staff_type or ""
            group = groups.setdefault(
                key, GroupCount(labels.get(key, "Type not recorded"), level="type", key=key or "none")
            )
            if (form.pk, user_id) in signed:
                overall.signed += 1
                group.signed += 1
            else:
                overall.outstanding += 1
                group.outstanding += 1
        ordered = sorted(groups.items(), key=lambda item: order.get(item[0], len(order)))
        results[form.pk] = FormCompliance(form, overall, [g for _, g in ordered])
    return results


def _pupil_counts(school_ids, forms, every_carer, *, by_group=True) -> dict[int, FormCompliance]:
    """Pupils' and parents' forms: totals per (school, year group, class) from one
    GROUP BY over pupils, and signed pupils per (form, year group, class) from one
    GROUP BY over the signatures that count (per school and year group only, when
    not `by_group`)."""
    if by_group:
        total_columns = (
            "school_id",
            "year_group_id",
            "year_group__code",
            "year_group__key_stage",
            "year_group__position",
            "school_class_id",
            "school_class__name",
        )
        columns = ("form_id", "pupil__year_group_id", "pupil__school_class_id")
    else:
        # Per year group rather than key stage: the signatures then need no join to
        # the year groups (the totals' few rows say each year group's key stage).
        total_columns = ("school_id", "year_group_id", "year_group__key_stage")
        columns = ("form_id", "pupil__year_group_id")
    totals = list(_admitted_pupils(school_ids).values(*total_columns).annotate(n=Count("pk")))
    today = timezone.localdate()
    # Parents' forms of schools that ask every carer with parental responsibility to
    # sign: a pupil counts as signed only when none of those carers is still to sign.
    # Written with the forms' ids (known here) so that only their rows run the check.
    every_carer_forms = [
        f.pk for f in forms if f.audience == Audience.PARENTS and every_carer.get(f.version.policy.school_id)
    ]
    signed_base = (
        counting_signatures(forms)
        # The schools' pupils only: otherwise the join reads every pupil of the
        # database (a hash join over the whole table on PostgreSQL).
        .filter(school_id__in=school_ids, pupil__school_id__in=school_ids)
        .filter(Q(pupil__leaving_date__isnull=True) | Q(pupil__leaving_date__gt=today))
        .filter(Q(pupil__admission_date__isnull=True) | Q(pupil__admission_date__lte=today))
        .order_by()
    )
    # A pupil's signature that awaits a parent's countersignature counts once it has it;
    # until then the pupil is "waiting for a parent". Counted in the same GROUP BY (a
    # column of its own), so the dashboard's query count does not change.
    countersigned_forms = [f.pk for f in forms if f.audience == Audience.KS2]
    if countersigned_forms:
        awaiting = Q(form_id__in=countersigned_forms, details__has_key="countersign", countersignature__isnull=True)
        waits = Case(When(awaiting, then=Value(True)), default=Value(False), output_field=BooleanField())
    else:
        waits = Value(False, output_field=BooleanField())
    signed_base = signed_base.annotate(waits=waits)
    one_carer = signed_base.filter(form_id__in=[f.pk for f in forms if f.pk not in every_carer_forms])
    signed_rows = one_carer.values(*columns, "waits").annotate(n=Count("pupil_id", distinct=True))
    if every_carer_forms:
        # A separate SELECT of the same statement (UNION ALL), so the check stands
        # alone in its WHERE clause rather than under an OR.
        every_carer_rows = (
            signed_base.filter(form_id__in=every_carer_forms)
            .filter(~_carer_still_to_sign(forms, every_carer_forms, school_ids))
            .values(*columns, "waits")
            .annotate(n=Count("pupil_id", distinct=True))
        )
        signed_rows = signed_rows.union(every_carer_rows, all=True)
    signed, waiting = {}, {}
    for r in signed_rows:
        key = tuple(r[c] for c in columns)
        found = waiting if r["waits"] else signed
        found[key] = found.get(key, 0) + r["n"]
    if not by_group:
        return _pupil_totals(forms, totals, signed, waiting)

    by_school = defaultdict(list)
    classes_in_year = defaultdict(int)  # year group id -> its classes with pupils
    for row in totals:
        by_school[row["school_id"]].append(row)
        classes_in_year[row["year_group_id"]] += 1
    for rows in by_school.values():
        rows.sort(key=lambda r: (r["year_group__position"], r["school_class__name"] is None, r["school_class__name"]))

    results = {}
    for form in forms:
        school_id = form.version.policy.school_id
        stages = PUPIL_KEY_STAGES.get(form.audience)  # None: every pupil (parents' form)
        label = "All pupils" if form.audience != Audience.PARENTS else "All pupils (parents' signature)"
        overall = GroupCount(label)
        groups: list[GroupCount] = []
        year_group = None
        for row in by_school[school_id]:
            if stages is not None and row["year_group__key_stage"] not in stages:
                continue
            done = signed.get((form.pk, row["year_group_id"], row["school_class_id"]), 0)
            waits = waiting.get((form.pk, row["year_group_id"], row["school_class_id"]), 0)
            if year_group is None or year_group.key != row["year_group__code"]:
                year_group = GroupCount(_year_name(row["year_group__code"]), level="year", key=row["year_group__code"])
                groups.append(year_group)
                if classes_in_year[row["year_group_id"]] > CLASSES_LISTED:
                    year_group.classes_not_listed = classes_in_year[row["year_group_id"]]
            class_name = row["school_class__name"]
            if not year_group.classes_not_listed:
                groups.append(
                    GroupCount(
                        class_name or f"{year_group.label}: {NO_CLASS.lower()}",
                        signed=done,
                        outstanding=row["n"] - done,
                        waiting=waits,
                        level="class" if class_name else "",
                        key=str(row["school_class_id"] or ""),
                    )
                )
            for count in (year_group, overall):
                count.signed += done
                count.outstanding += row["n"] - done
                count.waiting += waits
        results[form.pk] = FormCompliance(form, overall, groups)
    return results


def _pupil_totals(forms, totals, signed, waiting) -> dict[int, FormCompliance]:
    """Overall counts per form from rows per (school, year group): no groups."""
    results = {}
    for form in forms:
        school_id = form.version.policy.school_id
        stages = PUPIL_KEY_STAGES.get(form.audience)  # None: every pupil (parents' form)
        label = "All pupils" if form.audience != Audience.PARENTS else "All pupils (parents' signature)"
        overall = GroupCount(label)
        for row in totals:
            stage = row["year_group__key_stage"]
            if row["school_id"] != school_id or (stages is not None and stage not in stages):
                continue
            done = signed.get((form.pk, row["year_group_id"]), 0)
            overall.signed += done
            overall.outstanding += row["n"] - done
            overall.waiting += waiting.get((form.pk, row["year_group_id"]), 0)
        results[form.pk] = FormCompliance(form, overall, [])
    return results


def _year_name(code: str) -> str:
    from schools.models import YEAR_GROUPS

    return {c: name for c, name, _ in YEAR_GROUPS}.get(code, code)


def _visitor_counts(forms) -> dict[int, tuple[int, int]]:
    if not forms:
        return {}
    today = timezone.localdate()
    since_today, since_monday = _local_midnight(today), _local_midnight(week_start(today))
    rows = (
        Signature.objects.filter(form__in=forms, kind=Kind.SIGNATURE, signed_at__gte=since_monday)
        .filter(_not_withdrawn())
        .order_by()
        .values("form_id")
        .annotate(today=Count("pk", filter=Q(signed_at__gte=since_today)), week=Count("pk"))
    )
    return {r["form_id"]: (r["today"], r["week"]) for r in rows}


# --- Drill-down: the people -----------------------------------------------------------


@dataclass(frozen=True)
class GroupFilter:
    """Which group of a form's people the drill-down shows: a type of staff, a year
    group (by code) or a class. Resolved against the school by the view."""

    staff_type: str | None = None
    year_group: object | None = None  # YearGroup
    school_class: object | None = None  # SchoolClass

    @property
    def label(self) -> str:
        if self.school_class is not None:
            return f"class {self.school_class.name}"
        if self.year_group is not None:
            return self.year_group.name
        if self.staff_type is not None:
            return dict(StaffType.choices).get(self.staff_type, "type not recorded").lower()
        return ""

    @property
    def query(self) -> dict:
        if self.school_class is not None:
            return {"class": self.school_class.pk}
        if self.year_group is not None:
            return {"year": self.year_group.code}
        if self.staff_type is not None:
            return {"type": self.staff_type or "none"}
        return {}


EVERYONE = GroupFilter()
