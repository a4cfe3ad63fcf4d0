"""Every page under /t/<trust_slug>/ shows nothing to people who are not officers of
the trust: the heads of its schools, officers of another trust, parents, former
officers; anonymous visitors are sent to sign in.

The pages are found by walking the URLconf, so a trust page added later is covered
without touching this file, unless its address takes an object id this file does not
know how to fill: then the tests fail and say which mapping to add to
TRUST_OBJECT_FACTORIES.
"""

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from aup.models import Policy
from core.models import AuditEvent
from core.roles import TRUST_CAPABILITIES, Role
from tests.conftest import give_mfa, make_member, sign_in_with_mfa
from tests.factories import SchoolFactory, TrustFactory, TrustMembershipFactory, UserFactory

from .test_tenancy_matrix import _PARAMETER, _walk, required_capability, route_parameters

TRUST_PREFIX = "t/<slug:trust_slug>/"


def trust_routes() -> list[str]:
    """Every route under /t/<trust_slug>/ in the URLconf."""
    from django.urls import get_resolver

    return sorted({route for route in _walk(get_resolver().url_patterns) if route.startswith(TRUST_PREFIX)})


def _draft_trust_version(trust):
    """A draft version of a trust policy with a staff form and a document, row by
    row (no services, so no audit events)."""
    from aup.models import AgreementForm, PolicyVersion, Statement

    policy = Policy.objects.create(trust=trust, title="Trust ICT policy")
    version = PolicyVersion.objects.create(policy=policy, number=1, created_by=UserFactory())
    version.document.save("policy.pdf", ContentFile(b"%PDF-1.7\n%test\n"), save=False)
    PolicyVersion.objects.filter(pk=version.pk).update(document=version.document.name, document_name="policy.pdf")
    form = AgreementForm.objects.create(version=version, audience="staff", title="Staff agreement")
    Statement.objects.create(form=form, number=1, text="I will keep my password private.")
    return version


def _published_trust_form(trust):
    """A trust's published staff form, copied to each of its schools, row by row."""
    from agreements.models import FormText
    from aup.models import AgreementForm, PolicyVersion, Statement

    policy = Policy.objects.create(trust=trust, title="Trust mobile phones")
    author = UserFactory()
    version = PolicyVersion.objects.create(policy=policy, number=1, status="published", created_by=author)
    form = AgreementForm.objects.create(version=version, audience="staff", title="Staff agreement")
    Statement.objects.create(form=form, number=1, text="I will keep my phone away in lessons.")
    text, _ = FormText.objects.get_or_create(sha256=f"{trust.pk:064x}", defaults={"text": form.canonical_text()})
    AgreementForm.objects.filter(pk=form.pk).update(text_sha256=text.sha256)
    for school in trust.schools.all():
        copy = Policy.objects.create(school=school, adopted_from=policy, title=policy.title)
        copied = PolicyVersion.objects.create(
            policy=copy, number=1, status="published", created_by=author, copied_from=version
        )
        school_form = AgreementForm.objects.create(
            version=copied, audience="staff", title=form.title, text_sha256=text.sha256
        )
        Statement.objects.create(form=school_form, number=1, text="I will keep my phone away in lessons.")
    return form


# How to fill an object id in a trust page's address: kwarg name -> a function that
# builds such an object of the given trust and returns its id.
TRUST_OBJECT_FACTORIES = {
    "policy_id": lambda trust: _draft_trust_version(trust).policy_id,
    "version_id": lambda trust: _draft_trust_version(trust).pk,
    "audience": lambda trust: "staff",
    "form_id": lambda trust: _published_trust_form(trust).pk,
    "school_slug": lambda trust: trust.schools.order_by("name").first().slug,
    "kind_key": lambda trust: "agreements.visitor_book",
    "review_id": lambda trust: _open_review(trust).pk,
}


def _open_review(trust):
    """A review of the trust waiting for its DPO, with one line."""
    import datetime

    from retention.models import Review, ReviewLine

    review = Review.objects.create(trust=trust, swept_on=datetime.date(2033, 7, 21))
    school = trust.schools.order_by("name").first()
    ReviewLine.objects.create(
        review=review, kind="agreements.visitor_book", school=school, count=3, years=6, action="delete"
    )
    return review


def objects_for(route: str, trust) -> dict[str, object]:
    objects = {}
    for name in route_parameters(route):
        if name == "trust_slug":
            continue
        if name not in TRUST_OBJECT_FACTORIES:
            pytest.fail(
                f"The trust page {route!r} takes `{name}`, which the trust tenancy tests cannot fill. "
                f"Add an entry for {name!r} to TRUST_OBJECT_FACTORIES in tests/core/test_trust_tenancy_matrix.py: "
                "a function that builds such an object of the given trust and returns its id."
            )
        objects[name] = TRUST_OBJECT_FACTORIES[name](trust)
    return objects


def build_path(route: str, slug: str, objects: dict) -> str:
    if "^" in route or "(?P" in route:
        pytest.fail(f"{route!r} uses a regular expression; write trust pages with path() so they can be tested.")

    def fill(match):
        name = match.group("name")
        return slug if name == "trust_slug" else str(objects[name])

    return "/" + _PARAMETER.sub(fill, route)


ROUTES = trust_routes()
# Routes whose address names an object of the trust ("audience" and "kind_key" are words, not ids).
ROUTES_WITH_OBJECTS = [r for r in ROUTES if set(route_parameters(r)) - {"trust_slug", "audience", "kind_key"}]


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def trust_schools(school, sister_school):
    """The trust of `school` has two schools."""
    return [school, sister_school]


def _assert_not_found(client, path, *, who, get_may_be_refused=False):
    for method in ("get", "post"):
        response = getattr(client, method)(path)
        allowed = {404, 405} if method == "get" and get_may_be_refused else {404}
        assert response.status_code in allowed, f"{who}: {method.upper()} {path} answered {response.status_code}"


def _assert_nothing_changed(trust, policies_before):
    assert not AuditEvent.objects.exists()
    assert Policy.objects.count() == policies_before
    trust.refresh_from_db()
    assert trust.name == "Riverside Learning Trust"


def test_the_walk_finds_the_trust_pages_we_know_about():
    assert TRUST_PREFIX in ROUTES
    assert TRUST_PREFIX + "policies/" in ROUTES
    assert TRUST_PREFIX + "policies/versions/<int:version_id>/publish/" in ROUTES
    assert len(ROUTES_WITH_OBJECTS) >= 5


@pytest.mark.django_db
def test_a_trust_page_with_an_unknown_object_id_fails_with_a_message_saying_what_to_add(trust):
    with pytest.raises(pytest.fail.Exception, match=r"Add an entry for 'widget_id' to TRUST_OBJECT_FACTORIES"):
        objects_for(TRUST_PREFIX + "widgets/<int:widget_id>/", trust)


@pytest.mark.parametrize("route", ROUTES)
def test_every_trust_page_is_guarded_by_trust_view(route, trust, trust_schools):
    path = build_path(route, trust.slug, objects_for(route, trust))
    capability = required_capability(path)
    assert capability, f"{route} is not decorated with core.tenancy.trust_view"
    assert capability in TRUST_CAPABILITIES


@pytest.mark.parametrize("route", ROUTES)
def test_trust_page_opens_for_an_officer_of_the_trust(route, trust, trust_schools, trust_officer, client_for):
    """The addresses built here are real: the 404s below come from the gate."""
    path = build_path(route, trust.slug, objects_for(route, trust))
    response = client_for(trust_officer).get(path)
    assert response.status_code in (200, 202, 302, 405), f"GET {path} answered {response.status_code}"


@pytest.mark.parametrize("route", ROUTES)
def test_trust_page_is_not_found_for_people_who_are_not_officers_of_the_trust(
    route, trust, trust_schools, school, client
):
    path = build_path(route, trust.slug, objects_for(route, trust))
    policies_before = Policy.objects.count()
    other_officer = TrustMembershipFactory(trust=TrustFactory()).user
    give_mfa(other_officer)
    former_officer = TrustMembershipFactory(trust=trust, ended_at=timezone.now()).user
    give_mfa(former_officer)
    parent = make_member(school, Role.PARENT)
    people = [
        ("head of a school of the trust", make_member(school, Role.HEADTEACHER)),
        ("deputy of a school of the trust", make_member(school, Role.DEPUTY)),
        ("teacher of a school of the trust", make_member(school, Role.TEACHER)),
        ("officer of another trust", other_officer),
        ("former officer of the trust", former_officer),
        ("parent at a school of the trust", parent),
        ("head of a school of another trust", make_member(SchoolFactory(), Role.HEADTEACHER)),
    ]
    for who, user in people:
        sign_in_with_mfa(client, user)
        _assert_not_found(client, path, who=who)
    _assert_nothing_changed(trust, policies_before)


@pytest.mark.parametrize("route", ROUTES)
def test_trust_page_of_an_unknown_trust_is_not_found(route, trust, trust_schools, trust_officer, client_for):
    path = build_path(route, "no-such-trust", objects_for(route, trust))
    _assert_not_found(client_for(trust_officer), path, who="trust officer")


@pytest.mark.parametrize("route", ROUTES)
def test_trust_page_sends_anonymous_visitors_to_sign_in(route, trust, trust_schools):
    path = build_path(route, trust.slug, objects_for(route, trust))
    policies_before = Policy.objects.count()
    client = Client()
    for method in ("get", "post"):
        response = getattr(client, method)(path)
        assert response.status_code == 302, f"anonymous {method.upper()} {path} answered {response.status_code}"
        assert response.url.startswith(reverse("account_login") + "?next=")
    _assert_nothing_changed(trust, policies_before)


@pytest.mark.parametrize("route", ROUTES_WITH_OBJECTS)
def test_object_of_another_trust_is_not_found_under_ones_own_trust(route, trust, trust_schools, client):
    """The officer of trust B opens /t/B/.../<id of something of trust A>/."""
    other_trust = TrustFactory()
    SchoolFactory(trust=other_trust)
    officer = TrustMembershipFactory(trust=other_trust).user
    give_mfa(officer)
    objects = objects_for(route, trust)
    policies_before = Policy.objects.count()
    path = build_path(route, other_trust.slug, objects)
    sign_in_with_mfa(client, officer)
    _assert_not_found(client, path, who="officer of the other trust, under their own trust", get_may_be_refused=True)
    _assert_nothing_changed(trust, policies_before)
