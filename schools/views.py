from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from core import records
from core.forms import apply_validation_error
from core.roles import Cap
from core.tenancy import school_view
from core.uploads import IMAGE_KINDS, kind_of_file

from . import selectors, services
from .forms import AddParentForm, AddStaffForm, LeaverForm, RolesForm, SchoolSettingsForm
from .models import Membership
from .pickers import PupilPicker, StaffPicker

PAGE_SIZE = 50


def _page(request, rows):
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


def _searched(request, rows, kind):
    """The list narrowed by `?q=`, matched as the picker matches (core.picker): every
    word typed must match a first or last name (or, for people, an email)."""
    query = " ".join(request.GET.get("q", "").split())[:100]
    for term in query.split()[:5]:
        rows = kind.match(rows, term)
    return rows, {"q": query, "query": urlencode({"q": query}) if query else ""}


@school_view(Cap.VIEW_SCHOOL)
def school_home(request):
    school = request.school
    context = {}
    if request.access.can(Cap.VIEW_STAFF):
        context["staff_count"] = Membership.objects.filter(school=school).active().staff().count()
        context["invited_count"] = (
            Membership.objects.filter(school=school, status=Membership.Status.INVITED).staff().count()
        )
    if request.access.can(Cap.VIEW_PUPILS):
        # A teacher counts and sees only their own classes; the office the whole school.
        context["pupil_count"] = selectors.pupils_visible_to(request.access).count()
        context["classes"] = selectors.classes_with_counts_for(request.access)
        context["whole_school"] = selectors.sees_all_pupils(request.access)
    if request.access.can(Cap.VIEW_PARENTS):
        context["parent_count"] = Membership.objects.filter(school=school).active().parents().count()
    return render(request, "schools/school_home.html", context)


@school_view(Cap.VIEW_STAFF)
def staff_list(request):
    staff, search = _searched(request, selectors.staff_members(request.school), StaffPicker())
    return render(request, "schools/staff_list.html", {"page": _page(request, staff), **search})


@school_view(Cap.VIEW_PARENTS)
def parent_list(request):
    # Carers are memberships with a user, as staff are: the staff search's name match.
    parents, search = _searched(request, selectors.parent_members(request.school), StaffPicker())
    return render(request, "schools/parent_list.html", {"page": _page(request, parents), **search})


@school_view(Cap.VIEW_PUPILS)
def pupil_list(request):
    """The pupils the person may see: the whole school, or a teacher's own classes (a
    class they do not teach is not found)."""
    classes = list(selectors.classes_with_counts_for(request.access))
    chosen = None
    if request.GET.get("class"):
        chosen = next((c for c in classes if str(c.pk) == request.GET["class"]), None)
        if chosen is None:
            raise Http404("No such class.")
    pupils, search = _searched(request, selectors.pupils_for(request.access, school_class=chosen), PupilPicker())
    context = {
        "classes": classes,
        "chosen": chosen,
        "page": _page(request, pupils),
        "whole_school": selectors.sees_all_pupils(request.access),
        **search,
    }
    return render(request, "schools/pupil_list.html", context)


@school_view(Cap.VIEW_PUPILS)
def pupil_detail(request, pupil_id):
    """The pupil's whole record: each app adds the sections the viewer may see
    (core.records), in a fixed number of queries."""
    pupil = selectors.pupil_for(request.access, pupil_id)
    sections = records.render_sections(request, records.pupil_record(request, pupil), pupil=pupil)
    context = {"pupil": pupil, "show_upn": selectors.sees_all_pupils(request.access), "sections": sections}
    return render(request, "schools/pupil_detail.html", context)


def _carer_of(pupil, carer_id):
    """The pupil's guardianship of the carer given (by user id), or the first carer
    with parental responsibility; 404 for anyone else."""
    guardianships = sorted(pupil.guardianships.all(), key=lambda g: (not g.parental_responsibility, g.pk))
    if carer_id is None:
        if not guardianships:
            return None
        return guardianships[0]
    found = next((g for g in guardianships if str(g.carer_id) == carer_id), None)
    if found is None:
        raise Http404("No such carer.")
    return found


@school_view(Cap.VIEW_PARENTS)
def pupil_family(request, pupil_id):
    """What a carer of the pupil sees in their family view of the child, for staff who
    may see parents' records; each part only with the capability of its staff page."""
    pupil = selectors.pupil_for(request.access, pupil_id)
    guardianship = _carer_of(pupil, request.GET.get("carer"))
    viewer = records.FamilyViewer(request.access)
    sections = []
    if guardianship is not None:
        sections = records.family_record(viewer, guardianship)
        records.render_sections(request, sections, guardianship=guardianship, viewer=viewer)
    context = {
        "pupil": pupil,
        "guardianship": guardianship,
        "carers": sorted(pupil.guardianships.all(), key=lambda g: (not g.parental_responsibility, g.pk)),
        "sections": sections,
        "viewer": viewer,
    }
    return render(request, "schools/family_child.html", context)


@school_view(Cap.MANAGE_PEOPLE)
def staff_add(request):
    return _add_person(request, AddStaffForm(request.POST or None), kind="staff")


@school_view(Cap.MANAGE_PEOPLE)
def parent_add(request):
    return _add_person(request, AddParentForm(request.POST or None, school=request.school), kind="parent")


def _add_person(request, form, *, kind):
    """Both "add" pages: the form says who and with which roles; the service adds
    them (or gives a known person what they lack) and sends the invitation."""
    if request.method == "POST" and form.is_valid():
        try:
            membership = services.add_person(
                school=request.school,
                by=request.user,
                by_capabilities=request.access.capabilities,
                request=request,
                **form.person_details(),
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            verb = "invited" if form.cleaned_data["send_invitation"] else "added"
            messages.success(request, f"{membership.user.full_name} has been {verb}.")
            return redirect("schools:person", school_slug=request.school.slug, membership_id=membership.pk)
    return render(request, "schools/person_add.html", {"form": form, "kind": kind})


def _membership_for(request, membership_id):
    """A membership of this school the person may see: parents' records need the
    parents capability, everyone else's the staff one."""
    membership = selectors.membership_in_school(request.school, membership_id)
    if membership.is_parent_only and not request.access.can(Cap.VIEW_PARENTS):
        raise Http404("No such person.")
    return membership


@school_view(Cap.VIEW_STAFF)
def person_detail(request, membership_id):
    return _render_person(request, _membership_for(request, membership_id))


def _render_person(request, membership, roles_form=None, leaver_form=None, status=200):
    children = membership.user.guardianships.filter(pupil__school=request.school).select_related(
        "pupil", "pupil__school_class"
    )
    sections = records.render_sections(request, records.staff_record(request, membership), membership=membership)
    context = {
        "membership": membership,
        "children": children,
        "sections": sections,
        "roles_form": roles_form
        or RolesForm(initial={"roles": membership.role_codes}, parent=membership.is_parent_only),
        # No default date: one careless click must not end someone's access today.
        "leaver_form": leaver_form or LeaverForm(),
    }
    return render(request, "schools/person_detail.html", context, status=status)


@school_view(Cap.MANAGE_PEOPLE)
@require_POST
def person_roles(request, membership_id):
    membership = _membership_for(request, membership_id)
    form = RolesForm(request.POST, parent=membership.is_parent_only)
    if form.is_valid():
        # Roles this form does not offer (a teacher's parent role) stay as they are.
        offered = {code for code, _ in form.fields["roles"].choices}
        kept = [r for r in membership.role_codes if r not in offered]
        try:
            services.change_roles(
                membership=membership,
                roles=form.cleaned_data["roles"] + kept,
                by=request.user,
                by_capabilities=request.access.capabilities,
                request=request,
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, "Roles saved.")
            return redirect("schools:person", school_slug=request.school.slug, membership_id=membership.pk)
    return _render_person(request, membership, roles_form=form, status=400)


@school_view(Cap.MANAGE_PEOPLE)
@require_POST
def person_leaver(request, membership_id):
    membership = _membership_for(request, membership_id)
    form = LeaverForm(request.POST)
    if form.is_valid():
        try:
            services.mark_leaver(
                membership=membership,
                leaving_date=form.cleaned_data["leaving_date"],
                by=request.user,
                by_capabilities=request.access.capabilities,
                request=request,
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, f"{membership.user.full_name}'s leaving date is saved.")
            return redirect("schools:person", school_slug=request.school.slug, membership_id=membership.pk)
    return _render_person(request, membership, leaver_form=form, status=400)


@school_view(Cap.MANAGE_PEOPLE)
@require_POST
def person_invite(request, membership_id):
    membership = _membership_for(request, membership_id)
    try:
        services.invite(membership=membership, by=request.user, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"A new invitation is on its way to {membership.user.email}.")
    return redirect("schools:person", school_slug=request.school.slug, membership_id=membership.pk)


@login_required
def family(request):
    """A parent's own children, across every school where they are a parent."""
    return render(request, "schools/family.html", {"children": selectors.request_children(request)})


@login_required
def family_child(request, pupil_id):
    """Everything about one of the parent's own children, as the family sees it (the
    same page staff open from the pupil's record); another child is not found."""
    guardianship = selectors.children_of(request.user).filter(pupil_id=pupil_id).first()
    if guardianship is None:
        raise Http404("No such child.")
    viewer = records.FamilyViewer()
    sections = records.render_sections(
        request, records.family_record(viewer, guardianship), guardianship=guardianship, viewer=viewer
    )
    context = {"pupil": guardianship.pupil, "guardianship": guardianship, "sections": sections, "viewer": viewer}
    return render(request, "schools/family_child.html", context)


@school_view(Cap.MANAGE_SCHOOL_SETTINGS)
def school_settings(request):
    form = SchoolSettingsForm(request.POST or None, request.FILES or None, instance=request.school)
    if request.method == "POST" and form.is_valid():
        services.update_school_settings(form=form, by=request.user, request=request)
        messages.success(request, "Settings saved.")
        return redirect("schools:settings", school_slug=request.school.slug)
    return render(request, "schools/settings.html", {"form": form}, status=400 if form.errors else 200)


@school_view(Cap.VIEW_SCHOOL)
def school_logo(request):
    if not request.school.logo:
        raise Http404("No logo.")
    logo = request.school.logo.open("rb")
    # Served as what its bytes are, never by its name (logos saved before names were
    # made from the format kept the uploaded one, which could be "logo.svg").
    kind = kind_of_file(logo)
    if kind is None or kind[0] not in IMAGE_KINDS:
        logo.close()
        raise Http404("No logo.")
    response = FileResponse(logo, content_type=kind[0], filename=f"logo.{kind[1]}")
    response["X-Content-Type-Options"] = "nosniff"
    return response
