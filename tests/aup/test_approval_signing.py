"""The governing body's approval of a policy version, signed in the portal (issue 20):
the chair of governors signs, the headteacher countersigns, one PDF with two valid
signatures, each recorded with who and when."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from aup import services as aup
from aup.approval_signing.services import CHAIR, HEAD, HEAD_FIELD, next_role, sign_approval
from aup.models import ApprovalDocument, ApprovalSignature, PolicyKind
from core.desk import desk_for
from core.models import AuditEvent
from core.roles import Role
from tests.agreements.countersign_helpers import store_signed_files_in
from tests.conftest import make_member
from tests.policy_helpers import complete_version


@pytest.fixture(autouse=True)
def _files(settings, tmp_path, monkeypatch):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    store_signed_files_in(tmp_path, monkeypatch)


@pytest.fixture
def chair(school):
    return make_member(school, Role.CHAIR_OF_GOVERNORS, user__first_name="Ruth", user__last_name="Okafor")


@pytest.fixture
def approved(school, head):
    version = aup.create_policy(school=school, title="ICT acceptable use", kind=PolicyKind.ICT_AUP, by=head)
    complete_version(version, head)
    aup.approve(version=version, approved_on=datetime.date(2026, 6, 1), chair="Ruth Okafor", head="Sam Patel", by=head)
    version.refresh_from_db()
    return version


def _page(school, version):
    return reverse("aup:approval", args=[school.slug, version.pk])


def _sign(client, school, version, name):
    return client.post(_page(school, version), {"confirm": "on", "typed_name": name})


def test_the_chair_signs_first_then_the_head_countersigns(school, approved, chair, head, client_for):
    assert next_role(approved) == CHAIR
    assert _sign(client_for(head), school, approved, "Sam Patel").status_code == 404  # not the head's turn
    assert _sign(client_for(chair), school, approved, "Ruth Okafor").status_code == 302
    assert next_role(approved) == HEAD
    assert _sign(client_for(chair), school, approved, "Ruth Okafor").status_code == 404  # not the chair's turn
    assert _sign(client_for(head), school, approved, "Sam Patel").status_code == 302
    assert next_role(approved) is None
    signatures = list(ApprovalSignature.objects.filter(version=approved).order_by("signed_at"))
    assert [(s.role, s.signer, s.signer_name) for s in signatures] == [
        (CHAIR, chair, "Ruth Okafor"),
        (HEAD, head, "Sam Patel"),
    ]
    assert AuditEvent.objects.filter(action="policy.approval_signed").count() == 2


def test_the_head_cannot_sign_before_the_chair(approved, head):
    with pytest.raises(ValidationError, match="chair of governors signs the approval first"):
        sign_approval(version=approved, role=HEAD, signer=head, typed_name="Sam Patel")


def test_a_draft_needs_no_signature(school, head, chair):
    version = aup.create_policy(school=school, title="Social media", kind=PolicyKind.ICT_AUP, by=head)
    assert next_role(version) is None
    with pytest.raises(ValidationError):
        sign_approval(version=version, role=CHAIR, signer=chair, typed_name="Ruth Okafor")


def test_the_chair_and_the_head_are_asked_on_their_desks_in_turn(school, approved, chair, head, rf):
    def titles(user):
        request = rf.get("/")
        request.user = user
        return [item.title for item in desk_for(request)]

    wanted = "Sign the approval of ICT acceptable use, version 1"
    assert wanted in titles(chair) and wanted not in titles(head)
    sign_approval(version=approved, role=CHAIR, signer=chair, typed_name="Ruth Okafor")
    assert wanted not in titles(chair) and wanted in titles(head)


def test_other_people_and_schools_see_no_approval_page(school, approved, teacher, governor, outsider, client_for):
    for user in (teacher, governor, outsider):
        assert client_for(user).get(_page(school, approved)).status_code == 404
        assert _sign(client_for(user), school, approved, "Someone").status_code == 404
    assert not ApprovalSignature.objects.exists()


def test_the_approval_pdf_holds_the_chairs_and_the_heads_signatures(
    school, approved, chair, head, client_for, django_capture_on_commit_callbacks
):
    from core.signing import empty_signature_fields, validate_pdf

    with django_capture_on_commit_callbacks(execute=True):
        sign_approval(version=approved, role=CHAIR, signer=chair, typed_name="Ruth Okafor")
    first = ApprovalDocument.objects.get(version=approved, signature_count=1).file.read()
    assert empty_signature_fields(first) == [HEAD_FIELD]
    assert validate_pdf(first).valid
    with django_capture_on_commit_callbacks(execute=True):
        sign_approval(version=approved, role=HEAD, signer=head, typed_name="Sam Patel")
    document = ApprovalDocument.objects.get(version=approved, signature_count=2)
    both = document.file.read()
    assert both.startswith(first)
    check = validate_pdf(both)
    assert check.valid, check.sentences
    chairs, heads = check.signatures
    assert chairs.certification and chairs.good and "Ruth Okafor" in chairs.reason
    assert heads.field == HEAD_FIELD and heads.good and "Sam Patel" in heads.reason
    response = client_for(chair).get(reverse("aup:approval_pdf", args=[school.slug, approved.pk]))
    assert b"".join(response.streaming_content) == both
