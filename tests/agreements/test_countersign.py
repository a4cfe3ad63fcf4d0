"""Pupil and parent on one document (issue 20): a school has a parent countersign its
KS2 agreement; the pupil signs at the class kiosk, the parent countersigns from
/family/, and the pair counts as signed only when both are there."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from agreements.compliance import school_compliance
from agreements.countersigning import selectors
from agreements.countersigning.services import countersign
from agreements.drilldown import pupil_rows
from agreements.models import Countersignature
from core.desk import desk_for
from core.models import AuditEvent
from core.roles import Role
from tests.conftest import make_member
from tests.factories import GuardianshipFactory, PupilFactory

from .countersign_helpers import publish_countersigned_ks2_form, pupil_signs_in_class


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def class_teacher(school, school_class):
    user = make_member(school, Role.TEACHER, user__first_name="Priya", user__last_name="Shah")
    school_class.teachers.add(user.memberships.get(school=school))
    return user


@pytest.fixture
def ks2_form(school, head):
    return publish_countersigned_ks2_form(school, head)


@pytest.fixture
def signed(ks2_form, school_class, class_teacher, pupil):
    (signature,) = pupil_signs_in_class(ks2_form, school_class, class_teacher, pupil)
    return signature


def _page(signature):
    return reverse("family_sign:countersign", args=[signature.pk])


def _countersign(client, signature, name="Sarah Khan"):
    """Countersign as the page does: with the token of when the page was served."""
    page = client.get(_page(signature))
    found = re.search(r'name="presented" value="([^"]+)"', page.content.decode()) if page.status_code == 200 else None
    data = {"confirm": "on", "typed_name": name, "presented": found.group(1) if found else ""}
    return client.post(_page(signature), data)


def test_a_pupils_signature_of_a_countersigned_form_awaits_a_parent(signed, parent):
    assert signed.details["countersign"] == "parent"
    assert selectors.open_fields_for(signed) == ["Parent countersignature"]
    assert list(selectors.awaiting_parent(parent)) == [signed]


def test_a_form_without_countersignature_asks_no_parent(school, head, school_class, class_teacher, pupil, parent):
    from aup.models import Audience
    from tests.agreements.test_class_sessions import publish_pupils_form

    form = publish_pupils_form(school, head, Audience.KS2)
    (signature,) = pupil_signs_in_class(form, school_class, class_teacher, pupil)
    assert "countersign" not in signature.details
    assert selectors.open_fields_for(signature) == []
    assert not selectors.awaiting_parent(parent).exists()


def test_the_parent_is_asked_on_their_desk(signed, parent, rf):
    request = rf.get("/")
    request.user = parent
    titles = [item.title for item in desk_for(request)]
    assert "Countersign Amelia’s agreement: ICT acceptable use: Our ICT agreement" in titles


def test_the_parent_sees_what_their_child_agreed_and_countersigns(signed, parent, client_for):
    client = client_for(parent)
    page = client.get(_page(signed))
    assert page.status_code == 200
    html = page.content.decode()
    first_statement = signed.form.statements.first().text
    assert first_statement in html  # the exact text the child signed
    assert "Amelia Khan, a pupil" in html and "Priya Shah" in html  # the child's signature details

    response = _countersign(client, signed)
    assert response.status_code == 302
    countersignature = Countersignature.objects.get(signature=signed)
    assert countersignature.signer == parent and countersignature.signer_name == "Sarah Khan"
    assert countersignature.relationship == "Mother"
    assert countersignature.role == Countersignature.Role.PARENT
    assert countersignature.presented_at is not None and countersignature.presented_at <= countersignature.signed_at
    assert AuditEvent.objects.filter(action="agreement.countersigned", object_id=str(signed.pk)).exists()
    assert not selectors.awaiting_parent(parent).exists()
    done = client.get(_page(signed)).content.decode()
    assert "Countersigned: Our ICT agreement" in done


def test_countersigning_twice_keeps_the_first(signed, parent, client_for):
    client = client_for(parent)
    _countersign(client, signed)
    _countersign(client, signed, name="Someone Else")
    assert Countersignature.objects.get(signature=signed).signer_name == "Sarah Khan"


def test_a_second_carer_cannot_countersign_once_one_has(signed, parent, pupil):
    father = make_member(signed.school, Role.PARENT)
    GuardianshipFactory(pupil=pupil, carer=father, relationship="father")
    countersign(signature=signed, signer=parent, role="parent", typed_name="Sarah Khan", relationship="Mother")
    with pytest.raises(ValidationError, match="already countersigned"):
        countersign(signature=signed, signer=father, role="parent", typed_name="Omar Khan", relationship="Father")


def test_the_countersignature_needs_the_tick_and_a_typed_name(signed, parent, client_for):
    client = client_for(parent)
    response = client.post(_page(signed), {"typed_name": ""})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Tick to confirm you have read what was agreed" in html and "Type your full name to countersign" in html
    assert not Countersignature.objects.exists()


def test_another_parent_cannot_see_or_countersign_for_someone_elses_child(signed, school, client_for):
    other_parent = make_member(school, Role.PARENT)
    GuardianshipFactory(pupil=PupilFactory(school=school), carer=other_parent)
    client = client_for(other_parent)
    assert client.get(_page(signed)).status_code == 404
    assert _countersign(client, signed).status_code == 404
    assert client.get(reverse("family_sign:countersigned_pdf", args=[signed.pk])).status_code == 404
    assert not Countersignature.objects.exists()


def test_a_carer_without_parental_responsibility_cannot_countersign(signed, school, pupil, client_for):
    carer = make_member(school, Role.PARENT)
    GuardianshipFactory(pupil=pupil, carer=carer, relationship="other", parental_responsibility=False)
    client = client_for(carer)
    assert client.get(_page(signed)).status_code == 404
    assert _countersign(client, signed).status_code == 404


def test_staff_of_the_school_cannot_countersign_as_a_parent(signed, head, outsider, client_for):
    for user in (head, outsider):
        assert client_for(user).get(_page(signed)).status_code == 404


def test_the_dashboard_counts_the_pair_complete_only_when_both_signed(
    school, ks2_form, school_class, class_teacher, pupil, parent
):
    classmate = PupilFactory(school=school, school_class=school_class, first_name="Ben", last_name="Okafor")
    PupilFactory(school=school, school_class=school_class, first_name="Cara", last_name="Jones")  # not signed
    amelia, ben = pupil_signs_in_class(ks2_form, school_class, class_teacher, pupil, classmate)

    def counts():
        (result,) = [r for r in school_compliance(school) if r.form == ks2_form]
        return result.overall.signed, result.overall.waiting, result.overall.outstanding

    assert counts() == (0, 2, 3)
    countersign(signature=amelia, signer=parent, role="parent", typed_name="Sarah Khan", relationship="Mother")
    assert counts() == (1, 1, 2)
    rows = {row.pupil.first_name: row for row in pupil_rows(ks2_form)}
    assert rows["Amelia"].signed and not rows["Amelia"].waiting_for_parent
    assert not rows["Ben"].signed and rows["Ben"].waiting_for_parent
    assert not rows["Cara"].signed and not rows["Cara"].waiting_for_parent


def test_the_drill_down_shows_waiting_for_a_parent(school, ks2_form, signed, head, client_for):
    page = client_for(head).get(reverse("agreements:compliance_form", args=[school.slug, ks2_form.pk]))
    assert "Waiting for a parent’s countersignature" in page.content.decode()
    overview = client_for(head).get(reverse("agreements:compliance", args=[school.slug])).content.decode()
    assert "1 waiting for a parent’s countersignature" in overview


def test_parents_are_reminded_until_one_countersigns(school, signed, parent, settings):
    import datetime

    import time_machine
    from django.utils import timezone

    from reminders.countersign_sweeps import countersignatures_awaited
    from reminders.sweeps import SchoolScan

    later = timezone.localdate() + datetime.timedelta(days=30)
    with time_machine.travel(later):
        items = list(countersignatures_awaited(SchoolScan(school, later)))
    assert [(i["recipient_id"], i["subject_key"]) for i in items] == [(parent.pk, f"countersign:{signed.pk}")]
    assert items[0]["action_url"] == _page(signed)
    countersign(signature=signed, signer=parent, role="parent", typed_name="Sarah Khan", relationship="Mother")
    with time_machine.travel(later):
        assert list(countersignatures_awaited(SchoolScan(school, later))) == []


def test_remind_now_does_not_chase_the_teacher_of_a_pupil_waiting_for_a_parent(
    school, ks2_form, school_class, class_teacher, pupil
):
    from agreements.drilldown import remind_recipients

    cara = PupilFactory(school=school, school_class=school_class, first_name="Cara", last_name="Jones")
    assert set(remind_recipients(ks2_form)[class_teacher]) == {pupil, cara}
    pupil_signs_in_class(ks2_form, school_class, class_teacher, pupil)
    assert remind_recipients(ks2_form) == {class_teacher: [cara]}
