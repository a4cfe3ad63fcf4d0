"""Asset labels: chosen devices or the register's search, on a chosen A4 sheet,
starting at a chosen label so a part-used sheet can be used up. The PDF is read back
and each label's text is found inside its cell on the sheet."""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from core.models import AuditEvent
from core.roles import Role
from devices.labels import LAYOUTS, place
from devices.models import DeviceStatus
from tests.conftest import make_member

from .conftest import make_device

MM = 72 / 25.4  # PDF points in a millimetre
A4_HEIGHT_PT = 297 * MM


def url(name, school):
    return reverse(f"devices:{name}", args=[school.slug])


def text_positions(pdf: bytes) -> list[tuple[int, str, float, float]]:
    """(page, text, x mm from the left, y mm from the top) of each run of text."""
    found = []
    for number, page in enumerate(PdfReader(io.BytesIO(pdf)).pages):

        def visit(text, cm, tm, font, size, number=number):
            if not text.strip():
                return
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            found.append((number, text.strip(), x / MM, (A4_HEIGHT_PT - y) / MM))

        page.extract_text(visitor_text=visit)
    return found


def cell_of(layout, x, y) -> int | None:
    """The 1-based position of the label whose rectangle holds the point, or None."""
    for position in range(1, layout.per_sheet + 1):
        left, top = layout.cell(position)
        if left <= x <= left + layout.width and top <= y <= top + layout.height:
            return position
    return None


def positions_of(pdf, layout, text) -> list[tuple[int, int]]:
    return [(page, cell_of(layout, x, y)) for page, t, x, y in text_positions(pdf) if text in t]


def test_the_layouts_fit_on_a4_with_their_labels_inside_the_sheet():
    for layout in LAYOUTS.values():
        right = layout.left + (layout.across - 1) * layout.pitch_x + layout.width
        bottom = layout.top + (layout.down - 1) * layout.pitch_y + layout.height
        assert right <= 210.5 and bottom <= 297.5, layout.code
        assert layout.pitch_x >= layout.width and layout.pitch_y >= layout.height, layout.code


def test_placing_from_a_later_position_leaves_the_used_labels_empty_and_fills_a_second_sheet():
    layout = LAYOUTS["L7165"]  # 8 a sheet
    sheets = place(list("abcdef"), layout, start=5)
    assert [[p.position for p in sheet] for sheet in sheets] == [[5, 6, 7, 8], [1, 2]]
    assert sheets[0][0].item == "a" and sheets[1][0].item == "e"
    assert (sheets[0][0].left, sheets[0][0].top) == (4.65, round(13.1 + 2 * 67.7, 2))
    with pytest.raises(ValueError):
        place(["a"], layout, start=9)


def test_two_chosen_devices_starting_at_position_5_fill_the_5th_and_6th_labels(school, office, client_for):
    first = make_device(school, "laptop", make="Acer", serial_number="LBL-A", asset_tag="OAK-501")
    second = make_device(school, "tablet", make="Apple", serial_number="LBL-B", asset_tag="OAK-502")
    make_device(school, "laptop", serial_number="NOT-CHOSEN", asset_tag="OAK-999")

    response = client_for(office).get(
        url("labels", school), {"device": [first.pk, second.pk], "layout": "L7160", "start": 5}
    )

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pdf = response.content
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 1
    layout = LAYOUTS["L7160"]
    assert positions_of(pdf, layout, "OAK-501") == [(0, 5)]
    assert positions_of(pdf, layout, "OAK-502") == [(0, 6)]
    assert positions_of(pdf, layout, "OAK-999") == []
    assert all(cell_of(layout, x, y) in (5, 6) for _, _, x, y in text_positions(pdf))


def test_a_larger_sheet_puts_the_labels_in_its_own_cells_and_runs_on_to_a_second_page(school, office, client_for):
    devices = [make_device(school, "laptop", serial_number=f"BIG-{n}", asset_tag=f"BIG-TAG-{n}") for n in range(3)]

    response = client_for(office).get(
        url("labels", school), {"device": [d.pk for d in devices], "layout": "L7165", "start": 7}
    )

    layout = LAYOUTS["L7165"]
    assert positions_of(response.content, layout, "BIG-TAG-0") == [(0, 7)]
    assert positions_of(response.content, layout, "BIG-TAG-1") == [(0, 8)]
    assert positions_of(response.content, layout, "BIG-TAG-2") == [(1, 1)]


def test_without_ticks_the_labels_follow_the_registers_search_and_leave_disposed_devices_out(
    school, office, client_for
):
    make_device(school, "camera", serial_number="CAM-1", asset_tag="CAM-TAG")
    make_device(school, "laptop", serial_number="LAP-1", asset_tag="LAP-TAG")
    make_device(school, "camera", serial_number="CAM-2", asset_tag="GONE-TAG", status=DeviceStatus.DISPOSED)

    response = client_for(office).get(url("labels", school), {"device_type": "camera", "layout": "L7163", "start": 1})

    texts = " ".join(t for _, t, _, _ in text_positions(response.content))
    assert "CAM-TAG" in texts and "LAP-TAG" not in texts and "GONE-TAG" not in texts
    assert positions_of(response.content, LAYOUTS["L7163"], "CAM-TAG") == [(0, 1)]
    event = AuditEvent.objects.filter(action="devices.labels_downloaded").latest("pk")
    assert event.data == {"labels": 1, "layout": "L7163", "start": 1}


def test_a_start_position_beyond_the_sheet_is_refused_with_a_message_beside_the_box(school, office, client_for):
    laptop = make_device(school, "laptop")

    response = client_for(office).get(url("labels", school), {"device": [laptop.pk], "layout": "L7165", "start": 9})

    assert response.status_code == 400
    assert response.context["form"].errors["start"] == [
        "Enter a label number from 1 to 8: an L7165 sheet has 8 labels."
    ]
    assert f'value="{laptop.pk}"' in response.content.decode()  # the choice is kept


def test_the_form_page_says_which_devices_the_labels_are_for(school, office, client_for):
    chosen = make_device(school, "laptop", make="Lenovo", model="ThinkPad", asset_tag="OAK-7")
    make_device(school, "laptop", make="Dell", model="Other")

    page = client_for(office).get(url("labels_form", school), {"device": [chosen.pk]})

    assert page.status_code == 200
    html = page.content.decode()
    assert "Labels for 1 device" in html and "Lenovo ThinkPad, asset tag OAK-7" in html and "Dell Other" not in html
    assert "Avery L7160 (21 a sheet)" in html and "8 labels a sheet, 2 across and 4 down" in html


def test_devices_of_another_school_are_never_labelled(school, other_school, office, client_for):
    theirs = make_device(other_school, "laptop", asset_tag="THEIRS-1")
    ours = make_device(school, "laptop", asset_tag="OURS-1")

    response = client_for(office).get(
        url("labels", school), {"device": [theirs.pk, ours.pk], "layout": "L7160", "start": 1}
    )

    texts = " ".join(t for _, t, _, _ in text_positions(response.content))
    assert "OURS-1" in texts and "THEIRS-1" not in texts


def test_people_without_the_register_cannot_print_labels(school, client_for):
    parent = make_member(school, Role.PARENT)
    assert client_for(parent).get(url("labels_form", school)).status_code == 404
    assert client_for(parent).get(url("labels", school)).status_code == 404
