"""PDF rendering every area shares: WeasyPrint, from a template extending
templates/pdf_base.html (print CSS, the fonts shipped in static/fonts/, so the output
is the same on every machine), and dates in UK time as the documents say them.

PDF/A-3b: WeasyPrint writes it (`pdf_variant="pdf/a-3b"`): every font embedded, XMP
metadata and an sRGB output intent. A-3 rather than A-1 because a drawn signature is a
PNG with transparency, which PDF/A-1 forbids."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

PDF_VARIANT = "pdf/a-3b"
UK = ZoneInfo("Europe/London")


def uk_datetime(moment) -> str:
    """'Monday 23 November 2026 at 15:04 GMT' in UK time (GMT or BST as it was)."""
    local = timezone.localtime(moment, UK)
    return f"{local:%A} {local.day} {local:%B %Y} at {local:%H:%M} {local.tzname()}"


def uk_date(day) -> str:
    """'Monday 23 November 2026', from a date or (in UK time) a moment."""
    if hasattr(day, "hour"):
        day = timezone.localtime(day, UK)
    return f"{day:%A} {day.day} {day:%B %Y}"


def _base_url() -> str:
    """The project folder, so the template's url("static/fonts/...") finds the fonts."""
    return (settings.BASE_DIR.resolve()).as_uri() + "/"


def render_pdf(html: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html, base_url=_base_url()).write_pdf(pdf_variant=PDF_VARIANT)


def render_signed_pdf(html: str, *, reason: str, open_fields=()) -> bytes:
    """Render, then sign with the portal's key (core/signing.py): every PDF that is
    evidence of a signature goes through here. The stored hash is of these bytes."""
    from .signing import sign_pdf

    return sign_pdf(render_pdf(html), reason=reason, open_fields=open_fields)


def digital_signature_note() -> str:
    """The sentence a signed PDF prints about its own digital signature and its time."""
    from .signing import timestamp_authority_used

    if timestamp_authority_used():
        time = "Its time is certified by an independent timestamp authority."
    else:
        time = "No timestamp authority was used: the signing time is the portal's own clock."
    return (
        "This PDF carries the portal's digital signature, which Adobe Acrobat Reader and other "
        f"PDF readers can check, and which shows any later change to the file. {time}"
    )
