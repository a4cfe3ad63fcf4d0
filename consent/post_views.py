"""Staff pages for planned posts: plan, the head's queue, each post, the log, and what
to take down. Thin: the rules are in consent.posts and consent.post_selectors."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from core import downloads
from core.roles import Cap
from core.tenancy import school_view
from schools.models import SchoolClass, YearGroup

from . import post_selectors, posts
from .models import PostStatus
from .post_forms import LogFilterForm, PickForm, PlanForm, PublishForm, RefuseForm, TakeDownForm
from .selectors import consent_for_pupils, current_form

PAGE_SIZE = 25


def _no_form(request):
    return render(request, "consent/no_form.html", status=200)


def _post_for(request, post_id):
    """The post, if it belongs to this school (404 otherwise)."""
    return get_object_or_404(post_selectors.post_queryset(request.school), pk=post_id)


def _form_errors(form, error: ValidationError):
    if hasattr(error, "error_dict"):
        for field_name, errors in error.message_dict.items():
            form.add_error(field_name if field_name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _detail(request, post, status=200, **forms):
    can_decide = request.access.can(Cap.APPROVE_POSTS)
    live = None
    if post.status in (PostStatus.AWAITING, PostStatus.APPROVED, PostStatus.PUBLISHED):
        form_version = current_form(request.school)
        live = post_selectors.recheck(post, form_version) if form_version else None
    context = {
        "post": post,
        "live": live,
        "can_decide": can_decide and post.status == PostStatus.AWAITING,
        "can_cancel": post.planned_by_id == request.user.pk
        and post.status in (PostStatus.AWAITING, PostStatus.APPROVED),
        "refuse_form": forms.get("refuse_form") or RefuseForm(),
        "publish_form": forms.get("publish_form") or PublishForm(),
        "take_down_form": forms.get("take_down_form") or TakeDownForm(),
        "action_error": forms.get("action_error"),
    }
    return render(request, "consent/post_detail.html", context, status=status)


# --- Planning ---------------------------------------------------------------------------


@school_view(Cap.PLAN_POSTS)
def plan(request):
    school = request.school
    form_version = current_form(school)
    if form_version is None:
        return _no_form(request)
    purposes = list(form_version.purposes.all())
    events = list(post_selectors.events(school))
    pick = PickForm(
        request.GET or None,
        classes=SchoolClass.objects.filter(school=school).select_related("year_group"),
        year_groups=YearGroup.objects.filter(school=school),
        events=events,
        purposes=purposes,
    )
    pupils, purpose_code, event_id = [], "", ""
    if pick.is_valid():
        kind, _, pk = pick.cleaned_data["group"].partition("-")
        group = post_selectors.group_pupils(school, kind, int(pk)) if pk.isdigit() else None
        if group is None:
            raise Http404("No such group.")
        pupils = list(group)
        purpose_code = pick.cleaned_data["purpose"]
        event_id = pk if kind == "event" else ""
    consents = consent_for_pupils(form_version, pupils) if pupils else []
    plan_form = PlanForm(
        request.POST or None,
        request.FILES or None,
        purposes=purposes,
        pupils=pupils,
        events=events,
        initial={"purpose": purpose_code, "event": event_id},
    )
    if request.method == "POST" and plan_form.is_valid():
        data = plan_form.cleaned_data
        chosen = {int(pk) for pk in data["pupils"]}
        try:
            post = posts.plan_post(
                school=school,
                by=request.user,
                purpose_code=data["purpose"],
                caption=data["caption"],
                pupils=[p for p in pupils if p.pk in chosen],
                image=data["image"],
                first_name_shown=data["first_name_shown"],
                event=next((e for e in events if str(e.pk) == data["event"]), None),
                request=request,
            )
        except ValidationError as error:
            _form_errors(plan_form, error)
        else:
            messages.success(request, "Planned. The head has been asked to approve it before it is published.")
            return redirect("consent:post", school_slug=school.slug, post_id=post.pk)
    ticked = set(plan_form["pupils"].value() or []) if plan_form.is_bound else set()
    chosen_purpose = (plan_form["purpose"].value() if plan_form.is_bound else "") or purpose_code
    label = next((p.label for p in purposes if p.code == chosen_purpose), "")
    rows = [
        {
            "pupil": c.pupil,
            "may": c.allows(chosen_purpose),
            "first_name": c.allows(post_selectors.FIRST_NAME),
            "ticked": str(c.pupil.pk) in ticked,
        }
        for c in consents
    ]
    return render(
        request,
        "consent/post_plan.html",
        {"pick": pick, "form": plan_form, "rows": rows, "purpose_label": label, "picked": bool(pupils)},
        status=400 if plan_form.errors else 200,
    )


# --- One post and what can be done with it ---------------------------------------------


@school_view(Cap.PLAN_POSTS)
def detail(request, post_id):
    return _detail(request, _post_for(request, post_id))


@school_view(Cap.PLAN_POSTS)
def image(request, post_id):
    post = _post_for(request, post_id)
    if not post.image or post.image_content_type not in posts.IMAGE_KINDS:
        raise Http404("No photo.")
    extension = "png" if post.image_content_type == "image/png" else "jpg"
    return downloads.file_response(
        request,
        post.image.open("rb"),
        filename=f"post-{post.pk}.{extension}",
        content_type=post.image_content_type,
        attachment=False,
        action="consent.post_image_viewed",
        summary=f"Viewed the photo of a post for {post.purpose_label}",
        obj=post,
    )


def _act(request, post, form, action, **fields):
    """Run `action` with the form's data; on an error, the post page with the message."""
    if form is not None and not form.is_valid():
        return _detail(request, post, status=400, **fields)
    try:
        action()
    except ValidationError as error:
        if form is not None:
            _form_errors(form, error)
            return _detail(request, post, status=400, **fields)
        return _detail(request, post, status=400, action_error=" ".join(error.messages))
    return None


@school_view(Cap.PLAN_POSTS)
@require_POST
def approve(request, post_id):
    post = _post_for(request, post_id)
    if not request.access.can(Cap.APPROVE_POSTS):
        raise PermissionDenied("Only the head approves posts.")
    failed = _act(request, post, None, lambda: posts.approve(post=post, by=request.user, request=request))
    if failed:
        return failed
    messages.success(request, "Approved. It can now be published; record where once it is.")
    return redirect("consent:post_queue", school_slug=request.school.slug)


@school_view(Cap.PLAN_POSTS)
@require_POST
def refuse(request, post_id):
    post = _post_for(request, post_id)
    if not request.access.can(Cap.APPROVE_POSTS):
        raise PermissionDenied("Only the head refuses posts.")
    form = RefuseForm(request.POST)
    failed = _act(
        request,
        post,
        form,
        lambda: posts.refuse(post=post, by=request.user, reason=form.cleaned_data["reason"], request=request),
        refuse_form=form,
    )
    if failed:
        return failed
    messages.success(request, "Refused. The person who planned it can see your reason.")
    return redirect("consent:post_queue", school_slug=request.school.slug)


@school_view(Cap.PLAN_POSTS)
@require_POST
def cancel(request, post_id):
    post = _post_for(request, post_id)
    if post.planned_by_id != request.user.pk:
        raise PermissionDenied("Only the person who planned this post can cancel it.")
    failed = _act(request, post, None, lambda: posts.cancel(post=post, by=request.user, request=request))
    if failed:
        return failed
    messages.success(request, "Cancelled.")
    return redirect("consent:post", school_slug=request.school.slug, post_id=post.pk)


@school_view(Cap.PLAN_POSTS)
@require_POST
def published(request, post_id):
    post = _post_for(request, post_id)
    form = PublishForm(request.POST)
    failed = _act(
        request,
        post,
        form,
        lambda: posts.record_published(
            post=post,
            by=request.user,
            where=form.cleaned_data["where"],
            when=form.cleaned_data["when"],
            request=request,
        ),
        publish_form=form,
    )
    if failed:
        return failed
    messages.success(request, "Recorded as published.")
    return redirect("consent:post", school_slug=request.school.slug, post_id=post.pk)


@school_view(Cap.PLAN_POSTS)
@require_POST
def taken_down(request, post_id):
    post = _post_for(request, post_id)
    form = TakeDownForm(request.POST)
    failed = _act(
        request,
        post,
        form,
        lambda: posts.take_down(post=post, by=request.user, note=form.cleaned_data["note"], request=request),
        take_down_form=form,
    )
    if failed:
        return failed
    messages.success(request, "Marked as taken down. Our copy of the photo has been deleted.")
    return redirect("consent:posts_take_down", school_slug=request.school.slug)


# --- Lists ------------------------------------------------------------------------------


@school_view(Cap.APPROVE_POSTS)
def queue(request):
    waiting = list(post_selectors.awaiting(request.school))
    form_version = current_form(request.school)
    checks = post_selectors.checks_for(form_version, waiting) if form_version and waiting else {}
    return render(
        request,
        "consent/post_queue.html",
        {"items": [(post, checks.get(post.pk)) for post in waiting], "consent_form": form_version},
    )


@school_view(Cap.PLAN_POSTS)
def log(request):
    purposes = post_selectors.purposes_used(request.school)
    filters = LogFilterForm(request.GET or None, purposes=purposes)
    status = purpose = ""
    if filters.is_valid():
        status, purpose = filters.cleaned_data["status"], filters.cleaned_data["purpose"]
    page = Paginator(post_selectors.posts_log(request.school, status=status, purpose=purpose), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = urlencode({k: v for k, v in (("status", status), ("purpose", purpose)) if v})
    return render(
        request,
        "consent/post_log.html",
        {"filters": filters, "page": page, "query": query},
    )


@school_view(Cap.PLAN_POSTS)
def take_down_list(request):
    lists = post_selectors.to_take_down(request.school)
    return render(request, "consent/post_take_down.html", {"lists": lists})
