"""The site's menus as data: the school's, the trust's and a family's.

base.html renders them with the `site_menu` tag (core/templatetags/navigation.py), which
shows each person only the links their capabilities open, marks the current page, and
builds the breadcrumbs from the same data, so a new page belongs to a group by adding
its URL name here rather than by editing templates.

Core sits below the apps but only names their URLs (strings): it imports nothing of
theirs.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .roles import Cap


@dataclass(frozen=True)
class Item:
    """One link. `capability` None: everyone who may open the menu's pages sees it.
    `unless`: hidden from those who hold that capability (they get a fuller link).
    `matches`: other view names that belong to this item (for aria-current and the
    breadcrumbs); a name ending in "*" is a prefix."""

    label: str
    url_name: str
    capability: str | None = None
    matches: tuple[str, ...] = ()
    unless: str | None = None

    def visible_with(self, capabilities) -> bool:
        if self.capability is not None and self.capability not in capabilities:
            return False
        return not (self.unless and self.unless in capabilities)

    def match_strength(self, view_name: str) -> int:
        """2 for this item's own page or a named page of it, 1 for a prefix, 0 none."""
        if view_name == self.url_name or view_name in self.matches:
            return 2
        if any(m.endswith("*") and view_name.startswith(m[:-1]) for m in self.matches):
            return 1
        return 0


@dataclass(frozen=True)
class Group:
    """A heading of the menu. `area` is the key of the desk's counts
    (desk_counts.<area>); None for a group that never has anything waiting."""

    label: str
    items: tuple[Item, ...]
    area: str | None = None
    key: str = field(default="")


# --- the school's menu ------------------------------------------------------------------
# URL names are in the namespaces config/urls.py gives each app's school pages.

SCHOOL_MENU: tuple[Group, ...] = (
    Group("Overview", (Item("Overview", "schools:home", Cap.VIEW_SCHOOL, ("schools:logo",)),), key="overview"),
    Group(
        "People",
        (
            Item(
                "Staff",
                "schools:staff",
                Cap.VIEW_STAFF,
                ("schools:staff_add", "schools:person*", "agreements:person"),
            ),
            Item(
                "Pupils",
                "schools:pupils",
                Cap.VIEW_PUPILS,
                ("schools:pupil", "agreements:class_*", "consent:pupil"),
            ),
            Item("Parents and carers", "schools:parents", Cap.VIEW_PARENTS, ("schools:parent_add",)),
            Item("Import from the MIS", "schools:import_home", Cap.IMPORT_ROSTER, ("schools:import*",)),
        ),
        area="people",
        key="people",
    ),
    Group(
        "Agreements",
        (
            Item("Signed agreements", "agreements:compliance", Cap.VIEW_COMPLIANCE, ("agreements:compliance*",)),
            Item(
                "Policies",
                "aup:policies",
                Cap.MANAGE_POLICIES,
                (
                    "aup:polic*",
                    "aup:version*",
                    "aup:form_*",
                    "aup:change_add",
                    "aup:approve",
                    "aup:back_to_draft",
                    "aup:publish",
                ),
            ),
            Item("Exemptions", "aup:exemptions", Cap.MANAGE_POLICIES, ("aup:exemption", "aup:exemption_decide")),
            Item("Paper forms", "agreements:paper", Cap.MANAGE_PEOPLE, ("agreements:paper_scan",)),
            Item("Visitors", "agreements:visitors", Cap.MANAGE_PEOPLE, ("agreements:reception_*",)),
            Item("Reminders sent", "reminders:log", Cap.VIEW_COMPLIANCE),
            Item(
                "Your agreements",
                "agreements:mine",
                Cap.VIEW_SCHOOL,
                ("agreements:sign", "agreements:policy_document", "agreements:receipt", "agreements:pdf"),
            ),
            Item(
                "Your exemption requests",
                "aup:exemptions_mine",
                Cap.VIEW_SCHOOL,
                ("aup:exemption_new", "aup:exemption"),
            ),
        ),
        area="agreements",
        key="agreements",
    ),
    Group(
        "Consent",
        (
            Item(
                "Photo consent",
                "consent:dashboard",
                Cap.VIEW_CONSENT,
                (
                    "consent:check*",
                    "consent:class_sheet",
                    "consent:export",
                    "consent:editor",
                    "consent:start_draft",
                    "consent:publish",
                    "consent:ask_to_confirm",
                    "consent:record_pdf",
                ),
            ),
            Item("Posts to approve", "consent:post_queue", Cap.APPROVE_POSTS),
            Item("Posts", "consent:posts", Cap.PLAN_POSTS, ("consent:post*",)),
            Item("Events", "consent:events", Cap.VIEW_CONSENT, ("consent:event*",)),
            Item("Phone requests", "consent:phone_requests", Cap.DECIDE_PHONES, ("consent:phone_*",)),
            Item("Phones", "consent:phones", Cap.VIEW_PHONES, ("consent:phones_print",)),
        ),
        area="consent",
        key="consent",
    ),
    Group(
        "Equipment",
        (
            Item("Equipment register", "devices:register", Cap.VIEW_DEVICES, ("devices:*",)),
            Item("Overdue", "devices:overdue", Cap.VIEW_DEVICES),
            Item("Lend a device", "devices:lend", Cap.MANAGE_DEVICES),
            Item(
                "My equipment",
                "devices:mine",
                None,
                ("devices:loan", "devices:sign", "devices:lost", "devices:loan_pdf"),
                unless=Cap.VIEW_DEVICES,
            ),
        ),
        area="equipment",
        key="equipment",
    ),
    Group(
        "Incidents",
        (
            Item(
                "Incident log",
                "incidents:log",
                Cap.VIEW_INCIDENT_LOG,
                # Named as well as by prefix: an incident's page is the log's (it comes
                # first), not "Your reports", for those who keep the log.
                ("incidents:detail", "incidents:evidence", "incidents:*"),
            ),
            Item("Awaiting review", "incidents:review", Cap.REVIEW_INCIDENTS),
            Item("E-safety summary", "incidents:summary", Cap.VIEW_INCIDENT_SUMMARY, ("incidents:summary_pdf",)),
            Item("Report an e-safety incident", "incidents:report", Cap.REPORT_INCIDENT, ("incidents:add_to_report",)),
            Item("Your reports", "incidents:mine", Cap.REPORT_INCIDENT, ("incidents:detail", "incidents:evidence")),
        ),
        area="incidents",
        key="incidents",
    ),
    Group(
        "Settings",
        (
            Item("School settings", "schools:settings", Cap.MANAGE_SCHOOL_SETTINGS),
            Item("Reminder settings", "reminders:settings", Cap.MANAGE_SCHOOL_SETTINGS),
            Item("Audit log", "audit:log", Cap.VIEW_AUDIT_LOG),
            Item("Retention schedule", "retention:schedule", Cap.VIEW_RETENTION),
            Item("Legal holds", "retention:holds", Cap.MANAGE_LEGAL_HOLDS, ("retention:hold_lift",)),
            Item("Data protection", "privacy:home", Cap.HANDLE_SUBJECT_ACCESS, ("privacy:request*", "privacy:export*")),
            Item("Privacy notice", "privacy:notice_edit", Cap.MANAGE_SCHOOL_SETTINGS),
        ),
        area="settings",
        key="settings",
    ),
)

# --- the trust's menu (pages under /t/<trust_slug>/, capabilities from trust_view) ------

TRUST_MENU: tuple[Group, ...] = (
    Group("Trust overview", (Item("Trust overview", "aup_trust:home", Cap.MANAGE_POLICIES),), key="trust-home"),
    Group(
        "Trust policies",
        (Item("Trust policies", "aup_trust:policies", Cap.MANAGE_POLICIES, ("aup_trust:*",)),),
        key="trust-policies",
    ),
    Group(
        "Signed agreements",
        (Item("Signed agreements", "agreements_trust:compliance", Cap.VIEW_COMPLIANCE),),
        key="trust-compliance",
    ),
    Group(
        "Data protection",
        (
            Item("Retention schedule", "retention_trust:schedule", Cap.MANAGE_RETENTION, ("retention_trust:rule",)),
            Item("Records to review", "retention_trust:review", Cap.MANAGE_RETENTION),
            Item("Destruction log", "retention_trust:log", Cap.MANAGE_RETENTION),
        ),
        key="trust-retention",
    ),
)

# --- a family's menu (/family/: a parent or carer, whatever else they are) ---------------
# Their signed forms' receipts are listed under each child on "Your children".

FAMILY_MENU: tuple[Group, ...] = (
    Group(
        "Your children",
        (
            Item(
                "Your children",
                "family:home",
                None,
                ("family_sign:*", "devices_family:*"),
            ),
        ),
        key="family-home",
    ),
    Group(
        "Photo consent",
        (
            Item(
                "Photo consent",
                "family_consent:home",
                None,
                ("family_consent:answer", "family_consent:receipt", "family_consent:pdf"),
            ),
        ),
        key="family-consent",
    ),
    Group(
        "Mobile phones",
        (Item("Mobile phones", "family_consent:phones", None, ("family_consent:phone_*",)),),
        key="family-phones",
    ),
)

# --- the account's own pages (the menu under the person's name) ---------------------------

ACCOUNT_PAGES = (
    "account_change_password",
    "account_set_password",
    "account_email",
    "mfa_*",
    "usersessions_list",
    "reminder_prefs:preferences",
)


@dataclass(frozen=True)
class ShownGroup:
    """A group as one person sees it: only the items they may open."""

    group: Group
    items: tuple[Item, ...]
    current: Item | None

    @property
    def label(self) -> str:
        return self.group.label

    @property
    def area(self) -> str | None:
        return self.group.area

    @property
    def key(self) -> str:
        return self.group.key

    @property
    def single(self) -> Item | None:
        """The one link of a group that shows only one: it is shown as that link."""
        return self.items[0] if len(self.items) == 1 else None


def visible_menu(menu: tuple[Group, ...], capabilities, view_name: str) -> list[ShownGroup]:
    """The groups of `menu` with at least one item the person may open, each with its
    visible items, and the one item (in the whole menu) the current page belongs to."""
    current = current_item(menu, capabilities, view_name)
    shown = []
    for group in menu:
        items = tuple(item for item in group.items if item.visible_with(capabilities))
        if items:
            shown.append(ShownGroup(group, items, current if current in items else None))
    return shown


def current_item(menu: tuple[Group, ...], capabilities, view_name: str) -> Item | None:
    """The visible item the page `view_name` belongs to: its own page or a named page
    of it first, then the first item whose prefix matches."""
    if not view_name:
        return None
    best, best_strength = None, 0
    for group in menu:
        for item in group.items:
            if not item.visible_with(capabilities):
                continue
            strength = item.match_strength(view_name)
            if strength > best_strength:
                best, best_strength = item, strength
    return best


def is_account_page(view_name: str) -> bool:
    return any(view_name == p or (p.endswith("*") and view_name.startswith(p[:-1])) for p in ACCOUNT_PAGES)


def all_items(menu: tuple[Group, ...]):
    return [item for group in menu for item in group.items]
