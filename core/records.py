"""The whole record of a person: each app adds its own section to a pupil's page, a
member of staff's page and a child's family view, without `schools` importing the apps.

An app registers a function with `@pupil_section(order=..)`, `@staff_section(order=..)`
or `@family_section(order=..)` (in its own records.py, imported by its AppConfig.ready()).
The function takes the request and the person and returns a `Section`, or None when the
viewer may not see it. Each section must ask for the same capability as the page it
links to, so that the record never shows what that page would refuse, and must read in
a fixed number of queries whatever the number of rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

_registries: dict[str, list] = {"pupil": [], "staff": [], "family": []}


@dataclass
class Section:
    """One part of a record: a heading, a template fragment and what it needs."""

    key: str  # the anchor on the page (#record-<key>)
    title: str
    template: str
    context: dict = field(default_factory=dict)
    # The line in the summary at the top ("3 agreements signed, 1 outstanding"): empty
    # for a section that has nothing to count.
    summary: str = ""
    # The page the section comes from, for "See all": (label, url), or None.
    link: tuple[str, str] | None = None
    # Something needs attention (an outstanding form, an open incident).
    attention: bool = False
    html: str = ""  # the rendered fragment (render_sections)

    @property
    def anchor(self) -> str:
        return f"record-{self.key}"


@dataclass(frozen=True)
class FamilyViewer:
    """Who looks at a child's family view: the carer themselves (`access` None), who
    sees everything about their own child, or a member of staff, who sees each part
    only if they hold the capability of the staff page it mirrors."""

    access: object | None = None  # core.tenancy.SchoolAccess for staff

    @property
    def is_staff(self) -> bool:
        return self.access is not None

    def can(self, capability: str) -> bool:
        return self.access is None or self.access.can(capability)


def _register(kind: str, order: int):
    def decorator(function):
        registry = _registries[kind]
        # Registered once, however often a module is imported (tests reload apps).
        if all(existing is not function for _, existing in registry):
            registry.append((order, function))
            registry.sort(key=lambda item: item[0])
        return function

    return decorator


def pupil_section(order: int):
    """Register `function(request, pupil) -> Section | None` for the pupil's page."""
    return _register("pupil", order)


def staff_section(order: int):
    """Register `function(request, membership) -> Section | None` for a staff page."""
    return _register("staff", order)


def family_section(order: int):
    """Register `function(viewer, guardianship) -> Section | None` for a child's family
    view (`viewer` a FamilyViewer; the guardianship names the carer and the child)."""
    return _register("family", order)


def _sections(kind: str, *args) -> list[Section]:
    found = []
    for _, function in _registries[kind]:
        section = function(*args)
        if section is not None:
            found.append(section)
    return found


def pupil_record(request, pupil) -> list[Section]:
    return _sections("pupil", request, pupil)


def staff_record(request, membership) -> list[Section]:
    return _sections("staff", request, membership)


def family_record(viewer: FamilyViewer, guardianship) -> list[Section]:
    return _sections("family", viewer, guardianship)


def render_sections(request, sections: list[Section], **context) -> list[Section]:
    """Render each section's fragment (into `section.html`) with `context` (the
    person the record is about) and the section's own context."""
    from django.template.loader import render_to_string

    for section in sections:
        section.html = render_to_string(
            section.template, {**context, **section.context, "section": section}, request=request
        )
    return sections
