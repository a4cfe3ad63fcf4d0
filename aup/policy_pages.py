"""The policy pages, written once for both places policies are kept: a school's own
policies (aup/views.py, /s/<school>/policies/) and a trust's (aup/trust.py,
/t/<trust>/policies/). Each page takes a `Scope` that says whose policies they are;
the two modules only add their gate (school_view or trust_view) and the few things
that differ (a trust's publishing copies the version to every school).

Every object fetched by id is filtered by the scope's owner: another school's or
another trust's version is a 404."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from core.forms import apply_validation_error

from . import checklist, services
from .forms import AgreementFormForm, ApproveForm, ChangeForm, PolicyCreateForm, VersionForm, format_statements
from .models import AgreementForm, Audience, Policy, PolicyVersion, Statement, VersionStatus
from .starter_forms import STARTER_FORMS


@dataclass(frozen=True)
class Scope:
    """Whose policies the pages show: the request's school, or the request's trust."""

    owner_field: str  # "school" or "trust": the Policy field and the request attribute
    namespace: str  # the URL namespace of the pages
    approving_body: str  # who approves a version, in messages

    def owner(self, request):
        return getattr(request, self.owner_field)

    def url_kwargs(self, request) -> dict:
        return {f"{self.owner_field}_slug": self.owner(request).slug}

    def redirect(self, request, name: str, **kwargs):
        return redirect(f"{self.namespace}:{name}", **self.url_kwargs(request), **kwargs)

    @property
    def for_trust(self) -> bool:
        return self.owner_field == "trust"


SCHOOL = Scope(owner_field="school", namespace="aup", approving_body="governing body")
TRUST = Scope(owner_field="trust", namespace="aup_trust", approving_body="trust board")


def get_policy(scope, request, policy_id) -> Policy:
    return get_object_or_404(
        Policy.objects.select_related(scope.owner_field), **{scope.owner_field: scope.owner(request)}, pk=policy_id
    )


def get_version(scope, request, version_id) -> PolicyVersion:
    return get_object_or_404(
        PolicyVersion.objects.select_related(f"policy__{scope.owner_field}", "responsible"),
        **{f"policy__{scope.owner_field}": scope.owner(request)},
        pk=version_id,
    )


def to_version(scope, request, version):
    return scope.redirect(request, "version", version_id=version.pk)


def previous_published(version):
    """The version that was published before this one, whose forms people signed."""
    return (
        version.policy.versions.filter(
            number__lt=version.number, status__in=[VersionStatus.PUBLISHED, VersionStatus.SUPERSEDED]
        )
        .order_by("-number")
        .prefetch_related(
            Prefetch("forms__statements", queryset=Statement.objects.order_by("number")), "forms__sections"
        )
        .first()
    )


def policy_list(scope, request):
    policies = Policy.objects.filter(**{scope.owner_field: scope.owner(request)}).prefetch_related(
        Prefetch("versions", queryset=PolicyVersion.objects.order_by("-number"))
    )
    rows = []
    today = timezone.localdate()
    for policy in policies:
        versions = list(policy.versions.all())
        published = next((v for v in versions if v.status == VersionStatus.PUBLISHED), None)
        overdue = bool(published and published.next_review_on and published.next_review_on < today)
        rows.append(
            {
                "policy": policy,
                "published": published,
                "latest": versions[0] if versions else None,
                "review_overdue": overdue,
            }
        )
    return render(request, "aup/policy_list.html", {"rows": rows})


def policy_create(scope, request):
    form = PolicyCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            version = services.create_policy(
                **{scope.owner_field: scope.owner(request)},
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
            return to_version(scope, request, version)
    return render(request, "aup/policy_create.html", {"form": form}, status=400 if form.errors else 200)


def policy_detail(scope, request, policy_id, extra_context=None):
    policy = get_policy(scope, request, policy_id)
    versions = policy.versions.order_by("-number").select_related("published_by")
    latest = versions.first()
    context = {
        "policy": policy,
        "versions": versions,
        "can_start_new": latest is not None and latest.status in (VersionStatus.PUBLISHED, VersionStatus.SUPERSEDED),
    }
    if extra_context:
        context.update(extra_context(policy))
    return render(request, "aup/policy_detail.html", context)


def version_start(scope, request, policy_id):
    policy = get_policy(scope, request, policy_id)
    try:
        version = services.start_new_version(policy=policy, by=request.user, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return scope.redirect(request, "policy", policy_id=policy.pk)
    messages.success(request, f"Version {version.number} is a new draft, copied from version {version.number - 1}.")
    return to_version(scope, request, version)


def _version_form(scope, request, **kwargs):
    return VersionForm(**kwargs, **{scope.owner_field: scope.owner(request)})


def _approve_form(scope, request, data=None):
    if scope.for_trust:
        return ApproveForm(data, for_trust=True)
    return ApproveForm(data, initial=None if data else {"head": request.user.full_name})


def render_version(scope, request, version, *, version_form=None, change_form=None, approve_form=None, status=200):
    order = {audience: i for i, audience in enumerate(Audience.values)}  # staff first, as in the menu
    forms = sorted(
        version.forms.prefetch_related(
            Prefetch("statements", queryset=Statement.objects.order_by("number")), "sections"
        ),
        key=lambda f: order[f.audience],
    )
    previous = previous_published(version)
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
        # What approval and publishing need, ticked off (shown until it is published).
        "checklist": checklist.checklist(version)
        if version.status in (VersionStatus.DRAFT, VersionStatus.APPROVED)
        else [],
    }
    if scope.for_trust:
        context["trust_schools"] = list(request.trust.schools.order_by("name"))
        context["copies"] = version.school_copies.select_related("policy__school").order_by("policy__school__name")
    if editable:
        context["version_form"] = version_form or _version_form(
            scope, request, initial=VersionForm.initial_for(version)
        )
        context["change_form"] = change_form or ChangeForm()
        context["approve_form"] = approve_form or _approve_form(scope, request)
    return render(request, "aup/version_detail.html", context, status=status)


def version_detail(scope, request, version_id):
    version = get_version(scope, request, version_id)
    if request.method != "POST":
        return render_version(scope, request, version)
    if not version.is_editable:
        messages.error(request, "This version can't be changed. Start a new version to make changes.")
        return to_version(scope, request, version)
    form = _version_form(scope, request, data=request.POST, files=request.FILES)
    if form.is_valid():
        try:
            services.update_version(version=version, by=request.user, request=request, **form.version_fields())
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, "The version's details are saved.")
            return to_version(scope, request, version)
    version.refresh_from_db()
    return render_version(scope, request, version, version_form=form, status=400)


def version_document(scope, request, version_id):
    version = get_version(scope, request, version_id)
    if not version.document:
        raise Http404("This version has no document.")
    return FileResponse(version.document.open("rb"), as_attachment=True, filename=version.document_filename)


def version_pdf(scope, request, version_id):
    """The version on paper, with its approval: for whoever may open the version."""
    from .version_pdf import version_pdf_response

    return version_pdf_response(scope, request, get_version(scope, request, version_id))


def form_edit(scope, request, version_id, audience):
    version = get_version(scope, request, version_id)
    if audience not in Audience.values:
        raise Http404("No such audience.")
    existing = AgreementForm.objects.filter(version=version, audience=audience).first()
    if not version.is_editable:
        messages.error(request, "This version can't be changed. Start a new version to change its forms.")
        return to_version(scope, request, version)
    if request.method == "POST":
        form = AgreementFormForm(request.POST, audience=audience)
        if form.is_valid():
            try:
                services.save_form(version=version, audience=audience, by=request.user, **form.form_fields())
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                messages.success(request, f"The form for {Audience(audience).label.lower()} is saved.")
                return to_version(scope, request, version)
    elif existing:
        form = AgreementFormForm(initial=AgreementFormForm.initial_for(existing), audience=audience)
    else:
        title, intro, sections = STARTER_FORMS[audience]
        initial = {"title": title, "intro": intro, "statements": format_statements(sections)}
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


def form_remove(scope, request, version_id, audience):
    """GET asks for confirmation; POST removes the draft's form for the audience."""
    version = get_version(scope, request, version_id)
    form = get_object_or_404(AgreementForm, version=version, audience=audience)
    if request.method != "POST":
        if not version.is_editable:
            messages.error(request, "This version can't be changed. Start a new version to change its forms.")
            return to_version(scope, request, version)
        return render(request, "aup/form_remove.html", {"version": version, "policy": version.policy, "form": form})
    try:
        services.remove_form(form=form, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"The form for {form.get_audience_display().lower()} is removed.")
    return to_version(scope, request, version)


def change_add(scope, request, version_id):
    version = get_version(scope, request, version_id)
    form = ChangeForm(request.POST)
    if form.is_valid():
        try:
            services.add_change(version=version, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, "The change is added to the log.")
            return to_version(scope, request, version)
    if not version.is_editable:
        return to_version(scope, request, version)
    return render_version(scope, request, version, change_form=form, status=400)


def version_approve(scope, request, version_id):
    version = get_version(scope, request, version_id)
    form = _approve_form(scope, request, request.POST)
    if form.is_valid():
        try:
            services.approve(version=version, by=request.user, request=request, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, f"The {scope.approving_body}'s approval of version {version.number} is recorded.")
            return to_version(scope, request, version)
    if not version.is_editable:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return to_version(scope, request, version)
    return render_version(scope, request, version, approve_form=form, status=400)


def version_back_to_draft(scope, request, version_id):
    version = get_version(scope, request, version_id)
    try:
        services.back_to_draft(version=version, by=request.user, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Version {version.number} is a draft again. Its approval will need recording again.")
    return to_version(scope, request, version)


def version_publish(scope, request, version_id, *, publish, published_message, schools=None):
    """GET asks for confirmation (naming the schools that get a copy, for a trust);
    POST calls `publish(version=..., by=..., request=...)`."""
    version = get_version(scope, request, version_id)
    if version.status != VersionStatus.APPROVED:
        messages.error(
            request,
            f"Only an approved version can be published. Record the {scope.approving_body}'s approval first.",
        )
        return to_version(scope, request, version)
    if request.method == "POST":
        try:
            publish(version=version, by=request.user, request=request)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, published_message(version))
        return to_version(scope, request, version)
    current = version.policy.versions.filter(status=VersionStatus.PUBLISHED).first()
    context = {
        "version": version,
        "policy": version.policy,
        "current": current,
        "forms": version.forms.all(),
        "refusal": checklist.refusal(version, "published"),
    }
    if schools is not None:
        context["schools"] = schools
    return render(request, "aup/publish_confirm.html", context)
