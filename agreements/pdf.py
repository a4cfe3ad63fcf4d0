"""The signed PDF: rendered by WeasyPrint from a template with print CSS."""

from django.conf import settings
from django.template.loader import render_to_string


def signed_pdf_html(signature) -> str:
    return render_to_string("agreements/signed_pdf.html", {"signature": signature, "site_url": settings.SITE_URL})


def render_pdf(html: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
