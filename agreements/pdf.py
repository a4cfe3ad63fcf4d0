"""The signed PDF: rendered by WeasyPrint (core.pdf) from a template with print CSS and
the fonts shipped in static/fonts/ (DejaVu Sans), so the output is the same on every
machine; PDF/A-3b, because the drawn signature is a PNG with transparency.
"""

from __future__ import annotations

import base64

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

# Other areas import these from here as well as from core.pdf.
from core.pdf import (  # noqa: F401
    PDF_VARIANT,
    UK,
    _base_url,
    digital_signature_note,
    render_pdf,
    uk_date,
    uk_datetime,
)


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


def signed_pdf_context(signature) -> dict:
    from .chain import chain_of_events
    from .countersigning.selectors import open_fields_for
    from .signing_record import evidence_rows

    version = signature.form.version
    issued_at = timezone.now()
    return {
        "signature": signature,
        "school": signature.school,
        "policy": version.policy,
        "version": version,
        "form_text": signature.text.text,
        "signed_at_uk": uk_datetime(signature.signed_at),
        "issued_at_uk": uk_datetime(issued_at),
        "verify_url": verify_url(signature.verification_code),
        "verify_page": f"{settings.SITE_URL}/verify/",
        "qr_code": qr_code_data_uri(verify_url(signature.verification_code)),
        "evidence": evidence_rows(signature),
        "chain": chain_of_events(signature, issued_at=issued_at),
        "awaits_countersignature": bool(open_fields_for(signature)),
        "countersignature_field": ", ".join(open_fields_for(signature)),
        "digital_signature_note": digital_signature_note(),
    }


def signed_pdf_html(signature) -> str:
    return render_to_string("agreements/signed_pdf.html", signed_pdf_context(signature))


def signed_pdf_response(request, signature, document, *, summary: str = "Signed agreement downloaded as PDF"):
    """The stored signed PDF of `signature` as a download: private and audited, from
    whichever page serves it (the signer's, the school's, the family's, a loan's)."""
    from core import downloads

    from .countersigning.selectors import document_of

    # Once countersigned, the file with both signatures is the document.
    document = document_of(signature) or document
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
