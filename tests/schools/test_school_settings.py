import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from core.models import AuditEvent


def _png(size=(40, 20), fmt="PNG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (29, 79, 145)).save(buffer, format=fmt)
    return buffer.getvalue()


def _post(client, school, **extra):
    data = {"name": school.name, "address": "1 Mill Lane", **extra}
    return client.post(f"/s/{school.slug}/settings/", data)


def test_head_can_ask_all_staff_to_use_two_step_sign_in(client_for, head, school):
    response = _post(client_for(head), school, mfa_for_all_staff="on")

    assert response.status_code == 302
    school.refresh_from_db()
    assert school.mfa_for_all_staff is True
    event = AuditEvent.objects.get(action="school.settings_changed")
    assert "mfa_for_all_staff" in event.data["fields"]


def test_a_file_named_png_that_is_not_an_image_is_refused_beside_the_field(client_for, head, school):
    fake = SimpleUploadedFile("logo.png", b"<script>alert(1)</script>", content_type="image/png")

    response = _post(client_for(head), school, logo=fake)

    assert response.status_code == 400
    assert "Upload a valid image" in response.content.decode()
    school.refresh_from_db()
    assert not school.logo


def test_an_image_in_another_format_is_refused(client_for, head, school):
    gif = SimpleUploadedFile("logo.gif", _png(fmt="GIF"), content_type="image/gif")

    response = _post(client_for(head), school, logo=gif)

    assert response.status_code == 400
    assert "must be a PNG or JPEG" in response.content.decode()


def test_a_logo_is_saved_and_served_only_to_members(client_for, head, school, outsider, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    logo = SimpleUploadedFile("crest.png", _png(), content_type="image/png")

    assert _post(client_for(head), school, logo=logo).status_code == 302

    response = client_for(head).get(f"/s/{school.slug}/logo/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    assert client_for(outsider).get(f"/s/{school.slug}/logo/").status_code == 404


def test_office_cannot_open_school_settings(client_for, office, school):
    assert client_for(office).get(f"/s/{school.slug}/settings/").status_code == 404


@pytest.mark.parametrize("name", ["logo.svg", "x.html", "logo.pdf", "crest"])
def test_a_png_is_stored_as_png_and_served_as_png_whatever_its_name(client_for, head, school, settings, tmp_path, name):
    settings.MEDIA_ROOT = tmp_path
    upload = SimpleUploadedFile(name, _png(), content_type="image/svg+xml")

    assert _post(client_for(head), school, logo=upload).status_code == 302

    school.refresh_from_db()
    assert school.logo.name.startswith("school-logos/")
    assert school.logo.name.endswith(".png")
    assert name not in school.logo.name
    response = client_for(head).get(f"/s/{school.slug}/logo/")
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert name not in response.get("Content-Disposition", "")


def test_a_jpeg_named_png_is_stored_and_served_as_jpeg(client_for, head, school, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    upload = SimpleUploadedFile("crest.png", _png(fmt="JPEG"), content_type="image/png")

    assert _post(client_for(head), school, logo=upload).status_code == 302

    school.refresh_from_db()
    assert school.logo.name.endswith(".jpg")
    assert client_for(head).get(f"/s/{school.slug}/logo/")["Content-Type"] == "image/jpeg"


def test_a_logo_kept_under_an_old_misleading_name_is_served_by_its_content(
    client_for, head, school, settings, tmp_path
):
    """Logos saved before renaming kept the uploaded name: serve them by what they are."""
    settings.MEDIA_ROOT = tmp_path
    school.logo.save("evil.html", ContentFile(_png()))

    response = client_for(head).get(f"/s/{school.slug}/logo/")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert "html" not in response.get("Content-Disposition", "")


def test_an_svg_named_logo_svg_is_refused_with_a_clear_message(client_for, head, school, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    upload = SimpleUploadedFile("logo.svg", svg, content_type="image/svg+xml")

    response = _post(client_for(head), school, logo=upload)

    assert response.status_code == 400
    assert "logo" in response.context["form"].errors
    assert "Upload a valid image" in response.content.decode()
    school.refresh_from_db()
    assert not school.logo
