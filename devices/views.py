"""The equipment register's pages. Thin: resolve the school, check the capability,
bind a form, call a service."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from agreements.models import Signature
from agreements.pdf import signed_pdf_response
from agreements.services import FormSuperseded
from agreements.services import request_pdf as request_signature_pdf
from core import downloads
from core.forms import apply_validation_error
from core.roles import Cap
from core.tenancy import school_view
from schools.models import Guardianship, Membership

from . import selectors, services
from .forms import (
    DeviceForm,
    DisposeForm,
    HandOverForm,
    LendForm,
    LostForm,
    ReceiptSignForm,
    RegisterFilterForm,
    ReturnForm,
    SettingsForm,
)
from .models import Device, DeviceStatus, Loan

PAGE_SIZE = 50


def _device(request, device_id) -> Device:
    return get_object_or_404(Device.objects.select_related("school"), pk=device_id, school=request.school)


def _loan(request, loan_id) -> Loan:
    loan = selectors.loan_of_school(request.school, loan_id)
    if loan is None:
        raise Http404("No such loan.")
    return loan


def _is_mine(request, loan) -> bool:
    return loan.signer is not None and loan.signer.pk == request.user.pk


def _to_device(request, device):
    return redirect("devices:device", school_slug=request.school.slug, device_id=device.pk)


def _to_loan(request, loan):
    return redirect("devices:loan", school_slug=request.school.slug, loan_id=loan.pk)


# --- the register ------------------------------------------------------------------------


@school_view(Cap.VIEW_DEVICES)
def register(request):
    filters = RegisterFilterForm(request.GET or None)
    criteria = filters.cleaned_data if filters.is_valid() else {}
    devices = selectors.register(
        request.school,
        search=criteria.get("q", ""),
        device_type=criteria.get("device_type", ""),
        status=criteria.get("status", ""),
    )
    page = Paginator(devices, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"filters": filters, "page": page, "devices": page.object_list, "query": query.urlencode()}
    return render(request, "devices/register.html", context)


_IMPORT_SESSION = "devices_import"


@never_cache
@school_view(Cap.MANAGE_DEVICES)
def import_devices(request):
    """Upload the existing register as CSV, read the dry run, then import."""
    from . import importer
    from .forms import ImportForm

    form = ImportForm(request.POST or None, request.FILES or None)
    plan = None
    stored = request.session.get(_IMPORT_SESSION, {})
    if request.method == "POST" and "confirm" in request.POST:
        text = stored.get("text") if stored.get("school") == request.school.pk else None
        if text is None:
            messages.error(request, "Choose the file again: the check has expired.")
            return redirect("devices:import", school_slug=request.school.slug)
        try:
            added = importer.apply(request.school, text, by=request.user, request=request)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("devices:import", school_slug=request.school.slug)
        request.session.pop(_IMPORT_SESSION, None)
        messages.success(request, f"{added} device{'s' if added != 1 else ''} added to the register.")
        return redirect("devices:register", school_slug=request.school.slug)
    if request.method == "POST" and form.is_valid():
        try:
            text = importer.read_upload(form.cleaned_data["file"])
            plan = importer.dry_run(request.school, text)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            request.session[_IMPORT_SESSION] = {"school": request.school.pk, "text": text}
    context = {"form": form, "plan": plan, "headings": importer.recognised_headings()}
    return render(request, "devices/import.html", context, status=400 if form.errors else 200)


@school_view(Cap.MANAGE_DEVICES)
def import_sample(request):
    """A one-row sample register, under the headings the import reads."""
    from django.http import HttpResponse

    from . import importer

    response = HttpResponse(importer.sample_csv().encode("utf-8-sig"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="sample-devices.csv"'
    return response


@school_view(Cap.MANAGE_DEVICES)
def add_device(request):
    form = DeviceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.add_device(school=request.school, by=request.user, request=request, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, f"{device.label} is on the register.")
            return _to_device(request, device)
    return render(request, "devices/device_form.html", {"form": form}, status=400 if form.errors else 200)


@school_view(Cap.MANAGE_DEVICES)
def edit_device(request, device_id):
    device = _device(request, device_id)
    if device.status == DeviceStatus.DISPOSED:
        messages.error(request, "This device has been disposed of: its record can no longer be changed.")
        return _to_device(request, device)
    form = DeviceForm(
        request.POST or None,
        instance=device,
        editing_status=device.status,
        initial={"status": device.status if device.status != DeviceStatus.LOST_OR_STOLEN else ""},
    )
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items()}
        try:
            services.edit_device(device=device, by=request.user, request=request, **data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, "The device's details are saved.")
            return _to_device(request, device)
    context = {"form": form, "device": device}
    return render(request, "devices/device_form.html", context, status=400 if form.errors else 200)


@school_view(Cap.VIEW_DEVICES)
def device(request, device_id):
    device = _device(request, device_id)
    history = list(selectors.device_history(device))
    context = {
        "device": device,
        "history": history,
        "open_item": next((i for i in history if i.returned_at is None), None),
        "disposal": getattr(device, "disposal", None) if device.status == DeviceStatus.DISPOSED else None,
        "loss_reports": list(device.loss_reports.select_related("incident", "reported_by")),
        "can_see_receipts": request.access.can(Cap.VIEW_COMPLIANCE),
    }
    return render(request, "devices/device.html", context)


@school_view(Cap.VIEW_SCHOOL)
def report_lost(request, device_id):
    """One short form: the device is marked lost or stolen and an e-safety incident is
    opened. For the register's keepers, and for the person who holds the device."""
    device = _device(request, device_id)
    holder_item = selectors.open_item_of(device)
    holds_it = holder_item is not None and holder_item.loan.signer.pk == request.user.pk
    if not (request.access.can(Cap.MANAGE_DEVICES) or holds_it):
        raise Http404("No such device.")
    form = LostForm(
        request.POST or None,
        initial={
            "happened_at": timezone.localtime().replace(second=0, microsecond=0),
            "submission_key": secrets.token_urlsafe(24),
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            report = services.report_lost(
                device=device,
                reported_by=request.user,
                happened_at=data["happened_at"],
                where=data["where"],
                what_happened=data["what_happened"],
                submission_key=data["submission_key"],
                request=request,
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(
                request,
                f"{device.label} is marked lost or stolen, and e-safety incident {report.incident.reference} "
                "has been sent to the DSL and the e-safety lead.",
            )
            if request.access.can(Cap.VIEW_DEVICES):
                return _to_device(request, device)
            return redirect("devices:mine", school_slug=request.school.slug)
    context = {"form": form, "device": device}
    return render(request, "devices/lost.html", context, status=400 if form.errors else 200)


@school_view(Cap.MANAGE_DEVICES)
def dispose(request, device_id):
    device = _device(request, device_id)
    if device.status == DeviceStatus.DISPOSED:
        messages.error(request, "This device has already been disposed of.")
        return _to_device(request, device)
    form = DisposeForm(request.POST or None, request.FILES or None, initial={"disposed_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.dispose(
                device=device,
                recorded_by=request.user,
                contractor=data["contractor"],
                disposed_on=data["disposed_on"],
                weee_note=data["weee_note"],
                certificate=data["certificate"],
                request=request,
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, f"{device.label} is recorded as disposed of. It can never be lent again.")
            return _to_device(request, device)
    context = {"form": form, "device": device}
    return render(request, "devices/dispose.html", context, status=400 if form.errors else 200)


@school_view(Cap.VIEW_DEVICES)
def certificate(request, device_id):
    device = _device(request, device_id)
    disposal = getattr(device, "disposal", None)
    if disposal is None:
        messages.info(request, "This device has no certificate of data destruction: it has not been disposed of.")
        return _to_device(request, device)
    extension = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}.get(
        disposal.certificate_content_type, "bin"
    )
    return downloads.file_response(
        request,
        disposal.certificate.open("rb"),
        filename=f"data-destruction-{device.serial_number}.{extension}",
        content_type=disposal.certificate_content_type,
        action="devices.certificate_downloaded",
        summary="Certificate of data destruction downloaded",
        obj=device,
    )


# --- lending and returns -----------------------------------------------------------------


@school_view(Cap.MANAGE_DEVICES)
def lend(request):
    conditions = selectors.loan_conditions(request.school)
    # A device's page ("Lend this device") and the way back from sending an agreement
    # bring the choices along in the address.
    initial = {
        "devices": [d for d in request.GET.getlist("device") if d.isdigit()],
        "borrower": request.GET.get("borrower", "") if request.GET.get("borrower", "").isdigit() else None,
    }
    form = LendForm(request.POST or None, access=request.access, initial=initial)
    missing = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        guardianship = data["guardianship"]
        try:
            loan = services.lend(
                school=request.school,
                lent_by=request.user,
                devices=list(data["devices"]),
                borrower=data["borrower"],
                pupil=guardianship.pupil if guardianship else None,
                carer=guardianship.carer if guardianship else None,
                due_on=data["due_on"],
                until_leaving=data["until_leaving"],
                notes=data["notes"],
                request=request,
            )
        except ValidationError as error:
            missing = getattr(error, "missing", [])
            apply_validation_error(form, _lend_error(error))
        else:
            messages.success(
                request,
                "The devices are reserved for the borrower. They now sign the loan conditions: here on this "
                "screen, or from the link you email them.",
            )
            return _to_loan(request, loan)
    context = {
        "form": form,
        "conditions": conditions,
        "missing": missing,
        "chosen_devices": [d.pk for d in form.cleaned_data.get("devices") or []] if missing else [],
        "can_manage_policies": request.access.can(Cap.MANAGE_POLICIES),
        "policy_managers": [] if conditions else selectors.policy_managers(request.school),
        "has_devices": selectors.available_devices(request.school).exists(),
    }
    return render(request, "devices/lend.html", context, status=400 if form.errors else 200)


# The service names the pupil and the carer; on the form they are one choice.
_LEND_FIELDS = {"pupil": "guardianship", "carer": "guardianship"}


def _lend_error(error: ValidationError) -> ValidationError:
    if not hasattr(error, "error_dict"):
        return error
    return ValidationError({_LEND_FIELDS.get(field, field): errors for field, errors in error.error_dict.items()})


@school_view(Cap.MANAGE_DEVICES)
@require_GET
def search(request):
    """The lending picker's search: devices available to lend, by asset tag, serial
    number, make or model (`exact=1`: a scanned tag or serial)."""
    from core.picker import search_response

    from .pickers import DevicePicker

    return search_response(request, DevicePicker())


@school_view(Cap.MANAGE_DEVICES)
@require_POST
def send_agreement(request):
    """Email a member of staff the link to sign a staff agreement they have not signed,
    when lending to them was refused for it; then back to the lend page, as it was."""
    from agreements.selectors import forms_to_sign

    membership = get_object_or_404(
        Membership.objects.active().staff().select_related("user"),
        school=request.school,
        pk=request.POST.get("membership") if str(request.POST.get("membership", "")).isdigit() else None,
    )
    form_id = request.POST.get("form", "")
    due = [form for m, form in forms_to_sign(membership.user) if m.school_id == request.school.pk]
    form = next((f for f in due if str(f.pk) == form_id), None)
    back = reverse("devices:lend", args=[request.school.slug])
    query = "&".join(
        [f"device={d}" for d in request.POST.getlist("device") if d.isdigit()] + [f"borrower={membership.pk}"]
    )
    if form is None:
        messages.info(request, f"{membership.user.full_name} has nothing left to sign.")
        return redirect(f"{back}?{query}")
    services.email_agreement_link(
        school=request.school,
        membership=membership,
        form=form,
        link=settings.SITE_URL + reverse("agreements:sign", args=[request.school.slug, form.pk]),
        by=request.user,
        request=request,
    )
    messages.success(
        request,
        f"{membership.user.full_name} has been emailed the link to sign {services.form_name(form)}. "
        "Lend the equipment once they have signed.",
    )
    return redirect(f"{back}?{query}")


@school_view(Cap.VIEW_SCHOOL)
def loan(request, loan_id):
    loan = _loan(request, loan_id)
    if not (request.access.can(Cap.VIEW_DEVICES) or _is_mine(request, loan)):
        raise Http404("No such loan.")
    return render(request, "devices/loan.html", _loan_context(request, loan))


def _loan_context(request, loan) -> dict:
    from agreements.countersigning.selectors import HANDED_OVER_BY, awaited_role

    receipt = loan.receipt_signature
    awaits = receipt is not None and awaited_role(receipt) == HANDED_OVER_BY
    countersignature = getattr(receipt, "countersignature", None) if receipt is not None else None
    can_manage = request.access.can(Cap.MANAGE_DEVICES)
    return {
        "loan": loan,
        "items": list(loan.items.all()),
        "can_manage": can_manage,
        "can_see_receipts": request.access.can(Cap.VIEW_COMPLIANCE) or _is_mine(request, loan),
        "is_mine": _is_mine(request, loan),
        "handed_over": countersignature,
        "awaits_hand_over": awaits and countersignature is None and not loan.cancelled_at,
        "hand_over_form": HandOverForm() if can_manage else None,
    }


@school_view(Cap.MANAGE_DEVICES)
@require_POST
def hand_over(request, loan_id):
    """The member of staff handing the devices over countersigns the receipt."""
    loan = _loan(request, loan_id)
    form = HandOverForm(request.POST)
    if form.is_valid():
        try:
            services.countersign_handover(
                loan=loan, by=request.user, typed_name=form.cleaned_data["typed_name"], request=request
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, "Thank you: your countersignature is on the receipt.")
            return _to_loan(request, loan)
    return render(request, "devices/loan.html", {**_loan_context(request, loan), "hand_over_form": form}, status=400)


def _sign_page(request, loan, *, template_context, success_url):
    conditions = selectors.loan_conditions(loan.school)
    if loan.receipt_signature_id or loan.cancelled_at:
        return None
    context = {"loan": loan, "items": list(loan.items.all()), "conditions": conditions, **template_context}
    if conditions is None:
        return render(request, "devices/sign.html", context, status=409)
    form = ReceiptSignForm(request.POST or None, form=conditions, initial={"submission_key": secrets.token_urlsafe(24)})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.sign_receipt(
                loan=loan,
                typed_name=data["typed_name"],
                statements_agreed=form.agreed_numbers(),
                drawn_signature=data["drawn_signature"],
                submission_key=data["submission_key"],
                opened_by=request.user,
                request=request,
            )
        except FormSuperseded:
            messages.error(request, "The loan conditions have just changed. Please read and sign the new ones.")
            return redirect(request.path)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, "Thank you: the receipt is signed. A copy will be emailed to the borrower.")
            return redirect(success_url)
    context["form"] = form
    return render(request, "devices/sign.html", context, status=400 if form.errors else 200)


@never_cache
@school_view(Cap.VIEW_SCHOOL)
def sign(request, loan_id):
    """The loan conditions and the devices, signed by the borrower: on the office
    screen in person (the office opens this page and hands the screen over) or
    remotely by the borrower from their link."""
    loan = _loan(request, loan_id)
    if not (request.access.can(Cap.MANAGE_DEVICES) or _is_mine(request, loan)):
        raise Http404("No such loan.")
    if loan.pupil_id:
        # A pupil's carer signs from /family/.
        if not request.access.can(Cap.MANAGE_DEVICES):
            raise Http404("No such loan.")
    success_url = reverse("devices:loan", args=[request.school.slug, loan.pk])
    response = _sign_page(
        request, loan, template_context={"in_person": not _is_mine(request, loan)}, success_url=success_url
    )
    if response is None:
        messages.info(
            request,
            "This loan has already been signed for." if loan.receipt_signature_id else "This loan was cancelled.",
        )
        return redirect(success_url)
    return response


@login_required
@never_cache
def family_sign(request, loan_id):
    """A carer signs the receipt for their child's loan, from the emailed link."""
    loan = Loan.objects.filter(pk=loan_id, carer=request.user).select_related("school").first()
    if (
        loan is None
        or not Guardianship.objects.filter(
            pupil_id=loan.pupil_id, carer=request.user, parental_responsibility=True
        ).exists()
    ):
        raise Http404("No such loan.")
    loan = selectors.loan_of_school(loan.school, loan.pk)
    success_url = reverse("family:home")
    response = _sign_page(request, loan, template_context={"family": True}, success_url=success_url)
    if response is None:
        messages.info(
            request,
            "This loan has already been signed for." if loan.receipt_signature_id else "This loan was cancelled.",
        )
        return redirect(success_url)
    return response


def _sign_link(request, loan) -> str:
    if loan.pupil_id:
        return request.build_absolute_uri(reverse("devices_family:sign", args=[loan.pk]))
    return request.build_absolute_uri(reverse("devices:sign", args=[loan.school.slug, loan.pk]))


@school_view(Cap.MANAGE_DEVICES)
@require_POST
def send_link(request, loan_id):
    loan = _loan(request, loan_id)
    if not loan.awaiting_signature:
        messages.info(request, "This loan is not waiting for a signature.")
        return _to_loan(request, loan)
    services.email_loan_link(loan=loan, link=_sign_link(request, loan), by=request.user, request=request)
    messages.success(request, f"The link to sign has been emailed to {loan.signer.email}.")
    return _to_loan(request, loan)


@school_view(Cap.MANAGE_DEVICES)
@require_POST
def cancel(request, loan_id):
    loan = _loan(request, loan_id)
    try:
        services.cancel_loan(loan=loan, by=request.user, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "The loan is cancelled and its devices are available again.")
    return _to_loan(request, loan)


@never_cache
@school_view(Cap.MANAGE_DEVICES)
def receive(request, loan_id):
    """The office receives devices back; the borrower signs the return on this screen."""
    loan = _loan(request, loan_id)
    items = [item for item in loan.items.all() if item.returned_at is None]
    conditions = selectors.loan_conditions(request.school)
    if not items or loan.receipt_signature_id is None:
        messages.info(request, "There is nothing on this loan to receive back.")
        return _to_loan(request, loan)
    context = {"loan": loan, "conditions": conditions}
    if conditions is None:
        return render(request, "devices/receive.html", context, status=409)
    form = ReturnForm(
        request.POST or None, form=conditions, items=items, initial={"submission_key": secrets.token_urlsafe(24)}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.receive_return(
                loan=loan,
                received_by=request.user,
                returns=form.returns(),
                typed_name=data["typed_name"],
                statements_agreed=form.agreed_numbers(),
                drawn_signature=data["drawn_signature"],
                submission_key=data["submission_key"],
                request=request,
            )
        except FormSuperseded:
            messages.error(request, "The loan conditions have just changed. Please read and sign the new ones.")
            return redirect(request.path)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, "The return is recorded and signed.")
            return _to_loan(request, loan)
    context["form"] = form
    return render(request, "devices/receive.html", context, status=400 if form.errors else 200)


@school_view(Cap.VIEW_SCHOOL)
def loan_pdf(request, loan_id):
    """The signed PDF of the loan's receipt, or of one of its returns (?signature=id):
    for the register's keepers and for the borrower. Only signatures of this loan."""
    loan = _loan(request, loan_id)
    if not (request.access.can(Cap.VIEW_DEVICES) or _is_mine(request, loan)):
        raise Http404("No such loan.")
    signature_ids = {loan.receipt_signature_id} | {i.return_signature_id for i in loan.items.all()}
    signature_ids.discard(None)
    wanted = request.GET.get("signature", "")
    signature_id = int(wanted) if wanted.isdigit() else loan.receipt_signature_id
    if signature_id is None:
        messages.info(request, "Nobody has signed for this loan yet.")
        return _to_loan(request, loan)
    if signature_id not in signature_ids:
        raise Http404("No such signature.")
    signature = Signature.objects.select_related("document").get(pk=signature_id)
    document = getattr(signature, "document", None)
    if document is None:
        request_signature_pdf(signature)
        return render(request, "devices/pdf_pending.html", {"signature": signature, "loan": loan}, status=202)
    what = "receipt for an equipment loan" if signature_id == loan.receipt_signature_id else "return of equipment"
    return signed_pdf_response(request, signature, document, summary=f"Signed {what} downloaded as PDF")


# --- the annual check ----------------------------------------------------------------------


def _to_check(request, **params):
    target = reverse("devices:check", args=[request.school.slug])
    query = "&".join(f"{k}={v}" for k, v in params.items() if v)
    return redirect(f"{target}?{query}" if query else target)


@school_view(Cap.MANAGE_DEVICES)
def check(request):
    """The annual check, worked through on a phone: search or scroll, tick "Seen"."""
    current = selectors.open_check(request.school)
    search = " ".join(request.GET.get("q", "").split())[:100]
    show_all = request.GET.get("show") == "all"
    context = {"check": current, "search": search, "show_all": show_all}
    if current is not None:
        devices = selectors.check_devices(current, search=search, unseen_only=not show_all)
        page = Paginator(devices, PAGE_SIZE).get_page(request.GET.get("page"))
        seen, total = selectors.check_counts(current)
        query = request.GET.copy()
        query.pop("page", None)
        context.update(page=page, devices=page.object_list, seen=seen, total=total, query=query.urlencode())
    else:
        last = selectors.last_finished_check(request.school)
        if last is not None:
            seen, total = selectors.check_counts(last)
            context.update(
                last=last,
                last_seen=seen,
                missing=list(selectors.check_devices(last, unseen_only=True)[:200]),
            )
    return render(request, "devices/check.html", context)


@school_view(Cap.MANAGE_DEVICES)
@require_POST
def check_start(request):
    services.start_check(school=request.school, by=request.user, request=request)
    return _to_check(request)


@school_view(Cap.MANAGE_DEVICES)
@require_POST
def check_seen(request, device_id):
    device = _device(request, device_id)
    current = selectors.open_check(request.school)
    if current is None:
        messages.error(request, "There is no check open. Start one first.")
        return _to_check(request)
    try:
        services.mark_seen(check=current, device=device, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Seen: {device.label}.")
    return _to_check(request, q=request.POST.get("q", "")[:100], show=request.POST.get("show", "")[:3])


@school_view(Cap.MANAGE_DEVICES)
@require_POST
def check_finish(request):
    current = selectors.open_check(request.school)
    if current is not None:
        services.finish_check(check=current, by=request.user, request=request)
        messages.success(request, "The check is finished. Devices nobody saw are listed below.")
    return _to_check(request)


# --- lists -------------------------------------------------------------------------------


@school_view(Cap.VIEW_DEVICES)
def overdue(request):
    items = list(selectors.overdue_items(request.school)[:500])
    return render(request, "devices/overdue.html", {"items": items, "today": timezone.localdate()})


@school_view(Cap.VIEW_DEVICES)
def leavers(request):
    items = list(selectors.leavers_items(request.school)[:500])
    return render(request, "devices/leavers.html", {"items": items})


@school_view(Cap.VIEW_SCHOOL)
def mine(request):
    loans = list(selectors.loans_of(request.user, request.school))
    return render(request, "devices/mine.html", {"loans": loans})


@school_view(Cap.MANAGE_DEVICES)
def lending_settings(request):
    current = selectors.settings_for(request.school)
    form = SettingsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        services.save_settings(school=request.school, by=request.user, request=request, **form.cleaned_data)
        messages.success(request, "The rules for lending are saved.")
        return redirect("devices:register", school_slug=request.school.slug)
    return render(request, "devices/settings.html", {"form": form}, status=400 if form.errors else 200)
