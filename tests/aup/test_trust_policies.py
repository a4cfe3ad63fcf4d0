"""A trust writes a policy once; publishing it gives every school of the trust its
own read-only copy, which the school's people sign as they would the school's own."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils.html import escape

from agreements.models import FormText
from agreements.selectors import previous_signed_text
from aup import services
from aup.models import AgreementForm, Audience, ChangeLogEntry, Policy, PolicyVersion, Statement, VersionStatus
from core.models import AuditEvent
from core.roles import Role
from schools.models import School
from tests.agreements.signing_helpers import sign_as
from tests.conftest import give_mfa, make_member
from tests.factories import SchoolFactory, TrustFactory, TrustMembershipFactory
from tests.policy_helpers import complete_version


def trust_url(name, trust, *args):
    return reverse(f"aup_trust:{name}", args=[trust.slug, *args])


def school_url(name, school, *args):
    return reverse(f"aup:{name}", args=[school.slug, *args])


@pytest.fixture
def trust_draft(trust, trust_officer):
    """Version 1 of the trust's ICT policy: a draft with staff and parents' forms."""
    version = services.create_policy(
        trust=trust,
        title="ICT acceptable use",
        kind="ict_aup",
        audiences=[Audience.STAFF, Audience.PARENTS],
        by=trust_officer,
    )
    services.update_version(
        version=version,
        by=trust_officer,
        adopted_on=datetime.date(2026, 9, 1),
        next_review_on=datetime.date(2027, 9, 1),
        body="Everyone in our trust's schools uses ICT safely.",
        responsible=trust_officer,
    )
    services.add_change(
        version=version,
        date=datetime.date(2026, 7, 1),
        section="Whole policy",
        change="First trust-wide version.",
        agreed_by="Trust board",
        by=trust_officer,
    )
    return version


def approve(version, by):
    complete_version(version, by)
    return services.approve(
        version=version, approved_on=datetime.date(2026, 7, 10), chair="Grace Obi", head="Tom Hale", by=by
    )


def publish_trust_version(version, by):
    approve(version, by)
    return services.publish(version=version, by=by)


def next_trust_version(trust_version, by, *, statements):
    version = services.start_new_version(policy=trust_version.policy, by=by)
    form = version.forms.get(audience=Audience.STAFF)
    services.save_form(
        version=version, audience=Audience.STAFF, title=form.title, intro=form.intro, statements=statements, by=by
    )
    return publish_trust_version(version, by)


def copy_at(school, trust_version):
    return PolicyVersion.objects.get(policy__school=school, copied_from=trust_version)


@pytest.fixture
def published_trust_version(trust_draft, trust_officer, school, sister_school):
    return publish_trust_version(trust_draft, trust_officer)


# --- Publishing copies the version to each school of the trust --------------------------


def test_publishing_a_trust_version_gives_every_school_of_the_trust_a_published_copy(
    trust, school, sister_school, other_school, trust_draft, trust_officer
):
    another_trusts_school = SchoolFactory(trust=TrustFactory())
    publish_trust_version(trust_draft, trust_officer)

    trust_draft.refresh_from_db()
    assert trust_draft.status == VersionStatus.PUBLISHED
    copies = PolicyVersion.objects.filter(copied_from=trust_draft).select_related("policy")
    assert {c.policy.school for c in copies} == {school, sister_school}
    assert not Policy.objects.filter(school__in=[other_school, another_trusts_school]).exists()
    for copy in copies:
        assert copy.status == VersionStatus.PUBLISHED
        assert copy.policy.adopted_from == trust_draft.policy
        assert copy.policy.is_trust_copy and not copy.policy.is_trust_policy
        assert (copy.policy.title, copy.policy.kind) == ("ICT acceptable use", "ict_aup")
        assert copy.number == trust_draft.number
        assert copy.body == trust_draft.body
        assert copy.adopted_on == datetime.date(2026, 9, 1)
        assert copy.next_review_on == datetime.date(2027, 9, 1)
        assert (copy.approved_on, copy.approved_by_chair, copy.approved_by_head) == (
            datetime.date(2026, 7, 10),
            "Grace Obi",
            "Tom Hale",
        )
        assert copy.published_by == trust_officer
        assert list(copy.change_log.values_list("section", "change", "agreed_by")) == [
            ("Whole policy", "First trust-wide version.", "Trust board")
        ]


def test_each_copy_has_the_trusts_forms_word_for_word_sharing_one_stored_text(
    school, sister_school, published_trust_version
):
    trust_forms = {f.audience: f for f in published_trust_version.forms.all()}
    for school_ in (school, sister_school):
        copy = copy_at(school_, published_trust_version)
        forms = {f.audience: f for f in copy.forms.all()}
        assert set(forms) == {Audience.STAFF, Audience.PARENTS}
        for audience, form in forms.items():
            assert form.canonical_text() == trust_forms[audience].canonical_text()
            assert form.text_sha256 == trust_forms[audience].text_sha256
            assert form.every_academic_year == trust_forms[audience].every_academic_year
    assert FormText.objects.count() == 2  # one per audience, shared by the trust and both schools


def test_publishing_writes_an_audit_event_at_each_school(school, sister_school, published_trust_version):
    for school_ in (school, sister_school):
        actions = set(AuditEvent.objects.filter(school=school_).values_list("action", flat=True))
        assert {"policy.copied_from_trust", "policy.published"} <= actions
    trust_event = AuditEvent.objects.get(school=None, action="policy.published")
    assert trust_event.data["trust"] == published_trust_version.policy.trust_id


def test_a_trust_with_no_schools_can_still_publish(trust_draft, trust_officer):
    version = publish_trust_version(trust_draft, trust_officer)
    assert version.status == VersionStatus.PUBLISHED
    assert not PolicyVersion.objects.filter(copied_from=version).exists()


def test_a_trust_version_is_not_published_before_its_approval(trust_draft, trust_officer, school):
    with pytest.raises(ValidationError, match="trust board's approval"):
        services.publish_for_trust(version=trust_draft, by=trust_officer)
    assert not Policy.objects.filter(school=school).exists()


def test_a_schools_own_policy_cannot_be_published_as_a_trusts(school, head):
    version = services.create_policy(school=school, title="Mobile phones", kind="mobile_phones", by=head)
    approve(version, head)
    with pytest.raises(ValidationError, match="not a trust's"):
        services.publish_for_trust(version=version, by=head)


# --- A new trust version replaces each school's copy -----------------------------------


def test_a_new_trust_version_supersedes_each_schools_copy(
    school, sister_school, published_trust_version, trust_officer
):
    version_2 = next_trust_version(
        published_trust_version, trust_officer, statements=["I will keep my password private."]
    )
    published_trust_version.refresh_from_db()
    assert published_trust_version.status == VersionStatus.SUPERSEDED
    for school_ in (school, sister_school):
        assert Policy.objects.filter(school=school_).count() == 1  # the same copy, a new version
        old, new = copy_at(school_, published_trust_version), copy_at(school_, version_2)
        assert old.policy_id == new.policy_id
        assert (old.status, new.status) == (VersionStatus.SUPERSEDED, VersionStatus.PUBLISHED)
        assert new.number == 2


def test_staff_who_signed_the_schools_copy_see_what_changed_in_the_new_trust_version(
    school, sister_school, published_trust_version, trust_officer, teacher, client_for
):
    old_form = copy_at(school, published_trust_version).forms.get(audience=Audience.STAFF)
    old_statements = [s.text for s in old_form.statements.all()]
    sign_as(old_form, teacher)

    version_2 = next_trust_version(
        published_trust_version,
        trust_officer,
        statements=[*old_statements[:-1], "I will lock my laptop in a cupboard."],
    )
    new_form = copy_at(school, version_2).forms.get(audience=Audience.STAFF)
    assert previous_signed_text(teacher, new_form) == old_form.canonical_text()
    page = client_for(teacher).get(reverse("agreements:sign", args=[school.slug, new_form.pk])).content.decode()
    assert "What has changed since you last signed" in page
    assert "I will lock my laptop in a cupboard." in page
    assert escape(old_statements[-1]) in page


def test_a_teacher_at_a_trust_school_is_asked_to_sign_the_trust_policy(
    school, published_trust_version, teacher, client_for
):
    form = copy_at(school, published_trust_version).forms.get(audience=Audience.STAFF)
    response = client_for(teacher).get(reverse("agreements:sign", args=[school.slug, form.pk]))
    assert response.status_code == 200
    assert form.title in response.content.decode()


# --- A school that joins later -----------------------------------------------------------


def test_a_school_that_joins_the_trust_later_gets_the_current_trust_versions(
    trust, school, published_trust_version, trust_officer
):
    version_2 = next_trust_version(published_trust_version, trust_officer, statements=["I will be kind online."])
    draft_policy = services.create_policy(trust=trust, title="Mobile phones", kind="mobile_phones", by=trust_officer)
    newcomer = SchoolFactory(trust=trust, name="Hazel Primary School")  # joining copies them at once

    copies = list(PolicyVersion.objects.filter(policy__school=newcomer))
    assert [c.copied_from for c in copies] == [version_2]  # the current version only; not the draft policy
    assert services.adopt_trust_policies(school=newcomer) == []
    copy = copies[0]
    assert copy.status == VersionStatus.PUBLISHED and copy.number == 2
    assert not Policy.objects.filter(school=newcomer, adopted_from=draft_policy.policy).exists()
    assert list(copy.forms.get(audience=Audience.STAFF).statements.values_list("text", flat=True)) == [
        "I will be kind online."
    ]


def test_adopting_the_trust_policies_again_changes_nothing(trust, school, published_trust_version):
    assert services.adopt_trust_policies(school=school) == []
    assert PolicyVersion.objects.filter(policy__school=school).count() == 1


def test_a_school_moved_into_the_trust_gets_its_policies(trust, other_school, published_trust_version):
    assert not Policy.objects.filter(school=other_school).exists()
    other_school.trust = trust
    other_school.save()
    assert copy_at(other_school, published_trust_version).status == VersionStatus.PUBLISHED


def test_a_school_outside_any_trust_adopts_nothing(other_school, published_trust_version):
    assert services.adopt_trust_policies(school=other_school) == []
    assert not Policy.objects.filter(school=other_school).exists()


def test_adding_a_school_to_the_trust_with_the_command_copies_the_trust_policies(
    trust, published_trust_version, mailoutbox
):
    call_command(
        "add_school",
        name="Hazel Primary School",
        slug="hazel",
        urn="149999",
        phase="primary",
        trust=trust.name,
        head_email="head@hazel.example",
        head_first_name="Hana",
        head_last_name="Hill",
        stdout=None,
    )
    hazel = School.objects.get(slug="hazel")
    assert copy_at(hazel, published_trust_version).status == VersionStatus.PUBLISHED


# --- The school's copy is read-only at the school ---------------------------------------


@pytest.fixture
def school_copy(school, published_trust_version):
    return copy_at(school, published_trust_version)


TRUST_SENTENCE = "This is a trust policy, managed by Riverside Learning Trust"


def test_the_services_refuse_to_change_a_schools_copy_of_a_trust_policy(school_copy, head):
    form = school_copy.forms.get(audience=Audience.STAFF)
    attempts = [
        lambda: services.start_new_version(policy=school_copy.policy, by=head),
        lambda: services.update_version(version=school_copy, by=head, body="Changed at the school."),
        lambda: services.save_form(
            version=school_copy, audience=Audience.STAFF, title="Ours", intro="", statements=["Mine."], by=head
        ),
        lambda: services.remove_form(form=form, by=head),
        lambda: services.add_change(
            version=school_copy, date=datetime.date(2026, 9, 1), section="1", change="x", agreed_by="us", by=head
        ),
        lambda: services.approve(
            version=school_copy, approved_on=datetime.date(2026, 9, 1), chair="A", head="B", by=head
        ),
        lambda: services.back_to_draft(version=school_copy, by=head),
        lambda: services.publish(version=school_copy, by=head),
    ]
    for attempt in attempts:
        with pytest.raises(ValidationError, match=TRUST_SENTENCE):
            attempt()
    school_copy.refresh_from_db()
    assert school_copy.body == "Everyone in our trust's schools uses ICT safely."
    assert school_copy.policy.versions.count() == 1


def test_a_head_cannot_change_the_schools_copy_by_posting_to_its_pages(school, school_copy, head, client_for):
    client = client_for(head)
    before = {
        "versions": PolicyVersion.objects.filter(policy__school=school).count(),
        "forms": list(AgreementForm.objects.filter(version=school_copy).values_list("audience", "title")),
        "statements": Statement.objects.filter(form__version=school_copy).count(),
        "changes": ChangeLogEntry.objects.filter(version=school_copy).count(),
    }
    events = AuditEvent.objects.filter(school=school).count()
    posts = [
        (school_url("version_start", school, school_copy.policy_id), {}),
        (school_url("version", school, school_copy.pk), {"review_every_years": "1", "body": "Ours now."}),
        (
            school_url("form_edit", school, school_copy.pk, "staff"),
            {"title": "Ours", "statements": "I will do as we say."},
        ),
        (school_url("form_edit", school, school_copy.pk, "visitors"), {"title": "Ours", "statements": "Hello."}),
        (school_url("form_remove", school, school_copy.pk, "staff"), {}),
        (
            school_url("change_add", school, school_copy.pk),
            {"date": "2026-09-01", "section": "1", "change": "Ours", "agreed_by": "Us"},
        ),
        (school_url("approve", school, school_copy.pk), {"approved_on": "2026-09-01", "chair": "A", "head": "B"}),
        (school_url("back_to_draft", school, school_copy.pk), {}),
        (school_url("publish", school, school_copy.pk), {}),
    ]
    for path, data in posts:
        response = client.post(path, data, follow=True)
        assert response.status_code == 200, path
    # The refusal names the trust where the service is reached.
    response = client.post(school_url("version_start", school, school_copy.policy_id), follow=True)
    assert TRUST_SENTENCE in response.content.decode()
    school_copy.refresh_from_db()
    assert school_copy.status == VersionStatus.PUBLISHED
    assert school_copy.body == "Everyone in our trust's schools uses ICT safely."
    assert before == {
        "versions": PolicyVersion.objects.filter(policy__school=school).count(),
        "forms": list(AgreementForm.objects.filter(version=school_copy).values_list("audience", "title")),
        "statements": Statement.objects.filter(form__version=school_copy).count(),
        "changes": ChangeLogEntry.objects.filter(version=school_copy).count(),
    }
    assert AuditEvent.objects.filter(school=school).count() == events


def test_the_schools_pages_say_the_trust_manages_its_copy_and_offer_no_changes(school, school_copy, head, client_for):
    client = client_for(head)
    listing = client.get(school_url("policies", school)).content.decode()
    assert "trust policy" in listing
    for path in (school_url("policy", school, school_copy.policy_id), school_url("version", school, school_copy.pk)):
        html = client.get(path).content.decode()
        assert "This is a trust policy, managed by Riverside Learning Trust; changes are made by the trust." in html
        assert "Start a new version" not in html
        assert "Edit the form" not in html
        assert "Save details" not in html
        assert "Record approval" not in html
        assert "Publish version" not in html
    html = client.get(school_url("version", school, school_copy.pk)).content.decode()
    assert "Chair of trustees" in html and "Grace Obi" in html


def test_a_schools_own_policy_still_offers_a_new_version(school, head, client_for):
    version = services.create_policy(school=school, title="Mobile phones", kind="mobile_phones", by=head)
    publish_trust_version(version, head)  # the same steps for a school's own policy
    html = client_for(head).get(school_url("policy", school, version.policy_id)).content.decode()
    assert "Start a new version" in html
    assert "This is a trust policy" not in html


# --- The trust's pages --------------------------------------------------------------------


def test_a_trust_officer_writes_approves_and_publishes_a_trust_policy_on_the_trust_pages(
    trust, school, sister_school, other_school, trust_officer, client_for
):
    client = client_for(trust_officer)
    assert client.get(trust_url("policies", trust)).status_code == 200
    response = client.post(
        trust_url("policy_create", trust), {"title": "Social media", "kind": "social_media", "audiences": ["staff"]}
    )
    version = PolicyVersion.objects.get(policy__trust=trust)
    assert response.status_code == 302 and response.url == trust_url("version", trust, version.pk)
    assert version.policy.school is None

    page = client.get(trust_url("version", trust, version.pk)).content.decode()
    assert "Agreed at the trust board meeting on" in page and "Chair of trustees" in page
    assert "Choose a trust officer…" in page

    response = client.post(
        trust_url("version", trust, version.pk),
        {
            "review_every_years": "2",
            "responsible": trust_officer.pk,
            "body": "Our social media rules.",
            "next_review_on": "2028-09-01",
        },
    )
    assert response.status_code == 302
    response = client.post(
        trust_url("form_edit", trust, version.pk, "staff"),
        {"title": "Staff social media agreement", "statements": "I will not befriend pupils online."},
    )
    assert response.status_code == 302
    response = client.post(
        trust_url("change_add", trust, version.pk),
        {"date": "2026-09-01", "section": "All", "change": "New policy.", "agreed_by": "Trust board"},
    )
    assert response.status_code == 302
    response = client.post(
        trust_url("approve", trust, version.pk),
        {
            "approved_on": "2026-09-02",
            "chair": "Grace Obi",
            "chair_signed_on": "2026-09-02",
            "head": "Tom Hale",
            "head_signed_on": "2026-09-03",
        },
    )
    assert response.status_code == 302
    page = client.get(trust_url("version", trust, version.pk)).content.decode()
    assert "Publish to all 2 schools…" in page

    confirm = client.get(trust_url("publish", trust, version.pk)).content.decode()
    assert "Oakfield Primary School" in confirm and "Willow Nursery School" in confirm
    assert "Elm Tree" not in confirm
    assert "Publish to all 2 schools" in confirm

    response = client.post(trust_url("publish", trust, version.pk), follow=True)
    assert "is published at 2 schools" in response.content.decode()
    version.refresh_from_db()
    assert version.status == VersionStatus.PUBLISHED and version.responsible == trust_officer
    assert {c.policy.school for c in version.school_copies.all()} == {school, sister_school}
    copy_form = copy_at(school, version).forms.get(audience=Audience.STAFF)
    assert [s.text for s in copy_form.statements.all()] == ["I will not befriend pupils online."]

    page = client.get(trust_url("version", trust, version.pk)).content.decode()
    assert "Published at: Oakfield Primary School, Willow Nursery School." in page
    detail = client.get(trust_url("policy", trust, version.policy_id)).content.decode()
    assert "At the schools" in detail and "Willow Nursery School" in detail


def test_the_trust_approval_needs_both_names(trust, trust_draft, trust_officer, client_for):
    response = client_for(trust_officer).post(
        trust_url("approve", trust, trust_draft.pk), {"approved_on": "2026-09-02", "chair": "", "head": ""}
    )
    assert response.status_code == 400
    trust_draft.refresh_from_db()
    assert trust_draft.status == VersionStatus.DRAFT


def test_a_trust_officer_can_start_a_new_version_and_edit_its_forms(
    trust, published_trust_version, trust_officer, client_for
):
    client = client_for(trust_officer)
    response = client.post(trust_url("version_start", trust, published_trust_version.policy_id))
    version_2 = PolicyVersion.objects.get(policy=published_trust_version.policy, number=2)
    assert response.url == trust_url("version", trust, version_2.pk)
    assert client.get(trust_url("form_edit", trust, version_2.pk, "visitors")).status_code == 200
    assert client.get(trust_url("form_remove", trust, version_2.pk, "parents")).status_code == 200
    client.post(trust_url("form_remove", trust, version_2.pk, "parents"))
    assert not version_2.forms.filter(audience=Audience.PARENTS).exists()


def test_a_trust_officer_cannot_reach_another_trusts_policy_or_a_schools_own_policy_under_their_trust(
    trust, school, head, trust_officer, client_for
):
    other_trust = TrustFactory()
    other_officer = TrustMembershipFactory(trust=other_trust).user
    theirs = services.create_policy(trust=other_trust, title="Theirs", kind="other", by=other_officer)
    schools_own = services.create_policy(school=school, title="Ours", kind="other", by=head)
    client = client_for(trust_officer)
    for version in (theirs, schools_own):
        assert client.get(trust_url("policy", trust, version.policy_id)).status_code == 404
        assert client.get(trust_url("version", trust, version.pk)).status_code == 404
        assert client.post(trust_url("approve", trust, version.pk), {}).status_code == 404
    html = client.get(trust_url("policies", trust)).content.decode()
    assert "Theirs" not in html and "Ours" not in html


def test_the_trust_policy_list_takes_the_same_queries_however_many_policies(
    trust, trust_officer, client_for, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(trust_officer)
    services.create_policy(trust=trust, title="One", kind="other", by=trust_officer)
    client.get(trust_url("policies", trust))  # the session's first request does more
    with CaptureQueriesContext(connection) as one:
        client.get(trust_url("policies", trust))
    for n in range(4):
        publish_trust_version(
            services.create_policy(trust=trust, title=f"More {n}", kind="other", by=trust_officer), trust_officer
        )
    with django_assert_num_queries(len(one)):
        response = client.get(trust_url("policies", trust))
    assert response.content.decode().count("<tr>") == 6


def test_the_trust_home_lists_its_schools_and_the_officers_home_page_links_to_it(
    trust, school, sister_school, other_school, trust_officer, client_for
):
    client = client_for(trust_officer)
    html = client.get(trust_url("home", trust)).content.decode()
    assert "Oakfield Primary School" in html and "Willow Nursery School" in html
    assert "Elm Tree" not in html
    assert reverse("schools:home", args=[school.slug]) in html
    assert trust_url("policies", trust) in html
    home = client.get(reverse("core:home")).content.decode()
    assert trust_url("home", trust) in home


def test_a_head_sees_no_trust_link_on_their_home_page(trust, head, client_for):
    assert trust_url("home", trust) not in client_for(head).get(reverse("core:home")).content.decode()


def test_a_former_trust_officer_cannot_open_the_trust_pages(trust, client_for):
    from django.utils import timezone

    membership = TrustMembershipFactory(trust=trust, ended_at=timezone.now())
    give_mfa(membership.user)
    client = client_for(membership.user)
    assert client.get(trust_url("home", trust)).status_code == 404
    assert trust_url("home", trust) not in client.get(reverse("core:home")).content.decode()


def test_a_head_of_a_trust_school_cannot_open_the_trust_pages(trust, school, client_for):
    head = make_member(school, Role.HEADTEACHER)
    assert client_for(head).get(trust_url("policies", trust)).status_code == 404
