"""Reading an uploaded MIS export: checked before it is parsed, so a wrong file gets
a clear message rather than a page of nonsense."""

import csv
import hashlib
import io
from dataclasses import dataclass

from django.core.exceptions import ValidationError

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000

# What other files people pick by mistake, by their first bytes.
_SIGNATURES = [
    (b"PK\x03\x04", "This looks like an Excel workbook (.xlsx). In Excel, choose File › Save As › CSV, then upload that file."),
    (b"\xd0\xcf\x11\xe0", "This looks like an old Excel workbook (.xls). In Excel, choose File › Save As › CSV, then upload that file."),
    (b"%PDF", "This is a PDF. Export the list from your MIS as a CSV file instead."),
    (b"\x89PNG", "This is an image, not a CSV file."),
    (b"\xff\xd8\xff", "This is an image, not a CSV file."),
]  # fmt: skip


@dataclass(frozen=True)
class CsvFile:
    text: str
    delimiter: str
    sha256: str


@dataclass(frozen=True)
class Row:
    line: int  # as a spreadsheet shows it: the heading is line 1
    values: dict[str, str]


def read_upload(upload) -> CsvFile:
    """Check an uploaded file and return its text. Raises ValidationError with a
    sentence the office understands."""
    raw = upload.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        raise ValidationError("The file is larger than 5 MB. Export only the columns the portal needs.")
    return check_bytes(raw)


def check_bytes(raw: bytes) -> CsvFile:
    if not raw.strip():
        raise ValidationError("The file is empty.")
    for signature, message in _SIGNATURES:
        if raw.startswith(signature):
            raise ValidationError(message)
    # Excel's "Unicode Text" is UTF-16 with a byte-order mark (and tab-separated).
    is_utf16 = raw.startswith((b"\xff\xfe", b"\xfe\xff"))
    if not is_utf16 and b"\x00" in raw[:4096]:
        raise ValidationError("This is not a text file. Export the list from your MIS as a CSV file.")
    text = _decode(raw, utf16=is_utf16)
    delimiter = _delimiter(text)
    return CsvFile(text=text, delimiter=delimiter, sha256=hashlib.sha256(raw).hexdigest())


def _decode(raw: bytes, *, utf16: bool = False) -> str:
    # UTF-8 (with or without the byte-order mark Excel adds), else Windows-1252,
    # which older MIS exports use for names like Zoë and Siobhán.
    for encoding in ("utf-16",) if utf16 else ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding).replace("\r\n", "\n").replace("\r", "\n")
        except UnicodeDecodeError:
            continue
    raise ValidationError("The file's text encoding is not one we can read. Save it as 'CSV UTF-8' and try again.")


def _delimiter(text: str) -> str:
    first_line = text.split("\n", 1)[0]
    try:
        return csv.Sniffer().sniff(first_line, delimiters=",;\t|").delimiter
    except csv.Error:
        if any(d in first_line for d in ",;\t|"):
            return max(",;\t|", key=first_line.count)
        raise ValidationError(
            "We could not find columns in this file. The first line should hold the column headings, "
            "separated by commas."
        ) from None


def rows(csv_file_text: str, delimiter: str) -> tuple[list[str], list[Row]]:
    """The headings and the rows, skipping blank lines."""
    reader = csv.reader(io.StringIO(csv_file_text), delimiter=delimiter)
    try:
        headings = [h.strip() for h in next(reader)]
    except StopIteration:
        raise ValidationError("The file is empty.") from None
    if len([h for h in headings if h]) < 2:
        raise ValidationError("The first line should hold at least two column headings.")
    parsed = []
    # Count records, not physical lines: a quoted cell holding a line break (an
    # address) is still one row in a spreadsheet, and a blank line is a row too.
    for line, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue
        if len(parsed) >= MAX_ROWS:
            raise ValidationError(f"The file has more than {MAX_ROWS:,} rows. Split it and import each part.")
        parsed.append(
            Row(
                line=line,
                values={h: (values[i].strip() if i < len(values) else "") for i, h in enumerate(headings) if h},
            )
        )
    return headings, parsed


def keep(headings: list[str], parsed: list[Row], text: str) -> dict:
    """The parsed file as JSON for RosterImport.parsed, with the hash of the text it
    came from: {"sha256", "headings", "keys", "rows": [[line, [value, ...]], ...]}.
    Every row has the same keys (the non-blank headings), stored once."""
    keys = list(dict.fromkeys(h for h in headings if h))
    return {
        "sha256": hashlib.sha256(text.encode()).hexdigest(),
        "headings": headings,
        "keys": keys,
        "rows": [[row.line, [row.values[key] for key in keys]] for row in parsed],
    }


def kept_rows(kept: dict, text: str, delimiter: str) -> tuple[list[str], list[Row]]:
    """The headings and rows kept at upload; parsed again from `text` only if nothing
    was kept (an import checked before rows were kept) or the text is no longer the
    text they were parsed from."""
    if not kept or kept.get("sha256") != hashlib.sha256(text.encode()).hexdigest():
        return rows(text, delimiter)
    keys = kept["keys"]
    return kept["headings"], [
        Row(line=line, values=dict(zip(keys, values, strict=True))) for line, values in kept["rows"]
    ]
