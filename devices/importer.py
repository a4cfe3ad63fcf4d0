"""Importing the school's existing equipment spreadsheet (CSV): a dry run says what
would be added, what is already on the register and what cannot be read; applying
adds every new device at once, or nothing."""

from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from core import audit
from core.text import plural

from .models import Device, DeviceType

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000

# Column headings people use, lower-cased, to our fields.
HEADINGS = {
    "type": "device_type",
    "device type": "device_type",
    "kind": "device_type",
    "category": "device_type",
    "make": "make",
    "manufacturer": "make",
    "brand": "make",
    "model": "model",
    "serial": "serial_number",
    "serial number": "serial_number",
    "serial no": "serial_number",
    "serial no.": "serial_number",
    "s/n": "serial_number",
    "asset tag": "asset_tag",
    "asset": "asset_tag",
    "asset number": "asset_tag",
    "asset no": "asset_tag",
    "tag": "asset_tag",
    "purchase date": "purchase_date",
    "purchased": "purchase_date",
    "date purchased": "purchase_date",
    "cost": "cost",
    "price": "cost",
    "value": "cost",
    "encrypted": "encrypted",
    "encryption": "encrypted",
    "location": "location",
    "room": "location",
    "condition": "condition",
    "notes": "notes",
    "comments": "notes",
}
REQUIRED = {"device_type": "Type", "make": "Make", "serial_number": "Serial number"}

TYPES = {
    "laptop": DeviceType.LAPTOP,
    "notebook": DeviceType.LAPTOP,
    "chromebook": DeviceType.LAPTOP,
    "macbook": DeviceType.LAPTOP,
    "tablet": DeviceType.TABLET,
    "ipad": DeviceType.TABLET,
    "camera": DeviceType.CAMERA,
    "digital camera": DeviceType.CAMERA,
    "phone": DeviceType.PHONE,
    "mobile": DeviceType.PHONE,
    "mobile phone": DeviceType.PHONE,
    "iphone": DeviceType.PHONE,
    "memory stick": DeviceType.MEMORY_STICK,
    "usb stick": DeviceType.MEMORY_STICK,
    "usb": DeviceType.MEMORY_STICK,
    "usb memory stick": DeviceType.MEMORY_STICK,
    "memory_stick": DeviceType.MEMORY_STICK,
    "other": DeviceType.OTHER,
}
YES = {"yes", "y", "true", "1", "encrypted"}
NO = {"no", "n", "false", "0", ""}


@dataclass
class Row:
    line: int
    values: dict
    errors: list[str] = field(default_factory=list)
    status: str = "add"  # add, on_register, error

    @property
    def type_label(self) -> str:
        kind = self.values.get("device_type", "")
        return DeviceType(kind).label if kind in DeviceType.values else kind

    @property
    def label(self) -> str:
        return " ".join(str(self.values.get(k) or "") for k in ("make", "model")).strip()


@dataclass
class Plan:
    rows: list[Row]
    missing_columns: list[str]

    @property
    def to_add(self) -> list[Row]:
        return [r for r in self.rows if r.status == "add"]

    @property
    def already(self) -> list[Row]:
        return [r for r in self.rows if r.status == "on_register"]

    @property
    def errors(self) -> list[Row]:
        return [r for r in self.rows if r.status == "error"]

    @property
    def can_apply(self) -> bool:
        return not self.missing_columns and not self.errors and bool(self.to_add)


def read_upload(upload) -> str:
    if upload is None or upload.size == 0:
        raise ValidationError({"file": "Choose the CSV file to import."})
    if upload.size > MAX_BYTES:
        raise ValidationError({"file": "The file is larger than 2 MB. Split it into smaller files."})
    raw = upload.read()
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    if "\x00" in text:
        raise ValidationError({"file": "This is not a CSV file. Save the spreadsheet as CSV and choose that file."})
    return text


def _date(value: str):
    for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d/%m/%y", "%d-%m-%Y"):
        try:
            return datetime.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise ValueError


def _parse(row: Row, raw: dict) -> None:
    values = {}
    for key, value in raw.items():
        values[key] = " ".join((value or "").split())
    kind = values.get("device_type", "").lower()
    if kind in TYPES:
        values["device_type"] = TYPES[kind]
    elif kind:
        row.errors.append(
            f"Type “{values['device_type']}” is not one we know: use laptop, tablet, camera, phone, memory stick or other."
        )
    for key, heading in REQUIRED.items():
        if not values.get(key):
            row.errors.append(f"{heading} is empty.")
    if values.get("purchase_date"):
        try:
            values["purchase_date"] = _date(values["purchase_date"])
        except ValueError:
            row.errors.append(f"Purchase date “{values['purchase_date']}” is not a date like 27/03/2024.")
    else:
        values["purchase_date"] = None
    if values.get("cost"):
        try:
            values["cost"] = Decimal(values["cost"].replace("£", "").replace(",", "")).quantize(Decimal("0.01"))
            if values["cost"] < 0 or values["cost"] >= Decimal("10000000"):
                raise InvalidOperation
        except InvalidOperation:
            row.errors.append(f"Cost “{values['cost']}” is not an amount like 499.99.")
    else:
        values["cost"] = None
    encrypted = values.get("encrypted", "").lower()
    if encrypted in YES:
        values["encrypted"] = True
    elif encrypted in NO:
        values["encrypted"] = False
    else:
        row.errors.append(f"Encrypted “{values['encrypted']}” should be yes or no.")
    for key, limit in (("make", 100), ("model", 100), ("serial_number", 100), ("asset_tag", 50), ("location", 200)):
        if len(values.get(key, "")) > limit:
            row.errors.append(f"{key.replace('_', ' ').capitalize()} is longer than {limit} characters.")
    row.values = values


def dry_run(school, text: str) -> Plan:
    """What importing `text` would do, without writing anything."""
    reader = csv.DictReader(io.StringIO(text))
    headings = {h: HEADINGS.get(" ".join((h or "").lower().split())) for h in (reader.fieldnames or [])}
    found = set(headings.values())
    missing = [label for key, label in REQUIRED.items() if key not in found]
    if missing:
        return Plan(rows=[], missing_columns=missing)
    rows: list[Row] = []
    for number, record in enumerate(reader, start=2):
        if number - 1 > MAX_ROWS:
            raise ValidationError({"file": f"The file has more than {MAX_ROWS} devices. Split it into smaller files."})
        if not any((v or "").strip() for v in record.values() if isinstance(v, str)):
            continue
        raw = {}
        for heading, value in record.items():
            key = headings.get(heading)
            if key and isinstance(value, str) and not raw.get(key):
                raw[key] = value
        row = Row(line=number, values={})
        _parse(row, raw)
        rows.append(row)
    serials = {s.lower() for s in Device.objects.filter(school=school).values_list("serial_number", flat=True)}
    tags = {
        t.lower()
        for t in Device.objects.filter(school=school).exclude(asset_tag="").values_list("asset_tag", flat=True)
    }
    seen_serials: dict[str, int] = {}
    seen_tags: dict[str, int] = {}
    for row in rows:
        serial = row.values.get("serial_number", "").lower()
        tag = row.values.get("asset_tag", "").lower()
        if serial and serial in seen_serials:
            row.errors.append(f"The serial number is also on line {seen_serials[serial]}.")
        if tag and tag in seen_tags:
            row.errors.append(f"The asset tag is also on line {seen_tags[tag]}.")
        seen_serials.setdefault(serial, row.line)
        if tag:
            seen_tags.setdefault(tag, row.line)
        if row.errors:
            row.status = "error"
        elif serial in serials:
            row.status = "on_register"
        elif tag and tag in tags:
            row.status = "error"
            row.errors.append("Another device on the register already has this asset tag.")
    return Plan(rows=rows, missing_columns=[])


FIELDS = ("device_type", "make", "model", "serial_number", "asset_tag", "purchase_date", "cost", "encrypted")
FIELDS += ("location", "condition", "notes")


def apply(school, text: str, *, by, request=None) -> int:
    """Add every new device of the file, or nothing. Returns how many were added."""
    plan = dry_run(school, text)
    if not plan.can_apply:
        raise ValidationError("The file has problems. Correct them and check it again before importing.")
    try:
        with transaction.atomic():
            created = Device.objects.bulk_create(
                [Device(school=school, **{k: row.values.get(k, "") for k in FIELDS}) for row in plan.to_add]
            )
            audit.record(
                action="devices.imported",
                actor=by,
                school=school,
                request=request,
                summary=f"Imported {plural(len(created), 'device')} from a spreadsheet "
                f"({len(plan.already)} already on the register left unchanged)",
            )
    except IntegrityError:
        raise ValidationError("Someone added some of these devices meanwhile. Check the file again.") from None
    return len(created)


# --- The sample file and the headings the upload page lists, made from HEADINGS ------

SAMPLE_ROW = {
    "device_type": "Laptop",
    "make": "Dell",
    "model": "Latitude 5440",
    "serial_number": "5CG1234XYZ",
    "asset_tag": "OAK-0042",
    "purchase_date": "01/09/2024",
    "cost": "649.00",
    "encrypted": "Yes",
    "location": "ICT cupboard",
    "condition": "Good",
    "notes": "Charger and case",
}


def recognised_headings() -> list[tuple[str, str, list[str]]]:
    """(field's name on the page, "Required" or "", every heading recognised for it)."""
    rows = []
    for key in FIELDS:
        label = REQUIRED.get(key) or str(Device._meta.get_field(key).verbose_name).capitalize()
        rows.append((label, "Required" if key in REQUIRED else "", [h for h, f in HEADINGS.items() if f == key]))
    return rows


def sample_csv() -> str:
    """One example row under the first heading recognised for each field."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([next(h for h, f in HEADINGS.items() if f == key).capitalize() for key in FIELDS])
    writer.writerow([SAMPLE_ROW[key] for key in FIELDS])
    return out.getvalue()
