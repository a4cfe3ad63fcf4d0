"""Devices for the picker (core.picker): the school's devices available to lend,
found by asset tag, serial number, make or model; a scanned tag matches exactly."""

from django.db.models import Q

from core.picker import PickerKind

from .models import Device, DeviceStatus


class DevicePicker(PickerKind):
    name = "devices"
    url_name = "devices:search"
    noun = "device"
    plural = "devices"
    exact_help = "asset tag or serial number"

    def queryset(self, access):
        return Device.objects.filter(school=access.school, status=DeviceStatus.AVAILABLE)

    def match(self, queryset, term):
        return queryset.filter(
            Q(asset_tag__icontains=term)
            | Q(serial_number__icontains=term)
            | Q(make__icontains=term)
            | Q(model__icontains=term)
        )

    def exact(self, queryset, query):
        return queryset.filter(Q(asset_tag__iexact=query) | Q(serial_number__iexact=query))

    def order(self, queryset):
        return queryset.order_by("asset_tag", "device_type", "make", "model", "serial_number", "pk")

    def label(self, device):
        return device.label

    def hint(self, device):
        # The label already names the serial number.
        return f"asset tag {device.asset_tag}" if device.asset_tag else ""
