"""Signing a staff form in the browser's absence: the view, the evidence it keeps, and
who may open what."""

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.urls import reverse
from django.utils.html import escape

from agreements.models import Signature
from core.roles import Role
from tests.conftest import make_member

from .pdf_helpers import private_media  # noqa: F401  (a fixture)
from .signing_helpers import all_statements, png_data_url, publish_new_version, publish_staff_form

pytestmark = pytest.mark.usefixtures("private_media")


@pytest.fixture
def form(school, head):
    return publish_staff_form(school, head)


def sign_url(school, form):
    return reverse("agreements:sign", args=[school.slug, form.pk])


def post_signature(client, school, form, *, key="key-1", name="Jo Teacher", drawn="", statements=None):
    data = {**(all_statements(form) if statements is None else statements), "typed_name": name}
    data.update({"drawn_signature": drawn, "submission_key": key})
    return client.post(sign_url(school, form), data)


def test_the_sign_page_shows_every_statement_and_the_keyboard_only_path(client_for, teacher, school, form):
    response = client_for(teacher).get(sign_url(school, form))
    assert response.status_code == 200
    for statement in form.statements.all():
        assert escape(statement.text) in response.content.decode()
    page = response.content.decode()
    assert "You can sign with the keyboard alone" in page
    assert "signature_pad.umd.min.js" in page and "js/sign.js" in page
    assert 'name="submission_key"' in page


def test_a_teacher_signs_with_ticks_and_a_typed_name_and_sees_the_receipt(
    client_for, teacher, school, form, django_capture_on_commit_callbacks
):
    client = client_for(teacher)
    with django_capture_on_commit_callbacks(execute=True):
        response = post_signature(client, school, form, name="  Jo   Teacher ")
    signature = Signature.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("agreements:receipt", args=[school.slug, signature.pk])
    assert signature.signer == teacher
    assert signature.signer_name == "Jo Teacher"
    assert signature.statements_agreed == [s.number for s in form.statements.all()]
    assert signature.text.sha256 == form.text_sha256
    assert signature.drawn_signature == ""
    receipt = client.get(response.url)
    assert signature.verification_code in receipt.content.decode()
    assert "Download the signed PDF" in receipt.content.decode()  # eager Celery made it


def test_every_section_must_be_ticked(client_for, teacher, school, form):
    statements = all_statements(form)
    statements.pop("section_2")
    response = post_signature(client_for(teacher), school, form, statements=statements)
    assert response.status_code == 400
    assert "Tick to agree to statements 6 to 8." in response.content.decode()
    assert not Signature.objects.exists()


def test_the_full_name_must_be_typed(client_for, teacher, school, form):
    response = post_signature(client_for(teacher), school, form, name=" ")
    assert response.status_code == 400
    assert "Type your full name to sign." in response.content.decode()
    assert not Signature.objects.exists()


def test_a_drawn_signature_is_kept_when_it_is_a_png(client_for, teacher, school, form):
    drawing = png_data_url()
    post_signature(client_for(teacher), school, form, drawn=drawing)
    assert Signature.objects.get().drawn_signature == drawing


@pytest.mark.parametrize(
    "drawn",
    ["data:image/png;base64,not base64!", "data:image/svg+xml;base64,PHN2Zy8+", "data:image/png;base64,R0lGODlh"],
)
def test_a_drawn_signature_that_is_not_a_png_is_refused(client_for, teacher, school, form, drawn):
    response = post_signature(client_for(teacher), school, form, drawn=drawn)
    assert response.status_code == 400
    assert "The drawn signature could not be read" in response.content.decode()
    assert not Signature.objects.exists()


def test_submitting_the_same_form_twice_makes_one_signature(client_for, teacher, school, form):
    client = client_for(teacher)
    first = post_signature(client, school, form, key="same-key")
    second = post_signature(client, school, form, key="same-key")
    assert Signature.objects.count() == 1
    assert first.url == second.url


def test_a_link_to_a_replaced_form_answers_410_and_offers_the_current_one(client_for, teacher, head, school, form):
    current = publish_new_version(form, head)
    client = client_for(teacher)
    response = client.get(sign_url(school, form))
    assert response.status_code == 410
    assert sign_url(school, current) in response.content.decode()
    response = post_signature(client, school, form)
    assert response.status_code == 410
    assert not Signature.objects.exists()


def test_someone_who_signed_an_earlier_version_sees_what_changed(client_for, teacher, head, school, form):
    client = client_for(teacher)
    post_signature(client, school, form)
    statements = [s.text for s in form.statements.all()]
    current = publish_new_version(form, head, statements=[*statements[:-1], "I will lock my laptop in a cupboard."])
    page = client.get(sign_url(school, current)).content.decode()
    assert "What has changed since you last signed" in page
    assert "I will lock my laptop in a cupboard." in page
    assert escape(statements[-1]) in page


def test_someone_signing_for_the_first_time_sees_no_changes(client_for, teacher, school, form):
    page = client_for(teacher).get(sign_url(school, form)).content.decode()
    assert "What has changed" not in page
    assert "static/js/sign.js wires" not in page  # a template comment is not shown


def test_a_signature_cannot_be_saved_again_or_deleted(client_for, teacher, school, form):
    post_signature(client_for(teacher), school, form)
    signature = Signature.objects.get()
    signature.signer_name = "Someone Else"
    with pytest.raises(RuntimeError):
        signature.save()
    with pytest.raises(RuntimeError):
        signature.delete()
    assert Signature.objects.get().signer_name == "Jo Teacher"


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_on_postgresql_a_raw_update_or_delete_of_a_signature_fails(school, head):
    teacher = make_member(school, Role.TEACHER)
    form = publish_staff_form(school, head)
    from agreements import services

    signature = services.sign(
        form=form,
        signer=teacher,
        typed_name="Jo Teacher",
        statements_agreed=[s.number for s in form.statements.all()],
        submission_key="raw-sql",
    )
    for sql in (
        "UPDATE agreements_signature SET signer_name = 'X' WHERE id = %s",
        "DELETE FROM agreements_signature WHERE id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [signature.pk])
    assert Signature.objects.get(pk=signature.pk).signer_name == "Jo Teacher"


# --- Who may open what ------------------------------------------------------------------


def test_a_form_of_another_school_is_not_found(client_for, school, other_school, form):
    outsider_teacher = make_member(other_school, Role.TEACHER)
    client = client_for(outsider_teacher)
    assert client.get(reverse("agreements:sign", args=[other_school.slug, form.pk])).status_code == 404
    assert client.get(sign_url(school, form)).status_code == 404


def test_a_signature_of_another_school_is_not_found(client_for, teacher, school, other_school, form):
    post_signature(client_for(teacher), school, form)
    signature = Signature.objects.get()
    outsider = make_member(other_school, Role.HEADTEACHER)
    client = client_for(outsider)
    for name in ("agreements:receipt", "agreements:pdf"):
        assert client.get(reverse(name, args=[other_school.slug, signature.pk])).status_code == 404
        assert client.get(reverse(name, args=[school.slug, signature.pk])).status_code == 404


def test_a_teacher_cannot_open_another_teachers_receipt_or_pdf(client_for, teacher, school, form):
    post_signature(client_for(teacher), school, form)
    signature = Signature.objects.get()
    colleague = make_member(school, Role.TEACHER)
    client = client_for(colleague)
    assert client.get(reverse("agreements:receipt", args=[school.slug, signature.pk])).status_code == 404
    assert client.get(reverse("agreements:pdf", args=[school.slug, signature.pk])).status_code == 404


def test_the_head_can_open_a_teachers_receipt(client_for, teacher, head, school, form):
    post_signature(client_for(teacher), school, form)
    signature = Signature.objects.get()
    assert client_for(head).get(reverse("agreements:receipt", args=[school.slug, signature.pk])).status_code == 200


def test_a_parent_only_member_cannot_sign_a_staff_form(client_for, parent, school, form):
    client = client_for(parent)
    assert client.get(sign_url(school, form)).status_code == 404
    assert post_signature(client, school, form).status_code == 404
    assert not Signature.objects.exists()


def test_a_draft_form_cannot_be_signed(client_for, teacher, head, school):
    from aup import services as aup

    version = aup.create_policy(school=school, title="Draft", kind="other", by=head)
    draft = version.forms.get()
    assert client_for(teacher).get(sign_url(school, draft)).status_code == 404


# --- Your signed agreements, and a person's -------------------------------------------


def test_your_signed_agreements_lists_your_own_with_pdf_links(
    client_for, teacher, school, form, django_capture_on_commit_callbacks
):
    client = client_for(teacher)
    with django_capture_on_commit_callbacks(execute=True):
        post_signature(client, school, form)
    colleague = make_member(school, Role.TEACHER)
    post_signature(client_for(colleague), school, form, key="colleague", name="Col League")
    client = client_for(teacher)
    page = client.get(reverse("agreements:mine", args=[school.slug])).content.decode()
    mine = Signature.objects.get(signer=teacher)
    assert reverse("agreements:pdf", args=[school.slug, mine.pk]) in page
    assert Signature.objects.get(signer=colleague).verification_code not in page


def test_the_head_sees_a_persons_signed_agreements(client_for, teacher, head, school, form):
    post_signature(client_for(teacher), school, form)
    membership = teacher.memberships.get(school=school)
    response = client_for(head).get(reverse("agreements:person", args=[school.slug, membership.pk]))
    assert response.status_code == 200
    assert Signature.objects.get().verification_code in response.content.decode()


def test_a_person_of_another_school_is_not_found(client_for, head, school, other_school):
    stranger = make_member(other_school, Role.TEACHER)
    membership = stranger.memberships.get()
    assert client_for(head).get(reverse("agreements:person", args=[school.slug, membership.pk])).status_code == 404


def test_a_teacher_cannot_see_a_colleagues_signed_agreements(client_for, teacher, school):
    colleague = make_member(school, Role.TEACHER).memberships.get()
    assert client_for(teacher).get(reverse("agreements:person", args=[school.slug, colleague.pk])).status_code == 404


def test_your_signed_agreements_needs_few_queries(client_for, teacher, head, school, django_assert_max_num_queries):
    client = client_for(teacher)
    for i in range(5):
        form = publish_staff_form(school, head, title=f"Policy {i}")
        post_signature(client, school, form, key=f"k{i}")
    client.get(reverse("agreements:mine", args=[school.slug]))
    # 20 for the page, a fixed handful for the menu's desk counts (core.desk) and one for
    # the menu's "are they also a parent?" link.
    with django_assert_max_num_queries(27):
        client.get(reverse("agreements:mine", args=[school.slug]))


def test_someone_who_has_signed_this_version_is_told_so_on_the_sign_page(client_for, teacher, school, form):
    client = client_for(teacher)
    post_signature(client, school, form)
    page = client.get(sign_url(school, form)).content.decode()
    assert "There is no need to sign it again." in page
    assert reverse("agreements:receipt", args=[school.slug, Signature.objects.get().pk]) in page


def test_a_submission_key_that_matches_someone_elses_signature_is_refused(school, head, teacher):
    from django.core.exceptions import ValidationError

    from agreements import services
    from tests.conftest import make_member

    from .signing_helpers import publish_staff_form

    form = publish_staff_form(school, head)
    numbers = [s.number for s in form.statements.all()]
    theirs = services.sign(
        form=form, signer=teacher, typed_name="Tess Teacher", statements_agreed=numbers, submission_key="k"
    )
    other = make_member(school, "support_staff")

    with pytest.raises(ValidationError, match="already submitted"):
        services.sign(form=form, signer=other, typed_name="Sam Other", statements_agreed=numbers, submission_key="k")

    assert (
        services.sign(
            form=form, signer=teacher, typed_name="Tess Teacher", statements_agreed=numbers, submission_key="k"
        )
        == theirs
    )
