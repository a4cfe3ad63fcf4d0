import pytest
from django.urls import reverse

from consent.models import ConsentRecord
from core.roles import Role
from tests.conftest import make_member
from tests.factories import GuardianshipFactory, PupilFactory, SchoolClassFactory

from .helpers import answer, published_form

pytestmark = pytest.mark.django_db


def _answers(form, yes=()):
    data = {f"use_{p.code}": ("yes" if p.code in yes else "no") for p in form.purposes.all()}
    return {**data, "typed_name": "Sam Khan", "submission_key": "abc123", "drawn_signature": ""}


def test_a_parent_answers_for_their_child_and_gets_a_receipt(client_for, school, head, pupil, parent):
    form = published_form(school, head)
    client = client_for(parent)
    assert client.get(reverse("family_consent:home")).status_code == 200
    url = reverse("family_consent:answer", args=[pupil.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, _answers(form, yes={"website"}))
    record = ConsentRecord.objects.get()
    assert response.status_code == 302 and record.answers["website"] is True and record.answers["press"] is False
    assert client.get(response.url).status_code == 200


def test_a_parent_must_answer_every_purpose(client_for, school, head, pupil, parent):
    form = published_form(school, head)
    data = _answers(form)
    del data["use_press"]
    response = client_for(parent).post(reverse("family_consent:answer", args=[pupil.pk]), data)
    assert response.status_code == 400 and ConsentRecord.objects.count() == 0


def test_a_parent_answers_for_two_children_at_once(client_for, school, head, pupil, parent, school_class):
    form = published_form(school, head)
    sister = PupilFactory(school=school, school_class=school_class, first_name="Zara")
    GuardianshipFactory(pupil=sister, carer=parent)
    data = {**_answers(form, yes={"website"}), "also_for": [str(sister.pk)]}
    client_for(parent).post(reverse("family_consent:answer", args=[pupil.pk]), data)
    assert set(ConsentRecord.objects.values_list("pupil_id", flat=True)) == {pupil.pk, sister.pk}


def test_another_childs_id_is_404_for_a_parent(client_for, school, head, parent, other_school, school_class):
    form = published_form(school, head)
    stranger = PupilFactory(school=school, school_class=school_class)
    elsewhere = PupilFactory(school=other_school)
    client = client_for(parent)
    for child in (stranger, elsewhere):
        url = reverse("family_consent:answer", args=[child.pk])
        assert client.get(url).status_code == 404
        assert client.post(url, _answers(form)).status_code == 404
    assert ConsentRecord.objects.count() == 0


def test_a_parent_cannot_post_answers_for_another_child_as_a_sibling(
    client_for, school, head, pupil, parent, school_class
):
    form = published_form(school, head)
    stranger = PupilFactory(school=school, school_class=school_class)
    data = {**_answers(form), "also_for": [str(stranger.pk)]}
    client_for(parent).post(reverse("family_consent:answer", args=[pupil.pk]), data)
    assert not ConsentRecord.objects.filter(pupil=stranger).exists()


def test_a_carer_without_parental_responsibility_is_told_who_can_answer(client_for, school, head, pupil, parent):
    published_form(school, head)
    step = make_member(school, Role.PARENT)
    GuardianshipFactory(pupil=pupil, carer=step, relationship="step_parent", parental_responsibility=False)
    response = client_for(step).get(reverse("family_consent:answer", args=[pupil.pk]))
    assert response.status_code == 403
    assert parent.get_full_name() in response.content.decode()


def test_a_parents_record_and_pdf_are_404_for_another_parent(client_for, school, head, pupil, parent):
    record = answer(parent, pupil, published_form(school, head), "k", website=True)[0]
    other = make_member(school, Role.PARENT)
    client = client_for(other)
    assert client.get(reverse("family_consent:receipt", args=[record.pk])).status_code == 404
    assert client.get(reverse("family_consent:pdf", args=[record.pk])).status_code == 404


def test_a_teacher_checks_a_class_and_sees_who_may_not_appear(client_for, school, head, teacher, pupil, parent):
    form = published_form(school, head)
    answer(parent, pupil, form, "k", website=True)
    url = reverse("consent:check", args=[school.slug])
    client = client_for(teacher)
    response = client.get(url, {"group": f"class-{pupil.school_class_id}", "purpose": "website"})
    assert response.context["result"].may[0].pupil == pupil
    response = client.get(url, {"group": f"class-{pupil.school_class_id}", "purpose": "press"})
    assert response.context["result"].may_not[0].pupil == pupil
    pdf = client.get(
        reverse("consent:check_pdf", args=[school.slug]),
        {"group": f"class-{pupil.school_class_id}", "purpose": "press"},
    )
    assert pdf.content[:4] == b"%PDF"


def test_another_schools_class_shows_nothing_in_the_check_and_its_sheet_is_404(
    client_for, school, head, teacher, other_school
):
    published_form(school, head)
    foreign = SchoolClassFactory(school=other_school)
    response = client_for(teacher).get(
        reverse("consent:check", args=[school.slug]), {"group": f"class-{foreign.pk}", "purpose": "website"}
    )
    assert response.context["result"] is None  # not one of this school's choices: nothing shown
    assert client_for(teacher).get(reverse("consent:class_sheet", args=[school.slug, foreign.pk])).status_code == 404


def test_staff_of_another_school_and_parents_get_404_on_staff_pages(client_for, school, head, pupil, parent, outsider):
    record = answer(parent, pupil, published_form(school, head), "k", website=True)[0]
    urls = [
        reverse("consent:dashboard", args=[school.slug]),
        reverse("consent:check", args=[school.slug]),
        reverse("consent:class_sheet", args=[school.slug, pupil.school_class_id]),
        reverse("consent:pupil", args=[school.slug, pupil.pk]),
        reverse("consent:record_pdf", args=[school.slug, record.pk]),
        reverse("consent:editor", args=[school.slug]),
    ]
    for user in (outsider, parent):
        client = client_for(user)
        for url in urls:
            assert client.get(url).status_code == 404, (user, url)


def test_a_teacher_cannot_edit_the_form_or_see_carers_records(client_for, school, head, teacher, pupil):
    published_form(school, head)
    client = client_for(teacher)
    assert client.get(reverse("consent:editor", args=[school.slug])).status_code == 404
    assert client.get(reverse("consent:pupil", args=[school.slug, pupil.pk])).status_code == 404


def test_the_head_edits_and_publishes_a_new_version(client_for, school, head):
    published_form(school, head)
    client = client_for(head)
    client.post(reverse("consent:start_draft", args=[school.slug]))
    response = client.get(reverse("consent:editor", args=[school.slug]))
    formset = response.context["formset"]
    data = {"form-intro": "New intro", **{k: v for k, v in _formset_data(formset).items()}}
    n = formset.total_form_count()
    data[f"uses-{n - 2}-label"] = "TikTok"
    data[f"uses-{n - 2}-kind"] = "social"
    assert client.post(reverse("consent:editor", args=[school.slug]), data).status_code == 302
    client.post(reverse("consent:publish", args=[school.slug]))
    from consent.selectors import current_form

    form = current_form(school)
    assert form.version == 2 and form.intro == "New intro"
    assert "tiktok" in [p.code for p in form.purposes.all()]


def _formset_data(formset):
    data = {}
    for name, field in formset.management_form.fields.items():
        data[f"{formset.prefix}-{name}"] = formset.management_form.initial.get(name, field.initial)
    for form in formset.forms:
        for name in form.fields:
            value = form.initial.get(name, form.fields[name].initial)
            if value is not None and name != "DELETE":
                data[form.add_prefix(name)] = value
    return data


def test_the_dashboard_and_csv_are_formula_safe(client_for, school, head, school_class):
    published_form(school, head)
    PupilFactory(school=school, school_class=school_class, first_name="=HYPERLINK(1)")
    client = client_for(head)
    assert client.get(reverse("consent:dashboard", args=[school.slug])).status_code == 200
    body = b"".join(client.get(reverse("consent:export", args=[school.slug])).streaming_content).decode()
    assert "'=HYPERLINK" in body


def _largest_params(captured) -> int:
    return max(len(q["sql"].split("%s")) - 1 + q["sql"].count("?") for q in captured)


def test_the_csv_is_streamed_with_every_pupil_and_no_list_of_ids_longer_than_a_chunk(
    client_for, school, head, school_class, monkeypatch
):
    import csv
    import io

    from django.db import connection
    from django.http import StreamingHttpResponse
    from django.test.utils import CaptureQueriesContext

    from consent import selectors

    monkeypatch.setattr(selectors, "CHUNK_SIZE", 4)
    form = published_form(school, head)
    url = reverse("consent:export", args=[school.slug])
    client = client_for(head)

    def export(n_before, n):
        for i in range(n_before, n):
            pupil = PupilFactory(school=school, school_class=school_class, last_name=f"Pupil{i:03d}")
            carer = make_member(school, Role.PARENT)
            GuardianshipFactory(pupil=pupil, carer=carer)
            if i % 3 == 0:
                answer(carer, pupil, form, f"k{i}", website=True)
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
            body = b"".join(response.streaming_content).decode()
        assert isinstance(response, StreamingHttpResponse)
        return list(csv.reader(io.StringIO(body))), captured

    rows, small = export(0, 6)
    assert rows[0][:4] == ["Pupil", "Class", "Year", "Status"]
    assert len(rows) == 7
    rows, big = export(6, 20)
    assert len(rows) == 21
    assert sorted(r[0].split()[-1] for r in rows[1:]) == [f"Pupil{i:03d}" for i in range(20)]
    answered = [r for r in rows[1:] if r[3] == "Answered"]
    assert len(answered) == 7  # 0, 3, ... 18
    assert _largest_params(big) == _largest_params(small)


def _check_queries(client, school, group, django_assert_num_queries, n):
    url = reverse("consent:check", args=[school.slug])
    with django_assert_num_queries(n):
        response = client.get(url, {"group": group, "purpose": "website"})
    return response


def test_the_check_for_a_class_of_30_and_a_year_of_120_runs_the_same_number_of_queries(
    client_for, school, head, teacher, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    form = published_form(school, head)
    classes = [SchoolClassFactory(school=school, name=f"4{c}") for c in "ABCD"]
    year = classes[0].year_group
    for c in classes:
        c.year_group = year
        c.save()
    for c in classes:
        for i in range(30):
            p = PupilFactory(school=school, school_class=c, year_group=year)
            carer = make_member(school, Role.PARENT) if i % 10 == 0 else None
            if carer:
                GuardianshipFactory(pupil=p, carer=carer)
                answer(carer, p, form, f"q{p.pk}", website=True)
    client = client_for(teacher)
    url = reverse("consent:check", args=[school.slug])
    counts = []
    for group in (f"class-{classes[0].pk}", f"year-{year.pk}"):
        client.get(url, {"group": group, "purpose": "website"})  # warm the session
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url, {"group": group, "purpose": "website"})
        counts.append(len(ctx.captured_queries))
        assert response.status_code == 200
    assert len(response.context["result"].may) + len(response.context["result"].may_not) == 120
    assert counts[0] == counts[1], counts


def test_the_check_sends_no_list_of_every_pupils_id(client_for, school, head, teacher):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    published_form(school, head)
    school_class = SchoolClassFactory(school=school, name="4A")
    client = client_for(head)
    url = reverse("consent:check", args=[school.slug])
    largest = []
    for n in (5, 40):
        while school_class.pupils.count() < n:
            PupilFactory(school=school, school_class=school_class)
        client.get(url, {"group": f"class-{school_class.pk}", "purpose": "website"})
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url, {"group": f"class-{school_class.pk}", "purpose": "website"})
        assert len(response.context["result"].may_not) == n
        largest.append(_largest_params(captured))
    assert largest[0] == largest[1]
