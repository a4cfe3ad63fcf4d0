"""Parents and carers sign the parents' forms for their children from /family/."""

import datetime
import html
import re
from html import escape
from unittest import mock

import pytest
import time_machine

from agreements.family import family_overview
from agreements.models import Method, Signature
from aup import services as aup
from aup.models import Audience, PolicyKind
from core.roles import Role

from ..conftest import make_member, sign_in_with_mfa
from ..factories import GuardianshipFactory, PupilFactory
from ..policy_helpers import complete_version
from .pdf_helpers import private_media  # noqa: F401  (a fixture)
from .signing_helpers import _approve_and_publish, all_statements, publish_new_version

pytestmark = pytest.mark.django_db


def publish_parents_form(school, by, *, every_academic_year=False, title="Online safety at home", **version_fields):
    version = aup.create_policy(
        school=school, title=title, kind=PolicyKind.ICT_AUP, by=by, audiences=(Audience.PARENTS,)
    )
    if every_academic_year:
        form = version.forms.get(audience=Audience.PARENTS)
        aup.save_form(
            version=version,
            audience=Audience.PARENTS,
            title=form.title,
            intro=form.intro,
            sections=aup.sections_of(form),
            staff_types=[],
            every_academic_year=True,
            by=by,
        )
    _approve_and_publish(version, by, **version_fields)
    return version.forms.get(audience=Audience.PARENTS)


def carer_of(school, *pupils, parental_responsibility=True, **user):
    carer = make_member(school, Role.PARENT, **{f"user__{k}": v for k, v in user.items()})
    for pupil in pupils:
        GuardianshipFactory(pupil=pupil, carer=carer, parental_responsibility=parental_responsibility)
    return carer


def post_sign(client, form, pupils, key="form-key-1", **extra):
    data = {
        "children": [str(p.pk) for p in pupils],
        "typed_name": "Sara Khan",
        "submission_key": key,
        **all_statements(form),
        **extra,
    }
    return client.post(f"/family/sign/{form.pk}/", data)


def outstanding_titles(user):
    return {(row.pupil.pk, item.form.pk) for row in family_overview(user) for item in row.to_sign}


@pytest.fixture
def head(school):
    return make_member(school, Role.HEADTEACHER)


@pytest.fixture
def form(school, head):
    return publish_parents_form(school, head)


@pytest.fixture
def child(school):
    return PupilFactory(school=school, first_name="Amelia", last_name="Khan")


def test_the_family_page_lists_the_form_a_child_still_needs(client_for, form, school, child):
    mother = carer_of(school, child)
    page = html.unescape(client_for(mother).get("/family/").content.decode())
    assert f"/family/sign/{form.pk}/" in page
    assert form.title in page


def test_one_carer_with_responsibility_signing_is_enough_for_the_other(client, form, school, child):
    mother = carer_of(school, child, first_name="Sara")
    father = carer_of(school, child, first_name="Omar")
    assert outstanding_titles(father) == {(child.pk, form.pk)}
    client.force_login(mother)
    response = post_sign(client, form, [child])
    assert response.status_code == 302
    signature = Signature.objects.get()
    assert (signature.method, signature.pupil, signature.signer) == (Method.FOR_CHILD, child, mother)
    assert outstanding_titles(father) == set()
    assert outstanding_titles(mother) == set()
    assert f"/family/sign/{form.pk}/signed/" in client.get("/family/").content.decode()


def test_every_carer_signs_when_the_school_asks_for_it(client, form, school, child):
    school.every_carer_signs = True
    school.save()
    mother = carer_of(school, child)
    father = carer_of(school, child)
    client.force_login(mother)
    post_sign(client, form, [child])
    assert outstanding_titles(mother) == set()
    assert outstanding_titles(father) == {(child.pk, form.pk)}


def test_a_carer_without_parental_responsibility_cannot_sign(client, form, school, child):
    carer_of(school, child, first_name="Sara", last_name="Khan")
    stepdad = carer_of(school, child, parental_responsibility=False)
    client.force_login(stepdad)
    page = html.unescape(client.get("/family/").content.decode())
    assert form.title in page
    assert "Only a carer with parental responsibility can sign" in page
    assert "Sara Khan can" in page
    assert f"/family/sign/{form.pk}/" not in page
    with mock.patch("agreements.services.sign") as sign:
        response = post_sign(client, form, [child])
        assert client.get(f"/family/sign/{form.pk}/").status_code == 403
    assert response.status_code == 403
    sign.assert_not_called()
    assert not Signature.objects.exists()


def test_signing_once_for_several_children_makes_one_record_each(client, form, school, child):
    brother = PupilFactory(school=school, first_name="Zain", last_name="Khan")
    mother = carer_of(school, child, brother)
    client.force_login(mother)
    page = html.unescape(client.get(f"/family/sign/{form.pk}/").content.decode())
    assert page.count('name="children"') == 2
    assert page.count("checked") >= 2  # both ticked by default
    response = post_sign(client, form, [child, brother])
    assert response.status_code == 302
    assert {s.pupil for s in Signature.objects.all()} == {child, brother}
    assert all(s.method == Method.FOR_CHILD for s in Signature.objects.all())
    receipt = html.unescape(client.get(response["Location"]).content.decode())
    assert "Amelia Khan" in receipt and "Zain Khan" in receipt


def test_a_double_submit_makes_nothing_twice(client, form, school, child):
    brother = PupilFactory(school=school)
    mother = carer_of(school, child, brother)
    client.force_login(mother)
    post_sign(client, form, [child, brother], key="same-key")
    second = post_sign(client, form, [child, brother], key="same-key")
    assert second.status_code == 302  # to the receipt of the first
    assert second["Location"] == f"/family/sign/{form.pk}/signed/"
    assert Signature.objects.count() == 2


def test_a_form_must_be_complete_to_sign(client, form, school, child):
    mother = carer_of(school, child)
    client.force_login(mother)
    response = post_sign(client, form, [child], typed_name="")
    assert response.status_code == 400
    response = client.post(
        f"/family/sign/{form.pk}/", {"children": [child.pk], "typed_name": "Sara Khan", "submission_key": "k"}
    )
    assert response.status_code == 400
    assert not Signature.objects.exists()


def test_parent_cannot_sign_for_another_family(client, form, school, other_school, child):
    mother = carer_of(school, child)
    neighbour_child = PupilFactory(school=school)
    carer_of(school, neighbour_child)
    far_head = make_member(other_school, Role.HEADTEACHER)
    far_form = publish_parents_form(other_school, far_head)
    far_child = PupilFactory(school=other_school)
    carer_of(other_school, far_child)
    client.force_login(mother)
    assert client.get(f"/family/sign/{far_form.pk}/").status_code == 404
    assert post_sign(client, far_form, [far_child]).status_code == 404
    assert post_sign(client, form, [neighbour_child]).status_code == 404
    assert post_sign(client, form, [child, neighbour_child]).status_code == 404
    page = html.unescape(client.get("/family/").content.decode())
    assert neighbour_child.first_name not in page or neighbour_child.first_name == child.first_name
    assert not Signature.objects.exists()


def test_a_pdf_of_another_family_is_404(client, form, school, child, private_media):  # noqa: F811
    mother = carer_of(school, child)
    other = carer_of(school, child)
    client.force_login(mother)
    post_sign(client, form, [child])
    signature = Signature.objects.get()
    client.force_login(other)
    assert client.get(f"/family/signatures/{signature.pk}/pdf/").status_code == 404
    client.force_login(mother)
    assert client.get(f"/family/signatures/{signature.pk}/pdf/").status_code in (200, 202)


def test_an_annual_form_needs_a_new_signature_after_1_september(client, school, head, child):
    with time_machine.travel(datetime.datetime(2026, 7, 1, 10, tzinfo=datetime.UTC)):
        form = publish_parents_form(school, head, every_academic_year=True)
        mother = carer_of(school, child)
        client.force_login(mother)
        post_sign(client, form, [child])
        assert outstanding_titles(mother) == set()
    with time_machine.travel(datetime.datetime(2026, 8, 31, 20, tzinfo=datetime.UTC)):
        assert outstanding_titles(mother) == set()
    with time_machine.travel(datetime.datetime(2026, 9, 1, 9, tzinfo=datetime.UTC)):
        assert outstanding_titles(mother) == {(child.pk, form.pk)}
        client.force_login(mother)
        assert post_sign(client, form, [child], key="next-year").status_code == 302
        assert outstanding_titles(mother) == set()
    assert Signature.objects.count() == 2


def test_a_superseded_form_link_offers_the_current_one(client, form, school, head, child):
    mother = carer_of(school, child)
    new_form = publish_new_version(form, head)
    client.force_login(mother)
    response = client.get(f"/family/sign/{form.pk}/")
    assert response.status_code == 410
    assert f"/family/sign/{new_form.pk}/" in response.content.decode()
    assert post_sign(client, form, [child]).status_code == 410
    assert not Signature.objects.exists()


def test_the_family_signing_pages_need_signing_in(client, form):
    response = client.get(f"/family/sign/{form.pk}/")
    assert response.status_code == 302
    assert re.search(r"login", response["Location"])


def test_the_family_page_takes_the_same_queries_for_more_children(client, school, head):
    publish_parents_form(school, head)
    publish_parents_form(school, head, title="Mobile phones")
    pupils = [PupilFactory(school=school) for _ in range(4)]
    mother = carer_of(school, *pupils[:1])
    client.force_login(mother)
    client.get("/family/")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get("/family/")
    for pupil in pupils[1:]:
        GuardianshipFactory(pupil=pupil, carer=mother)
    with CaptureQueriesContext(connection) as four:
        client.get("/family/")
    assert len(four) == len(one)


def test_the_head_can_ask_every_carer_to_sign(client, school, head):
    sign_in_with_mfa(client, head)
    response = client.get(f"/s/{school.slug}/settings/")
    assert 'name="every_carer_signs"' in response.content.decode()
    client.post(
        f"/s/{school.slug}/settings/",
        {"name": school.name, "address": school.address, "every_carer_signs": "on"},
    )
    school.refresh_from_db()
    assert school.every_carer_signs


def test_a_parents_home_page_asks_them_to_sign_for_their_child(client_for, school, head, parent, pupil):
    from aup import services as aup
    from aup.models import Audience

    version = aup.create_policy(school=school, title="ICT", kind="ict_aup", by=head, audiences=[Audience.PARENTS])
    complete_version(version, head)
    aup.approve(version=version, approved_on=datetime.date(2026, 10, 1), chair="Chair", head="Head", by=head)
    aup.publish(version=version, by=head)
    form = version.forms.get()

    html = client_for(parent).get("/home/").content.decode()

    assert escape(f"Sign for {pupil.first_name}: ICT: {form.title}") in html
    assert f"/family/sign/{form.pk}/" in html


def test_a_parent_who_signed_an_earlier_version_sees_what_changed(client, form, school, head, child):
    mother = carer_of(school, child)
    client.force_login(mother)
    assert "What has changed" not in client.get(f"/family/sign/{form.pk}/").content.decode()
    post_sign(client, form, [child])
    statements = [s.text for s in form.statements.all()]
    new_form = publish_new_version(form, head, statements=[*statements, "I will talk to my child about apps."])
    page = client.get(f"/family/sign/{new_form.pk}/").content.decode()
    assert "What has changed since you last signed" in page
    assert "I will talk to my child about apps." in page
