"""The annual check: tick each device seen; the devices nobody saw are listed."""

from django.urls import reverse

from devices import selectors, services
from devices.models import DeviceCheck, DeviceStatus

from .conftest import make_device


def test_a_check_lists_the_devices_nobody_saw(school, office, client_for):
    seen = make_device(school, "laptop", serial_number="SEEN-1")
    missing = make_device(school, "tablet", serial_number="MISSING-1")
    make_device(school, "tablet", serial_number="GONE-1", status=DeviceStatus.DISPOSED)
    client = client_for(office)
    client.post(reverse("devices:check_start", args=[school.slug]))
    check = DeviceCheck.objects.get()
    response = client.get(reverse("devices:check", args=[school.slug]))
    assert {d.serial_number for d in response.context["devices"]} == {"SEEN-1", "MISSING-1"}
    client.post(reverse("devices:check_seen", args=[school.slug, seen.pk]))
    client.post(reverse("devices:check_seen", args=[school.slug, seen.pk]))  # twice is harmless
    assert selectors.check_counts(check) == (1, 2)
    client.post(reverse("devices:check_finish", args=[school.slug]))
    response = client.get(reverse("devices:check", args=[school.slug]))
    assert response.context["missing"] == [missing]


def test_only_one_check_is_open_at_a_time(school, office):
    first = services.start_check(school=school, by=office)
    assert services.start_check(school=school, by=office) == first


def test_the_check_page_takes_the_same_number_of_queries_for_many_devices(
    school, office, client_for, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for n in range(3):
        make_device(school, "tablet", serial_number=f"C{n}")
    services.start_check(school=school, by=office)
    client = client_for(office)
    path = reverse("devices:check", args=[school.slug])
    client.get(path)
    with CaptureQueriesContext(connection) as few:
        client.get(path)
    for n in range(3, 60):
        make_device(school, "tablet", serial_number=f"C{n}")
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(path)


def test_another_schools_device_cannot_be_ticked(school, other_school, office, client_for):
    services.start_check(school=school, by=office)
    theirs = make_device(other_school, "tablet")
    response = client_for(office).post(reverse("devices:check_seen", args=[school.slug, theirs.pk]))
    assert response.status_code == 404
