"""Importing the existing register from CSV: a dry run first, then all or nothing."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.models import AuditEvent
from devices import importer
from devices.models import Device, DeviceType

from .conftest import make_device

GOOD = (
    "Type,Make,Model,Serial No,Asset tag,Purchase date,Cost,Encrypted,Room\n"
    "Laptop,Dell,Latitude 5440,SN-1,OAK-1,01/09/2024,£649.00,yes,ICT cupboard\n"
    "iPad,Apple,iPad 10,SN-2,,2024-09-01,329,no,Class 3\n"
    "Camera,Canon,IXUS 285,SN-3,OAK-3,,,,\n"
)


def test_the_dry_run_says_what_would_be_added_and_writes_nothing(school):
    plan = importer.dry_run(school, GOOD)
    assert [r.values["serial_number"] for r in plan.to_add] == ["SN-1", "SN-2", "SN-3"]
    assert plan.to_add[1].values["device_type"] == DeviceType.TABLET
    assert plan.to_add[0].values["cost"] == 649 and plan.to_add[0].values["encrypted"] is True
    assert plan.can_apply
    assert not Device.objects.exists()


def test_devices_already_on_the_register_are_left_unchanged(school):
    make_device(school, "laptop", serial_number="sn-1", make="Old")
    plan = importer.dry_run(school, GOOD)
    assert [r.values["serial_number"] for r in plan.already] == ["SN-1"]
    importer.apply(school, GOOD, by=None)
    assert Device.objects.get(serial_number="sn-1").make == "Old"
    assert Device.objects.filter(school=school).count() == 3


def test_lines_with_problems_say_which_and_nothing_is_imported(school, office):
    bad = GOOD + "Toaster,Acme,,SN-4,,31/02/2024,lots,maybe,\nLaptop,Dell,,SN-1,,,,,\n,,,,,,,,\n"
    plan = importer.dry_run(school, bad)
    problems = {r.line: " ".join(r.errors) for r in plan.errors}
    assert "Type “Toaster” is not one we know" in problems[5]
    assert "Purchase date" in problems[5] and "Cost" in problems[5] and "Encrypted" in problems[5]
    assert "also on line 2" in problems[6]
    assert not plan.can_apply
    with pytest.raises(ValidationError, match="has problems"):
        importer.apply(school, bad, by=office)
    assert not Device.objects.exists()


def test_a_file_without_the_needed_columns_is_refused(school):
    plan = importer.dry_run(school, "Name,Room\nLaptop,Hall\n")
    assert plan.missing_columns == ["Type", "Make", "Serial number"]
    assert not plan.can_apply


def test_the_office_checks_then_imports_the_file(school, office, client_for):
    client = client_for(office)
    path = reverse("devices:import", args=[school.slug])
    response = client.post(path, {"file": SimpleUploadedFile("register.csv", GOOD.encode(), "text/csv")})
    assert response.status_code == 200
    assert len(response.context["plan"].to_add) == 3
    assert not Device.objects.exists()
    response = client.post(path, {"confirm": "1"})
    assert response.status_code == 302
    assert Device.objects.filter(school=school).count() == 3
    assert AuditEvent.objects.filter(action="devices.imported").count() == 1


def test_a_teacher_cannot_open_the_import(school, teacher, client_for):
    assert client_for(teacher).get(reverse("devices:import", args=[school.slug])).status_code == 404


def test_the_sample_file_uses_headings_the_import_reads_and_imports_cleanly(school, office, client_for):
    client = client_for(office)
    response = client.get(reverse("devices:import_sample", args=[school.slug]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="sample-devices.csv"'
    sample = response.content.decode("utf-8-sig")

    plan = importer.dry_run(school, sample)

    assert plan.missing_columns == [] and plan.errors == [] and len(plan.to_add) == 1
    assert set(plan.to_add[0].values) >= set(importer.FIELDS)


def test_the_import_page_lists_every_heading_the_import_recognises(school, office, client_for):
    page = client_for(office).get(reverse("devices:import", args=[school.slug])).content.decode()
    for heading in importer.HEADINGS:
        assert f'<span class="heading-alias">{heading}</span>' in page, heading
    assert reverse("devices:import_sample", args=[school.slug]) in page
