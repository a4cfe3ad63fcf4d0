"""Every form in the portal, sent empty, shows the GOV.UK error summary: "There is a
problem" and a link for each message to the box it is about; and no Django default
shows ("This field is required.", "---------", a colon after a label).

The school pages are found by walking the URLconf (as the tenancy matrix does), opened
by someone whose role has the page's capability, and each form on the page that posts
is sent with its hidden fields and its button but every box left empty. A page added
later is covered without touching this file. Pages outside a school (the sign-in page,
/verify/, the family's and kiosks' forms) are listed by hand below.
"""

import io
import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from PIL import Image

from core.roles import Role
from tests.conftest import make_member
from tests.core.test_tenancy_matrix import ROUTES, build_path, objects_for, required_capability, role_with

# Routes whose forms, sent empty, must be refused with a summary (the walk below
# checks every route; these make sure it did find the forms that matter).
MUST_SHOW_A_SUMMARY = {
    "s/<slug:school_slug>/consent/events/<int:event_id>/",
    "s/<slug:school_slug>/consent/events/new/",
    "s/<slug:school_slug>/consent/posts/<int:post_id>/",
    "s/<slug:school_slug>/devices/<int:device_id>/dispose/",
    "s/<slug:school_slug>/devices/<int:device_id>/edit/",
    "s/<slug:school_slug>/devices/<int:device_id>/lost/",
    "s/<slug:school_slug>/devices/add/",
    "s/<slug:school_slug>/exemptions/<int:exemption_id>/",
    "s/<slug:school_slug>/exemptions/new/",
    "s/<slug:school_slug>/incidents/<int:incident_id>/",
    "s/<slug:school_slug>/incidents/report/",
    "s/<slug:school_slug>/loans/<int:loan_id>/sign/",
    "s/<slug:school_slug>/parents/add/",
    "s/<slug:school_slug>/people/<int:membership_id>/",
    "s/<slug:school_slug>/policies/new/",
    "s/<slug:school_slug>/policies/versions/<int:version_id>/",
    "s/<slug:school_slug>/policies/versions/<int:version_id>/forms/<slug:audience>/",
    "s/<slug:school_slug>/reminders/settings/",
    "s/<slug:school_slug>/settings/",
    "s/<slug:school_slug>/sign/<int:form_id>/",
    "s/<slug:school_slug>/staff/add/",
}


class Forms(HTMLParser):
    """The forms of a page: method, action, hidden fields, first submit button, and
    the boxes a person fills in (name, and whether a browser sends it when empty)."""

    def __init__(self):
        super().__init__()
        self.forms = []
        self.ids = set()
        self._form = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag == "form":
            self._form = {
                "method": (attrs.get("method") or "get").lower(),
                "action": attrs.get("action"),
                "hidden": [],
                "button": None,
                "boxes": [],
            }
            self.forms.append(self._form)
        elif self._form is not None and tag in ("input", "select", "textarea", "button"):
            kind = (attrs.get("type") or ("submit" if tag == "button" else "text")).lower()
            name = attrs.get("name")
            if kind == "hidden" and name:
                self._form["hidden"].append((name, attrs.get("value") or ""))
            elif kind == "submit":
                # A picker's no-JavaScript "Search" button (core.picker) looks people up
                # rather than sending the form: the walk presses the form's own button.
                if self._form["button"] is None and name != "picker_search":
                    self._form["button"] = (name, attrs.get("value") or "") if name else ("", "")
            elif name:
                # A browser sends an empty text box or drop-down as ""; an unticked box,
                # a file box or a list with nothing chosen not at all.
                sent = kind not in ("checkbox", "radio", "file") and not (tag == "select" and "multiple" in attrs)
                self._form["boxes"].append((name, sent))

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None


def parse(html):
    parser = Forms()
    parser.feed(html)
    return parser


def summary_links(html):
    summary = re.search(r'<div class="error-summary".*?</ul>', html, re.S)
    return re.findall(r'<a href="#([^"]+)"', summary.group(0)) if summary else None


def assert_no_django_defaults(html, where):
    assert "This field is required." not in html, f"{where}: Django's required message"
    assert ">---------<" not in html, f"{where}: an empty choice of dashes"
    assert not re.search(r":\s*</label>", html), f"{where}: a label ending with a colon"


def assert_errors_are_summarised(html, where):
    """Any error beside a field is also in a summary at the top, whose links each lead
    to a box on the page."""
    links = summary_links(html)
    has_field_error = 'class="errorlist error-message"' in html
    if has_field_error:
        assert links, f"{where}: an error beside a field but no linked error summary"
    if links is not None:
        assert "There is a problem" in html, where
        ids = parse(html).ids
        for target in links:
            assert target in ids, f"{where}: the summary links to #{target}, which is not on the page"
    return bool(links)


@pytest.fixture(autouse=True)
def _school_has_a_logo(school, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (29, 79, 145)).save(buffer, format="PNG")
    school.logo.save("logo.png", ContentFile(buffer.getvalue()))


def send_empty(client, page_url, form):
    data = {name: "" for name, sent in form["boxes"] if sent}
    data.update(form["hidden"])
    data.pop("csrfmiddlewaretoken", None)
    name, value = form["button"] or ("", "")
    if name:
        data[name] = value
    action = urljoin(page_url, form["action"] or page_url)
    return client.post(urlsplit(action).path, data)


@pytest.mark.parametrize("route", ROUTES)
def test_every_school_form_sent_empty_shows_a_summary_linking_to_its_boxes(route, school, client_for):
    path = build_path(route, school.slug, objects_for(route, school))
    client = client_for(make_member(school, role_with(required_capability(path))))
    page = client.get(path)
    if page.status_code != 200 or "text/html" not in page.get("Content-Type", ""):
        assert route not in MUST_SHOW_A_SUMMARY, f"GET {path} answered {page.status_code}"
        return
    html = page.content.decode()
    assert_no_django_defaults(html, f"GET {path}")
    summarised = False
    for form in parse(html).forms:
        if form["method"] != "post" or not form["boxes"]:
            continue
        if (form["action"] or "").startswith(("/accounts/", "/logout")):
            continue
        response = send_empty(client, path, form)
        if "text/html" not in response.get("Content-Type", "") or response.status_code not in (200, 400):
            continue  # accepted (a redirect), or not for this person: nothing to show
        where = f"POST {form['action'] or path} (from {path})"
        body = response.content.decode()
        assert_no_django_defaults(body, where)
        summarised |= assert_errors_are_summarised(body, where)
    if route in MUST_SHOW_A_SUMMARY:
        assert summarised, f"{path}: no form on the page showed an error summary when sent empty"


def test_the_walk_covers_the_forms_we_know_about():
    assert MUST_SHOW_A_SUMMARY <= set(ROUTES)


def test_the_sign_in_page_sent_empty_says_what_to_enter_in_a_summary(client, db):
    response = client.post(reverse("account_login"), {"login": "", "password": ""})
    html = response.content.decode()
    assert_no_django_defaults(html, "sign-in")
    assert assert_errors_are_summarised(html, "sign-in")
    assert summary_links(html) == ["id_login", "id_password"]
    assert "Enter the email" in html and "Enter the password" in html


def test_a_wrong_password_is_explained_without_allauths_and_or(client, teacher):
    response = client.post(reverse("account_login"), {"login": teacher.email, "password": "not the password"})
    html = response.content.decode()
    assert "and/or" not in html
    assert "The email address or password is not right. Check them and try again." in html
    assert "There is a problem" in html


def test_the_verify_page_sent_empty_links_to_the_code_box(client, db):
    response = client.post(reverse("verify:verify"), {"code": ""})
    html = response.content.decode()
    assert_no_django_defaults(html, "verify")
    assert assert_errors_are_summarised(html, "verify")


@pytest.mark.parametrize(
    ("url_name", "role", "data", "message"),
    [
        ("schools:person_leaver", Role.HEADTEACHER, {}, "Enter the last day at the school"),
        (
            "schools:person_leaver",
            Role.HEADTEACHER,
            {"leaving_date_day": "31", "leaving_date_month": "2"},
            "must include",
        ),
    ],
)
def test_a_date_in_error_links_to_its_day_box(url_name, role, data, message, school, teacher, client_for):
    from schools.models import Membership

    membership = Membership.objects.get(user=teacher, school=school)
    path = reverse(url_name, args=[school.slug, membership.pk])
    response = client_for(make_member(school, role)).post(path, data)
    html = response.content.decode()
    assert response.status_code == 400 and message in html
    assert summary_links(html) == ["id_leaving_date_day"]
    assert 'id="id_leaving_date_day"' in html


def test_allauths_title_case_headings_read_in_sentence_case(settings):
    """locale/en_GB overrides allauth's stock English for LANGUAGE_CODE en-gb."""
    from django.utils import translation

    assert settings.LANGUAGE_CODE == "en-gb"
    with translation.override("en-gb"):
        assert translation.gettext("Recovery Codes") == "Recovery codes"
        assert translation.gettext("Activate Authenticator App") == "Activate authenticator app"
        assert "and/or" not in translation.gettext("The email address and/or password you specified are not correct.")
