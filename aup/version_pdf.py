"""A policy version on paper: its details, text, agreement forms, change log and the
approval block of seed 001 (the chair's and the head's names, each with the date they
signed, and the meeting at which it was agreed). Made on request through core.pdf and
sent through core.downloads (private, audited), for whoever may open the version."""

from __future__ import annotations

from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify

from core import downloads
from core.pdf import render_pdf, uk_date, uk_datetime

from .models import Audience, Statement


def version_pdf_context(scope, request, version) -> dict:
    order = {audience: i for i, audience in enumerate(Audience.values)}  # as on the version page
    forms = sorted(
        version.forms.prefetch_related(Prefetch("statements", queryset=Statement.objects.order_by("number"))),
        key=lambda f: order[f.audience],
    )
    trust = version.policy.trust_id is not None or version.policy.adopted_from_id is not None
    return {
        # pdf_base.html names the owner in the running header: the school, or the trust.
        "school": scope.owner(request),
        "policy": version.policy,
        "version": version,
        "forms": forms,
        "changes": version.change_log.all(),
        "approved_by_trust": trust,
        "dates": {
            name: uk_date(getattr(version, name)) if getattr(version, name) else ""
            for name in ("approved_on", "chair_signed_on", "head_signed_on", "adopted_on", "reviewed_on")
        },
        "next_review_on": uk_date(version.next_review_on) if version.next_review_on else "",
        "printed_at_uk": uk_datetime(timezone.now()),
        "printed_by": request.user.full_name,
    }


def version_pdf_html(scope, request, version) -> str:
    return render_to_string("aup/version_pdf.html", version_pdf_context(scope, request, version))


def version_pdf_response(scope, request, version):
    policy = version.policy
    return downloads.content_response(
        request,
        render_pdf(version_pdf_html(scope, request, version)),
        filename=f"{slugify(policy.title) or 'policy'}-version-{version.number}.pdf",
        content_type="application/pdf",
        attachment=False,
        action="policy.version_pdf_downloaded",
        summary="Policy version downloaded as PDF",
        school=policy.school,
        obj=version,
        data={"trust": policy.trust_id} if policy.trust_id else None,
    )
