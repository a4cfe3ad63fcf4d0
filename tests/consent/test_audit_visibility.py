"""The audit log's lines about a carer's signed answers, which name a child and the
carer's choice, are for those who may open the answers themselves."""

from django.urls import reverse

from .helpers import answer, published_form


def _audit_page(client, school):
    response = client.get(reverse("audit:log", args=[school.slug]))
    assert response.status_code == 200
    return response.content.decode()


def test_a_trust_officer_reads_the_audit_log_without_lines_about_carers_answers(
    school, head, pupil, parent, trust_officer, client_for
):
    answer(parent, pupil, published_form(school, head), "audit-visibility")
    assert pupil.full_name in _audit_page(client_for(head), school)
    assert pupil.full_name not in _audit_page(client_for(trust_officer), school)
