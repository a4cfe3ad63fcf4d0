"""The signed PDF: rendered by WeasyPrint from a template with print CSS and the fonts
shipped in static/fonts/ (DejaVu Sans), so the output is the same on every machine.

PDF/A-3b: WeasyPrint 70 writes it (`pdf_variant="pdf/a-3b"`): every font embedded,
XMP metadata and an sRGB output intent. A-3 rather than A-1 because the drawn signature
is a PNG with transparency, which PDF/A-1 forbids.
"""

from __future__ import annotations

import base64
from zoneinfo import ZoneInfo

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

PDF_VARIANT = "pdf/a-3b"
UK = ZoneInfo("Europe/London")


def verify_url(code: str) -> str:
    return f"{settings.SITE_URL}/verify/?code={code}"


def qr_code_data_uri(data: str) -> str:
    """An SVG QR code (vector, so it prints sharply) as a data: URI. qrcode computes the
    modules; the SVG is one path with a run of dark modules per segment, written here
    because qrcode's own SVG images (ElementTree) take several times longer."""
    import qrcode

    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2)
    qr.add_data(data)
    qr.make(fit=True)
    matrix = qr.get_matrix()
    size = len(matrix)
    runs = []
    for y, row in enumerate(matrix):
        x = 0
        while x < size:
            if row[x]:
                start = x
                while x < size and row[x]:
                    x += 1
                runs.append(f"M{start} {y}h{x - start}v1h-{x - start}z")
            else:
                x += 1
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" shape-rendering="crispEdges">'
        f'<rect width="{size}" height="{size}" fill="#fff"/><path fill="#000" d="{"".join(runs)}"/></svg>'
    )
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("ascii")).decode("ascii")


def uk_datetime(moment) -> str:
    """'Monday 23 November 2026 at 15:04 GMT' in UK time (GMT or BST as it was)."""
    local = timezone.localtime(moment, UK)
    return f"{local:%A} {local.day} {local:%B %Y} at {local:%H:%M} {local.tzname()}"


def signed_pdf_context(signature) -> dict:
    version = signature.form.version
    return {
        "signature": signature,
        "school": signature.school,
        "policy": version.policy,
        "version": version,
        "form_text": signature.text.text,
        "signed_at_uk": uk_datetime(signature.signed_at),
        "issued_at_uk": uk_datetime(timezone.now()),
        "verify_url": verify_url(signature.verification_code),
        "verify_page": f"{settings.SITE_URL}/verify/",
        "qr_code": qr_code_data_uri(verify_url(signature.verification_code)),
    }


def signed_pdf_html(signature) -> str:
    return render_to_string("agreements/signed_pdf.html", signed_pdf_context(signature))


def _base_url() -> str:
    """The project folder, so the template's url("static/fonts/...") finds the fonts."""
    return (settings.BASE_DIR.resolve()).as_uri() + "/"


def render_pdf(html: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html, base_url=_base_url()).write_pdf(pdf_variant=PDF_VARIANT)


def signed_pdf_response(request, signature, document, *, summary: str = "Signed agreement downloaded as PDF"):
    """The stored signed PDF of `signature` as a download: private and audited, from
    whichever page serves it (the signer's, the school's, the family's, a loan's)."""
    from core import downloads

    return downloads.file_response(
        request,
        document.file.open("rb"),
        filename=f"{signature.verification_code}.pdf",
        content_type="application/pdf",
        action="agreement.pdf_downloaded",
        summary=summary,
        school=signature.school,
        obj=signature,
    )
