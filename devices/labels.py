"""A4 label sheets the office can print asset labels on, and where each label falls.

The dimensions are the manufacturers' (Avery's published templates; other brands sell
the same layouts under "compatible with L7160" and so on), in millimetres. A sheet is
described by its grid: the first label's top-left corner and the distance from one
label to the next (the pitch), so the PDF puts each label where the paper's label is.

A part-used sheet is reused by starting at a later position: positions count from 1,
left to right along the top row, then the next row down."""

from __future__ import annotations

from dataclasses import dataclass

A4_WIDTH_MM = 210
A4_HEIGHT_MM = 297


@dataclass(frozen=True)
class Layout:
    code: str
    name: str
    across: int
    down: int
    width: float  # one label, mm
    height: float
    top: float  # the top edge of the sheet to the first label's top edge
    left: float  # the left edge of the sheet to the first label's left edge
    pitch_x: float  # one label's left edge to the next one's, across
    pitch_y: float  # one label's top edge to the next one's, down

    @property
    def per_sheet(self) -> int:
        return self.across * self.down

    @property
    def description(self) -> str:
        return (
            f"{self.per_sheet} labels a sheet, {self.across} across and {self.down} down, "
            f"each {_mm(self.width)} × {_mm(self.height)} mm"
        )

    @property
    def qr_size(self) -> float:
        """The QR code's side: as large as the label's height allows, with a margin."""
        return round(min(self.height - 8, self.width / 2.6), 1)

    def cell(self, position: int) -> tuple[float, float]:
        """(left, top) in mm of label `position` (1-based) on its sheet."""
        index = (position - 1) % self.per_sheet
        row, column = divmod(index, self.across)
        return (round(self.left + column * self.pitch_x, 2), round(self.top + row * self.pitch_y, 2))


def _mm(value: float) -> str:
    return f"{value:g}"


LAYOUTS: dict[str, Layout] = {
    layout.code: layout
    for layout in (
        Layout("L7160", "Avery L7160 (21 a sheet)", 3, 7, 63.5, 38.1, 15.15, 7.25, 66.04, 38.1),
        Layout("L7163", "Avery L7163 (14 a sheet)", 2, 7, 99.1, 38.1, 15.15, 4.65, 101.6, 38.1),
        Layout("L7165", "Avery L7165 (8 a sheet)", 2, 4, 99.1, 67.7, 13.1, 4.65, 101.6, 67.7),
    )
}
DEFAULT_LAYOUT = "L7160"


@dataclass(frozen=True)
class Placed:
    """One item on a sheet: which sheet (0-based), its position on it, where it goes."""

    sheet: int
    position: int
    left: float
    top: float
    item: object


def place(items, layout: Layout, start: int = 1) -> list[list[Placed]]:
    """The items laid out on sheets, the first one at position `start` of the first
    sheet (the cells before it left empty), filling each sheet before the next."""
    if not 1 <= start <= layout.per_sheet:
        raise ValueError(f"start must be between 1 and {layout.per_sheet}")
    sheets: list[list[Placed]] = []
    for offset, item in enumerate(items):
        index = start - 1 + offset
        sheet, position = divmod(index, layout.per_sheet)
        while len(sheets) <= sheet:
            sheets.append([])
        left, top = layout.cell(position + 1)
        sheets[sheet].append(Placed(sheet, position + 1, left, top, item))
    return sheets
