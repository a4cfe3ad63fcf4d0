"""Every download of personal data (signed PDFs, scans, certificates, lists of people,
printed summaries) leaves through here, so each one is answered the same way:

- `Cache-Control: private, no-store`, so no browser cache, proxy or shared computer
  keeps a copy, and `nosniff`, so a browser never reads the file as something else;
- CSVs of people are streamed (`csv_response`): written a row at a time as the rows
  are read a chunk at a time, so a list of a whole school is never held in memory;
- a line in the audit log: who downloaded what kind of thing, from which school and
  which record. The summary says what kind of thing it was ("Compliance list
  downloaded as CSV"), never a name or anything restricted: the record holds that.
"""

import csv
from collections.abc import Iterable

from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.utils.http import content_disposition_header

from . import audit


def private(response):
    """Mark a response that carries personal data: never stored, never sniffed."""
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def record(request, *, action: str, summary: str, school=None, obj=None, data=None):
    """Write the download to the audit log (`school` defaults to the school of the page)."""
    if school is None:
        school = getattr(request, "school", None)
    audit.record(action=action, actor=request.user, school=school, obj=obj, request=request, summary=summary, data=data)


def file_response(
    request,
    file,
    *,
    filename: str,
    content_type: str,
    action: str,
    summary: str,
    school=None,
    obj=None,
    data=None,
    attachment: bool = True,
) -> FileResponse:
    """A stored file (an open file object) sent as a download, private and audited."""
    response = FileResponse(file, as_attachment=attachment, filename=filename, content_type=content_type)
    record(request, action=action, summary=summary, school=school, obj=obj, data=data)
    return private(response)


def content_response(
    request,
    content=b"",
    *,
    filename: str,
    content_type: str,
    action: str,
    summary: str,
    school=None,
    obj=None,
    data=None,
    attachment: bool = True,
) -> HttpResponse:
    """Bytes made for this request (a PDF, or a CSV written into the response after)
    sent as a download, private and audited."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(attachment, filename)
    record(request, action=action, summary=summary, school=school, obj=obj, data=data)
    return private(response)


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value) -> str:
    """A spreadsheet must not run a cell as a formula: a leading apostrophe makes it text."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


class _Line:
    """A file-like object that hands back what csv.writer writes, one line at a time."""

    def write(self, value):
        return value


def _csv_lines(rows: Iterable[Iterable]):
    writer = csv.writer(_Line())
    for row in rows:
        yield writer.writerow([csv_safe(v) for v in row])


def csv_response(
    request,
    rows: Iterable[Iterable],
    *,
    filename: str,
    action: str,
    summary: str,
    school=None,
    obj=None,
    data=None,
) -> StreamingHttpResponse:
    """A CSV streamed as its `rows` (an iterator: the header, then the rows) are read,
    every cell made safe for a spreadsheet; private and audited like every download."""
    response = StreamingHttpResponse(_csv_lines(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    record(request, action=action, summary=summary, school=school, obj=obj, data=data)
    return private(response)
