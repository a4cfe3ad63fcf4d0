"""The site menu, breadcrumbs and page titles (core/navigation.py, rendered by the
`site_menu`, `breadcrumbs` and `page_title` tags in base.html).

Each role's menu holds exactly the links its capabilities open, and every one of them
opens (no link to a page that answers 404); the current page and its group are marked;
every page says where it is in its breadcrumbs and its title."""

import re
from html import unescape

import pytest
from django.urls import reverse

from aup import services as aup_services
from aup.models import Audience
from core import navigation
from core.roles import Role, capabilities_for

from ..conftest import make_member
from ..devices.conftest import make_device
from ..incidents.conftest import report

ROLES = [
    Role.HEADTEACHER,
    Role.DEPUTY,
    Role.DSL,
    Role.ESAFETY_LEAD,
    Role.ICT_MANAGER,
    Role.BUSINESS_MANAGER,
    Role.OFFICE,
    Role.TEACHER,
    Role.SUPPORT_STAFF,
    Role.GOVERNOR,
    Role.VOLUNTEER,
    Role.TRUST_OFFICER,
]


def html(response) -> str:
    return response.content.decode()


def site_nav(page: str) -> str:
    match = re.search(r'<nav class="school-nav site-nav[^"]*".*?</nav>', page, re.S)
    return match.group(0) if match else ""


def nav_links(page: str) -> list[str]:
    return re.findall(r'<a[^>]*? href="([^"]+)"', site_nav(page))


def current_link(page: str) -> tuple[str, str] | None:
    found = re.findall(r'<a aria-current="page"[^>]*? href="([^"]+)">([^<]+)</a>', site_nav(page))
    assert len(found) <= 1, found
    return found[0] if found else None


def crumbs(page: str) -> list[str]:
    match = re.search(r'<nav class="breadcrumbs" aria-label="Breadcrumb">(.*?)</nav>', page, re.S)
    if not match:
        return []
    return [unescape(re.sub(r"<[^>]+>", "", li)).strip() for li in re.findall(r"<li[^>]*>(.*?)</li>", match.group(1))]


def title(page: str) -> str:
    return unescape(re.search(r"<title>(.*?)</title>", page, re.S).group(1))


def expected_links(capabilities, school) -> list[str]:
    return [
        reverse(item.url_name, kwargs={"school_slug": school.slug})
        for item in navigation.all_items(navigation.SCHOOL_MENU)
        if item.visible_with(capabilities)
    ]


def member(role, school, trust):
    if role == Role.TRUST_OFFICER:
        from ..conftest import give_mfa
        from ..factories import TrustMembershipFactory

        user = TrustMembershipFactory(trust=trust).user
        give_mfa(user)
        return user
    return make_member(school, role)


# --- each role's menu -----------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_each_roles_menu_shows_exactly_what_its_capabilities_open_and_every_link_opens(role, school, trust, client_for):
    user = member(role, school, trust)
    browser = client_for(user)
    page = html(browser.get(f"/s/{school.slug}/"))
    links = nav_links(page)

    assert links == expected_links(capabilities_for({role}), school)
    for link in links:
        response = browser.get(link)
        assert response.status_code == 200, f"{role}: {link} answered {response.status_code}"


def test_the_head_has_seven_groups_and_the_teacher_few(school, head, teacher, client_for):
    head_menu = site_nav(html(client_for(head).get(f"/s/{school.slug}/")))
    groups = re.findall(r'data-nav-group="([^"]+)"', head_menu)
    assert groups == ["people", "agreements", "consent", "equipment", "incidents", "settings"]

    teacher_menu = site_nav(html(client_for(teacher).get(f"/s/{school.slug}/")))
    assert "Audit log" not in teacher_menu and "Staff<" not in teacher_menu
    assert ">My equipment<" in teacher_menu and ">Report an e-safety incident<" in teacher_menu
    assert f'href="/s/{school.slug}/devices/"' not in teacher_menu


def test_every_link_of_every_menu_resolves():
    for menu, kwargs in [
        (navigation.SCHOOL_MENU, {"school_slug": "x"}),
        (navigation.TRUST_MENU, {"trust_slug": "x"}),
        (navigation.FAMILY_MENU, {}),
    ]:
        for item in navigation.all_items(menu):
            assert reverse(item.url_name, kwargs=kwargs)


def test_the_current_page_and_its_group_are_marked(school, head, client_for):
    page = html(client_for(head).get(f"/s/{school.slug}/pupils/"))
    menu = site_nav(page)
    assert menu.count('aria-current="page"') == 1
    assert f'<a aria-current="page" href="/s/{school.slug}/pupils/">Pupils</a>' in menu
    people = re.search(r'<details class="nav-group" name="site-menu" data-nav-group="people">.*?</details>', menu, re.S)
    assert '<summary class="nav-group__label" aria-current="true">People' in people.group(0)
    assert menu.count('aria-current="true"') == 1


def test_an_incidents_page_belongs_to_the_log_for_the_head_and_to_their_reports_for_the_reporter(
    school, head, teacher, pupil, client_for
):
    incident = report(school, teacher)
    path = f"/s/{school.slug}/incidents/{incident.pk}/"
    head_page = html(client_for(head).get(path))
    assert crumbs(head_page)[:2] == ["Home", "Incident log"]
    assert f'<a aria-current="page" href="/s/{school.slug}/incidents/">Incident log</a>' in site_nav(head_page)

    teacher_page = html(client_for(teacher).get(path))
    assert crumbs(teacher_page)[:2] == ["Home", "Your reports"]


def test_a_teacher_on_a_loan_of_theirs_is_in_my_equipment(school, teacher, head, client_for):
    page = html(client_for(teacher).get(f"/s/{school.slug}/my-equipment/"))
    assert current_link(page) == (f"/s/{school.slug}/my-equipment/", "My equipment")


def test_the_counts_show_beside_their_area_and_nothing_without_counts(school, head, client_for, rf):
    from django.template import Context, Template

    template = Template('{% include "core/_nav_count.html" with n=desk_counts.incidents %}')
    assert template.render(Context({})) == ""
    assert template.render(Context({"desk_counts": {"incidents": 0}})) == ""
    shown = template.render(Context({"desk_counts": {"incidents": 2}}))
    assert re.sub(r"<[^>]+>", "", shown) == ", 2 waiting"
    page = html(client_for(head).get(f"/s/{school.slug}/"))
    assert "nav-count" not in page


# --- breadcrumbs and titles -------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "trail"),
    [
        ("staff/", ["Home"]),
        ("staff/add/", ["Home", "Staff"]),
        ("pupils/", ["Home"]),
        ("compliance/", ["Home"]),
        ("policies/new/", ["Home", "Policies"]),
        ("consent/check/", ["Home", "Photo consent"]),
        ("consent/posts/new/", ["Home", "Posts"]),
        ("devices/add/", ["Home", "Equipment register"]),
        ("incidents/report/", ["Home"]),
        ("reminders/settings/", ["Home"]),
        ("audit/", ["Home"]),
    ],
)
def test_school_pages_have_breadcrumbs_from_the_menu_and_a_title_naming_the_school(
    path, trail, school, head, client_for
):
    page = html(client_for(head).get(f"/s/{school.slug}/{path}"))
    found = crumbs(page)
    assert found[:-1] == trail, found
    assert found[-1] and found[-1] != "Home"
    assert title(page) == f"{found[-1]} · {school.name} · AUP Portal"


def test_a_pupils_page_leads_back_to_pupils(school, head, pupil, client_for):
    page = html(client_for(head).get(f"/s/{school.slug}/pupils/{pupil.pk}/"))
    assert crumbs(page)[:2] == ["Home", "Pupils"]
    assert title(page).endswith(f" · {school.name} · AUP Portal")


def test_a_devices_page_leads_back_to_the_register(school, head, client_for):
    device = make_device(school)
    page = html(client_for(head).get(f"/s/{school.slug}/devices/{device.pk}/"))
    assert crumbs(page)[:2] == ["Home", "Equipment register"]


def test_a_policy_version_leads_back_to_its_policy(school, head, client_for, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    version = aup_services.create_policy(
        school=school, title="ICT acceptable use", kind="ict_aup", audiences=[Audience.STAFF], by=head
    )
    page = html(client_for(head).get(f"/s/{school.slug}/policies/versions/{version.pk}/"))
    assert crumbs(page)[:3] == ["Home", "Policies", "ICT acceptable use"]


def test_the_home_page_has_no_breadcrumbs(head, client_for):
    page = html(client_for(head).get("/home/"))
    assert crumbs(page) == []
    assert title(page).endswith(" · AUP Portal")


def test_account_pages_lead_home(head, client_for):
    page = html(client_for(head).get(reverse("reminder_prefs:preferences")))
    assert crumbs(page)[0] == "Home"
    assert title(page).endswith(" · AUP Portal")


# --- families --------------------------------------------------------------------------


def test_a_parent_gets_a_small_family_menu_and_crumbs(parent, pupil, client_for):
    browser = client_for(parent)
    page = html(browser.get("/family/consent/"))
    links = nav_links(page)
    assert links == ["/family/", "/family/consent/", "/family/phones/"]
    for link in links:
        assert browser.get(link).status_code == 200
    assert current_link(page) == ("/family/consent/", "Photo consent")
    assert crumbs(page)[0] == "Home"

    answer = html(browser.get(f"/family/consent/children/{pupil.pk}/"))
    assert crumbs(answer)[:2] == ["Home", "Photo consent"]
    assert "/s/" not in site_nav(answer)


def test_staff_who_are_parents_get_a_link_to_their_family_pages(school, teacher, pupil, client_for):
    from schools.models import Guardianship, Membership, MembershipRole

    membership = Membership.objects.get(user=teacher, school=school)
    MembershipRole.objects.create(membership=membership, role=Role.PARENT)
    Guardianship.objects.create(pupil=pupil, carer=teacher, relationship="father")

    page = html(client_for(teacher).get(f"/s/{school.slug}/"))
    assert '<a href="/family/">Your children</a>' in page


def test_staff_who_are_not_parents_get_no_family_link(school, teacher, client_for):
    page = html(client_for(teacher).get(f"/s/{school.slug}/"))
    assert 'href="/family/"' not in page


# --- the trust's menu -------------------------------------------------------------------


def test_a_trust_officer_gets_the_trusts_menu_on_trust_pages(trust, trust_officer, client_for):
    browser = client_for(trust_officer)
    page = html(browser.get(f"/t/{trust.slug}/policies/"))
    links = nav_links(page)
    assert links == [
        f"/t/{trust.slug}/",
        f"/t/{trust.slug}/policies/",
        f"/t/{trust.slug}/compliance/",
        f"/t/{trust.slug}/retention/",
        f"/t/{trust.slug}/retention/review/",
        f"/t/{trust.slug}/retention/destroyed/",
    ]
    for link in links:
        assert browser.get(link).status_code == 200
    assert title(page) == f"{crumbs(page)[-1]} · {trust.name} · AUP Portal"


def test_the_menu_shows_the_number_waiting_beside_its_area_only(rf, school, head):
    from django.template import Context, Template
    from django.urls import resolve

    request = rf.get(f"/s/{school.slug}/")
    request.user = head
    request.resolver_match = resolve(request.path)
    context = Context(
        {
            "request": request,
            "user": head,
            "current_school": school,
            "caps": capabilities_for({Role.HEADTEACHER}),
            "desk_counts": {"incidents": 2, "people": 0},
        }
    )
    menu = Template("{% load navigation %}{% site_menu %}").render(context)
    incidents = re.search(r'data-nav-group="incidents">(.*?)</summary>', menu, re.S).group(1)
    assert re.sub(r"<[^>]+>", "", incidents).strip() == "Incidents, 2 waiting"
    assert menu.count("nav-count") == 1
