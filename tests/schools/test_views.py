"""The school community's pages, for the people who use them and those who may not."""

import datetime
import re

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import Invitation, User
from core.roles import Role
from schools.models import Guardianship, Membership
from tests.conftest import make_member, sign_in_with_mfa
from tests.dates import date_data
from tests.factories import GuardianshipFactory, MembershipFactory, PupilFactory, SchoolClassFactory


def url(school, page=""):
    return f"/s/{school.slug}/{page}"


def membership_of(user, school):
    return Membership.objects.get(user=user, school=school)


def person_url(school, user, action=""):
    return url(school, f"people/{membership_of(user, school).pk}/{action}")


def html(response) -> str:
    return response.content.decode()


def error_beside(field: str, message: str, page: str) -> bool:
    """The message is in the field's own error list, which the input points to."""
    errors = re.search(rf'<p class="errorlist error-message" id="id_{field}_error">(.*?)</p>', page, re.S)
    described = re.search(rf'<input[^>]*aria-describedby="[^"]*id_{field}_error[^"]*"[^>]*id="id_{field}"', page) or (
        # a date's three boxes sit in a fieldset that points to the message
        re.search(rf'<fieldset[^>]*aria-describedby="[^"]*id_{field}_error[^"]*"', page)
    )
    return bool(errors and message in errors.group(1) and described)


def staff_form(**overrides):
    data = {
        "first_name": "Priya",
        "last_name": "Shah",
        "email": "priya.shah@example.org",
        "roles": [Role.TEACHER],
        "job_title": "Year 4 teacher",
        "staff_type": "teaching",
        "start_date": "01/09/2026",
        "send_invitation": "on",
    }
    data.update(overrides)
    return data


def signed_in(user) -> Client:
    """A client of its own, for tests where two people use the portal at once."""
    browser = Client()
    sign_in_with_mfa(browser, user)
    return browser


# --- staff list ------------------------------------------------------------------


def test_head_sees_the_staff_list(school, head, teacher, client_for):
    response = client_for(head).get(url(school, "staff/"))
    assert response.status_code == 200
    page = html(response)
    assert f"{teacher.last_name}, {teacher.first_name}" in page
    assert teacher.email in page
    assert url(school, "staff/add/") in page


def test_staff_list_leaves_out_parents_and_other_schools(school, other_school, head, parent, client_for):
    stranger = make_member(other_school, Role.TEACHER)
    page = html(client_for(head).get(url(school, "staff/")))
    assert parent.email not in page
    assert stranger.email not in page


def test_dsl_sees_the_staff_list_without_the_add_button(school, dsl, client_for):
    response = client_for(dsl).get(url(school, "staff/"))
    assert response.status_code == 200
    assert url(school, "staff/add/") not in html(response)


@pytest.mark.parametrize("who", ["teacher", "support_staff", "parent", "outsider"])
def test_people_without_view_staff_cannot_see_the_staff_list(who, school, request, client_for):
    user = request.getfixturevalue(who)
    assert client_for(user).get(url(school, "staff/")).status_code == 404


# --- adding staff ----------------------------------------------------------------


def test_office_adds_a_member_of_staff_who_is_invited_by_email(
    school, office, client_for, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(office).post(url(school, "staff/add/"), staff_form())

    membership = Membership.objects.get(user__email="priya.shah@example.org", school=school)
    assert response.status_code == 302
    assert response.url == url(school, f"people/{membership.pk}/")
    assert membership.status == Membership.Status.INVITED
    assert membership.role_codes == [Role.TEACHER]
    assert membership.start_date == datetime.date(2026, 9, 1)
    assert membership.job_title == "Year 4 teacher"
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["priya.shah@example.org"]
    assert "http://testserver/invitations/" in mailoutbox[0].body
    assert "Priya Shah has been invited." in html(client_for(office).get(response.url))


def test_adding_staff_with_a_bad_email_shows_the_error_beside_the_email(school, head, client_for):
    response = client_for(head).post(url(school, "staff/add/"), staff_form(email="priya.shah-at-example"))
    assert response.status_code == 200
    assert error_beside("email", "Enter a valid email address.", html(response))
    assert not User.objects.filter(email__startswith="priya").exists()
    assert not Invitation.objects.exists()


def test_adding_someone_already_on_the_staff_shows_the_error_beside_the_email(school, head, teacher, client_for):
    users_before = User.objects.count()
    response = client_for(head).post(url(school, "staff/add/"), staff_form(email=teacher.email.upper()))
    assert response.status_code == 200
    assert error_beside("email", f"{teacher.email} is already a member of Oakfield Primary School.", html(response))
    assert User.objects.count() == users_before
    assert membership_of(teacher, school).role_codes == [Role.TEACHER]
    assert not Invitation.objects.exists()


def test_office_giving_the_dsl_role_sees_why_beside_the_roles(school, office, client_for):
    response = client_for(office).post(url(school, "staff/add/"), staff_form(roles=[Role.DSL]))
    assert response.status_code == 200
    assert "Only the headteacher or deputy can give these roles: Designated safeguarding lead." in html(response)
    assert "roles" in response.context["form"].errors
    assert not User.objects.filter(email="priya.shah@example.org").exists()


def test_head_can_add_a_dsl(school, head, client_for):
    response = client_for(head).post(url(school, "staff/add/"), staff_form(roles=[Role.DSL]))
    assert response.status_code == 302
    assert Membership.objects.get(user__email="priya.shah@example.org").role_codes == [Role.DSL]


@pytest.mark.parametrize("who", ["dsl", "teacher", "trust_officer"])
def test_people_who_cannot_manage_people_cannot_add_staff(who, school, request, client_for):
    user = request.getfixturevalue(who)
    browser = client_for(user)
    assert browser.get(url(school, "staff/add/")).status_code == 404
    assert browser.post(url(school, "staff/add/"), staff_form()).status_code == 404
    assert not User.objects.filter(email="priya.shah@example.org").exists()


# --- parents ---------------------------------------------------------------------


def parent_form(*children, **overrides):
    data = {
        "first_name": "Omar",
        "last_name": "Khan",
        "email": "omar.khan@example.org",
        "children": [c.pk for c in children],
        "relationship": "father",
        "send_invitation": "on",
    }
    data.update(overrides)
    return data


def test_office_adds_a_parent_linked_to_their_child(school, office, pupil, client_for):
    response = client_for(office).post(url(school, "parents/add/"), parent_form(pupil, parental_responsibility="on"))
    assert response.status_code == 302
    membership = Membership.objects.get(user__email="omar.khan@example.org", school=school)
    assert membership.role_codes == [Role.PARENT]
    link = Guardianship.objects.get(carer=membership.user)
    assert (link.pupil, link.relationship, link.parental_responsibility) == (pupil, "father", True)


def test_a_carer_without_parental_responsibility_is_recorded_so(school, office, pupil, client_for):
    client_for(office).post(url(school, "parents/add/"), parent_form(pupil))
    assert Guardianship.objects.get(carer__email="omar.khan@example.org").parental_responsibility is False


def test_a_parent_cannot_be_linked_to_a_child_of_another_school_through_the_form(
    school, other_school, office, client_for
):
    elsewhere = PupilFactory(school=other_school)
    response = client_for(office).post(url(school, "parents/add/"), parent_form(elsewhere))
    assert response.status_code == 200
    assert "children" in response.context["form"].errors
    assert not User.objects.filter(email="omar.khan@example.org").exists()
    assert not Guardianship.objects.filter(pupil=elsewhere).exists()


def test_the_add_parent_form_offers_only_this_schools_current_pupils(school, other_school, office, pupil, client_for):
    elsewhere = PupilFactory(school=other_school, first_name="Xander", last_name="Elsewhere")
    gone = PupilFactory(school=school, first_name="Yusuf", last_name="Gone", leaving_date=datetime.date(2020, 7, 20))
    page = html(client_for(office).get(url(school, "parents/add/")))
    assert f'value="{pupil.pk}"' in page
    assert f'value="{elsewhere.pk}"' not in page
    assert f'value="{gone.pk}"' not in page


def test_office_sees_parents_with_their_children(school, office, parent, pupil, client_for):
    page = html(client_for(office).get(url(school, "parents/")))
    assert parent.email in page
    assert "Amelia Khan (mother)" in page


@pytest.mark.parametrize("who", ["teacher", "support_staff", "parent"])
def test_people_without_view_parents_cannot_see_the_parents_list(who, school, request, client_for):
    assert client_for(request.getfixturevalue(who)).get(url(school, "parents/")).status_code == 404


# --- a person's page -------------------------------------------------------------


def test_head_sees_a_persons_details_and_the_forms_to_manage_them(school, head, teacher, client_for):
    response = client_for(head).get(person_url(school, teacher))
    assert response.status_code == 200
    page = html(response)
    assert teacher.email in page
    assert "Teacher" in page
    assert person_url(school, teacher, "roles/") in page
    assert person_url(school, teacher, "leaver/") in page


def test_dsl_sees_a_persons_details_but_not_the_forms(school, dsl, teacher, client_for):
    response = client_for(dsl).get(person_url(school, teacher))
    assert response.status_code == 200
    assert teacher.email in html(response)
    assert person_url(school, teacher, "roles/") not in html(response)


def test_a_parents_record_needs_view_parents_not_just_view_staff(school, parent, client_for):
    ict = make_member(school, Role.ICT_MANAGER)
    assert client_for(ict).get(url(school, "staff/")).status_code == 200
    assert client_for(ict).get(person_url(school, parent)).status_code == 404


def test_a_parents_page_lists_their_children_here(school, office, parent, pupil, client_for):
    page = html(client_for(office).get(person_url(school, parent)))
    assert url(school, f"pupils/{pupil.pk}/") in page
    assert "Amelia Khan" in page


# --- roles -----------------------------------------------------------------------


def test_head_changes_a_teachers_roles(school, head, teacher, client_for):
    response = client_for(head).post(
        person_url(school, teacher, "roles/"), {"roles": [Role.TEACHER, Role.ESAFETY_LEAD]}
    )
    assert response.status_code == 302
    assert response.url == person_url(school, teacher)
    assert membership_of(teacher, school).role_codes == [Role.ESAFETY_LEAD, Role.TEACHER]


def test_office_making_a_teacher_the_dsl_is_refused_with_the_reason(school, office, teacher, client_for):
    response = client_for(office).post(person_url(school, teacher, "roles/"), {"roles": [Role.DSL]})
    assert response.status_code == 400
    assert "Only the headteacher or deputy can give these roles" in html(response)
    assert membership_of(teacher, school).role_codes == [Role.TEACHER]


def test_a_head_removing_their_own_leadership_is_refused_with_the_reason(school, head, client_for):
    response = client_for(head).post(person_url(school, head, "roles/"), {"roles": [Role.TEACHER]})
    assert response.status_code == 400
    assert "You can&#x27;t remove your own leadership role" in html(response)
    assert membership_of(head, school).role_codes == [Role.HEADTEACHER]


def test_a_parent_cannot_be_given_a_staff_role_on_their_parent_record(school, head, parent, client_for):
    response = client_for(head).post(person_url(school, parent, "roles/"), {"roles": [Role.HEADTEACHER]})
    assert response.status_code == 400
    assert membership_of(parent, school).role_codes == [Role.PARENT]


def test_changing_the_staff_roles_of_a_teacher_who_is_also_a_parent_keeps_them_a_parent(
    school, head, pupil, client_for
):
    teacher_and_parent = make_member(school, Role.TEACHER, Role.PARENT)
    GuardianshipFactory(pupil=pupil, carer=teacher_and_parent)

    response = client_for(head).post(
        person_url(school, teacher_and_parent, "roles/"), {"roles": [Role.TEACHER, Role.GOVERNOR]}
    )

    assert response.status_code == 302
    assert membership_of(teacher_and_parent, school).role_codes == [Role.GOVERNOR, Role.PARENT, Role.TEACHER]
    assert "Amelia" in html(client_for(teacher_and_parent).get("/family/"))


def test_roles_cannot_be_changed_with_a_get(school, head, teacher, client_for):
    assert client_for(head).get(person_url(school, teacher, "roles/"), {"roles": [Role.DSL]}).status_code == 405
    assert membership_of(teacher, school).role_codes == [Role.TEACHER]


# --- leavers ---------------------------------------------------------------------


def test_a_leavers_session_ends_at_once(school, head, teacher):
    teachers_browser = signed_in(teacher)
    assert teachers_browser.get(url(school)).status_code == 200

    response = signed_in(head).post(
        person_url(school, teacher, "leaver/"), {"leaving_date": timezone.localdate().isoformat()}
    )

    assert response.status_code == 302
    assert membership_of(teacher, school).status == Membership.Status.LEFT
    next_request = teachers_browser.get(url(school))
    assert next_request.status_code == 302
    assert next_request.url.startswith("/accounts/login/")


def test_a_leaver_who_works_at_another_school_loses_only_this_school(school, sister_school, head, teacher):
    MembershipFactory(user=teacher, school=sister_school, roles=[Role.TEACHER])
    teachers_browser = signed_in(teacher)

    signed_in(head).post(person_url(school, teacher, "leaver/"), {"leaving_date": timezone.localdate().isoformat()})

    assert teachers_browser.get(url(school)).status_code == 404
    assert teachers_browser.get(url(sister_school)).status_code == 200


def test_a_future_leaving_date_is_saved_and_access_continues(school, head, teacher):
    teachers_browser = signed_in(teacher)
    leaves = timezone.localdate() + datetime.timedelta(days=30)
    signed_in(head).post(person_url(school, teacher, "leaver/"), {"leaving_date": leaves.strftime("%d/%m/%Y")})
    membership = membership_of(teacher, school)
    assert membership.leaving_date == leaves
    assert membership.status == Membership.Status.ACTIVE
    assert teachers_browser.get(url(school)).status_code == 200


def test_a_leaving_date_that_is_not_a_date_is_refused(school, head, teacher, client_for):
    response = client_for(head).post(person_url(school, teacher, "leaver/"), date_data("leaving_date", "31/02/2026"))
    assert response.status_code == 400
    assert error_beside("leaving_date", "Last day at the school must be a real date", html(response))
    assert membership_of(teacher, school).leaving_date is None


def test_marking_yourself_as_a_leaver_is_refused(school, head, client_for):
    response = client_for(head).post(
        person_url(school, head, "leaver/"), {"leaving_date": timezone.localdate().isoformat()}
    )
    assert response.status_code == 400
    assert "You can&#x27;t mark yourself as a leaver" in html(response)
    assert membership_of(head, school).status == Membership.Status.ACTIVE


# --- invitations -----------------------------------------------------------------


def test_office_sends_a_new_invitation_that_replaces_the_old_one(
    school, office, client_for, mailoutbox, django_capture_on_commit_callbacks
):
    browser = client_for(office)
    with django_capture_on_commit_callbacks(execute=True):
        browser.post(url(school, "staff/add/"), staff_form())
    membership = Membership.objects.get(user__email="priya.shah@example.org")
    person = url(school, f"people/{membership.pk}/")
    assert f"{person}invite/" in html(browser.get(person))

    with django_capture_on_commit_callbacks(execute=True):
        response = browser.post(f"{person}invite/")

    assert response.status_code == 302
    assert response.url == person
    first, second = Invitation.objects.order_by("pk")
    assert first.revoked_at is not None and second.revoked_at is None
    assert len(mailoutbox) == 2
    assert "A new invitation is on its way to priya.shah@example.org." in html(browser.get(person))


def test_someone_who_has_joined_is_not_sent_another_invitation(school, office, teacher, client_for, mailoutbox):
    browser = client_for(office)
    response = browser.post(person_url(school, teacher, "invite/"))
    assert response.status_code == 302
    assert not Invitation.objects.exists()
    assert mailoutbox == []
    assert "has already joined" in html(browser.get(response.url))


# --- pupils ----------------------------------------------------------------------


def test_teacher_sees_pupils_by_class(school, school_class, pupil, teacher, client_for):
    other_class = SchoolClassFactory(school=school, name="Birch")
    PupilFactory(school=school, school_class=other_class, first_name="Zachary", last_name="Birchall")
    for taught in (school_class, other_class):
        taught.teachers.add(membership_of(teacher, school))
    browser = client_for(teacher)

    everyone = html(browser.get(url(school, "pupils/")))
    assert "Khan, Amelia" in everyone and "Birchall, Zachary" in everyone

    response = browser.get(url(school, "pupils/"), {"class": school_class.pk})
    assert response.status_code == 200
    assert "Khan, Amelia" in html(response)
    assert "Birchall, Zachary" not in html(response)


def test_pupils_of_a_class_of_another_school_are_not_found(school, other_school, head, client_for):
    their_class = SchoolClassFactory(school=other_school)
    PupilFactory(school=other_school, school_class=their_class, first_name="Xena", last_name="Stranger")
    response = client_for(head).get(url(school, "pupils/"), {"class": their_class.pk})
    assert response.status_code == 404
    assert "Stranger" not in html(response)


def test_pupils_of_a_class_that_is_not_a_number_are_not_found(school, head, client_for):
    assert client_for(head).get(url(school, "pupils/"), {"class": "oak"}).status_code == 404


def test_pupils_who_have_left_are_not_listed(school, school_class, head, client_for):
    PupilFactory(school=school, school_class=school_class, last_name="Departed", leaving_date=datetime.date(2020, 7, 1))
    assert "Departed" not in html(client_for(head).get(url(school, "pupils/")))


def test_office_sees_a_pupils_carers_with_their_emails(school, office, parent, pupil, client_for):
    GuardianshipFactory(pupil=pupil, relationship="father", parental_responsibility=False)
    page = html(client_for(office).get(url(school, f"pupils/{pupil.pk}/")))
    assert "Parents and carers" in page
    assert parent.email in page
    # The father's row says he holds no parental responsibility (the record's table).
    assert re.search(
        r">Father</td>\s*<td data-label=\"Parental responsibility\"><span class=\"badge badge--no\">No<", page
    )


def test_teacher_does_not_see_a_pupils_carers(school, school_class, teacher, parent, pupil, client_for):
    school_class.teachers.add(membership_of(teacher, school))
    response = client_for(teacher).get(url(school, f"pupils/{pupil.pk}/"))
    assert response.status_code == 200
    assert "Amelia Khan" in html(response)
    assert parent.email not in html(response)
    assert "Parents and carers" not in html(response)


# --- family ----------------------------------------------------------------------


def test_a_parent_sees_only_their_own_children(school, school_class, parent, pupil, client_for):
    other_child = PupilFactory(school=school, school_class=school_class, first_name="Zachary", last_name="Other")
    GuardianshipFactory(pupil=other_child, carer=make_member(school, Role.PARENT))

    response = client_for(parent).get("/family/")

    assert response.status_code == 200
    assert "Amelia Khan" in html(response)
    assert "Zachary" not in html(response)


def test_a_parent_sees_their_children_at_every_school(school, sister_school, parent, client_for):
    MembershipFactory(user=parent, school=sister_school, roles=[Role.PARENT])
    GuardianshipFactory(pupil=PupilFactory(school=sister_school, first_name="Bilal", last_name="Khan"), carer=parent)
    page = html(client_for(parent).get("/family/"))
    assert "Amelia Khan" in page and "Bilal Khan" in page


def test_a_parent_who_has_left_a_school_no_longer_sees_the_child_there(school, parent, pupil, client_for):
    Membership.objects.filter(user=parent, school=school).update(status=Membership.Status.LEFT)
    assert "Amelia" not in html(client_for(parent).get("/family/"))


def test_the_family_page_needs_signing_in(db):
    response = Client().get("/family/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


# --- navigation and schools ------------------------------------------------------


def nav(page: str) -> str:
    match = re.search(r'<nav class="school-nav[^"]*".*?</nav>', page, re.S)
    assert match, "no school navigation on the page"
    return match.group(0)


def switcher(page: str) -> str:
    match = re.search(r'<details class="menu school-switcher">.*?</details>', page, re.S)
    return match.group(0) if match else ""


def test_teacher_sees_no_staff_link(school, teacher, client_for):
    page = html(client_for(teacher).get(url(school)))
    assert url(school, "staff/") not in page
    assert url(school, "pupils/") in nav(page)
    assert "Audit log" not in page
    assert url(school, "parents/") not in page


def test_head_sees_every_link_including_the_audit_log(school, head, client_for):
    links = nav(html(client_for(head).get(url(school))))
    assert f'href="{url(school, "staff/")}">Staff<' in links
    assert f'href="{url(school, "parents/")}"' in links
    assert f'href="{url(school, "audit/")}">Audit log<' in links


def test_office_sees_staff_and_parents_but_not_the_audit_log(school, office, client_for):
    links = nav(html(client_for(office).get(url(school))))
    assert url(school, "staff/") in links
    assert url(school, "parents/") in links
    assert url(school, "audit/") not in links


def test_someone_at_two_schools_can_switch_between_them(school, sister_school, teacher, client_for):
    MembershipFactory(user=teacher, school=sister_school, roles=[Role.SUPPORT_STAFF])
    menu = switcher(html(client_for(teacher).get("/home/")))
    assert f'href="{url(school)}"' in menu
    assert f'href="{url(sister_school)}"' in menu


def test_someone_at_one_school_has_no_switcher(school, teacher, client_for):
    page = html(client_for(teacher).get("/home/"))
    assert switcher(page) == ""
    assert f'class="school-name" href="{url(school)}"' in page


def test_trust_officer_sees_every_school_of_the_trust_and_no_other(
    school, sister_school, other_school, trust_officer, client_for
):
    browser = client_for(trust_officer)
    menu = switcher(html(browser.get("/home/")))
    assert school.name in menu and sister_school.name in menu
    assert other_school.name not in menu
    assert browser.get(url(sister_school)).status_code == 200
    assert browser.get(url(school, "staff/")).status_code == 200
    assert browser.get(url(other_school)).status_code == 404


def test_trust_officer_whose_role_ended_sees_no_school(school, trust_officer, client_for):
    trust_officer.trust_memberships.update(ended_at=timezone.now())
    assert client_for(trust_officer).get(url(school)).status_code == 404


def test_a_parent_gets_no_links_to_the_schools_pages(school, parent, client_for):
    page = html(client_for(parent).get("/home/"))
    assert url(school) not in page
    assert "/family/" in page


# --- not found -------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/no/such/page/", "/s/oakfield/people/not-a-number/", "/s/no-such-school/"])
def test_a_missing_page_shows_the_portals_not_found_page(path, school, head, client_for, settings):
    settings.DEBUG = False
    response = client_for(head).get(path)
    assert response.status_code == 404
    assert "Page not found" in html(response)
    assert "404.html" in [t.name for t in response.templates]


def test_a_page_someone_may_not_see_looks_like_a_missing_page(school, outsider, client_for, settings):
    settings.DEBUG = False
    response = client_for(outsider).get(url(school, "staff/"))
    assert response.status_code == 404
    assert "Page not found" in html(response)
    assert school.name not in html(response)


def test_a_class_counts_pupils_who_are_still_on_roll(school, school_class, pupil, teacher, client_for):
    PupilFactory(
        school=school, school_class=school_class, leaving_date=timezone.localdate() + datetime.timedelta(days=30)
    )
    PupilFactory(school=school, school_class=school_class, leaving_date=timezone.localdate())
    school_class.teachers.add(membership_of(teacher, school))
    browser = client_for(teacher)
    listed = browser.get(url(school, "pupils/"), {"class": school_class.pk})
    assert len(listed.context["page"].object_list) == 2
    assert listed.context["chosen"].pupil_count == 2
    assert "2 pupils" in html(browser.get(url(school)))


def test_a_class_teachers_desk_counts_pupils_still_on_roll(school, school_class, pupil, teacher, head, client_for):
    from aup.models import Audience
    from tests.agreements.test_class_sessions import publish_pupils_form

    publish_pupils_form(school, head, Audience.KS2)
    school_class.teachers.add(membership_of(teacher, school))
    PupilFactory(
        school=school, school_class=school_class, leaving_date=timezone.localdate() + datetime.timedelta(days=5)
    )
    PupilFactory(school=school, school_class=school_class, leaving_date=datetime.date(2020, 7, 20))
    page = html(client_for(teacher).get("/home/"))
    assert "Oak: 2 pupils have not signed" in page
    assert "0 of 2 in your class have signed" in page
