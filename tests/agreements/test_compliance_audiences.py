"""The dashboard for every audience: pupils (KS2, EYFS/KS1) by year group and class,
parents per pupil (one carer, or each carer), visitors this week; the drill-down
to the people with its filters; CSV and PDF; "remind now"; the trust roll-up; and
query counts that do not grow with schools or pupils."""

import csv
import datetime
import io
import secrets

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from agreements import services
from agreements.compliance import (
    GroupFilter,
    compliance_for_schools,
    school_compliance,
)
from agreements.drilldown import parent_rows, pupil_rows, remind_recipients
from agreements.models import Method
from aup import services as aup
from aup.models import Audience, PolicyKind
from core.roles import Role
from tests.conftest import give_mfa, make_member
from tests.factories import (
    GuardianshipFactory,
    PupilFactory,
    SchoolClassFactory,
    SchoolFactory,
    TrustFactory,
    TrustMembershipFactory,
    year_group,
)

from .pdf_helpers import pdf_text
from .signing_helpers import _approve_and_publish, sign_as

pytestmark = pytest.mark.django_db

ALL = (Audience.STAFF, Audience.KS2, Audience.EYFS_KS1, Audience.PARENTS, Audience.VISITORS)


def publish_forms(school, by, audiences=ALL, *, title="ICT acceptable use", every_academic_year=()):
    """A policy with a form for each audience, approved and published: {audience: form}."""
    version = aup.create_policy(school=school, title=title, kind=PolicyKind.ICT_AUP, by=by, audiences=audiences)
    for audience in every_academic_year:
        form = version.forms.get(audience=audience)
        aup.save_form(
            version=version,
            audience=audience,
            title=form.title,
            intro=form.intro,
            statements=[s.text for s in form.statements.all()],
            every_academic_year=True,
            by=by,
        )
    _approve_and_publish(version, by)
    return {f.audience: f for f in version.forms.all()}


def _sign(form, *, pupil=None, signer=None, led_by=None, method=None, name=None, details=None):
    if method is None:
        method = Method.FOR_CHILD if signer else Method.READ_ALOUD
    signed_at = timezone.now() - datetime.timedelta(minutes=1) if method == Method.READ_ALOUD else None
    return services.sign(
        form=form,
        signer=signer,
        typed_name=name or (signer.full_name if signer else pupil.full_name),
        statements_agreed=[s.number for s in form.statements.all()],
        submission_key=secrets.token_urlsafe(16),
        method=method,
        pupil=pupil,
        led_by=led_by,
        signed_at=signed_at,
        details=details,
    )


def read_aloud(form, pupil, teacher):
    return _sign(form, pupil=pupil, led_by=teacher)


def result_for(school, form):
    return next(r for r in school_compliance(school) if r.form == form)


def groups_of(result):
    return {(g.level, g.label): (g.signed, g.outstanding) for g in result.groups}


# --- Counts ---------------------------------------------------------------------------


def test_a_ks2_form_counts_pupils_by_year_and_class_leaving_out_joiners_and_leavers(school, head, teacher):
    forms = publish_forms(school, head)
    oak = SchoolClassFactory(school=school, name="Oak", year_group=year_group(school, "3"))
    ash = SchoolClassFactory(school=school, name="Ash", year_group=year_group(school, "5"))
    oak_pupils = [PupilFactory(school=school, school_class=oak) for _ in range(3)]
    PupilFactory(school=school, school_class=ash)
    PupilFactory(school=school, school_class=SchoolClassFactory(school=school, year_group=year_group(school, "1")))
    today = timezone.localdate()
    PupilFactory(school=school, school_class=oak, admission_date=today + datetime.timedelta(days=7))  # joiner
    leaver = PupilFactory(school=school, school_class=oak, leaving_date=today)  # left today
    read_aloud(forms[Audience.KS2], oak_pupils[0], teacher)
    read_aloud(forms[Audience.KS2], leaver, teacher)
    result = result_for(school, forms[Audience.KS2])
    assert (result.overall.signed, result.overall.outstanding) == (1, 3)
    groups = groups_of(result)
    assert groups[("year", "Year 3")] == (1, 2)
    assert groups[("class", "Oak")] == (1, 2)
    assert groups[("class", "Ash")] == (0, 1)
    assert ("year", "Year 1") not in groups  # key stage 1 reads the EYFS/KS1 form
    eyfs = result_for(school, forms[Audience.EYFS_KS1])
    assert (eyfs.overall.signed, eyfs.overall.outstanding) == (0, 1)


def test_a_pupils_form_signed_every_year_is_outstanding_again_from_1_september(school, head, teacher, pupil):
    with time_machine.travel(datetime.datetime(2026, 7, 10, 10, 0, tzinfo=datetime.UTC), tick=False):
        forms = publish_forms(school, head, (Audience.KS2,), every_academic_year=(Audience.KS2,))
        read_aloud(forms[Audience.KS2], pupil, teacher)
    with time_machine.travel(datetime.datetime(2026, 8, 31, 22, 0, tzinfo=datetime.UTC), tick=False):
        assert result_for(school, forms[Audience.KS2]).overall.signed == 1  # 23:00 in London, still August
    with time_machine.travel(datetime.datetime(2026, 9, 1, 8, 0, tzinfo=datetime.UTC), tick=False):
        result = result_for(school, forms[Audience.KS2])
        assert (result.overall.signed, result.overall.outstanding) == (0, 1)
        assert not pupil_rows(forms[Audience.KS2])[0].signed


def test_one_carer_with_parental_responsibility_is_enough_for_the_parents_form(school, head, pupil, school_class):
    forms = publish_forms(school, head, (Audience.PARENTS,))
    mother = GuardianshipFactory(pupil=pupil, relationship="mother").carer
    GuardianshipFactory(pupil=pupil, relationship="father")
    GuardianshipFactory(pupil=pupil, relationship="grandparent", parental_responsibility=False)
    sibling = PupilFactory(school=school, school_class=school_class)
    GuardianshipFactory(pupil=sibling, carer=mother)
    _sign(forms[Audience.PARENTS], pupil=pupil, signer=mother)
    result = result_for(school, forms[Audience.PARENTS])
    assert (result.overall.signed, result.overall.outstanding) == (1, 1)
    assert groups_of(result)[("class", "Oak")] == (1, 1)
    rows = {r.pupil: r for r in parent_rows(forms[Audience.PARENTS])}
    assert rows[pupil].signed and not rows[sibling].signed
    assert len(rows[pupil].carers) == 2  # the grandparent has no parental responsibility


def test_when_every_carer_signs_a_pupil_is_outstanding_until_each_carer_with_pr_has(school, head, pupil):
    school.every_carer_signs = True
    school.save()
    forms = publish_forms(school, head, (Audience.PARENTS,))
    mother = GuardianshipFactory(pupil=pupil, relationship="mother").carer
    father = GuardianshipFactory(pupil=pupil, relationship="father").carer
    GuardianshipFactory(pupil=pupil, relationship="carer", parental_responsibility=False)
    form = forms[Audience.PARENTS]
    _sign(form, pupil=pupil, signer=mother)
    assert result_for(school, form).overall.outstanding == 1
    assert not parent_rows(form)[0].signed
    assert remind_recipients(form) == {father: [pupil]}
    _sign(form, pupil=pupil, signer=father)
    assert (result_for(school, form).overall.signed, result_for(school, form).overall.outstanding) == (1, 0)
    assert parent_rows(form)[0].signed


def test_counts_agree_with_the_drill_down_rows_for_every_audience(school, head, teacher, pupil, school_class):
    forms = publish_forms(school, head)
    others = [PupilFactory(school=school, school_class=school_class) for _ in range(4)]
    for child in [pupil, *others]:
        GuardianshipFactory(pupil=child)
    read_aloud(forms[Audience.KS2], others[0], teacher)
    _sign(forms[Audience.PARENTS], pupil=others[1], signer=others[1].guardianships.get().carer)
    for audience, rows in [(Audience.KS2, pupil_rows), (Audience.PARENTS, parent_rows)]:
        result = result_for(school, forms[audience])
        listed = rows(forms[audience])
        assert result.overall.signed == sum(r.signed for r in listed) == 1
        assert result.overall.total == len(listed) == 5


def test_the_visitors_form_shows_who_signed_today_and_this_week(client_for, school, head):
    forms = publish_forms(school, head, (Audience.VISITORS,))
    form = forms[Audience.VISITORS]
    monday = datetime.datetime(2026, 11, 23, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(monday, tick=False):
        _sign(form, method=Method.VISITOR_KIOSK, name="Val Visitor", details={"organisation": "=Acme"})
    with time_machine.travel(monday + datetime.timedelta(days=2), tick=False):
        _sign(form, method=Method.VISITOR_KIOSK, name="Tom Today")
        result = result_for(school, form)
        assert (result.visitors_today, result.visitors_this_week) == (1, 2)
        page = client_for(head).get(reverse("agreements:compliance", args=[school.slug])).content.decode()
        assert "1 visitor signed today" in page and "2 this week" in page
        response = client_for(head).get(reverse("agreements:compliance_csv", args=[school.slug, form.pk]))
        rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
        assert ["Val Visitor", "'=Acme"] == rows[2][:2]
    with time_machine.travel(monday + datetime.timedelta(days=7), tick=False):
        assert result_for(school, form).visitors_this_week == 0


def test_the_dashboard_page_shows_every_audience_with_links_to_each_group(client_for, school, head, pupil):
    forms = publish_forms(school, head)
    page = client_for(head).get(reverse("agreements:compliance", args=[school.slug])).content.decode()
    for form in forms.values():
        assert escape(form.title) in page
    drill = reverse("agreements:compliance_form", args=[school.slug, forms[Audience.PARENTS].pk])
    assert f"{drill}?class={pupil.school_class_id}" in page
    assert f"{drill}?year=3" in page
    assert "0% signed" in page  # the chart's text alternative


# --- Drill-down -----------------------------------------------------------------------


def drill(school, form, **query):
    url = reverse("agreements:compliance_form", args=[school.slug, form.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_the_drill_down_filters_by_class_and_by_year(client_for, school, head, teacher, pupil, school_class):
    forms = publish_forms(school, head)
    other_class = SchoolClassFactory(school=school, name="Elm", year_group=year_group(school, "4"))
    other = PupilFactory(school=school, school_class=other_class, first_name="Zed", last_name="Other")
    signature = read_aloud(forms[Audience.KS2], pupil, teacher)
    client = client_for(head)
    response = client.get(drill(school, forms[Audience.KS2], **{"class": school_class.pk}))
    assert [r.pupil for r in response.context["signed"]] == [pupil]
    assert response.context["outstanding"] == []
    page = response.content.decode()
    assert escape(signature.how) in page and f"{timezone.localtime(signature.signed_at):%d/%m/%Y}" in page
    response = client.get(drill(school, forms[Audience.KS2], year="4"))
    assert [r.pupil for r in response.context["outstanding"]] == [other]
    response = client.get(drill(school, forms[Audience.PARENTS], **{"class": other_class.pk}))
    assert [r.pupil for r in response.context["outstanding"]] == [other]


def test_the_parents_drill_down_lists_the_carers_with_pr_and_who_signed(client_for, school, head, pupil):
    forms = publish_forms(school, head, (Audience.PARENTS,))
    mother = GuardianshipFactory(pupil=pupil, relationship="mother").carer
    GuardianshipFactory(pupil=pupil, relationship="grandparent", parental_responsibility=False)
    _sign(forms[Audience.PARENTS], pupil=pupil, signer=mother)
    page = client_for(head).get(drill(school, forms[Audience.PARENTS])).content.decode()
    assert mother.email in page and escape(f"Signed by {mother.full_name} for {pupil.full_name}") in page


@pytest.mark.parametrize(
    "query", [{"class": 999999}, {"class": "abc"}, {"year": "99"}, {"year": "6"}, {"type": "pilot"}]
)
def test_an_unknown_group_is_not_found(client_for, school, head, pupil, query):
    forms = publish_forms(school, head)
    assert client_for(head).get(drill(school, forms[Audience.KS2], **query)).status_code == 404


def test_a_class_of_another_school_is_not_found(client_for, school, head, other_school):
    forms = publish_forms(school, head)
    theirs = SchoolClassFactory(school=other_school)
    client = client_for(head)
    assert client.get(drill(school, forms[Audience.PARENTS], **{"class": theirs.pk})).status_code == 404
    url = reverse("agreements:compliance_csv", args=[school.slug, forms[Audience.PARENTS].pk])
    assert client.get(f"{url}?class={theirs.pk}").status_code == 404
    remind = reverse("agreements:compliance_remind", args=[school.slug, forms[Audience.PARENTS].pk])
    assert client.post(remind, {"class": theirs.pk}).status_code == 404


def test_a_class_filter_on_the_staff_form_is_not_found(client_for, school, head, school_class):
    forms = publish_forms(school, head)
    assert client_for(head).get(drill(school, forms[Audience.STAFF], **{"class": school_class.pk})).status_code == 404


def test_the_staff_drill_down_filters_by_type_of_staff(client_for, school, head):
    forms = publish_forms(school, head, (Audience.STAFF,))
    supporter = make_member(school, Role.SUPPORT_STAFF, staff_type="support")
    make_member(school, Role.TEACHER, staff_type="teaching")
    response = client_for(head).get(drill(school, forms[Audience.STAFF], type="support"))
    assert [r.membership.user for r in response.context["outstanding"]] == [supporter]


@pytest.mark.parametrize("who", ["teacher", "parent", "outsider"])
def test_the_wrong_people_get_404_on_every_dashboard_page(client_for, school, head, request, who):
    forms = publish_forms(school, head)
    user = request.getfixturevalue(who)
    client = client_for(user)
    form = forms[Audience.PARENTS]
    for name, args in [
        ("agreements:compliance", []),
        ("agreements:compliance_pdf", []),
        ("agreements:compliance_form", [form.pk]),
        ("agreements:compliance_csv", [form.pk]),
    ]:
        assert client.get(reverse(name, args=[school.slug, *args])).status_code == 404
    assert client.post(reverse("agreements:compliance_remind", args=[school.slug, form.pk])).status_code == 404


def test_a_form_of_another_school_is_not_found_on_any_page(client_for, school, head, outsider, other_school):
    forms = publish_forms(school, head)
    client = client_for(outsider)
    for name in ("agreements:compliance_form", "agreements:compliance_csv", "agreements:compliance_remind"):
        url = reverse(name, args=[other_school.slug, forms[Audience.KS2].pk])
        assert (client.post(url) if name.endswith("remind") else client.get(url)).status_code == 404


# --- CSV ------------------------------------------------------------------------------


def test_the_pupils_and_parents_csv_escape_every_cell(client_for, school, head, teacher, school_class):
    forms = publish_forms(school, head)
    sneaky = PupilFactory(school=school, school_class=school_class, first_name="=cmd|' /C calc'!A0", last_name="+Bad")
    carer = GuardianshipFactory(pupil=sneaky, carer__first_name="@Mum", carer__last_name="-Evil").carer
    read_aloud(forms[Audience.KS2], sneaky, teacher)
    client = client_for(head)
    ks2 = client.get(reverse("agreements:compliance_csv", args=[school.slug, forms[Audience.KS2].pk]))
    rows = list(csv.reader(io.StringIO(b"".join(ks2.streaming_content).decode())))
    assert rows[0][:4] == ["Last name", "First name", "Year group", "Class"]
    assert rows[1][:2] == ["'+Bad", "'=cmd|' /C calc'!A0"]
    assert rows[1][4] == "Signed" and rows[1][6].startswith("Read aloud to")
    parents = client.get(reverse("agreements:compliance_csv", args=[school.slug, forms[Audience.PARENTS].pk]))
    rows = list(csv.reader(io.StringIO(b"".join(parents.streaming_content).decode())))
    assert rows[1][:2] == ["'+Bad", "'=cmd|' /C calc'!A0"]
    assert rows[1][4] == "Outstanding"
    assert rows[1][5] == f"'@Mum -Evil <{carer.email}>"


def test_the_csv_follows_the_group_filter(client_for, school, head, pupil):
    forms = publish_forms(school, head, (Audience.KS2,))
    PupilFactory(school=school, school_class=SchoolClassFactory(school=school, name="Elm"))
    url = reverse("agreements:compliance_csv", args=[school.slug, forms[Audience.KS2].pk])
    response = client_for(head).get(f"{url}?class={pupil.school_class_id}")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [r[1] for r in rows[1:]] == [pupil.first_name]


# --- PDF ------------------------------------------------------------------------------


def test_the_printable_dashboard_pdf_has_the_school_the_date_and_every_form(client_for, school, head, pupil):
    forms = publish_forms(school, head)
    response = client_for(head).get(reverse("agreements:compliance_pdf", args=[school.slug]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert school.name in text
    assert f"Printed {timezone.localdate():%d/%m/%Y}" in text or timezone.localdate().strftime("%d/%m/%Y") in text
    for form in forms.values():
        assert form.title in text
    assert "0 of 1 signed (0%)" in text  # the KS2 form: Amelia in Oak
    assert "Oak" in text and "Year 3" in text


# --- Remind now -----------------------------------------------------------------------


def test_remind_recipients_for_staff_are_those_who_have_not_signed(school, head, teacher):
    forms = publish_forms(school, head, (Audience.STAFF,))
    sign_as(forms[Audience.STAFF], head)
    assert remind_recipients(forms[Audience.STAFF]) == {teacher: []}


def test_remind_recipients_for_parents_are_every_pr_carer_of_a_child_with_no_signature(school, head, pupil):
    forms = publish_forms(school, head, (Audience.PARENTS,))
    mother = GuardianshipFactory(pupil=pupil, relationship="mother").carer
    father = GuardianshipFactory(pupil=pupil, relationship="father").carer
    GuardianshipFactory(pupil=pupil, relationship="grandparent", parental_responsibility=False)
    signed_child = PupilFactory(school=school, school_class=pupil.school_class)
    GuardianshipFactory(pupil=signed_child, carer=mother)
    _sign(forms[Audience.PARENTS], pupil=signed_child, signer=mother)
    assert remind_recipients(forms[Audience.PARENTS]) == {mother: [pupil], father: [pupil]}


def test_remind_recipients_for_a_pupils_form_are_the_class_teachers(school, head, teacher, pupil, school_class):
    forms = publish_forms(school, head, (Audience.KS2,))
    school_class.teachers.add(teacher.memberships.get())
    other = PupilFactory(school=school, school_class=school_class)
    read_aloud(forms[Audience.KS2], other, teacher)
    PupilFactory(school=school, school_class=SchoolClassFactory(school=school))  # a class with no teacher
    assert remind_recipients(forms[Audience.KS2]) == {teacher: [pupil]}
    assert remind_recipients(forms[Audience.KS2], GroupFilter(year_group=year_group(school, "4"))) == {}


def test_remind_now_posts_the_groups_recipients_and_says_how_many(client_for, school, head, pupil, monkeypatch):
    forms = publish_forms(school, head, (Audience.PARENTS,))
    mother = GuardianshipFactory(pupil=pupil).carer
    calls = []

    def fake_remind_now(**kwargs):
        calls.append(kwargs)
        return len(kwargs["recipients"])

    monkeypatch.setattr("reminders.services.remind_now", fake_remind_now)
    form = forms[Audience.PARENTS]
    url = reverse("agreements:compliance_remind", args=[school.slug, form.pk])
    client = client_for(head)
    assert client.get(url).status_code == 405
    response = client.post(url, {"class": pupil.school_class_id}, follow=True)
    assert response.redirect_chain[-1][0] == drill(school, form, **{"class": pupil.school_class_id})
    assert "1 person will be reminded." in response.content.decode()
    (call,) = calls
    assert call["recipients"] == {mother: [pupil]}
    assert call["school"] == school and call["form"] == form and call["requested_by"] == head


def test_remind_now_for_a_group_with_nobody_outstanding_reminds_nobody(client_for, school, head, pupil, monkeypatch):
    forms = publish_forms(school, head, (Audience.PARENTS,))
    monkeypatch.setattr("reminders.services.remind_now", lambda **kwargs: pytest.fail("nobody to remind"))
    mother = GuardianshipFactory(pupil=pupil).carer
    _sign(forms[Audience.PARENTS], pupil=pupil, signer=mother)
    url = reverse("agreements:compliance_remind", args=[school.slug, forms[Audience.PARENTS].pk])
    response = client_for(head).post(url, follow=True)
    assert "Nobody needs a reminder" in response.content.decode()


# --- The trust ------------------------------------------------------------------------


def trust_url(trust):
    return reverse("agreements_trust:compliance", args=[trust.slug])


def test_the_trust_officer_sees_every_school_with_links_to_its_dashboard(
    client_for, trust, school, sister_school, head, trust_officer, pupil
):
    forms = publish_forms(school, head)
    sister_head = make_member(sister_school, Role.HEADTEACHER)
    publish_forms(sister_school, sister_head, (Audience.STAFF,), title="Mobile phones")
    GuardianshipFactory(pupil=pupil)
    response = client_for(trust_officer).get(trust_url(trust))
    assert response.status_code == 200
    page = response.content.decode()
    for s in (school, sister_school):
        assert s.name in page and reverse("agreements:compliance", args=[s.slug]) in page
    assert reverse("agreements:compliance_form", args=[school.slug, forms[Audience.PARENTS].pk]) in page
    rows = dict(response.context["rows"])
    parents = next(r for r in rows[school] if r.audience == Audience.PARENTS)
    assert (parents.overall.signed, parents.overall.outstanding) == (0, 1)
    assert client_for(trust_officer).get(reverse("agreements:compliance", args=[sister_school.slug])).status_code == 200


def test_the_trust_roll_up_is_not_found_for_a_head_or_another_trusts_officer(client_for, trust, school, head):
    assert client_for(head).get(trust_url(trust)).status_code == 404
    stranger = TrustMembershipFactory(trust=TrustFactory()).user
    give_mfa(stranger)
    assert client_for(stranger).get(trust_url(trust)).status_code == 404


def test_the_trust_officers_home_page_links_to_the_roll_up(client_for, trust, school, trust_officer):
    page = client_for(trust_officer).get(reverse("core:home")).content.decode()
    assert trust_url(trust) in page


# --- Query counts ---------------------------------------------------------------------


def _populate(school, head, pupils, forms=None):
    forms = forms or publish_forms(school, head, title=f"ICT {school.slug}")
    classes = [SchoolClassFactory(school=school, year_group=year_group(school, code)) for code in ("R", "2", "4", "6")]
    teacher = make_member(school, Role.TEACHER, staff_type="teaching")
    for i in range(pupils):
        child = PupilFactory(school=school, school_class=classes[i % len(classes)])
        carer = GuardianshipFactory(pupil=child).carer
        if i % 2:
            _sign(forms[Audience.PARENTS], pupil=child, signer=carer)
            form = forms[Audience.KS2] if child.year_group.key_stage == "ks2" else forms[Audience.EYFS_KS1]
            read_aloud(form, child, teacher)
    sign_as(forms[Audience.STAFF], teacher)
    return forms


def _count(client, url, django_assert_num_queries):
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("page", ["dashboard", "trust"])
def test_the_dashboard_and_the_roll_up_take_the_same_queries_for_1_or_3_schools_and_5_or_50_pupils(
    client_for, trust, school, head, trust_officer, page, django_assert_num_queries
):
    school.every_carer_signs = True
    school.save()
    forms = _populate(school, head, 5)
    client = client_for(head if page == "dashboard" else trust_officer)
    url = reverse("agreements:compliance", args=[school.slug]) if page == "dashboard" else trust_url(trust)
    small = _count(client, url, django_assert_num_queries)
    for n in range(2):
        other = SchoolFactory(trust=trust, slug=f"extra-{n}")
        _populate(other, make_member(other, Role.HEADTEACHER), 5)
    _populate(school, head, 45, forms)
    client = client_for(head if page == "dashboard" else trust_officer)
    client.get(url)
    with django_assert_num_queries(small):
        client.get(url)


@pytest.mark.parametrize("audience", [Audience.KS2, Audience.PARENTS, Audience.STAFF])
def test_the_drill_down_takes_the_same_queries_for_5_or_50_pupils(
    client_for, school, head, audience, django_assert_num_queries
):
    forms = _populate(school, head, 5)
    client = client_for(head)
    url = reverse("agreements:compliance_form", args=[school.slug, forms[audience].pk])
    small = _count(client, url, django_assert_num_queries)
    for _ in range(45):
        child = PupilFactory(school=school, school_class=SchoolClassFactory(school=school))
        GuardianshipFactory(pupil=child)
    client.get(url)
    with django_assert_num_queries(small):
        client.get(url)


def test_compliance_for_schools_takes_six_queries_for_a_whole_trust(trust, school, head, django_assert_num_queries):
    _populate(school, head, 5)
    other = SchoolFactory(trust=trust)
    _populate(other, make_member(other, Role.HEADTEACHER), 5)
    schools = list(trust.schools.all())
    with django_assert_num_queries(6):
        results = compliance_for_schools(schools)
    assert set(results) == {school.pk, other.pk}


def test_loan_conditions_are_not_on_the_dashboard(school, head, client_for):
    from aup.models import Audience
    from tests.agreements.signing_helpers import publish_form_for

    form = publish_form_for(school, head, Audience.LOANS, title="Equipment loans")
    client = client_for(head)
    page = client.get(f"/s/{school.slug}/compliance/").content.decode()
    assert "Equipment loans" not in page
    assert client.get(f"/s/{school.slug}/compliance/{form.pk}/").status_code == 404
