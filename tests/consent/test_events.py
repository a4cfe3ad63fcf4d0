import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from consent import events, reconfirm, selectors, services
from consent.models import ConsentForm, FormStatus, SchoolEvent
from core.models import AuditEvent
from core.roles import Role
from tests.conftest import make_member
from tests.factories import GuardianshipFactory, PupilFactory, SchoolClassFactory

from .helpers import answer, published_form

pytestmark = pytest.mark.django_db


def _event(school, by, pupils, name="Science museum trip"):
    return events.save_event(school=school, by=by, name=name, date=datetime.date(2026, 6, 12), pupils=pupils)


# --- Making events --------------------------------------------------------------------


def test_a_teacher_makes_an_event_with_pupils_from_two_classes_keeping_earlier_picks(client_for, school, teacher):
    robins = SchoolClassFactory(school=school, name="Robins")
    wrens = SchoolClassFactory(school=school, name="Wrens")
    rosalind = PupilFactory(school=school, school_class=robins, first_name="Rosalind", last_name="Abernathy")
    PupilFactory(school=school, school_class=robins, first_name="Ignatius", last_name="Abernathy")
    wilfred = PupilFactory(school=school, school_class=wrens, first_name="Wilfred", last_name="Trelawney")
    client = client_for(teacher)
    create = reverse("consent:event_create", args=[school.slug])
    page = client.get(create, {"group": f"class-{robins.pk}"})
    assert "Rosalind Abernathy" in page.content.decode() and "Wilfred" not in page.content.decode()
    # Tick Rosalind, then save and list the Wrens.
    response = client.post(
        create,
        {
            "name": "Choir at the cathedral",
            "date": "2026-06-12",
            "pupils": [rosalind.pk],
            "group": f"class-{robins.pk}",
            "show": f"class-{wrens.pk}",
            "then_show": "1",
        },
    )
    event = SchoolEvent.objects.get()
    assert response.status_code == 302 and f"group=class-{wrens.pk}" in response.url
    page = client.get(response.url).content.decode()
    assert "Rosalind Abernathy" in page and "Wilfred Trelawney" in page  # earlier pick kept, Wrens listed
    edit = reverse("consent:event_edit", args=[school.slug, event.pk])
    response = client.post(
        edit,
        {"name": "Choir at the cathedral", "date": "12/06/2026", "pupils": [rosalind.pk, wilfred.pk]},
    )
    assert response.status_code == 302
    assert set(event.pupils.all()) == {rosalind, wilfred}
    assert event.date == datetime.date(2026, 6, 12)
    assert AuditEvent.objects.filter(action__in=["consent.event_created", "consent.event_changed"]).count() == 2
    listing = client.get(reverse("consent:events", args=[school.slug])).content.decode()
    assert "Choir at the cathedral" in listing and "12/06/2026" in listing


def test_an_event_needs_a_name_and_a_date_and_keeps_the_ticks(client_for, school, teacher, pupil):
    response = client_for(teacher).post(
        reverse("consent:event_create", args=[school.slug]), {"name": "", "date": "", "pupils": [pupil.pk]}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Give the event a name" in body and "Enter the date of the event" in body
    assert pupil.full_name in body and "checked" in body
    assert not SchoolEvent.objects.exists()


def test_pupils_of_another_school_cannot_be_put_in_an_event(client_for, school, teacher, other_school):
    foreign = PupilFactory(school=other_school, first_name="Evangeline")
    response = client_for(teacher).post(
        reverse("consent:event_create", args=[school.slug]),
        {"name": "Sports day", "date": "2026-07-01", "pupils": [foreign.pk]},
    )
    assert response.status_code == 400
    assert not SchoolEvent.objects.exists()


def test_another_schools_event_is_404(client_for, school, teacher, other_school, head):
    published_form(school, head)
    other_head = make_member(other_school, Role.HEADTEACHER)
    foreign = _event(other_school, other_head, [PupilFactory(school=other_school)])
    client = client_for(teacher)
    assert client.get(reverse("consent:event_edit", args=[school.slug, foreign.pk])).status_code == 404
    check = reverse("consent:check", args=[school.slug])
    assert client.get(check, {"group": f"event-{foreign.pk}", "purpose": "website"}).status_code == 404
    pdf = reverse("consent:check_pdf", args=[school.slug])
    assert client.get(pdf, {"group": f"event-{foreign.pk}", "purpose": "website"}).status_code == 404
    assert client.get(check, {"group": "class-abc", "purpose": "website"}).context["result"] is None


def test_parents_cannot_see_events(client_for, school, parent, teacher, pupil):
    event = _event(school, teacher, [pupil])
    client = client_for(parent)
    assert client.get(reverse("consent:events", args=[school.slug])).status_code == 404
    assert client.get(reverse("consent:event_edit", args=[school.slug, event.pk])).status_code == 404


# --- Who may appear at an event? ------------------------------------------------------


def test_the_check_splits_an_events_pupils_and_prints_the_list(client_for, school, head, teacher, school_class):
    form = published_form(school, head)
    other_class = SchoolClassFactory(school=school, name="Hawthorn")
    yes = PupilFactory(school=school, school_class=school_class, first_name="Cornelius", last_name="Yeo")
    no = PupilFactory(school=school, school_class=other_class, first_name="Drusilla", last_name="Nayar")
    PupilFactory(school=school, school_class=school_class, first_name="Absent", last_name="Ottoway")
    carer = make_member(school, Role.PARENT)
    GuardianshipFactory(pupil=yes, carer=carer)
    answer(carer, yes, form, "ev1", website=True)
    event = _event(school, teacher, [yes, no])
    client = client_for(teacher)
    params = {"group": f"event-{event.pk}", "purpose": "website"}
    response = client.get(reverse("consent:check", args=[school.slug]), params)
    result = response.context["result"]
    assert [c.pupil for c in result.may] == [yes]
    assert [c.pupil for c in result.may_not] == [no]
    body = response.content.decode()
    assert "Science museum trip" in body and "Hawthorn" in body and "Ottoway" not in body
    pdf = client.get(reverse("consent:check_pdf", args=[school.slug]), params)
    assert pdf.status_code == 200 and pdf.content[:4] == b"%PDF"
    assert AuditEvent.objects.filter(action="consent.list_printed", summary__contains="Science museum").exists()


def test_the_check_for_an_event_of_5_and_of_40_runs_the_same_number_of_queries(client_for, school, head, teacher):
    form = published_form(school, head)
    classes = [SchoolClassFactory(school=school, name=f"Group {c}") for c in "ABCD"]
    pupils = []
    for i in range(40):
        p = PupilFactory(school=school, school_class=classes[i % 4])
        pupils.append(p)
        if i % 5 == 0:
            carer = make_member(school, Role.PARENT)
            GuardianshipFactory(pupil=p, carer=carer)
            answer(carer, p, form, f"q{p.pk}", website=True)
    small = _event(school, teacher, pupils[:5], name="Small")
    large = _event(school, teacher, pupils, name="Large")
    client = client_for(teacher)
    url = reverse("consent:check", args=[school.slug])
    counts = []
    for event in (small, large):
        params = {"group": f"event-{event.pk}", "purpose": "website"}
        client.get(url, params)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url, params)
        counts.append(len(ctx.captured_queries))
    assert len(response.context["result"].may) + len(response.context["result"].may_not) == 40
    assert counts[0] == counts[1], counts


def test_the_event_list_runs_a_fixed_number_of_queries(client_for, school, teacher, pupil):
    client = client_for(teacher)
    url = reverse("consent:events", args=[school.slug])
    counts = []
    for n in (2, 12):
        while SchoolEvent.objects.count() < n:
            _event(school, teacher, [pupil], name=f"Event {SchoolEvent.objects.count()}")
        client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts


# --- Ask every parent to confirm again ------------------------------------------------


def test_the_head_asks_every_parent_to_confirm_and_earlier_answers_still_apply(client_for, school, head, parent, pupil):
    form = published_form(school, head)
    answer(parent, pupil, form, "before", website=True)
    client = client_for(head)
    page = client.get(reverse("consent:editor", args=[school.slug])).content.decode()
    assert "Ask every parent to confirm their answers" in page
    response = client.post(reverse("consent:ask_to_confirm", args=[school.slug]))
    assert response.status_code == 302
    new = selectors.current_form(school)
    assert new.version == form.version + 1 and new.intro == form.intro
    assert [p.code for p in new.purposes.all()] == [p.code for p in form.purposes.order_by("order", "pk")]
    consent = selectors.consent_for_pupils(new, [pupil])[0]
    assert consent.status == selectors.Status.TO_CONFIRM and consent.allows("website")
    assert AuditEvent.objects.filter(action="consent.confirm_asked").count() == 1


def test_asking_again_does_not_throw_away_a_draft_with_changes(client_for, school, head):
    form = published_form(school, head)
    draft = services.start_draft(school=school, by=head)
    ConsentForm.objects.filter(pk=draft.pk).update(intro="A new introduction being written")
    client = client_for(head)
    page = client.get(reverse("consent:editor", args=[school.slug])).content.decode()
    assert "is a draft with changes" in page
    response = client.post(reverse("consent:ask_to_confirm", args=[school.slug]), follow=True)
    assert "has not been thrown away" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == FormStatus.DRAFT and draft.intro == "A new introduction being written"
    assert selectors.current_form(school).pk == form.pk


def test_asking_again_with_an_unchanged_draft_publishes_it(school, head):
    form = published_form(school, head)
    draft = services.start_draft(school=school, by=head)
    new = reconfirm.ask_every_parent(school=school, by=head)
    assert new.pk == draft.pk and new.status == FormStatus.PUBLISHED
    form.refresh_from_db()
    assert form.status == FormStatus.SUPERSEDED


def test_only_the_head_can_ask_every_parent_to_confirm(client_for, school, head, teacher, office):
    form = published_form(school, head)
    for user in (teacher, office):
        assert client_for(user).post(reverse("consent:ask_to_confirm", args=[school.slug])).status_code == 404
    assert selectors.current_form(school).pk == form.pk
