"""The site's menu, breadcrumbs and page title, rendered from core.navigation.

base.html uses three tags:
- `{% page_title %}{% block title %}…{% endblock %}{% endpage_title %}` renders the
  page's title once, sets `page_title` (the page alone) and `document_title`
  ("<page> · <school> · AUP Portal") for the rest of the layout;
- `{% site_menu %}` the school's, the trust's or a family's menu, with only the
  links the person's capabilities open;
- `{% breadcrumbs %}` Home › the menu item the page belongs to › this page. A deeper
  page overrides `{% block breadcrumbs %}` and passes the crumbs between Home and
  itself: a URL name of the menu (its label comes from the menu) or a label and a URL,
  e.g. `{% breadcrumbs "aup:policies" version.policy.title policy_url %}`.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

from core import navigation
from core.tenancy import request_is_carer

register = template.Library()

SITE = "AUP Portal"
SEPARATOR = " · "
FAMILY_NAMESPACES = ("family", "family_sign", "family_consent", "devices_family")


# --- the page's title -------------------------------------------------------------------


class PageTitleNode(template.Node):
    # Lets {% extends %} find the {% block title %} inside this tag.
    child_nodelists = ("nodelist",)

    def __init__(self, nodelist):
        self.nodelist = nodelist

    def render(self, context):
        rendered = " ".join(self.nodelist.render(context).split())
        owner = _owner_name(context)
        page = rendered
        if owner:
            # Many pages already end their title with the school's name: keep it once.
            suffix = SEPARATOR + str(conditional_escape(owner))
            if page.endswith(suffix):
                page = page[: -len(suffix)]
        owner_part = str(conditional_escape(owner)) if owner else ""
        if owner_part == page:
            owner_part = ""  # the school's own page: its name once
        parts = [p for p in (page, owner_part, SITE) if p]
        context["page_title"] = mark_safe(page)
        context["document_title"] = mark_safe(SEPARATOR.join(str(p) for p in parts))
        return ""


@register.tag("page_title")
def page_title(parser, token):
    nodelist = parser.parse(("endpage_title",))
    parser.delete_first_token()
    return PageTitleNode(nodelist)


def _owner_name(context) -> str:
    """The school (or trust) the page belongs to, named in the title."""
    school = context.get("current_school")
    if school is not None:
        return school.name
    request = context.get("request")
    trust = getattr(request, "trust", None) if request is not None else None
    return trust.name if trust is not None else ""


# --- the menu ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Link:
    label: str
    url: str
    current: bool


@dataclass(frozen=True)
class MenuGroup:
    label: str
    area: str | None
    key: str
    links: tuple[Link, ...]
    current: bool


@dataclass(frozen=True)
class Menu:
    label: str  # the <nav>'s accessible name
    kind: str  # "school", "trust" or "family"
    groups: tuple[MenuGroup, ...]


def _view_name(context) -> str:
    request = context.get("request")
    match = getattr(request, "resolver_match", None) if request is not None else None
    return (match.view_name or "") if match is not None else ""


def _is_carer(context) -> bool:
    """A parent or carer at any school (an active parent role): asked once a request."""
    request = context.get("request")
    user = context.get("user")
    if request is None or user is None or not user.is_authenticated:
        return False
    return request_is_carer(request)


def _menu_source(context):
    """(menu data, capabilities, URL kwargs, accessible name, kind) for this page, or None."""
    request = context.get("request")
    user = context.get("user")
    if request is None or user is None or not user.is_authenticated:
        return None
    school = context.get("current_school")
    caps = context.get("caps")
    if school is not None and caps:
        return navigation.SCHOOL_MENU, caps, {"school_slug": school.slug}, school.name, "school"
    home = context.get("home_access")  # core.views.home: a person of one school
    if home is not None:
        return navigation.SCHOOL_MENU, home.capabilities, {"school_slug": home.school.slug}, home.school.name, "school"
    trust = getattr(request, "trust", None)
    trust_caps = getattr(request, "trust_capabilities", None)
    if trust is not None and trust_caps:
        return navigation.TRUST_MENU, trust_caps, {"trust_slug": trust.slug}, trust.name, "trust"
    if _is_carer(context):
        return navigation.FAMILY_MENU, frozenset(), {}, "Your family", "family"
    return None


def _url(item, kwargs) -> str:
    return reverse(item.url_name, kwargs=kwargs)


def build_menu(context) -> Menu | None:
    source = _menu_source(context)
    if source is None:
        return None
    data, caps, kwargs, label, kind = source
    groups = []
    for shown in navigation.visible_menu(data, caps, _view_name(context)):
        links = tuple(Link(i.label, _url(i, kwargs), i == shown.current) for i in shown.items)
        groups.append(MenuGroup(shown.label, shown.area, shown.key, links, shown.current is not None))
    return Menu(label, kind, tuple(groups))


@register.inclusion_tag("core/_site_menu.html", takes_context=True)
def site_menu(context):
    return {"menu": build_menu(context), "desk_counts": context.get("desk_counts")}


@register.filter
def area_count(counts, area):
    """desk_counts.<area> for an area named in a variable; nothing when there are no counts."""
    if not counts or not area:
        return None
    if isinstance(counts, dict):
        return counts.get(area)
    return getattr(counts, area, None)


@register.simple_tag(takes_context=True)
def is_carer(context) -> bool:
    return _is_carer(context)


# --- breadcrumbs ------------------------------------------------------------------------


@register.inclusion_tag("core/_breadcrumbs.html", takes_context=True)
def breadcrumbs(context, *trail):
    """Home › [the crumbs given, or the menu item the page belongs to] › this page."""
    user = context.get("user")
    view_name = _view_name(context)
    if user is None or not user.is_authenticated or view_name in ("", "core:home", "core:root"):
        return {"crumbs": None}
    crumbs = [("Home", reverse("core:home"))]
    source = _menu_source(context)
    if trail:
        crumbs += _given_crumbs(trail, source)
    elif source is not None:
        data, caps, kwargs, _, _ = source
        item = navigation.current_item(data, caps, view_name)
        if item is not None and item.url_name != view_name:
            crumbs.append((item.label, _url(item, kwargs)))
    return {"crumbs": crumbs, "here": context.get("page_title", "")}


def _given_crumbs(trail, source):
    """A template's own crumbs: a URL name of the menu, or a label followed by a URL."""
    kwargs = source[2] if source else {}
    items = {
        i.url_name: i
        for menu in (navigation.SCHOOL_MENU, navigation.TRUST_MENU, navigation.FAMILY_MENU)
        for i in navigation.all_items(menu)
    }
    crumbs, rest = [], list(trail)
    while rest:
        head = rest.pop(0)
        if head in items:
            try:
                crumbs.append((items[head].label, _url(items[head], kwargs)))
            except NoReverseMatch:
                pass
        elif rest:
            crumbs.append((head, rest.pop(0)))
    return crumbs
