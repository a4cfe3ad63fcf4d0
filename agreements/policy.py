"""The policy on every signing page (staff, parents, the reception kiosk, the class
kiosk): nobody is asked to sign statements without the policy they refer to in
front of them.

A policy written in the portal is shown inline, in sections, with a contents list
when it is long; a Word document as the HTML it was converted to on upload; a PDF in
the page (and on its own, for phones), from a view of the signing page's own that
checks the person may sign the form. The school's short summary comes first.
templates/agreements/_policy.html shows it; static/js/policy.js records the opening."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import FileResponse, Http404

from aup.models import PolicyVersion
from aup.policy_text import PolicyText, parse
from core import downloads

# A policy this short (and with no contents list) is shown open; a longer one is one
# tap away, so the statements are not pushed off the screen.
OPEN_UP_TO_CHARS = 1500


@dataclass
class PolicyShown:
    version: PolicyVersion
    text: PolicyText
    document_url: str = ""
    download_url: str = ""  # the original Word document, where a download makes sense
    kiosk: bool = False

    @property
    def policy(self):
        return self.version.policy

    @property
    def document_name(self) -> str:
        return self.version.document_filename

    @property
    def open_text(self) -> bool:
        return not self.version.document and not self.text.contents and len(self.version.body) <= OPEN_UP_TO_CHARS

    @property
    def has_anything(self) -> bool:
        return bool(self.text or self.version.document or self.version.summary.strip())


def policy_shown(agreement, *, document_url: str = "", kiosk: bool = False) -> PolicyShown:
    """What the signing page shows of the policy behind `agreement`. `document_url`
    is the page's own view of the uploaded document."""
    version = agreement.version
    download = document_url if version.document and not version.document_is_pdf and not kiosk else ""
    return PolicyShown(
        version=version,
        text=parse(version.body),
        document_url=document_url if version.document else "",
        download_url=download,
        kiosk=kiosk,
    )


def document_response(version: PolicyVersion):
    """The uploaded policy document: a PDF shown by the browser (in the signing page
    or on its own), a Word document downloaded. Never cached; the caller has checked
    that the person may sign a form of this version."""
    if not version.document:
        raise Http404("This policy has no document.")
    pdf = version.document_is_pdf
    name = version.document_filename
    content_type = (
        "application/pdf" if pdf else "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    response = FileResponse(
        version.document.open("rb"), as_attachment=not pdf, filename=name, content_type=content_type
    )
    # The browser's PDF viewer is not a page of ours: no content security policy (its
    # object-src 'none' would stop the viewer drawing), and framing only by our own
    # signing pages.
    response._csp_exempt = True
    response["X-Frame-Options"] = "SAMEORIGIN"
    return downloads.private(response)
