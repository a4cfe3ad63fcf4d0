"""The visitors' and parents' starting forms carry the mobile phone rules of seed 003 §4."""

import pytest

from aup.models import Audience
from aup.starter_forms import PHONE_RULES_FOR_PARENTS_AND_VISITORS, starter_statements

SEED_003_RULES = [
    "only in the office reception area or off site",
    "such as a family emergency",
    "permission before using my mobile phone on the school's premises",
    "landline number",
    "not take photos of children without first discussing it with the headteacher",
    "responsible for my own property",
]


@pytest.mark.parametrize("audience", [Audience.VISITORS, Audience.PARENTS])
def test_the_starter_form_includes_the_parents_and_visitors_phone_rules(audience):
    statements = starter_statements(audience)
    text = "\n".join(statements)
    for rule in SEED_003_RULES:
        assert rule in text, (audience, rule)
    assert all(rule in statements for rule in PHONE_RULES_FOR_PARENTS_AND_VISITORS)


def test_the_staff_form_does_not_get_the_visitors_phone_rules():
    statements = starter_statements(Audience.STAFF)
    assert not set(statements) & set(PHONE_RULES_FOR_PARENTS_AND_VISITORS)
