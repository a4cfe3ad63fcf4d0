"""After signing, the receipt offers the next thing this person has to sign, if any."""

import html

import pytest
from django.urls import reverse

from agreements import services
from aup.models import Audience
from tests.factories import GuardianshipFactory, PupilFactory

from .pdf_helpers import private_media  # noqa: F401  (a fixture)
from .signing_helpers import publish_form_for, publish_staff_form, sign_as

pytestmark = pytest.mark.usefixtures("private_media")


def receipt_of(client, signature) -> str:
    url = reverse("agreements:receipt", args=[signature.school.slug, signature.pk])
    return html.unescape(client.get(url).content.decode())


def sign_for_children(form, carer, *children):
    return [
        services.sign(
            form=form,
            signer=carer,
            typed_name=carer.full_name,
            statements_agreed=[s.number for s in form.statements.all()],
            submission_key=f"family-{form.pk}-{child.pk}",
            method="for_child",
            pupil=child,
        )
        for child in children
    ]


def family_receipt(client, form) -> str:
    return html.unescape(client.get(reverse("family_sign:receipt", args=[form.pk])).content.decode())


def test_a_staff_receipt_offers_the_next_form_the_person_has_to_sign(client_for, school, head, teacher):
    ict = publish_staff_form(school, head, title="ICT acceptable use")
    phones = publish_staff_form(school, head, title="Mobile phones")
    signature = sign_as(ict, teacher)

    page = receipt_of(client_for(teacher), signature)

    assert "Next to sign" in page
    assert phones.title in page
    assert f'href="{reverse("agreements:sign", args=[school.slug, phones.pk])}"' in page
    assert f'href="{reverse("agreements:sign", args=[school.slug, ict.pk])}"' not in page  # signed


def test_a_staff_receipt_says_when_nothing_else_is_left_to_sign(client_for, school, head, teacher):
    signature = sign_as(publish_staff_form(school, head), teacher)

    page = receipt_of(client_for(teacher), signature)

    assert "Nothing else to sign" in page
    assert "You have signed everything you need to for now." in page


def test_a_staff_receipt_counts_what_is_left_after_the_next(client_for, school, head, teacher):
    signature = sign_as(publish_staff_form(school, head, title="ICT acceptable use"), teacher)
    publish_staff_form(school, head, title="Mobile phones")
    publish_staff_form(school, head, title="Social media")

    page = receipt_of(client_for(teacher), signature)

    assert "After that, 1 more thing to sign" in page


def test_the_head_opening_a_teachers_receipt_is_not_offered_anything_to_sign(client_for, school, head, teacher):
    ict = publish_staff_form(school, head)
    signature = sign_as(ict, teacher)

    page = receipt_of(client_for(head), signature)

    assert signature.verification_code in page
    assert "Next to sign" not in page and "Nothing else to sign" not in page


def test_a_parents_receipt_offers_the_next_form_for_their_children(client_for, school, head, parent, pupil):
    online = publish_form_for(school, head, Audience.PARENTS, title="Online safety at home")
    photos = publish_form_for(school, head, Audience.PARENTS, title="Phones and photos")
    sign_for_children(online, parent, pupil)

    page = family_receipt(client_for(parent), online)

    assert "Next to sign" in page
    assert photos.title in page and "Amelia" in page
    assert f'href="{reverse("family_sign:sign", args=[photos.pk])}"' in page


def test_a_parent_who_signed_for_one_child_is_offered_the_same_form_for_the_other(
    client_for, school, head, parent, pupil
):
    brother = PupilFactory(school=school, first_name="Zain", last_name="Khan")
    GuardianshipFactory(pupil=brother, carer=parent)
    form = publish_form_for(school, head, Audience.PARENTS)
    sign_for_children(form, parent, pupil)

    page = family_receipt(client_for(parent), form)

    assert "Next to sign" in page and "Zain" in page
    assert f'href="{reverse("family_sign:sign", args=[form.pk])}"' in page


def test_a_parents_receipt_says_when_nothing_else_is_left_to_sign(client_for, school, head, parent, pupil):
    form = publish_form_for(school, head, Audience.PARENTS)
    sign_for_children(form, parent, pupil)

    page = family_receipt(client_for(parent), form)

    assert "Nothing else to sign" in page
