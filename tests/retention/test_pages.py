"""The retention pages as the DPO, the head and others use them: the schedule, a
trust's rule change, the review list with its counts and two-step approval, the
destruction log, legal holds, and the DPO's desk."""

import datetime
import time

import pytest
import time_machine
from allauth.account.authentication import get_authentication_records
from django.test import RequestFactory
from django.urls import reverse

from agreements.models import Signature
from core import retention
from core.models import AuditEvent
from core.roles import Role
from retention import services
from retention.models import Destruction, LegalHold, RetentionRule, Review
from tests.conftest import make_member
from tests.factories import GuardianshipFactory, PupilFactory

from .helpers import leaver_records

AFTER_END = datetime.datetime(2033, 7, 21, 12, tzinfo=datetime.UTC)


@pytest.fixture
def leaver(school, head, pupil):
    carer = make_member(school, Role.PARENT)
    GuardianshipFactory(pupil=pupil, carer=carer, relationship="mother")
    with time_machine.travel(datetime.datetime(2026, 9, 10, 10, tzinfo=datetime.UTC), tick=False):
        return leaver_records(school, head, carer, pupil)


@pytest.fixture
def open_review(trust, school, sister_school, leaver):
    with time_machine.travel(AFTER_END, tick=False):
        return services.sweep_trust(trust)


def _age_second_step(client, seconds):
    """Make the session's record of the code typed `seconds` old."""
    session = client.session
    request = RequestFactory().get("/")
    request.session = session
    for record in get_authentication_records(request, None) or session.get("account_authentication_methods", []):
        record["at"] = time.time() - seconds
    session.save()


def test_the_dpo_reads_every_kind_with_its_source(trust, trust_officer, client_for):
    page = client_for(trust_officer).get(f"/t/{trust.slug}/retention/").content.decode()
    for kind in retention.kinds():
        assert kind.label.replace("'", "&#x27;") in page
    assert "IRMS Information Management Toolkit for Schools" in page
    assert "Seed 001" in page
    assert f"/t/{trust.slug}/retention/rules/agreements.visitor_book/" in page


def test_the_head_reads_the_schedule_but_cannot_change_it(school, head, client_for):
    browser = client_for(head)
    page = browser.get(f"/s/{school.slug}/retention/").content.decode()
    assert "Visitors" in page and "/retention/rules/" not in page
    assert browser.get(f"/t/{school.trust.slug}/retention/").status_code == 404


def test_a_teacher_cannot_open_the_schedule_or_the_holds(school, client_for):
    browser = client_for(make_member(school, Role.TEACHER))
    assert browser.get(f"/s/{school.slug}/retention/").status_code == 404
    assert browser.get(f"/s/{school.slug}/retention/holds/").status_code == 404


def test_the_dpo_changes_a_rule_for_the_trust_and_it_is_audited(trust, school, trust_officer, client_for):
    browser = client_for(trust_officer)
    url = f"/t/{trust.slug}/retention/rules/incidents.child_protection/"
    response = browser.post(url, {"years": "75", "action": "review", "reason": "IICSA: keep for 75 years"})
    assert response.status_code == 302
    rule = RetentionRule.objects.get(trust=trust, kind="incidents.child_protection")
    assert (rule.years, rule.action, rule.changed_by) == (75, "review", trust_officer)
    event = AuditEvent.objects.get(action="retention.rule_changed")
    assert event.actor == trust_officer and event.data["after"] == {"years": 75, "action": "review"}
    page = browser.get(f"/s/{school.slug}/retention/").content.decode()
    assert "75 years from the youngest linked pupil" in page and "IICSA: keep for 75 years" in page


def test_a_rule_change_with_mistakes_says_what_to_fix(trust, trust_officer, client_for):
    url = f"/t/{trust.slug}/retention/rules/incidents.child_protection/"
    response = client_for(trust_officer).post(url, {"years": "0", "action": "delete", "reason": ""})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Enter at least 1 year." in page
    assert "Say why the trust keeps these records for this long." in page
    assert "Select a valid choice" in page  # child protection files are never deleted by the portal
    assert not RetentionRule.objects.exists()


def test_the_review_list_shows_counts_by_kind_and_school(trust, school, open_review, trust_officer, client_for):
    page = client_for(trust_officer).get(f"/t/{trust.slug}/retention/review/").content.decode()
    assert "Pupils&#x27; signed agreements" in page
    assert school.name in page
    assert "Approve and destroy 2 records" in page  # the agreement and the consent record


def test_approval_needs_a_fresh_code_from_the_authenticator(
    trust, open_review, trust_officer, client_for, django_capture_on_commit_callbacks
):
    browser = client_for(trust_officer)
    _age_second_step(browser, 3600)
    response = browser.post(f"/t/{trust.slug}/retention/review/{open_review.pk}/approve/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("mfa_reauthenticate"))
    open_review.refresh_from_db()
    assert open_review.status == Review.Status.OPEN


def test_approval_destroys_the_records_and_the_log_shows_the_counts(
    trust, school, open_review, leaver, trust_officer, client_for, django_capture_on_commit_callbacks
):
    with time_machine.travel(AFTER_END, tick=False), django_capture_on_commit_callbacks(execute=True):
        browser = client_for(trust_officer)  # the code was typed just now (in 2033)
        response = browser.post(f"/t/{trust.slug}/retention/review/{open_review.pk}/approve/")
    assert response.status_code == 302
    assert not Signature.objects.filter(pk=leaver[0].pk).exists()
    assert Destruction.objects.filter(review=open_review).count() == 2
    page = browser.get(f"/t/{trust.slug}/retention/destroyed/").content.decode()
    assert "Pupils&#x27; signed agreements" in page and school.name in page
    assert "6 years from the pupil&#x27;s leaving date, then delete" in page
    assert "Amelia" not in page


def test_a_dpo_of_another_trust_cannot_approve_this_trusts_review(open_review, client_for):
    from tests.factories import TrustFactory, TrustMembershipFactory

    other = TrustFactory(slug="other-trust")
    officer = TrustMembershipFactory(trust=other).user
    from tests.conftest import give_mfa

    give_mfa(officer)
    response = client_for(officer).post(f"/t/{other.slug}/retention/review/{open_review.pk}/approve/")
    assert response.status_code == 404
    open_review.refresh_from_db()
    assert open_review.status == Review.Status.OPEN


def test_the_dpos_desk_shows_a_review_waiting(open_review, trust, trust_officer, client_for):
    page = client_for(trust_officer).get("/", follow=True).content.decode()
    assert "Review the records at the end of their retention" in page
    assert f"/t/{trust.slug}/retention/review/" in page


def test_the_head_places_and_lifts_a_legal_hold(school, head, pupil, client_for):
    browser = client_for(head)
    url = f"/s/{school.slug}/retention/holds/"
    response = browser.post(url, {"subject": "pupil", "identifier": pupil.upn, "reason": "A claim is expected"})
    assert response.status_code == 302
    hold = LegalHold.objects.get()
    assert (hold.subject_id, hold.subject_label, hold.placed_by) == (pupil.pk, "Amelia Khan", head)
    page = browser.get(url).content.decode()
    assert "Amelia Khan" in page and "In force" in page
    lift = f"/s/{school.slug}/retention/holds/{hold.pk}/lift/"
    assert "Say why the hold is no longer needed." in browser.post(lift, {"reason": ""}).content.decode()
    assert browser.post(lift, {"reason": "Settled"}).status_code == 302
    hold.refresh_from_db()
    assert hold.lifted_by == head and hold.lift_reason == "Settled"
    assert AuditEvent.objects.filter(action__in=["retention.hold_placed", "retention.hold_lifted"]).count() == 2


def test_a_hold_cannot_name_a_pupil_of_another_school(school, other_school, head, client_for):
    stranger = PupilFactory(school=other_school, upn="Z999999999999")
    response = client_for(head).post(
        f"/s/{school.slug}/retention/holds/", {"subject": "pupil", "identifier": stranger.upn, "reason": "x"}
    )
    assert "Enter the UPN or MIS id of a pupil of this school." in response.content.decode()
    assert not LegalHold.objects.exists()


def test_a_hold_of_another_school_cannot_be_lifted_here(school, sister_school, head, trust_officer, client_for):
    pupil = PupilFactory(school=sister_school, upn="B123456789012")
    hold = services.place_hold(
        school=sister_school, subject="pupil", identifier=pupil.upn, reason="Claim", user=trust_officer
    )
    response = client_for(head).post(f"/s/{school.slug}/retention/holds/{hold.pk}/lift/", {"reason": "Gone"})
    assert response.status_code == 404
    hold.refresh_from_db()
    assert hold.lifted_at is None


def test_the_review_page_queries_do_not_grow_with_schools_and_kinds(
    trust, school, sister_school, head, trust_officer, client_for, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    browser = client_for(trust_officer)

    def leavers(target, n):
        for _ in range(n):
            pupil = PupilFactory(school=target, leaving_date=datetime.date(2027, 7, 20))
            carer = make_member(target, Role.PARENT)
            GuardianshipFactory(pupil=pupil, carer=carer)
            leaver_records(target, head, carer, pupil, form=form)

    from .helpers import parents_form

    form = parents_form(school, head)
    leavers(school, 1)
    with time_machine.travel(AFTER_END, tick=False):
        services.sweep_trust(trust)
    browser.get(f"/t/{trust.slug}/retention/review/")  # warm the session and caches
    with CaptureQueriesContext(connection) as few:
        browser.get(f"/t/{trust.slug}/retention/review/")
    leavers(school, 3)
    with time_machine.travel(AFTER_END, tick=False):
        services.sweep_trust(trust)
    with django_assert_num_queries(len(few.captured_queries)):
        browser.get(f"/t/{trust.slug}/retention/review/")
