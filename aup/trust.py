"""A trust's own policy pages (/t/<trust_slug>/...): the trust writes, approves and
publishes a policy once, and publishing gives every school of the trust its copy.

The same templates as the school's policy pages ({% policy_url %} points their links
here); each view is guarded by core.tenancy.trust_view, and every object fetched by
id is filtered by request.trust (404 otherwise)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from core.forms import apply_validation_error
from core.roles import Cap
from core.tenancy import trust_view

from . import services
from .forms import AgreementFormForm, ApproveForm, ChangeForm, PolicyCreateForm, VersionForm
from .models import AgreementForm, Audience, Policy, PolicyVersion, Statement, VersionStatus
from .starter_forms import STARTER_FORMS
from .views import _previous_published


def _policy(request, policy_id) -> Policy:
    return get_object_or_404(Policy.objects.select_related("trust"), trust=request.trust, pk=policy_id)


def _version(request, version_id) -> PolicyVersion:
    return get_object_or_404(
        PolicyVersion.objects.select_related("policy__trust", "responsible"),
        policy__trust=request.trust,
        pk=version_id,
    )


def _to_version(request, version):
    return redirect("aup_trust:version", trust_slug=request.trust.slug, version_id=version.pk)


def _schools(request):
    return list(request.trust.schools.order_by("name"))


@trust_view(Cap.MANAGE_POLICIES)
def home(request):
    """The trust's page: its schools, and where to manage the trust's policies."""
    schools = request.trust.schools.order_by("name").annotate(
        trust_policies=Count("policies", filter=Q(policies__adopted_from__isnull=False))
    )
    policies = Policy.objects.filter(trust=request.trust).count()
    return render(request, "aup/trust_home.html", {"schools": schools, "policy_count": policies})


@trust_view(Cap.MANAGE_POLICIES)
def policy_list(request):
    policies = Policy.objects.filter(trust=request.trust).prefetch_related(
        Prefetch("versions", queryset=PolicyVersion.objects.order_by("-number"))
    )
    rows = []
    for policy in policies:
        versions = list(policy.versions.all())
        published = next((v for v in versions if v.status == VersionStatus.PUBLISHED), None)
        rows.append({"policy": policy, "published": published, "latest": versions[0] if versions else None})
    return render(request, "aup/policy_list.html", {"rows": rows})


@trust_view(Cap.MANAGE_POLICIES)
def policy_create(request):
    form = PolicyCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            version = services.create_policy(
                trust=request.trust,
                title=form.cleaned_data["title"],
                kind=form.cleaned_data["kind"],
                audiences=form.cleaned_data["audiences"],
                by=request.user,
                request=request,
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, f"{version.policy.title} is created as a draft. Check its forms before approval.")
            return _to_version(request, version)
    return render(request, "aup/policy_create.html", {"form": form}, status=400 if form.errors else 200)


@trust_view(Cap.MANAGE_POLICIES)
def policy_detail(request, policy_id):
    policy = _policy(request, policy_id)
    versions = policy.versions.order_by("-number").select_related("published_by")
    latest = versions.first()
    copies = {
        v.policy.school_id: v
        for v in PolicyVersion.objects.filter(
            policy__adopted_from=policy, status=VersionStatus.PUBLISHED
        ).select_related("policy", "copied_from")
    }
    school_rows = [{"school": school, "version": copies.get(school.pk)} for school in _schools(request)]
    return render(
        request,
        "aup/policy_detail.html",
        {
            "policy": policy,
            "versions": versions,
            "can_start_new": latest is not None
            and latest.status in (VersionStatus.PUBLISHED, VersionStatus.SUPERSEDED),
            "school_rows": school_rows,
        },
    )


@trust_view(Cap.MANAGE_POLICIES)
@require_POST
def version_start(request, policy_id):
    policy = _policy(request, policy_id)
    try:
        version = services.start_new_version(policy=policy, by=request.user, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("aup_trust:policy", trust_slug=request.trust.slug, policy_id=policy.pk)
    messages.success(request, f"Version {version.number} is a new draft, copied from version {version.number - 1}.")
    return _to_version(request, version)


def _render_version(request, version, *, version_form=None, change_form=None, approve_form=None, status=200):
    order = {audience: i for i, audience in enumerate(Audience.values)}
    forms = sorted(
        version.forms.prefetch_related(Prefetch("statements", queryset=Statement.objects.order_by("number"))),
        key=lambda f: order[f.audience],
    )
    previous = _previous_published(version)
    old_forms = {f.audience: f for f in previous.forms.all()} if previous else {}
    form_rows = [
        {
            "form": form,
            "new_text": form.canonical_text(),
            "old_text": old_forms[form.audience].canonical_text() if form.audience in old_forms else "",
        }
        for form in forms
    ]
    present = {f.audience for f in forms}
    editable = version.is_editable
    context = {
        "version": version,
        "policy": version.policy,
        "previous": previous,
        "form_rows": form_rows,
        "missing_audiences": [(a.value, a.label) for a in Audience if a.value not in present] if editable else [],
        "changes": version.change_log.all(),
        "is_latest": not version.policy.versions.filter(number__gt=version.number).exists(),
        "trust_schools": _schools(request),
        "copies": version.school_copies.select_related("policy__school").order_by("policy__school__name"),
    }
    if editable:
        context["version_form"] = version_form or VersionForm(
            initial=VersionForm.initial_for(version), trust=request.trust
        )
        context["change_form"] = change_form or ChangeForm()
        context["approve_form"] = approve_form or ApproveForm(for_trust=True)
    return render(request, "aup/version_detail.html", context, status=status)


@trust_view(Cap.MANAGE_POLICIES)
def version_detail(request, version_id):
    version = _version(request, version_id)
    if request.method != "POST":
        return _render_version(request, version)
    if not version.is_editable:
        messages.error(request, "This version can't be changed. Start a new version to make changes.")
        return _to_version(request, version)
    form = VersionForm(request.POST, request.FILES, trust=request.trust)
    if form.is_valid():
        try:
            services.update_version(version=version, by=request.user, request=request, **form.version_fields())
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, "The version's details are saved.")
            return _to_version(request, version)
    version.refresh_from_db()
    return _render_version(request, version, version_form=form, status=400)


@trust_view(Cap.MANAGE_POLICIES)
def version_document(request, version_id):
    version = _version(request, version_id)
    if not version.document:
        raise Http404("This version has no document.")
    name = version.document_name or version.document.name.rsplit("/", 1)[-1]
    return FileResponse(version.document.open("rb"), as_attachment=True, filename=name)


@trust_view(Cap.MANAGE_POLICIES)
def form_edit(request, version_id, audience):
    version = _version(request, version_id)
    if audience not in Audience.values:
        raise Http404("No such audience.")
    existing = AgreementForm.objects.filter(version=version, audience=audience).first()
    if not version.is_editable:
        messages.error(request, "This version can't be changed. Start a new version to change its forms.")
        return _to_version(request, version)
    if request.method == "POST":
        form = AgreementFormForm(request.POST, audience=audience)
        if form.is_valid():
            try:
                services.save_form(version=version, audience=audience, by=request.user, **form.form_fields())
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                messages.success(request, f"The form for {Audience(audience).label.lower()} is saved.")
                return _to_version(request, version)
    elif existing:
        form = AgreementFormForm(initial=AgreementFormForm.initial_for(existing), audience=audience)
    else:
        title, intro, statements = STARTER_FORMS[audience]
        initial = {"title": title, "intro": intro, "statements": "\n\n".join(statements)}
        initial["every_academic_year"] = audience in (Audience.KS2, Audience.EYFS_KS1)
        form = AgreementFormForm(initial=initial, audience=audience)
    context = {
        "version": version,
        "policy": version.policy,
        "form": form,
        "audience_label": Audience(audience).label,
        "existing": existing,
    }
    return render(request, "aup/form_edit.html", context, status=400 if form.errors else 200)


@trust_view(Cap.MANAGE_POLICIES)
def form_remove(request, version_id, audience):
    """GET asks for confirmation; POST removes the draft's form for the audience."""
    version = _version(request, version_id)
    form = get_object_or_404(AgreementForm, version=version, audience=audience)
    if request.method != "POST":
        if not version.is_editable:
            messages.error(request, "This version can't be changed. Start a new version to change its forms.")
            return _to_version(request, version)
        return render(request, "aup/form_remove.html", {"version": version, "policy": version.policy, "form": form})
    try:
        services.remove_form(form=form, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"The form for {form.get_audience_display().lower()} is removed.")
    return _to_version(request, version)


@trust_view(Cap.MANAGE_POLICIES)
@require_POST
def change_add(request, version_id):
    version = _version(request, version_id)
    form = ChangeForm(request.POST)
    if form.is_valid():
        try:
            services.add_change(version=version, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, "The change is added to the log.")
            return _to_version(request, version)
    if not version.is_editable:
        return _to_version(request, version)
    return _render_version(request, version, change_form=form, status=400)


@trust_view(Cap.MANAGE_POLICIES)
@require_POST
def version_approve(request, version_id):
    version = _version(request, version_id)
    form = ApproveForm(request.POST, for_trust=True)
    if form.is_valid():
        try:
            services.approve(version=version, by=request.user, request=request, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, f"The trust board's approval of version {version.number} is recorded.")
            return _to_version(request, version)
    if not version.is_editable:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return _to_version(request, version)
    return _render_version(request, version, approve_form=form, status=400)


@trust_view(Cap.MANAGE_POLICIES)
@require_POST
def version_back_to_draft(request, version_id):
    version = _version(request, version_id)
    try:
        services.back_to_draft(version=version, by=request.user, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Version {version.number} is a draft again. Its approval will need recording again.")
    return _to_version(request, version)


@trust_view(Cap.MANAGE_POLICIES)
def version_publish(request, version_id):
    """GET asks for confirmation, naming every school that gets the copy; POST
    publishes the trust's version and its copy at each school."""
    version = _version(request, version_id)
    if version.status != VersionStatus.APPROVED:
        messages.error(request, "Only an approved version can be published. Record the trust board's approval first.")
        return _to_version(request, version)
    schools = _schools(request)
    if request.method == "POST":
        try:
            services.publish_for_trust(version=version, by=request.user, request=request)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                f"Version {version.number} is published at {len(schools)} school{'s' if len(schools) != 1 else ''}. "
                "People there now sign its forms.",
            )
        return _to_version(request, version)
    current = version.policy.versions.filter(status=VersionStatus.PUBLISHED).first()
    return render(
        request,
        "aup/publish_confirm.html",
        {
            "version": version,
            "policy": version.policy,
            "current": current,
            "forms": version.forms.all(),
            "schools": schools,
        },
    )
