"""The signed PDF of a consent record, and the "do not photograph" list: WeasyPrint
through agreements.pdf.render_pdf, with the same fonts and print CSS approach as the
signed agreement."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone

from agreements.pdf import render_pdf, uk_datetime
from core.pdf import digital_signature_note, render_signed_pdf

__all__ = ["record_pdf_html", "render_pdf", "render_signed_pdf", "do_not_photograph_html", "answer_rows"]


def answer_rows(record, purposes=None):
    """(label, answer) for each purpose of the record's form version, in order."""
    purposes = list(record.form.purposes.all()) if purposes is None else purposes
    return [(p, record.answer(p.code)) for p in purposes]


def record_pdf_html(record) -> str:
    return render_to_string(
        "consent/record_pdf.html",
        {
            "record": record,
            "school": record.school,
            "rows": answer_rows(record),
            "form_text": record.text.text,
            "signed_at_uk": uk_datetime(record.signed_at),
            "issued_at_uk": uk_datetime(timezone.now()),
            "digital_signature_note": digital_signature_note(),
        },
    )


def do_not_photograph_html(*, school, group_name, result, form) -> str:
    now = timezone.now()
    return render_to_string(
        "consent/do_not_photograph_pdf.html",
        {
            "school": school,
            "group_name": group_name,
            "result": result,
            "form": form,
            "printed_at_uk": uk_datetime(now),
        },
    )
