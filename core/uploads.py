"""Uploaded documents (scans, screenshots, certificates) are judged by their content,
never by their name: the first bytes must be those of a PDF, a PNG or a JPEG."""

from django.core.exceptions import ValidationError

_SIGNATURES = [
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
]
IMAGE_KINDS = ("image/png", "image/jpeg")


def document_kind(head: bytes) -> tuple[str, str] | None:
    """(content type, extension) for the first bytes of a file, or None."""
    for magic, content_type, extension in _SIGNATURES:
        if head.startswith(magic):
            return content_type, extension
    return None


def kind_of_file(file) -> tuple[str, str] | None:
    """(content type, extension) of an open file judged by its first bytes, or None;
    the file is left at its start."""
    file.seek(0)
    kind = document_kind(file.read(16))
    file.seek(0)
    return kind


def check_document(upload, *, field: str, max_bytes: int, refused: str, kinds=None) -> tuple[str, str]:
    """The upload's (content type, extension) if it is a PDF, PNG or JPEG of at most
    `max_bytes` (or, with `kinds`, one of those content types only, e.g. images);
    otherwise a ValidationError with `refused` beside `field`."""
    if upload is None or not upload.size or upload.size > max_bytes:
        raise ValidationError({field: refused})
    upload.seek(0)
    kind = document_kind(upload.read(16))
    upload.seek(0)
    if kind is None or (kinds is not None and kind[0] not in kinds):
        raise ValidationError({field: refused})
    return kind
