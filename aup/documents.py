"""An uploaded policy document, made readable on the signing pages.

A Word document (.docx) is converted to HTML once, when it is uploaded, by mammoth
(pure Python: it keeps the document's structure, headings, lists and tables, and
drops its styling), then sanitised by nh3 to a short list of tags with no attributes
but links, so nothing in a document can run in the page. Images are left out: the
converted text is for reading on a phone; the original stays downloadable. A PDF is
shown by the browser itself, from a view that checks who may see it.
"""

from __future__ import annotations

import hashlib
import re

import mammoth
import nh3

ALLOWED_TAGS = {
    "p",
    "br",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "ul",
    "ol",
    "li",
    "strong",
    "em",
    "b",
    "i",
    "u",
    "sup",
    "sub",
    "a",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "blockquote",
}


_HEADING_TAG = re.compile(r"<(/?)h([1-6])>")


class UnreadableDocument(ValueError):
    """The file looks like a Word document but can't be converted."""


def _no_images(image):
    return {}


def _demote_headings(html: str) -> str:
    """The document's headings sit under the page's own h1 and h2: h1 becomes h3, and
    so on (sanitised HTML: heading tags carry no attributes)."""
    return _HEADING_TAG.sub(lambda m: f"<{m.group(1)}h{min(int(m.group(2)) + 2, 6)}>", html)


def docx_to_html(upload) -> str:
    """Sanitised HTML of a .docx file (an open file or upload), for showing inline.
    Raises UnreadableDocument for a file mammoth can't read."""
    upload.seek(0)
    try:
        result = mammoth.convert_to_html(upload, convert_image=mammoth.images.img_element(_no_images))
    except Exception as error:  # a damaged or unusual file: mammoth raises many kinds
        raise UnreadableDocument(str(error)) from error
    finally:
        upload.seek(0)
    return _demote_headings(sanitise(result.value))


def sanitise(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href"}, "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
        strip_comments=True,
    ).strip()


def sha256_of(file) -> str:
    """The SHA-256 of a stored file's bytes, read in chunks."""
    digest = hashlib.sha256()
    with file.open("rb") as stored:
        for chunk in iter(lambda: stored.read(64 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()
