"""A real school's KS2 agreement (seed 002, appendix 3: "When using the School's ICT
facilities ..., I will not:" and ten points, then four statements of their own) entered
in the form editor as the school wrote it, signed by a pupil at the class kiosk, and
read back from the signed PDF: every statement, numbered through the form, in order,
under its section's heading."""

import datetime
import os
import re
from pathlib import Path

from django.test import Client
from django.urls import reverse

from agreements import class_sessions as cs
from agreements.models import Signature
from agreements.tasks import render_signed_pdf
from aup import services as aup
from aup.models import AgreementForm, Audience, PolicyKind
from core.roles import Role
from tests.conftest import make_member
from tests.policy_helpers import complete_version

from .pdf_helpers import pdf_text, private_media  # noqa: F401  (a fixture)
from .signing_helpers import all_statements

# The appendix as a head pastes it into the editor: its heading marked with ##, its
# bullet points as they are, and ## alone before the four statements that stand alone.
SEED = (Path(__file__).parent / "data" / "seed_002_appendix_3_ks2.txt").read_text(encoding="utf-8")


def _words(text: str) -> str:
    return " ".join(text.split())


def test_the_seed_ks2_agreement_keeps_its_structure_from_the_editor_to_the_signed_pdf(
    client_for,
    school,
    head,
    school_class,
    pupil,
    private_media,  # noqa: F811
):
    version = aup.create_policy(school=school, title="ICT acceptable use", kind=PolicyKind.ICT_AUP, by=head)
    edit = reverse("aup:form_edit", args=[school.slug, version.pk, Audience.KS2])
    response = client_for(head).post(
        edit,
        {
            "title": "Acceptable use of the School’s ICT facilities and internet: agreement for pupils (KS2)",
            "statements": SEED,
            "every_academic_year": "on",
        },
    )
    assert response.status_code == 302
    complete_version(version, head)
    aup.approve(version=version, approved_on=datetime.date(2026, 7, 1), chair="R Okafor", head="S Patel", by=head)
    aup.publish(version=version, by=head)

    form = AgreementForm.objects.prefetch_related("statements", "sections").get(version=version, audience="ks2")
    groups = form.statement_groups()
    heading = "When using the School’s ICT facilities and accessing the internet in School, I will not:"
    assert [(g.heading, g.numbers) for g in groups] == [(heading, list(range(1, 11))), ("", [11, 12, 13, 14])]
    seed_statements = [line.removeprefix("· ") for line in SEED.splitlines() if not line.startswith("##")]
    assert [s.text for s in form.statements.all()] == seed_statements

    # A pupil signs at the class kiosk: one tick for the ten points, one for the four.
    teacher = make_member(school, Role.TEACHER)
    school_class.teachers.add(teacher.memberships.get(school=school))
    session, token = cs.open_kiosk_session(form=form, school_class=school_class, led_by=teacher)
    kiosk = Client()  # the classroom device: nobody signed in
    page = kiosk.get(reverse("class_kiosk:pupil", kwargs={"token": token, "pupil_id": pupil.pk})).content.decode()
    assert "I agree to sentences 1 to 10" in page and "I agree to sentences 11 to 14" in page
    assert page.count('type="checkbox" name="section_') == 2
    response = kiosk.post(
        reverse("class_kiosk:pupil", kwargs={"token": token, "pupil_id": pupil.pk}),
        {"typed_name": pupil.full_name, **all_statements(form)},
    )
    assert response.status_code == 302
    [signature] = cs.confirm_session(session=session, by=teacher)
    assert signature.statements_agreed == list(range(1, 15))

    render_signed_pdf(signature.pk)
    signature = Signature.objects.select_related("document").get(pk=signature.pk)
    with signature.document.file.open("rb") as stored:
        pdf = stored.read()
    text = _words(pdf_text(pdf))
    if os.environ.get("SCREENSHOTS_DIR"):  # to look at it
        Path(os.environ["SCREENSHOTS_DIR"]).mkdir(parents=True, exist_ok=True)
        (Path(os.environ["SCREENSHOTS_DIR"]) / "seed-ks2-signed.pdf").write_bytes(pdf)

    # Every line, in order: the heading, its ten points numbered 1 to 10, then 11 to 14.
    expected = [heading] + [f"{n}. {s}" for n, s in enumerate(seed_statements, start=1)]
    positions = []
    for line in expected:
        match = re.search(re.escape(_words(line)), text)
        assert match, f"Not in the signed PDF: {line}"
        positions.append(match.start())
    assert positions == sorted(positions)
    assert text.count(heading) == 1

    # The evidence section is complete for a pupil at a class kiosk.
    for evidence in [
        f"Signed by {pupil.full_name}, a pupil",
        "Signed on the classroom device",
        "Confirmed by the teacher",
        "Classroom device IP address",
        "Teacher's device IP address",
        f"Name as typed {pupil.full_name}",
        f"Form text (SHA-256) {signature.text.sha256}",
        f"Policy text (SHA-256) {signature.policy_body_sha256}",
    ]:
        assert _words(evidence) in text, f"Not in the evidence section: {evidence}"
