"""Parents and carers from the MIS contacts file: accounts, memberships, who cares for
whom, and what happens to people who are no longer in the file."""

import pytest

from accounts.models import User
from core.roles import Role
from schools.models import Guardianship, Membership
from tests.conftest import make_member
from tests.factories import GuardianshipFactory, PupilFactory

from .exports import EXPORTERS, autumn_contacts, autumn_pupils, sims_contacts, sims_pupils, to_csv, upn
from .helpers import csv_upload, import_file, section, snapshot


@pytest.fixture
def roll(school, office):
    """The four autumn pupils, imported."""
    import_file(school, "pupils", sims_pupils(autumn_pupils()), by=office)


def links(school):
    return sorted(
        (g.carer.email, g.pupil.first_name, g.relationship, g.parental_responsibility)
        for g in Guardianship.objects.filter(pupil__school=school).select_related("carer", "pupil")
    )


def membership(user, school):
    return Membership.objects.get(user=user, school=school)


def row(user_or_email, pupil_upn, relationship="Mother", pr=True, first_name="Pat", last_name="Carer"):
    email = getattr(user_or_email, "email", user_or_email)
    return {"upn": pupil_upn, "first_name": first_name, "last_name": last_name, "email": email, "relationship": relationship, "pr": pr}  # fmt: skip


def family_page(client_for, user):
    return client_for(user).get("/family/").content.decode()


@pytest.mark.parametrize("system", ["sims", "arbor"])
def test_new_parents_get_one_inactive_account_each_a_parent_membership_and_their_links(school, office, roll, system):
    plan = import_file(school, "contacts", EXPORTERS[system]["contacts"](autumn_contacts()), by=office)

    assert plan.counts == {"added": 4, "updated": 0, "unchanged": 0, "left": 0, "skipped": 0}
    emails = [
        "declan.oconnor@example.com",
        "grace.adeyemi@example.com",
        "niamh.oconnor@example.com",
        "sam.brown@example.com",
    ]
    assert sorted(
        User.objects.filter(email__in=emails).values_list("email", "is_active", "first_name", "last_name")
    ) == [
        ("declan.oconnor@example.com", False, "Declan", "O'Connor"),
        ("grace.adeyemi@example.com", False, "Grace", "Adeyemi"),
        ("niamh.oconnor@example.com", False, "Niamh", "O'Connor"),
        ("sam.brown@example.com", False, "Sam", "Brown"),
    ]
    for email in emails:
        parent = Membership.objects.get(user__email=email, school=school)
        assert (parent.status, parent.role_codes) == (Membership.Status.INVITED, [Role.PARENT])
    assert links(school) == [
        ("declan.oconnor@example.com", "Siobhán", "father", True),
        ("grace.adeyemi@example.com", "Zoë", "mother", True),
        ("niamh.oconnor@example.com", "Siobhán", "mother", True),
        ("sam.brown@example.com", "Isla", "step_parent", False),
        ("sam.brown@example.com", "Oliver", "father", True),
    ]


@pytest.mark.parametrize("system", ["sims", "arbor"])
def test_importing_the_same_contacts_file_again_changes_nothing(school, office, roll, system):
    export = EXPORTERS[system]["contacts"](autumn_contacts())
    import_file(school, "contacts", export, by=office)
    before = snapshot()

    plan = import_file(school, "contacts", export, by=office)

    assert plan.counts == {"added": 0, "updated": 0, "unchanged": 4, "left": 0, "skipped": 0}
    assert snapshot() == before


def test_an_email_in_any_case_is_one_account(school, office, roll):
    contacts = [row("Grace.Adeyemi@Example.com", upn(1)), row("grace.adeyemi@example.com", upn(2))]

    import_file(school, "contacts", sims_contacts(contacts), by=office)

    assert User.objects.filter(email__iexact="grace.adeyemi@example.com").count() == 1
    assert [(e, p) for e, p, _, _ in links(school)] == [
        ("grace.adeyemi@example.com", "Siobhán"),
        ("grace.adeyemi@example.com", "Zoë"),
    ]


def test_a_parent_at_two_schools_of_the_trust_has_one_account_and_a_membership_at_each(
    school, sister_school, office, roll
):
    sister_office = make_member(sister_school, Role.OFFICE)
    little_brother = PupilFactory(school=sister_school, first_name="Tunde", last_name="Adeyemi")
    import_file(school, "contacts", sims_contacts(autumn_contacts()[:1]), by=office)

    import_file(sister_school, "contacts", sims_contacts([row("grace.adeyemi@example.com", little_brother.upn)]), by=sister_office)  # fmt: skip

    grace = User.objects.get(email="grace.adeyemi@example.com")
    assert User.objects.filter(email__iexact=grace.email).count() == 1
    assert sorted(grace.memberships.values_list("school__slug", "roles__role")) == [
        ("oakfield", "parent"),
        ("willow", "parent"),
    ]
    assert sorted(grace.guardianships.values_list("pupil__first_name", flat=True)) == ["Tunde", "Zoë"]


def test_a_teacher_who_is_also_a_parent_keeps_one_membership_with_both_roles(school, office, teacher, roll):
    plan = import_file(school, "contacts", sims_contacts([row(teacher, upn(1), "Father")]), by=office)

    assert [e.name for e in plan.adds] == ["Pat Carer"]
    here = membership(teacher, school)
    assert here.role_codes == [Role.PARENT, Role.TEACHER]
    assert here.status == Membership.Status.ACTIVE
    assert Membership.objects.filter(user=teacher).count() == 1
    teacher.refresh_from_db()
    assert teacher.is_active


def test_an_active_user_from_another_school_joins_as_an_active_parent_on_their_account(
    school, sister_school, office, roll
):
    sister_teacher = make_member(sister_school, Role.TEACHER)

    import_file(school, "contacts", sims_contacts([row(sister_teacher, upn(3), "Mother")]), by=office)

    here = membership(sister_teacher, school)
    assert (here.status, here.role_codes) == (Membership.Status.ACTIVE, [Role.PARENT])
    assert membership(sister_teacher, sister_school).role_codes == [Role.TEACHER]


def test_a_contact_no_longer_in_the_file_stops_being_a_parent_here_and_their_login_ends(
    client_for, school, office, pupil, parent
):
    assert "Amelia" in family_page(client_for, parent)
    others = [row("grace.adeyemi@example.com", pupil.upn)]

    plan = import_file(school, "contacts", sims_contacts(others), by=office)

    assert [d.obj.user for d in plan.leavers] == [parent]
    here = membership(parent, school)
    assert here.status == Membership.Status.LEFT and here.ended_at is not None
    parent.refresh_from_db()
    assert not parent.is_active
    assert client_for(parent).get("/family/").status_code == 302  # signed out: the login page
    assert Guardianship.objects.filter(carer=parent).exists(), "the record of who cared for whom is kept"


def test_a_contact_no_longer_in_the_file_who_is_a_parent_at_another_school_keeps_their_login(
    client_for, school, sister_school, office, pupil, parent
):
    sibling = PupilFactory(school=sister_school, first_name="Tomos")
    make_member_at = Membership.objects.create(user=parent, school=sister_school, status=Membership.Status.ACTIVE)
    make_member_at.roles.create(role=Role.PARENT)
    GuardianshipFactory(pupil=sibling, carer=parent)

    import_file(school, "contacts", sims_contacts([row("grace.adeyemi@example.com", pupil.upn)]), by=office)

    parent.refresh_from_db()
    assert parent.is_active
    assert membership(parent, school).status == Membership.Status.LEFT
    page = family_page(client_for, parent)
    assert "Tomos" in page and "Amelia" not in page


def test_a_teacher_who_is_also_a_parent_and_not_in_the_contacts_file_loses_only_the_parent_role(
    client_for, school, office, teacher, pupil
):
    here = membership(teacher, school)
    here.roles.create(role=Role.PARENT)
    GuardianshipFactory(pupil=pupil, carer=teacher, relationship="father")

    plan = import_file(school, "contacts", sims_contacts([row("grace.adeyemi@example.com", pupil.upn)]), by=office)

    assert [(d.obj.user, d.note) for d in plan.leavers] == [(teacher, "stays on the staff; loses the parent role")]
    here = membership(teacher, school)
    assert (here.status, here.role_codes) == (Membership.Status.ACTIVE, [Role.TEACHER])
    teacher.refresh_from_db()
    assert teacher.is_active
    assert client_for(teacher).get(f"/s/{school.slug}/pupils/").status_code == 200
    assert "Amelia" not in family_page(client_for, teacher)


def test_a_link_the_mis_no_longer_has_stops_the_parent_seeing_that_child(client_for, school, office, pupil, parent):
    sibling = PupilFactory(school=school, first_name="Benedikt", last_name="Khan")
    GuardianshipFactory(pupil=sibling, carer=parent, relationship="mother")
    page = family_page(client_for, parent)
    assert "Amelia" in page and "Benedikt" in page

    plan = import_file(school, "contacts", sims_contacts([row(parent, pupil.upn, "Mother")]), by=office)

    assert [[(c.label, c.new) for c in e.changes] for e in plan.updates] == [
        [("Cares for Benedikt Khan", "link removed")]
    ]
    assert not Guardianship.objects.filter(carer=parent, pupil=sibling).exists()
    assert membership(parent, school).status == Membership.Status.ACTIVE
    page = family_page(client_for, parent)
    assert "Amelia" in page and "Benedikt" not in page


def test_a_changed_relationship_and_parental_responsibility_are_updated(school, office, pupil, parent):
    plan = import_file(school, "contacts", sims_contacts([row(parent, pupil.upn, "Grandmother", pr=False)]), by=office)

    assert plan.counts["updated"] == 1
    assert links(school) == [(parent.email, "Amelia", "grandparent", False)]


def test_a_new_child_in_the_file_is_linked_to_a_parent_already_here(school, office, pupil, parent):
    sibling = PupilFactory(school=school, first_name="Benedikt", last_name="Khan")

    plan = import_file(
        school, "contacts", sims_contacts([row(parent, pupil.upn), row(parent, sibling.upn, "Mother")]), by=office
    )

    assert [[(c.label, c.new) for c in e.changes] for e in plan.updates] == [[("Cares for Benedikt Khan", "added")]]
    assert links(school) == [(parent.email, "Amelia", "mother", True), (parent.email, "Benedikt", "mother", True)]
    assert Membership.objects.filter(user=parent).count() == 1


def test_a_parent_who_left_and_is_back_in_a_later_file_rejoins_on_the_same_membership(school, office, roll):
    import_file(school, "contacts", sims_contacts(autumn_contacts()), by=office)
    import_file(school, "contacts", sims_contacts(autumn_contacts()[1:]), by=office)
    grace = User.objects.get(email="grace.adeyemi@example.com")
    assert membership(grace, school).status == Membership.Status.LEFT

    plan = import_file(school, "contacts", sims_contacts(autumn_contacts()), by=office)

    assert [e.name for e in plan.adds] == ["Grace Adeyemi"]
    back = membership(grace, school)
    assert (back.status, back.ended_at, back.role_codes) == (Membership.Status.INVITED, None, [Role.PARENT])
    assert Membership.objects.filter(user=grace).count() == 1
    assert [p for e, p, _, _ in links(school) if e == grace.email] == ["Zoë"]


def test_a_contact_for_two_children_on_two_lines_is_one_person_linked_to_both(school, office, roll):
    plan = import_file(school, "contacts", sims_contacts(autumn_contacts()[3:]), by=office)

    assert [(e.line, e.name) for e in plan.adds] == [(2, "Sam Brown")]
    assert User.objects.filter(email="sam.brown@example.com").count() == 1
    assert Membership.objects.filter(user__email="sam.brown@example.com").count() == 1


def test_new_parents_are_emailed_an_invitation_only_when_the_office_asks(
    school, office, roll, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        import_file(school, "contacts", sims_contacts(autumn_contacts()[:2]), by=office)
    assert mailoutbox == []

    with django_capture_on_commit_callbacks(execute=True):
        import_file(school, "contacts", sims_contacts(autumn_contacts()), by=office, invite=True)

    assert sorted(m.to[0] for m in mailoutbox) == ["declan.oconnor@example.com", "sam.brown@example.com"]


def test_the_office_checks_and_applies_a_contacts_file_on_the_page(client_for, school, office, roll):
    browser = client_for(office)
    contacts = [*autumn_contacts(), row("kate.lee@example.com", upn(99))]
    uploaded = browser.post(
        f"/s/{school.slug}/import/",
        {"kind": "contacts", "file": csv_upload(EXPORTERS["arbor"]["contacts"](contacts), "guardians.csv")},
    )
    page = browser.get(uploaded["Location"])
    assert "Sam Brown" in section(page, "adds")
    assert f" 7 Pat Carer No pupil with UPN {upn(99)} at this school." in section(page, "problems")
    assert 'name="invite"' in page.content.decode()
    assert not User.objects.filter(email="sam.brown@example.com").exists()

    browser.post(uploaded["Location"] + "apply/")

    sam = User.objects.get(email="sam.brown@example.com")
    assert sorted(sam.guardianships.values_list("pupil__first_name", flat=True)) == ["Isla", "Oliver"]
    assert not User.objects.filter(email="kate.lee@example.com").exists()


def test_a_contact_can_be_linked_by_the_pupils_mis_id_and_named_in_one_column(school, office, roll):
    export = to_csv(
        ["Adno", "Contact Name", "Contact Email", "Relationship"],
        [
            ["1003", "Mr Sam Brown", "sam.brown@example.com", "Dad"],
            ["1004", "Brown, Jo", "jo.brown@example.com", "Mum"],
        ],
    )

    import_file(school, "contacts", export, by=office)

    assert sorted(User.objects.filter(email__endswith="brown@example.com").values_list("first_name", "last_name")) == [
        ("Jo", "Brown"),
        ("Sam", "Brown"),
    ]
    assert links(school) == [
        ("jo.brown@example.com", "Isla", "mother", True),
        ("sam.brown@example.com", "Oliver", "father", True),
    ]
