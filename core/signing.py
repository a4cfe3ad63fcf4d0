"""PAdES signatures on the portal's PDFs (pyHanko), and checking them.

- `sign_pdf`: the portal certifies a freshly rendered PDF: a certification signature
  (DocMDP level 2: afterwards only form filling and further signatures are allowed,
  anything else shows as a change), PAdES baseline B-T with a timestamp authority
  (PDF_TSA_URL), B-LT when our certificate names where its revocation status is
  published (the validation data is embedded), signing time only without a TSA. It can
  leave empty signature fields for people who sign later (a parent's countersignature).
- `add_signature`: a later signature in one of those fields, as an incremental update
  (the earlier signatures stay valid), with a visible stamp.
- `validate_pdf`: what a PDF's signatures say, in a `PdfCheck`: each signature's signer,
  times, integrity, whether our certificate vouches for it and what changed after it;
  an overall verdict and plain-English sentences for the verify page and verify_pdf.

The key is core.signing_keys.signing_key(); checks trust its CA (or the certificate
itself), so a file can be checked years later with only that certificate."""

from __future__ import annotations

import enum
import functools
import io
import logging
import os
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from django.conf import settings

from .signing_keys import SigningKey, certificate_fingerprint, signing_key

logger = logging.getLogger(__name__)

CERTIFICATION_FIELD = "Portal certification"
FONT = "static/fonts/DejaVuSans.ttf"
# Where the empty fields for later signatures go: a row of boxes at the foot of the
# last page (points, A4 is 595 x 842), above the page footer, two to a row.
FIELD_WIDTH, FIELD_HEIGHT, FIELD_GAP = 250, 64, 15
FIELD_LEFT, FIELD_BOTTOM = 42, 70


class Verdict(enum.StrEnum):
    VALID = "valid"  # signed by us, nothing changed but what the signature allows
    CHANGED = "changed"  # bytes or pages changed after signing
    OTHER_SIGNER = "other_signer"  # intact, but not signed by our certificate
    UNSIGNED = "unsigned"  # no signature at all (stripped, or never signed)
    UNREADABLE = "unreadable"  # not a PDF we can read


@dataclass(frozen=True)
class SignatureCheck:
    field: str
    signer: str  # the certificate's common name (organisation)
    fingerprint: str  # SHA-256 of the signer's certificate
    reason: str
    certification: bool  # the portal's certification signature (the first one)
    signed_at: datetime | None  # the time the signer's clock gave
    timestamp: bool  # an RFC 3161 timestamp is attached
    timestamp_valid: bool  # ... and its signature is sound
    timestamp_trusted: bool  # ... and its authority is trusted here
    timestamp_at: datetime | None
    intact: bool  # the signed bytes are unchanged and the cryptographic signature holds
    ours: bool  # the certificate is ours (chains to our CA / is our certificate)
    whole_file: bool  # covers the file to its last byte
    changes: str  # after this signature: "none", "signatures", "form_filling", "annotations", "other"
    changes_allowed: bool  # ... within what the certification allows
    problem: str = ""  # why it could not be checked, if it could not

    @property
    def good(self) -> bool:
        return self.intact and self.ours and self.changes_allowed


@dataclass(frozen=True)
class PdfCheck:
    verdict: Verdict
    signatures: list[SignatureCheck] = field(default_factory=list)
    sentences: list[str] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return self.verdict == Verdict.VALID

    @property
    def headline(self) -> str:
        return self.sentences[0] if self.sentences else ""


# --- signing ---------------------------------------------------------------------------


def _signer(key: SigningKey):
    from pyhanko.sign import signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    return signers.SimpleSigner(
        signing_cert=key.asn1_certificate(),
        signing_key=key.asn1_private_key(),
        cert_registry=SimpleCertificateStore.from_certs(key.asn1_chain()),
    )


def _timestamper():
    url = getattr(settings, "PDF_TSA_URL", "")
    return _timestamper_for(url, getattr(settings, "PDF_TSA_TIMEOUT", 10)) if url else None


@functools.cache
def _timestamper_for(url: str, timeout: int):
    """One client per authority for the process: pyHanko sizes a signature with a
    sample timestamp, which the client keeps, so after the first signature each
    costs one request to the authority, not two."""
    from pyhanko.sign.timestamps import HTTPTimeStamper

    return HTTPTimeStamper(url, timeout=timeout)


def timestamp_authority_used() -> bool:
    """Whether signatures get a timestamp from an authority (the PDFs say so when not)."""
    return bool(getattr(settings, "PDF_TSA_URL", ""))


def _has_revocation_pointers(certificate: x509.Certificate) -> bool:
    """B-LT needs revocation information to embed: only a certificate that says where
    its status is published (CRL distribution points or an OCSP responder) has any."""
    for extension in certificate.extensions:
        if isinstance(extension.value, x509.CRLDistributionPoints):
            return True
        if isinstance(extension.value, x509.AuthorityInformationAccess):
            return True
    return False


def _validation_context(anchors: Iterable[x509.Certificate], *, fetching: bool = False):
    from pyhanko_certvalidator import ValidationContext

    return ValidationContext(
        trust_roots=[_asn1(c) for c in anchors],
        allow_fetching=fetching,
        # Our own CA publishes no revocation lists; a certificate that names none is
        # not "revoked" for lack of one.
        revocation_mode="soft-fail",
    )


def _asn1(certificate: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))


def _page_count(writer) -> int:
    return int(writer.root["/Pages"]["/Count"])


def field_boxes(count: int) -> list[tuple[int, int, int, int]]:
    """Boxes for `count` signature fields at the foot of the last page, two to a row,
    filling upwards."""
    boxes = []
    for index in range(count):
        row, column = divmod(index, 2)
        x1 = FIELD_LEFT + column * (FIELD_WIDTH + FIELD_GAP)
        y1 = FIELD_BOTTOM + row * (FIELD_HEIGHT + FIELD_GAP)
        boxes.append((x1, y1, x1 + FIELD_WIDTH, y1 + FIELD_HEIGHT))
    return boxes


def _writer(pdf: bytes):
    # pyHanko reads WeasyPrint's XMP as its own kind of stream and updates it in place
    # (modification date, producer), so the PDF/A identification survives signing.
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    return IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)


def sign_pdf(pdf: bytes, *, reason: str, open_fields: Sequence[str] = ()) -> bytes:
    """The portal's certification signature on `pdf` (see the module's docstring),
    leaving an empty signature field for each name in `open_fields`."""
    from pyhanko.sign import fields, signers

    key = signing_key()
    writer = _writer(pdf)
    if open_fields:
        last_page = _page_count(writer) - 1
        for name, box in zip(open_fields, field_boxes(len(open_fields)), strict=True):
            fields.append_signature_field(writer, fields.SigFieldSpec(name, on_page=last_page, box=box))
    lt = _has_revocation_pointers(key.certificate) and timestamp_authority_used()
    meta = signers.PdfSignatureMetadata(
        field_name=CERTIFICATION_FIELD,
        reason=reason,
        name=key.certificate.subject.rfc4514_string(),
        certify=True,
        docmdp_permissions=fields.MDPPerm.FILL_FORMS,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        embed_validation_info=lt,
        validation_context=_validation_context(key.trust_anchors, fetching=True) if lt else None,
    )
    pdf_signer = signers.PdfSigner(
        meta,
        signer=_signer(key),
        timestamper=_timestamper(),
        new_field_spec=fields.SigFieldSpec(CERTIFICATION_FIELD),  # invisible
    )
    output = pdf_signer.sign_pdf(writer, output=io.BytesIO())
    return output.getvalue()


class SignatureFieldError(ValueError):
    """No empty signature field of that name in the PDF."""


def empty_signature_fields(pdf: bytes) -> list[str]:
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign import fields

    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    return [name for name, _value, _ref in fields.enumerate_sig_fields(reader, filled_status=False)]


@functools.cache
def stamp_font_path() -> str:
    """DejaVu Sans cut to Latin and punctuation and rescaled to 1000 units per em, in
    the temporary folder: pyHanko (0.38) writes a font's glyph widths unscaled, which
    is right only for 1000-unit fonts (DejaVu has 2048, and its letters came out spaced
    apart). Made once per machine (about a second), then reused."""
    source = settings.BASE_DIR / FONT
    target = Path(tempfile.gettempdir()) / f"aup-stamp-font-{int(source.stat().st_mtime)}.ttf"
    if target.exists():
        return str(target)
    from fontTools import subset
    from fontTools.ttLib import TTFont
    from fontTools.ttLib.scaleUpem import scale_upem

    font = TTFont(str(source))
    options = subset.Options()
    options.name_IDs = ["*"]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[*range(0x20, 0x250), *range(0x2000, 0x2070), 0x20AC, 0x2122])
    subsetter.subset(font)
    scale_upem(font, 1000)
    partial = target.with_suffix(f".{os.getpid()}.part")
    font.save(str(partial))
    os.replace(partial, target)
    return str(target)


def _stamp_style():
    from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
    from pyhanko.pdf_utils.text import TextBoxStyle
    from pyhanko.stamp import TextStampStyle

    # An embedded font (PDF/A wants every font embedded; pyHanko's default is Courier).
    font = GlyphAccumulatorFactory(stamp_font_path(), font_size=9)
    return TextStampStyle(
        stamp_text="%(lines)s",
        text_box_style=TextBoxStyle(font=font, font_size=9, leading=11),
        border_width=1,
    )


def add_signature(
    pdf: bytes, *, field: str, reason: str, stamp_lines: Sequence[str] = (), signer_name: str = ""
) -> bytes:
    """A further (approval) signature by the portal's key in the empty field `field`,
    appended as an incremental update, so the signatures before it still validate.
    The stamp in the field shows `stamp_lines` (name, role, time); `signer_name`, when
    given, is recorded as the signature's /Name (the person, not the certificate)."""
    from pyhanko.sign import fields, signers

    if field not in empty_signature_fields(pdf):
        raise SignatureFieldError(f"The PDF has no empty signature field named {field!r}.")
    key = signing_key()
    writer = _writer(pdf)
    meta = signers.PdfSignatureMetadata(
        field_name=field,
        reason=reason,
        name=signer_name or None,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
    )
    pdf_signer = signers.PdfSigner(meta, signer=_signer(key), timestamper=_timestamper(), stamp_style=_stamp_style())
    output = pdf_signer.sign_pdf(
        writer,
        existing_fields_only=True,
        appearance_text_params={"lines": "\n".join(stamp_lines) or reason},
        output=io.BytesIO(),
    )
    return output.getvalue()


# --- checking --------------------------------------------------------------------------


def _our_anchors(anchors: Sequence[x509.Certificate] | None) -> tuple[x509.Certificate, ...]:
    if anchors is not None:
        return tuple(anchors)
    return signing_key().trust_anchors


def _change_level(status) -> str:
    from pyhanko.sign.diff_analysis import ModificationLevel

    level = status.modification_level
    if level is None:
        return "other"
    return {
        ModificationLevel.NONE: "none",
        ModificationLevel.LTA_UPDATES: "signatures",
        ModificationLevel.FORM_FILLING: "form_filling",
        ModificationLevel.ANNOTATIONS: "annotations",
    }.get(level, "other")


def _common_name(certificate: asn1_x509.Certificate) -> str:
    subject = certificate.subject.native
    return subject.get("common_name") or subject.get("organization_name") or certificate.subject.human_friendly


def _check_one(embedded, anchors, ts_context) -> SignatureCheck:
    from pyhanko.sign.validation import validate_pdf_signature

    name = embedded.field_name or ""
    reason = str(embedded.sig_object.get("/Reason", "") or "")
    certification = embedded.sig_object_type == "/Sig" and embedded.docmdp_level is not None
    try:
        cert = embedded.signer_cert
        signer = _common_name(cert)
        fingerprint = certificate_fingerprint(x509.load_der_x509_certificate(cert.dump()))
    except Exception:  # noqa: BLE001 - a mangled signature has no readable certificate
        signer, fingerprint = "", ""
    try:
        status = validate_pdf_signature(
            embedded, signer_validation_context=_validation_context(anchors), ts_validation_context=ts_context
        )
    except Exception as error:  # noqa: BLE001 - damaged files raise all sorts
        logger.info("A PDF signature could not be checked: %s", type(error).__name__)
        return SignatureCheck(
            field=name,
            signer=signer,
            fingerprint=fingerprint,
            reason=reason,
            certification=certification,
            signed_at=None,
            timestamp=False,
            timestamp_valid=False,
            timestamp_trusted=False,
            timestamp_at=None,
            intact=False,
            ours=False,
            whole_file=False,
            changes="other",
            changes_allowed=False,
            problem=type(error).__name__,
        )
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    ts = status.timestamp_validity
    changes = _change_level(status)
    return SignatureCheck(
        field=name,
        signer=signer,
        fingerprint=fingerprint,
        reason=reason,
        certification=certification,
        signed_at=status.signer_reported_dt,
        timestamp=ts is not None,
        timestamp_valid=bool(ts and ts.intact and ts.valid),
        timestamp_trusted=bool(ts and ts.intact and ts.valid and ts.trusted),
        timestamp_at=ts.timestamp if ts is not None else None,
        intact=bool(status.intact and status.valid),
        ours=bool(status.intact and status.valid and status.trusted),
        whole_file=status.coverage == SignatureCoverageLevel.ENTIRE_FILE,
        changes=changes,
        changes_allowed=bool(status.docmdp_ok is not False and changes in ("none", "signatures", "form_filling")),
    )


def _read(pdf: bytes):
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    return reader, list(reader.embedded_signatures)


def validate_pdf(
    pdf: bytes,
    *,
    anchors: Sequence[x509.Certificate] | None = None,
    tsa_anchors: Sequence[x509.Certificate] = (),
) -> PdfCheck:
    """Check every signature in `pdf` against our certificate (or `anchors`, the
    certificates a checker trusts: verify_pdf --cert) and say what was found.
    Timestamps are trusted when their authority is in `tsa_anchors`, PDF_TSA_CERTIFICATES
    or, failing both, the anchors (our own CA may run our TSA)."""
    our = _our_anchors(anchors)
    try:
        _reader, embedded = _read(pdf)
    except Exception as error:  # noqa: BLE001 - not a PDF, or too damaged to read
        logger.info("A PDF could not be read for checking: %s", type(error).__name__)
        return PdfCheck(
            Verdict.UNREADABLE,
            sentences=["The file could not be read as a PDF, so its signature cannot be checked."],
        )
    if not embedded:
        return PdfCheck(
            Verdict.UNSIGNED,
            sentences=[
                "The file carries no digital signature.",
                "Every PDF the portal issues is signed, so this is a copy with its signature "
                "removed, or a document the portal did not issue.",
            ],
        )
    tsa = list(tsa_anchors) or tsa_certificates() or list(our)
    ts_context = _validation_context([*tsa, *our])
    checks = [_check_one(sig, our, ts_context) for sig in embedded]
    return PdfCheck(_verdict(checks), checks, _sentences(checks))


def tsa_certificates() -> list[x509.Certificate]:
    """The timestamp authority's certificates we trust (PDF_TSA_CERTIFICATES, a PEM
    file), for checking its timestamps."""
    path = getattr(settings, "PDF_TSA_CERTIFICATES", "")
    if not path:
        return []
    with open(path, "rb") as pem:
        return x509.load_pem_x509_certificates(pem.read())


def _verdict(checks: list[SignatureCheck]) -> Verdict:
    if any(not c.intact for c in checks):
        # Bytes inside a signed range changed, or the signature itself was damaged; a
        # sound signature by someone else is OTHER_SIGNER below, not a change.
        return Verdict.CHANGED
    if any(not c.ours for c in checks):
        return Verdict.OTHER_SIGNER
    if any(not c.changes_allowed for c in checks):
        return Verdict.CHANGED
    return Verdict.VALID


def _when(moment: datetime | None) -> str:
    from .pdf import uk_datetime

    return uk_datetime(moment) if moment else "an unknown time"


def _sentences(checks: list[SignatureCheck]) -> list[str]:
    verdict = _verdict(checks)
    count = len(checks)
    headline = {
        Verdict.VALID: (
            "The portal's digital signature is valid: the file is exactly as the portal signed it"
            if count == 1
            else f"All {count} digital signatures are valid, and the file has not changed since they were made"
        ),
        Verdict.CHANGED: "The file has been changed since it was signed",
        Verdict.OTHER_SIGNER: "The file is signed, but not with the portal's certificate",
    }[verdict]
    sentences = [headline + "."]
    for check in checks:
        sentences.extend(_about(check))
    return sentences


def _about(check: SignatureCheck) -> list[str]:
    what = "The portal's certification signature" if check.certification else f"The signature '{check.field}'"
    if not check.intact:
        if check.problem:
            return [f"{what} could not be checked: the file is damaged or was altered."]
        return [f"{what} no longer matches the file: something in it was altered after signing."]
    said = [f"{what}, by {check.signer}, was made on {_when(check.signed_at)}."]
    if not check.ours:
        said.append(f"Its certificate (fingerprint {check.fingerprint}) is not the portal's certificate.")
    if check.timestamp and check.timestamp_valid:
        trusted = "" if check.timestamp_trusted else " (from an authority not known here)"
        said.append(f"A timestamp authority confirms it existed at {_when(check.timestamp_at)}{trusted}.")
    elif check.timestamp:
        said.append("Its timestamp is not valid.")
    else:
        said.append("No timestamp authority was used: the time is the portal's own clock.")
    if not check.changes_allowed:
        said.append(
            {
                "annotations": "After it was signed, comments or markings were added to the file.",
            }.get(check.changes, "After it was signed, the file was altered (for example a page was changed).")
        )
    elif check.changes == "form_filling" and check.certification:
        said.append("Later signatures were added after it, which it allows.")
    return said


def public_certificate_pem(key: SigningKey | None = None) -> bytes:
    """What someone checking our PDFs trusts: our CA's certificate (or our own, when the
    configured file holds no CA), then our signing certificate, as PEM."""
    key = key or signing_key()
    certificates = [*key.trust_anchors]
    if key.certificate not in certificates:
        certificates.append(key.certificate)
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certificates)


def load_certificates(pem: bytes) -> list[x509.Certificate]:
    try:
        return x509.load_pem_x509_certificates(pem)
    except ValueError:
        return [x509.load_der_x509_certificate(pem)]


def fingerprint_of(certificate: x509.Certificate) -> str:
    return certificate_fingerprint(certificate)


__all__ = [
    "PdfCheck",
    "SignatureCheck",
    "SignatureFieldError",
    "Verdict",
    "add_signature",
    "empty_signature_fields",
    "public_certificate_pem",
    "sign_pdf",
    "timestamp_authority_used",
    "validate_pdf",
]
