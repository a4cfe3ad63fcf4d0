"""The dashboard and the trust roll-up on a realistic trust (core.scale, as
`manage.py seed_scale` builds it: carers with their parent memberships, siblings,
split families, staff of every kind, one school in four asking every carer to sign):
the same queries at two sizes, counts that agree with the rows, and a year group of
many classes shown as one row."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agreements import compliance
from agreements.models import Kind, Signature
from aup.models import Audience
from core.scale import build_trust
from tests.conftest import give_mfa

pytestmark = pytest.mark.django_db


def _queries(client, url) -> int:
    assert client.get(url).status_code == 200  # warm: the session, the menu
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def _signed_in(client_for, user):
    give_mfa(user)  # heads and trust officers must use two-step sign-in
    return client_for(user)


def _pages(client_for, plan):
    dashboard = reverse("agreements:compliance", args=[plan.schools[0].school.slug])
    rollup = reverse("agreements_trust:compliance", args=[plan.trust.slug])
    return (
        _queries(_signed_in(client_for, plan.schools[0].head), dashboard),
        _queries(_signed_in(client_for, plan.officer), rollup),
    )


def test_the_dashboard_and_the_roll_up_take_the_same_queries_for_a_small_and_a_three_times_larger_trust(
    client_for,
):
    # Four schools so that the fourth asks every carer to sign (the UNION's second
    # SELECT); the larger trust has three times the pupils, carers and staff.
    small = build_trust(name="Small Trust", sizes=[60, 40, 40, 40])
    small_counts = _pages(client_for, small)
    large = build_trust(name="Large Trust", sizes=[180, 120, 120, 120, 90])
    large_counts = _pages(client_for, large)

    assert small_counts == large_counts


def test_the_staff_counts_leave_out_the_carers_memberships():
    plan = build_trust(name="Staff Trust", sizes=[90])
    built = plan.schools[0]

    (ict, social) = (r for r in compliance.school_compliance(built.school) if r.audience == Audience.STAFF)
    signed = Signature.objects.filter(form=ict.form, kind=Kind.SIGNATURE).count()

    assert ict.overall.total == len(built.staff) == social.overall.total
    assert ict.overall.signed == signed
    assert built.carers  # the school has carers, with parent memberships, not counted


def test_the_roll_up_totals_agree_with_the_schools_dashboards():
    plan = build_trust(name="Agreeing Trust", sizes=[70, 50, 50, 60])
    schools = [b.school for b in plan.schools]

    rolled = compliance.compliance_for_schools(schools, by_group=False)
    for school in schools:
        full = {r.form.pk: (r.overall.signed, r.overall.outstanding) for r in compliance.school_compliance(school)}
        assert {r.form.pk: (r.overall.signed, r.overall.outstanding) for r in rolled[school.pk]} == full


def test_a_year_group_of_more_classes_than_listed_is_one_row_linking_to_its_pupils(client_for, monkeypatch):
    plan = build_trust(name="Many Classes Trust", sizes=[420])  # 60 a year: two classes each
    built = plan.schools[0]
    monkeypatch.setattr(compliance, "CLASSES_LISTED", 1)

    results = {r.audience: r for r in compliance.school_compliance(built.school)}
    parents = results[Audience.PARENTS]

    assert [g.level for g in parents.groups] == ["year"] * 7
    assert {g.classes_not_listed for g in parents.groups} == {2}
    assert sum(g.total for g in parents.groups) == parents.overall.total == 420
    page = (
        _signed_in(client_for, built.head)
        .get(reverse("agreements:compliance", args=[built.school.slug]))
        .content.decode()
    )
    assert "2 classes: open the year group" in page
    drill = reverse("agreements:compliance_form", args=[built.school.slug, parents.form.pk])
    assert f"{drill}?year=R" in page
    assert f"{drill}?class=" not in page


def test_a_year_group_of_few_classes_lists_each_class():
    plan = build_trust(name="Few Classes Trust", sizes=[420])
    parents = next(r for r in compliance.school_compliance(plan.schools[0].school) if r.audience == Audience.PARENTS)

    assert [g.level for g in parents.groups].count("class") == 14
    assert not any(g.classes_not_listed for g in parents.groups)
