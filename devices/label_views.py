"""Asset labels: choose the devices (ticked on the register, or the register's current
search), the label sheet and the first empty label on it, then get the PDF."""

from __future__ import annotations

from django.conf import settings
from django.http import QueryDict
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from core import downloads
from core.roles import Cap
from core.tenancy import school_view

from . import selectors
from .forms import LabelsForm, RegisterFilterForm
from .labels import DEFAULT_LAYOUT, LAYOUTS, place
from .models import DeviceStatus

MAX_LABELS = 630  # 30 sheets of 21
SHOWN = 10  # devices named on the form page; the rest are counted
_FILTERS = ("q", "device_type", "status")


def _chosen_ids(request) -> list[int]:
    """The ticked devices' ids, at most MAX_LABELS of them."""
    return [int(v) for v in request.GET.getlist("device") if v.isdigit()][:MAX_LABELS]


def _devices(request):
    """The devices to label, in the register's order, disposed ones left out: the
    ticked ones (of this school only) or else the register as searched and filtered."""
    ids = _chosen_ids(request)
    if ids:
        devices = selectors.register(request.school).filter(pk__in=ids)
    else:
        filters = RegisterFilterForm(request.GET or None)
        criteria = filters.cleaned_data if filters.is_valid() else {}
        devices = selectors.register(
            request.school,
            search=criteria.get("q", ""),
            device_type=criteria.get("device_type", ""),
            status=criteria.get("status", ""),
        )
    return devices.exclude(status=DeviceStatus.DISPOSED).prefetch_related(None)


def _selection(request) -> QueryDict:
    """The part of the address that says which devices, carried to the PDF."""
    selection = QueryDict(mutable=True)
    ids = _chosen_ids(request)
    if ids:
        selection.setlist("device", [str(i) for i in ids])
    else:
        for key in _FILTERS:
            if request.GET.get(key):
                selection[key] = request.GET[key]
    return selection


def _form_page(request, form, status=200):
    devices = _devices(request)
    count = devices.count()
    context = {
        "form": form,
        "layout_radios": list(zip(form["layout"], LAYOUTS.values(), strict=True)),
        "count": count,
        "shown": list(devices[:SHOWN]),
        "chosen": bool(_chosen_ids(request)),
        "selection": _selection(request),
        "register_query": _selection(request).urlencode() if not _chosen_ids(request) else "",
        "max_labels": MAX_LABELS,
    }
    return render(request, "devices/labels.html", context, status=status)


@school_view(Cap.VIEW_DEVICES)
def labels_form(request):
    form = LabelsForm(initial={"layout": DEFAULT_LAYOUT, "start": 1})
    return _form_page(request, form)


@school_view(Cap.VIEW_DEVICES)
def labels_pdf(request):
    """The labels as a PDF, each with a QR code that opens the device's page. Without
    a sheet or start position (an old bookmark), the 21-a-sheet layout from the top."""
    from agreements.pdf import qr_code_data_uri, render_pdf

    if "layout" in request.GET or "start" in request.GET:
        form = LabelsForm(request.GET)
        if not form.is_valid():
            return _form_page(request, form, status=400)
        layout, start = LAYOUTS[form.cleaned_data["layout"]], form.cleaned_data["start"]
    else:
        layout, start = LAYOUTS[DEFAULT_LAYOUT], 1
    devices = list(_devices(request)[:MAX_LABELS])
    labels = [
        {
            "device": device,
            "qr_code": qr_code_data_uri(
                settings.SITE_URL + reverse("devices:device", args=[request.school.slug, device.pk])
            ),
        }
        for device in devices
    ]
    html = render_to_string(
        "devices/labels_pdf.html",
        {
            "school": request.school,
            "layout": layout,
            "sheets": place(labels, layout, start),
            "printed_on": timezone.localdate().strftime("%d/%m/%Y"),
        },
    )
    return downloads.content_response(
        request,
        render_pdf(html),
        filename=f"{request.school.slug}-asset-labels.pdf",
        content_type="application/pdf",
        attachment=False,
        action="devices.labels_downloaded",
        summary="Equipment labels downloaded as PDF",
        data={"labels": len(labels), "layout": layout.code, "start": start},
    )
